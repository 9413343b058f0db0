/**
 * The kernel as a mechanism: boot, processes and address spaces, swap, scheduling, and
 * its reactions to the CPU entering ring 0 (system calls, faults, the timer). A system
 * call returns to user mode through the signal and sleep handling of proc/return.ts; a
 * page fault the kernel resolved is followed by the faulting access again, as IRET
 * restarts the faulting instruction.
 */
import type { Command, Envelope, EventDraft } from '../core/decider.js';
import type { MechanismDefinition } from '../core/engine.js';
import type { MachineState } from '../machine/state.js';
import type { SyscallRequest } from '../hw/cpu/instructions.js';
import { decideBoot } from './boot.js';
import { kernelReducers } from './evolve.js';
import { decideCreateProcess, decideCreateRegion, decideMap, decideProtect, decideUnmap } from './mm.js';
import { decideChooseNext, decideSwitch, decideTimerTick } from './sched.js';
import { decideSyscall } from './syscalls.js';
import { decideException } from './traps.js';
import type { AccessRetry } from './proc/fault.js';
import { returnToUser } from './proc/return.js';
import { decideSwapOut } from './proc/swap.js';
import { MAC_DECIDERS } from './mac/decide.js';
import { SECCOMP_DECIDERS } from './seccomp/commands.js';
import { INTERPOSE_DECIDERS } from './interpose/resume.js';

interface TrapData {
  readonly vector: number;
  readonly source: 'software' | 'exception' | 'hardware';
  readonly fromCpl: number;
  readonly syscall: SyscallRequest | null;
  readonly errorCode: number | null;
  /** The faulting access of a #PF, when the CPU passes it on (to be restarted). */
  readonly access?: AccessRetry | null;
}

function reactToTrap(state: MachineState, event: Envelope): Command[] {
  if (!state.kernel.booted) return [];
  const data = event.data as TrapData;
  if (data.source === 'software' && data.vector === 0x80) {
    const request: SyscallRequest = data.syscall ?? { nr: -1, name: null, args: [] };
    return [{ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'i386', request } }];
  }
  if (data.source === 'hardware' && data.vector === 0x20) {
    return [{ type: 'kernel.tick', actor: 'kernel', data: { tick: event.tick } }];
  }
  return [
    {
      type: 'kernel.exception',
      actor: 'kernel',
      data: {
        vector: data.vector,
        errorCode: data.errorCode,
        fromCpl: data.fromCpl,
        address: data.vector === 14 ? '0x' + state.cpu.cr2.toString(16) : null,
        ...(data.access === undefined || data.access === null ? {} : { access: data.access }),
      },
    },
  ];
}

function reactToSyscall(state: MachineState, event: Envelope): Command[] {
  if (!state.kernel.booted) return [];
  const { syscall } = event.data as { syscall: SyscallRequest };
  return [{ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'x86_64', request: syscall } }];
}

/** IRET restarts the instruction whose page fault the kernel resolved. */
function reactToResolvedFault(_state: MachineState, event: Envelope): Command[] {
  const { retry } = event.data as { retry: AccessRetry | null };
  if (retry === null) return [];
  return [{ type: 'cpu.access', actor: retry.by, data: { ...retry, va: BigInt(retry.va) } }];
}

function decideSyscallAndReturn(state: MachineState, command: Command): EventDraft[] {
  return returnToUser(state, decideSyscall(state, command));
}

export const kernelMechanism: MechanismDefinition<MachineState, 'kernel'> = {
  name: 'kernel',
  slice: 'kernel',
  decide: {
    'kernel.boot': decideBoot,
    'kernel.createProcess': decideCreateProcess,
    'kernel.createRegion': decideCreateRegion,
    'kernel.map': decideMap,
    'kernel.unmap': decideUnmap,
    'kernel.protect': decideProtect,
    'kernel.switchTo': decideSwitch,
    'kernel.chooseNext': decideChooseNext,
    'kernel.tick': decideTimerTick,
    'kernel.exception': decideException,
    'kernel.syscall': decideSyscallAndReturn,
    'kernel.swapOut': decideSwapOut,
    ...MAC_DECIDERS,
    ...SECCOMP_DECIDERS,
    ...INTERPOSE_DECIDERS,
  },
  evolve: kernelReducers,
  react: { 'cpu.trapEntered': reactToTrap, 'cpu.syscallEntered': reactToSyscall, 'kernel.faultResolved': reactToResolvedFault },
};
