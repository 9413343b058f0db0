/**
 * Issue 2, memory: what holding the full state history costs. The engine keeps every
 * intermediate state (`keepHistory: true`) while the hot-path workload runs until it
 * has produced 100,000 events (after setup); the heap in use (JS heap plus typed-array
 * backing stores) is measured after a full garbage collection before and after, with
 * `engine.history` still referenced, and the difference is divided by the events.
 *
 * Without --expose-gc the figures include garbage and are an upper bound; the notes
 * say so.
 */
import { prepareEngine, runEngineAccesses } from '../engine-driver.js';
import { collectGarbage, gcFunction, heapBytes, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';
import { describeWorkload, generateWorkload, ISSUE_2_WORKLOAD } from '../workload.js';

const HISTORY_EVENTS = 100_000;
const TARGET_BYTES_PER_EVENT = 2048;
const MIB = 1024 * 1024;

function runHistoryMemory(context: BenchContext): SectionReport {
  const spec = ISSUE_2_WORKLOAD;
  const workload = generateWorkload(spec);
  context.log(`history memory: running to ${HISTORY_EVENTS.toLocaleString('en-US')} events with keepHistory`);
  const prepared = prepareEngine(spec, { invariants: false, keepHistory: true });
  const history = prepared.engine.history!;
  const statesBefore = history.length;
  collectGarbage();
  const before = heapBytes();
  const start = process.hrtime.bigint();
  const run = runEngineAccesses(prepared, workload, 0, spec.accessCount, HISTORY_EVENTS);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  collectGarbage();
  const after = heapBytes();
  const states = history.length - statesBefore;
  const bytesPerEvent = (after - before) / run.events;
  const row: Row = {
    measurement: 'engine, keepHistory, invariants off',
    events: run.events,
    accesses: run.accesses,
    seconds,
    figure: `${Math.round(bytesPerEvent).toLocaleString('en-US')} B/event`,
    target: `≤ ${TARGET_BYTES_PER_EVENT.toLocaleString('en-US')} B/event`,
    verdict: bytesPerEvent <= TARGET_BYTES_PER_EVENT ? 'PASS' : 'MISS',
  };
  const notes = [
    `Heap in use (heapUsed + external) after a full GC: ${(before / MIB).toFixed(1)} MiB after setup, ` +
      `${(after / MIB).toFixed(1)} MiB holding the history; ${states.toLocaleString('en-US')} new states held ` +
      `(${Math.round((after - before) / Math.max(1, states)).toLocaleString('en-US')} B per state: only events that change state add one).`,
    gcFunction() === null
      ? 'global.gc is not available (run node with --expose-gc, as `npm run bench` does): the figure includes uncollected garbage.'
      : 'Measured with global.gc() (node --expose-gc).',
  ];
  if (history.length === 0) throw new Error('the history was not kept');
  return {
    title: 'State history: memory held per event (issue 2)',
    description: [`Workload: the first ${HISTORY_EVENTS.toLocaleString('en-US')} events (after setup) of ${describeWorkload(spec)}.`],
    rows: [row],
    notes,
  };
}

export const historyMemorySection: Section = { name: 'history-memory', run: runHistoryMemory };
