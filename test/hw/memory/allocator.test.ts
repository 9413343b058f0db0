// Proves the kernel's frame allocator: it hands out the lowest free frames, reuses freed frames lowest first, never hands out an owned frame (the memory.frames-disjoint invariant says so when it would), and refuses with ENOMEM when memory runs out.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { INVARIANT_VIOLATED } from '../../../engine/core/engine.js';
import { initialMemoryState, lowestFreeFrames, type FrameOwner } from '../../../engine/hw/memory/state.js';
import { invariantByName } from '../../../engine/machine/invariants.js';
import { Machine, dataOf, given, oneOf } from '../../helpers/machine.js';

const MIB = 1024 * 1024;

interface Allocation {
  readonly frames: number[];
  readonly owner: FrameOwner;
}

const allocations = (events: readonly Envelope[]) => dataOf<Allocation>(events, 'memory.framesAllocated');
const dataFrames = (events: readonly Envelope[]) => allocations(events).find((a) => a.owner.purpose === 'data')!.frames;

describe('lowestFreeFrames', () => {
  const owned = (frames: number[]) => {
    const memory = initialMemoryState(64 * 4096, 4096);
    let owners = memory.owners;
    for (const pfn of frames) owners = owners.set(pfn, { owner: 'x', purpose: 'data' });
    return { ...memory, owners, watermark: 0 };
  };

  it('returns the lowest frames nobody owns', () => {
    expect(lowestFreeFrames(owned([0, 1, 3]), 3)).toEqual([2, 4, 5]);
  });

  it('returns null when fewer frames are free than asked for', () => {
    expect(lowestFreeFrames(owned(Array.from({ length: 62 }, (_, i) => i)), 3)).toBeNull();
    expect(lowestFreeFrames(owned([]), 64)).toHaveLength(64);
  });

  it('takes freed frames first, then frames above the watermark', () => {
    const memory = { ...owned([0, 1, 3]), watermark: 4, freed: [2] };
    expect(lowestFreeFrames(memory, 2)).toEqual([2, 4]);
  });
});

describe('on a booted machine', () => {
  it('boot reserves the first MiB and the kernel text, and takes its page tables from the lowest free frames', () => {
    const machine = new Machine();
    const byPurpose = Object.fromEntries(allocations(machine.events).map((a) => [a.owner.purpose, a.frames]));
    expect(byPurpose.kernel).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(byPurpose['kernel-text']).toEqual(Array.from({ length: 512 }, (_, i) => 512 + i));
    expect(byPurpose['page-table']).toEqual([256, 257, 258, 259, 260]);
  });

  it('gives a new mapping the lowest free frames, data before its page tables', () => {
    const machine = new Machine();
    machine.createProcess('a');
    const events = machine.map('a', 0x400000n, { sizeBytes: 3 * 4096 });
    expect(allocations(events)).toEqual([
      { frames: [262, 263, 264], owner: { owner: 'a', purpose: 'data' } },
      { frames: [265, 266, 267], owner: { owner: 'a', purpose: 'page-table' } },
    ]);
  });

  it('reuses freed frames, lowest first', () => {
    const machine = new Machine();
    machine.createProcess('a');
    machine.map('a', 0x400000n, { sizeBytes: 4 * 4096 });
    const frames = machine.process('a').vmas[0]!.frames;
    machine.unmap('a', 0x403000n);
    machine.unmap('a', 0x401000n);
    expect(machine.state.memory.freed).toEqual([frames[1], frames[3]]);
    const again = machine.map('a', 0x800000n, { sizeBytes: 3 * 4096 });
    const reused = dataFrames(again);
    expect(reused.slice(0, 2)).toEqual([frames[1], frames[3]]);
    expect(reused[2]).toBeGreaterThan(frames[3]!);
    expect(machine.state.memory.freed).toEqual([]);
  });

  it('never hands out a frame a raw write already owns', () => {
    const machine = new Machine();
    machine.createProcess('a');
    const next = machine.state.memory.watermark;
    const raw = machine.run({ type: 'memory.writePhysical', actor: 'raw', data: { address: (next + 1) * 4096, bytes: 'ff' } });
    expect(oneOf(raw, 'memory.framesAllocated')).toEqual({ frames: [next + 1], owner: { owner: 'raw', purpose: 'raw' } });
    const events = machine.map('a', 0x400000n, { sizeBytes: 3 * 4096 });
    expect(dataFrames(events)).toEqual([next, next + 2, next + 3]);
    expect(machine.state.scenario.violations).toEqual([]);
  });

  it('skips the kernel text when the frames below it run out', () => {
    const machine = new Machine({ config: { memoryBytes: 8 * MIB } });
    machine.createProcess('a');
    const first = machine.state.memory.watermark;
    const below = 512 - first;
    const events = machine.map('a', 0x400000n, { sizeBytes: (below + 1) * 4096 });
    const frames = dataFrames(events);
    expect(frames.at(-2)).toBe(511);
    expect(frames.at(-1)).toBe(1024);
    expect(machine.state.scenario.violations).toEqual([]);
  });

  it('refuses a mapping larger than free memory with ENOMEM and allocates nothing', () => {
    const machine = new Machine({ config: { memoryBytes: 8 * MIB } });
    machine.createProcess('a');
    const before = machine.state.memory;
    const events = machine.map('a', 0x400000n, { sizeBytes: 8 * MIB });
    expect(events.map((e) => e.type)).toEqual(['kernel.requestRefused']);
    expect(events[0]!.data).toEqual({ operation: 'map', errno: 'ENOMEM', reason: 'out of physical memory' });
    expect(machine.state.memory).toBe(before);
  });
});

describe('memory.frames-disjoint', () => {
  const invariant = invariantByName('memory.frames-disjoint')!;
  const owned = { type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [7], owner: { owner: 'alice', purpose: 'data' } } };

  it('holds when the frames handed out were free', () => {
    const state = given([owned]).state;
    const envelope = { seq: 1, tick: 0, type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [8], owner: { owner: 'bob', purpose: 'data' } }, cause: null };
    expect(invariant.check(state, envelope, state)).toBeNull();
  });

  it('names the frame and its owner when an owned frame is handed out again', () => {
    const state = given([owned]).state;
    const envelope = { seq: 1, tick: 0, type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [8, 7], owner: { owner: 'bob', purpose: 'data' } }, cause: null };
    expect(invariant.check(state, envelope, state)).toBe('frame 7 handed out again while owned by alice (data)');
  });

  it('is reported by the engine as invariant.violated naming memory.frames-disjoint', () => {
    const machine = new Machine();
    const events = machine.run({ type: 'memory.writePhysical', actor: 'raw', data: { address: 0x1000, bytes: 'ff' } });
    // A raw write into an owned frame allocates nothing, so nothing is violated…
    expect(events.map((e) => e.type)).toEqual(['memory.written']);
    // …but an allocation of an owned frame is.
    machine.engine.record({ type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [1], owner: { owner: 'mallory', purpose: 'data' } } });
    const violated = machine.events.at(-1)!;
    expect(violated.type).toBe(INVARIANT_VIOLATED);
    expect(violated.data).toMatchObject({ invariant: 'memory.frames-disjoint', message: 'frame 1 handed out again while owned by kernel (kernel)' });
  });
});
