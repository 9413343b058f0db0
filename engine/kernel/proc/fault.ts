/**
 * The page-fault handler's resolvable cases (mm/memory.c, handle_pte_fault), before a
 * fault becomes a signal:
 * - a first touch of anonymous memory (do_anonymous_page): a minor fault that maps a
 *   zeroed frame. Linux maps the shared zero page for a read and copies on the first
 *   write; isolab gives a zeroed frame at once, which the program cannot tell apart.
 * - a page on the swap device (do_swap_page): a major fault that reads the slot into a
 *   fresh frame.
 * - a write to a present page its VMA allows writing but whose entry is read-only
 *   because fork shares the frame (do_wp_page): copy the frame (wp_page_copy) — or, when
 *   this address space is the frame's last user, just make the entry writable again
 *   (wp_can_reuse_anon_folio).
 * Whether the access may happen at all is the VMA's to say (arch/x86/mm/fault.c,
 * access_error): a write needs VM_WRITE, any access some right; an instruction fetch
 * counts as a read there (the retried fetch then meets NX). After the fix the access is
 * retried: the CPU restarts the faulting instruction on IRET.
 */
import type { EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { CR4_SMAP, hasBit } from '../../hw/cpu/registers.js';
import { mapCountOf } from '../../hw/memory/state.js';
import { PF_P, PF_PK, PF_W } from '../../hw/mmu/types.js';
import { editorFor, type PageTableEditor } from '../pagetables.js';
import { kernelLayoutOf } from '../layout.js';
import type { Process, Vma } from '../state.js';
import { leafFor, pageAt, shootdown, type Page } from './aspace.js';
import { NO_FRAME, sharersOf, swapSlotOf } from './state.js';

export type FaultKind = 'read' | 'write' | 'fetch';

/** How a fault was resolved, as `kernel.faultResolved` names it. */
export type FaultFix = 'zero-fill' | 'swap-in' | 'cow-copy' | 'cow-reuse';

/** The faulting access as the CPU reported it, to run again once the page is fixed. */
export interface AccessRetry {
  readonly va: string;
  readonly kind: FaultKind;
  readonly size: number;
  readonly bytes?: string;
  readonly cpl?: number;
  readonly ac?: boolean;
  readonly by: string;
}

/** access_error(): whether the VMA allows the access at all. */
export function vmaAllows(vma: Vma, kind: FaultKind): boolean {
  if (kind === 'write') return vma.write;
  return vma.read || vma.write || vma.execute;
}

/** Where the page's bytes come from once fixed: zeros, a slot's bytes, or a frame (itself, or the one copied). */
export type PageContent = { readonly kind: 'zero' } | { readonly kind: 'bytes'; readonly hex: string } | { readonly kind: 'frame'; readonly frame: number };

export interface FaultIn {
  readonly drafts: EventDraft[];
  readonly fix: FaultFix;
  /** The frame the page has afterwards. */
  readonly frame: number;
  /** Its bytes right after the fix (the events are not folded yet). */
  readonly content: PageContent;
}

/**
 * Makes a page present (and writable, for a write) when that is a fault the kernel
 * resolves; null when it is not (the access is an error). Entry writes go on `editor`,
 * whose drafts the caller emits before these drafts' records. `invalidateCurrent` adds
 * an INVLPG in the running address space — needed when no #PF did it (copy_to_user).
 */
export function faultInPage(state: MachineState, process: Process, va: bigint, kind: FaultKind, editor: PageTableEditor, invalidateCurrent: boolean): FaultIn | null {
  const page = pageAt(process, va);
  if (page === null || page.vma.region !== null || !vmaAllows(page.vma, kind)) return null;
  if (page.frame === NO_FRAME) return populate(state, process, page, editor);
  if (kind !== 'write' || currentlyWritable(editor, process, page)) return null;
  return breakCow(state, process, page, editor, invalidateCurrent);
}

/** Whether the page's leaf entry already allows writes (then a write fault is not copy-on-write). */
function currentlyWritable(editor: PageTableEditor, process: Process, page: Page): boolean {
  const leaf = editor.leafFields(process.rootTable, page.va, page.vma.pageShift);
  return leaf !== null && leaf.present && leaf.writable;
}

/** A first touch (zero-fill) or a swapped-out page coming back (swap-in). */
function populate(state: MachineState, process: Process, page: Page, editor: PageTableEditor): FaultIn | null {
  const taken = editor.takeFrames(1);
  if (taken === null) return null;
  const frame = taken[0]!;
  const sharers = sharersOf(state.kernel, process).slice(1).map((p) => p.pid);
  const vaHex = hex(page.va);
  const slot = swapSlotOf(state.kernel, process.pid, vaHex);
  editor.mapPage(process.rootTable, page.va, page.vma.pageShift, leafFor(state, page.vma, frame, page.vma.write), true, slot === null ? `zero-fill ${vaHex}` : `swap-in ${vaHex}`);
  const drafts: EventDraft[] = [
    { type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [frame], owner: { owner: process.name, purpose: 'data' } } },
    { type: 'memory.framesZeroed', actor: 'kernel', data: { frames: [frame] } },
  ];
  if (slot === null) {
    drafts.push({ type: 'kernel.pageZeroFilled', actor: 'kernel', data: { pid: process.pid, va: vaHex, frame, sharers } });
    return { drafts, fix: 'zero-fill', frame, content: { kind: 'zero' } };
  }
  if (/[^0]/.test(slot.bytes)) {
    const address = frame * state.memory.frameBytes;
    drafts.push({ type: 'memory.written', actor: 'kernel', data: { address, bytes: slot.bytes, before: '00'.repeat(slot.bytes.length / 2), by: 'kernel', cpl: 0, why: `swap-in from slot ${slot.slot}` } });
  }
  drafts.push({ type: 'kernel.pageSwappedIn', actor: 'kernel', data: { pid: process.pid, va: vaHex, slot: slot.slot, frame, sharers } });
  return { drafts, fix: 'swap-in', frame, content: { kind: 'bytes', hex: slot.bytes } };
}

