/**
 * `isolab explore FILE [--max-interleavings N] [--variant k=v] [--all] [--json]
 * [--out FILE] [--trace OUT]`: every interleaving of the scenario's processes' steps
 * (with partial-order reduction and state matching); reports how many were run, what
 * stopped the search, and how many violate an expectation, an invariant or an assertion,
 * and writes the first violating one as a scenario and a trace. Exit 0 when none
 * violates, 1 when one does, 2 on bad input.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import { recordRun } from '../../engine/trace/record.js';
import { compileScenario, loadScenario, variantAxes, variantMatrix } from '../../dsl/compile/index.js';
import { explore, interleavingCount, type ExploreResult } from '../../check/explore.js';
import { interleavingScenario, stepLines } from '../../check/interleaving.js';
import { AtomicWriter, displayPath, sourceReader, styleFor, writeAtomically } from '../io.js';
import { parseCount, parseVariantOptions, variantLabel } from './run.js';

export interface ExploreCommandOptions {
  readonly maxInterleavings?: string;
  readonly variant?: string[];
  readonly all?: boolean;
  readonly json?: boolean;
  readonly out?: string;
  readonly trace?: string;
}

export function exploreCommand(file: string, options: ExploreCommandOptions): number {
  const path = displayPath(file);
  const maxInterleavings = parseCount(options.maxInterleavings, '--max-interleavings', 10_000);
  if (maxInterleavings < 1) throw new ScenarioError('E_OPTION', '--max-interleavings must be at least 1');
  const loaded = loadScenario(path, sourceReader());
  const results: { variant: Record<string, string>; result: ExploreResult; scenario: string | null }[] = [];
  for (const variant of variantMatrix(variantAxes(loaded), parseVariantOptions(options.variant))) {
    const plan = compileScenario(loaded, variant);
    stepLines(loaded, plan);
    const result = explore(plan, { maxInterleavings, stopAtFirst: options.all !== true });
    const scenario =
      result.firstViolation === null
        ? null
        : interleavingScenario(loaded, plan, result.firstViolation.order, [
            `The first violating interleaving isolab explore found (variant ${variantLabel(variant)}):`,
            ...result.firstViolation.reasons.map((reason) => `  ${reason}`),
          ]);
    results.push({ variant, result, scenario });
  }
  const first = results.find((r) => r.scenario !== null);
  if (first !== undefined) writeOutputs(first.scenario!, first.variant, path, options);
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ file: path, results }, null, 2) + '\n');
  } else {
    printResults(path, results, options, maxInterleavings);
  }
  return first === undefined ? 0 : 1;
}

function writeOutputs(scenario: string, variant: Record<string, string>, path: string, options: ExploreCommandOptions): void {
  if (options.out !== undefined) writeAtomically(options.out, scenario);
  if (options.trace === undefined) return;
  const name = options.out ?? path.replace(/\.isl$/, '.interleaving.isl');
  const loaded = loadScenario(name, (file) => ({ file, text: file === name ? scenario : sourceReader()(file, null).text }));
  const writer = new AtomicWriter(options.trace);
  try {
    recordRun(compileScenario(loaded, variant), loaded.files, (line) => writer.write(line + '\n'));
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

function printResults(path: string, results: readonly { variant: Record<string, string>; result: ExploreResult; scenario: string | null }[], options: ExploreCommandOptions, maxInterleavings: number): void {
  const style = styleFor(process.stdout);
  const out: string[] = [];
  for (const { variant, result, scenario } of results) {
    const threads = result.threads.map((t) => `${t.name} (${t.steps})`).join(', ');
    out.push(`${result.violating === 0 ? style.green('✓') : style.red('✗')} ${path} [${variantLabel(variant)}]: threads ${threads}`);
    out.push(`  ${searchSummary(result, maxInterleavings)}`);
    if (result.footprintGaps > 0) {
      out.push(`  note: ${result.footprintGaps} pair(s) of steps the footprints called independent did not commute; the search ran both orders and stayed exact (check/footprint.ts lacks a read)`);
    }
    if (result.firstViolation !== null) {
      for (const reason of result.firstViolation.reasons) out.push(`  ${style.red(reason)}`);
      out.push(options.out === undefined ? '  the interleaving as a scenario (save it with --out FILE; --trace writes its trace):' : `  written to ${options.out}${options.trace === undefined ? '' : ` and ${options.trace}`}`);
      if (options.out === undefined && scenario !== null) out.push('', ...scenario.split('\n').map((line) => `    ${line}`));
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

/** What the search did and what stopped it, in one line. */
export function searchSummary(result: ExploreResult, maxInterleavings: number): string {
  const ran = `ran ${result.explored} of ${interleavingCount(result.threads.map((t) => t.steps))} to the end`;
  const reductions = `${result.merged} reached a state already explored, sleep sets pruned ${result.pruned} transitions`;
  const violating = `${result.violating} violating`;
  switch (result.stoppedBy) {
    case null:
      return `explored all interleavings: ${ran}; ${reductions}; ${violating}`;
    case 'first-violation':
      return `stopped at the first violating interleaving: ${ran}; ${reductions}; ${violating} (--all explores them all)`;
    case 'bound':
      return `stopped at --max-interleavings ${maxInterleavings}: ${ran}, the search is incomplete; ${reductions}; ${violating}`;
  }
}
