/**
 * copy_from_user / copy_to_user for system-call handlers: the kernel reading and writing
 * the calling process's memory (with EFLAGS.AC set, as Linux's STAC does, so SMAP allows
 * it). A page the process has not touched yet, a swapped-out page or, for a write, a
 * copy-on-write page is fixed first, as the kernel's own fault would (proc/uaccess.ts);
 * an address no mapping allows is EFAULT, never a fault of the kernel.
 *
 * A read returns the bytes the page holds or would hold once faulted in (zeros, or the
 * swapped-out contents) without recording the fault-in: the kernel reading a page does
 * not change what any process sees.
 */
import type { EventDraft } from '../../core/decider.js';
import { hexToBytes } from '../../core/bytes.js';
import type { MachineState } from '../../machine/state.js';
import { pageAt, pageBytesOf } from '../proc/aspace.js';
import { copyToUser, prepareUserAccess } from '../proc/uaccess.js';
import type { Process } from '../state.js';

const PATH_MAX = 4096;
const CHUNK = 256;

/** Bytes from va to the end of its page (1 when nothing is mapped there: the read fails anyway). */
function toPageEnd(process: Process, va: bigint): number {
  const page = pageAt(process, va);
  return page === null ? 1 : Number(page.va + BigInt(pageBytesOf(page.vma)) - va);
}

/** Bytes at [va, va+length) of the process, or null (EFAULT). */
export function readUserBytes(state: MachineState, process: Process, va: bigint, length: number): Uint8Array | null {
  if (length === 0) return new Uint8Array(0);
  const range = prepareUserAccess(state, process, va, length, 'read');
  if (range === null) return null;
  const out = new Uint8Array(length);
  // readHex reads within one page: go page by page.
  for (let i = 0; i < length; ) {
    const at = va + BigInt(i);
    const run = Math.min(toPageEnd(process, at), length - i);
    out.set(hexToBytes(range.readHex(at, run)), i);
    i += run;
  }
  return out;
}

/** A NUL-terminated string of at most PATH_MAX bytes, or null (EFAULT or too long). */
export function readUserString(state: MachineState, process: Process, va: bigint): string | null {
  const bytes: number[] = [];
  while (bytes.length < PATH_MAX) {
    const at = va + BigInt(bytes.length);
    const chunk = readUserBytes(state, process, at, Math.min(CHUNK, toPageEnd(process, at)));
    if (chunk === null) return null;
    const nul = chunk.indexOf(0);
    if (nul >= 0) return new TextDecoder().decode(Uint8Array.from([...bytes, ...chunk.subarray(0, nul)]));
    bytes.push(...chunk);
  }
  return null;
}

/** The events that write `bytes` at va in the process (faults fixed first), or null (EFAULT). */
export function writeUserBytes(state: MachineState, process: Process, va: bigint, bytes: Uint8Array): EventDraft[] | null {
  return copyToUser(state, process, va, bytes);
}
