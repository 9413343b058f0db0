/**
 * Kernel state: processes with their address spaces (as VMA records beside the real
 * page tables in physical memory), the scheduler, PCID assignment, shared regions.
 * Entity collections are `{ ids, byId }` so iteration order is explicit.
 */

import type { Credentials } from './cred/state.js';
import type { PathRef } from './vfs/state.js';
import { INITIAL_PROC_STATE, type ProcState } from './proc/state.js';
import type { MacState } from './mac/state.js';
import type { NetState } from './net/state.js';
import type { ProcessSeccomp, SeccompState } from './seccomp/state.js';
import type { InterposeState } from './interpose/state.js';

export interface Vma {
  readonly start: bigint;
  readonly sizeBytes: number;
  readonly pageShift: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
  readonly user: boolean;
  readonly global: boolean;
  readonly pkey: number;
  /** The shared region mapped here, or null for private memory. */
  readonly region: string | null;
  /** Physical frame number backing each base page, in address order; NO_FRAME (-1) for a page not yet touched or swapped out. */
  readonly frames: readonly number[];
}

export type ProcessStatus = 'ready' | 'running' | 'zombie' | 'exited';

/** A slot of a process's file-descriptor table. */
export interface FdEntry {
  readonly fd: number;
  /** The open file description (shared by dup and fork). */
  readonly file: number;
  readonly cloexec: boolean;
}

/** An open file description (open(2)): what dup'd and inherited descriptors share. */
export interface OpenFile {
  readonly id: number;
  readonly kind: 'file' | 'dir' | 'console' | 'pipe' | 'socket' | 'seccomp-notify';
  /** Where it was opened, for files and directories. */
  readonly path: PathRef | null;
  /** The path as the opener wrote it (for traces and a monitor's view). */
  readonly name: string;
  readonly flags: number;
  readonly offset: number;
  /** Descriptors referring to it. */
  readonly refs: number;
  /** For pipes and sockets: the channel and which end. */
  readonly channel: number | null;
  readonly end: 'read' | 'write' | 'both' | null;
}

/** A pipe or one direction of a socket pair: bytes written, not yet read. */
export interface Channel {
  readonly id: number;
  readonly buffer: string;
  readonly readers: number;
  readonly writers: number;
}

export interface ProcessFs {
  readonly root: PathRef;
  readonly cwd: PathRef;
  readonly umask: number;
}

export interface Process {
  readonly pid: number;
  readonly name: string;
  readonly ppid: number;
  readonly creds: Credentials;
  /** Root and working directory; null on a machine without a file system (raw setups). */
  readonly fs: ProcessFs | null;
  readonly fds: readonly FdEntry[];
  /** The program it runs (the path given to execve), or null for a scenario-made process. */
  readonly exe: string | null;
  readonly status: ProcessStatus;
  /** The wait status a parent collects (wait(2) encoding), once it has ended. */
  readonly waitStatus: number | null;
  /** How it ended: "SIGSEGV", "exit 0"; null while alive. */
  readonly exit: string | null;
  /** Physical address of the top-level page table (what CR3 points to). */
  readonly rootTable: number;
  /** Frames of its own page tables (the kernel half is shared, not listed). */
  readonly tableFrames: readonly number[];
  readonly vmas: readonly Vma[];
  /** Signals with a handler installed: delivered, the process goes on. */
  readonly catches: readonly string[];
  /** Index of its PCID slot when PCIDs are in use, else null. */
  readonly pcidSlot: number | null;
  /** Bumped when its mappings shrink; the TLB must be flushed before it runs again. */
  readonly tlbGeneration: number;
  /** Its seccomp mode and filter chain (seccomp/state.ts); absent means disabled. */
  readonly seccomp?: ProcessSeccomp;
}

export interface Region {
  readonly name: string;
  readonly sizeBytes: number;
  readonly frames: readonly number[];
}

export interface PcidSlot {
  /** PCID = slot index + 1 (PCID 0 is the kernel's own). */
  readonly owner: number | null;
  /** The owner's tlbGeneration the last time this PCID was flushed for it. */
  readonly generation: number;
}

