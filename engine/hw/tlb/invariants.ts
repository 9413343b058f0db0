/** The TLB's invariant: it never disagrees with the page tables for the active PCID. */
import type { Envelope, Invariant } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { pagingControlOf } from '../cpu/control.js';
import { translate } from '../mmu/index.js';
import type { TlbEntry } from './state.js';

type MachineInvariant = Invariant<MachineState>;

/**
 * A TLB entry usable under the current CR3/PCID must match what the page tables say now:
 * the same frame, and no more rights than the tables give (fewer is a benign, spurious
 * fault that the SDM allows, §4.10.4.3). Checked whenever an entry is used (a hit) and
 * whenever a process is about to run.
 */
function tlbEntryDisagreement(state: MachineState, entry: TlbEntry): string | null {
  const geometry = state.config.geometry;
  const pageBytes = 2 ** entry.pageShift;
  const linear = BigInt(entry.pageNumber) * BigInt(pageBytes);
  const high = Number(linear >> 32n) >>> 0;
  const low = Number(linear & 0xffffffffn) >>> 0;
  // A supervisor read with SMAP and PKE off is allowed on every present page, so the
  // walk reports the tables' rights for any translation that exists.
  const control = { ...pagingControlOf(state.cpu, state.config), cpl: 0, cr4Smap: false, cr4Pke: false };
  const store = state.memory.store;
  const walk = translate(geometry, control, { kind: 'read', vaHigh: high, vaLow: low }, (address, bytes) => store.readEntry(address, bytes), false);
  const va = hex(linear);
  if (walk.kind === 'fault' && (walk.errorCode & 1) === 0) return `the TLB maps ${va} but the page tables do not`;
  if (walk.kind === 'fault') return null;
  if (walk.frameBase !== entry.frameBase - (entry.frameBase % 2 ** walk.pageShift)) {
    return `the TLB maps ${va} to ${hex(entry.frameBase)} but the page tables map it to ${hex(walk.frameBase)}`;
  }
  const r = walk.rights;
  if ((entry.writable && !r.writable) || (entry.user && !r.user) || (entry.executable && !r.executable)) {
    return `the TLB grants ${va} more rights than the page tables do`;
  }
  return null;
}

function activeEntries(state: MachineState): TlbEntry[] {
  const pcid = state.cpu.cr4 & (1 << 17) ? state.cpu.cr3 % 4096 : 0;
  return state.tlb.slots.filter((entry): entry is TlbEntry => entry !== null && (entry.pcid === pcid || entry.global));
}

export const tlbCoherent: MachineInvariant = {
  name: 'tlb.coherent',
  statement: 'The TLB never holds a translation for the active PCID that disagrees with the current page tables.',
  defence: 'TLB flush (or a fresh PCID) on context switch and INVLPG after unmap/mprotect',
  on: ['tlb.hit', 'cpu.contextEntered'],
  check(_before, event: Envelope, after) {
    const entries =
      event.type === 'tlb.hit' ? [after.tlb.slots[(event.data as { slot: number }).slot]!].filter((e) => e !== null) : activeEntries(after);
    for (const entry of entries) {
      const problem = tlbEntryDisagreement(after, entry);
      if (problem !== null) return problem;
    }
    return null;
  },
};

