// Proves the memory slice's bookkeeping for copy-on-write and reuse: per-frame map counts (shared, unshared, cleared when a frame is freed or handed out), whole-frame copies, the residue a freed frame keeps until it is zeroed or overwritten — and the invariants built on them: memory.frames-disjoint now also refuses sharing a frame that is not private data or freeing one still shared, and memory.process-isolation refuses a write into a frame still shared copy-on-write while reads of it stay legitimate.
import { describe, expect, it } from 'vitest';
import type { Envelope, EventDraft } from '../../../engine/core/decider.js';
import { initialMemoryState, mapCountOf } from '../../../engine/hw/memory/state.js';
import { memoryReducers } from '../../../engine/hw/memory/evolve.js';
import { PhysicalStore } from '../../../engine/hw/memory/store.js';
import { invariantByName } from '../../../engine/machine/invariants.js';
import { Machine, given } from '../../helpers/machine.js';

const envelope = (draft: EventDraft): Envelope => ({ seq: 0, tick: 0, cause: null, ...draft });
const event = (type: string, data: unknown): EventDraft => ({ type, actor: 'kernel', data });
const fold = (events: readonly EventDraft[]) => {
  let memory = initialMemoryState(64 * 4096, 4096);
  for (const draft of events) memory = (memoryReducers as Record<string, (m: typeof memory, e: Envelope) => typeof memory>)[draft.type]!(memory, envelope(draft));
  return memory;
};
const owned = event('memory.framesAllocated', { frames: [7], owner: { owner: 'alice', purpose: 'data' } });

describe('map counts', () => {
  it('count one per address space, two after sharing, and fall back when unshared', () => {
    expect(mapCountOf(fold([owned]), 7)).toBe(1);
    expect(mapCountOf(fold([owned, event('memory.framesShared', { frames: [7] })]), 7)).toBe(2);
    const twice = [owned, event('memory.framesShared', { frames: [7] }), event('memory.framesShared', { frames: [7] })];
    expect(mapCountOf(fold(twice), 7)).toBe(3);
    expect(mapCountOf(fold([...twice, event('memory.framesUnshared', { frames: [7, 7] })]), 7)).toBe(1);
    expect(fold([...twice, event('memory.framesUnshared', { frames: [7, 7] })]).mapCounts.size).toBe(0);
  });

  it('are forgotten when the frame is freed or handed out again', () => {
    const shared = [owned, event('memory.framesShared', { frames: [7] })];
    expect(fold([...shared, event('memory.framesFreed', { frames: [7] })]).mapCounts.size).toBe(0);
  });
});

describe('frame copies and residue', () => {
  it('a copy carries every byte of the frame and shares the store\'s chunks', () => {
    const store = PhysicalStore.empty(8 * 4096).writeHex(4096 + 100, 'c0ffee');
    const copied = store.copy(4096, 3 * 4096, 4096);
    expect(copied.readHex(3 * 4096 + 100, 3)).toBe('c0ffee');
    expect(copied.readHex(3 * 4096, 4)).toBe('00000000');
    expect(store.copy(0, 5, 7).readHex(5, 7)).toBe('00000000000000');
  });

  it('a freed frame keeps its owner\'s residue until it is zeroed; a swap-out names its slot', () => {
    const freed = fold([owned, event('memory.framesFreed', { frames: [7], owner: 'alice', swapSlot: 3 })]);
    expect(freed.residue.get(7)).toEqual({ owner: 'alice', swapSlot: 3 });
    expect(fold([owned, event('memory.framesFreed', { frames: [7] })]).residue.get(7)).toEqual({ owner: 'alice', swapSlot: null });
    const zeroed = fold([owned, event('memory.framesFreed', { frames: [7] }), event('memory.framesZeroed', { frames: [7] })]);
    expect(zeroed.residue.get(7)).toBeUndefined();
    const copiedOver = fold([owned, event('memory.framesFreed', { frames: [7] }), event('memory.frameCopied', { from: 1, to: 7 })]);
    expect(copiedOver.residue.get(7)).toBeUndefined();
  });
});

describe('memory.frames-disjoint with sharing', () => {
  const invariant = invariantByName('memory.frames-disjoint')!;

  it('refuses to share a frame that is free or not private data', () => {
    const state = given([owned, event('memory.framesAllocated', { frames: [8], owner: { owner: 'mailbox', purpose: 'region' } })]).state;
    expect(invariant.check(state, envelope(event('memory.framesShared', { frames: [7] })), state)).toBeNull();
    expect(invariant.check(state, envelope(event('memory.framesShared', { frames: [9] })), state)).toBe('frame 9 shared copy-on-write, but it is free');
    expect(invariant.check(state, envelope(event('memory.framesShared', { frames: [8] })), state)).toBe('frame 8 shared copy-on-write, but it is a region frame of mailbox');
  });

  it('refuses to free a frame twice', () => {
    const state = given([owned, event('memory.framesFreed', { frames: [7] })]).state;
    expect(invariant.check(state, envelope(event('memory.framesFreed', { frames: [7] })), state)).toBe('frame 7 freed twice: nobody owns it');
  });

  it('refuses to free a frame another address space still maps', () => {
    const state = given([owned, event('memory.framesShared', { frames: [7] })]).state;
    expect(invariant.check(state, envelope(event('memory.framesFreed', { frames: [7] })), state)).toBe('frame 7 freed while 2 address spaces still map it');
    const unshared = given([owned, event('memory.framesShared', { frames: [7] }), event('memory.framesUnshared', { frames: [7] })]).state;
    expect(invariant.check(unshared, envelope(event('memory.framesFreed', { frames: [7] })), unshared)).toBeNull();
  });
});

describe('memory.process-isolation with copy-on-write', () => {
  const invariant = invariantByName('memory.process-isolation')!;

  /** alice and bob both map frame F (as after a fork), counted twice. */
  function sharing() {
    const machine = new Machine();
    machine.createProcess('alice');
    machine.map('alice', 0x400000n);
    machine.exec('alice', { op: 'syscall', syscall: { nr: 57, name: 'fork', args: [], as: 'bob' } });
    const frame = machine.process('alice').vmas[0]!.frames[0]!;
    return { state: machine.state, frame };
  }

  it('allows both to read the shared frame', () => {
    const { state, frame } = sharing();
    const read = envelope({ type: 'memory.read', actor: 'bob', data: { address: frame * 4096, size: 1, value: '0x0', bytes: '00', by: 'bob', cpl: 3 } });
    expect(invariant.check(state, read, state)).toBeNull();
  });

  it('refuses a user write into it while shared, naming the other address space', () => {
    const { state, frame } = sharing();
    const write = envelope({ type: 'memory.written', actor: 'bob', data: { address: frame * 4096, bytes: '41', before: '00', by: 'bob', cpl: 3 } });
    expect(invariant.check(state, write, state)).toBe(`bob wrote frame ${frame} (0x${(frame * 4096).toString(16)}), which it still shares copy-on-write with alice: the write is seen by the other address space`);
  });
});
