/**
 * Which TLB entries an instruction invalidates (Intel SDM Vol. 3A §4.10.4.1,
 * "Operations that Invalidate TLBs and Paging-Structure Caches"):
 * - MOV to CR3 with CR4.PCIDE=0: every entry for PCID 0 except global ones.
 * - MOV to CR3 with CR4.PCIDE=1 and bit 63 of the source clear: every entry for the new
 *   PCID (bits 11:0) except global ones; with bit 63 set: nothing ("no-flush").
 * - MOV to CR4 that changes PGE, or clears PCIDE: every entry, global ones included.
 *   Setting SMEP or changing PAE: every entry of the current PCID.
 * - MOV to CR0 that clears PG: every entry.
 * - INVLPG: entries for that page of the current PCID, and global entries for it.
 */
import type { EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { TlbEvent } from './events.js';
import { pageNumberOf, tlbSlotsWhere, type TlbState } from './state.js';

type Draft = EventDraft & TlbEvent;

export function flushOnCr3Load(tlb: TlbState, actor: string, pcide: boolean, newPcid: number, noFlush: boolean): Draft[] {
  if (pcide && noFlush) return [];
  const pcid = pcide ? newPcid : 0;
  const slots = tlbSlotsWhere(tlb, (entry) => entry.pcid === pcid && !entry.global);
  return [
    {
      type: 'tlb.flushed',
      actor,
      data: { reason: pcide ? `MOV to CR3 flushes PCID ${pcid}` : 'MOV to CR3 (PCIDE=0)', scope: 'pcid', pcid, slots },
    },
  ];
}

export function flushAll(tlb: TlbState, actor: string, reason: string): Draft[] {
  return [{ type: 'tlb.flushed', actor, data: { reason, scope: 'all', pcid: null, slots: tlbSlotsWhere(tlb, () => true) } }];
}

export function flushPcid(tlb: TlbState, actor: string, pcid: number, reason: string): Draft[] {
  const slots = tlbSlotsWhere(tlb, (entry) => entry.pcid === pcid && !entry.global);
  return [{ type: 'tlb.flushed', actor, data: { reason, scope: 'pcid', pcid, slots } }];
}

export function invalidatePage(
  tlb: TlbState,
  actor: string,
  va: bigint,
  vaHigh: number,
  vaLow: number,
  linearBits: number,
  pcid: number,
  reason: string,
): Draft[] {
  const slots = tlbSlotsWhere(
    tlb,
    (entry) => (entry.pcid === pcid || entry.global) && entry.pageNumber === pageNumberOf(vaHigh, vaLow, linearBits, entry.pageShift),
  );
  return [{ type: 'tlb.invalidated', actor, data: { va: hex(va), pcid, slots, reason } }];
}
