/**
 * `isolab run FILE… [--seed N] [--variant k=v] [--trace OUT] [--json] [--all] [--matrix FILE]`:
 * compiles each scenario for every variant combination, runs it, prints each step with
 * its outcome and the verdict of each expectation, then a verdict table; writes traces.
 * With --matrix, also diffs every combination of each scenario against its first.
 * Exit 0 when everything holds, 1 when an expectation, assertion or invariant fails.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Envelope } from '../../engine/core/decider.js';
import { ScenarioError } from '../../engine/core/errors.js';
import type { Limits } from '../../engine/core/limits.js';
import { DEFAULT_LIMITS } from '../../engine/core/limits.js';
import { describeEntry, describeOutcome } from '../../engine/scenario/outcome.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan, type RunOptions, type RunResult } from '../../engine/scenario/run.js';
import { diffTraces, type TraceDiff } from '../../engine/trace/diff.js';
import { recordRun } from '../../engine/trace/record.js';
import { writeRunReports } from './run-reports.js';
import { compileScenario, loadScenario, variantAxes, variantMatrix, type LoadedScenario } from '../../dsl/compile/index.js';
import { nearest } from '../../dsl/suggest.js';
import { matrixSummaryLines, parsedTraceOfRun } from './diff.js';
import { AtomicWriter, BUNDLED_SCENARIOS, displayPath, scenarioFilesIn, sourceReader, styleFor, type Style } from '../io.js';

export interface RunCommandOptions {
  readonly seed?: string;
  readonly variant?: string[];
  readonly trace?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly quiet?: boolean;
  readonly maxEvents?: string;
  readonly maxCommands?: string;
  /** A scenario whose variant combinations are each diffed against the first. */
  readonly matrix?: string;
  /** Where to write HTML reports (a file for one scenario, else a directory with an index). */
  readonly report?: string;
}

