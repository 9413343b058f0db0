/**
 * mmap(2), munmap(2), mprotect(2) with the kernel's checks in the kernel's order
 * (arch/x86/kernel/sys_x86_64.c sys_mmap, mm/mmap.c ksys_mmap_pgoff, do_mmap,
 * get_unmapped_area, do_vmi_munmap; mm/mprotect.c do_mprotect_pkey).
 *
 * Placement: MAP_FIXED takes the address as given (unmapping what was there), a free
 * hint is honoured, otherwise the highest free range below mmap_base — TASK_SIZE less
 * the 128 MiB stack gap, as Linux computes it without address-space randomisation
 * (arch/x86/mm/mmap.c) — then bottom-up from TASK_SIZE/3. Addresses below
 * mmap_min_addr (65536, CONFIG_DEFAULT_MMAP_MIN_ADDR) need CAP_SYS_RAWIO.
 *
 * Anonymous private memory is filled on first touch (demand paging); MAP_SHARED
 * anonymous memory is a shared region made at once (shmem), kept across fork. A
 * private file mapping is a copy of the file's bytes made at mmap time (Linux reads them
 * lazily; a program cannot tell while nobody writes the file); a writable shared file
 * mapping would have to write back and is not simulated (ENODEV). Devices, pipes and
 * sockets have no mmap (ENODEV). Huge pages are not reserved (ENOMEM). isolab keeps a
 * record per page, so it refuses mappings beyond MAX_MAPPING_PAGES with ENOMEM.
 */
import type { EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import { utf8Bytes, bytesToHex } from '../../core/bytes.js';
import type { MachineState } from '../../machine/state.js';
import { kernelLayoutOf } from '../layout.js';
import { mappingDrafts, protectDrafts, regionDrafts, unmapDrafts, type MappingPlan } from '../mm.js';
import { editorFor, type PageTableEditor } from '../pagetables.js';
import type { OpenFile, Process, Vma } from '../state.js';
import { capable } from '../cred/capable.js';
import { capabilityNumber } from '../syscall/constants.js';
import { fail, ok, type SyscallContext, type SyscallResult } from '../syscall/context.js';
import type { Errno } from '../syscall/errno.js';
import { openFileOf } from '../vfs/fds.js';
import { prepareUserAccess } from './uaccess.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_SEM,
  PROT_WRITE,
} from './constants.js';

const CAP_SYS_RAWIO = capabilityNumber('CAP_SYS_RAWIO')!;
const O_ACCMODE = 3;
const O_PATH = 0o10000000;
const MIB = 1024n * 1024n;

/** The most pages one mapping may have in isolab (a record per page): 1 GiB of 4 KiB pages. */
export const MAX_MAPPING_PAGES = 262144;

/** The user address space as mmap sees it. */
export interface MmapLayout {
  readonly pageBytes: bigint;
  /** TASK_SIZE: the first address user mappings may not reach (x86-64 keeps a guard page below the hole). */
  readonly taskSize: bigint;
  readonly mmapBase: bigint;
  readonly mmapMinAddr: bigint;
  /** TASK_UNMAPPED_BASE: where the bottom-up fallback starts. */
  readonly unmappedBase: bigint;
}

export function mmapLayoutOf(state: MachineState): MmapLayout {
  const pageBytes = BigInt(state.memory.frameBytes);
  const layout = kernelLayoutOf(state.config);
  const teaching = layout.kernelHalfIndex < 0;
  const taskSize = state.config.geometry.format === 'x86-64' ? layout.userTop - pageBytes : layout.userTop;
  if (teaching) return { pageBytes, taskSize, mmapBase: taskSize, mmapMinAddr: pageBytes, unmappedBase: alignUp(taskSize / 3n, pageBytes) };
  return { pageBytes, taskSize, mmapBase: taskSize - 128n * MIB, mmapMinAddr: 65536n, unmappedBase: alignUp(taskSize / 3n, pageBytes) };
}

function alignUp(value: bigint, to: bigint): bigint {
  return ((value + to - 1n) / to) * to;
}

function intersects(process: Process, start: bigint, end: bigint): Vma | null {
  return process.vmas.find((vma) => start < vma.start + BigInt(vma.sizeBytes) && end > vma.start) ?? null;
}

