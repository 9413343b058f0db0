/**
 * Address spaces: creating a process's page tables (sharing the kernel half), and the
 * kernel's side of mapping, unmapping and protecting memory on them — for the scenario's
 * `map`/`unmap`/`protect` steps and for mmap/munmap/mprotect (proc/mmap.ts). Frames come
 * from the allocator zeroed, as Linux hands out anonymous memory; a mapping may also
 * leave its pages to be filled on first touch (demand paging, proc/fault.ts). Leaf
 * entries get the requested rights, except that a page shared copy-on-write stays
 * read-only; the TLB is invalidated for the pages whose mappings shrank (INVLPG when the
 * address space is live, a deferred flush of its PCID otherwise — Linux's tlb_gen).
 * Every process sharing the address space (vfork, CLONE_VM) gets the VMA change.
 */
import type { Command, EventDraft } from '../core/decider.js';
import { hex } from '../core/u64.js';
import type { MachineState } from '../machine/state.js';
import { editorFor, type PageTableEditor } from './pagetables.js';
import { isAlive, processOf, type FdEntry, type OpenFile, type Process, type ProcessFs, type Vma } from './state.js';
import type { CredentialsData } from './cred/state.js';
import { lookupAbsolute } from './vfs/state.js';
import {
  leafFor,
  pagesInRange,
  refused,
  releasedDrafts,
  releasePages,
  shootdown,
  vmaData,
  writableNow,
} from './proc/aspace.js';
import { NO_FRAME, sharersOf } from './proc/state.js';

export { vmaData };

export interface CreateProcessData {
  readonly name: string;
  readonly creds: CredentialsData;
  /** Absolute path of the starting directory ("/" when absent). */
  readonly cwd?: string;
  readonly catches: readonly string[];
}

export function decideCreateProcess(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.createProcess', CreateProcessData>).data;
  const { kernel, config, memory } = state;
  const editor = editorFor(state);
  const root = editor.newTable();
  if (root === null) return [refused('kernel', 'createProcess', 'ENOMEM', 'no free frame for a page table')];
  for (const entry of kernel.kernelTopEntries) {
    editor.writeEntry(root + entry.index * config.geometry.entryBytes, { high: entry.high, low: entry.low }, 'share the kernel half');
  }
  const pid = kernel.nextPid;
  const drafts: EventDraft[] = [...editor.drafts('kernel', data.name)];
  const vfs = state.vfs;
  let fs: ProcessFs | null = null;
  if (vfs.root !== null) {
    const cwd = lookupAbsolute(vfs, data.cwd ?? '/') ?? vfs.root;
    fs = { root: vfs.root, cwd, umask: 0o022 };
  }
  const console: OpenFile = { id: kernel.files.nextId, kind: 'console', path: null, name: '/dev/console', flags: 2, offset: 0, refs: 3, channel: null, end: null };
  drafts.push({ type: 'kernel.fileOpened', actor: 'kernel', data: console });
  const fds: FdEntry[] = [0, 1, 2].map((fd) => ({ fd, file: console.id, cloexec: false }));
  drafts.push({
    type: 'kernel.processCreated',
    actor: 'kernel',
    data: { pid, name: data.name, ppid: 1, creds: data.creds, fs, fds, catches: [...data.catches], rootTable: root, tableFrames: [root / memory.frameBytes] },
  });
  return drafts;
}

export interface MapData {
  readonly pid: number;
  readonly va: bigint;
  readonly sizeBytes: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
  readonly user: boolean;
  readonly global: boolean;
  readonly pkey: number;
  readonly region: string | null;
  readonly pageShift: number;
}

/**
 * A new mapping: `frames` when the caller has them (a region's, a file's copy);
 * otherwise `populate` allocates zeroed frames now, or the first touch of each page does.
 */
export interface MappingPlan extends Omit<MapData, 'pid'> {
  readonly populate: boolean;
  readonly frames?: readonly number[];
}

/**
 * The events of a new mapping in a process's address space, planned on `editor` (which
 * may already hold the unmapping of a MAP_FIXED), or a refusal with an errno.
 */
