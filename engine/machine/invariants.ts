/**
 * The isolation invariants each mechanism promises, as pure predicates over one
 * transition (before, event, after). Each names the defence it depends on, so a
 * counterexample says which defence was missing. They are independent of the code
 * they check: ownership comes from the allocator and the kernel's VMA records, not from
 * the page walk that decided the access.
 */
import type { Envelope, Invariant } from '../core/decider.js';
import { hex } from '../core/u64.js';
import { pagingControlOf } from '../hw/cpu/control.js';
import { translate } from '../hw/mmu/index.js';
import type { TlbEntry } from '../hw/tlb/state.js';
import { processByName, type KernelState } from '../kernel/state.js';
import type { MachineState } from './state.js';

type MachineInvariant = Invariant<MachineState>;

interface AccessData {
  readonly address: number;
  readonly size?: number;
  readonly by: string;
  readonly cpl: number;
}

function frameOf(state: MachineState, address: number): number {
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

const processIsolation: MachineInvariant = {
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

const KERNEL_PURPOSES = new Set(['kernel', 'kernel-text', 'page-table']);

const userCannotTouchSupervisor: MachineInvariant = {
  name: 'cpu.user-cannot-touch-supervisor',
  statement: 'Code at CPL 3 never reads, writes or executes kernel memory (kernel image, kernel data, page tables, kernel secrets).',
  defence: 'U/S=0 on every kernel mapping, checked by the MMU on every access',
  on: ['memory.read', 'memory.written', 'cpu.fetched'],
  check(_before, event, after) {
    const data = event.data as AccessData;
    if (data.cpl !== 3) return null;
    const owner = after.memory.owners.get(frameOf(after, data.address));
    if (owner === undefined) return null;
    const kernelFrame = KERNEL_PURPOSES.has(owner.purpose) || (owner.purpose === 'secret' && owner.owner === 'kernel');
    if (!kernelFrame || data.by === 'raw') return null;
    return `CPL 3 code (${data.by}) accessed ${hex(data.address)}, a ${owner.purpose} frame of the kernel`;
  },
};

/**
 * A TLB entry usable under the current CR3/PCID must match what the page tables say now:
 * the same frame, and no more rights than the tables give (fewer is a benign, spurious
 * fault that the SDM allows, §4.10.4.3). Checked whenever an entry is used (a hit) and
 * whenever a process is about to run.
 */
function tlbEntryDisagreement(state: MachineState, entry: TlbEntry): string | null {
  const geometry = state.config.geometry;
  const pageBytes = 2 ** entry.pageShift;
  const linear = BigInt(entry.pageNumber) * BigInt(pageBytes);
  const high = Number(linear >> 32n) >>> 0;
  const low = Number(linear & 0xffffffffn) >>> 0;
  // A supervisor read with SMAP and PKE off is allowed on every present page, so the
  // walk reports the tables' rights for any translation that exists.
  const control = { ...pagingControlOf(state.cpu, state.config), cpl: 0, cr4Smap: false, cr4Pke: false };
  const store = state.memory.store;
  const walk = translate(geometry, control, { kind: 'read', vaHigh: high, vaLow: low }, (address, bytes) => store.readEntry(address, bytes), false);
  const va = hex(linear);
  if (walk.kind === 'fault' && (walk.errorCode & 1) === 0) return `the TLB maps ${va} but the page tables do not`;
  if (walk.kind === 'fault') return null;
  if (walk.frameBase !== entry.frameBase - (entry.frameBase % 2 ** walk.pageShift)) {
    return `the TLB maps ${va} to ${hex(entry.frameBase)} but the page tables map it to ${hex(walk.frameBase)}`;
  }
  const r = walk.rights;
  if ((entry.writable && !r.writable) || (entry.user && !r.user) || (entry.executable && !r.executable)) {
    return `the TLB grants ${va} more rights than the page tables do`;
  }
  return null;
}

function activeEntries(state: MachineState): TlbEntry[] {
  const pcid = state.cpu.cr4 & (1 << 17) ? state.cpu.cr3 % 4096 : 0;
  return state.tlb.slots.filter((entry): entry is TlbEntry => entry !== null && (entry.pcid === pcid || entry.global));
}

const tlbCoherent: MachineInvariant = {
  name: 'tlb.coherent',
  statement: 'The TLB never holds a translation for the active PCID that disagrees with the current page tables.',
  defence: 'TLB flush (or a fresh PCID) on context switch and INVLPG after unmap/mprotect',
  on: ['tlb.hit', 'cpu.contextEntered'],
  check(_before, event: Envelope, after) {
    const entries =
      event.type === 'tlb.hit' ? [after.tlb.slots[(event.data as { slot: number }).slot]!].filter((e) => e !== null) : activeEntries(after);
    for (const entry of entries) {
      const problem = tlbEntryDisagreement(after, entry);
      if (problem !== null) return problem;
    }
    return null;
  },
};

const controlRegistersPrivileged: MachineInvariant = {
  name: 'cpu.control-registers-privileged',
  statement: 'CR0, CR3 and CR4 change only at CPL 0: user code cannot switch page tables or turn off protections.',
  defence: 'MOV to CRn raising #GP(0) at CPL > 0',
  on: ['cpu.registerWritten'],
  check(before, event) {
    const { register } = event.data as { register: string };
    if (!['cr0', 'cr3', 'cr4'].includes(register) || event.actor === 'raw' || event.actor === 'kernel') return null;
    return before.cpu.cpl === 0 ? null : `${register} was written at CPL ${before.cpu.cpl} by ${event.actor}`;
  },
};

const framesDisjoint: MachineInvariant = {
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

const secretsStaySecret: MachineInvariant = {
  name: 'secret.no-leak',
  statement: 'No process learns a secret it does not own.',
  defence: 'every isolation mechanism on the path to the secret',
  on: ['observer.secretLeaked'],
  check(_before, event) {
    const { actor, secret } = event.data as { actor: string; secret: string };
    return `${actor} learned the secret ${secret}`;
  },
};

export const INVARIANTS: readonly MachineInvariant[] = [
  processIsolation,
  userCannotTouchSupervisor,
  tlbCoherent,
  controlRegistersPrivileged,
  framesDisjoint,
  secretsStaySecret,
];

export function invariantByName(name: string): MachineInvariant | null {
  return INVARIANTS.find((invariant) => invariant.name === name) ?? null;
}
