/**
 * TLB reducers, hand-written copy-on-write: the TLB is on the hot path (DESIGN.md,
 * "Speed"), so a fill copies the slot array once and nothing else.
 */
import type { Envelope } from '../../core/decider.js';
import type { TlbEvent } from './events.js';
import type { TlbState } from './state.js';

type Data<T extends TlbEvent['type']> = Extract<TlbEvent, { type: T }>['data'];

export function evolveTlbFilled(tlb: TlbState, event: Envelope): TlbState {
  const { slot, entry } = event.data as Data<'tlb.filled'>;
  const slots = tlb.slots.slice();
  slots[slot] = { ...entry, lastUse: event.seq };
  const next = tlb.replacement === 'fifo' && slot === tlb.next ? (tlb.next + 1) % tlb.capacity : tlb.next;
  return { ...tlb, slots, next };
}

export function evolveTlbHit(tlb: TlbState, event: Envelope): TlbState {
  if (tlb.replacement !== 'lru') return tlb;
  const { slot } = event.data as Data<'tlb.hit'>;
  const slots = tlb.slots.slice();
  slots[slot] = { ...slots[slot]!, lastUse: event.seq };
  return { ...tlb, slots };
}

export function evolveTlbDirtied(tlb: TlbState, event: Envelope): TlbState {
  const { slot } = event.data as Data<'tlb.dirtied'>;
  const slots = tlb.slots.slice();
  slots[slot] = { ...slots[slot]!, dirty: true };
  return { ...tlb, slots };
}

export function evolveTlbCleared(tlb: TlbState, event: Envelope): TlbState {
  const { slots: cleared } = event.data as Data<'tlb.flushed'> | Data<'tlb.invalidated'>;
  if (cleared.length === 0) return tlb;
  const slots = tlb.slots.slice();
  for (const slot of cleared) slots[slot] = null;
  return { ...tlb, slots };
}

export const tlbReducers = {
  'tlb.filled': evolveTlbFilled,
  'tlb.hit': evolveTlbHit,
  'tlb.dirtied': evolveTlbDirtied,
  'tlb.flushed': evolveTlbCleared,
  'tlb.invalidated': evolveTlbCleared,
} as const;
