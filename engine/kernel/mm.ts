/**
 * Address spaces: creating a process's page tables (sharing the kernel half), and the
 * kernel's side of mmap/munmap/mprotect on them: frames from the allocator (zeroed, as
 * Linux hands out anonymous memory), leaf entries with the requested rights, TLB
 * invalidation for the pages whose mappings shrank (INVLPG when the address space is
 * live, a deferred flush of its PCID otherwise — Linux's tlb_gen scheme).
 */
import type { Command, EventDraft } from '../core/decider.js';
import { hex } from '../core/u64.js';
import type { MachineState } from '../machine/state.js';
import { EFER_NXE, hasBit } from '../hw/cpu/registers.js';
import { currentPcid } from '../hw/cpu/control.js';
import { splitVirtual } from '../hw/mmu/index.js';
import { invalidatePage } from '../hw/tlb/flush.js';
import { editorFor, type PageTableEditor } from './pagetables.js';
import { isAlive, processOf, vmaAt, type FdEntry, type OpenFile, type Process, type ProcessFs, type Vma } from './state.js';
import type { CredentialsData } from './cred/state.js';
import { lookupAbsolute } from './vfs/state.js';

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

function refused(actor: string, operation: string, errno: string, reason: string): EventDraft {
  return { type: 'kernel.requestRefused', actor, data: { operation, errno, reason } };
}

export function decideMap(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.map', MapData>).data;
  const { kernel, config, memory } = state;
  const process = processOf(kernel, data.pid);
  if (process === null || !isAlive(process)) return [refused('kernel', 'map', 'ESRCH', `no live process ${data.pid}`)];
  const pageBytes = 2 ** data.pageShift;
  const pages = Math.ceil(data.sizeBytes / pageBytes);
  const end = data.va + BigInt(pages * pageBytes);
  const overlapping = process.vmas.find((vma) => data.va < vma.start + BigInt(vma.sizeBytes) && end > vma.start);
  if (overlapping !== undefined) return [refused(process.name, 'map', 'EEXIST', `${hex(overlapping.start)} is already mapped in that range`)];
  const framesPerPage = pageBytes / memory.frameBytes;
  const editor = editorFor(state);
  let frames: number[];
  const drafts: EventDraft[] = [];
  if (data.region !== null) {
    const region = kernel.regions.byName[data.region];
    if (region === undefined) return [refused(process.name, 'map', 'ENOENT', `no region ${data.region}`)];
    frames = region.frames.slice(0, pages * framesPerPage);
  } else {
    const taken = takeData(editor, pages, framesPerPage);
    if (taken === null) return [refused(process.name, 'map', 'ENOMEM', 'out of physical memory')];
    frames = taken;
    drafts.push({ type: 'memory.framesAllocated', actor: 'kernel', data: { frames, owner: { owner: process.name, purpose: 'data' } } });
    drafts.push({ type: 'memory.framesZeroed', actor: 'kernel', data: { frames } });
  }
  const nx = config.geometry.format === 'x86-64' && hasBit(state.cpu.efer, EFER_NXE);
  for (let page = 0; page < pages; page++) {
    const va = data.va + BigInt(page * pageBytes);
    const result = editor.mapPage(process.rootTable, va, data.pageShift, leafFor(data, frames[page * framesPerPage]! * memory.frameBytes, nx), true, `map ${hex(va)}`);
    if (result === 'no-memory') return [refused(process.name, 'map', 'ENOMEM', 'out of memory for page tables')];
    if (result === 'large-page') return [refused(process.name, 'map', 'EEXIST', `a large page already maps ${hex(va)}`)];
  }
  const vma: Vma = {
    start: data.va,
    sizeBytes: pages * pageBytes,
    pageShift: data.pageShift,
    read: data.read,
    write: data.write,
    execute: data.execute,
    user: data.user,
    global: data.global,
    pkey: data.pkey,
    region: data.region,
    frames,
  };
  return [
    ...drafts,
    ...editor.drafts('kernel', process.name),
    { type: 'kernel.mapped', actor: 'kernel', data: { pid: process.pid, vma: vmaData(vma), tableFrames: [...editor.allocatedTables] } },
  ];
}

function takeData(editor: PageTableEditor, pages: number, framesPerPage: number): number[] | null {
  if (framesPerPage === 1) return editor.takeFrames(pages);
  return null;
}

function leafFor(data: Pick<MapData, 'write' | 'execute' | 'user' | 'global' | 'pkey' | 'pageShift'>, frameAddress: number, nx: boolean) {
  return {
    frameAddress,
    present: true,
    writable: data.write,
    user: data.user,
    global: data.global,
    executeDisable: nx && !data.execute,
    protectionKey: data.pkey,
    largePage: data.pageShift > 12,
  };
}

