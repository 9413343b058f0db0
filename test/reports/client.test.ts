// Proves the report's data layer outside the browser: the columnar event encoding round-trips any event list, a damaged payload is named, fragments parse only to known views and integers, a run model finds lanes, steps and effects, and the state after any event — rebuilt from snapshots, jumping back and forth — is exactly the state a sequential fold reaches.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TraceEventLine } from '../../engine/trace/format.js';
import type { ParsedTrace } from '../../engine/trace/reader.js';
import { envelopeOf, initialStateOf, stateHash } from '../../engine/trace/replay.js';
import { foldMachine } from '../../engine/machine/mechanisms.js';
import { reportPayloadOf } from '../../reports/build.js';
import { RunModel } from '../../reports/client/model.js';
import { hrefOf, parseRoute } from '../../reports/client/route.js';
import { SNAPSHOT_INTERVAL, StateIndex } from '../../reports/client/states.js';
import { decodeEvents, encodeEvents, payloadProblem, variantLabel } from '../../reports/payload.js';
import { MISSING_FLUSH, recordScenario, traceOfText } from './helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const REPEATED_READS = `scenario "Reads in a loop"
process reader { uid: 1000, catch: SIGSEGV }
process other { uid: 1001 }
reader: map 0x400000 size 8 KiB rw user
other: map 0x400000 size 4 KiB rw user
repeat 500 {
  reader: read 0x400000
  reader: write 0x401000 = 0x41
  other: read 0x400000
}
reader: read 0x900000 expect fault #PF(user), signal SIGSEGV
`;

const eventLine = fc
  .record({
    tickStep: fc.nat({ max: 3 }),
    causeBack: fc.option(fc.nat({ max: 50 }), { nil: null }),
    type: fc.constantFrom('mmu.walkStepped', 'tlb.hit', 'scenario.stepStarted', 'weird "type" </script>'),
    actor: fc.constantFrom('cpu', 'kernel', 'a', '"><img src=x>'),
    data: fc.jsonValue(),
  });

describe('the event encoding', () => {
  it('decodes to the events it encoded, for any event list', () => {
    fc.assert(
      fc.property(fc.array(eventLine, { maxLength: 60 }), (drafts) => {
        let tick = 0;
        const events: TraceEventLine[] = drafts.map((draft, seq) => {
          tick += draft.tickStep;
          const cause = draft.causeBack === null || seq === 0 ? null : Math.max(0, seq - 1 - (draft.causeBack % seq));
          return { kind: 'event', seq, tick, type: draft.type, actor: draft.actor, data: draft.data, cause };
        });
        const encoded = encodeEvents(events);
        expect(JSON.parse(JSON.stringify(decodeEvents(encoded)))).toEqual(JSON.parse(JSON.stringify(events.map(envelopeOf))));
        expect(encoded.types.length).toBe(new Set(events.map((e) => e.type)).size);
      }),
    );
  });

  it('names what is wrong with a damaged payload', () => {
    const payload = reportPayloadOf([{ file: 'a.trace', trace: traceOfText('scenario "x"\nprocess a { uid: 1 }\na: map 0x400000 size 4 KiB rw user\n') }]);
    expect(payloadProblem(payload)).toBeNull();
    expect(payloadProblem(null)).toMatch(/not an object/);
    expect(payloadProblem({ ...payload, format: 'other' })).toMatch(/not an isolab-report payload/);
    expect(payloadProblem({ ...payload, version: 2 })).toMatch(/version 2; this viewer reads version 1/);
    expect(payloadProblem({ ...payload, runs: [] })).toMatch(/no run/);
    const run = payload.runs[0]!;
    expect(payloadProblem({ ...payload, runs: [{ ...run, events: { ...run.events, type: run.events.type.slice(1) } }] })).toMatch(/columns do not hold/);
    expect(variantLabel({})).toBe('default');
    expect(variantLabel({ flush: 'off', pcid: 'on' })).toBe('flush=off pcid=on');
  });
});

describe('fragments', () => {
  it('select a view, a run and an event, and nothing else', () => {
    expect(parseRoute('#view=timeline&run=2&event=1234', 'summary')).toEqual({ view: 'timeline', run: 2, event: 1234 });
    expect(parseRoute('#run=1&event=5', 'summary')).toEqual({ view: 'timeline', run: 1, event: 5 });
    expect(parseRoute('#run=3', 'diff')).toEqual({ view: 'summary', run: 3, event: null });
    expect(parseRoute('', 'matrix')).toEqual({ view: 'matrix', run: 0, event: null });
    expect(parseRoute('#view=javascript:alert(1)&run=-1&event=1e3', 'summary')).toEqual({ view: 'summary', run: 0, event: null });
    expect(parseRoute('#view=diff&run=%3Cscript%3E', 'summary')).toEqual({ view: 'diff', run: 0, event: null });
    expect(hrefOf({ view: 'timeline', run: 1, event: 7 })).toBe('#view=timeline&run=1&event=7');
    expect(parseRoute(hrefOf({ view: 'matrix', run: 4, event: null }), 'summary')).toEqual({ view: 'matrix', run: 4, event: null });
  });
});

describe('a run model', () => {
  let trace: ParsedTrace;
  let model: RunModel;

  beforeAll(() => {
    trace = recordScenario(MISSING_FLUSH, { flush: 'off', pcid: 'on' })[0]!.trace;
    model = new RunModel(0, reportPayloadOf([{ file: 'x.trace', trace }]).runs[0]!);
  });

  it('rebuilds every envelope', () => {
    expect(trace.events.map((_, seq) => model.envelope(seq))).toEqual(trace.events.map(envelopeOf));
  });

  it('puts the scenario, the hardware and the kernel first, then the processes, then the bookkeepers', () => {
    expect(model.lanes.map((lane) => lane.actor)).toEqual(['scenario', 'cpu', 'mmu', 'tlb', 'kernel', 'victim', 'attacker', 'observer', 'engine']);
    const total = model.lanes.reduce((sum, lane) => sum + lane.seqs.length, 0);
    expect(total).toBe(trace.events.length);
    for (const lane of model.lanes) for (const seq of lane.seqs) expect(model.actorAt(seq)).toBe(lane.actor);
  });

  it('finds the steps, the step of any event, the leaks and the effects of an event', () => {
    expect(model.steps.map((step) => step.line)).toEqual([26, 27, 28, 31, 32]);
    const read = model.steps[4]!;
    expect(read.verdicts.every((verdict) => verdict.holds)).toBe(true);
    for (const step of model.steps) {
      for (let seq = step.started; seq <= step.checked!; seq++) expect(model.stepAt(seq)).toBe(step);
    }
    expect(model.stepAt(0)).toBeNull();
    expect(model.stepAt(trace.events.length - 1)).toBeNull();
    expect(model.leaks).toEqual([{ seq: expect.any(Number), actor: 'attacker', secret: 'pin' }]);
    const effects = model.effects(read.started);
    expect(effects).toEqual(trace.events.filter((e) => e.cause === read.started).map((e) => e.seq));
  });
});

describe('the state after an event', () => {
  it('is the state a sequential fold reaches, from snapshots, in any order of jumps', () => {
    const trace = traceOfText(REPEATED_READS);
    expect(trace.events.length).toBeGreaterThan(3 * SNAPSHOT_INTERVAL);
    const model = new RunModel(0, reportPayloadOf([{ file: 'loop.trace', trace }]).runs[0]!);
    const last = trace.events.length - 1;
    const probes = [0, 1, SNAPSHOT_INTERVAL - 2, SNAPSHOT_INTERVAL - 1, SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL + 17, last - 1, last];
    const expected = new Map<number, string>();
    let state = initialStateOf(trace);
    trace.events.forEach((event, seq) => {
      state = foldMachine(state, envelopeOf(event));
      if (probes.includes(seq)) expected.set(seq, stateHash(state));
    });
    const index = new StateIndex(model);
    const order = [last, 0, 2 * SNAPSHOT_INTERVAL + 17, SNAPSHOT_INTERVAL - 1, SNAPSHOT_INTERVAL, 1, last - 1, SNAPSHOT_INTERVAL - 2, last];
    for (const seq of order) expect(stateHash(index.stateAfter(seq)), `event ${seq}`).toBe(expected.get(seq));
    expect(stateHash(index.stateBefore(0))).toBe(stateHash(initialStateOf(trace)));
    expect(index.coveredEvents).toBe(Math.floor((last + 1) / SNAPSHOT_INTERVAL) * SNAPSHOT_INTERVAL);
    expect(index.complete).toBe(true);
    expect(new StateIndex(model).complete).toBe(false);
  });
});
