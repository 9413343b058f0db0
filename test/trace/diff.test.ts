// Proves that diffTraces aligns two traces the way a user reads them: identical runs are identical, the missing-flush variants part ways where the defence acts and name the leak and the verdicts that differ, seeds and edited scenarios align as changes and insertions rather than "everything differs", a 100,000-event pair completes, falling back to an approximate position-by-position comparison only where alignment would cost too much, and the module stays pure enough for a browser.
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { diffTraces, eventDifferences, eventKey, orderActors, type TraceDiff } from '../../engine/trace/diff.js';
import type { ParsedTrace } from '../../engine/trace/reader.js';
import { loadBundled, memoryTraceOfText, recordTrace, ROOT, traceOfText } from './helpers.js';

const MISSING_FLUSH = loadBundled('tlb/missing-flush.isl');
const COMBINATIONS = [
  { flush: 'on', pcid: 'on' },
  { flush: 'on', pcid: 'off' },
  { flush: 'off', pcid: 'on' },
  { flush: 'off', pcid: 'off' },
] as const;
const flushTraces = new Map(COMBINATIONS.map((variant) => [`${variant.flush},${variant.pcid}`, recordTrace(MISSING_FLUSH, variant)]));
const flushTrace = (flush: string, pcid: string) => flushTraces.get(`${flush},${pcid}`)!;

/** Totals over actors: every event of A is common, removed or changed; every event of B common, inserted or changed. */
function totals(diff: TraceDiff) {
  return diff.changes.reduce((sum, c) => ({ inserted: sum.inserted + c.inserted, removed: sum.removed + c.removed, changed: sum.changed + c.changed }), {
    inserted: 0,
    removed: 0,
    changed: 0,
  });
}

/** The contract every diff keeps, whatever the pair. */
function expectConsistent(diff: TraceDiff, a: ParsedTrace, b: ParsedTrace): void {
  const { inserted, removed, changed } = totals(diff);
  // The same number of events is common to both sides.
  expect(a.events.length - removed - changed).toBe(b.events.length - inserted - changed);
  expect(diff.identical).toBe(inserted + removed + changed === 0);
  expect(diff.divergence === null).toBe(diff.identical);
  if (diff.divergence !== null) {
    const { seqA, seqB, common, onlyA, onlyB } = diff.divergence;
    expect(seqA).toBe(seqB); // everything before the divergence is common, so both sides are at the same index
    for (let i = 0; i < seqA; i++) expect(eventKey(a.events[i]!)).toBe(eventKey(b.events[i]!));
    expect(common.map((e) => e.seq)).toEqual(Array.from({ length: Math.min(3, seqA) }, (_, i) => seqA - Math.min(3, seqA) + i));
    expect(onlyA.length + onlyB.length).toBeGreaterThan(0);
    if (onlyA.length > 0) expect(onlyA[0]!.seq).toBe(seqA);
    if (onlyB.length > 0) expect(onlyB[0]!.seq).toBe(seqB);
  }
  for (const change of diff.changes) {
    for (const example of change.examples) {
      if (example.a !== null) expect(example.a.actor).toBe(change.actor);
      if (example.b !== null) expect(example.b.actor).toBe(change.actor);
      if (example.kind === 'changed') expect([example.a!.type, example.a!.actor]).toEqual([example.b!.type, example.b!.actor]);
    }
  }
}

describe('identical runs', () => {
  it('a trace against itself is identical, with nothing to report', () => {
    const trace = flushTrace('off', 'on');
    const diff = diffTraces(trace, trace);
    expect(diff).toMatchObject({ identical: true, divergence: null, changes: [], verdictFlips: [], leaks: { onlyA: [], onlyB: [] }, faults: { onlyA: [], onlyB: [] }, approximate: false });
    expect(diff.a).toEqual({ file: 'scenarios/tlb/missing-flush.isl', title: trace.header.scenario.title, seed: 0, variant: { flush: 'off', pcid: 'on' }, events: trace.events.length, passed: true });
  });

  it('two seeds of a scenario that draws nothing random are identical: the seed is the headline, not a change', () => {
    const text = 'scenario "no draws"\nprocess p { uid: 1000 }\np: map 0x400000 size 4 KiB rw user\np: read 0x400000 size 1 expect value 0x0\n';
    const diff = diffTraces(traceOfText(text, {}, 1), traceOfText(text, {}, 7));
    expect(diff.identical).toBe(true);
    expect([diff.a.seed, diff.b.seed]).toEqual([1, 7]);
  });
});

