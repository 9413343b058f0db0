/**
 * Instructions that matter for isolation, with the privilege checks of the Intel SDM
 * Vol. 2 instruction pages and Vol. 3A §5.9 ("Privileged Instructions"):
 * - CPL 0 only, else #GP(0): HLT, MOV to/from CRn, LGDT, LIDT, LLDT, LTR, WRMSR,
 *   RDMSR, INVLPG, WBINVD, CLTS, SWAPGS, SYSRET.
 * - IOPL-sensitive, #GP(0) when CPL > IOPL (Linux keeps IOPL 0): CLI, STI, IN, OUT.
 * - Sensitive but unprivileged (run at CPL 3 unless CR4.UMIP, §2.5): SGDT, SIDT, SLDT,
 *   STR, SMSW — the instructions that make x86 not classically virtualisable.
 * - STAC/CLAC: #UD at CPL > 0. WRPKRU: any CPL, #UD without CR4.PKE.
 * - INT n through the IDT with the gate-DPL check for software interrupts (§6.12.1.1);
 *   SYSCALL/SYSRET (§5.8.8); IRET and far JMP with the code-segment checks (§5.8).
 * - MOV to CS is invalid (#UD): the CPL cannot be set by moving a selector.
 * Instruction encodings, registers other than the ones named, and timing are left out.
 */