/** vm_unmapped_area, top-down: the highest free [a, a+len) inside [low, high). */
function highestGap(process: Process, len: bigint, low: bigint, high: bigint): bigint | null {
  let candidate = high - len;
  const byStartDown = [...process.vmas].sort((a, b) => (a.start > b.start ? -1 : a.start < b.start ? 1 : 0));
  for (const vma of byStartDown) {
    if (candidate < low) return null;
    if (intersects({ ...process, vmas: [vma] }, candidate, candidate + len) !== null) candidate = vma.start - len;
  }
  return candidate >= low ? candidate : null;
}

/** vm_unmapped_area, bottom-up: the lowest free [a, a+len) inside [low, high). */
function lowestGap(process: Process, len: bigint, low: bigint, high: bigint): bigint | null {
  let candidate = low;
  const byStart = [...process.vmas].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (const vma of byStart) {
    const end = vma.start + BigInt(vma.sizeBytes);
    if (candidate + len <= vma.start) break;
    if (end > candidate) candidate = end;
  }
  return candidate + len <= high ? candidate : null;
}

/** get_unmapped_area with the x86-64 top-down allocator and the generic checks after it. */
function unmappedArea(c: SyscallContext, layout: MmapLayout, addr: bigint, len: bigint, flags: number): bigint | { errno: Errno; note: string } {
  const { taskSize, mmapMinAddr, pageBytes } = layout;
  if (len > taskSize || len > taskSize - mmapMinAddr) return { errno: 'ENOMEM', note: `${len} bytes do not fit in the user address space` };
  let chosen: bigint | null;
  if ((flags & MAP_FIXED) !== 0) chosen = addr;
  else if (addr !== 0n && taskSize - len >= addr && addr >= mmapMinAddr && intersects(c.process, addr, addr + len) === null) chosen = addr;
  else {
    chosen = highestGap(c.process, len, mmapMinAddr > pageBytes ? mmapMinAddr : pageBytes, layout.mmapBase) ?? lowestGap(c.process, len, layout.unmappedBase, taskSize);
  }
  if (chosen === null) return { errno: 'ENOMEM', note: 'no free range of that size' };
  if (chosen > taskSize - len) return { errno: 'ENOMEM', note: `${hex(chosen)}..${hex(chosen + len)} reaches past TASK_SIZE ${hex(taskSize)}` };
  if (chosen % pageBytes !== 0n) return { errno: 'EINVAL', note: `${hex(chosen)} is not page-aligned` };
  if (chosen < mmapMinAddr && !capable(c.process.creds, CAP_SYS_RAWIO)) {
    return { errno: 'EPERM', note: `${hex(chosen)} is below mmap_min_addr (${hex(mmapMinAddr)}): only CAP_SYS_RAWIO may map there` };
  }
  return chosen;
}

interface MmapRequest {
  readonly addr: bigint;
  readonly length: bigint;
  readonly prot: number;
  readonly flags: number;
  readonly fd: number;
  /** The offset in bytes. */
  readonly offset: bigint;
}

export function mmap(c: SyscallContext): SyscallResult {
  if (c.abi === 'i386' && c.name === 'mmap') return oldMmap(c);
  const request: MmapRequest = {
    addr: c.u64(0),
    length: c.u64(1),
    prot: Number(c.u64(2) & 0xffffffffn),
    flags: Number(c.u64(3) & 0xffffffffn),
    fd: c.int32(4),
    offset: c.name === 'mmap2' ? c.u64(5) * BigInt(c.state.memory.frameBytes) : c.u64(5),
  };
  const layout = mmapLayoutOf(c.state);
  if (c.name !== 'mmap2' && request.offset % layout.pageBytes !== 0n) return fail('EINVAL', `offset ${hex(request.offset)} is not page-aligned`);
  return doMmap(c, layout, request);
}