describe('the four missing-flush variants', () => {
  it('every ordered pair is consistent, and swapping A and B mirrors the diff', () => {
    for (const x of COMBINATIONS) {
      for (const y of COMBINATIONS) {
        const a = flushTrace(x.flush, x.pcid);
        const b = flushTrace(y.flush, y.pcid);
        const diff = diffTraces(a, b);
        expectConsistent(diff, a, b);
        expect(diff.identical).toBe(x === y);
        const back = diffTraces(b, a);
        expect(totals(back)).toEqual({ inserted: totals(diff).removed, removed: totals(diff).inserted, changed: totals(diff).changed });
        expect(back.leaks).toEqual({ onlyA: diff.leaks.onlyB, onlyB: diff.leaks.onlyA });
        expect(back.verdictFlips.map((f) => [f.expectation, f.b, f.a]).sort()).toEqual(diff.verdictFlips.map((f) => [f.expectation, f.a, f.b]).sort());
      }
    }
  });

  it('flush=off,pcid=on against flush=on,pcid=on: pin leaks in A only, and the verdicts that depend on it differ', () => {
    const diff = diffTraces(flushTrace('off', 'on'), flushTrace('on', 'on'));
    const read = { line: 32, step: 'attacker: read 0x400000 size 4' };
    expect(diff.leaks).toEqual({ onlyA: [{ ...read, what: 'pin' }], onlyB: [] });
    expect(diff.faults).toEqual({ onlyA: [], onlyB: [] });
    // `when` guards: each run checks its own expectations; the other run's side is null.
    expect(diff.verdictFlips).toEqual([
      { line: 31, step: 'attacker: map 0x400000 size 4 KiB rw user', expectation: 'violation tlb.coherent', a: true, b: null },
      { ...read, expectation: 'leak pin', a: true, b: null },
      { ...read, expectation: 'value "4242"', a: true, b: null },
      { ...read, expectation: 'tlb hit', a: true, b: null },
      { ...read, expectation: 'violation tlb.coherent', a: true, b: null },
      { ...read, expectation: 'no leak', a: null, b: true },
      { ...read, expectation: 'value 0x0', a: null, b: true },
      { ...read, expectation: 'tlb miss', a: null, b: true },
      { line: 36, step: 'assert', expectation: 'attacker knows pin', a: true, b: null },
      { line: 37, step: 'assert', expectation: 'attacker never knows pin', a: null, b: true },
    ]);
  });

  it('the runs part ways at boot, where the kernel is told whether to flush on PCID reuse', () => {
    const a = flushTrace('off', 'on');
    const b = flushTrace('on', 'on');
    const divergence = diffTraces(a, b).divergence!;
    const booted = a.events.findIndex((e) => e.type === 'kernel.booted');
    expect(divergence.seqA).toBe(booted);
    expect(divergence.onlyA.map((e) => e.type)).toEqual(['kernel.booted']);
    expect(divergence.onlyB.map((e) => e.type)).toEqual(['kernel.booted']);
    expect(eventDifferences(a.events[booted]!, b.events[booted]!)).toEqual(['data.switchPolicy.flushOnReuse: false → true']);
  });

  it('changes are grouped by actor in lane order: the skipped flush, the stale TLB hit, the leak and the violations', () => {
    const diff = diffTraces(flushTrace('off', 'on'), flushTrace('on', 'on'));
    const actors = diff.changes.map((c) => c.actor);
    expect(actors).toEqual(orderActors(actors, new Set(['victim', 'attacker'])));
    expect(actors.indexOf('tlb')).toBeLessThan(actors.indexOf('kernel'));
    expect(actors.indexOf('kernel')).toBeLessThan(actors.indexOf('attacker'));
    const of = (actor: string) => diff.changes.find((c) => c.actor === actor)!;
    const kinds = (actor: string) => of(actor).examples.map((e) => `${e.kind} ${(e.a ?? e.b)!.type}`);
    expect(kinds('kernel')).toEqual(expect.arrayContaining(['changed kernel.booted', 'removed kernel.flushSkipped', 'changed kernel.switched']));
    expect(kinds('tlb')).toEqual(expect.arrayContaining(['inserted tlb.flushed', 'removed tlb.hit', 'inserted tlb.missed']));
    expect(kinds('attacker')).toEqual(expect.arrayContaining(['changed memory.read', 'removed observer.secretLeaked']));
    expect(of('engine')).toMatchObject({ removed: 3, inserted: 0, changed: 0 });
    expect(of('engine').examples.every((e) => e.a!.type === 'invariant.violated')).toBe(true);
  });

  it('a fault that only one variant raises is reported at its step (nx on/off)', () => {
    const nx = loadBundled('paging/nx.isl');
    const diff = diffTraces(recordTrace(nx, { nx: 'on' }), recordTrace(nx, { nx: 'off' }));
    expect(diff.faults.onlyA).toEqual([{ line: 17, step: 'victim: jump 0x600000', what: '#PF(present, user, fetch) → SIGSEGV' }]);
    expect(diff.faults.onlyB).toEqual([]);
  });
});

