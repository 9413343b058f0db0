/**
 * The kernel's page-table editor: plans the entry writes and table allocations that map
 * or unmap a page, reading the current tables from physical memory plus the writes it
 * has already planned. It returns events; it never mutates state. Intermediate entries
 * get P and R/W, and U/S in the user half (Linux's _PAGE_TABLE), so the leaf alone
 * decides a user page's rights; A and D start clear so the walk shows the MMU set them.
 */
import type { EventDraft } from '../core/decider.js';
import { InternalError } from '../core/errors.js';
import { hex } from '../core/u64.js';
import type { MemoryState } from '../hw/memory/state.js';
import { lowestFreeFrames } from '../hw/memory/state.js';
import { decodeEntry, encodeEntry, entryHex, splitVirtual, levelLowBits, bitsOfHalves, isOstepValid } from '../hw/mmu/index.js';
import type { EntryFields } from '../hw/mmu/index.js';
import type { PagingGeometry } from '../hw/mmu/types.js';
import { drawInt, streamStateOf, type StreamState } from '../core/prng.js';
import type { MachineState } from '../machine/state.js';

/** An editor for a decision about user memory, honouring the machine's allocation order. */
export function editorFor(state: MachineState): PageTableEditor {
  const random = state.config.allocation === 'random' ? (state.rng.frames ?? streamStateOf(state.config.seed, 'frames')) : null;
  return new PageTableEditor(state.memory, state.config.geometry, [], random);
}

export type LeafFields = Partial<EntryFields> & { readonly frameAddress: number };

export type MapResult = 'mapped' | 'no-memory' | 'large-page';

interface EntryValue {
  readonly high: number;
  readonly low: number;
}

export class PageTableEditor {
  private readonly pending = new Map<number, EntryValue>();
  private readonly writes: { address: number; before: EntryValue; after: EntryValue; why: string }[] = [];
  private readonly newTables: number[] = [];
  private readonly taken = new Set<number>();

  private stream: StreamState | null;
  private drew = false;

  constructor(
    private readonly memory: MemoryState,
    private readonly geometry: PagingGeometry,
    /** Frames already promised by the caller in this same decision. */
    reserved: readonly number[] = [],
    /** The 'frames' stream when allocation is random; null for lowest-first. */
    random: StreamState | null = null,
  ) {
    for (const pfn of reserved) this.taken.add(pfn);
    this.stream = random;
  }

  get frameBytes(): number {
    return this.memory.frameBytes;
  }

  /**
   * Free frames not yet promised: the lowest ones, or with random allocation each one
   * drawn from the seeded 'frames' stream (the first free frame at or after the draw,
   * wrapping around). Null when memory is exhausted.
   */
  takeFrames(count: number): number[] | null {
    if (this.stream !== null) return this.takeRandomFrames(count);
    const candidates = lowestFreeFrames(this.memory, count + this.taken.size);
    if (candidates === null) return null;
    const out = candidates.filter((pfn) => !this.taken.has(pfn)).slice(0, count);
    if (out.length < count) return null;
    for (const pfn of out) this.taken.add(pfn);
    return out;
  }

  private takeRandomFrames(count: number): number[] | null {
    const out: number[] = [];
    const total = this.memory.frameCount;
    for (let n = 0; n < count; n++) {
      const draw = drawInt(this.stream!, 0, total - 1);
      this.stream = draw.next;
      this.drew = true;
      let pfn = -1;
      for (let probe = 0; probe < total; probe++) {
        const candidate = (draw.value + probe) % total;
        if (this.memory.owners.get(candidate) === undefined && !this.taken.has(candidate)) {
          pfn = candidate;
          break;
        }
      }
      if (pfn < 0) return null;
      this.taken.add(pfn);
      out.push(pfn);
    }
    return out;
  }

  /** A new, zeroed table frame (allocated as a page table owned by `owner`). */
  newTable(): number | null {
    const frames = this.takeFrames(1);
    if (frames === null) return null;
    this.newTables.push(frames[0]!);
    return frames[0]! * this.memory.frameBytes;
  }

