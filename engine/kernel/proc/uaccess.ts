/**
 * The kernel touching a process's memory for a system call (copy_to_user and
 * copy_from_user, arch/x86/lib/usercopy_64.c): a page the process has not touched yet,
 * a swapped-out page, or a page shared copy-on-write (for a write) faults inside the
 * kernel, and the fault handler fixes it exactly as for the process itself
 * (handle_mm_fault) before the copy goes on. An address no mapping allows is EFAULT.
 */
import type { EventDraft } from '../../core/decider.js';
import { bytesToHex } from '../../core/bytes.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { mapCountOf } from '../../hw/memory/state.js';
import { editorFor } from '../pagetables.js';
import type { Process } from '../state.js';
import { pageAt, pageBytesOf } from './aspace.js';
import { faultInPage, vmaAllows, type FaultKind, type PageContent } from './fault.js';
import { NO_FRAME } from './state.js';

export interface UserRange {
  /** Faults resolved on the way (frames filled, copies made), to emit before the copy. */
  readonly drafts: EventDraft[];
  /** The physical address behind each virtual address of the range, after the fixes. */
  physicalOf(va: bigint): number;
  /** The bytes at [va, va+length) within one page, as they are after the fixes, hex. */
  readHex(va: bigint, length: number): string;
}

/**
 * Makes [va, va+length) accessible to the kernel for `kind` on the process's behalf, or
 * null (EFAULT). Processes sharing the address space see the same fixes.
 */
export function prepareUserAccess(state: MachineState, process: Process, va: bigint, length: number, kind: FaultKind): UserRange | null {
  const editor = editorFor(state);
  const fixes: EventDraft[] = [];
  const frames = new Map<bigint, number>();
  const contents = new Map<bigint, PageContent>();
  for (let at = va; at < va + BigInt(length); ) {
    const page = pageAt(process, at);
    if (page === null || !vmaAllows(page.vma, kind)) return null;
    const ready = page.frame !== NO_FRAME && (kind !== 'write' || page.vma.region !== null || mapCountOf(state.memory, page.frame) < 2);
    if (ready && (kind !== 'write' || writableEntry(editor, process, page.va, page.vma.pageShift))) {
      frames.set(page.va, page.frame);
      contents.set(page.va, { kind: 'frame', frame: page.frame });
    } else {
      const fixed = faultInPage(state, process, at, kind, editor, true);
      if (fixed === null) return null;
      fixes.push(...fixed.drafts);
      frames.set(page.va, fixed.frame);
      contents.set(page.va, fixed.content);
    }
    at = page.va + BigInt(pageBytesOf(page.vma));
  }
  const frameBytes = state.memory.frameBytes;
  const drafts = [...editor.drafts('kernel', process.name), ...fixes];
  return {
    drafts,
    physicalOf(address: bigint): number {
      const page = pageAt(process, address)!;
      return frames.get(page.va)! * frameBytes + Number(address - page.va);
    },
    readHex(address: bigint, count: number): string {
      const page = pageAt(process, address)!;
      const offset = Number(address - page.va);
      const content = contents.get(page.va)!;
      if (content.kind === 'zero') return '00'.repeat(count);
      if (content.kind === 'bytes') return content.hex.slice(offset * 2, (offset + count) * 2).padEnd(count * 2, '0');
      return state.memory.store.readHex(content.frame * frameBytes + offset, count);
    },
  };
}

function writableEntry(editor: ReturnType<typeof editorFor>, process: Process, va: bigint, pageShift: number): boolean {
  const leaf = editor.leafFields(process.rootTable, va, pageShift);
  return leaf !== null && leaf.present && leaf.writable;
}

/** copy_to_user: the events that write `bytes` at va in the process, or null (EFAULT). */
export function copyToUser(state: MachineState, process: Process, va: bigint, bytes: Uint8Array): EventDraft[] | null {
  const range = prepareUserAccess(state, process, va, bytes.length, 'write');
  if (range === null) return null;
  const drafts = [...range.drafts];
  let i = 0;
  while (i < bytes.length) {
    const at = va + BigInt(i);
    const address = range.physicalOf(at);
    const page = pageAt(process, at)!;
    const left = Number(page.va + BigInt(pageBytesOf(page.vma)) - at);
    const run = Math.min(left, bytes.length - i);
    drafts.push({
      type: 'memory.written',
      actor: 'kernel',
      data: {
        address,
        bytes: bytesToHex(bytes.subarray(i, i + run)),
        before: range.readHex(va + BigInt(i), run),
        by: 'kernel',
        cpl: 0,
        why: `copy_to_user ${hex(va + BigInt(i))}`,
      },
    });
    i += run;
  }
  return drafts;
}
