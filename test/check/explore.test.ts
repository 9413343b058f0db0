// Proves that `isolab explore` finds the violating interleavings `isolab run` would fail (a failed expectation, an unannounced invariant violation, a failed assertion) and writes one as a scenario that fails the same way; that it runs exactly one interleaving per distinct final state (state matching) and lets the sleep sets skip only steps that really commute; that a context switch and the TLB are dependencies (the stale-TLB race is found whichever process is written first); that the bound and the first violation stop it and say which did; and that footprints and independence mean what they say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { ScenarioError } from '../../engine/core/errors.js';
import { machineEngine } from '../../engine/machine/engine.js';
import type { MachineState } from '../../engine/machine/state.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { createEngine, executeStep, invariantsOf, runPlan, startPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario, type LoadedScenario } from '../../dsl/compile/index.js';
import { assertionFailures, explore, interleavingCount, stepFailure, threadsOf, type ExploreResult } from '../../check/explore.js';
import { changedPaths, EVERYTHING, footprintOf, independent, stepFootprint, type Footprint } from '../../check/footprint.js';
import { invariantByName } from '../../engine/machine/invariants.js';
import type { Invariant } from '../../engine/core/decider.js';
import { interleavingScenario, stepLines } from '../../check/interleaving.js';
import { stateDigest } from '../../check/state-digest.js';
import { searchSummary } from '../../bin/commands/explore.js';
import { ordersOf } from './orders.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHARED_RACE = 'scenarios/check/shared-race.isl';
const ALL = { maxInterleavings: 1_000_000, stopAtFirst: false, checkFootprints: true };

