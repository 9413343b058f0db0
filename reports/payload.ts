/**
 * The data a report embeds: the contract between the Node side that writes a report
 * (reports/build.ts) and the browser code that shows it (reports/client/). Pure and
 * free of Node and DOM APIs, so both sides compile it.
 *
 * A report holds one run per trace: the trace's header (the scenario source, seed,
 * variant, machine configuration), its footer (verdicts, violations) and its events in a
 * columnar encoding — string tables for types and actors, one number per event for the
 * type, actor, tick (as a delta) and cause (as a distance back), and the events' data as
 * plain JSON. Sequence numbers are implicit (the index) and the trace's hashes are left
 * out: the report writer verified them, and they are the one part of a trace that does
 * not compress. The whole payload is JSON, gzip-compressed and base64-encoded into the
 * page (see reports/README.md for the measured size per event).
 *
 * Version 1. `version` changes when a reader of the old version would misread the new.
 */
import type { Envelope } from '../engine/core/decider.js';
import type { TraceDiff } from '../engine/trace/diff-types.js';
import type { TraceEventLine, TraceFooter, TraceHeader } from '../engine/trace/format.js';

export const REPORT_FORMAT = 'isolab-report';
export const REPORT_VERSION = 1;

/** A run's events, column by column; event i is the i-th entry of every column. */
export interface EncodedEvents {
  readonly count: number;
  /** Every event type of the run, in order of first appearance. */
  readonly types: readonly string[];
  /** Every actor of the run, in order of first appearance. */
  readonly actors: readonly string[];
  /** Per event: its index in `types`. */
  readonly type: readonly number[];
  /** Per event: its index in `actors`. */
  readonly actor: readonly number[];
  /** Per event: its tick minus the previous event's tick (the first event's tick itself). */
  readonly tickDelta: readonly number[];
  /** Per event: seq − cause, or 0 when the cause is null (a cause always precedes its effect). */
  readonly causeDistance: readonly number[];
  /** Per event: its data, as in the trace. */
  readonly data: readonly unknown[];
}

export interface RunPayload {
  /** The trace file the run was read from, as the user named it. */
  readonly file: string;
  /** The trace's header line without its hash. */
  readonly header: TraceHeader;
  /** The trace's footer line without its hash. */
  readonly footer: TraceFooter;
  readonly events: EncodedEvents;
}

/** The diff of two runs of the report, by their indices in `runs`. */
export interface DiffPayload {
  readonly a: number;
  readonly b: number;
  readonly diff: TraceDiff;
}

/** Whether a run's attack got through: it leaked a secret or broke an invariant. */
export type AttackOutcome = 'blocked' | 'succeeded';

export interface MatrixCell {
  /** Index of the run in `runs`. */
  readonly run: number;
  readonly outcome: AttackOutcome;
  /** Names of the secrets that leaked, in order of first leak. */
  readonly leaks: readonly string[];
  readonly violations: number;
  readonly expectationsHeld: number;
  readonly expectations: number;
  readonly assertionsHeld: number;
  readonly assertions: number;
  readonly passed: boolean;
}

export interface MatrixRow {
  readonly scenario: string;
  readonly file: string;
  /** One cell per column of the group; null when that combination was not run. */
  readonly cells: readonly (MatrixCell | null)[];
}

/** Scenarios that share the same variant axes, as one table. */
export interface MatrixGroup {
  /** Variant names, in the scenarios' declaration order; empty for scenarios without variants. */
  readonly axes: readonly string[];
  readonly columns: readonly { readonly label: string; readonly variant: Readonly<Record<string, string>> }[];
  readonly rows: readonly MatrixRow[];
}

export interface MatrixPayload {
  readonly groups: readonly MatrixGroup[];
}

export interface ReportPayload {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  /** The report's title (`isolab report --title`), or null to use the scenarios' titles. */
  readonly title: string | null;
  /** The isolab version that wrote the report. */
  readonly engine: string;
  readonly runs: readonly RunPayload[];
  readonly diffs: readonly DiffPayload[];
  /** Present when the report holds several runs (variants or scenarios). */
  readonly matrix: MatrixPayload | null;
}

/** Encodes a trace's events (in seq order, as readTrace returns them) into columns. */
export function encodeEvents(events: readonly TraceEventLine[]): EncodedEvents {
  const types: string[] = [];
  const actors: string[] = [];
  const typeIndex = new Map<string, number>();
  const actorIndex = new Map<string, number>();
  const type: number[] = new Array<number>(events.length);
  const actor: number[] = new Array<number>(events.length);
  const tickDelta: number[] = new Array<number>(events.length);
  const causeDistance: number[] = new Array<number>(events.length);
  const data: unknown[] = new Array<unknown>(events.length);
  let previousTick = 0;
  events.forEach((event, i) => {
    type[i] = indexIn(typeIndex, types, event.type);
    actor[i] = indexIn(actorIndex, actors, event.actor);
    tickDelta[i] = event.tick - previousTick;
    previousTick = event.tick;
    causeDistance[i] = event.cause === null ? 0 : i - event.cause;
    data[i] = event.data;
  });
  return { count: events.length, types, actors, type, actor, tickDelta, causeDistance, data };
}

function indexIn(index: Map<string, number>, table: string[], value: string): number {
  let at = index.get(value);
  if (at === undefined) {
    at = table.length;
    table.push(value);
    index.set(value, at);
  }
  return at;
}

/** The envelopes of an encoded run, the inverse of `encodeEvents` (less the state hashes). */
export function decodeEvents(encoded: EncodedEvents): Envelope[] {
  const out: Envelope[] = new Array<Envelope>(encoded.count);
  let tick = 0;
  for (let seq = 0; seq < encoded.count; seq++) {
    tick += encoded.tickDelta[seq]!;
    const distance = encoded.causeDistance[seq]!;
    out[seq] = {
      seq,
      tick,
      type: encoded.types[encoded.type[seq]!]!,
      actor: encoded.actors[encoded.actor[seq]!]!,
      data: encoded.data[seq],
      cause: distance === 0 ? null : seq - distance,
    };
  }
  return out;
}

/**
 * Checks the outer shape of a decoded payload and says what is wrong, or returns null.
 * The columns are trusted beyond their lengths: the report writer built them.
 */
export function payloadProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return 'the embedded data is not an object';
  const payload = value as Partial<ReportPayload>;
  if (payload.format !== REPORT_FORMAT) return `the embedded data is not an ${REPORT_FORMAT} payload`;
  if (payload.version !== REPORT_VERSION) {
    return `the report's data is version ${String(payload.version)}; this viewer reads version ${REPORT_VERSION}`;
  }
  if (!Array.isArray(payload.runs) || payload.runs.length === 0) return 'the report holds no run';
  for (const [i, run] of payload.runs.entries()) {
    const events = run?.events;
    if (events === undefined || events === null) return `run ${i} has no events`;
    const lengths = [events.type, events.actor, events.tickDelta, events.causeDistance, events.data].map((column) =>
      Array.isArray(column) ? column.length : -1,
    );
    if (lengths.some((length) => length !== events.count)) return `run ${i}'s event columns do not hold ${events.count} events each`;
  }
  if (!Array.isArray(payload.diffs)) return 'the report has no diff list';
  return null;
}

/** "flush=off pcid=on", or "default" for a run without variants. */
export function variantLabel(variant: Readonly<Record<string, string>>): string {
  const entries = Object.entries(variant);
  return entries.length === 0 ? 'default' : entries.map(([name, value]) => `${name}=${value}`).join(' ');
}
