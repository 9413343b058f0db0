/**
 * The CPU's isolation invariants: code at CPL 3 never touches kernel frames, and the
 * control registers change only at CPL 0.
 */
import type { Invariant } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { frameOf, type AccessData } from '../memory/invariants.js';

type MachineInvariant = Invariant<MachineState>;

const KERNEL_PURPOSES = new Set(['kernel', 'kernel-text', 'page-table']);

export const userCannotTouchSupervisor: MachineInvariant = {
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

export const controlRegistersPrivileged: MachineInvariant = {
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


/**
 * SMEP and SMAP as a promise: the kernel never runs user code and touches user data
 * only inside copy_from_user/copy_to_user (EFLAGS.AC set). A user page is a user-mode
 * address in the SDM's sense (U/S=1 in the translation used), which every CPU access
 * event reports; the kernel's own bookkeeping writes carry no such flag.
 */
export const supervisorAvoidsUserPages: MachineInvariant = {
  name: 'cpu.supervisor-avoids-user-pages',
  statement: 'Code at CPL 0 never executes a user page, and reads or writes one only with EFLAGS.AC set (copy_from_user).',
  defence: 'CR4.SMEP and CR4.SMAP',
  on: ['memory.read', 'memory.written', 'cpu.fetched'],
  check(_before, event, after) {
    const data = event.data as AccessData & { ac?: boolean; user?: boolean };
    if (data.cpl !== 0 || data.user !== true) return null;
    const owner = after.memory.owners.get(frameOf(after, data.address))?.owner ?? 'nobody';
    if (event.type === 'cpu.fetched') return `the kernel executed a user page (${owner}'s, at ${hex(data.address)})`;
    if (data.ac === true) return null;
    return `the kernel ${event.type === 'memory.read' ? 'read' : 'wrote'} a user page (${owner}'s, at ${hex(data.address)}) without EFLAGS.AC`;
  },
};
