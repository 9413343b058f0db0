// Proves that the Chrome Trace Event export is a structure Perfetto and chrome://tracing accept — every event with name, ph, ts, pid and tid, process and thread names as metadata — with one thread per actor in lane order, each event a slice carrying its seq, tick, cause and data as args in seq order, each step a slice spanning its events, and flow arrows from cause to effect.
import { describe, expect, it } from 'vitest';
import { chromeThreads, chromeTraceJson, chromeTraceOf, type ChromeTraceEvent } from '../../engine/trace/export-chrome.js';
import { loadBundled, recordTrace } from './helpers.js';

const trace = recordTrace(loadBundled('tlb/missing-flush.isl'), { flush: 'off', pcid: 'on' });
const chrome = chromeTraceOf(trace);
const byPh = (ph: ChromeTraceEvent['ph']) => chrome.traceEvents.filter((e) => e.ph === ph);
const slices = byPh('X').filter((e) => e.cat !== 'step');
const steps = byPh('X').filter((e) => e.cat === 'step');
const threadName = (tid: number) => byPh('M').find((e) => e.name === 'thread_name' && e.tid === tid)?.args?.name;

describe('structure', () => {
  it('is the JSON object form: traceEvents, displayTimeUnit and metadata naming the run', () => {
    expect(Object.keys(chrome)).toEqual(['traceEvents', 'displayTimeUnit', 'metadata']);
    expect(chrome.displayTimeUnit).toBe('ns');
    expect(chrome.metadata).toMatchObject({ source: 'isolab', scenario: 'scenarios/tlb/missing-flush.isl', title: trace.header.scenario.title, seed: 0, variant: { flush: 'off', pcid: 'on' }, events: trace.events.length, passed: true });
  });

  it('every event has a name, a known phase, a finite ts, pid 1 and an integer tid; slices have a positive duration', () => {
    for (const event of chrome.traceEvents) {
      expect(typeof event.name).toBe('string');
      expect(['X', 'M', 's', 'f']).toContain(event.ph);
      expect(Number.isFinite(event.ts)).toBe(true);
      expect(event.pid).toBe(1);
      expect(Number.isInteger(event.tid)).toBe(true);
      if (event.ph === 'X') expect(event.dur).toBeGreaterThan(0);
    }
  });

  it('the JSON text parses to the same object, one event per line', () => {
    const text = chromeTraceJson(trace);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(chrome)));
    expect(text.split('\n').length).toBeGreaterThan(chrome.traceEvents.length);
  });

  it('the process is named after the scenario', () => {
    expect(byPh('M').find((e) => e.name === 'process_name')).toMatchObject({ pid: 1, args: { name: trace.header.scenario.title } });
  });
});

describe('threads', () => {
  it('one thread per actor: cpu, mmu, tlb, kernel, the processes as created, then the rest as they appear', () => {
    const names = byPh('M').filter((e) => e.name === 'thread_name').sort((x, y) => x.tid - y.tid).map((e) => e.args!.name);
    expect(names).toEqual(['cpu', 'mmu', 'tlb', 'kernel', 'victim', 'attacker', 'scenario', 'observer', 'engine']);
    expect(new Set(names)).toEqual(new Set(trace.events.map((e) => e.actor)));
    const sortIndex = byPh('M').filter((e) => e.name === 'thread_sort_index');
    expect(sortIndex.map((e) => e.args!.sort_index)).toEqual(sortIndex.map((e) => e.tid));
  });

  it("every event's slice is on its actor's thread", () => {
    const tids = chromeThreads(trace);
    slices.forEach((slice, i) => {
      expect(slice.tid).toBe(tids.get(trace.events[i]!.actor));
      expect(threadName(slice.tid)).toBe(trace.events[i]!.actor);
    });
  });
});