export function mappingDrafts(state: MachineState, process: Process, plan: MappingPlan, editor: PageTableEditor): EventDraft[] | { errno: string; reason: string } {
  const { kernel, memory } = state;
  const pageBytes = 2 ** plan.pageShift;
  const pages = Math.ceil(plan.sizeBytes / pageBytes);
  if (pageBytes !== memory.frameBytes) return { errno: 'EINVAL', reason: `isolab maps pages of one frame (${memory.frameBytes} bytes)` };
  const drafts: EventDraft[] = [];
  let frames: number[];
  if (plan.frames !== undefined) {
    frames = [...plan.frames];
  } else if (plan.region !== null) {
    const region = kernel.regions.byName[plan.region];
    if (region === undefined) return { errno: 'ENOENT', reason: `no region ${plan.region}` };
    frames = region.frames.slice(0, pages);
  } else if (plan.populate) {
    const taken = editor.takeFrames(pages);
    if (taken === null) return { errno: 'ENOMEM', reason: 'out of physical memory' };
    frames = taken;
    drafts.push({ type: 'memory.framesAllocated', actor: 'kernel', data: { frames, owner: { owner: process.name, purpose: 'data' } } });
    drafts.push({ type: 'memory.framesZeroed', actor: 'kernel', data: { frames } });
  } else {
    frames = Array.from({ length: pages }, () => NO_FRAME);
  }
  for (let page = 0; page < pages; page++) {
    if (frames[page] === NO_FRAME) continue;
    const va = plan.va + BigInt(page * pageBytes);
    // A new page is the mapping's own (or a shared region's): writable as the VMA says.
    const result = editor.mapPage(process.rootTable, va, plan.pageShift, leafFor(state, plan, frames[page]!, plan.write), true, `map ${hex(va)}`);
    if (result === 'no-memory') return { errno: 'ENOMEM', reason: 'out of memory for page tables' };
    if (result === 'large-page') return { errno: 'EEXIST', reason: `a large page already maps ${hex(va)}` };
  }
  const vma: Vma = {
    start: plan.va,
    sizeBytes: pages * pageBytes,
    pageShift: plan.pageShift,
    read: plan.read,
    write: plan.write,
    execute: plan.execute,
    user: plan.user,
    global: plan.global,
    pkey: plan.pkey,
    region: plan.region,
    frames,
  };
  return [...drafts, ...mappedRecords(state, process, vma, editor)];
}

/** The table writes, then `kernel.mapped` for every process of the address space (new tables recorded once). */
function mappedRecords(state: MachineState, process: Process, vma: Vma, editor: PageTableEditor): EventDraft[] {
  const sharers = sharersOf(state.kernel, process);
  return [
    ...editor.drafts('kernel', process.name),
    ...sharers.map((sharer, i) => ({
      type: 'kernel.mapped',
      actor: 'kernel',
      data: { pid: sharer.pid, vma: vmaData(vma), tableFrames: i === 0 ? [...editor.allocatedTables] : [] },
    })),
  ];
}

export function decideMap(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.map', MapData>).data;
  const process = processOf(state.kernel, data.pid);
  if (process === null || !isAlive(process)) return [refused('kernel', 'map', 'ESRCH', `no live process ${data.pid}`)];
  const pageBytes = 2 ** data.pageShift;
  const end = data.va + BigInt(Math.ceil(data.sizeBytes / pageBytes) * pageBytes);
  const overlapping = process.vmas.find((vma) => data.va < vma.start + BigInt(vma.sizeBytes) && end > vma.start);
  if (overlapping !== undefined) return [refused(process.name, 'map', 'EEXIST', `${hex(overlapping.start)} is already mapped in that range`)];
  const planned = mappingDrafts(state, process, { ...data, populate: true }, editorFor(state));
  return Array.isArray(planned) ? planned : [refused(process.name, 'map', planned.errno, planned.reason)];
}

export interface RangeData {
  readonly pid: number;
  readonly va: bigint;
  readonly sizeBytes: number;
}

