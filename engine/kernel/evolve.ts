/**
 * Kernel reducers, written with immer: the kernel's records are cold (a handful of
 * events per step) and nested, where immer's readability pays and its cost does not
 * matter (DESIGN.md, "Speed").
 */
import { castDraft, produce, type Draft } from 'immer';
import type { Envelope } from '../core/decider.js';
import { isAlive, type FdEntry, type KernelState, type OpenFile, type PcidSlot, type Process, type ProcessFs, type SwitchPolicy, type Vma } from './state.js';
import { credentialsFromData, type CredentialsData } from './cred/state.js';
import { credKernelReducers } from './cred/evolve.js';
import { procKernelReducers } from './proc/evolve.js';
import { vfsKernelReducers } from './vfs/evolve.js';
import { execKernelReducers } from './exec/evolve.js';
import { macKernelReducers } from './mac/evolve.js';
import { netKernelReducers } from './net/evolve.js';
import { seccompKernelReducers } from './seccomp/evolve.js';
import { interposeKernelReducers } from './interpose/evolve.js';
import type { ProcessSeccomp } from './seccomp/state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

interface VmaData extends Omit<Vma, 'start'> {
  readonly start: string;
}

function vmaOf(data: VmaData): Vma {
  return { ...data, start: BigInt(data.start) };
}

/** The VMAs left after cutting [start, start+size) out, with `replace` in its place. */
function cut(vmas: readonly Vma[], start: bigint, sizeBytes: number, replace: (piece: Vma) => Vma | null): Vma[] {
  const end = start + BigInt(sizeBytes);
  const out: Vma[] = [];
  for (const vma of vmas) {
    const vmaEnd = vma.start + BigInt(vma.sizeBytes);
    if (end <= vma.start || start >= vmaEnd) {
      out.push(vma);
      continue;
    }
    const frameBytes = vma.frames.length > 0 ? vma.sizeBytes / vma.frames.length : 1;
    const piece = (from: bigint, to: bigint): Vma => ({
      ...vma,
      start: from,
      sizeBytes: Number(to - from),
      frames: vma.frames.slice(Number(from - vma.start) / frameBytes, Number(to - vma.start) / frameBytes),
    });
    if (vma.start < start) out.push(piece(vma.start, start));
    const middle = replace(piece(start > vma.start ? start : vma.start, end < vmaEnd ? end : vmaEnd));
    if (middle !== null) out.push(middle);
    if (end < vmaEnd) out.push(piece(end, vmaEnd));
  }
  return out;
}

const withProcess = (pid: number, update: (process: Draft<Process>) => void) => (kernel: KernelState) =>
  produce(kernel, (draft) => {
    const process = draft.processes.byId[pid];
    if (process !== undefined) update(process);
  });