describe('events', () => {
  it('one slice per event, named by its type, in seq order with ts = seq and duration 1', () => {
    expect(slices.map((s) => s.name)).toEqual(trace.events.map((e) => e.type));
    expect(slices.map((s) => s.ts)).toEqual(trace.events.map((e) => e.seq));
    expect(slices.every((s) => s.dur === 1)).toBe(true);
    expect(slices.find((s) => s.name === 'tlb.hit')!.cat).toBe('tlb');
  });

  it('args are seq, tick and cause, then the data; a data field with one of those names is kept as data.NAME', () => {
    trace.events.forEach((event, i) => {
      const args = slices[i]!.args!;
      expect([args.seq, args.tick, args.cause]).toEqual([event.seq, event.tick, event.cause]);
      for (const [name, value] of Object.entries(event.data as Record<string, unknown>)) {
        expect(args[['seq', 'tick', 'cause'].includes(name) ? `data.${name}` : name]).toEqual(value);
      }
    });
    const timer = trace.events.find((e) => e.type === 'kernel.timerFired')!;
    expect(slices[timer.seq]!.args).toMatchObject({ tick: timer.tick, 'data.tick': (timer.data as { tick: number }).tick });
  });
});

describe('steps', () => {
  it('each step is a slice on the scenario thread named by its text, from its stepStarted to its stepChecked', () => {
    const started = trace.events.filter((e) => e.type === 'scenario.stepStarted');
    const checked = trace.events.filter((e) => e.type === 'scenario.stepChecked');
    expect(steps.map((s) => s.name)).toEqual(started.map((e) => (e.data as { text: string }).text));
    steps.forEach((step, i) => {
      expect(threadName(step.tid)).toBe('scenario');
      expect(step.ts).toBe(started[i]!.seq);
      expect(step.ts + step.dur!).toBe(checked[i]!.seq + 1);
      expect(step.args).toMatchObject({ line: (started[i]!.data as { line: number }).line });
    });
    expect(steps.at(-1)!.args!.outcome).toContain('LEAKED pin');
  });

  it('slices on the scenario thread nest: each lies wholly inside a step or wholly outside all of them', () => {
    const scenarioTid = chromeThreads(trace).get('scenario')!;
    for (const slice of slices.filter((s) => s.tid === scenarioTid)) {
      for (const step of steps) {
        const inside = slice.ts >= step.ts && slice.ts + slice.dur! <= step.ts + step.dur!;
        const outside = slice.ts + slice.dur! <= step.ts || slice.ts >= step.ts + step.dur!;
        expect(inside || outside).toBe(true);
      }
    }
  });

  it("a step's slice comes before the events it holds, so a reader that keeps file order nests them too", () => {
    for (const step of steps) {
      const at = chrome.traceEvents.indexOf(step);
      const first = chrome.traceEvents.findIndex((e) => e.ph === 'X' && e.cat !== 'step' && e.ts === step.ts);
      expect(at).toBeLessThan(first);
    }
  });
});

describe('flows', () => {
  it('an arrow runs from each event with a cause to it: s on the cause, f (bound to the enclosing slice) on the effect', () => {
    const starts = byPh('s');
    const finishes = byPh('f');
    const caused = trace.events.filter((e) => e.cause !== null);
    expect(starts.map((s) => s.id)).toEqual(caused.map((e) => e.seq));
    expect(finishes.map((f) => f.id)).toEqual(caused.map((e) => e.seq));
    caused.forEach((event, i) => {
      const cause = trace.events[event.cause!]!;
      expect(starts[i]).toMatchObject({ ts: cause.seq, tid: chromeThreads(trace).get(cause.actor), cat: 'cause' });
      expect(finishes[i]).toMatchObject({ ts: event.seq, bp: 'e', cat: 'cause' });
    });
  });

  it('can be left out', () => {
    expect(chromeTraceOf(trace, { flows: false }).traceEvents.filter((e) => e.ph === 's' || e.ph === 'f')).toEqual([]);
  });
});