  /**
   * An entry as planned so far. A table allocated in this decision reads as zero: its
   * frame may still hold what a freed table or page left there until the zeroing event
   * is folded, and walking that would reach into tables that are not this one's.
   */
  readEntry(address: number): EntryValue {
    const planned = this.pending.get(address);
    if (planned !== undefined) return planned;
    if (this.newTables.includes(Math.floor(address / this.memory.frameBytes))) return { high: 0, low: 0 };
    return this.memory.store.readEntry(address, this.geometry.entryBytes);
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

  /**
   * Maps one page. Fails when memory for a table ran out, or when a large page already
   * maps the range at an upper level (its entry points at a page, not at a table).
   */
  mapPage(root: number, va: bigint, pageShift: number, leaf: LeafFields, userHalf: boolean, why: string): MapResult {
    const leafLevel = this.leafLevelFor(pageShift);
    let table = root;
    for (let level = 0; level < leafLevel; level++) {
      const address = this.entryAddress(table, va, level);
      const entry = this.readEntry(address);
      if (this.present(entry)) {
        if (this.isLargePage(entry, level)) return 'large-page';
        if (userHalf) this.grantUser(address, entry);
        table = this.frameOf(entry);
        continue;
      }
      const next = this.newTable();
      if (next === null) return 'no-memory';
      this.writeEntry(address, this.tableEntry(next, userHalf), `${why}: new ${this.geometry.levelNames[level + 1]}`);
      table = next;
    }
    const value = encodeEntry(this.geometry.format, leaf, {
      offsetBits: this.geometry.offsetBits,
      entryBytes: this.geometry.entryBytes,
    });
    this.writeEntry(this.entryAddress(table, va, leafLevel), value, why);
    return 'mapped';
  }

  /** Upper entries of the user half carry U/S=1 (Linux's _PAGE_TABLE): only the leaf decides. */
  private grantUser(address: number, entry: EntryValue): void {
    if (this.geometry.format === 'ostep' || (entry.low & 0x4) !== 0) return;
    this.writeEntry(address, { high: entry.high, low: (entry.low | 0x4) >>> 0 }, 'user-half table entry gets U/S');
  }

  private isLargePage(entry: EntryValue, level: number): boolean {
    return this.geometry.format !== 'ostep' && this.geometry.largePageLevels.includes(level) && (entry.low & 0x80) !== 0;
  }

  /**
   * Sets U/S on every entry of the walk to `va`, leaf included: the kernel bug that
   * makes a supervisor page user-accessible. Returns whether the walk reached a page.
   */
  grantUserPath(root: number, va: bigint, why: string): boolean {
    let table = root;
    for (let level = 0; level < this.geometry.levelIndexBits.length; level++) {
      const address = this.entryAddress(table, va, level);
      const entry = this.readEntry(address);
      if (!this.present(entry)) return false;
      if ((entry.low & 0x4) === 0) this.writeEntry(address, { high: entry.high, low: (entry.low | 0x4) >>> 0 }, why);
      if (this.isLargePage(entry, level) || level === this.geometry.levelIndexBits.length - 1) return true;
      table = this.frameOf(entry);
    }
    return false;
  }

  /**
   * Clears the leaf entry of a page; returns whether one was present. A not-present
   * entry that still names a frame (a PROT_NONE page) is cleared too.
   */
  unmapPage(root: number, va: bigint, pageShift: number, why: string): boolean {
    const leafLevel = this.leafLevelFor(pageShift);
    let table = root;
    for (let level = 0; level < leafLevel; level++) {
      const entry = this.readEntry(this.entryAddress(table, va, level));
      if (!this.present(entry) || this.isLargePage(entry, level)) return false;
      table = this.frameOf(entry);
    }
    const address = this.entryAddress(table, va, leafLevel);
    const entry = this.readEntry(address);
    if (entry.high === 0 && entry.low === 0) return false;
    this.writeEntry(address, { high: 0, low: 0 }, why);
    return this.present(entry);
  }

  /** The fields of a page's leaf entry as planned so far, or null when no table reaches it. */
  leafFields(root: number, va: bigint, pageShift: number): EntryFields | null {
    const leafLevel = this.leafLevelFor(pageShift);
    let table = root;
    for (let level = 0; level < leafLevel; level++) {
      const entry = this.readEntry(this.entryAddress(table, va, level));
      if (!this.present(entry) || this.isLargePage(entry, level)) return null;
      table = this.frameOf(entry);
    }
    const entry = this.readEntry(this.entryAddress(table, va, leafLevel));
    return decodeEntry(this.geometry.format, entry.high, entry.low, { offsetBits: this.geometry.offsetBits, entryBytes: this.geometry.entryBytes });
  }

  private frameOf(entry: EntryValue): number {
    return decodeEntry(this.geometry.format, entry.high, entry.low, {
      offsetBits: this.geometry.offsetBits,
      entryBytes: this.geometry.entryBytes,
    }).frameAddress;
  }

  private emittedTables = 0;
  private emittedWrites = 0;

  /**
   * The events planned since the last call: the stream's advance, new tables allocated
   * and zeroed, then every entry write in order. A decision that plans in phases (unmap,
   * then map) calls it once per phase.
   */
  drafts(actor: string, owner: string): EventDraft[] {
    const drafts: EventDraft[] = [];
    if (this.drew) {
      drafts.push({ type: 'rng.advanced', actor, data: { stream: 'frames', state: [...this.stream!] } });
      this.drew = false;
    }
    const tables = this.newTables.slice(this.emittedTables);
    this.emittedTables = this.newTables.length;
    if (tables.length > 0) {
      drafts.push({ type: 'memory.framesAllocated', actor, data: { frames: tables, owner: { owner, purpose: 'page-table' } } });
      drafts.push({ type: 'memory.framesZeroed', actor, data: { frames: [...tables] } });
    }
    const bytes = this.geometry.entryBytes;
    const writes = this.writes.slice(this.emittedWrites);
    this.emittedWrites = this.writes.length;
    for (const write of writes) {
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
