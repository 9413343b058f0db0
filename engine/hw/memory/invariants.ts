/**
 * Physical memory's isolation invariants: a user-mode access reaches only frames of the
 * process's own address space (or regions it mapped), and the allocator never hands out
 * a frame twice. Ownership comes from the allocator and the kernel's VMA records, not
 * from the page walk that decided the access, so the checks are independent of it.
 */
import type { Invariant } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { processByName, type KernelState } from '../../kernel/state.js';

type MachineInvariant = Invariant<MachineState>;

export interface AccessData {
  readonly address: number;
  readonly size?: number;
  readonly by: string;
  readonly cpl: number;
}

export function frameOf(state: MachineState, address: number): number {
  return Math.floor(address / state.memory.frameBytes);
}

/**
 * Frames a process may touch: its own data frames and the regions it mapped. Memoised
 * per kernel slice (states are immutable, and the kernel slice changes rarely), since
 * this runs on every user-mode memory access.
 */
const mappedFrames = new WeakMap<KernelState, Map<string, Set<number> | null>>();

function framesMappedBy(state: MachineState, name: string): Set<number> | null {
  let perProcess = mappedFrames.get(state.kernel);
  if (perProcess === undefined) {
    perProcess = new Map();
    mappedFrames.set(state.kernel, perProcess);
  }
  const cached = perProcess.get(name);
  if (cached !== undefined) return cached;
  const process = processByName(state.kernel, name);
  const frames = process === null ? null : new Set(process.vmas.flatMap((vma) => vma.frames));
  perProcess.set(name, frames);
  return frames;
}

export const processIsolation: MachineInvariant = {
  name: 'memory.process-isolation',
  statement: 'No process reads or writes a frame that is not mapped in its own address space, except declared shared regions.',
  defence: 'per-process page tables, with the TLB flushed or PCID-tagged on every switch',
  on: ['memory.read', 'memory.written', 'cpu.fetched'],
  check(_before, event, after) {
    const data = event.data as AccessData;
    if (data.cpl !== 3) return null;
    const frames = framesMappedBy(after, data.by);
    if (frames === null) return null;
    const pfn = frameOf(after, data.address);
    if (frames.has(pfn)) return null;
    const owner = after.memory.owners.get(pfn);
    return `${data.by} touched frame ${pfn} (${hex(data.address)}), which belongs to ${owner === undefined ? 'nobody' : `${owner.owner} (${owner.purpose})`}, not to its address space`;
  },
};

export const framesDisjoint: MachineInvariant = {
  name: 'memory.frames-disjoint',
  statement: 'The allocator never hands out a frame that is already owned.',
  defence: 'the kernel frame allocator',
  on: ['memory.framesAllocated'],
  check(before, event) {
    const { frames } = event.data as { frames: number[] };
    for (const pfn of frames) {
      const owner = before.memory.owners.get(pfn);
      if (owner !== undefined) return `frame ${pfn} handed out again while owned by ${owner.owner} (${owner.purpose})`;
    }
    return null;
  },
};