/** i386 mmap (old_mmap): the six arguments are 32-bit words in user memory at the first argument. */
function oldMmap(c: SyscallContext): SyscallResult {
  const address = c.u64(0);
  const range = prepareUserAccess(c.state, c.process, address, 24, 'read');
  if (range === null) return fail('EFAULT', `the mmap_arg_struct at ${hex(address)} is not readable`);
  const words: number[] = [];
  for (let i = 0; i < 6; i++) {
    const hexBytes = range.readHex(address + BigInt(i * 4), 4);
    words.push(Number(BigInt('0x' + (hexBytes.match(/../g) ?? []).reverse().join(''))));
  }
  const layout = mmapLayoutOf(c.state);
  const offset = BigInt(words[5]!);
  if (offset % layout.pageBytes !== 0n) return fail('EINVAL', `offset ${hex(offset)} is not page-aligned`);
  const result = doMmap(c, layout, { addr: BigInt(words[0]!), length: BigInt(words[1]!), prot: words[2]!, flags: words[3]!, fd: words[4]! | 0, offset });
  return { ...result, events: [...range.drafts, ...(result.events ?? [])] };
}

/** ksys_mmap_pgoff and do_mmap. */
function doMmap(c: SyscallContext, layout: MmapLayout, request: MmapRequest): SyscallResult {
  let { addr, flags } = request;
  const anonymous = (flags & MAP_ANONYMOUS) !== 0;
  let file: OpenFile | null = null;
  if (!anonymous) {
    file = openFileOf(c.state.kernel, c.process, request.fd);
    if (file === null || (file.flags & O_PATH) !== 0) return fail('EBADF', `fd ${request.fd} is not an open file (and MAP_ANONYMOUS is not set)`);
  } else if ((flags & MAP_HUGETLB) !== 0) {
    return fail('ENOMEM', 'no huge pages are reserved (vm.nr_hugepages is 0)');
  }
  if (request.length === 0n) return fail('EINVAL', 'length is 0');
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  if ((flags & MAP_FIXED) === 0) addr = roundHintToMin(addr, layout);
  const len = alignUp(request.length, layout.pageBytes);
  if (len === 0n || len >= 1n << 64n) return fail('ENOMEM', 'length overflows when rounded up to a page');
  const area = unmappedArea(c, layout, addr, len, flags);
  if (typeof area !== 'bigint') return fail(area.errno, area.note);
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) {
    const clash = intersects(c.process, area, area + len);
    if (clash !== null) return fail('EEXIST', `MAP_FIXED_NOREPLACE: ${hex(clash.start)} is already mapped in ${hex(area)}..${hex(area + len)}`);
  }
  const typeError = file === null ? anonymousTypeError(flags) : fileTypeError(c, file, request.prot, flags);
  if (typeError !== null) return typeError;
  if (len / layout.pageBytes > BigInt(MAX_MAPPING_PAGES)) return fail('ENOMEM', `isolab maps at most ${MAX_MAPPING_PAGES} pages at once`);
  return mapRegion(c, { ...request, addr: area, length: len, flags }, file);
}

/** round_hint_to_min: a hint is rounded down to a page and raised to mmap_min_addr. */
function roundHintToMin(hint: bigint, layout: MmapLayout): bigint {
  const down = hint - (hint % layout.pageBytes);
  return down !== 0n && down < layout.mmapMinAddr ? alignUp(layout.mmapMinAddr, layout.pageBytes) : down;
}

function anonymousTypeError(flags: number): SyscallResult | null {
  const type = flags & MAP_TYPE;
  if (type === MAP_SHARED) return (flags & MAP_GROWSDOWN) !== 0 ? fail('EINVAL', 'MAP_GROWSDOWN cannot be shared') : null;
  if (type === MAP_PRIVATE) return null;
  return fail('EINVAL', `flags must contain MAP_PRIVATE or MAP_SHARED (found type 0x${type.toString(16)})`);
}

/** do_mmap's checks of the open file against the mapping. */
function fileTypeError(c: SyscallContext, file: OpenFile, prot: number, flags: number): SyscallResult | null {
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return fail('EINVAL', `flags must contain MAP_PRIVATE or MAP_SHARED (found type 0x${type.toString(16)})`);
  const mode = file.flags & O_ACCMODE;
  const readable = mode === 0 || mode === 2;
  const writable = mode === 1 || mode === 2;
  if (type !== MAP_PRIVATE && (prot & PROT_WRITE) !== 0 && !writable) return fail('EACCES', 'MAP_SHARED with PROT_WRITE needs the file open for writing');
  if (!readable) return fail('EACCES', `fd ${file.name} is not open for reading`);
  const mount = file.path === null ? undefined : c.state.vfs.mounts.byId[file.path.mount];
  if (mount?.flags.noexec === true && (prot & PROT_EXEC) !== 0) return fail('EPERM', `PROT_EXEC on a file of a noexec mount (${file.name})`);
  if (file.kind !== 'file') return fail('ENODEV', `a ${file.kind === 'dir' ? 'directory' : file.kind} has no mmap`);
  if (type !== MAP_PRIVATE && (prot & PROT_WRITE) !== 0) return fail('ENODEV', 'writable shared file mappings (written back to the file) are not simulated');
  return null;
}

