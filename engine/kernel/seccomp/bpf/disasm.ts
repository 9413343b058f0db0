/**
 * Two readable forms of a classic BPF program:
 *
 * - `disassemble(program)`: a listing in the spirit of seccomp-tools' `disasm`, the raw
 *   struct sock_filter columns then pseudo-code (`A = arch`, `if (A != ARCH_X86_64) goto
 *   0010`, `if (A == openat) goto 0007`, `return ERRNO(1)`);
 * - `toAssembly(program)`: bpf_asm text (asm.ts) with a label on every jump target, which
 *   assembles back to the same program. Fields an instruction does not use (k of TAX, jt
 *   and jf outside conditional jumps) are not written, so they come back as 0.
 *
 * Constants are named from what A holds, found by a forward data-flow pass (jumps only go
 * forward, so one pass in order sees every predecessor first): a comparison of the loaded
 * `arch` names the audit architecture; a comparison of the loaded `nr` names the system
 * call, from the i386 table on paths where the arch was compared equal to AUDIT_ARCH_I386,
 * from the x86-64 table otherwise. Output depends only on the program.
 */
import { ScenarioError } from '../../../core/errors.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../constants.js';
import type { BpfProgram } from './types.js';
import { isConditionalJump } from './check.js';
import { seccompFieldName } from './words.js';
import { actionSymbolOf, syscallNameIn, syscallNumberIn, type SyscallTable } from './symbols.js';
import {
  BPF_A, BPF_ABS, BPF_ALU, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC, BPF_MSH, BPF_NEG, BPF_RET, BPF_ST, BPF_STX, BPF_TAX, BPF_TXA,
  BPF_W, BPF_X, bpfOp, bpfSize, hex,
} from './opcodes.js';

/** What the accumulator holds on entry to an instruction, as far as naming needs. */
interface Context {
  readonly a: 'nr' | 'arch' | 'other';
  /** The architecture the path has compared equal, or null. */
  readonly arch: SyscallTable | null;
}

const UNKNOWN: Context = { a: 'other', arch: null };

const ALU_SYMBOLS: Readonly<Record<number, string>> = {
  0x00: '+', 0x10: '-', 0x20: '*', 0x30: '/', 0x40: '|', 0x50: '&', 0x60: '<<', 0x70: '>>', 0x90: '%', 0xa0: '^',
};
const ALU_MNEMONICS: Readonly<Record<number, string>> = {
  0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0x90: 'mod', 0xa0: 'xor',
};
const JUMP_MNEMONICS: Readonly<Record<number, string>> = { [BPF_JEQ]: 'jeq', [BPF_JGT]: 'jgt', [BPF_JGE]: 'jge', [BPF_JSET]: 'jset' };

export function disassemble(program: BpfProgram): string {
  const contexts = contextsOf(program);
  const header = [' line  CODE  JT   JF      K', '================================='];
  const lines = program.map((instruction, index) => {
    const raw = `${hex(instruction.code, 2)} ${hex(instruction.jt, 2)} ${hex(instruction.jf, 2)} ${hex(instruction.k, 8)}`;
    return ` ${lineNumber(index)}: ${raw}  ${pseudoCode(program, index, contexts[index])}`;
  });
  return [...header, ...lines].join('\n') + '\n';
}

function lineNumber(index: number): string {
  return String(index).padStart(4, '0');
}

/** The context on entry to each instruction. */
function contextsOf(program: BpfProgram): Context[] {
  const incoming: (Context | null)[] = program.map(() => null);
  incoming[0] = UNKNOWN;
  const flowTo = (target: number, context: Context): void => {
    if (target >= program.length) return;
    const existing = incoming[target];
    incoming[target] = existing === null ? context : meet(existing, context);
  };
  program.forEach((instruction, index) => {
    const entry = incoming[index] ?? UNKNOWN;
    const { code, jt, jf, k } = instruction;
    if (isConditionalJump(code)) {
      const named = entry.a === 'arch' && bpfOp(code) === BPF_JEQ && (code & BPF_X) === BPF_K ? archTable(k) : null;
      flowTo(index + 1 + jt, named === null ? entry : { ...entry, arch: named });
      flowTo(index + 1 + jf, entry);
    } else if (code === (BPF_JMP | BPF_JA)) {
      flowTo(index + 1 + k, entry);
    } else if (code !== (BPF_RET | BPF_K) && code !== (BPF_RET | BPF_A)) {
      flowTo(index + 1, { ...entry, a: accumulatorAfter(code, k, entry) });
    }
  });
  return incoming.map((context) => context ?? UNKNOWN);
}

