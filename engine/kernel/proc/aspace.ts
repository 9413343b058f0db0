/**
 * The pieces every change to an address space is made of (mm/memory.c, mm/mmap.c): the
 * pages of a mapping and their frames, the leaf entry a page gets, whether a present
 * page may be writable (not while its frame is shared copy-on-write), releasing pages
 * (a shared frame loses one mapping, a private one is freed, a swapped-out page gives
 * up its swap slot), and the TLB shootdown that must follow: INVLPG in the running
 * address space, a deferred flush for the others, as Linux's flush_tlb_mm_range does
 * with its tlb_gen. Processes sharing one address space (vfork, clone(CLONE_VM)) are
 * handled together: they have one set of page tables and each its own VMA records.
 */
import type { EventDraft } from '../../core/decider.js';
import { assert } from '../../core/errors.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { EFER_NXE, hasBit } from '../../hw/cpu/registers.js';
import { currentPcid } from '../../hw/cpu/control.js';
import { mapCountOf, type MemoryState } from '../../hw/memory/state.js';
import { splitVirtual } from '../../hw/mmu/index.js';
import { invalidatePage } from '../../hw/tlb/flush.js';
import type { LeafFields, PageTableEditor } from '../pagetables.js';
import type { Process, Vma } from '../state.js';
import { NO_FRAME, swapSlotOf, type SwapUser } from './state.js';

/** A page of a mapping: its VMA, its index there, its first address and its frame (or NO_FRAME). */
export interface Page {
  readonly vma: Vma;
  readonly index: number;
  readonly va: bigint;
  readonly frame: number;
}

export function pageBytesOf(vma: Vma): number {
  return 2 ** vma.pageShift;
}

/** A VMA has one frame per page: isolab maps base pages only (a frame is a base page). */
function frameAt(vma: Vma, index: number): number {
  assert(vma.frames.length * pageBytesOf(vma) === vma.sizeBytes, `a VMA at ${hex(vma.start)} with a frame per page`);
  return vma.frames[index]!;
}

export function pagesOfVma(vma: Vma): Page[] {
  const bytes = BigInt(pageBytesOf(vma));
  return vma.frames.map((_, index) => ({ vma, index, va: vma.start + BigInt(index) * bytes, frame: frameAt(vma, index) }));
}

/** The page holding `va`, or null when no VMA covers it. */
export function pageAt(process: Process, va: bigint): Page | null {
  for (const vma of process.vmas) {
    const end = vma.start + BigInt(vma.sizeBytes);
    if (va < vma.start || va >= end) continue;
    const bytes = BigInt(pageBytesOf(vma));
    const index = Number((va - vma.start) / bytes);
    return { vma, index, va: vma.start + BigInt(index) * bytes, frame: frameAt(vma, index) };
  }
  return null;
}

/** The mapped pages of [start, end), in address order (holes are skipped). */
export function pagesInRange(process: Process, start: bigint, end: bigint): Page[] {
  return process.vmas.flatMap((vma) => pagesOfVma(vma).filter((page) => page.va >= start && page.va < end));
}

export function nxActive(state: MachineState): boolean {
  return state.config.geometry.format === 'x86-64' && hasBit(state.cpu.efer, EFER_NXE);
}

/** The rights a leaf carries: from the VMA, the entry writable only when `writable`. */
export type LeafRights = Pick<Vma, 'read' | 'write' | 'execute' | 'user' | 'global' | 'pkey' | 'pageShift'>;

/**
 * The leaf entry of a page. PROT_NONE is a not-present entry (Linux's _PAGE_PROTNONE),
 * so every access faults; x86 cannot express write-only or execute-only pages, so any
 * right makes the page readable (mmap(2), NOTES).
 */
export function leafFor(state: MachineState, rights: LeafRights, frame: number, writable: boolean): LeafFields {
  return {
    frameAddress: frame * state.memory.frameBytes,
    present: rights.read || rights.write || rights.execute,
    writable,
    user: rights.user,
    global: rights.global,
    executeDisable: nxActive(state) && !rights.execute,
    protectionKey: rights.pkey,
    largePage: rights.pageShift > 12,
  };
}

