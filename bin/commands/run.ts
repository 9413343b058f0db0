/**
 * `isolab run FILE… [--seed N] [--variant k=v] [--trace OUT] [--json] [--all]`:
 * compiles each scenario for every variant combination, runs it, prints each step with
 * its outcome and the verdict of each expectation, then a verdict table; writes traces.
 * Exit 0 when everything holds, 1 when an expectation, assertion or invariant fails.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ScenarioError } from '../../engine/core/errors.js';
import type { Limits } from '../../engine/core/limits.js';
import { DEFAULT_LIMITS } from '../../engine/core/limits.js';
import { describeOutcome } from '../../engine/scenario/outcome.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan, type RunResult } from '../../engine/scenario/run.js';
import { recordRun } from '../../engine/trace/record.js';
import { compileScenario, loadScenario, variantAxes, variantMatrix, type LoadedScenario } from '../../dsl/compile/index.js';
import { AtomicWriter, BUNDLED_SCENARIOS, displayPath, scenarioFilesIn, sourceReader, styleFor, type Style } from '../io.js';

export interface RunCommandOptions {
  readonly seed?: string;
  readonly variant?: string[];
  readonly trace?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly quiet?: boolean;
  readonly maxEvents?: string;
}

export interface CompletedRun {
  readonly loaded: LoadedScenario;
  readonly plan: RunPlan;
  readonly result: RunResult;
  readonly tracePath: string | null;
}

export function parseVariantOptions(values: readonly string[] = []): Record<string, string> {
  const fixed: Record<string, string> = {};
  for (const text of values) {
    const match = /^([A-Za-z_][\w.-]*)=([\w.-]+)$/.exec(text);
    if (match === null) throw new ScenarioError('E_OPTION', `--variant expects NAME=VALUE, found "${text}"`);
    fixed[match[1]!] = match[2]!;
  }
  return fixed;
}

export function parseCount(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ScenarioError('E_OPTION', `${option} expects a whole number, found "${text}"`);
  return Number(text);
}

export function variantLabel(variant: Readonly<Record<string, string>>): string {
  const entries = Object.entries(variant);
  return entries.length === 0 ? 'default' : entries.map(([k, v]) => `${k}=${v}`).join(' ');
}

function tracePathFor(out: string, plan: RunPlan, single: boolean): string {
  const looksLikeDirectory = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());
  if (single && !looksLikeDirectory) return out;
  mkdirSync(out, { recursive: true });
  const suffix = Object.entries(plan.variant).map(([k, v]) => `${k}=${v}`).join(',');
  return join(out, `${basename(plan.file, '.isl')}${suffix === '' ? '' : '--' + suffix}.trace`);
}

/** Runs every variant of every file; traces go through temporary files renamed on success. */
export function runScenarios(files: readonly string[], options: RunCommandOptions, limits: Limits): CompletedRun[] {
  const fixed = parseVariantOptions(options.variant);
  const read = sourceReader();
  const work: { loaded: LoadedScenario; plan: RunPlan }[] = [];
  for (const file of files) {
    const loaded = loadScenario(file, read);
    const axes = variantAxes(loaded);
    const own = Object.fromEntries(Object.entries(fixed).filter(([name]) => axes.some((axis) => axis.name === name)));
    const combos = variantMatrix(axes, options.all === true ? own : fixed);
    for (const variant of combos) {
      const plan = compileScenario(loaded, variant);
      const seeded = options.seed === undefined ? plan : { ...plan, seed: parseCount(options.seed, '--seed', 0), config: { ...plan.config, seed: parseCount(options.seed, '--seed', 0) } };
      work.push({ loaded, plan: seeded });
    }
  }
  return work.map(({ loaded, plan }) => {
    if (options.trace === undefined) return { loaded, plan, result: runPlan(plan, { limits }), tracePath: null };
    const path = tracePathFor(options.trace, plan, work.length === 1);
    const writer = new AtomicWriter(path);
    try {
      const result = recordRun(plan, loaded.files, (line) => writer.write(line + '\n'), { limits });
      writer.commit();
      return { loaded, plan, result, tracePath: path };
    } catch (error) {
      writer.abort();
      throw error;
    }
  });
}

export function runCommand(files: string[], options: RunCommandOptions): number {
  const limits: Limits = { ...DEFAULT_LIMITS, maxEvents: parseCount(options.maxEvents, '--max-events', DEFAULT_LIMITS.maxEvents) };
  const targets = options.all === true ? [...scenarioFilesIn(BUNDLED_SCENARIOS).map(displayPath), ...files] : files;
  if (targets.length === 0) throw new ScenarioError('E_OPTION', 'nothing to run: give scenario files, or --all for the bundled ones');
  const runs = runScenarios(targets, options, limits);
  const passed = runs.every((run) => run.result.passed);
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ passed, runs: runs.map(runJson) }, null, 2) + '\n');
  } else {
    const style = styleFor(process.stdout);
    const out: string[] = [];
    if (options.all !== true && options.quiet !== true) for (const run of runs) out.push(...runLines(run, style));
    out.push(...verdictTable(runs, style, options.all === true));
    process.stdout.write(out.join('\n') + '\n');
  }
  return passed ? 0 : 1;
}

function mark(holds: boolean, style: Style): string {
  return holds ? style.green('✓') : style.red('✗');
}

