/**
 * Physical memory as frames: the bytes (a persistent store) and who owns each frame.
 * The allocator hands out the lowest free frame (or one drawn from the seeded stream)
 * and never gives out a frame that is owned: the kernel keeps frames from overlapping
 * (concept 17).
 */
import { RadixTrie } from '../../core/radix.js';
import { PhysicalStore } from './store.js';

export type FramePurpose = 'kernel' | 'kernel-text' | 'page-table' | 'data' | 'region' | 'secret' | 'raw';

export interface FrameOwner {
  /** 'kernel', a process name, a region name, or 'raw'. */
  readonly owner: string;
  readonly purpose: FramePurpose;
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
  };
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