export interface SwitchPolicy {
  /**
   * Flush a PCID's entries when the PCID is handed to another address space (or the
   * owner's mappings changed). Linux always does (arch/x86/mm/tlb.c, choose_new_asid);
   * turning it off is the bug the TLB-leak scenario teaches.
   */
  readonly flushOnReuse: boolean;
  /** PCIDs the kernel rotates through; Linux uses TLB_NR_DYN_ASIDS = 6. */
  readonly pcidSlots: number;
}

export interface KernelState {
  readonly booted: boolean;
  /** Physical address of the kernel's own top-level table (swapper_pg_dir). */
  readonly kernelRoot: number;
  /** Top-level entries of the kernel half, copied into every new address space. */
  readonly kernelTopEntries: readonly { readonly index: number; readonly high: number; readonly low: number }[];
  readonly processes: { readonly ids: readonly number[]; readonly byId: Readonly<Record<string, Process>> };
  readonly current: number | null;
  /** Set by the scenario's scheduling choice; the next timer tick runs this process. */
  readonly chosenNext: number | null;
  readonly nextPid: number;
  readonly timer: { readonly periodTicks: number | null; readonly nextTick: number | null };
  readonly switchPolicy: SwitchPolicy;
  readonly pcidSlots: readonly PcidSlot[];
  readonly nextPcidSlot: number;
  readonly regions: { readonly ids: readonly string[]; readonly byName: Readonly<Record<string, Region>> };
  /** What processes wrote to fds 1 and 2, for the run's output. */
  readonly console: readonly { readonly pid: number; readonly fd: number; readonly text: string }[];
  readonly files: { readonly byId: Readonly<Record<string, OpenFile>>; readonly nextId: number };
  readonly channels: { readonly byId: Readonly<Record<string, Channel>>; readonly nextId: number };
  /** Process groups, sleeps, pending signals and the swap device (proc/state.ts). */
  readonly proc: ProcState;
  /** MAC profiles loaded and the processes they confine (mac/state.ts); absent until used. */
  readonly mac?: MacState;
  /** Sockets made by socket(2) (net/state.ts); absent until used. */
  readonly net?: NetState;
  /** Attached seccomp filters and the scenario's named programs (seccomp/state.ts); absent until used. */
  readonly seccomp?: SeccompState;
  /** A system-call monitor's copies of the processes it traces (interpose/state.ts); absent until one attaches. */
  readonly interpose?: InterposeState;
}

export function initialKernelState(): KernelState {
  return {
    booted: false,
    kernelRoot: 0,
    kernelTopEntries: [],
    processes: { ids: [], byId: {} },
    current: null,
    chosenNext: null,
    nextPid: 1,
    timer: { periodTicks: null, nextTick: null },
    switchPolicy: { flushOnReuse: true, pcidSlots: 6 },
    pcidSlots: [],
    nextPcidSlot: 0,
    regions: { ids: [], byName: {} },
    console: [],
    files: { byId: {}, nextId: 1 },
    channels: { byId: {}, nextId: 1 },
    proc: INITIAL_PROC_STATE,
  };
}

/** Still running or runnable: not a zombie nor reaped. */
export function isAlive(process: Process): boolean {
  return process.status !== 'zombie' && process.status !== 'exited';
}

export function processByName(kernel: KernelState, name: string): Process | null {
  for (const pid of kernel.processes.ids) {
    const process = kernel.processes.byId[pid]!;
    if (process.name === name) return process;
  }
  return null;
}

export function processOf(kernel: KernelState, pid: number | null): Process | null {
  return pid === null ? null : (kernel.processes.byId[pid] ?? null);
}

/** The VMA containing a virtual address, if any. */
export function vmaAt(process: Process, va: bigint): Vma | null {
  for (const vma of process.vmas) {
    if (va >= vma.start && va < vma.start + BigInt(vma.sizeBytes)) return vma;
  }
  return null;
}
