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
  | { type: 'memory.framesFreed'; actor: string; data: { frames: number[] } }
  | { type: 'memory.framesZeroed'; actor: string; data: { frames: number[] } };

export type MemoryEventType = MemoryEvent['type'];
