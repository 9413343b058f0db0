/**
 * Physical memory as frames: the bytes (a persistent store), who owns each frame, and
 * how many address spaces map a private frame that fork(2) shares copy-on-write (Linux
 * keeps that count in struct page: the mapcount). The allocator hands out the lowest
 * free frame (or one drawn from the seeded stream) and never gives out a frame that is
 * owned: the kernel keeps frames from overlapping (concept 17).
 */
import { RadixTrie } from '../../core/radix.js';
import { PhysicalStore } from './store.js';

export type FramePurpose = 'kernel' | 'kernel-text' | 'page-table' | 'data' | 'region' | 'secret' | 'raw';

export interface FrameOwner {
  /** 'kernel', a process name, a region name, or 'raw'. */
  readonly owner: string;
  readonly purpose: FramePurpose;
}

/** What a freed frame still holds until it is zeroed or overwritten: whose data, and why it was freed. */
export interface Residue {
  readonly owner: string;
  /** The swap slot the frame's page went to, when a swap-out freed it. */
  readonly swapSlot: number | null;
}

export interface MemoryState {
  readonly store: PhysicalStore;
  readonly frameBytes: number;
  readonly frameCount: number;
  readonly owners: RadixTrie<FrameOwner>;
  /** Frames below this were handed out at least once; above it all are free. */
  readonly watermark: number;
  /** Frames freed since, lowest first. */
  readonly freed: readonly number[];
  /**
   * Address spaces mapping a private frame, for frames shared copy-on-write after a
   * fork (absent: one). A frame is freed only when its last mapping goes.
   */
  readonly mapCounts: RadixTrie<number>;
  /**
   * Frames freed with their contents still in them (Linux zeroes a user page when it is
   * handed out again, not when it is freed). Zeroing or a full copy clears the entry;
   * the invariants read it to tell a leak of old contents from a process's own data.
   */
  readonly residue: RadixTrie<Residue>;
}

export function initialMemoryState(memoryBytes: number, frameBytes: number): MemoryState {
  const frameCount = Math.floor(memoryBytes / frameBytes);
  return {
    store: PhysicalStore.empty(memoryBytes),
    frameBytes,
    frameCount,
    owners: RadixTrie.empty<FrameOwner>(frameCount),
    watermark: 0,
    freed: [],
    mapCounts: RadixTrie.empty<number>(frameCount),
    residue: RadixTrie.empty<Residue>(frameCount),
  };
}

/** How many address spaces map a frame (1 unless it is shared copy-on-write). */
export function mapCountOf(memory: MemoryState, pfn: number): number {
  return memory.mapCounts.get(pfn) ?? 1;
}

export function isFrameFree(memory: MemoryState, pfn: number): boolean {
  return pfn >= 0 && pfn < memory.frameCount && memory.owners.get(pfn) === undefined;
}

export function freeFrameCount(memory: MemoryState): number {
  return memory.frameCount - memory.owners.size;
}

/**
 * The `count` lowest free frames, or null when memory is exhausted. Owned frames
 * below the watermark (reserved by the kernel or a raw setup) are skipped.
 */
export function lowestFreeFrames(memory: MemoryState, count: number): number[] | null {
  const out: number[] = [];
  for (const pfn of memory.freed) {
    if (out.length === count) return out;
    if (memory.owners.get(pfn) === undefined) out.push(pfn);
  }
  for (let pfn = memory.watermark; out.length < count && pfn < memory.frameCount; pfn++) {
    if (memory.owners.get(pfn) === undefined) out.push(pfn);
  }
  return out.length === count ? out : null;
}
