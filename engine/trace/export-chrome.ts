/**
 * Exports a trace as Chrome Trace Event JSON (the "JSON Object Format" of the Trace Event
 * Format document, which Perfetto's UI and chrome://tracing open). One process (pid 1)
 * named after the scenario; one thread per actor, in lane order (cpu, mmu, tlb, kernel,
 * the processes as they were created, then every other actor as it first appears);
 * every event a complete slice (`ph: "X"`) named by its type, with its seq, tick, cause
 * and data as args; each scenario step a longer slice on the `scenario` thread, named by
 * the step's text, from its `scenario.stepStarted` to its `scenario.stepChecked`; and,
 * unless turned off, a flow arrow (`ph: "s"` / `"f"`) from each event's cause to it.
 *
 * Time: a trace has a virtual clock, not a wall clock, and many events share a tick. So
 * `ts` is the event's seq (one microsecond per event) and every event lasts 1: order is
 * kept exactly and slices never overlap on a thread. The tick is in the args.
 *
 * Left out: counters, instant events and the async (`b`/`e`) form, which Perfetto reads
 * but which add nothing a slice does not show here.
 *
 * Pure: no I/O and nothing from node:.
 */
import { TRACE_FORMAT, TRACE_VERSION, type TraceEventLine } from './format.js';
import type { ParsedTrace } from './reader.js';
import { describeEventData, orderActors, processNames } from './diff.js';

export const CHROME_PID = 1;

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M' | 's' | 'f';
  readonly ts: number;
  readonly pid: number;
  readonly tid: number;
  readonly cat?: string;
  readonly dur?: number;
  readonly id?: number;
  /** On flow ends: bind to the enclosing slice rather than the next one. */
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface ChromeExportOptions {
  /** Flow arrows from each event's cause to the event. Default true. */
  readonly flows?: boolean;
}

/** Args of an event's slice: seq, tick and cause, then the data's fields (a field with one of those names becomes `data.NAME`). */
function argsOf(event: TraceEventLine): Record<string, unknown> {
  const args: Record<string, unknown> = { seq: event.seq, tick: event.tick, cause: event.cause };
  const data = event.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    args.data = data;
    return args;
  }
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) args[name in args ? `data.${name}` : name] = value;
  return args;
}

/** Thread ids by actor, 1-based, in lane order. */
export function chromeThreads(trace: ParsedTrace): Map<string, number> {
  const seen: string[] = [];
  const known = new Set<string>();
  for (const event of trace.events) {
    if (!known.has(event.actor)) {
      known.add(event.actor);
      seen.push(event.actor);
    }
  }
  const tids = new Map<string, number>();
  orderActors(seen, new Set(processNames(trace.events))).forEach((actor, i) => tids.set(actor, i + 1));
  return tids;
}

function metadataEvents(trace: ParsedTrace, tids: ReadonlyMap<string, number>): ChromeTraceEvent[] {
  const events: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: CHROME_PID, tid: 0, args: { name: trace.header.scenario.title } },
  ];
  for (const [actor, tid] of tids) {
    events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: CHROME_PID, tid, args: { name: actor } });
    events.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: CHROME_PID, tid, args: { sort_index: tid } });
  }
  return events;
}

/** A slice per step on the scenario thread, from its stepStarted to its stepChecked (or the trace's end). */
function stepSlices(trace: ParsedTrace, tids: ReadonlyMap<string, number>): { at: number; slice: ChromeTraceEvent }[] {
  const slices: { at: number; slice: ChromeTraceEvent }[] = [];
  const events = trace.events;
  let open: TraceEventLine | null = null;
  const close = (end: TraceEventLine, checked: TraceEventLine | null) => {
    const started = open!;
    const data = started.data as Record<string, unknown>;
    const args: Record<string, unknown> = { line: data.line, actor: data.actor, index: data.index, events: end.seq - started.seq + 1 };
    if (checked !== null) args.outcome = describeEventData(checked);
    slices.push({
      at: started.seq,
      slice: { name: String(data.text), cat: 'step', ph: 'X', ts: started.seq, dur: end.seq - started.seq + 1, pid: CHROME_PID, tid: tids.get(started.actor)!, args },
    });
    open = null;
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.type === 'scenario.stepStarted') {
      if (open !== null) close(events[i - 1]!, null);
      open = event;
    } else if (event.type === 'scenario.stepChecked' && open !== null) {
      close(event, event);
    }
  }
  if (open !== null) close(events[events.length - 1]!, null);
  return slices;
}

/**
 * The trace as a Chrome Trace Event object: metadata first, then the slices in ts order
 * (each step's slice before the events it holds), each flow's two ends after its event.
 */
export function chromeTraceOf(trace: ParsedTrace, options: ChromeExportOptions = {}): ChromeTrace {
  const tids = chromeThreads(trace);
  const traceEvents: ChromeTraceEvent[] = metadataEvents(trace, tids);
  const steps = stepSlices(trace, tids);
  let nextStep = 0;
  const flows = options.flows ?? true;
  for (const event of trace.events) {
    while (nextStep < steps.length && steps[nextStep]!.at <= event.seq) traceEvents.push(steps[nextStep++]!.slice);
    const tid = tids.get(event.actor)!;
    const dot = event.type.indexOf('.');
    const cat = dot > 0 ? event.type.slice(0, dot) : event.type;
    traceEvents.push({ name: event.type, cat, ph: 'X', ts: event.seq, dur: 1, pid: CHROME_PID, tid, args: argsOf(event) });
    const cause = event.cause === null ? undefined : trace.events[event.cause];
    if (flows && cause !== undefined) {
      traceEvents.push({ name: 'cause', cat: 'cause', ph: 's', id: event.seq, ts: cause.seq, pid: CHROME_PID, tid: tids.get(cause.actor)! });
      traceEvents.push({ name: 'cause', cat: 'cause', ph: 'f', bp: 'e', id: event.seq, ts: event.seq, pid: CHROME_PID, tid });
    }
  }
  const { header, footer } = trace;
  return {
    traceEvents,
    displayTimeUnit: 'ns',
    metadata: {
      source: 'isolab',
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      engine: header.engine,
      scenario: header.scenario.file,
      title: header.scenario.title,
      seed: header.seed,
      variant: header.variant,
      events: trace.events.length,
      passed: footer.passed,
      finalStateHash: footer.finalStateHash,
      clock: 'ts is the event seq (one microsecond per event); the virtual tick is in each event args',
    },
  };
}

/** The same as JSON text, one trace event per line so large exports stay readable and diffable. */
export function chromeTraceJson(trace: ParsedTrace, options: ChromeExportOptions = {}): string {
  const chrome = chromeTraceOf(trace, options);
  const events = chrome.traceEvents.map((event) => JSON.stringify(event)).join(',\n');
  return `{"traceEvents":[\n${events}\n],\n"displayTimeUnit":${JSON.stringify(chrome.displayTimeUnit)},\n"metadata":${JSON.stringify(chrome.metadata)}}\n`;
}
