/**
 * What the process mechanism keeps beside the kernel's process table: each process's
 * group, session, exit signal, whether it is stopped or asleep and which signals wait
 * for it (Linux's task_struct and signal_struct fields), and the swap device with its
 * slots (mm/swapfile.c's swap_map: a slot holds one page and counts the page tables that
 * still point at it).
 *
 * It lives in the kernel slice under `proc` (see procStateOf); a process the scenario
 * created has no entry until something changes it, and reads as its own group and
 * session leader whose parent is init.
 */
import type { KernelState, Process } from '../state.js';
import { isAlive } from '../state.js';
import { SIGCHLD } from './constants.js';

/** A page with no frame: never touched yet (demand paging) or swapped out. */
export const NO_FRAME = -1;

/** Why a process sleeps: in wait4 for a child, or as a vfork parent until its child execs or exits. */
export type Sleep =
  | {
      readonly kind: 'wait';
      /** wait4's arguments, to finish the call when it wakes. */
      readonly upid: number;
      readonly options: number;
      readonly statusAddress: string | null;
      /** The call that sleeps (wait4 or i386 waitpid), to return from it. */
      readonly call: { readonly abi: 'x86_64' | 'i386'; readonly nr: number; readonly name: string };
      /** A child changed state: the next switch to this process completes the call. */
      readonly woken: boolean;
    }
  | { readonly kind: 'vfork'; readonly child: number };

export interface ProcInfo {
  /** Process group and session (setpgid/setsid are not simulated: fork inherits them). */
  readonly pgid: number;
  readonly sid: number;
  /** The signal the parent gets when this process ends: clone's low byte, SIGCHLD for fork; 0 for none. */
  readonly exitSignal: number;
  /** Whether the parent is a simulated process; false means init, which reaps at once. */
  readonly parentSimulated: boolean;
  /** Stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU until SIGCONT. */
  readonly stopped: boolean;
  /** Signals with a handler waiting for the process to run (delivered on its way back to user mode). */
  readonly pending: readonly string[];
  readonly sleep: Sleep | null;
  /** A stop not yet reported to wait4(WUNTRACED): the signal number. */
  readonly unreportedStop: number | null;
  /** A continue not yet reported to wait4(WCONTINUED). */
  readonly unreportedContinue: boolean;
}

/** A page table entry that points at a swap slot instead of a frame. */
export interface SwapUser {
  readonly pid: number;
  /** Start of the page, hex. */
  readonly va: string;
}

export interface SwapSlot {
  readonly slot: number;
  /** The page's bytes, hex. */
  readonly bytes: string;
  /** The frame it was written out from. */
  readonly frame: number;
  /** Every process whose page table holds this slot (fork copies the swap entry). */
  readonly users: readonly SwapUser[];
}

export interface SwapState {
  /** How many pages the device holds. */
  readonly slotCount: number;
  readonly ids: readonly number[];
  readonly bySlot: Readonly<Record<string, SwapSlot>>;
}

export interface ProcState {
  readonly info: Readonly<Record<string, ProcInfo>>;
  readonly swap: SwapState;
}

/** A 4 MiB swap device: 1024 slots of 4 KiB. */
export const SWAP_SLOTS = 1024;

export const INITIAL_PROC_STATE: ProcState = { info: {}, swap: { slotCount: SWAP_SLOTS, ids: [], bySlot: {} } };

export function procStateOf(kernel: KernelState): ProcState {
  return kernel.proc;
}

export function withProcState(kernel: KernelState, proc: ProcState): KernelState {
  return { ...kernel, proc };
}

/** A scenario-made process: leads its own group and session, its parent is init. */
export function defaultProcInfo(pid: number): ProcInfo {
  return {
    pgid: pid,
    sid: pid,
    exitSignal: SIGCHLD,
    parentSimulated: false,
    stopped: false,
    pending: [],
    sleep: null,
    unreportedStop: null,
    unreportedContinue: false,
  };
}

export function procInfoOf(kernel: KernelState, pid: number): ProcInfo {
  return procStateOf(kernel).info[pid] ?? defaultProcInfo(pid);
}

/** Whether the scheduler may run it: alive, not stopped, not asleep (or woken). */
export function isRunnable(kernel: KernelState, process: Process): boolean {
  if (!isAlive(process)) return false;
  const info = procInfoOf(kernel, process.pid);
  if (info.stopped) return false;
  return info.sleep === null || (info.sleep.kind === 'wait' && info.sleep.woken);
}

/** Why a live process cannot run, in words: "stopped", "asleep in wait4", "asleep until its vfork child execs or exits". */
export function describeNotRunnable(kernel: KernelState, process: Process): string {
  if (!isAlive(process)) return process.status;
  const info = procInfoOf(kernel, process.pid);
  if (info.stopped) return 'stopped (SIGCONT continues it)';
  if (info.sleep?.kind === 'wait') return 'asleep in wait4 until a child changes state';
  if (info.sleep?.kind === 'vfork') return `asleep until its vfork child (pid ${info.sleep.child}) execs or exits`;
  return 'runnable';
}

/** Its simulated parent, or null when the parent is init. */
export function parentOf(kernel: KernelState, process: Process): Process | null {
  if (!procInfoOf(kernel, process.pid).parentSimulated) return null;
  return kernel.processes.byId[process.ppid] ?? null;
}

/** Its children (alive or zombie, not reaped), in pid order. */
export function childrenOf(kernel: KernelState, parent: Process): Process[] {
  return kernel.processes.ids
    .map((pid) => kernel.processes.byId[pid]!)
    .filter((child) => child.status !== 'exited' && child.pid !== parent.pid && child.ppid === parent.pid && procInfoOf(kernel, child.pid).parentSimulated);
}

/**
 * The live processes sharing an address space with this one (same top-level table, as
 * after vfork or clone(CLONE_VM)), itself first.
 */
export function sharersOf(kernel: KernelState, process: Process): Process[] {
  const others = kernel.processes.ids
    .map((pid) => kernel.processes.byId[pid]!)
    .filter((other) => other.pid !== process.pid && isAlive(other) && other.rootTable === process.rootTable);
  return [process, ...others];
}

/** The swap slot holding a process's page, or null. */
export function swapSlotOf(kernel: KernelState, pid: number, pageVa: string): SwapSlot | null {
  const swap = procStateOf(kernel).swap;
  for (const id of swap.ids) {
    const slot = swap.bySlot[id]!;
    if (slot.users.some((user) => user.pid === pid && user.va === pageVa)) return slot;
  }
  return null;
}

/** The lowest free slot number, or null when the device is full. */
export function freeSwapSlot(kernel: KernelState): number | null {
  const swap = procStateOf(kernel).swap;
  for (let slot = 0; slot < swap.slotCount; slot++) if (swap.bySlot[slot] === undefined) return slot;
  return null;
}
