/**
 * The TLB: a fully associative cache of translations, tagged with a PCID (SDM Vol. 3A
 * §4.10.1, §4.10.2), with deterministic replacement (FIFO, or LRU by last use). An entry
 * caches the rights combined across the walk (§4.10.2.2) and whether the page was
 * already dirty, so a write through a clean entry sets D in memory first (§4.8).
 * Paging-structure caches are not modelled separately: every miss walks from CR3.
 */
import type { TlbReplacement } from '../../machine/config.js';

export interface TlbEntry {
  readonly pcid: number;
  /** Linear page number: the address shifted right by pageShift. */
  readonly pageNumber: number;
  readonly pageShift: number;
  readonly frameBase: number;
  readonly writable: boolean;
  readonly user: boolean;
  readonly executable: boolean;
  readonly global: boolean;
  readonly dirty: boolean;
  readonly pkey: number;
  /** Physical address of the leaf entry, where a write sets D. */
  readonly leafEntryAddress: number;
  /** Last use, for LRU: the seq of the event that filled or last hit it. */
  readonly lastUse: number;
}

export interface TlbState {
  readonly capacity: number;
  readonly replacement: TlbReplacement;
  readonly slots: readonly (TlbEntry | null)[];
  /** Next FIFO victim. */
  readonly next: number;
}

export function initialTlbState(capacity: number, replacement: TlbReplacement): TlbState {
  return { capacity, replacement, slots: new Array<TlbEntry | null>(capacity).fill(null), next: 0 };
}

/** Page number of an address split in 32-bit halves, for a page of 2^shift bytes. */
export function pageNumberOf(vaHigh: number, vaLow: number, linearBits: number, shift: number): number {
  if (linearBits <= 32) return Math.floor(vaLow / 2 ** shift);
  const highBits = linearBits - 32;
  const high = highBits >= 32 ? vaHigh : vaHigh & ((1 << highBits) - 1);
  const page4k = high * 0x100000 + (vaLow >>> 12);
  return shift >= 12 ? Math.floor(page4k / 2 ** (shift - 12)) : high * 2 ** (32 - shift) + Math.floor(vaLow / 2 ** shift);
}

/** The slot holding a translation of the address for this PCID, or -1. */
export function tlbLookup(tlb: TlbState, pcid: number, vaHigh: number, vaLow: number, linearBits: number): number {
  const slots = tlb.slots;
  let page4k = -1;
  for (let slot = 0; slot < slots.length; slot++) {
    const entry = slots[slot];
    if (entry === null || entry === undefined) continue;
    if (entry.pcid !== pcid && !entry.global) continue;
    let page: number;
    if (entry.pageShift === 12) {
      if (page4k < 0) page4k = pageNumberOf(vaHigh, vaLow, linearBits, 12);
      page = page4k;
    } else {
      page = pageNumberOf(vaHigh, vaLow, linearBits, entry.pageShift);
    }
    if (page === entry.pageNumber) return slot;
  }
  return -1;
}

/** Where a new entry goes: a free slot first, else the FIFO or LRU victim. */
export function tlbVictim(tlb: TlbState): number {
  const free = tlb.slots.indexOf(null);
  if (free >= 0) return free;
  if (tlb.replacement === 'fifo') return tlb.next;
  let victim = 0;
  for (let slot = 1; slot < tlb.slots.length; slot++) {
    if (tlb.slots[slot]!.lastUse < tlb.slots[victim]!.lastUse) victim = slot;
  }
  return victim;
}

/** Slots matching a predicate, in slot order. */
export function tlbSlotsWhere(tlb: TlbState, keep: (entry: TlbEntry) => boolean): number[] {
  const out: number[] = [];
  tlb.slots.forEach((entry, slot) => {
    if (entry !== null && keep(entry)) out.push(slot);
  });
  return out;
}
