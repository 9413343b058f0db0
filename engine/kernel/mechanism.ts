/**
 * The kernel as a mechanism: boot, processes and address spaces, scheduling, and its
 * reactions to the CPU entering ring 0 (system calls, faults, the timer).
 */
import type { Command, Envelope } from '../core/decider.js';
import type { MechanismDefinition } from '../core/engine.js';
import type { MachineState } from '../machine/state.js';
import type { SyscallRequest } from '../hw/cpu/instructions.js';
import { decideBoot } from './boot.js';
import { kernelReducers } from './evolve.js';
import { decideCreateProcess, decideCreateRegion, decideMap, decideProtect, decideUnmap } from './mm.js';
import { decideChooseNext, decideSwitch, decideTimerTick } from './sched.js';
import { decideSyscall } from './syscalls.js';
import { decideException } from './traps.js';

interface TrapData {
  readonly vector: number;
  readonly source: 'software' | 'exception' | 'hardware';
  readonly fromCpl: number;
  readonly syscall: SyscallRequest | null;
  readonly errorCode: number | null;
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
      data: { vector: data.vector, errorCode: data.errorCode, fromCpl: data.fromCpl, address: data.vector === 14 ? '0x' + state.cpu.cr2.toString(16) : null },
    },
  ];
}

function reactToSyscall(state: MachineState, event: Envelope): Command[] {
  if (!state.kernel.booted) return [];
  const { syscall } = event.data as { syscall: SyscallRequest };
  return [{ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'x86_64', request: syscall } }];
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
    'kernel.syscall': decideSyscall,
  },
  evolve: kernelReducers,
  react: { 'cpu.trapEntered': reactToTrap, 'cpu.syscallEntered': reactToSyscall },
};
