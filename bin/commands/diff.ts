/**
 * `isolab diff A.trace B.trace [--json]`: aligns two traces and prints where they part
 * ways, the events inserted, removed or changed per actor, and what changes for the
 * user (verdicts that flip, secrets leaked or faults raised in one run only). Exit 0 when
 * the runs are identical, 1 when they differ, 2 when a trace is unreadable or corrupt.
 * Also the compact summary `isolab run --matrix` prints for each variant combination.
 */
import type { Envelope } from '../../engine/core/decider.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import type { RunResult } from '../../engine/scenario/run.js';
import { diffTraces, eventDifferences, type EventSummary, type StepFact, type TraceDiff, type VerdictFlip } from '../../engine/trace/diff.js';
import type { SourceFileRecord, TraceEventLine } from '../../engine/trace/format.js';
import { readTrace, type ParsedTrace } from '../../engine/trace/reader.js';
import { traceHeaderOf } from '../../engine/trace/record.js';
import { stateHash } from '../../engine/trace/replay.js';
import { displayPath, readText, styleFor, type Style } from '../io.js';

export function diffCommand(pathA: string, pathB: string, options: { json?: boolean }): number {
  const fileA = displayPath(pathA);
  const fileB = displayPath(pathB);
  const a = readTrace(readText(pathA), fileA);
  const b = readTrace(readText(pathB), fileB);
  const diff = diffTraces(a, b);
  if (options.json === true) {
    process.stdout.write(JSON.stringify(diff, null, 2) + '\n');
  } else {
    process.stdout.write(diffLines(diff, { a, b, fileA, fileB }, styleFor(process.stdout)).join('\n') + '\n');
  }
  return diff.identical ? 0 : 1;
}

interface DiffSources {
  readonly a: ParsedTrace;
  readonly b: ParsedTrace;
  readonly fileA: string;
  readonly fileB: string;
}

/** The whole human report: headline, first divergence, changes per actor, what changes for the user. */
export function diffLines(diff: TraceDiff, sources: DiffSources, style: Style): string[] {
  const lines = headline(diff, sources, style);
  if (diff.identical) return lines;
  lines.push('', ...divergenceLines(diff, sources, style));
  lines.push('', ...changeLines(diff, sources, style));
  lines.push('', style.bold('What changes for the user'), ...userLines(diff, { a: 'A', b: 'B' }, style, 'full'));
  return lines;
}

function variantText(variant: Readonly<Record<string, string>>): string {
  const entries = Object.entries(variant);
  return entries.length === 0 ? 'default' : entries.map(([k, v]) => `${k}=${v}`).join(' ');
}

function totals(diff: TraceDiff): { changed: number; removed: number; inserted: number } {
  return diff.changes.reduce(
    (sum, actor) => ({ changed: sum.changed + actor.changed, removed: sum.removed + actor.removed, inserted: sum.inserted + actor.inserted }),
    { changed: 0, removed: 0, inserted: 0 },
  );
}

