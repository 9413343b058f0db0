/**
 * Physical memory's isolation invariants: a user-mode access reaches only frames of the
 * process's own address space (or regions it mapped), a write never lands in a frame
 * still shared copy-on-write, and the allocator never hands out a frame twice nor frees
 * one another address space still maps. Ownership and sharing come from the allocator
 * and the kernel's VMA records, not from the page walk that decided the access, so the
 * checks are independent of it.
 */
import type { Invariant } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { isAlive, processByName, type KernelState } from '../../kernel/state.js';
import { mapCountOf } from './state.js';

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

/**
 * The other live address spaces mapping a frame, by process name (processes sharing one
 * address space, as after vfork, count once).
 */
function otherMappers(state: MachineState, name: string, pfn: number): string[] {
  const self = processByName(state.kernel, name);
  const out: string[] = [];
  for (const pid of state.kernel.processes.ids) {
    const process = state.kernel.processes.byId[pid]!;
    if (!isAlive(process) || process.name === name || process.rootTable === self?.rootTable) continue;
    if (process.vmas.some((vma) => vma.region === null && vma.frames.includes(pfn))) out.push(process.name);
  }
  return out;
}

export const processIsolation: MachineInvariant = {
  name: 'memory.process-isolation',
  statement:
    'No process reads or writes a frame that is not mapped in its own address space, except declared shared regions; and no process writes a private frame it still shares copy-on-write.',
  defence: 'per-process page tables, with the TLB flushed or PCID-tagged on every switch; fork write-protecting the pages it shares (copy-on-write)',
  on: ['memory.read', 'memory.written', 'cpu.fetched'],
  check(_before, event, after) {
    const data = event.data as AccessData;
    if (data.cpl !== 3) return null;
    const frames = framesMappedBy(after, data.by);
    if (frames === null) return null;
    const pfn = frameOf(after, data.address);
    const owner = after.memory.owners.get(pfn);
    if (!frames.has(pfn)) {
      return `${data.by} touched frame ${pfn} (${hex(data.address)}), which belongs to ${owner === undefined ? 'nobody' : `${owner.owner} (${owner.purpose})`}, not to its address space`;
    }
    // Sharing a private frame after fork is legitimate only while nobody writes it: the
    // first write must give the writer its own copy (mm/memory.c, do_wp_page).
    if (event.type !== 'memory.written' || owner?.purpose !== 'data' || mapCountOf(after.memory, pfn) < 2) return null;
    const others = otherMappers(after, data.by, pfn);
    return `${data.by} wrote frame ${pfn} (${hex(data.address)}), which it still shares copy-on-write${others.length === 0 ? '' : ` with ${others.join(', ')}`}: the write is seen by the other address space`;
  },
};

export const framesDisjoint: MachineInvariant = {
  name: 'memory.frames-disjoint',
  statement:
    'The allocator never hands out a frame that is already owned nor frees one twice; only private data frames are shared (copy-on-write), and a shared frame is freed only by its last mapping.',
  defence: 'the kernel frame allocator and its per-frame map counts',
  on: ['memory.framesAllocated', 'memory.framesShared', 'memory.framesFreed'],
  check(before, event) {
    const { frames } = event.data as { frames: number[] };
    for (const pfn of frames) {
      const owner = before.memory.owners.get(pfn);
      if (event.type === 'memory.framesAllocated') {
        if (owner !== undefined) return `frame ${pfn} handed out again while owned by ${owner.owner} (${owner.purpose})`;
      } else if (event.type === 'memory.framesShared') {
        if (owner?.purpose !== 'data') return `frame ${pfn} shared copy-on-write, but it is ${owner === undefined ? 'free' : `a ${owner.purpose} frame of ${owner.owner}`}`;
      } else if (owner === undefined) {
        return `frame ${pfn} freed twice: nobody owns it`;
      } else if (mapCountOf(before.memory, pfn) > 1) {
        return `frame ${pfn} freed while ${mapCountOf(before.memory, pfn)} address spaces still map it`;
      }
    }
    return null;
  },
};

