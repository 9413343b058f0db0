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
import { collectGarbage, gcFunction, memorySnapshot, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';
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
  const before = memorySnapshot();
  const start = process.hrtime.bigint();
  const run = runEngineAccesses(prepared, workload, 0, spec.accessCount, HISTORY_EVENTS);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  collectGarbage();
  const after = memorySnapshot();
  const states = history.length - statesBefore;
  const heapHeld = after.heapUsed - before.heapUsed;
  const externalHeld = after.external - before.external;
  // External memory (ArrayBuffer backing stores) freed late by earlier sections would make
  // the delta negative; only growth is counted.
  const held = heapHeld + Math.max(0, externalHeld);
  const bytesPerEvent = held / run.events;
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
    `Held = growth of heapUsed (${(heapHeld / MIB).toFixed(1)} MiB; the store's 64-byte chunks live on the JS heap) plus any growth ` +
      `of external memory (${(externalHeld / MIB).toFixed(1)} MiB), after a full GC, with engine.history referenced. ` +
      `heapUsed was ${(before.heapUsed / MIB).toFixed(1)} MiB after setup.`,
    `${states.toLocaleString('en-US')} new states held (${Math.round(held / Math.max(1, states)).toLocaleString('en-US')} B per state; ` +
      'only an event that changes state adds one).',
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
