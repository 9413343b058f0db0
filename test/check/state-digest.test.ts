// Proves that explore's state digest identifies states by everything that can influence what happens next: equal contents give equal digests however they were built, any change to memory, registers, kernel records or TLB contents and order changes it, while the TLB's absolute LRU stamps (event numbers) and the scenario's record of the past (beyond its counts) do not.
import { describe, expect, it } from 'vitest';
import type { MachineState } from '../../engine/machine/state.js';
import type { TlbEntry } from '../../engine/hw/tlb/state.js';
import { createEngine, executeStep, startPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { digestOf, stateDigest } from '../../check/state-digest.js';

const TEXT = `scenario "two pages in an LRU TLB"
machine {
  tlb 8 entries { replace: lru }
}
process a { uid: 1000 }
a: map 0x400000 size 8 KiB rw user
a: write 0x400000 = 0x41
a: read 0x401000
a: read 0x400000
`;

function finalState(): MachineState {
  const plan = compileScenario(loadScenario('digest.isl', () => ({ file: 'digest.isl', text: TEXT })), {});
  const engine = createEngine(plan);
  startPlan(engine, plan);
  for (const step of plan.steps) executeStep(engine, step);
  return engine.state;
}

const withTlbSlots = (state: MachineState, slots: (TlbEntry | null)[]): MachineState => ({ ...state, tlb: { ...state.tlb, slots } });

describe('stateDigest', () => {
  const state = finalState();
  const used = () => state.tlb.slots.map((entry, slot) => ({ entry, slot })).filter((s): s is { entry: TlbEntry; slot: number } => s.entry !== null);

  it('is the same for two states built separately with the same contents', () => {
    const again = finalState();
    expect(again).not.toBe(state);
    expect(stateDigest(again)).toBe(stateDigest(state));
  });

  it('changes with a byte of memory, a register, a kernel record or an observer record', () => {
    const digest = stateDigest(state);
    expect(stateDigest({ ...state, memory: { ...state.memory, store: state.memory.store.writeHex(0x400000, '42') } })).not.toBe(digest);
    expect(stateDigest({ ...state, cpu: { ...state.cpu, cr2: state.cpu.cr2 + 1n } })).not.toBe(digest);
    expect(stateDigest({ ...state, kernel: { ...state.kernel, current: null } })).not.toBe(digest);
    expect(stateDigest({ ...state, observer: { ...state.observer, knowledge: { a: ['x'] } } })).not.toBe(digest);
  });

  it('changes when the TLB holds an entry elsewhere or not at all', () => {
    const entries = used();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const moved = state.tlb.slots.slice();
    moved[entries[0]!.slot] = null;
    moved[state.tlb.slots.length - 1] = entries[0]!.entry;
    expect(stateDigest(withTlbSlots(state, moved))).not.toBe(stateDigest(state));
    const dropped = state.tlb.slots.slice();
    dropped[entries[0]!.slot] = null;
    expect(stateDigest(withTlbSlots(state, dropped))).not.toBe(stateDigest(state));
  });

  it('ignores the absolute LRU stamps but not their order', () => {
    const shifted = state.tlb.slots.map((entry) => (entry === null ? null : { ...entry, lastUse: entry.lastUse + 1000 }));
    expect(stateDigest(withTlbSlots(state, shifted))).toBe(stateDigest(state));
    const [first, second] = used();
    const swapped = state.tlb.slots.slice();
    swapped[first!.slot] = { ...first!.entry, lastUse: second!.entry.lastUse };
    swapped[second!.slot] = { ...second!.entry, lastUse: first!.entry.lastUse };
    expect(stateDigest(withTlbSlots(state, swapped))).not.toBe(stateDigest(state));
  });

  it('keeps of the scenario’s record only its counts', () => {
    const violation = { invariant: 'memory.process-isolation', message: 'first wording', event: 10 };
    const one = { ...state, scenario: { ...state.scenario, violations: [violation] } };
    const reworded = { ...state, scenario: { ...state.scenario, violations: [{ ...violation, message: 'other wording', event: 99 }] } };
    const two = { ...state, scenario: { ...state.scenario, violations: [violation, violation] } };
    expect(stateDigest(reworded)).toBe(stateDigest(one));
    expect(stateDigest(one)).not.toBe(stateDigest(state));
    expect(stateDigest(two)).not.toBe(stateDigest(one));
  });
});

describe('digestOf', () => {
  it.each([
    ['a number and its string', 1, '1'],
    ['a bigint and a number', 1n, 1],
    ['null and undefined', null, undefined],
    ['an array and a record with index keys', [1, 2], { 0: 1, 1: 2 }],
    ['records with swapped values', { a: 1, b: 2 }, { a: 2, b: 1 }],
    ['a hole and a zero', [, 1], [0, 1]],
  ])('tells apart %s', (_name, a, b) => {
    expect(digestOf(a)).not.toBe(digestOf(b));
  });

  it('ignores the order keys were written in, and undefined fields', () => {
    expect(digestOf({ a: 1, b: [2, 3] })).toBe(digestOf({ b: [2, 3], a: 1 }));
    expect(digestOf({ a: 1, b: undefined })).toBe(digestOf({ a: 1 }));
  });

  it('refuses a value a state must not hold', () => {
    expect(() => digestOf({ f: () => 1 })).toThrow(/cannot compare/);
  });
});
