/** Physical-memory events (closed union). Reads are observations: no state changes. */
import type { FrameOwner } from './state.js';

export type MemoryEvent =
  | {
      type: 'memory.read';
      actor: string;
      /** value: the bytes as a little-endian number; bytes: as stored, lowest address first. */
      /**
       * ac (EFLAGS.AC) and user (the page was a user-mode address) come with CPU accesses;
       * they are absent for the kernel's own bookkeeping.
       */
      data: { address: number; size: number; value: string; bytes: string; by: string; cpl: number; ac?: boolean; user?: boolean };
    }
  | {
      type: 'memory.written';
      actor: string;
      /** bytes and before in hex, lowest address first. */
      data: { address: number; bytes: string; before: string; by: string; cpl: number; ac?: boolean; user?: boolean };
    }
  | {
      type: 'memory.entryWritten';
      actor: string;
      /** A paging-structure entry written by the kernel, a raw setup, or the MMU's A/D update. */
      data: { address: number; entryBytes: number; before: string; after: string; by: string; why: string };
    }
  | { type: 'memory.framesAllocated'; actor: string; data: { frames: number[]; owner: FrameOwner } }
  /** Frames back to the allocator; `owner` and `swapSlot` label what they still hold (a swap-out names its slot). */
  | { type: 'memory.framesFreed'; actor: string; data: { frames: number[]; owner?: string; swapSlot?: number } }
  | { type: 'memory.framesZeroed'; actor: string; data: { frames: number[] } }
  /** One more address space maps each frame (fork shares private frames copy-on-write). */
  | { type: 'memory.framesShared'; actor: string; data: { frames: number[] } }
  /** One fewer address space maps each frame (a frame listed twice loses two). */
  | { type: 'memory.framesUnshared'; actor: string; data: { frames: number[] } }
  /** The kernel copied a whole frame (a copy-on-write break: copy_user_highpage). */
  | { type: 'memory.frameCopied'; actor: string; data: { from: number; to: number } };

export type MemoryEventType = MemoryEvent['type'];
