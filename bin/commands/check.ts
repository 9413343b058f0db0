/**
 * `isolab check FILE [--runs N] [--seed N] [--max-steps N] [--variant k=v] [--json]
 * [--junit OUT.xml] [--out FILE] [--workers N] [--shard i/n]` and `isolab check --merge
 * RESULT.json…`: let the tool search for the attack. Exit 0 when no invariant broke,
 * 1 when a counterexample was found, 2 on bad input (including shards that do not
 * cover the search exactly once, check/merge.ts).
 */
import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { ScenarioError } from '../../engine/core/errors.js';
import { compileScenario, loadScenario, variantAxes, variantMatrix } from '../../dsl/compile/index.js';
import { counterexampleScenario } from '../../check/counterexample.js';
import { junitXml } from '../../check/junit.js';
import { checkInWorkers } from '../../check/pool.js';
import { mergeShards, type CheckResult, type ShardFile } from '../../check/merge.js';
import { checkSlice, mergeSlices } from '../../check/search.js';
import { loadWorld } from '../../check/world.js';
import { displayPath, sourceReader, styleFor, writeAtomically } from '../io.js';
import { parseCount, parseVariantOptions, variantLabel } from './run.js';

export interface CheckCommandOptions {
  readonly runs?: string;
  readonly seed?: string;
  readonly maxSteps?: string;
  readonly variant?: string[];
  readonly json?: boolean;
  readonly junit?: string;
  readonly out?: string;
  readonly workers?: string;
  readonly shard?: string;
  readonly merge?: boolean;
}

function parseShard(text: string | undefined, runs: number): { from: number; to: number; label: string | null } {
  if (text === undefined) return { from: 0, to: runs, label: null };
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count) throw new ScenarioError('E_OPTION', `--shard expects i/n with 1 <= i <= n, found "${text}"`);
  return { from: Math.floor(((index - 1) * runs) / count), to: Math.floor((index * runs) / count), label: text };
}

function reproduceCommand(file: string, variant: Readonly<Record<string, string>>, seed: number, runs: number, maxSteps: number): string {
  const variants = Object.entries(variant).map(([k, v]) => ` --variant ${k}=${v}`).join('');
  return `isolab check ${file}${variants} --seed ${seed} --runs ${runs} --max-steps ${maxSteps}`;
}

export async function checkCommand(files: string[], options: CheckCommandOptions): Promise<number> {
  if (options.merge === true) return mergeCommand(files, options);
  if (files.length !== 1) throw new ScenarioError('E_OPTION', 'isolab check takes one scenario file (or --merge RESULT.json…)');
  const file = displayPath(files[0]!);
  const runs = parseCount(options.runs, '--runs', 1000);
  const seed = parseCount(options.seed, '--seed', 1);
  const maxSteps = parseCount(options.maxSteps, '--max-steps', 30);
  const workers = Math.max(1, parseCount(options.workers, '--workers', 1));
  if (maxSteps < 1) throw new ScenarioError('E_OPTION', '--max-steps must be at least 1');
  const shard = parseShard(options.shard, runs);
  const loaded = loadScenario(file, sourceReader());
  const combos = variantMatrix(variantAxes(loaded), parseVariantOptions(options.variant));
  const results: CheckResult[] = [];
  for (const variant of combos) {
    compileScenario(loaded, variant); // located errors before any search starts
    const world = loadWorld(loaded, variant);
    const settings = { seed, maxSteps };
    const progress = progressBar(shard.to - shard.from, `${file} [${variantLabel(variant)}]`);
    const onRun = () => progress.increment();
    const merged =
      workers > 1
        ? await checkInWorkers({ file, variant, settings, from: shard.from, to: shard.to, workers, onRun })
        : mergeSlices([checkSlice(world, settings, shard.from, shard.to, onRun)]);
    progress.stop(merged.counterexample === null ? 0 : 1);
    const counterexample = merged.counterexample;
    const reproduce = reproduceCommand(file, variant, seed, runs, maxSteps);
    results.push({
      file,
      variant,
      seed,
      maxSteps,
      runs,
      from: shard.from,
      to: shard.to,
      runsChecked: counterexample === null ? shard.to - shard.from : counterexample.run - shard.from + 1,
      counterexample,
      scenario: counterexample === null ? null : counterexampleScenario(world, counterexample, reproduce),
    });
  }
  return report(results, options);
}