function meet(left: Context, right: Context): Context {
  return { a: left.a === right.a ? left.a : 'other', arch: left.arch === right.arch ? left.arch : null };
}

function archTable(k: number): SyscallTable | null {
  if (k === AUDIT_ARCH_X86_64 >>> 0) return 'x86_64';
  if (k === AUDIT_ARCH_I386 >>> 0) return 'i386';
  return null;
}

function accumulatorAfter(code: number, k: number, entry: Context): Context['a'] {
  if (code === (BPF_LD | BPF_W | BPF_ABS)) return k === 0 ? 'nr' : k === 4 ? 'arch' : 'other';
  const writesA = (code & 0x07) === BPF_LD || (code & 0x07) === BPF_ALU || code === (BPF_MISC | BPF_TXA);
  return writesA ? 'other' : entry.a;
}

/** A constant compared with A, named when A's content is known. */
function constantFor(k: number, context: Context): string {
  if (context.a === 'arch') {
    if (k === AUDIT_ARCH_X86_64 >>> 0) return 'ARCH_X86_64';
    if (k === AUDIT_ARCH_I386 >>> 0) return 'ARCH_I386';
  }
  if (context.a === 'nr') return syscallNameIn(context.arch ?? 'x86_64', k) ?? hex(k, 1);
  return hex(k, 1);
}

function loadName(k: number): string {
  if (k === 0) return 'sys_number';
  if (k === 4) return 'arch';
  if (k === 8) return 'instruction_pointer';
  if (k === 12) return 'instruction_pointer >> 32';
  const field = seccompFieldName(k);
  if (field === null) return `data[${k}]`;
  return field.endsWith('.hi') ? `${field.slice(0, -3)} >> 32` : field;
}

function pseudoCode(program: BpfProgram, index: number, context: Context): string {
  const { code, jt, jf, k } = program[index];
  const goto = (offset: number): string => `goto ${lineNumber(index + 1 + offset)}`;
  if (isConditionalJump(code)) return conditionalPseudoCode(code, (code & BPF_X) === BPF_X ? 'X' : constantFor(k, context), jt, jf, goto);
  if ((code & 0x07) === BPF_ALU) {
    if (code === (BPF_ALU | BPF_NEG)) return 'A = -A';
    const symbol = ALU_SYMBOLS[bpfOp(code)];
    if (symbol !== undefined) return `A ${symbol}= ${(code & BPF_X) === BPF_X ? 'X' : hex(k, 1)}`;
  }
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS: return `A = ${loadName(k)}`;
    case BPF_LD | BPF_W | BPF_LEN: return 'A = 64';
    case BPF_LDX | BPF_W | BPF_LEN: return 'X = 64';
    case BPF_LD | BPF_IMM: return `A = ${hex(k, 1)}`;
    case BPF_LDX | BPF_IMM: return `X = ${hex(k, 1)}`;
    case BPF_LD | BPF_MEM: return `A = mem[${k}]`;
    case BPF_LDX | BPF_MEM: return `X = mem[${k}]`;
    case BPF_ST: return `mem[${k}] = A`;
    case BPF_STX: return `mem[${k}] = X`;
    case BPF_MISC | BPF_TAX: return 'X = A';
    case BPF_MISC | BPF_TXA: return 'A = X';
    case BPF_RET | BPF_K: return `return ${actionSymbolOf(k)}`;
    case BPF_RET | BPF_A: return 'return A';
    case BPF_JMP | BPF_JA: return goto(k);
    default: return `??? opcode ${hex(code, 2)} (not a seccomp instruction)`;
  }
}

function conditionalPseudoCode(code: number, operand: string, jt: number, jf: number, goto: (offset: number) => string): string {
  const [holds, fails] = conditionPair(bpfOp(code), operand);
  if (jt === jf) return goto(jt);
  if (jt === 0) return `if (${fails}) ${goto(jf)}`;
  if (jf === 0) return `if (${holds}) ${goto(jt)}`;
  return `if (${holds}) ${goto(jt)} else ${goto(jf)}`;
}

function conditionPair(op: number, operand: string): [string, string] {
  switch (op) {
    case BPF_JEQ: return [`A == ${operand}`, `A != ${operand}`];
    case BPF_JGT: return [`A > ${operand}`, `A <= ${operand}`];
    case BPF_JGE: return [`A >= ${operand}`, `A < ${operand}`];
    default: return [`A & ${operand}`, `!(A & ${operand})`];
  }
}