/** A VMA as event data: the start as exact hex. */
export function vmaData(vma: Vma) {
  return { ...vma, start: hex(vma.start), frames: [...vma.frames] };
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

interface MappedPage {
  readonly vma: Vma;
  /** Index of the page within its VMA. */
  readonly index: number;
  readonly va: bigint;
}

/**
 * Every page of [va, va+size), each with the VMA that maps it (a range may span several
 * VMAs, as after an mprotect of part of a mapping), or null if a page is not mapped.
 */
function pagesIn(process: Process, va: bigint, sizeBytes: number): MappedPage[] | null {
  const pages: MappedPage[] = [];
  const end = va + BigInt(sizeBytes);
  let at = va;
  while (at < end) {
    const vma = vmaAt(process, at);
    if (vma === null) return null;
    const pageBytes = BigInt(2 ** vma.pageShift);
    const index = Number((at - vma.start) / pageBytes);
    pages.push({ vma, index, va: vma.start + BigInt(index) * pageBytes });
    at = vma.start + BigInt(index + 1) * pageBytes;
  }
  return pages;
}

/** INVLPG for each page when the address space is live; a deferred flush otherwise. */
function shootdown(state: MachineState, process: Process, pages: readonly MappedPage[]): EventDraft[] {
  if (state.kernel.current !== process.pid) {
    return [{ type: 'kernel.tlbFlushDeferred', actor: 'kernel', data: { pid: process.pid } }];
  }
  const geometry = state.config.geometry;
  return pages.flatMap((page) => {
    const { high, low } = splitVirtual(page.va);
    return invalidatePage(state.tlb, 'tlb', page.va, high, low, geometry.linearBits, currentPcid(state.cpu), 'INVLPG after a mapping change');
  });
}

function frameOfPage(page: MappedPage, frameBytes: number): number {
  return page.vma.frames[(page.index * 2 ** page.vma.pageShift) / frameBytes]!;
}

export function decideUnmap(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.unmap', RangeData>).data;
  const process = processOf(state.kernel, data.pid);
  if (process === null) return [refused('kernel', 'unmap', 'ESRCH', `no process ${data.pid}`)];
  const pages = pagesIn(process, data.va, data.sizeBytes);
  if (pages === null) return [refused(process.name, 'unmap', 'EINVAL', `${hex(data.va)}..${hex(data.va + BigInt(data.sizeBytes))} is not all mapped`)];
  const editor = editorFor(state);
  const freed: number[] = [];
  for (const page of pages) {
    editor.unmapPage(process.rootTable, page.va, page.vma.pageShift, 'unmap');
    if (page.vma.region === null) freed.push(frameOfPage(page, state.memory.frameBytes));
  }
  const drafts = [...editor.drafts('kernel', process.name), ...shootdown(state, process, pages)];
  if (freed.length > 0) drafts.push({ type: 'memory.framesFreed', actor: 'kernel', data: { frames: freed } });
  drafts.push({ type: 'kernel.unmapped', actor: 'kernel', data: { pid: process.pid, va: hex(data.va), sizeBytes: data.sizeBytes } });
  return drafts;
}

export function decideProtect(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.protect', ProtectData>).data;
  const process = processOf(state.kernel, data.pid);
  if (process === null) return [refused('kernel', 'protect', 'ESRCH', `no process ${data.pid}`)];
  const pages = pagesIn(process, data.va, data.sizeBytes);
  if (pages === null) return [refused(process.name, 'protect', 'ENOMEM', `${hex(data.va)}..${hex(data.va + BigInt(data.sizeBytes))} is not all mapped`)];
  const editor = editorFor(state);
  const nx = state.config.geometry.format === 'x86-64' && hasBit(state.cpu.efer, EFER_NXE);
  for (const page of pages) {
    const rights = { ...page.vma, read: data.read, write: data.write, execute: data.execute };
    const frameAddress = frameOfPage(page, state.memory.frameBytes) * state.memory.frameBytes;
    editor.mapPage(process.rootTable, page.va, page.vma.pageShift, leafFor(rights, frameAddress, nx), true, `protect ${hex(page.va)}`);
  }
  return [
    ...editor.drafts('kernel', process.name),
    ...shootdown(state, process, pages),
    {
      type: 'kernel.protected',
      actor: 'kernel',
      data: { pid: process.pid, va: hex(data.va), sizeBytes: data.sizeBytes, read: data.read, write: data.write, execute: data.execute },
    },
  ];
}

export interface RegionData {
  readonly name: string;
  readonly sizeBytes: number;
  /** Initial content, hex. */
  readonly content: string;
}

export function decideCreateRegion(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.createRegion', RegionData>).data;
  const editor = editorFor(state);
  const count = Math.ceil(data.sizeBytes / state.memory.frameBytes);
  const frames = editor.takeFrames(count);
  if (frames === null) return [refused('kernel', 'region', 'ENOMEM', 'out of physical memory')];
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
