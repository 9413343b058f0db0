/** TLB events (closed union). Hits and misses are observations and change no state. */
import type { TlbEntry } from './state.js';

export type TlbEvent =
  | { type: 'tlb.hit'; actor: string; data: { va: string; pcid: number; slot: number } }
  | { type: 'tlb.missed'; actor: string; data: { va: string; pcid: number } }
  | { type: 'tlb.filled'; actor: string; data: { va: string; slot: number; entry: TlbEntry; evicted: TlbEntry | null } }
  | { type: 'tlb.dirtied'; actor: string; data: { slot: number } }
  | {
      type: 'tlb.flushed';
      actor: string;
      /** Why, and which slots were emptied. */
      data: { reason: string; scope: 'all' | 'non-global' | 'pcid'; pcid: number | null; slots: number[] };
    }
  | { type: 'tlb.invalidated'; actor: string; data: { va: string; pcid: number; slots: number[]; reason: string } };

export type TlbEventType = TlbEvent['type'];