export interface ProtectData extends RangeData {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/**
 * Unmapping [start, end) of a process's address space, holes allowed (munmap(2)):
 * cleared entries, the shootdown, frames and swap slots released, `kernel.unmapped`
 * for every process of the address space.
 */
export function unmapDrafts(state: MachineState, process: Process, start: bigint, end: bigint, editor: PageTableEditor): EventDraft[] {
  const pages = pagesInRange(process, start, end);
  const sharers = sharersOf(state.kernel, process);
  const released = releasePages(state, editor, sharers, pages, true);
  return [
    ...editor.drafts('kernel', process.name),
    ...shootdown(state, sharers, pages.map((page) => page.va)),
    ...releasedDrafts(released),
    ...sharers.map((sharer) => ({ type: 'kernel.unmapped', actor: 'kernel', data: { pid: sharer.pid, va: hex(start), sizeBytes: Number(end - start) } })),
  ];
}

export function decideUnmap(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.unmap', RangeData>).data;
  const process = processOf(state.kernel, data.pid);
  if (process === null) return [refused('kernel', 'unmap', 'ESRCH', `no process ${data.pid}`)];
  const end = data.va + BigInt(data.sizeBytes);
  if (!fullyMapped(process, data.va, end)) return [refused(process.name, 'unmap', 'EINVAL', `${hex(data.va)}..${hex(end)} is not all mapped`)];
  return unmapDrafts(state, process, data.va, end, editorFor(state));
}

function fullyMapped(process: Process, start: bigint, end: bigint): boolean {
  let at = start;
  while (at < end) {
    const vma = process.vmas.find((v) => at >= v.start && at < v.start + BigInt(v.sizeBytes));
    if (vma === undefined) return false;
    at = vma.start + BigInt(vma.sizeBytes);
  }
  return true;
}

/**
 * New rights on [start, end): present pages get their leaf rewritten (a frame shared
 * copy-on-write stays read-only: mprotect does not break the sharing, the next write
 * fault does); pages not yet touched or swapped out get the rights when they come in.
 */
export function protectDrafts(state: MachineState, process: Process, start: bigint, end: bigint, rights: { read: boolean; write: boolean; execute: boolean }): EventDraft[] {
  const editor = editorFor(state);
  const sharers = sharersOf(state.kernel, process);
  const changed: bigint[] = [];
  for (const page of pagesInRange(process, start, end)) {
    if (page.frame === NO_FRAME) continue;
    const vma = { ...page.vma, ...rights };
    const writable = writableNow(state.memory, vma, page.frame);
    editor.mapPage(process.rootTable, page.va, page.vma.pageShift, leafFor(state, vma, page.frame, writable), true, `protect ${hex(page.va)}`);
    changed.push(page.va);
  }
  return [
    ...editor.drafts('kernel', process.name),
    ...shootdown(state, sharers, changed),
    ...sharers.map((sharer) => ({
      type: 'kernel.protected',
      actor: 'kernel',
      data: { pid: sharer.pid, va: hex(start), sizeBytes: Number(end - start), ...rights },
    })),
  ];
}

export function decideProtect(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.protect', ProtectData>).data;
  const process = processOf(state.kernel, data.pid);
  if (process === null) return [refused('kernel', 'protect', 'ESRCH', `no process ${data.pid}`)];
  const end = data.va + BigInt(data.sizeBytes);
  if (!fullyMapped(process, data.va, end)) return [refused(process.name, 'protect', 'ENOMEM', `${hex(data.va)}..${hex(end)} is not all mapped`)];
  return protectDrafts(state, process, data.va, end, { read: data.read, write: data.write, execute: data.execute });
}

export interface RegionData {
  readonly name: string;
  readonly sizeBytes: number;
  /** Initial content, hex. */
  readonly content: string;
}

/** A shared region's frames, zeroed, with the initial content written. */
export function regionDrafts(state: MachineState, editor: PageTableEditor, data: RegionData): EventDraft[] | null {
  const count = Math.ceil(data.sizeBytes / state.memory.frameBytes);
  const frames = editor.takeFrames(count);
  if (frames === null) return null;
  const drafts: EventDraft[] = [
    { type: 'memory.framesAllocated', actor: 'kernel', data: { frames, owner: { owner: data.name, purpose: 'region' } } },
    { type: 'memory.framesZeroed', actor: 'kernel', data: { frames } },
  ];
  const frameBytes = state.memory.frameBytes;
  for (let offset = 0; offset < data.content.length / 2; offset += frameBytes) {
    const bytes = data.content.slice(offset * 2, (offset + frameBytes) * 2);
    if (bytes.length === 0) break;
    drafts.push({
      type: 'memory.written',
      actor: 'kernel',
      data: { address: frames[offset / frameBytes]! * frameBytes, bytes, before: '00'.repeat(bytes.length / 2), by: 'kernel', cpl: 0 },
    });
  }
  drafts.push({ type: 'kernel.regionCreated', actor: 'kernel', data: { name: data.name, sizeBytes: count * state.memory.frameBytes, frames } });
  return drafts;
}

export function decideCreateRegion(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.createRegion', RegionData>).data;
  const editor = editorFor(state);
  const drafts = regionDrafts(state, editor, data);
  if (drafts === null) return [refused('kernel', 'region', 'ENOMEM', 'out of physical memory')];
  return [...editor.drafts('kernel', data.name), ...drafts];
}