export interface CompletedRun {
  readonly loaded: LoadedScenario;
  readonly plan: RunPlan;
  readonly result: RunResult;
  readonly tracePath: string | null;
  /** The trace's text, kept when a report is wanted. */
  readonly traceText: string | null;
  /** Every event of the run, kept only for --matrix. */
  readonly events: readonly Envelope[] | null;
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

/** Where each run's trace goes: OUT itself for a single run, else OUT/<dir>--<name>[--k=v,…].trace. */
function tracePaths(out: string, plans: readonly RunPlan[]): string[] {
  const isDirectory = existsSync(out) && statSync(out).isDirectory();
  if (plans.length === 1 && !out.endsWith('/') && !isDirectory) {
    mkdirSync(dirname(out) === '' ? '.' : dirname(out), { recursive: true });
    return [out];
  }
  if (existsSync(out) && !isDirectory) {
    throw new ScenarioError('E_OPTION', `--trace ${out} is a file, but ${plans.length} runs need a directory to hold one trace each`, null, [
      'give a directory (it is created if missing), or run one variant with --variant',
    ]);
  }
  mkdirSync(out, { recursive: true });
  const paths = plans.map((plan) => {
    const parent = basename(dirname(plan.file));
    const prefix = parent === '.' || parent === '' || parent === '..' ? '' : `${parent}--`;
    const suffix = Object.entries(plan.variant).map(([k, v]) => `${k}=${v}`).join(',');
    return join(out, `${prefix}${basename(plan.file, '.isl')}${suffix === '' ? '' : '--' + suffix}.trace`);
  });
  const seen = new Map<string, RunPlan>();
  plans.forEach((plan, i) => {
    const other = seen.get(paths[i]!);
    if (other !== undefined && other.file !== plan.file) {
      throw new ScenarioError('E_OPTION', `${other.file} and ${plan.file} would both write ${paths[i]}`, null, ['run them separately, or rename one']);
    }
    seen.set(paths[i]!, plan);
  });
  return paths;
}

/**
 * The --variant values each file takes: a name must be a variant of at least one of the
 * files, and a value must be one that file declares.
 */
function variantsPerFile(loadedFiles: readonly LoadedScenario[], fixed: Readonly<Record<string, string>>): Record<string, string>[] {
  const axesPerFile = loadedFiles.map((loaded) => variantAxes(loaded));
  for (const name of Object.keys(fixed)) {
    if (!axesPerFile.some((axes) => axes.some((axis) => axis.name === name))) {
      const known = [...new Set(axesPerFile.flatMap((axes) => axes.map((axis) => axis.name)))];
      const suggestion = nearest(name, known);
      throw new ScenarioError('E_UNKNOWN_VARIANT', `no scenario given has a variant "${name}"`, null, [
        ...(suggestion === null ? [] : [`did you mean "${suggestion}"?`]),
        known.length === 0 ? 'none of them declares a variant' : `their variants: ${known.join(', ')}`,
      ]);
    }
  }
  return axesPerFile.map((axes) => Object.fromEntries(Object.entries(fixed).filter(([name]) => axes.some((axis) => axis.name === name))));
}

/**
 * Runs every variant of every file. Traces go to temporary files and are renamed only
 * when every run has finished, so a command that fails leaves no output behind.
 */
export function runScenarios(files: readonly string[], options: RunCommandOptions, limits: Limits): CompletedRun[] {
  const read = sourceReader();
  const loadedFiles = files.map((file) => loadScenario(file, read));
  const fixedPerFile = variantsPerFile(loadedFiles, parseVariantOptions(options.variant));
  const work: { loaded: LoadedScenario; plan: RunPlan }[] = [];
  loadedFiles.forEach((loaded, i) => {
    let combos: Record<string, string>[];
    try {
      combos = variantMatrix(variantAxes(loaded), fixedPerFile[i]!);
    } catch (error) {
      if (error instanceof ScenarioError && error.location === null) throw new ScenarioError(error.code, `${loaded.file}: ${error.message}`, null, error.notes);
      throw error;
    }
    for (const variant of combos) {
      const plan = compileScenario(loaded, variant);
      const seed = options.seed === undefined ? plan.seed : parseCount(options.seed, '--seed', 0);
      work.push({ loaded, plan: { ...plan, seed, config: { ...plan.config, seed } } });
    }
  });
  const keepEvents = options.matrix !== undefined;
  const keepTraces = options.report !== undefined;
  const runOptions = (events: Envelope[]): RunOptions =>
    keepEvents ? { limits, onEngine: (engine) => engine.events$.subscribe((envelope) => events.push(envelope)) } : { limits };
  const paths = options.trace === undefined ? null : tracePaths(options.trace, work.map((w) => w.plan));
  const writers: AtomicWriter[] = [];
  try {
    const runs = work.map(({ loaded, plan }, i): CompletedRun => {
      const events: Envelope[] = [];
      if (paths === null && !keepTraces) {
        return { loaded, plan, result: runPlan(plan, runOptions(events)), tracePath: null, traceText: null, events: keepEvents ? events : null };
      }
      const writer = paths === null ? null : new AtomicWriter(paths[i]!);
      if (writer !== null) writers.push(writer);
      const lines: string[] = [];
      const result = recordRun(plan, loaded.files, (line) => {
        writer?.write(line + '\n');
        if (keepTraces) lines.push(line);
      }, runOptions(events));
      return { loaded, plan, result, tracePath: paths?.[i] ?? null, traceText: keepTraces ? lines.join('\n') + '\n' : null, events: keepEvents ? events : null };
    });
    for (const writer of writers) writer.commit();
    return runs;
  } catch (error) {
    for (const writer of writers) writer.abort();
    throw error;
  }
}

export function runCommand(files: string[], options: RunCommandOptions): number {
  const limits: Limits = {
    maxEvents: parseCount(options.maxEvents, '--max-events', DEFAULT_LIMITS.maxEvents),
    maxCommands: parseCount(options.maxCommands, '--max-commands', DEFAULT_LIMITS.maxCommands),
  };
  const named = options.matrix === undefined ? files : [options.matrix, ...files];
  const targets = options.all === true ? [...scenarioFilesIn(BUNDLED_SCENARIOS).map(displayPath), ...named] : named;
  if (targets.length === 0) throw new ScenarioError('E_OPTION', 'nothing to run: give scenario files, or --all for the bundled ones');
  const runs = runScenarios(targets, options, limits);
  const passed = runs.every((run) => run.result.passed);
  const reportPath = options.report === undefined ? null : writeRunReports(runs, options.report);
  const diffs = options.matrix === undefined ? null : matrixDiffs(runs);
  if (options.json === true) {
    const matrix = diffs === null ? {} : { diffs: diffs.map(({ base, run, diff }) => ({ file: run.plan.file, base: base.plan.variant, variant: run.plan.variant, diff })) };
    process.stdout.write(JSON.stringify({ passed, runs: runs.map(runJson), ...matrix }, null, 2) + '\n');
  } else {
    const style = styleFor(process.stdout);
    const out: string[] = [];
    const brief = options.all === true || options.quiet === true;
    if (!brief) for (const run of runs) out.push(...runLines(run, style));
    out.push(...verdictTable(runs, style, brief));
    if (diffs !== null) out.push(...matrixLines(diffs, style));
    if (reportPath !== null) out.push(style.dim(`reports: ${reportPath}`));
    process.stdout.write(out.join('\n') + '\n');
  }
  return passed ? 0 : 1;
}

interface MatrixDiff {
  readonly base: CompletedRun;
  readonly run: CompletedRun;
  readonly diff: TraceDiff;
}

/** Each scenario's combinations after the first, diffed against the first (in memory, no trace files read). */
function matrixDiffs(runs: readonly CompletedRun[]): MatrixDiff[] {
  const byFile = new Map<string, CompletedRun[]>();
  for (const run of runs) byFile.set(run.plan.file, [...(byFile.get(run.plan.file) ?? []), run]);
  const traceOf = (run: CompletedRun) => parsedTraceOfRun(run.plan, run.loaded.files, run.events ?? [], run.result);
  const diffs: MatrixDiff[] = [];
  for (const group of byFile.values()) {
    const base = traceOf(group[0]!);
    for (const run of group.slice(1)) diffs.push({ base: group[0]!, run, diff: diffTraces(base, traceOf(run)) });
  }
  return diffs;
}

function matrixLines(diffs: readonly MatrixDiff[], style: Style): string[] {
  const lines: string[] = [];
  let file: string | null = null;
  for (const { base, run, diff } of diffs) {
    if (run.plan.file !== file) {
      file = run.plan.file;
      lines.push('', style.bold(`Differences against [${variantLabel(base.plan.variant)}]`) + style.dim(`  ${run.plan.file}`));
    }
    lines.push(...matrixSummaryLines(diff, { a: variantLabel(base.plan.variant), b: variantLabel(run.plan.variant) }, style));
  }
  if (file === null) lines.push('', style.dim('--matrix: no scenario has more than one variant combination, so there is nothing to compare'));
  return lines;
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
    // A raw access is an exam problem: show each entry of the walk as the MMU left it.
    if (step.actor === 'cpu') for (const entry of outcome.entries) lines.push(style.dim(`${' '.repeat(width + 10)}${describeEntry(entry)}`));
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
  const passedText = runs.length === 1 ? 'the run passes' : `all ${runs.length} runs pass`;
  const failedText = runs.length === 1 ? 'the run fails' : `${failed} of ${runs.length} runs fail`;
  lines.push(failed === 0 ? style.green(passedText) : style.red(failedText));
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
  const lineOf = (key: string) => (key.startsWith('assert ') ? Number.MAX_SAFE_INTEGER : Number(key.slice(0, key.indexOf(':'))));
  keys.sort((a, b) => lineOf(a) - lineOf(b));
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