import type { Command, EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { splitVirtual } from '../mmu/index.js';
import { invalidatePage } from '../tlb/flush.js';
import { exception } from './access.js';
import { currentPcid } from './control.js';
import { registerWritten, writeCr0, writeCr3, writeCr4 } from './cr3.js';
import { CR4_PKE, CR4_UMIP, EFER_SCE, RFLAGS_AC, RFLAGS_IF, VECTORS, hasBit, withBit } from './registers.js';

export interface SyscallRequest {
  readonly nr: number;
  readonly name: string | null;
  /** Arguments as given: numbers exact in hex, strings as text, words as symbols. */
  readonly args: readonly (string | { readonly text: string } | { readonly symbol: string })[];
  /** The name a new process gets (fork/clone … as NAME). */
  readonly as?: string;
}

export type Instruction =
  | { readonly op: 'simple'; readonly mnemonic: SimpleMnemonic }
  | { readonly op: 'mov-to-cr'; readonly cr: 0 | 3 | 4; readonly value: bigint }
  | { readonly op: 'mov-from-cr'; readonly cr: 0 | 2 | 3 | 4 }
  | { readonly op: 'wrmsr' | 'rdmsr'; readonly msr: number; readonly value: bigint }
  | { readonly op: 'in' | 'out'; readonly port: number }
  | { readonly op: 'invlpg'; readonly va: bigint }
  | { readonly op: 'int'; readonly vector: number; readonly syscall: SyscallRequest | null }
  | { readonly op: 'syscall'; readonly syscall: SyscallRequest }
  | { readonly op: 'sysret' }
  | { readonly op: 'iret'; readonly selector: number | null }
  | { readonly op: 'ljmp'; readonly selector: number; readonly offset: bigint }
  | { readonly op: 'mov-to-cs'; readonly selector: number }
  | { readonly op: 'wrpkru'; readonly value: number };

export const SIMPLE_MNEMONICS = [
  'cli',
  'sti',
  'hlt',
  'nop',
  'ud2',
  'lgdt',
  'lidt',
  'lldt',
  'ltr',
  'wbinvd',
  'clts',
  'swapgs',
  'sgdt',
  'sidt',
  'sldt',
  'str',
  'smsw',
  'stac',
  'clac',
  'rdpkru',
  'int3',
  'div0',
  'cpuid',
] as const;
export type SimpleMnemonic = (typeof SIMPLE_MNEMONICS)[number];

const CPL0_ONLY: ReadonlySet<string> = new Set(['hlt', 'lgdt', 'lidt', 'lldt', 'ltr', 'wbinvd', 'clts', 'swapgs']);
const IOPL_SENSITIVE: ReadonlySet<string> = new Set(['cli', 'sti']);
const UMIP_GUARDED: ReadonlySet<string> = new Set(['sgdt', 'sidt', 'sldt', 'str', 'smsw']);

export interface InstructionData {
  readonly instruction: Instruction;
  /** The instruction as written, for the trace. */
  readonly text: string;
  readonly by: string;
  /** Run at this CPL instead of the CPU's (kernel steps run at 0 in a process's context). */
  readonly cpl?: number;
}

export type InstructionCommand = Command<'cpu.instruction', InstructionData>;

function moveToControlRegister(state: MachineState, cr: 0 | 3 | 4, value: bigint, by: string, text: string): EventDraft[] {
  if (cr === 3) return writeCr3(state, by, value, text);
  if (cr === 4) return writeCr4(state, by, Number(value & 0xffffffffn), text);
  return writeCr0(state, by, Number(value & 0xffffffffn), text);
}

/** The instruction's effects, then `cpu.executed` — unless one of them was an exception. */
function completed(drafts: EventDraft[], by: string, text: string, cpl: number): EventDraft[] {
  if (drafts.some((draft) => draft.type === 'cpu.exceptionRaised')) return drafts;
  return [...drafts, executed(by, text, cpl)];
}

function executed(by: string, text: string, cpl: number, result: string | null = null): EventDraft {
  return { type: 'cpu.executed', actor: by, data: { instruction: text, cpl, result } };
}

function generalProtection(by: string, cpl: number, text: string, why: string, code = 0): EventDraft {
  return exception(by, VECTORS.GP, code, null, cpl, `${text}: ${why}`);
}

export function decideInstruction(machine: MachineState, command: Command): EventDraft[] {
  const { instruction, text, by, cpl: override } = (command as InstructionCommand).data;
  const state = override === undefined ? machine : { ...machine, cpu: { ...machine.cpu, cpl: override } };
  const cpl = state.cpu.cpl;
  switch (instruction.op) {
    case 'simple':
      return simple(state, instruction.mnemonic, text, by);
    case 'mov-to-cr':
      if (cpl !== 0) return [generalProtection(by, cpl, text, 'MOV to a control register needs CPL 0')];
      return completed(moveToControlRegister(state, instruction.cr, instruction.value, by, text), by, text, cpl);
    case 'mov-from-cr': {
      if (cpl !== 0) return [generalProtection(by, cpl, text, 'MOV from a control register needs CPL 0')];
      const cpu = state.cpu;
      const value = { 0: cpu.cr0, 2: cpu.cr2, 3: cpu.cr3, 4: cpu.cr4 }[instruction.cr];
      return [executed(by, text, cpl, hex(value))];
    }
    case 'wrmsr':
    case 'rdmsr':
      if (cpl !== 0) return [generalProtection(by, cpl, text, `${instruction.op.toUpperCase()} needs CPL 0`)];
      return [executed(by, text, cpl, instruction.op === 'rdmsr' ? hex(0) : null)];
    case 'in':
    case 'out':
      if (cpl > 0) return [generalProtection(by, cpl, text, 'I/O needs CPL <= IOPL (0) or a TSS I/O-bitmap grant')];
      return [executed(by, text, cpl, instruction.op === 'in' ? hex(0xff) : null)];
    case 'invlpg':
      return invlpg(state, instruction.va, text, by);
    case 'int':
      return softwareInterrupt(state, instruction.vector, instruction.syscall, text, by);
    case 'syscall':
      return syscallEntry(state, instruction.syscall, text, by);
    case 'sysret':
      if (cpl !== 0) return [generalProtection(by, cpl, text, 'SYSRET needs CPL 0')];
      if (state.cpu.frames.length === 0) return [generalProtection(by, cpl, text, 'no SYSCALL frame to return to')];
      return [{ type: 'cpu.returned', actor: by, data: { via: 'sysret', toCpl: 3 } }];
    case 'iret':
      return iret(state, instruction.selector, text, by);
    case 'ljmp':
      return farJump(state, instruction.selector, text, by);
    case 'mov-to-cs':
      return [exception(by, VECTORS.UD, null, null, cpl, `${text}: MOV cannot load CS (SDM Vol. 2B, MOV)`)];
    case 'wrpkru':
      if (!hasBit(state.cpu.cr4, CR4_PKE)) return [exception(by, VECTORS.UD, null, null, cpl, `${text}: CR4.PKE is clear`)];
      return [registerWritten(by, 'pkru', state.cpu.pkru, instruction.value >>> 0, text), executed(by, text, cpl)];
  }
}

function simple(state: MachineState, mnemonic: SimpleMnemonic, text: string, by: string): EventDraft[] {
  const cpu = state.cpu;
  const cpl = cpu.cpl;
  if (CPL0_ONLY.has(mnemonic) && cpl !== 0) return [generalProtection(by, cpl, text, 'a privileged instruction needs CPL 0')];
  if (IOPL_SENSITIVE.has(mnemonic) && cpl > 0) return [generalProtection(by, cpl, text, 'CLI/STI need CPL <= IOPL (0)')];
  if (UMIP_GUARDED.has(mnemonic) && cpl > 0 && hasBit(cpu.cr4, CR4_UMIP)) {
    return [generalProtection(by, cpl, text, 'CR4.UMIP forbids it at CPL > 0')];
  }
  switch (mnemonic) {
    case 'ud2':
      return [exception(by, VECTORS.UD, null, null, cpl, 'UD2 raises #UD by definition')];
    case 'div0':
      return [exception(by, VECTORS.DE, null, null, cpl, 'division by zero')];
    case 'stac':
    case 'clac':
      if (cpl > 0) return [exception(by, VECTORS.UD, null, null, cpl, `${text}: STAC/CLAC are #UD at CPL > 0`)];
      return [registerWritten(by, 'rflags', cpu.rflags, withBit(cpu.rflags, RFLAGS_AC, mnemonic === 'stac'), text), executed(by, text, cpl)];
    case 'cli':
    case 'sti':
      return [registerWritten(by, 'rflags', cpu.rflags, withBit(cpu.rflags, RFLAGS_IF, mnemonic === 'sti'), text), executed(by, text, cpl)];
    case 'hlt':
      return [executed(by, text, cpl), { type: 'cpu.halted', actor: by, data: {} }];
    case 'rdpkru':
      if (!hasBit(cpu.cr4, CR4_PKE)) return [exception(by, VECTORS.UD, null, null, cpl, `${text}: CR4.PKE is clear`)];
      return [executed(by, text, cpl, hex(cpu.pkru))];
    case 'int3':
      return softwareInterrupt(state, VECTORS.BP, null, text, by);
    case 'smsw':
      return [executed(by, text, cpl, hex(cpu.cr0 & 0xffff))];
    default:
      return [executed(by, text, cpl)];
  }
}

function invlpg(state: MachineState, va: bigint, text: string, by: string): EventDraft[] {
  const cpl = state.cpu.cpl;
  if (cpl !== 0) return [generalProtection(by, cpl, text, 'INVLPG needs CPL 0')];
  const { high, low } = splitVirtual(va);
  const geometry = state.config.geometry;
  return [
    ...invalidatePage(state.tlb, 'tlb', va, high, low, geometry.linearBits, currentPcid(state.cpu), 'INVLPG'),
    executed(by, text, cpl),
  ];
}

/**
 * INT n (SDM Vol. 2A "INT n", Vol. 3A §6.12.1.1): for a software interrupt the gate's
 * DPL must be >= CPL, else #GP(vector*8+2); a gate that is not present gives #NP with
 * the same error code. Through the gate the CPU enters the handler at CPL 0.
 */
function softwareInterrupt(state: MachineState, vector: number, syscall: SyscallRequest | null, text: string, by: string): EventDraft[] {
  const cpu = state.cpu;
  const gate = cpu.idt[vector];
  const selectorCode = vector * 8 + 2;
  if (gate === undefined) return [generalProtection(by, cpu.cpl, text, 'vector beyond the IDT limit', selectorCode)];
  if (gate.dpl < cpu.cpl) {
    return [generalProtection(by, cpu.cpl, text, `gate ${hex(vector)} has DPL ${gate.dpl} < CPL ${cpu.cpl}`, selectorCode)];
  }
  if (!gate.present) return [exception(by, VECTORS.NP, selectorCode, null, cpu.cpl, `${text}: gate ${hex(vector)} is not present`)];
  return [trapEntered(state, vector, 'software', by, syscall)];
}

export function trapEntered(
  state: MachineState,
  vector: number,
  source: 'software' | 'exception' | 'hardware',
  by: string,
  syscall: SyscallRequest | null = null,
  errorCode: number | null = null,
  fromCpl: number = state.cpu.cpl,
): EventDraft {
  const cpu = state.cpu;
  const gate = cpu.idt[vector]!;
  return {
    type: 'cpu.trapEntered',
    actor: 'cpu',
    data: { vector, source, fromCpl, toCpl: 0, handler: gate.handler, gateKind: gate.kind, by, syscall, errorCode },
  };
}

/** SYSCALL (SDM Vol. 2B): #UD outside 64-bit mode or with EFER.SCE clear. */
function syscallEntry(state: MachineState, syscall: SyscallRequest, text: string, by: string): EventDraft[] {
  const cpu = state.cpu;
  if (cpu.mode !== 'long') return [exception(by, VECTORS.UD, null, null, cpu.cpl, `${text}: SYSCALL is #UD outside 64-bit mode (Intel)`)];
  if (!hasBit(cpu.efer, EFER_SCE)) return [exception(by, VECTORS.UD, null, null, cpu.cpl, `${text}: EFER.SCE is clear`)];
  return [{ type: 'cpu.syscallEntered', actor: 'cpu', data: { fromCpl: cpu.cpl, by, syscall } }];
}

/**
 * IRET (SDM Vol. 2A "IRET"): returning to a code segment whose RPL is below the CPL
 * (a more privileged level) is refused with #GP(selector). At CPL 0 with a saved frame
 * it returns to the interrupted level.
 */
function iret(state: MachineState, selector: number | null, text: string, by: string): EventDraft[] {
  const cpu = state.cpu;
  if (selector !== null) {
    const rpl = selector & 3;
    if (rpl < cpu.cpl) return [generalProtection(by, cpu.cpl, text, `return to RPL ${rpl} from CPL ${cpu.cpl}`, selector & 0xfffc)];
    return [executed(by, text, cpu.cpl)];
  }
  if (cpu.frames.length === 0) return [generalProtection(by, cpu.cpl, text, 'no interrupt frame to return to')];
  return [{ type: 'cpu.returned', actor: by, data: { via: 'iret', toCpl: cpu.frames[cpu.frames.length - 1]!.cpl } }];
}

/**
 * Far JMP to a code segment (SDM Vol. 3A §5.8.1): a nonconforming segment needs
 * RPL <= CPL and DPL = CPL, a conforming one DPL <= CPL; otherwise #GP(selector).
 * A jump never changes the CPL — only gates and IRET/SYSRET do.
 */
function farJump(state: MachineState, selector: number, text: string, by: string): EventDraft[] {
  const cpu = state.cpu;
  const descriptor = cpu.gdt.find((d) => d.selector === (selector & 0xfffc) || d.selector === selector);
  const code = selector & 0xfffc;
  if (descriptor === undefined || descriptor.kind !== 'code') {
    return [generalProtection(by, cpu.cpl, text, `selector ${hex(selector)} is not a code segment`, code)];
  }
  const rpl = selector & 3;
  const allowed = descriptor.conforming ? descriptor.dpl <= cpu.cpl : rpl <= cpu.cpl && descriptor.dpl === cpu.cpl;
  if (!allowed) {
    return [
      generalProtection(by, cpu.cpl, text, `${descriptor.name} has DPL ${descriptor.dpl}; a far JMP cannot change CPL ${cpu.cpl}`, code),
    ];
  }
  return [executed(by, text, cpu.cpl)];
}