function report(results: readonly CheckResult[], options: CheckCommandOptions): number {
  const found = results.filter((r) => r.counterexample !== null);
  if (options.out !== undefined) {
    const first = found[0];
    if (first !== undefined) writeAtomically(options.out, first.scenario!);
  }
  if (options.junit !== undefined) {
    writeAtomically(
      options.junit,
      junitXml(
        results.map((r) => ({
          name: `${r.file} [${variantLabel(r.variant)}]`,
          runs: r.runsChecked,
          failure: r.counterexample === null ? null : { message: `${r.counterexample.violation.invariant}: ${r.counterexample.violation.message}`, text: r.scenario! },
        })),
      ),
    );
  }
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ found: found.length > 0, results }, null, 2) + '\n');
    return found.length > 0 ? 1 : 0;
  }
  const style = styleFor(process.stdout);
  const out: string[] = [];
  for (const r of results) {
    const head = `${r.file} [${variantLabel(r.variant)}], seed ${r.seed}, runs ${r.from}..${r.to - 1}, up to ${r.maxSteps} steps each`;
    if (r.counterexample === null) {
      out.push(`${style.green('✓')} ${head}: ${r.runsChecked} runs, no invariant broke`);
      continue;
    }
    const c = r.counterexample;
    out.push(`${style.red('✗')} ${head}`);
    out.push(`  run ${c.run} broke ${style.bold(c.violation.invariant)}: ${c.violation.message}`);
    out.push(`  shrunk ${c.shrinks} times to ${c.steps.length} step(s); run seed ${c.runSeed}, path "${c.path}"`);
    out.push(`  reproduce the search: ${reproduceCommand(r.file, r.variant, r.seed, r.runs, r.maxSteps)}`);
    out.push(options.out === undefined ? '  the attack as a scenario (save it with --out FILE, replay it with isolab run):' : `  the attack is in ${options.out}; replay it with: isolab run ${options.out}`);
    if (options.out === undefined) out.push('', ...r.scenario!.split('\n').map((line) => `    ${line}`));
  }
  process.stdout.write(out.join('\n') + '\n');
  return found.length > 0 ? 1 : 0;
}

function mergeCommand(files: string[], options: CheckCommandOptions): number {
  if (files.length === 0) throw new ScenarioError('E_OPTION', '--merge needs the JSON results of the shards (isolab check … --json > shard.json)');
  const shards: ShardFile[] = files.map((path) => {
    let parsed: { results?: unknown };
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as { results?: unknown };
    } catch (error) {
      throw new ScenarioError('E_READ', `cannot read shard results ${displayPath(path)}: ${(error as Error).message}`);
    }
    const results = Array.isArray(parsed?.results) ? (parsed.results as CheckResult[]) : [];
    return { path: displayPath(path), results };
  });
  return report(mergeShards(shards), options);
}

interface Progress {
  increment(): void;
  stop(found: number): void;
}

/** runs done, rate and violations found, on stderr when it is a terminal. */
function progressBar(total: number, label: string): Progress {
  if (process.stderr.isTTY !== true || total < 50) return { increment: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `check ${label} [{bar}] {value}/{total} runs | {rate} runs/s | violations {found}`, stream: process.stderr, hideCursor: true },
  );
  const started = process.hrtime.bigint();
  let done = 0;
  bar.start(total, 0, { rate: '0', found: 0 });
  return {
    increment: () => {
      done++;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : '0', found: 0 });
    },
    stop: (found) => {
      bar.update(done, { found });
      bar.stop();
    },
  };
}