function loadFile(file: string): LoadedScenario {
  return loadScenario(file, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

/** A scenario held in memory, as `explore` sees a file. */
function loadText(text: string, file = 'inline.isl'): LoadedScenario {
  return loadScenario(file, (path) => {
    if (path !== file) throw new ScenarioError('E_READ', `no in-memory file ${path}`);
    return { file: path, text };
  });
}

function planOf(text: string): RunPlan {
  return compileScenario(loadText(text), {});
}

/** The oracle: whether `isolab run` passes the scenario with its steps in this order. */
export function runPasses(plan: RunPlan, order: readonly number[]): boolean {
  return runPlan({ ...plan, steps: order.map((index) => plan.steps[index]!) }).passed;
}

/**
 * Every interleaving without any reduction, depth first from shared immutable states:
 * each one's final state digest and whether it fails (as explore judges a step, and
 * the final assertions).
 */
function bruteForce(plan: RunPlan): { orders: number; failing: number[][]; finals: Set<string> } {
  const threads = threadsOf(plan);
  const engine = createEngine(plan);
  startPlan(engine, plan);
  const result = { orders: 0, failing: [] as number[][], finals: new Set<string>() };
  const visit = (state: MachineState, seq: number, tick: number, positions: number[], order: number[], failed: boolean) => {
    const enabled = threads.map((_, t) => t).filter((t) => positions[t]! < threads[t]!.steps.length);
    if (enabled.length === 0) {
      const fails = failed || assertionFailures(plan, state).length > 0;
      result.orders++;
      if (fails) result.failing.push(order);
      result.finals.add(`${fails}|${stateDigest(state)}`);
      return;
    }
    for (const t of enabled) {
      const index = threads[t]!.steps[positions[t]!]!;
      const stepEngine = machineEngine(state, { invariants: invariantsOf(plan), resume: { seq, tick } });
      const report = executeStep(stepEngine, plan.steps[index]!);
      const next = positions.slice();
      next[t]! += 1;
      visit(stepEngine.state, stepEngine.eventCount, stepEngine.tick, next, [...order, index], failed || stepFailure(report, state, stepEngine.state) !== null);
    }
  };
  visit(engine.state, engine.eventCount, engine.tick, threads.map(() => 0), [], false);
  return result;
}

/** The footprint of each step of a plan run in file order. */
function footprintsOf(plan: RunPlan): Footprint[] {
  const engine = createEngine(plan);
  startPlan(engine, plan);
  return plan.steps.map((step) => {
    const events: Envelope[] = [];
    const before = engine.state;
    const subscription = engine.events$.subscribe((event) => events.push(event));
    executeStep(engine, step);
    subscription.unsubscribe();
    return stepFootprint(events, before, engine.state, invariantsOf(plan));
  });
}

function expectSound(result: ExploreResult): void {
  expect(result.footprintGaps, 'a footprint called two steps independent whose orders differ').toBe(0);
}

describe('explore on the shared-memory race', () => {
  const loaded = loadFile(SHARED_RACE);
  const plan = compileScenario(loaded, {});
  const stepIndex = (text: string) => plan.steps.findIndex((step) => step.text.startsWith(text));
  const consumerRead = stepIndex('consumer: read');
  const producerWrite = stepIndex('producer: write');

  it('passes in the order the file is written', () => {
    expect(runPlan(plan).passed).toBe(true);
  });

  it('finds an interleaving in which the consumer reads before the producer writes', () => {
    const result = explore(plan, { maxInterleavings: 10_000, stopAtFirst: true });
    expect(result.threads).toEqual([
      { name: 'producer', steps: 2 },
      { name: 'consumer', steps: 2 },
      { name: 'bystander', steps: 3 },
    ]);
    expect(result.violating).toBe(1);
    const first = result.firstViolation!;
    expect([...first.order].sort((a, b) => a - b)).toEqual(plan.steps.map((_, i) => i));
    expect(first.order.indexOf(consumerRead)).toBeLessThan(first.order.indexOf(producerWrite));
    expect(first.reasons.join('\n')).toContain('consumer: read 0x20000000 size 5: expected value "ready"');
    expect(runPasses(plan, first.order)).toBe(false);
  });

  it('writes the interleaving as a scenario that fails the same expectation under runPlan', () => {
    const first = explore(plan, { maxInterleavings: 10_000, stopAtFirst: true }).firstViolation!;
    const text = interleavingScenario(loaded, plan, first.order, ['found by explore']);
    expect(text).toContain('# found by explore');
    const replayed = runPlan(compileScenario(loadText(text, 'interleaving.isl'), {}));
    expect(replayed.passed).toBe(false);
    const failed = replayed.steps.flatMap((report) => report.verdicts.filter((v) => !v.holds).map((v) => `${report.step.text} expect ${v.expectation}`));
    expect(failed).toEqual(['consumer: read 0x20000000 size 5 expect value "ready"']);
    expect(replayed.steps.map((report) => report.step.text)).toEqual(first.order.map((index) => plan.steps[index]!.text));
  });

  it('runs one interleaving per distinct final state, fewer than exist, and fails exactly the orders run fails', () => {
    const reduced = explore(plan, ALL);
    const full = bruteForce(plan);
    expect(full.orders).toBe(210);
    expect(Number(interleavingCount([2, 2, 3]))).toBe(full.orders);
    expect(reduced.complete).toBe(true);
    expectSound(reduced);
    expect(reduced.explored).toBe(full.finals.size);
    expect(reduced.explored).toBeLessThan(full.orders);
    expect(reduced.merged).toBeGreaterThan(0);
    expect(reduced.violating).toBeGreaterThan(0);
    // The oracle is `isolab run` itself: every order it fails reads too early, and only those.
    const failing = ordersOf(plan).filter((order) => !runPasses(plan, order));
    expect(failing.length).toBe(full.failing.length);
    for (const order of failing) expect(order.indexOf(consumerRead)).toBeLessThan(order.indexOf(producerWrite));
  });
});

describe('reduction', () => {
  it('orders the steps of processes that share nothing by their switches, and runs one interleaving per final state', () => {
    // A context switch is a dependency: which process runs last stays current, and the
    // last #PF leaves its address in CR2. Those two decide the final state, so state
    // matching runs one interleaving per pair that some order produces.
    const plan = planOf(`scenario "three strangers"
process a { uid: 1000, catch: SIGSEGV }
process b { uid: 1001, catch: SIGSEGV }
process c { uid: 1002, catch: SIGSEGV }
a: read 0x400000
b: read 0x500000
c: read 0x600000
a: write 0x400000 = 0x1
b: syscall getpid
c: exec nop
`);
    const result = explore(plan, ALL);
    expect(result.complete).toBe(true);
    expectSound(result);
    const faulting = new Set([0, 1, 2, 3]);
    const finals = new Set(
      ordersOf(plan).map((order) => {
        const lastFault = order.filter((index) => faulting.has(index)).at(-1)!;
        return `${plan.steps[order.at(-1)!]!.thread} ${plan.steps[lastFault]!.thread}`;
      }),
    );
    expect(result.explored).toBe(finals.size);
    expect(result.explored).toBe(bruteForce(plan).finals.size);
    expect(result.explored).toBeLessThan(Number(interleavingCount([2, 2, 2])));
  });

  it('runs one interleaving per order of the mappings and last process when three processes use their own pages', () => {
    // Mapping takes frames from the one allocator, so the order of the three maps decides
    // which frames each process gets (3! ways); the process that runs last stays current
    // with its entries in the TLB (3 ways). Everything else is the same in every order.
    const plan = planOf(`scenario "three processes, own pages"
process a { uid: 1000 }
process b { uid: 1001 }
process c { uid: 1002 }
a: map 0x400000 size 4 KiB rw user
b: map 0x400000 size 4 KiB rw user
c: map 0x400000 size 4 KiB rw user
a: write 0x400000 = 0x1
b: write 0x400000 = 0x2
c: write 0x400000 = 0x3
a: read 0x400000 expect value 0x1
b: read 0x400000 expect value 0x2
c: read 0x400000 expect value 0x3
`);
    expect(Number(interleavingCount([3, 3, 3]))).toBe(1680);
    const result = explore(plan, ALL);
    expect(result.complete).toBe(true);
    expect(result.explored).toBe(6 * 3);
    expect(result.violating).toBe(0);
    expect(result.merged).toBeGreaterThan(0);
  });

  const writeThenRead = (shared: boolean) =>
    planOf(`scenario "a write, then a read of it"
region shm size 4 KiB
process a { uid: 1000 }
process b { uid: 1001 }
a: map 0x400000 size 4 KiB rw user${shared ? ' shared shm' : ''}
a: write 0x400000 = 0x1
a: read 0x400000 expect value 0x1
b: map 0x500000 size 4 KiB rw user${shared ? ' shared shm' : ''}
b: write 0x500000 = 0x2
`);

  it('finds the write that lands between another process’s write and read of a shared page, and none on private pages', () => {
    const shared = explore(writeThenRead(true), ALL);
    const separate = explore(writeThenRead(false), ALL);
    expectSound(shared);
    expectSound(separate);
    expect(shared.violating).toBeGreaterThan(0);
    expect(shared.firstViolation!.reasons.join()).toContain('a: read 0x400000: expected value 0x1');
    expect(separate.violating).toBe(0);
    expect(separate.complete).toBe(true);
  });

  it('lets the sleep sets skip the orders of kernel and CPU steps that commute with each other', () => {
    // `kernel:` and `cpu:` steps run in whatever address space is current, without a
    // switch; reads of kernel memory through entries already in the TLB change nothing.
    const plan = planOf(`scenario "kernel reads"
process a { uid: 1000 }
a: map 0x400000 size 4 KiB rw user
a: write 0x400000 = 0x1
a: read 0x400000
kernel: read 0xffff888000001000
kernel: read 0xffff888000002000
cpu: exec nop
cpu: read 0xffff888000001000 cpl 0
`);
    const result = explore(plan, ALL);
    expectSound(result);
    expect(result.pruned).toBeGreaterThan(0);
    expect(result.explored).toBe(bruteForce(plan).finals.size);
    expect(result.violating).toBe(0);
  });

  const staleTlb = (attackerFirst: boolean) => {
    const attacker = 'attacker: read 0x400000 size 4';
    const victim = 'victim: map 0x400000 size 8 KiB rw user\nvictim: read 0x400000 size 4';
    return planOf(`scenario "stale TLB race"
invariant memory.process-isolation
machine {
  tlb 64 entries { pcid: on }
}
kernel {
  switch { flush: off, pcids: 1 }
}
process victim { uid: 1000 }
process attacker { uid: 1001, catch: SIGSEGV }
${attackerFirst ? `${attacker}\n${victim}` : `${victim}\n${attacker}`}
`);
  };

  it.each([true, false])('finds the stale-TLB interleaving when the attacker’s step is written first: %s', (attackerFirst) => {
    // The victim's read fills a TLB entry under the PCID both processes share; the
    // attacker's later read hits it. Only that order violates: the footprints must see
    // the fill and the lookup of the same PCID as dependent.
    const plan = staleTlb(attackerFirst);
    const full = bruteForce(plan);
    expect(full.failing).toHaveLength(1);
    const result = explore(plan, ALL);
    expectSound(result);
    expect(result.violating).toBe(1);
    expect(result.firstViolation!.order).toEqual(full.failing[0]);
    expect(result.firstViolation!.reasons.join()).toContain('memory.process-isolation');
  });
});

describe('what counts as violating: what makes isolab run fail', () => {
  const tlbLesson = (attackerExpects: string, assertion = '') =>
    planOf(`scenario "stale TLB lesson"
${assertion === '' ? 'invariant memory.process-isolation' : ''}
machine {
  tlb 64 entries { pcid: on }
}
kernel {
  switch { flush: off, pcids: 1 }
}
process victim { uid: 1000 }
process attacker { uid: 1001${attackerExpects === '' ? '' : ', catch: SIGSEGV'} }
victim: map 0x400000 size 8 KiB rw user
victim: read 0x400000 size 4
attacker: read 0x400000 size 4${attackerExpects}
${assertion}
`);

  it('does not count a violation the step announces with a holding `expect violation`', () => {
    const plan = tlbLesson(' expect violation memory.process-isolation');
    expect(runPlan(plan).passed).toBe(true);
    const result = explore(plan, ALL);
    // Written order: the announced violation, a pass. Attacker earlier: no stale entry,
    // no violation, so the expectation fails.
    const full = bruteForce(plan);
    const failingFinals = [...full.finals].filter((key) => key.startsWith('true|'));
    expect(result.violating).toBe(failingFinals.length);
    expect(result.violating).toBeLessThan(result.explored);
    expect(result.firstViolation!.reasons.join()).toContain('expected violation memory.process-isolation');
    expect(runPasses(plan, result.firstViolation!.order)).toBe(false);
    expect(full.failing.length).toBe(ordersOf(plan).filter((order) => !runPasses(plan, order)).length);
  });

  it('counts an interleaving whose only failure is an assertion on the final state', () => {
    // No invariant is enabled. The attacker catches nothing: reading the victim's page
    // through the stale entry it survives; reading it any earlier it faults and dies.
    const plan = tlbLesson('', 'assert attacker alive');
    expect(runPlan(plan).passed).toBe(true);
    const failing = ordersOf(plan).filter((order) => !runPasses(plan, order));
    expect(failing).toHaveLength(2);
    const result = explore(plan, ALL);
    expect(result.violating).toBeGreaterThan(0);
    expect(result.firstViolation!.reasons).toEqual(['assert attacker alive (line 14): attacker is exited']);
    expect(failing).toContainEqual(result.firstViolation!.order);
  });

  it('reports `assert … exited` failing in every order, as run does', () => {
    const plan = planOf(`scenario "a wrong assertion"
process a { uid: 1000 }
process b { uid: 1001 }
a: syscall getpid
b: syscall getpid
assert a exited
`);
    expect(runPlan(plan).passed).toBe(false);
    const result = explore(plan, { maxInterleavings: 100, stopAtFirst: true });
    expect(result.violating).toBe(1);
    expect(result.firstViolation!.reasons).toEqual(['assert a exited (line 6): a is alive']);
    expect(result.stoppedBy).toBe('first-violation');
  });
});

describe('the bound and the first violation', () => {
  const plan = compileScenario(loadFile(SHARED_RACE), {});

  it.each([1, 2, 5])('stops after %i complete interleavings and says the bound stopped it', (bound) => {
    const result = explore(plan, { maxInterleavings: bound, stopAtFirst: false });
    expect(result.explored).toBe(bound);
    expect(result.complete).toBe(false);
    expect(result.stoppedBy).toBe('bound');
  });

  it('is complete when the bound is not reached', () => {
    const unbounded = explore(plan, ALL);
    expect(unbounded.complete).toBe(true);
    expect(unbounded.stoppedBy).toBeNull();
    const bounded = explore(plan, { ...ALL, maxInterleavings: unbounded.explored + 1 });
    expect(bounded).toEqual(unbounded);
  });

  it('says the first violation stopped it, not the bound', () => {
    const result = explore(plan, { maxInterleavings: 10_000, stopAtFirst: true });
    expect(result.complete).toBe(false);
    expect(result.stoppedBy).toBe('first-violation');
  });

  it('is complete when the first violation is the last interleaving there is', () => {
    const single = planOf(`scenario "one thread"
process a { uid: 1000 }
a: read 0x400000 expect ok
`);
    const result = explore(single, { maxInterleavings: 1, stopAtFirst: true });
    expect(result).toMatchObject({ explored: 1, violating: 1, complete: true, stoppedBy: null });
  });

  it('prints what stopped the search (isolab explore’s summary line)', () => {
    const first = explore(plan, { maxInterleavings: 10_000, stopAtFirst: true });
    expect(searchSummary(first, 10_000)).toMatch(/^stopped at the first violating interleaving: ran \d+ of 210 to the end; \d+ reached a state already explored, sleep sets pruned \d+ transitions; 1 violating \(--all explores them all\)$/);
    expect(searchSummary(first, 10_000)).not.toContain('bounded');
    const bounded = explore(plan, { maxInterleavings: 3, stopAtFirst: false });
    expect(searchSummary(bounded, 3)).toMatch(/^stopped at --max-interleavings 3: ran 3 of 210 to the end, the search is incomplete; /);
    const all = explore(plan, ALL);
    expect(searchSummary(all, 1_000_000)).toBe(
      `explored all interleavings: ran ${all.explored} of 210 to the end; ${all.merged} reached a state already explored, sleep sets pruned ${all.pruned} transitions; ${all.violating} violating`,
    );
  });
});

describe('interleavingCount', () => {
  it.each([
    [[], 1n],
    [[3], 1n],
    [[2, 2, 3], 210n],
    [[3, 3, 3], 1680n],
    [[4, 4, 4], 34650n],
    [[20, 20, 20], 577831214478475823831865900n],
  ])('%j steps per thread give %s interleavings', (steps, count) => {
    expect(interleavingCount(steps)).toBe(count);
  });
});

describe('footprints', () => {
  let seq = 0;
  const envelope = (type: string, data: unknown): Envelope => ({ seq: seq++, tick: 0, type, actor: 'test', data, cause: null });
  const sorted = (footprint: Footprint) => ({ reads: [...footprint.reads].sort(), writes: [...footprint.writes].sort() });
  const booted = (() => {
    const plan = planOf(`scenario "a process"
process a { uid: 1000 }
`);
    const engine = createEngine(plan);
    startPlan(engine, plan);
    return engine.state;
  })();

  it('reads the frames of data reads, fetches and walk entries, with the registers an access consults', () => {
    const { reads, writes } = sorted(
      footprintOf(
        [
          envelope('memory.read', { address: 0x5004, size: 4 }),
          envelope('cpu.fetched', { address: 0x6fff }),
          envelope('mmu.walkStepped', { entryAddress: 0x1008 }),
        ],
        booted,
      ),
    );
    expect(writes).toEqual([]);
    expect(reads).toEqual(expect.arrayContaining(['memory.frames.1', 'memory.frames.5', 'memory.frames.6', 'cpu.cr3', 'cpu.cr4', 'cpu.cpl', 'observer.secrets']));
  });

  it('writes the frames of data and entry writes, and the allocator with the owners of its frames', () => {
    const { writes } = sorted(
      footprintOf(
        [
          envelope('memory.written', { address: 0x7ffe, bytes: '41424344' }),
          envelope('memory.entryWritten', { address: 0x2ff8, entryBytes: 8 }),
          envelope('memory.framesAllocated', { frames: [9, 10] }),
        ],
        booted,
      ),
    );
    expect(writes).toEqual(['memory.frames.2', 'memory.frames.7', 'memory.frames.8', 'memory.freed', 'memory.owners.10', 'memory.owners.9', 'memory.watermark']);
  });

  it('keys the TLB by PCID: a lookup reads its PCID and the global entries, a fill writes its PCID and the slot order', () => {
    const entry = { pcid: 1, pageNumber: 0x400, pageShift: 12, global: false };
    const lookup = footprintOf([envelope('tlb.missed', { va: '0x400000', pcid: 1 })], booted);
    const fill = footprintOf([envelope('tlb.filled', { va: '0x400000', slot: 0, entry, evicted: null })], booted);
    expect(sorted(lookup)).toEqual({ reads: ['tlb.global', 'tlb.pcid.1'], writes: [] });
    expect(sorted(fill).writes).toEqual(['tlb.order', 'tlb.pcid.1']);
    expect(independent(lookup, fill)).toBe(false);
    const otherPcid = footprintOf([envelope('tlb.hit', { va: '0x400000', pcid: 2, slot: 3 })], booted);
    expect(independent(otherPcid, fill)).toBe(true);
    const flush = footprintOf([envelope('tlb.flushed', { reason: 'CR3', scope: 'non-global', pcid: null, slots: [] })], booted);
    // A flush that emptied nothing still conflicts with a fill: in the other order it would empty it.
    expect(sorted(flush).writes).toEqual(['tlb.order', 'tlb.pcid']);
    expect(independent(flush, fill)).toBe(false);
    expect(independent(flush, otherPcid)).toBe(false);
  });

  it('reads everything for an event whose reads it does not know', () => {
    expect(sorted(footprintOf([envelope('kernel.syscallEntered', { nr: 39 })], booted)).reads).toEqual([EVERYTHING]);
    expect(sorted(footprintOf([envelope('something.new', {})], booted)).reads).toEqual([EVERYTHING]);
  });

  it('adds what the enabled invariants read: the accessor’s mappings, the tables for tlb.coherent, nothing for a scenario’s own', () => {
    const read = [envelope('memory.read', { address: 0x5004, size: 1, by: 'a', cpl: 3 })];
    const isolation = footprintOf(read, booted, [invariantByName('memory.process-isolation')!]);
    expect(isolation.reads).toContain('memory.owners.5');
    expect(isolation.reads).toContain('kernel.processes.byId.1.vmas');
    const hit = [envelope('tlb.hit', { va: '0x400000', pcid: 0, slot: 0 })];
    expect(footprintOf(hit, booted, [invariantByName('tlb.coherent')!]).reads).toContain('memory.frames');
    const custom: Invariant<MachineState> = { name: 'the pin stays', statement: '', defence: '', on: ['memory.read'], check: () => null };
    expect(sorted(footprintOf(read, booted, [custom]))).toEqual(sorted(footprintOf(read, booted)));
    const unknownBuiltIn = { ...invariantByName('memory.process-isolation')!, name: 'vfs.dac', on: undefined };
    expect(invariantByName('vfs.dac')).not.toBeNull();
    expect(footprintOf(hit, booted, [unknownBuiltIn]).reads).toContain(EVERYTHING);
  });

  it('reads the changes off the two states: a record’s field, a TLB entry with the slot order, never the scenario’s record', () => {
    const entry = { pcid: 3, pageNumber: 0x400, pageShift: 12, frameBase: 0x5000, writable: true, user: true, executable: false, global: false, dirty: false, pkey: 0, leafEntryAddress: 0, lastUse: 1 };
    const slots = booted.tlb.slots.slice();
    slots[2] = entry;
    const pid = booted.kernel.processes.ids[0]!;
    const process = booted.kernel.processes.byId[pid]!;
    const after: MachineState = {
      ...booted,
      tlb: { ...booted.tlb, slots },
      kernel: { ...booted.kernel, processes: { ...booted.kernel.processes, byId: { ...booted.kernel.processes.byId, [pid]: { ...process, catches: ['SIGSEGV'] } } } },
      scenario: { ...booted.scenario, stepsChecked: booted.scenario.stepsChecked + 1 },
    };
    expect(changedPaths(booted, after, []).sort()).toEqual([`kernel.processes.byId.${pid}.catches`, 'tlb.order', 'tlb.pcid.3']);
    expect(changedPaths(booted, booted, [])).toEqual([]);
  });

  it('counts frames in the geometry of the machine', () => {
    const small = { ...booted, memory: { ...booted.memory, frameBytes: 1024 } };
    expect(sorted(footprintOf([envelope('memory.read', { address: 0x5004, size: 1 })], small)).reads).toContain('memory.frames.20');
  });

  it('makes a context switch a dependency: a switching step writes the current process and CR3', () => {
    const plan = planOf(`scenario "two processes"
process a { uid: 1000, catch: SIGSEGV }
process b { uid: 1001, catch: SIGSEGV }
a: read 0x400000
b: read 0x500000
b: read 0x500000
`);
    const [a, b, bAgain] = footprintsOf(plan);
    expect(b!.writes).toContain('kernel.current');
    expect(b!.writes).toContain('cpu.cr3');
    expect(b!.reads).toContain('kernel.current');
    expect(a!.reads).toContain('kernel.current');
    expect(independent(a!, b!)).toBe(false);
    // b's second read does not switch: it only reads who runs.
    expect(bAgain!.writes).not.toContain('kernel.current');
    expect(bAgain!.reads).toContain('kernel.current');
  });

  it('finds writes to one shared frame dependent, and private writes dependent only through the switch and the TLB', () => {
    const twoWriters = (shared: boolean) =>
      planOf(`scenario "two writers"
region shm size 4 KiB
process a { uid: 1000 }
process b { uid: 1001 }
a: map 0x400000 size 4 KiB rw user${shared ? ' shared shm' : ''}
a: write 0x400000 = 0x1
b: map 0x500000 size 4 KiB rw user${shared ? ' shared shm' : ''}
b: write 0x500000 = 0x2
`);
    const dataFrames = (footprint: Footprint) => [...footprint.writes].filter((key) => key.startsWith('memory.frames.'));
    const shared = footprintsOf(twoWriters(true));
    const separate = footprintsOf(twoWriters(false));
    expect(dataFrames(shared[1]!).some((key) => dataFrames(shared[3]!).includes(key))).toBe(true);
    expect(dataFrames(separate[1]!).some((key) => dataFrames(separate[3]!).includes(key))).toBe(false);
    expect(independent(shared[1]!, shared[3]!)).toBe(false);
    // Both writes fill a TLB entry (the slot order is shared) under PCID 0.
    expect(separate[1]!.writes).toContain('tlb.order');
    expect(independent(separate[1]!, separate[3]!)).toBe(false);
    // Every map takes frames from the allocator.
    expect(independent(separate[0]!, separate[2]!)).toBe(false);
  });

  it('sees the stale-TLB pair as dependent: the attacker’s lookup and the victim’s fill of PCID 1', () => {
    const plan = planOf(`scenario "stale TLB race"
machine {
  tlb 64 entries { pcid: on }
}
kernel {
  switch { flush: off, pcids: 1 }
}
process victim { uid: 1000 }
process attacker { uid: 1001, catch: SIGSEGV }
attacker: read 0x400000 size 4
victim: map 0x400000 size 8 KiB rw user
victim: read 0x400000 size 4
`);
    const [attacker, , victimRead] = footprintsOf(plan);
    expect(attacker!.reads).toContain('tlb.pcid.1');
    expect(victimRead!.writes).toContain('tlb.pcid.1');
  });
});

describe('independent', () => {
  const footprint = (reads: string[], writes: string[]): Footprint => ({ reads: new Set(reads), writes: new Set(writes) });

  it.each([
    ['disjoint resources', footprint(['memory.frames.1'], ['memory.frames.2']), footprint(['memory.frames.3'], ['memory.frames.4']), true],
    ['two reads of one frame', footprint(['memory.frames.1'], []), footprint(['memory.frames.1'], []), true],
    ['a write and a read of one frame', footprint([], ['memory.frames.1']), footprint(['memory.frames.1'], []), false],
    ['two writes of one frame', footprint([], ['memory.frames.1']), footprint([], ['memory.frames.1']), false],
    ['frames 1 and 10 (a path, not a string prefix)', footprint([], ['memory.frames.1']), footprint(['memory.frames.10'], ['memory.frames.10']), true],
    ['a write below what the other reads', footprint([], ['kernel.processes.byId.1.vmas']), footprint(['kernel.processes'], []), false],
    ['a write above what the other reads', footprint([], ['tlb.pcid']), footprint(['tlb.pcid.1'], []), false],
    ['two fields of one record', footprint([], ['kernel.processes.byId.1.vmas']), footprint(['kernel.processes.byId.1.name'], []), true],
    ['a read of everything and any write', footprint([EVERYTHING], []), footprint([], ['cpu.cr2']), false],
    ['a read of everything and nothing written', footprint([EVERYTHING], []), footprint(['cpu.cr2'], []), true],
    ['nothing at all', footprint([], []), footprint([], ['memory.frames.1']), true],
  ])('%s', (_name, a, b, expected) => {
    expect(independent(a, b)).toBe(expected);
    expect(independent(b, a)).toBe(expected);
  });
});

describe('what explore refuses', () => {
  it('refuses a scenario with repeat (E_EXPLORE)', () => {
    const loaded = loadText(`scenario "repeats"
process a { uid: 1000 }
process b { uid: 1001 }
a: map 0x400000 size 4 KiB rw user
repeat 2 {
  a: read 0x400000
}
b: syscall getpid
`);
    const plan = compileScenario(loaded, {});
    expect(() => stepLines(loaded, plan)).toThrow(ScenarioError);
    try {
      interleavingScenario(loaded, plan, plan.steps.map((_, i) => i), []);
      expect.unreachable('interleavingScenario accepted a repeat');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).code).toBe('E_EXPLORE');
      expect((error as ScenarioError).message).toContain('uses repeat');
    }
  });

  it('refuses steps from an imported file (E_EXPLORE)', () => {
    const files: Record<string, string> = {
      'main.isl': `scenario "imports"
import "setup.isl"
a: read 0x400000
`,
      'setup.isl': `process a { uid: 1000 }
a: map 0x400000 size 4 KiB rw user
`,
    };
    const loaded = loadScenario('main.isl', (path) => ({ file: path, text: files[path]! }));
    const plan = compileScenario(loaded, {});
    expect(() => stepLines(loaded, plan)).toThrow(expect.objectContaining({ code: 'E_EXPLORE' }));
  });
});
