// Proves how the TLB fills and serves translations (SDM Vol. 3A §4.10.2, §4.8): FIFO and LRU victims, 2 MiB direct-map entries that answer for their whole page and survive a CR3 load as global entries, and a write through a clean entry that sets D in memory before it completes.
import { describe, expect, it } from 'vitest';
import type { TlbEntry } from '../../../engine/hw/tlb/state.js';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';

const A = 0x400000n;
const B = 0x401000n;
const C = 0x402000n;
const DIRECT_MAP = 0xffff888000000000n;
const PTE_D = 0x40;

/** A booted machine with a two-entry TLB and a process `p` with three pages at A, B, C. */
function twoEntryMachine(replace: 'fifo' | 'lru'): Machine {
  const machine = new Machine({ config: { tlbEntries: 2, tlbReplacement: replace } });
  machine.createProcess('p');
  machine.map('p', A, { sizeBytes: 3 * 4096 });
  return machine;
}

const pageOf = (entry: TlbEntry | null) => (entry === null ? null : entry.pageNumber);
const tlbPages = (machine: Machine) => machine.state.tlb.slots.map(pageOf);

describe('replacement', () => {
  it('fills free slots first, lowest first', () => {
    const machine = twoEntryMachine('fifo');
    expect(oneOf(machine.read('p', A), 'tlb.filled')).toMatchObject({ slot: 0, evicted: null });
    expect(oneOf(machine.read('p', B), 'tlb.filled')).toMatchObject({ slot: 1, evicted: null });
  });

  it('FIFO evicts the entry filled first, even if it was used since', () => {
    const machine = twoEntryMachine('fifo');
    machine.read('p', A);
    machine.read('p', B);
    expect(typesOf(machine.read('p', A))).toContain('tlb.hit');
    const fill = oneOf<{ slot: number; evicted: TlbEntry }>(machine.read('p', C), 'tlb.filled');
    expect(fill.slot).toBe(0);
    expect(fill.evicted.pageNumber).toBe(0x400);
    expect(tlbPages(machine)).toEqual([0x402, 0x401]);
    // The next victim is slot 1, then slot 0 again: a circular order.
    expect(oneOf(machine.read('p', A), 'tlb.filled')).toMatchObject({ slot: 1 });
    expect(oneOf(machine.read('p', B), 'tlb.filled')).toMatchObject({ slot: 0 });
  });

  it('LRU evicts the entry used least recently: a hit refreshes it', () => {
    const machine = twoEntryMachine('lru');
    machine.read('p', A);
    machine.read('p', B);
    machine.read('p', A);
    const fill = oneOf<{ slot: number; evicted: TlbEntry }>(machine.read('p', C), 'tlb.filled');
    expect(fill.slot).toBe(1);
    expect(fill.evicted.pageNumber).toBe(0x401);
    expect(typesOf(machine.read('p', A))).toContain('tlb.hit');
  });

  it('LRU records the seq of the last hit in the entry', () => {
    const machine = twoEntryMachine('lru');
    machine.read('p', A);
    const hit = machine.read('p', A).find((event) => event.type === 'tlb.hit')!;
    expect(machine.state.tlb.slots[0]!.lastUse).toBe(hit.seq);
  });

  it('follows the machine block: `tlb 2 entries { replace: lru }` keeps the page used last', () => {
    const text = [
      'variant replace: fifo | lru',
      'machine {',
      '  tlb 2 entries { replace: $replace }',
      '}',
      'process p { uid: 1000 }',
      'p: map 0x400000 size 12 KiB rw user',
      'p: read 0x400000 expect tlb miss',
      'p: read 0x401000 expect tlb miss',
      'p: read 0x400000 expect tlb hit',
      'p: read 0x402000 expect tlb miss',
      'p: read 0x400000 expect tlb hit when replace=lru',
      '  expect tlb miss when replace=fifo',
      'p: read 0x401000 expect tlb miss',
      '',
    ].join('\n');
    for (const replace of ['fifo', 'lru']) {
      const result = runText(text, { replace });
      expect(failuresOf(result), replace).toEqual([]);
      expect(result.state.tlb.replacement).toBe(replace);
    }
  });
});

describe('large pages', () => {
  it('a 2 MiB direct-map entry answers for every address in its page, and only those', () => {
    const machine = new Machine();
    machine.createProcess('p');
    const fill = oneOf<{ entry: TlbEntry }>(machine.kernelAccess('p', 'read', DIRECT_MAP + 0x1000n), 'tlb.filled');
    expect(fill.entry).toMatchObject({ pageShift: 21, global: true, user: false, frameBase: 0 });
    const last = machine.kernelAccess('p', 'read', DIRECT_MAP + 0x1ff000n + 0xfffn);
    expect(typesOf(last)).toEqual(['cpu.accessStarted', 'tlb.hit', 'memory.read']);
    expect(oneOf(last, 'memory.read')).toMatchObject({ address: 0x1fffff });
    expect(typesOf(machine.kernelAccess('p', 'read', DIRECT_MAP + 0x200000n))).toContain('tlb.missed');
  });

  it('a global entry survives the CR3 load of a context switch without PCIDs', () => {
    const machine = new Machine();
    machine.createProcess('p');
    machine.createProcess('q');
    machine.kernelAccess('p', 'read', DIRECT_MAP);
    const switched = machine.switchTo('q');
    expect(oneOf(switched, 'tlb.flushed')).toMatchObject({ slots: [] });
    expect(typesOf(machine.kernelAccess('q', 'read', DIRECT_MAP + 8n))).toContain('tlb.hit');
  });
});

describe('accessed and dirty flags', () => {
  it('a write through a clean entry sets D in the leaf entry in memory, then marks the entry dirty', () => {
    const machine = twoEntryMachine('fifo');
    const fill = oneOf<{ entry: TlbEntry }>(machine.read('p', A), 'tlb.filled');
    expect(fill.entry.dirty).toBe(false);
    const leaf = fill.entry.leafEntryAddress;
    expect(machine.state.memory.store.readEntry(leaf, 8).low & PTE_D).toBe(0);

    const write = machine.write('p', A, '41');
    expect(typesOf(write)).toEqual(['cpu.accessStarted', 'tlb.hit', 'memory.entryWritten', 'tlb.dirtied', 'memory.written']);
    const entryWrite = oneOf<{ address: number; before: string; after: string; why: string }>(write, 'memory.entryWritten');
    expect(entryWrite.address).toBe(leaf);
    expect(entryWrite.why).toBe('dirty');
    expect(BigInt(entryWrite.after)).toBe(BigInt(entryWrite.before) | BigInt(PTE_D));
    expect(machine.state.memory.store.readEntry(leaf, 8).low & PTE_D).toBe(PTE_D);
    expect(machine.state.tlb.slots[0]!.dirty).toBe(true);
  });

  it('a write through a dirty entry writes no entry', () => {
    const machine = twoEntryMachine('fifo');
    machine.write('p', A, '41');
    expect(typesOf(machine.write('p', A, '42'))).toEqual(['cpu.accessStarted', 'tlb.hit', 'memory.written']);
  });

  it('a write that misses sets A and D during the walk and fills a dirty entry', () => {
    const machine = twoEntryMachine('fifo');
    const write = machine.write('p', A, '41');
    const leafWrite = dataOf<{ why: string }>(write, 'memory.entryWritten').at(-1)!;
    expect(leafWrite.why).toBe('accessed+dirty');
    expect(oneOf<{ entry: TlbEntry }>(write, 'tlb.filled').entry.dirty).toBe(true);
  });
});