/** do_wp_page: copy a frame another address space still maps, or reuse it when this is the last one. */
function breakCow(state: MachineState, process: Process, page: Page, editor: PageTableEditor, invalidateCurrent: boolean): FaultIn | null {
  const vaHex = hex(page.va);
  const everyone = sharersOf(state.kernel, process);
  const sharers = everyone.slice(1).map((p) => p.pid);
  if (mapCountOf(state.memory, page.frame) < 2) {
    editor.mapPage(process.rootTable, page.va, page.vma.pageShift, leafFor(state, page.vma, page.frame, true), true, `reuse ${vaHex}: last user of the frame`);
    const drafts: EventDraft[] = [{ type: 'kernel.cowReused', actor: 'kernel', data: { pid: process.pid, va: vaHex, frame: page.frame } }];
    return { drafts, fix: 'cow-reuse', frame: page.frame, content: { kind: 'frame', frame: page.frame } };
  }
  const taken = editor.takeFrames(1);
  if (taken === null) return null;
  const frame = taken[0]!;
  editor.mapPage(process.rootTable, page.va, page.vma.pageShift, leafFor(state, page.vma, frame, true), true, `copy-on-write ${vaHex}`);
  const others = invalidateCurrent ? everyone : everyone.filter((p) => p.pid !== state.kernel.current);
  const drafts: EventDraft[] = [
    { type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [frame], owner: { owner: process.name, purpose: 'data' } } },
    { type: 'memory.frameCopied', actor: 'kernel', data: { from: page.frame, to: frame } },
    ...shootdown(state, others, [page.va]),
    { type: 'memory.framesUnshared', actor: 'kernel', data: { frames: [page.frame] } },
    { type: 'kernel.cowCopied', actor: 'kernel', data: { pid: process.pid, va: vaHex, oldFrame: page.frame, newFrame: frame, sharers } },
  ];
  return { drafts, fix: 'cow-copy', frame, content: { kind: 'frame', frame: page.frame } };
}

function kindOf(errorCode: number, access: AccessRetry | null): FaultKind {
  if (access !== null) return access.kind;
  return (errorCode & PF_W) !== 0 ? 'write' : 'read';
}

/**
 * The kernel's handling of a #PF it can resolve: the fix, `kernel.faultResolved`, and the
 * IRET that restarts the access. Null when the fault is an error (a signal or an oops).
 * A kernel-mode fault on a user address is resolved only as Linux's uaccess does it:
 * with SMAP off or EFLAGS.AC set (arch/x86/mm/fault.c, do_user_addr_fault).
 */
export function resolveFault(state: MachineState, process: Process, va: bigint, errorCode: number, fromCpl: number, access: AccessRetry | null): EventDraft[] | null {
  if ((errorCode & PF_PK) !== 0) return null;
  if (va >= kernelLayoutOf(state.config).userTop) return null;
  if (fromCpl === 0 && (access === null || (hasBit(state.cpu.cr4, CR4_SMAP) && access.ac !== true))) return null;
  const kind = kindOf(errorCode, access);
  if ((errorCode & PF_P) !== 0 && kind !== 'write') return null;
  const editor = editorFor(state);
  const fixed = faultInPage(state, process, va, kind, editor, false);
  if (fixed === null) return null;
  return [
    ...editor.drafts('kernel', process.name),
    ...fixed.drafts,
    { type: 'kernel.faultResolved', actor: 'kernel', data: { pid: process.pid, name: process.name, va: hex(va), fix: fixed.fix, errorCode, retry: access } },
    { type: 'cpu.returned', actor: 'cpu', data: { via: 'iret', toCpl: fromCpl } },
  ];
}