export const kernelReducers: Readonly<Record<string, Reducer>> = {
  ...credKernelReducers,
  ...procKernelReducers,
  ...vfsKernelReducers,
  ...execKernelReducers,
  ...macKernelReducers,
  ...netKernelReducers,
  ...seccompKernelReducers,
  ...interposeKernelReducers,
  'kernel.booted': (kernel, event) => {
    const data = event.data as {
      root: number;
      topEntries: KernelState['kernelTopEntries'];
      timerPeriodTicks: number | null;
      switchPolicy: SwitchPolicy;
    };
    const slots: PcidSlot[] = Array.from({ length: data.switchPolicy.pcidSlots }, () => ({ owner: null, generation: 0 }));
    return {
      ...kernel,
      booted: true,
      kernelRoot: data.root,
      kernelTopEntries: data.topEntries,
      timer: { periodTicks: data.timerPeriodTicks, nextTick: data.timerPeriodTicks },
      switchPolicy: data.switchPolicy,
      pcidSlots: slots,
    };
  },
  'kernel.processCreated': (kernel, event) => {
    const data = event.data as {
      pid: number;
      name: string;
      ppid: number;
      creds: CredentialsData;
      fs: ProcessFs | null;
      fds: FdEntry[];
      catches: string[];
      rootTable: number;
      tableFrames: number[];
      exe?: string | null;
      vmas?: VmaData[];
      /** fork copies the parent's seccomp mode and filter chain (copy_seccomp). */
      seccomp?: ProcessSeccomp;
    };
    const process: Process = {
      pid: data.pid,
      name: data.name,
      ppid: data.ppid,
      creds: credentialsFromData(data.creds),
      fs: data.fs,
      fds: data.fds,
      exe: data.exe ?? null,
      status: 'ready',
      waitStatus: null,
      exit: null,
      rootTable: data.rootTable,
      tableFrames: data.tableFrames,
      vmas: (data.vmas ?? []).map(vmaOf),
      catches: data.catches,
      pcidSlot: null,
      tlbGeneration: 0,
      ...(data.seccomp === undefined ? {} : { seccomp: data.seccomp }),
    };
    return produce(kernel, (draft) => {
      draft.processes.ids.push(data.pid);
      draft.processes.byId[data.pid] = castDraft(process);
      draft.nextPid = data.pid + 1;
    });
  },
  'kernel.fileOpened': (kernel, event) => {
    const file = event.data as OpenFile;
    return { ...kernel, files: { byId: { ...kernel.files.byId, [file.id]: file }, nextId: Math.max(kernel.files.nextId, file.id + 1) } };
  },
  'kernel.mapped': (kernel, event) => {
    const { pid, vma, tableFrames } = event.data as { pid: number; vma: VmaData; tableFrames: number[] };
    return withProcess(pid, (process) => {
      process.vmas.push(castDraft(vmaOf(vma)));
      process.vmas.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      process.tableFrames.push(...tableFrames);
    })(kernel);
  },
  'kernel.unmapped': (kernel, event) => {
    const { pid, va, sizeBytes } = event.data as { pid: number; va: string; sizeBytes: number };
    return withProcess(pid, (process) => {
      process.vmas = castDraft(cut(process.vmas, BigInt(va), sizeBytes, () => null));
    })(kernel);
  },
  'kernel.protected': (kernel, event) => {
    const data = event.data as { pid: number; va: string; sizeBytes: number; read: boolean; write: boolean; execute: boolean };
    return withProcess(data.pid, (process) => {
      process.vmas = castDraft(cut(process.vmas, BigInt(data.va), data.sizeBytes, (piece) => ({
        ...piece,
        read: data.read,
        write: data.write,
        execute: data.execute,
      })));
    })(kernel);
  },
  'kernel.tlbFlushDeferred': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withProcess(pid, (process) => {
      process.tlbGeneration += 1;
    })(kernel);
  },
  'kernel.pcidAssigned': (kernel, event) => {
    const { pid, slot, previousOwner } = event.data as { pid: number; slot: number; previousOwner: number | null };
    return produce(kernel, (draft) => {
      if (previousOwner !== null && previousOwner !== pid) {
        const previous = draft.processes.byId[previousOwner] as Process | undefined;
        if (previous !== undefined) (previous as { pcidSlot: number | null }).pcidSlot = null;
      }
      (draft.processes.byId[pid] as { pcidSlot: number | null }).pcidSlot = slot;
      draft.nextPcidSlot = slot + 1;
    });
  },
  'kernel.switched': (kernel, event) => {
    const { from, to, pcid } = event.data as { from: number | null; to: number; pcid: number };
    return produce(kernel, (draft) => {
      if (from !== null && draft.processes.byId[from]?.status === 'running') {
        (draft.processes.byId[from] as { status: string }).status = 'ready';
      }
      const next = draft.processes.byId[to] as { status: string; tlbGeneration: number };
      next.status = 'running';
      draft.current = to;
      draft.chosenNext = null;
      if (pcid > 0) (draft.pcidSlots as PcidSlot[])[pcid - 1] = { owner: to, generation: next.tlbGeneration };
    });
  },
  'kernel.nextChosen': (kernel, event) => ({ ...kernel, chosenNext: (event.data as { pid: number }).pid }),
  'kernel.timerFired': (kernel, event) => {
    const { nextTick } = event.data as { nextTick: number | null };
    return { ...kernel, timer: { ...kernel.timer, nextTick } };
  },
  'kernel.processExited': (kernel, event) => {
    const { pid, how, waitStatus } = event.data as { pid: number; how: string; waitStatus?: number };
    return produce(kernel, (draft) => {
      const process = draft.processes.byId[pid] as { status: string; exit: string | null; waitStatus: number | null };
      // A zombie until its parent collects the status with wait4 (then 'exited'). A
      // process whose parent is not simulated (init, which reaps at once) is gone.
      const parent = draft.processes.byId[draft.processes.byId[pid]!.ppid] as Process | undefined;
      process.status = parent !== undefined && parent.pid !== pid && isAlive(parent) ? 'zombie' : 'exited';
      process.exit = how;
      process.waitStatus = waitStatus ?? 0;
      if (draft.current === pid) draft.current = null;
    });
  },
  'kernel.consoleWritten': (kernel, event) => {
    const { pid, fd, text } = event.data as { pid: number; fd: number; text: string };
    return { ...kernel, console: [...kernel.console, { pid, fd, text }] };
  },
  'kernel.regionCreated': (kernel, event) => {
    const { name, sizeBytes, frames } = event.data as { name: string; sizeBytes: number; frames: number[] };
    return produce(kernel, (draft) => {
      draft.regions.ids.push(name);
      draft.regions.byName[name] = { name, sizeBytes, frames };
    });
  },
};

/** Kernel events that record what happened without changing kernel state. */
export const KERNEL_OBSERVATIONS = [
  'kernel.oopsed',
  'kernel.syscallEntered',
  'kernel.syscallReturned',
  'kernel.requestRefused',
  'kernel.flushSkipped',
  'kernel.bootFailed',
] as const;