export function runLines(run: CompletedRun, style: Style): string[] {
  const { plan, result } = run;
  const lines: string[] = [];
  lines.push(style.bold(`▶ ${plan.title}`) + style.dim(`  ${plan.file}  seed ${plan.seed}  [${variantLabel(plan.variant)}]`));
  const width = Math.min(56, Math.max(20, ...result.steps.map((s) => s.step.text.length)));
  for (const { step, outcome, verdicts } of result.steps) {
    const checks = verdicts.map((v) => `${mark(v.holds, style)} ${v.expectation}${v.holds ? '' : style.red(` — ${v.reason}`)}`).join('  ');
    lines.push(`  ${String(step.line).padStart(4)}  ${step.text.padEnd(width)}  ${style.dim('→')} ${describeOutcome(outcome)}${checks === '' ? '' : '\n' + ' '.repeat(width + 10) + checks}`);
  }
  for (const assertion of result.assertions) {
    lines.push(`        assert ${assertion.expectation}  ${mark(assertion.holds, style)}${assertion.holds ? '' : style.red(` — ${assertion.reason}`)}`);
  }
  for (const violation of result.violations) {
    lines.push(style.red(`        invariant ${violation.invariant} violated at event ${violation.event}: ${violation.message}`));
  }
  const checked = result.steps.reduce((n, s) => n + s.verdicts.length, 0) + result.assertions.length;
  const held = result.steps.reduce((n, s) => n + s.verdicts.filter((v) => v.holds).length, 0) + result.assertions.filter((a) => a.holds).length;
  const summary = `${held}/${checked} expectations hold, ${result.violations.length} invariant violation${result.violations.length === 1 ? '' : 's'}, ${result.eventCount} events`;
  lines.push(`  ${mark(result.passed, style)} ${summary}${run.tracePath === null ? '' : style.dim(`  trace: ${displayPath(run.tracePath)}`)}`);
  lines.push('');
  return lines;
}

/** Scenario × variant: expectations held, violations, verdict. With several variants, expectations × variants too. */
export function verdictTable(runs: readonly CompletedRun[], style: Style, compact: boolean): string[] {
  const lines: string[] = [];
  const byFile = new Map<string, CompletedRun[]>();
  for (const run of runs) byFile.set(run.plan.file, [...(byFile.get(run.plan.file) ?? []), run]);
  if (!compact) {
    for (const group of byFile.values()) if (group.length > 1) lines.push(...expectationMatrix(group, style), '');
  }
  const rows = runs.map((run) => {
    const verdicts = [...run.result.steps.flatMap((s) => s.verdicts), ...run.result.assertions];
    const held = verdicts.filter((v) => v.holds).length;
    return [run.plan.title, variantLabel(run.plan.variant), `${held}/${verdicts.length}`, String(run.result.violations.length), run.result.passed ? 'pass' : 'FAIL'];
  });
  const header = ['scenario', 'variant', 'expectations', 'violations', 'verdict'];
  lines.push(...table([header, ...rows], style, (row, col, text) => (col === 4 && row > 0 ? (text === 'pass' ? style.green(text) : style.red(text)) : text)));
  const failed = runs.filter((run) => !run.result.passed).length;
  lines.push(failed === 0 ? style.green(`all ${runs.length} runs pass`) : style.red(`${failed} of ${runs.length} runs fail`));
  return lines;
}

function expectationMatrix(group: readonly CompletedRun[], style: Style): string[] {
  const labels = group.map((run) => variantLabel(run.plan.variant));
  const keys: string[] = [];
  const cells = new Map<string, Map<number, boolean>>();
  group.forEach((run, column) => {
    const add = (key: string, holds: boolean) => {
      if (!cells.has(key)) {
        cells.set(key, new Map());
        keys.push(key);
      }
      cells.get(key)!.set(column, holds);
    };
    for (const { step, verdicts } of run.result.steps) for (const v of verdicts) add(`${step.line}: ${step.text} — ${v.expectation}`, v.holds);
    for (const a of run.result.assertions) add(`assert ${a.expectation}`, a.holds);
  });
  const rows = keys.map((key) => [key.length > 70 ? key.slice(0, 69) + '…' : key, ...labels.map((_, column) => {
    const holds = cells.get(key)!.get(column);
    return holds === undefined ? '·' : holds ? '✓' : '✗';
  })]);
  return [style.bold(group[0]!.plan.title), ...table([['expectation', ...labels], ...rows], style, (_r, _c, text) => (text === '✓' ? style.green(text) : text === '✗' ? style.red(text) : text))];
}

export function table(rows: readonly string[][], style: Style, paint: (row: number, col: number, text: string) => string = (_r, _c, t) => t): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => [...(row[col] ?? '')].length)));
  return rows.map((row, r) => {
    const text = row.map((cell, col) => paint(r, col, cell) + ' '.repeat(widths[col]! - [...cell].length)).join('  ');
    return r === 0 ? style.bold(text) : text;
  });
}

function runJson(run: CompletedRun) {
  const { plan, result } = run;
  return {
    file: plan.file,
    title: plan.title,
    seed: plan.seed,
    variant: plan.variant,
    passed: result.passed,
    events: result.eventCount,
    trace: run.tracePath,
    steps: result.steps.map(({ step, outcome, verdicts }) => ({ line: step.line, text: step.text, actor: step.actor, outcome, verdicts })),
    assertions: result.assertions,
    violations: result.violations,
  };
}
