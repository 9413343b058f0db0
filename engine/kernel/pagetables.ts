/**
 * The kernel's page-table editor: plans the entry writes and table allocations that map
 * or unmap a page, reading the current tables from physical memory plus the writes it
 * has already planned. It returns events; it never mutates state. Intermediate entries
 * get P, R/W and (for user mappings) U/S, as Linux's _PAGE_TABLE does, so the leaf alone
 * decides the rights; A and D start clear so the walk shows the MMU setting them.
 */
import type { EventDraft } from '../core/decider.js';
import { InternalError } from '../core/errors.js';
import { hex } from '../core/u64.js';
import type { MemoryState } from '../hw/memory/state.js';
import { lowestFreeFrames } from '../hw/memory/state.js';
import { decodeEntry, encodeEntry, entryHex, splitVirtual, levelLowBits, bitsOfHalves, isOstepValid } from '../hw/mmu/index.js';
import type { EntryFields } from '../hw/mmu/index.js';
import type { PagingGeometry } from '../hw/mmu/types.js';

export type LeafFields = Partial<EntryFields> & { readonly frameAddress: number };

interface EntryValue {
  readonly high: number;
  readonly low: number;
}

export class PageTableEditor {
  private readonly pending = new Map<number, EntryValue>();
  private readonly writes: { address: number; before: EntryValue; after: EntryValue; why: string }[] = [];
  private readonly newTables: number[] = [];
  private readonly taken = new Set<number>();

  constructor(
    private readonly memory: MemoryState,
    private readonly geometry: PagingGeometry,
    /** Frames already promised by the caller in this same decision. */
    reserved: readonly number[] = [],
  ) {
    for (const pfn of reserved) this.taken.add(pfn);
  }

  get frameBytes(): number {
    return this.memory.frameBytes;
  }

  /** The lowest free frames not yet promised; null when memory is exhausted. */
  takeFrames(count: number): number[] | null {
    const candidates = lowestFreeFrames(this.memory, count + this.taken.size);
    if (candidates === null) return null;
    const out = candidates.filter((pfn) => !this.taken.has(pfn)).slice(0, count);
    if (out.length < count) return null;
    for (const pfn of out) this.taken.add(pfn);
    return out;
  }

  /** A new, zeroed table frame (allocated as a page table owned by `owner`). */
  newTable(): number | null {
    const frames = this.takeFrames(1);
    if (frames === null) return null;
    this.newTables.push(frames[0]!);
    return frames[0]! * this.memory.frameBytes;
  }

  readEntry(address: number): EntryValue {
    return this.pending.get(address) ?? this.memory.store.readEntry(address, this.geometry.entryBytes);
  }

  writeEntry(address: number, after: EntryValue, why: string): void {
    const before = this.readEntry(address);
    this.pending.set(address, after);
    this.writes.push({ address, before, after, why });
  }

  private present(entry: EntryValue): boolean {
    if (this.geometry.format === 'ostep') return isOstepValid(this.geometry.entryBytes, entry.low);
    return (entry.low & 1) !== 0;
  }

  private tableEntry(frameAddress: number, user: boolean): EntryValue {
    return encodeEntry(
      this.geometry.format,
      { frameAddress, present: true, writable: true, user },
      { offsetBits: this.geometry.offsetBits, entryBytes: this.geometry.entryBytes },
    );
  }

  /** Address of the entry for `va` at `level` in the table at `tableAddress`. */
  entryAddress(tableAddress: number, va: bigint, level: number): number {
    const { high, low } = splitVirtual(va);
    const lows = levelLowBits(this.geometry);
    const index = bitsOfHalves(high, low, lows[level]!, this.geometry.levelIndexBits[level]!);
    return tableAddress + index * this.geometry.entryBytes;
  }

  /** The level whose entries map pages of 2^pageShift bytes. */
  leafLevelFor(pageShift: number): number {
    const lows = levelLowBits(this.geometry);
    const level = lows.indexOf(pageShift);
    if (level < 0) throw new InternalError(`no level maps pages of 2^${pageShift} bytes`);
    return level;
  }

  /** Maps one page; returns false when memory for a table ran out. */
  mapPage(root: number, va: bigint, pageShift: number, leaf: LeafFields, user: boolean, why: string): boolean {
    const leafLevel = this.leafLevelFor(pageShift);
    let table = root;
    for (let level = 0; level < leafLevel; level++) {
      const address = this.entryAddress(table, va, level);
      const entry = this.readEntry(address);
      if (this.present(entry)) {
        table = this.frameOf(entry);
        continue;
      }
      const next = this.newTable();
      if (next === null) return false;
      this.writeEntry(address, this.tableEntry(next, user), `${why}: new ${this.geometry.levelNames[level + 1]}`);
      table = next;
    }
    const value = encodeEntry(this.geometry.format, leaf, {
      offsetBits: this.geometry.offsetBits,
      entryBytes: this.geometry.entryBytes,
    });
    this.writeEntry(this.entryAddress(table, va, leafLevel), value, why);
    return true;
  }

  /** Clears the leaf entry of a page; returns whether one was present. */
  unmapPage(root: number, va: bigint, pageShift: number, why: string): boolean {
    const leafLevel = this.leafLevelFor(pageShift);
    let table = root;
    for (let level = 0; level < leafLevel; level++) {
      const entry = this.readEntry(this.entryAddress(table, va, level));
      if (!this.present(entry)) return false;
      table = this.frameOf(entry);
    }
    const address = this.entryAddress(table, va, leafLevel);
    if (!this.present(this.readEntry(address))) return false;
    this.writeEntry(address, { high: 0, low: 0 }, why);
    return true;
  }

  private frameOf(entry: EntryValue): number {
    return decodeEntry(this.geometry.format, entry.high, entry.low, {
      offsetBits: this.geometry.offsetBits,
      entryBytes: this.geometry.entryBytes,
    }).frameAddress;
  }

  /** The events: new tables allocated and zeroed, then every entry write in order. */
  drafts(actor: string, owner: string): EventDraft[] {
    const drafts: EventDraft[] = [];
    if (this.newTables.length > 0) {
      drafts.push({ type: 'memory.framesAllocated', actor, data: { frames: [...this.newTables], owner: { owner, purpose: 'page-table' } } });
      drafts.push({ type: 'memory.framesZeroed', actor, data: { frames: [...this.newTables] } });
    }
    const bytes = this.geometry.entryBytes;
    for (const write of this.writes) {
      drafts.push({
        type: 'memory.entryWritten',
        actor,
        data: {
          address: write.address,
          entryBytes: bytes,
          before: entryHex(this.geometry.format, bytes, write.before.high, write.before.low),
          after: entryHex(this.geometry.format, bytes, write.after.high, write.after.low),
          by: actor,
          why: write.why,
        },
      });
    }
    return drafts;
  }

  get allocatedTables(): readonly number[] {
    return this.newTables;
  }
}

export function hexAddress(value: bigint): string {
  return hex(value);
}