const RANDOM_ALLOC = `
scenario "random frames"
machine {
  alloc random
}
process victim { uid: 1000 }
victim: map 0x400000 size 8 KiB rw user
victim: write 0x400000 = 0x41 expect ok
victim: read 0x400000 size 1 expect value 0x41
`;

describe('two seeds', () => {
  it('with alloc random, the runs keep their shape: the random draws and the frames they pick change, nothing is inserted', () => {
    const a = traceOfText(RANDOM_ALLOC, {}, 1);
    const b = traceOfText(RANDOM_ALLOC, {}, 2);
    const diff = diffTraces(a, b);
    expectConsistent(diff, a, b);
    expect(diff.identical).toBe(false);
    expect(diff.approximate).toBe(false);
    expect([diff.a.seed, diff.b.seed]).toEqual([1, 2]);
    expect(totals(diff)).toMatchObject({ inserted: 0, removed: 0 });
    expect(diff.divergence!.onlyA[0]!.type).toBe('rng.advanced');
    expect(diff.verdictFlips).toEqual([]);
    expect(diff.leaks).toEqual({ onlyA: [], onlyB: [] });
  });
});

const EDIT_BEFORE = `
scenario "edited"
process victim { uid: 1000 }
process attacker { uid: 1001 }
victim: map 0x400000 size 4 KiB rw user
victim: write 0x400000 = 0x41 expect ok
attacker: map 0x500000 size 4 KiB rw user
attacker: read 0x500000 size 1 expect value 0x0
victim: read 0x400000 size 1 expect value 0x41
`;
const EDIT_AFTER = EDIT_BEFORE.replace('attacker: map 0x500000', 'victim: read 0x400000 size 1 expect value 0x41, tlb hit\nattacker: map 0x500000');

describe('an edited scenario', () => {
  it('a step added in the middle is an insertion; the steps after it, now on other lines, still align', () => {
    const a = traceOfText(EDIT_BEFORE);
    const b = traceOfText(EDIT_AFTER);
    const diff = diffTraces(a, b);
    expectConsistent(diff, a, b);
    const added = b.events.findIndex((e) => e.type === 'scenario.stepStarted' && (e.data as { line: number }).line === 7);
    expect(diff.divergence).toMatchObject({ seqA: added, seqB: added, onlyA: [] });
    expect(diff.divergence!.onlyB[0]!.text).toBe('line 7: victim: read 0x400000 size 1');
    const { inserted, removed, changed } = totals(diff);
    expect(removed).toBe(0);
    expect(inserted).toBeGreaterThanOrEqual(4); // the step's start, access, read and check
    expect(changed).toBeLessThan(a.events.length / 10);
    // Only the new step's expectations differ: the later steps moved a line down but match by their text.
    expect(diff.verdictFlips).toEqual([
      { line: 7, step: 'victim: read 0x400000 size 1', expectation: 'value 0x41', a: null, b: true },
      { line: 7, step: 'victim: read 0x400000 size 1', expectation: 'tlb hit', a: null, b: true },
    ]);
  });
});