function rightsOf(prot: number) {
  return { read: (prot & PROT_READ) !== 0, write: (prot & PROT_WRITE) !== 0, execute: (prot & PROT_EXEC) !== 0 };
}

/** A private user mapping of the request's range and rights, in pages of one frame; filled on first touch unless MAP_POPULATE or MAP_LOCKED. */
function userPlan(request: MmapRequest, frameBytes: number): MappingPlan {
  return {
    va: request.addr,
    sizeBytes: Number(request.length),
    ...rightsOf(request.prot),
    user: true,
    global: false,
    pkey: 0,
    region: null,
    pageShift: Math.log2(frameBytes),
    populate: (request.flags & (MAP_POPULATE | MAP_LOCKED)) !== 0,
  };
}

/** mmap_region: unmap what MAP_FIXED covers, then the new mapping. */
function mapRegion(c: SyscallContext, request: MmapRequest, file: OpenFile | null): SyscallResult {
  const { state, process } = c;
  const editor = editorFor(state);
  const start = request.addr;
  const end = start + request.length;
  const events: EventDraft[] = [];
  if ((request.flags & MAP_FIXED) !== 0 && intersects(process, start, end) !== null) events.push(...unmapDrafts(state, process, start, end, editor));
  const base = userPlan(request, state.memory.frameBytes);
  const prepared = file !== null ? fileFrames(state, editor, process, file, request) : (request.flags & MAP_TYPE) === MAP_SHARED ? sharedAnonymous(state, editor, process, base) : { drafts: [], plan: base };
  if (prepared === null) return fail('ENOMEM', 'out of physical memory');
  const mapped = mappingDrafts(state, process, prepared.plan, editor);
  if (!Array.isArray(mapped)) return fail(mapped.errno as Errno, mapped.reason);
  // The return value is a number: exact for every address below 2^53 (all of 4-level paging).
  return ok(Number(start), { events: [...events, ...prepared.drafts, ...mapped], detail: { address: hex(start) } });
}

/** MAP_SHARED|MAP_ANONYMOUS: a shmem object, modelled as a region with its own name. */
function sharedAnonymous(state: MachineState, editor: PageTableEditor, process: Process, plan: MappingPlan) {
  let name = `shm:${process.name}@${hex(plan.va)}`;
  for (let n = 2; state.kernel.regions.byName[name] !== undefined; n++) name = `shm:${process.name}@${hex(plan.va)}#${n}`;
  const drafts = regionDrafts(state, editor, { name, sizeBytes: plan.sizeBytes, content: '' });
  if (drafts === null) return null;
  const frames = (drafts.find((d) => d.type === 'kernel.regionCreated')!.data as { frames: number[] }).frames;
  return { drafts, plan: { ...plan, region: name, frames } };
}

/** A private copy of the file's bytes from the offset, zero past the end of the file. */
function fileFrames(state: MachineState, editor: PageTableEditor, process: Process, file: OpenFile, request: MmapRequest) {
  const inode = file.path === null ? undefined : state.vfs.inodes[file.path.ino];
  const content = utf8Bytes(inode?.content ?? '');
  const frameBytes = state.memory.frameBytes;
  const pages = Number(request.length) / frameBytes;
  const frames = editor.takeFrames(pages);
  if (frames === null) return null;
  const drafts: EventDraft[] = [
    { type: 'memory.framesAllocated', actor: 'kernel', data: { frames, owner: { owner: process.name, purpose: 'data' } } },
    { type: 'memory.framesZeroed', actor: 'kernel', data: { frames } },
  ];
  for (let page = 0; page < pages; page++) {
    const from = Number(request.offset) + page * frameBytes;
    const bytes = content.subarray(from, Math.min(from + frameBytes, content.length));
    if (bytes.length === 0) continue;
    drafts.push({
      type: 'memory.written',
      actor: 'kernel',
      data: { address: frames[page]! * frameBytes, bytes: bytesToHex(bytes), before: '00'.repeat(bytes.length), by: 'kernel', cpl: 0, why: `mmap ${file.name}` },
    });
  }
  // The bytes are already in the frames: the pages are present from the start.
  const plan: MappingPlan = { ...userPlan(request, frameBytes), populate: true, frames };
  return { drafts, plan };
}

