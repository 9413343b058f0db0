/**
 * Reducers of this mechanism's kernel-slice events (processes, their signals and sleep,
 * address spaces, swap), merged into kernelReducers. Cold events: immer for the process
 * records, plain spreads for the mechanism's own `proc` state.
 */
import { produce, type Draft } from 'immer';
import type { Envelope } from '../../core/decider.js';
import type { KernelState, Process } from '../state.js';
import { releaseTable, retainTable } from '../vfs/fds.js';
import {
  defaultProcInfo,
  NO_FRAME,
  procStateOf,
  withProcState,
  type ProcInfo,
  type ProcState,
  type Sleep,
  type SwapSlot,
  type SwapUser,
} from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

function withInfo(kernel: KernelState, pid: number, update: (info: ProcInfo) => ProcInfo): KernelState {
  const proc = procStateOf(kernel);
  const info = update(proc.info[pid] ?? defaultProcInfo(pid));
  return withProcState(kernel, { ...proc, info: { ...proc.info, [pid]: info } });
}

function withSwap(kernel: KernelState, update: (swap: ProcState['swap']) => ProcState['swap']): KernelState {
  const proc = procStateOf(kernel);
  return withProcState(kernel, { ...proc, swap: update(proc.swap) });
}

function withProcess(kernel: KernelState, pid: number, update: (process: Draft<Process>) => void): KernelState {
  if (kernel.processes.byId[pid] === undefined) return kernel;
  return produce(kernel, (draft) => {
    update(draft.processes.byId[pid]!);
  });
}

/** The process is no longer the one the kernel runs (it sleeps, stopped or ended). */
function notCurrent(kernel: KernelState, pid: number): KernelState {
  const next = withProcess(kernel, pid, (process) => {
    if (process.status === 'running') process.status = 'ready';
  });
  return next.current === pid ? { ...next, current: null } : next;
}

/** Sets the frame of the page at `va` in each listed process's VMA records. */
function withFrame(kernel: KernelState, pids: readonly number[], va: bigint, frame: number): KernelState {
  return pids.reduce(
    (k, pid) =>
      withProcess(k, pid, (process) => {
        const vma = process.vmas.find((v) => va >= v.start && va < v.start + BigInt(v.sizeBytes));
        if (vma === undefined) return;
        const index = Number((va - vma.start) / BigInt(2 ** vma.pageShift));
        vma.frames[index] = frame;
      }),
    kernel,
  );
}

/** Swap entries gone from page tables; a slot with no entry left is free. */
function withoutSwapUsers(kernel: KernelState, gone: readonly SwapUser[]): KernelState {
  return withSwap(kernel, (swap) => {
    const bySlot: Record<string, SwapSlot> = { ...swap.bySlot };
    let ids = swap.ids;
    for (const id of swap.ids) {
      const slot = bySlot[id]!;
      const users = slot.users.filter((user) => !gone.some((g) => g.pid === user.pid && g.va === user.va));
      if (users.length === slot.users.length) continue;
      if (users.length > 0) bySlot[id] = { ...slot, users };
      else {
        delete bySlot[id];
        ids = ids.filter((other) => other !== id);
      }
    }
    return { ...swap, ids, bySlot };
  });
}

interface ForkedData {
  readonly parent: number;
  readonly child: number;
  readonly pgid: number;
  readonly sid: number;
  readonly exitSignal: number;
  readonly parentSimulated: boolean;
  readonly swapEntries: readonly { readonly slot: number; readonly va: string }[];
}

interface FrameData {
  readonly pid: number;
  readonly va: string;
  readonly sharers?: readonly number[];
}