describe('event keys', () => {
  it('leave out seq, tick, cause, where a step is written, the run identity and the event a violation points at', () => {
    const base = { kind: 'event' as const, seq: 1, tick: 1, cause: null };
    const key = (type: string, data: unknown, extra = {}) => eventKey({ ...base, ...extra, type, actor: 'scenario', data });
    expect(key('x.y', { a: 1 }, { seq: 5, tick: 9, cause: 3 })).toBe(key('x.y', { a: 1 }));
    expect(key('scenario.started', { title: 't', seed: 1, variant: { a: 'on' }, invariants: [] })).toBe(key('scenario.started', { title: 'u', seed: 2, variant: { a: 'off' }, invariants: [] }));
    expect(key('scenario.stepStarted', { line: 3, index: 0, file: 'a.isl', text: 's', actor: 'p' })).toBe(key('scenario.stepStarted', { line: 9, index: 4, file: 'b.isl', text: 's', actor: 'p' }));
    expect(key('invariant.violated', { event: 3, invariant: 'i' })).toBe(key('invariant.violated', { event: 8, invariant: 'i' }));
    expect(key('invariant.violated', { event: 3, invariant: 'i' })).not.toBe(key('invariant.violated', { event: 3, invariant: 'j' }));
    expect(key('x.y', { b: 1, a: 2 })).toBe(key('x.y', { a: 2, b: 1 }));
  });
});

/** ~100,000 events: two processes reading in turn, with random frames (the seed moves every physical address). */
const LONG = `
scenario "long"
machine {
  alloc random
}
process victim { uid: 1000 }
process attacker { uid: 1001 }
victim: map 0x400000 size 4 KiB rw user
attacker: map 0x400000 size 4 KiB rw user
repeat 2800 {
  victim: read 0x400000 size 4
  attacker: read 0x400000 size 4
}
`;

describe('a 100,000-event pair', () => {
  const a = memoryTraceOfText(LONG, 1);
  const b = memoryTraceOfText(LONG, 2);
  const writes = memoryTraceOfText(LONG.replaceAll('read 0x400000 size 4', 'write 0x400000 = 0x41'), 1);

  it('is large enough to mean something', () => {
    expect(a.events.length).toBeGreaterThan(100_000);
  });

  it('two seeds align exactly, step by step, every event changed in place', () => {
    const started = performance.now();
    const diff = diffTraces(a, b);
    const elapsed = performance.now() - started;
    expect(diff.approximate).toBe(false);
    expectConsistent(diff, a, b);
    expect(totals(diff)).toMatchObject({ inserted: 0, removed: 0 });
    console.log(`diff of two ${a.events.length}-event traces (two seeds): ${elapsed.toFixed(0)} ms`);
  });

  it('a tiny maxEditLength gives up on alignment and compares position by position, marked approximate', () => {
    const diff = diffTraces(a, b, { maxEditLength: 1 });
    expect(diff.approximate).toBe(true);
    expectConsistent(diff, a, b);
  });

  it('runs whose steps all differ fall back to one stretch, then to positions, and still finish', () => {
    const started = performance.now();
    const diff = diffTraces(a, writes);
    const elapsed = performance.now() - started;
    expect(diff.approximate).toBe(true);
    expectConsistent(diff, a, writes);
    console.log(`diff of two very different ${a.events.length}-event traces: ${elapsed.toFixed(0)} ms`);
  });

  it('identical long traces are identical', () => {
    expect(diffTraces(a, a).identical).toBe(true);
  });
});

describe('purity', () => {
  it('the diff and the Chrome exporter bundle for a browser with nothing from node: (the HTML report runs them)', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'engine/trace/diff.ts'), join(ROOT, 'engine/trace/export-chrome.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      outdir: 'out',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.startsWith('node:') || input.endsWith('core/hash.ts'))).toEqual([]);
    expect(inputs).toEqual(expect.arrayContaining(['engine/trace/diff.ts', 'engine/core/canonical.ts']));
  });
});