/** munmap(addr, length): EINVAL for a bad range; unmapping nothing is fine. */
export function munmap(c: SyscallContext): SyscallResult {
  const layout = mmapLayoutOf(c.state);
  const start = c.u64(0);
  const length = c.u64(1);
  if (start % layout.pageBytes !== 0n) return fail('EINVAL', `${hex(start)} is not page-aligned`);
  if (start > layout.taskSize || length > layout.taskSize - start) return fail('EINVAL', `${hex(start)}..+${hex(length)} leaves the user address space`);
  const len = alignUp(length, layout.pageBytes);
  if (len === 0n) return fail('EINVAL', 'length is 0');
  const end = start + len;
  if (intersects(c.process, start, end) === null) return ok(0, { note: 'nothing was mapped there' });
  return ok(0, { events: unmapDrafts(c.state, c.process, start, end, editorFor(c.state)) });
}

/**
 * mprotect(addr, length, prot): the range must start inside a mapping and be covered
 * without holes; the pages before a hole are changed all the same, then ENOMEM.
 */
export function mprotect(c: SyscallContext): SyscallResult {
  const layout = mmapLayoutOf(c.state);
  const start = c.u64(0);
  const length = c.u64(1);
  const raw = Number(c.u64(2) & 0xffffffffn);
  const grows = raw & (PROT_GROWSDOWN | PROT_GROWSUP);
  const prot = raw & ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return fail('EINVAL', 'PROT_GROWSDOWN and PROT_GROWSUP together');
  if (start % layout.pageBytes !== 0n) return fail('EINVAL', `${hex(start)} is not page-aligned`);
  if (length === 0n) return ok(0, { note: 'length 0: nothing to change' });
  const end = start + alignUp(length, layout.pageBytes);
  if (end <= start || end >= 1n << 64n) return fail('ENOMEM', 'the range wraps around');
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return fail('EINVAL', `unknown protection bits 0x${(prot & ~7).toString(16)}`);
  const first = [...c.process.vmas].sort((a, b) => (a.start < b.start ? -1 : 1)).find((vma) => vma.start + BigInt(vma.sizeBytes) > start);
  if (first === undefined) return fail('ENOMEM', `nothing is mapped at or above ${hex(start)}`);
  // isolab's mappings never grow (no VM_GROWSDOWN/VM_GROWSUP stacks), so asking for growth is EINVAL.
  if ((grows & PROT_GROWSDOWN) !== 0) return first.start >= end ? fail('ENOMEM', `nothing is mapped below ${hex(end)}`) : fail('EINVAL', 'PROT_GROWSDOWN on a mapping that does not grow down');
  if (first.start > start) return fail('ENOMEM', `${hex(start)} is not mapped`);
  if ((grows & PROT_GROWSUP) !== 0) return fail('EINVAL', 'PROT_GROWSUP on a mapping that does not grow up');
  const covered = coveredEnd(c.process, start, end);
  const events = protectDrafts(c.state, c.process, start, covered, rightsOf(prot));
  if (covered < end) return { errno: 'ENOMEM', events, note: `${hex(covered)} is not mapped: the pages before it were changed` };
  return ok(0, { events });
}

/** The end of the hole-free run of mappings from `start`, at most `end`. */
function coveredEnd(process: Process, start: bigint, end: bigint): bigint {
  let at = start;
  while (at < end) {
    const vma = process.vmas.find((v) => at >= v.start && at < v.start + BigInt(v.sizeBytes));
    if (vma === undefined) return at;
    at = vma.start + BigInt(vma.sizeBytes);
  }
  return end;
}