function headline(diff: TraceDiff, sources: DiffSources, style: Style): string[] {
  const sameTitle = diff.a.title === diff.b.title;
  const side = (mark: string, file: string, run: TraceDiff['a']) =>
    `  ${style.bold(mark)}  ${file}  ${sameTitle ? '' : `"${run.title}"  `}seed ${run.seed}  [${variantText(run.variant)}]  ${run.events} events  ${run.passed ? style.green('passed') : style.red('failed')}`;
  const lines = [
    ...(sameTitle ? [style.bold(diff.a.title)] : []),
    side('A', sources.fileA, diff.a),
    side('B', sources.fileB, diff.b),
  ];
  if (diff.identical) {
    lines.push(style.green(`= the runs are identical: the same ${diff.a.events} events`));
    return lines;
  }
  const { changed, removed, inserted } = totals(diff);
  lines.push(style.yellow(`≠ the runs differ: ${plural(changed, 'event')} changed, ${removed} only in A, ${inserted} only in B`) + (diff.approximate ? style.dim('  (approximate: some stretches were too different to align and were compared position by position)') : ''));
  return lines;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const ACTOR_WIDTH = 9;
const TYPE_WIDTH = 24;

const ROW_WIDTH = 150;

function clipRow(text: string): string {
  return [...text].length > ROW_WIDTH ? [...text].slice(0, ROW_WIDTH - 1).join('') + '…' : text;
}

/** `prefix` is six columns wide: "      ", "  A - ", "  B + ". */
function eventRow(prefix: string, event: EventSummary): string {
  return clipRow(`${prefix}${String(event.seq).padStart(6)} ${String(event.tick).padStart(5)}  ${event.actor.padEnd(ACTOR_WIDTH)} ${event.type.padEnd(TYPE_WIDTH)} ${event.text}`);
}

/** Where two events of the same type and actor differ: "flushed: false → true; …". */
function fieldDifferences(sources: DiffSources, seqA: number, seqB: number): string {
  return eventDifferences(sources.a.events[seqA]!, sources.b.events[seqB]!)
    .map((difference) => difference.replace(/^data\./, ''))
    .join('; ');
}

function divergenceLines(diff: TraceDiff, sources: DiffSources, style: Style): string[] {
  const d = diff.divergence!;
  const at = (seq: number, events: number) => (seq >= events ? `the end (after event ${events - 1})` : `event ${seq}`);
  const lines = [style.bold(`First divergence: ${at(d.seqA, diff.a.events)} of A, ${at(d.seqB, diff.b.events)} of B`)];
  lines.push(style.dim(`         seq  tick  ${'actor'.padEnd(ACTOR_WIDTH)} ${'event'.padEnd(TYPE_WIDTH)} data`));
  for (const event of d.common) lines.push(style.dim(eventRow('      ', event)));
  for (const event of d.onlyA) lines.push(style.red(eventRow('  A - ', event)));
  if (d.onlyA.length === 0) lines.push(style.red('  A -  (nothing: B inserts the events below)'));
  for (const event of d.onlyB) lines.push(style.green(eventRow('  B + ', event)));
  if (d.onlyB.length === 0) lines.push(style.green('  B +  (nothing: A has the events above that B lacks)'));
  // The first pair of events of the same type and actor: say exactly which fields differ.
  for (const x of d.onlyA) {
    const y = d.onlyB.find((event) => event.type === x.type && event.actor === x.actor);
    if (y === undefined) continue;
    const fields = fieldDifferences(sources, x.seq, y.seq);
    if (fields !== '') lines.push(clipRow(`  ${style.bold('~')} ${x.type} differs in ${fields}`));
    break;
  }
  return lines;
}

function changeLines(diff: TraceDiff, sources: DiffSources, style: Style): string[] {
  const lines = [style.bold('Changes by actor')];
  const rows = [['actor', 'changed', 'only in A', 'only in B'], ...diff.changes.map((c) => [c.actor, String(c.changed), String(c.removed), String(c.inserted)])];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  rows.forEach((row, r) => {
    const text = '  ' + row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
    lines.push(r === 0 ? style.dim(text) : text);
  });
  for (const change of diff.changes) {
    lines.push(`  ${style.bold(change.actor)}`);
    for (const example of change.examples) {
      if (example.kind === 'changed') {
        const { a, b } = { a: example.a!, b: example.b! };
        const where = `A ${a.seq} → B ${b.seq}`;
        lines.push(style.yellow(clipRow(`    ~ ${where.padEnd(17)} ${a.type.padEnd(TYPE_WIDTH)} ${fieldDifferences(sources, a.seq, b.seq)}`)));
      } else if (example.kind === 'removed') {
        lines.push(style.red(clipRow(`    - ${`A ${example.a!.seq}`.padEnd(17)} ${example.a!.type.padEnd(TYPE_WIDTH)} ${example.a!.text}`)));
      } else {
        lines.push(style.green(clipRow(`    + ${`B ${example.b!.seq}`.padEnd(17)} ${example.b!.type.padEnd(TYPE_WIDTH)} ${example.b!.text}`)));
      }
    }
    const shown = change.examples.length;
    const total = change.changed + change.removed + change.inserted;
    if (total > shown) lines.push(style.dim(`      … and ${total - shown} more`));
  }
  return lines;
}

function verdictMark(holds: boolean | null, style: Style): string {
  return holds === null ? style.dim('·') : holds ? style.green('✓') : style.red('✗');
}

function stepText(fact: { line: number; step: string }): string {
  return fact.line === 0 ? fact.step : `line ${fact.line}: ${fact.step}`;
}

function flipText(flip: VerdictFlip): string {
  return flip.step === 'assert' ? `assert ${flip.expectation}` : `${stepText(flip)} — ${flip.expectation}`;
}

/**
 * Verdicts that flip, expectations checked in one run only, leaks and faults in one run
 * only. `full` lists the expectations that apply to one run only; `brief` counts them.
 */
export function userLines(diff: TraceDiff, names: { a: string; b: string }, style: Style, detail: 'full' | 'brief'): string[] {
  const lines: string[] = [];
  const flips = diff.verdictFlips.filter((flip) => flip.a !== null && flip.b !== null);
  const oneSided = diff.verdictFlips.filter((flip) => flip.a === null || flip.b === null);
  const marks = (flip: VerdictFlip) => `${names.a} ${verdictMark(flip.a, style)}  ${names.b} ${verdictMark(flip.b, style)}`;
  if (flips.length > 0) {
    lines.push('  verdicts that flip');
    for (const flip of flips) lines.push(`    ${marks(flip)}  ${flipText(flip)}`);
  }
  if (oneSided.length > 0 && detail === 'full') {
    lines.push('  expectations checked in one run only (a `when` guard, or a step in one version only)');
    for (const flip of oneSided) lines.push(`    ${marks(flip)}  ${flipText(flip)}`);
  } else if (oneSided.length > 0) {
    lines.push(style.dim(`  ${plural(oneSided.length, 'expectation')} checked in one run only`));
  }
  const facts = (title: string, list: readonly StepFact[], paint: (text: string) => string) => {
    if (list.length === 0) return;
    lines.push(`  ${title}`);
    for (const fact of list) lines.push(paint(`    ${fact.what}  ${style.dim(`at ${stepText(fact)}`)}`));
  };
  facts(`secrets leaked only in ${names.a}`, diff.leaks.onlyA, style.red);
  facts(`secrets leaked only in ${names.b}`, diff.leaks.onlyB, style.red);
  facts(`faults only in ${names.a}`, diff.faults.onlyA, style.yellow);
  facts(`faults only in ${names.b}`, diff.faults.onlyB, style.yellow);
  if (lines.length === 0) lines.push(style.dim('  no verdict flips, and the same secrets leak and the same faults happen in both runs'));
  return lines;
}

/** The few lines `run --matrix` prints for one combination against the first. */
export function matrixSummaryLines(diff: TraceDiff, names: { a: string; b: string }, style: Style): string[] {
  const head = `  ${style.bold(`[${names.b}]`)} against [${names.a}]: `;
  if (diff.identical) return [head + style.green(`identical (${diff.a.events} events)`)];
  const { changed, removed, inserted } = totals(diff);
  const delta = diff.b.events - diff.a.events;
  const first = diff.divergence!;
  const where = first.onlyA[0] ?? first.onlyB[0];
  const lines = [
    head +
      style.yellow(`differs from event ${first.seqA}${where === undefined ? '' : ` (${where.type})`}`) +
      `; ${diff.a.events} → ${diff.b.events} events (${delta >= 0 ? '+' : ''}${delta}): ${changed} changed, ${removed} only in [${names.a}], ${inserted} only in [${names.b}]` +
      (diff.approximate ? style.dim(' (approximate)') : ''),
  ];
  lines.push(...userLines(diff, names, style, 'brief').map((line) => '  ' + line));
  return lines;
}

/**
 * A run held in memory as the reader would return its trace, without writing or hashing
 * lines: `run --matrix` diffs combinations this way. The events are the envelopes the
 * engine published; the footer is the one `recordRun` would write.
 */
export function parsedTraceOfRun(plan: RunPlan, files: readonly SourceFileRecord[], envelopes: readonly Envelope[], result: RunResult): ParsedTrace {
  const events: TraceEventLine[] = envelopes.map((e) => ({ kind: 'event', seq: e.seq, tick: e.tick, type: e.type, actor: e.actor, data: e.data, cause: e.cause }));
  const scenario = result.state.scenario;
  return {
    header: traceHeaderOf(plan, files),
    events,
    footer: {
      kind: 'footer',
      events: events.length,
      finalStateHash: stateHash(result.state),
      passed: result.passed,
      steps: scenario.stepsChecked,
      expectations: scenario.expectationsChecked,
      failures: scenario.failures,
      assertions: scenario.assertions,
      violations: scenario.violations,
    },
    eventLines: events.map((_, i) => i + 2),
  };
}
