/**
 * The CPU as a mechanism: accesses, instructions, interrupts, and the raw register
 * writes of exam-style setups. An exception is delivered through the IDT only when a
 * kernel has booted (installed its IDT); a raw machine just reports it.
 */
import type { Command, Envelope, EventDraft } from '../../core/decider.js';
import type { MechanismDefinition } from '../../core/engine.js';
import type { MachineState } from '../../machine/state.js';
import { decideAccess, type AccessData } from './access.js';
import { hex } from '../../core/u64.js';
import { registerWritten, writeCr0, writeCr3, writeCr4 } from './cr3.js';
import { cpuReducers } from './evolve.js';
import { decideInstruction, trapEntered } from './instructions.js';
import { NAMED_BITS, RFLAGS_IF, VECTORS, hasBit, withBit } from './registers.js';

export interface InterruptData {
  readonly vector: number;
}

/** A hardware interrupt (the timer): delivered unless EFLAGS.IF masks it. */
function decideInterrupt(state: MachineState, command: Command): EventDraft[] {
  const { vector } = (command as Command<'cpu.interrupt', InterruptData>).data;
  if (!hasBit(state.cpu.rflags, RFLAGS_IF)) return [{ type: 'cpu.interruptMasked', actor: 'cpu', data: { vector } }];
  return [trapEntered(state, vector, 'hardware', 'cpu')];
}

/**
 * The access a page fault interrupted, as the fault's events carry it: after the kernel
 * fixes the page (demand paging, swap-in, copy-on-write) the CPU runs it again, as
 * IRET returns to the faulting instruction (SDM §6.5: a fault's saved RIP is the
 * faulting instruction's).
 */
export interface FaultedAccess {
  readonly va: string;
  readonly kind: AccessData['kind'];
  readonly size: number;
  readonly bytes?: string;
  readonly cpl?: number;
  readonly ac?: boolean;
  readonly by: string;
}

function faultedAccess(data: AccessData): FaultedAccess {
  return {
    va: hex(data.va),
    kind: data.kind,
    size: data.size,
    ...(data.bytes === undefined ? {} : { bytes: data.bytes }),
    ...(data.cpl === undefined ? {} : { cpl: data.cpl }),
    ...(data.ac === undefined ? {} : { ac: data.ac }),
    by: data.by,
  };
}

/** An access; a #PF it raises records the access, so the kernel can have it run again. */
function decideAccessRestartable(state: MachineState, command: Command): EventDraft[] {
  const drafts = decideAccess(state, command);
  const last = drafts[drafts.length - 1];
  if (last === undefined || last.type !== 'cpu.exceptionRaised' || (last.data as { vector: number }).vector !== VECTORS.PF) return drafts;
  const access = faultedAccess((command as Command<'cpu.access', AccessData>).data);
  drafts[drafts.length - 1] = { ...last, data: { ...(last.data as object), access } };
  return drafts;
}

interface DeliverData {
  readonly vector: number;
  readonly errorCode: number | null;
  /** The CPL the faulting access or instruction ran at. */
  readonly cpl: number;
  readonly access?: FaultedAccess | null;
}

function decideDeliver(state: MachineState, command: Command): EventDraft[] {
  const { vector, errorCode, cpl, access } = (command as Command<'cpu.deliver', DeliverData>).data;
  const entered = trapEntered(state, vector, 'exception', 'cpu', null, errorCode, cpl);
  return [{ ...entered, data: { ...(entered.data as object), access: access ?? null } }];
}

export interface SetRegisterData {
  /** cr0, cr3, cr4, efer, rflags, pkru, cpl, or a named bit such as cr4.smep. */
  readonly register: string;
  readonly value: bigint;
}

/** A raw setup write: architectural effects (TLB flushes) apply as for MOV at CPL 0. */
function decideSetRegister(state: MachineState, command: Command): EventDraft[] {
  const { register, value } = (command as Command<'cpu.setRegister', SetRegisterData>).data;
  const why = 'raw setup';
  const cpu = state.cpu;
  const bit = NAMED_BITS[register];
  if (bit !== undefined) {
    const current = cpu[bit.register];
    const next = withBit(current, bit.bit, value !== 0n);
    if (bit.register === 'cr4') return writeCr4(state, 'raw', next, why);
    if (bit.register === 'cr0') return writeCr0(state, 'raw', next, why);
    return [registerWritten('raw', bit.register, current, next, why)];
  }
  switch (register) {
    case 'cr3':
      return writeCr3(state, 'raw', value, why);
    case 'cr4':
      return writeCr4(state, 'raw', Number(value), why);
    case 'cr0':
      return writeCr0(state, 'raw', Number(value), why);
    default:
      return [registerWritten('raw', register, BigInt((cpu as unknown as Record<string, number>)[register] ?? 0), value, why)];
  }
}

interface GateData {
  readonly vector: number;
  readonly dpl: number;
  readonly present: boolean;
}

/** The kernel (re)configures an IDT gate: its DPL decides who may use INT n on it. */
function decideConfigureGate(state: MachineState, command: Command): EventDraft[] {
  const { vector, dpl, present } = (command as Command<'cpu.configureGate', GateData>).data;
  const gate = state.cpu.idt[vector]!;
  return [{ type: 'cpu.gateConfigured', actor: 'kernel', data: { vector, dpl, present, handler: gate.present ? gate.handler : `handler_${vector}` } }];
}

function reactToException(state: MachineState, event: Envelope): Command[] {
  if (!state.kernel.booted) return [];
  const { vector, errorCode, cpl, access } = event.data as DeliverData;
  return [{ type: 'cpu.deliver', actor: 'cpu', data: { vector, errorCode, cpl, access: access ?? null } }];
}

export const cpuMechanism: MechanismDefinition<MachineState, 'cpu'> = {
  name: 'cpu',
  slice: 'cpu',
  decide: {
    'cpu.access': decideAccessRestartable,
    'cpu.instruction': decideInstruction,
    'cpu.interrupt': decideInterrupt,
    'cpu.deliver': decideDeliver,
    'cpu.setRegister': decideSetRegister,
    'cpu.configureGate': decideConfigureGate,
  },
  evolve: cpuReducers,
  react: { 'cpu.exceptionRaised': reactToException },
};