export const procKernelReducers: Readonly<Record<string, Reducer>> = {
  'kernel.processForked': (kernel, event) => {
    const data = event.data as ForkedData;
    const child = kernel.processes.byId[data.child];
    let next = child === undefined ? kernel : retainTable(kernel, child.fds);
    next = withInfo(next, data.child, () => ({
      ...defaultProcInfo(data.child),
      pgid: data.pgid,
      sid: data.sid,
      exitSignal: data.exitSignal,
      parentSimulated: data.parentSimulated,
    }));
    return withSwap(next, (swap) => {
      const bySlot: Record<string, SwapSlot> = { ...swap.bySlot };
      for (const entry of data.swapEntries) {
        const slot = bySlot[entry.slot];
        if (slot !== undefined) bySlot[entry.slot] = { ...slot, users: [...slot.users, { pid: data.child, va: entry.va }] };
      }
      return { ...swap, bySlot };
    });
  },
  'kernel.vforkStarted': (kernel, event) => {
    const { parent, child } = event.data as { parent: number; child: number };
    return notCurrent(withInfo(kernel, parent, (info) => ({ ...info, sleep: { kind: 'vfork', child } })), parent);
  },
  'kernel.waitBlocked': (kernel, event) => {
    const { pid, upid, options, statusAddress, call } = event.data as Omit<Extract<Sleep, { kind: 'wait' }>, 'kind' | 'woken'> & { pid: number };
    const sleep: Sleep = { kind: 'wait', upid, options, statusAddress, call, woken: false };
    return notCurrent(withInfo(kernel, pid, (info) => ({ ...info, sleep })), pid);
  },
  'kernel.waitWoken': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withInfo(kernel, pid, (info) => (info.sleep?.kind === 'wait' ? { ...info, sleep: { ...info.sleep, woken: true } } : info));
  },
  'kernel.woke': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withInfo(kernel, pid, (info) => ({ ...info, sleep: null }));
  },
  'kernel.addressSpaceReleased': (kernel, event) => {
    const { pid, handedTo } = event.data as { pid: number; handedTo: number | null };
    const tableFrames = kernel.processes.byId[pid]?.tableFrames ?? [];
    let next = withProcess(kernel, pid, (process) => {
      process.vmas = [];
      process.tableFrames = [];
    });
    if (handedTo !== null) next = withProcess(next, handedTo, (process) => void process.tableFrames.push(...tableFrames));
    return next;
  },
  'kernel.filesReleased': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    const process = kernel.processes.byId[pid];
    if (process === undefined) return kernel;
    return withProcess(releaseTable(kernel, process.fds), pid, (draft) => {
      draft.fds = [];
    });
  },
  'kernel.reparented': (kernel, event) => {
    const { pid, to } = event.data as { pid: number; to: number };
    const next = withProcess(kernel, pid, (process) => {
      process.ppid = to;
    });
    return withInfo(next, pid, (info) => ({ ...info, parentSimulated: false }));
  },
  'kernel.processReaped': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    const reaped = withProcess(kernel, pid, (process) => {
      process.status = 'exited';
    });
    const next = reaped.current === pid ? { ...reaped, current: null } : reaped;
    const proc = procStateOf(next);
    if (proc.info[pid] === undefined) return next;
    const info = { ...proc.info };
    delete info[pid];
    return withProcState(next, { ...proc, info });
  },
  'kernel.signalQueued': (kernel, event) => {
    const { pid, signal } = event.data as { pid: number; signal: string };
    return withInfo(kernel, pid, (info) => (info.pending.includes(signal) ? info : { ...info, pending: [...info.pending, signal] }));
  },
  'kernel.signalDelivered': (kernel, event) => {
    const { pid, signal } = event.data as { pid: number; signal: string };
    const info = procStateOf(kernel).info[pid];
    if (info === undefined || !info.pending.includes(signal)) return kernel;
    return withInfo(kernel, pid, (current) => ({ ...current, pending: current.pending.filter((name) => name !== signal) }));
  },
  'kernel.processStopped': (kernel, event) => {
    const { pid, number } = event.data as { pid: number; number: number };
    return notCurrent(withInfo(kernel, pid, (info) => ({ ...info, stopped: true, unreportedStop: number, unreportedContinue: false })), pid);
  },
  'kernel.processContinued': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withInfo(kernel, pid, (info) => ({ ...info, stopped: false, unreportedStop: null, unreportedContinue: true }));
  },
  'kernel.waitReported': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withInfo(kernel, pid, (info) => ({ ...info, unreportedStop: null, unreportedContinue: false }));
  },
  'kernel.pageSwappedOut': (kernel, event) => {
    const { slot, frame, bytes, users } = event.data as { slot: number; frame: number; bytes: string; users: SwapUser[] };
    let next = withSwap(kernel, (swap) => ({
      ...swap,
      ids: [...swap.ids, slot].sort((a, b) => a - b),
      bySlot: { ...swap.bySlot, [slot]: { slot, bytes, frame, users } },
    }));
    for (const user of users) next = withFrame(next, [user.pid], BigInt(user.va), NO_FRAME);
    return next;
  },
  'kernel.pageSwappedIn': (kernel, event) => {
    const { pid, va, frame, sharers = [] } = event.data as FrameData & { frame: number };
    const pids = [pid, ...sharers];
    const next = withFrame(kernel, pids, BigInt(va), frame);
    return withoutSwapUsers(
      next,
      pids.map((p) => ({ pid: p, va })),
    );
  },
  'kernel.swapEntriesDropped': (kernel, event) => {
    const { entries } = event.data as { entries: SwapUser[] };
    return withoutSwapUsers(kernel, entries);
  },
  'kernel.pageZeroFilled': (kernel, event) => {
    const { pid, va, frame, sharers = [] } = event.data as FrameData & { frame: number };
    return withFrame(kernel, [pid, ...sharers], BigInt(va), frame);
  },
  'kernel.cowCopied': (kernel, event) => {
    const { pid, va, newFrame, sharers = [] } = event.data as FrameData & { newFrame: number };
    return withFrame(kernel, [pid, ...sharers], BigInt(va), newFrame);
  },
};