/** bpf_asm text for `program`; assemble(toAssembly(p)) gives p back (unused fields as 0). */
export function toAssembly(program: BpfProgram): string {
  const contexts = contextsOf(program);
  const targets = jumpTargets(program);
  const lines = program.map((_, index) => {
    const label = targets.has(index) ? `${labelOf(index)}:` : '';
    return `${label.padEnd(8)}${assemblyLine(program, index, contexts[index])}`;
  });
  return lines.join('\n') + '\n';
}

function labelOf(index: number): string {
  return `L${lineNumber(index)}`;
}

function jumpTargets(program: BpfProgram): Set<number> {
  const targets = new Set<number>();
  program.forEach(({ code, jt, jf, k }, index) => {
    if (isConditionalJump(code)) {
      targets.add(index + 1 + jt);
      targets.add(index + 1 + jf);
    } else if (code === (BPF_JMP | BPF_JA)) targets.add(index + 1 + k);
  });
  return targets;
}

/** `#name` when the name assembles back to k, otherwise `#0x…`. */
function immediateFor(k: number, context: Context): string {
  if (context.a === 'arch') {
    if (k === AUDIT_ARCH_X86_64 >>> 0) return '#AUDIT_ARCH_X86_64';
    if (k === AUDIT_ARCH_I386 >>> 0) return '#AUDIT_ARCH_I386';
  }
  if (context.a === 'nr') {
    const table = context.arch ?? 'x86_64';
    const name = syscallNameIn(table, k);
    if (name !== null && syscallNumberIn(table, name) === k) return table === 'i386' ? `#SYS_i386_${name}` : `#SYS_${name}`;
  }
  return '#' + hex(k, 1);
}

function assemblyLine(program: BpfProgram, index: number, context: Context): string {
  const { code, jt, jf, k } = program[index];
  const target = (offset: number): string => {
    const destination = index + 1 + offset;
    return destination < program.length ? labelOf(destination) : String(offset);
  };
  const source = (code & BPF_X) === BPF_X ? 'x' : immediateFor(k, context);
  if (isConditionalJump(code)) return `${JUMP_MNEMONICS[bpfOp(code)]} ${source}, ${target(jt)}, ${target(jf)}`;
  if (code > 0xff) throw new ScenarioError('E_NO_ASSEMBLY', `instruction ${index} has opcode ${hex(code, 4)}, which has no assembly form`);
  if ((code & 0x07) === BPF_ALU && code !== (BPF_ALU | BPF_NEG) && ALU_MNEMONICS[bpfOp(code)] !== undefined) {
    return `${ALU_MNEMONICS[bpfOp(code)]} ${(code & BPF_X) === BPF_X ? 'x' : '#' + hex(k, 1)}`;
  }
  const sized = bpfSize(code) === BPF_H ? 'ldh' : bpfSize(code) === BPF_B ? 'ldb' : 'ld';
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_H | BPF_ABS:
    case BPF_LD | BPF_B | BPF_ABS:
      return `${sized} [${seccompFieldName(k) ?? k}]`;
    case BPF_LD | BPF_W | BPF_IND:
    case BPF_LD | BPF_H | BPF_IND:
    case BPF_LD | BPF_B | BPF_IND:
      return `${sized} [x + ${k}]`;
    case BPF_LDX | BPF_B | BPF_MSH: return `ldxb 4*([${k}]&0xf)`;
    case BPF_LD | BPF_W | BPF_LEN: return 'ld len';
    case BPF_LDX | BPF_W | BPF_LEN: return 'ldx len';
    case BPF_LD | BPF_IMM: return `ld #${hex(k, 1)}`;
    case BPF_LDX | BPF_IMM: return `ldx #${hex(k, 1)}`;
    case BPF_LD | BPF_MEM: return `ld M[${k}]`;
    case BPF_LDX | BPF_MEM: return `ldx M[${k}]`;
    case BPF_ST: return `st M[${k}]`;
    case BPF_STX: return `stx M[${k}]`;
    case BPF_ALU | BPF_NEG: return 'neg';
    case BPF_MISC | BPF_TAX: return 'tax';
    case BPF_MISC | BPF_TXA: return 'txa';
    case BPF_RET | BPF_K: return `ret #${actionSymbolOf(k)}`;
    case BPF_RET | BPF_A: return 'ret a';
    case BPF_RET | BPF_X: return 'ret x';
    case BPF_JMP | BPF_JA: return `ja ${target(k)}`;
    default:
      throw new ScenarioError('E_NO_ASSEMBLY', `instruction ${index} has opcode ${hex(code, 2)}, which has no assembly form`);
  }
}
