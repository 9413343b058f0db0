/** CPU reducers: small flat records, updated by hand (the CPU slice is warm, not hot). */
import type { Envelope } from '../../core/decider.js';
import { assert } from '../../core/errors.js';
import type { CpuState, SavedFrame } from './state.js';
import { RFLAGS_IF, VECTORS, withBit } from './registers.js';

interface RegisterWritten {
  readonly register: string;
  readonly after: string;
}

function registerWritten(cpu: CpuState, event: Envelope): CpuState {
  const { register, after } = event.data as RegisterWritten;
  switch (register) {
    case 'cr0':
    case 'cr3':
    case 'cr4':
    case 'efer':
    case 'rflags':
    case 'pkru':
    case 'cpl':
      return { ...cpu, [register]: Number(BigInt(after)) };
    case 'cr2':
      return { ...cpu, cr2: BigInt(after) };
    default:
      assert(false, `unknown register ${register}`);
  }
}

function exceptionRaised(cpu: CpuState, event: Envelope): CpuState {
  const { vector, address } = event.data as { vector: number; address: string | null };
  if (vector !== VECTORS.PF || address === null) return cpu;
  return { ...cpu, cr2: BigInt(address) };
}

function entered(cpu: CpuState, frame: SavedFrame, clearInterrupts: boolean): CpuState {
  return {
    ...cpu,
    cpl: 0,
    halted: false,
    frames: [...cpu.frames, frame],
    rflags: clearInterrupts ? withBit(cpu.rflags, RFLAGS_IF, false) : cpu.rflags,
  };
}

export const cpuReducers = {
  'cpu.registerWritten': registerWritten,
  'cpu.exceptionRaised': exceptionRaised,
  'cpu.trapEntered': (cpu: CpuState, event: Envelope): CpuState => {
    const { vector, gateKind } = event.data as { vector: number; gateKind: string };
    return entered(cpu, { cpl: cpu.cpl, via: 'interrupt', vector, rflags: cpu.rflags }, gateKind === 'interrupt');
  },
  'cpu.syscallEntered': (cpu: CpuState): CpuState => entered(cpu, { cpl: cpu.cpl, via: 'syscall', vector: null, rflags: cpu.rflags }, true),
  'cpu.returned': (cpu: CpuState, event: Envelope): CpuState => {
    const { toCpl } = event.data as { toCpl: number };
    const frame = cpu.frames[cpu.frames.length - 1];
    return { ...cpu, cpl: toCpl, frames: cpu.frames.slice(0, -1), rflags: frame === undefined ? cpu.rflags : frame.rflags };
  },
  'cpu.contextEntered': (cpu: CpuState, event: Envelope): CpuState => {
    // Returning to a process (or to the idle loop) always runs with interrupts enabled.
    const { cpl } = event.data as { cpl: number };
    return { ...cpu, cpl, frames: [], halted: false, rflags: withBit(cpu.rflags, RFLAGS_IF, true) };
  },
  'cpu.halted': (cpu: CpuState): CpuState => ({ ...cpu, halted: true }),
  'cpu.gateConfigured': (cpu: CpuState, event: Envelope): CpuState => {
    const { vector, dpl, present, handler } = event.data as { vector: number; dpl: number; present: boolean; handler: string };
    const idt = cpu.idt.slice();
    idt[vector] = { ...idt[vector]!, dpl, present, handler };
    return { ...cpu, idt };
  },
} as const;