/**
 * Whether a present page's entry may allow writes: the VMA allows them and, for private
 * memory, no other address space shares the frame (else the first write must fault and
 * copy: do_wp_page). Without an R/W bit (the teaching format) fork copies at once.
 */
export function writableNow(memory: MemoryState, vma: Vma, frame: number): boolean {
  if (!vma.write) return false;
  return vma.region !== null || mapCountOf(memory, frame) < 2;
}

/** Whether the paging format can write-protect a page (the OSTEP format has no R/W bit). */
export function canWriteProtect(state: MachineState): boolean {
  return state.config.geometry.format !== 'ostep';
}

/**
 * TLB shootdown after leaf entries changed: INVLPG for each page in the running address
 * space, a deferred flush (tlbGeneration) for every other process that uses the tables.
 */
export function shootdown(state: MachineState, processes: readonly Process[], vas: readonly bigint[]): EventDraft[] {
  if (vas.length === 0) return [];
  const geometry = state.config.geometry;
  return processes.flatMap((process): EventDraft[] => {
    if (state.kernel.current !== process.pid) return [{ type: 'kernel.tlbFlushDeferred', actor: 'kernel', data: { pid: process.pid } }];
    return vas.flatMap((va) => {
      const { high, low } = splitVirtual(va);
      return invalidatePage(state.tlb, 'tlb', va, high, low, geometry.linearBits, currentPcid(state.cpu), 'INVLPG after a mapping change');
    });
  });
}

/** A VMA as event data: the start as exact hex. */
export function vmaData(vma: Vma) {
  return { ...vma, start: hex(vma.start), frames: [...vma.frames] };
}

/** What releasing pages does to frames and swap slots. */
export interface Released {
  /** Frames whose last mapping went: back to the allocator. */
  readonly freed: number[];
  /** Frames still mapped by another address space: one mapping fewer. */
  readonly unshared: number[];
  /** Swap entries dropped from the page tables (the slot is freed with its last entry). */
  readonly swapEntries: SwapUser[];
}

/**
 * Releases pages of an address space (munmap, exit, MAP_FIXED over a mapping): clears
 * their leaf entries when `clearEntries` (exit frees whole tables instead) and accounts
 * for their frames. Shared regions keep their frames.
 */
export function releasePages(
  state: MachineState,
  editor: PageTableEditor,
  sharers: readonly Process[],
  pages: readonly Page[],
  clearEntries: boolean,
): Released {
  const released: Released = { freed: [], unshared: [], swapEntries: [] };
  const root = sharers[0]!.rootTable;
  for (const page of pages) {
    if (clearEntries) editor.unmapPage(root, page.va, page.vma.pageShift, 'unmap');
    if (page.vma.region !== null) continue;
    if (page.frame === NO_FRAME) {
      const vaHex = hex(page.va);
      for (const sharer of sharers) {
        if (swapSlotOf(state.kernel, sharer.pid, vaHex) !== null) released.swapEntries.push({ pid: sharer.pid, va: vaHex });
      }
    } else if (mapCountOf(state.memory, page.frame) > 1) {
      released.unshared.push(page.frame);
    } else {
      released.freed.push(page.frame);
    }
  }
  return released;
}

export function releasedDrafts(released: Released): EventDraft[] {
  const drafts: EventDraft[] = [];
  if (released.unshared.length > 0) drafts.push({ type: 'memory.framesUnshared', actor: 'kernel', data: { frames: released.unshared } });
  if (released.freed.length > 0) drafts.push({ type: 'memory.framesFreed', actor: 'kernel', data: { frames: released.freed } });
  if (released.swapEntries.length > 0) drafts.push({ type: 'kernel.swapEntriesDropped', actor: 'kernel', data: { entries: released.swapEntries } });
  return drafts;
}

export function refused(actor: string, operation: string, errno: string, reason: string): EventDraft {
  return { type: 'kernel.requestRefused', actor, data: { operation, errno, reason } };
}
