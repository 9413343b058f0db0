/**
 * An assembler for classic BPF text in the syntax of the kernel's bpf_asm
 * (tools/bpf/bpf_exp.y, bpf_exp.l), with seccomp-friendly names:
 *
 *     ; allow only x86-64 getpid
 *             ld [arch]                       ; or ld [4]
 *             jne #AUDIT_ARCH_X86_64, deny    ; or jeq #0xc000003e, 1, 0
 *             ld [nr]
 *             jeq #SYS_getpid, allow
 *     deny:   ret #ERRNO(EPERM)
 *     allow:  ret #ALLOW
 *
 * Mnemonics: ld ldi ldh ldb ldx ldxi ldxb st stx jmp/ja jeq jneq/jne jlt jle jgt jge
 * jset add sub mul div mod neg and or xor lsh rsh ret tax txa. Operands as bpf_asm:
 * `#k`, `x`/`%x`, `a`/`%a`, `M[k]`, `[k]`, `[x + k]`, `len`/`#len`, `4*([k]&0xf)`.
 * Jump targets are labels (`name:` before an instruction, alone on a line or not) or,
 * beyond bpf_asm, plain numbers giving the offset as struct sock_filter stores it. As in
 * bpf_asm, `jeq #k, t` falls through when false, `jne #k, f` / `jlt` / `jle` jump when
 * the opposite comparison (JEQ/JGE/JGT) is false. Comments run from `;` to the end of line.
 * Numbers: decimal (a leading minus wraps to 32 bits), 0x hex, 0b binary, 0-prefixed octal.
 * Immediate symbols: #ALLOW #KILL #KILL_THREAD #KILL_PROCESS #TRAP #LOG #TRACE
 * #USER_NOTIF #ERRNO(1) #ERRNO(EPERM) #TRACE(n) #AUDIT_ARCH_X86_64 #AUDIT_ARCH_I386
 * #SYS_name (x86-64 number) #SYS_i386_name. Load offsets may be seccomp_data fields:
 * [nr] [arch] [ip] [ip.hi] [args[2]] [args[2].lo] [args[2].hi].
 *
 * The assembler only encodes: whether the kernel accepts the program is check.ts's
 * question (so `ldh [0]` assembles and is then refused as the kernel refuses it).
 */
import { ScenarioError, type SourceLocation } from '../../../core/errors.js';
import { nearest } from '../../../../dsl/suggest.js';
import type { BpfInstruction, BpfProgram } from './types.js';
import { seccompFieldOffset } from './words.js';
import { SYMBOL_NAMES, resolveSymbol, syscallNamesIn } from './symbols.js';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE,
  BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL,
  BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR,
} from './opcodes.js';

/** An assembled program with, for each instruction, the line it came from (1-based). */
export interface AssembledProgram {
  readonly program: BpfProgram;
  readonly lines: readonly number[];
}

/** A piece of a line with where it starts (1-based column). */
interface Token {
  readonly text: string;
  readonly column: number;
}

type JumpTarget = { readonly kind: 'label'; readonly token: Token } | { readonly kind: 'offset'; readonly offset: number; readonly token: Token };

/** One instruction before labels are resolved. */
interface PendingInstruction {
  readonly line: number;
  readonly mnemonic: Token;
  readonly code: number;
  readonly k: number;
  readonly jt: JumpTarget | null;
  readonly jf: JumpTarget | null;
  /** For JA: the target goes into k. */
  readonly jk: JumpTarget | null;
}

const ALU_MNEMONICS: Readonly<Record<string, number>> = {
  add: BPF_ADD, sub: BPF_SUB, mul: BPF_MUL, div: BPF_DIV, mod: BPF_MOD, and: BPF_AND, or: BPF_OR, xor: BPF_XOR, lsh: BPF_LSH, rsh: BPF_RSH,
};
/** Conditional jumps: the opcode and whether the single-label form sets jf (the negated forms). */
const JUMP_MNEMONICS: Readonly<Record<string, { readonly op: number; readonly negated: boolean }>> = {
  jeq: { op: BPF_JEQ, negated: false }, jgt: { op: BPF_JGT, negated: false }, jge: { op: BPF_JGE, negated: false },
  jset: { op: BPF_JSET, negated: false }, jneq: { op: BPF_JEQ, negated: true }, jne: { op: BPF_JEQ, negated: true },
  jlt: { op: BPF_JGE, negated: true }, jle: { op: BPF_JGT, negated: true },
};
const OTHER_MNEMONICS = ['ld', 'ldi', 'ldh', 'ldb', 'ldx', 'ldxi', 'ldxb', 'st', 'stx', 'jmp', 'ja', 'neg', 'ret', 'tax', 'txa'];
export const BPF_MNEMONICS: readonly string[] = [...OTHER_MNEMONICS, ...Object.keys(ALU_MNEMONICS), ...Object.keys(JUMP_MNEMONICS)];

const LABEL = /^[A-Za-z_.][A-Za-z0-9_.]*$/;

/** Assembles `text` (from `file`, for error locations) into a program. */
export function assemble(text: string, file: string): BpfProgram {
  return assembleWithLines(text, file).program;
}

/** As assemble, also giving each instruction's source line (to locate the checker's rejections). */
export function assembleWithLines(text: string, file: string): AssembledProgram {
  const pending: PendingInstruction[] = [];
  const labels = new Map<string, number>();
  text.split(/\r?\n/).forEach((rawLine, lineIndex) => {
    const line = lineIndex + 1;
    const at = (token: Token): SourceLocation => ({ file, line, column: token.column, length: Math.max(1, token.text.length) });
    let rest = stripComment(rawLine);
    let offset = 0;
    for (let match = /^(\s*)([A-Za-z_.][A-Za-z0-9_.]*)\s*:/.exec(rest); match !== null; match = /^(\s*)([A-Za-z_.][A-Za-z0-9_.]*)\s*:/.exec(rest)) {
      const token = { text: match[2], column: offset + match[1].length + 1 };
      if (labels.has(token.text)) {
        throw new ScenarioError('E_DUPLICATE', `the label "${token.text}" is defined twice`, at(token), [`first defined before instruction ${labels.get(token.text)}`]);
      }
      labels.set(token.text, pending.length);
      offset += match[0].length;
      rest = rest.slice(match[0].length);
    }
    const statement = /^(\s*)(\S+)(.*)$/.exec(rest);
    if (statement === null) return;
    const mnemonic = { text: statement[2], column: offset + statement[1].length + 1 };
    const operandsStart = offset + statement[1].length + statement[2].length;
    const operands = splitOperands(statement[3], operandsStart);
    pending.push(encode(mnemonic, operands, line, at));
  });
  const program = pending.map((instruction, index) => resolveJumps(instruction, index, pending.length, labels, file));
  return { program, lines: pending.map((instruction) => instruction.line) };
}

function stripComment(line: string): string {
  const semicolon = line.indexOf(';');
  return semicolon === -1 ? line : line.slice(0, semicolon);
}

/** Operands separated by commas, each with its column (1-based). */
function splitOperands(text: string, startOffset: number): Token[] {
  if (text.trim() === '') return [];
  const tokens: Token[] = [];
  let position = 0;
  for (const part of text.split(',')) {
    const leading = part.length - part.trimStart().length;
    tokens.push({ text: part.trim(), column: startOffset + position + leading + 1 });
    position += part.length + 1;
  }
  return tokens;
}

type Locate = (token: Token) => SourceLocation;

function encode(mnemonic: Token, operands: Token[], line: number, at: Locate): PendingInstruction {
  const name = mnemonic.text.toLowerCase();
  const plain = (code: number, k = 0): PendingInstruction => ({ line, mnemonic, code, k, jt: null, jf: null, jk: null });
  const expect = (count: number, shape: string): void => expectOperands(mnemonic, operands, count, shape, at);
  const alu = ALU_MNEMONICS[name];
  if (alu !== undefined) {
    expect(1, `${name} #k or ${name} x`);
    return isRegister(operands[0], 'x') ? plain(BPF_ALU | alu | BPF_X) : plain(BPF_ALU | alu | BPF_K, immediate(operands[0], at, true));
  }
  const jump = JUMP_MNEMONICS[name];
  if (jump !== undefined) return encodeJump(mnemonic, jump, operands, line, at);
  switch (name) {
    case 'ld':
    case 'ldi':
      expect(1, `${name} #k, ${name} [k], ${name} M[k] or ${name} len`);
      return encodeLoad(BPF_LD, BPF_W, operands[0], line, mnemonic, at);
    case 'ldh':
    case 'ldb':
      expect(1, `${name} [k] or ${name} [x + k]`);
      return encodeLoad(BPF_LD, name === 'ldh' ? BPF_H : BPF_B, operands[0], line, mnemonic, at);
    case 'ldx':
    case 'ldxi':
    case 'ldxb':
      expect(1, `${name} #k, ${name} M[k], ${name} len or ldxb 4*([k]&0xf)`);
      return encodeLoad(BPF_LDX, BPF_W, operands[0], line, mnemonic, at);
    case 'st':
    case 'stx':
      expect(1, `${name} M[k]`);
      return plain(name === 'st' ? BPF_ST : BPF_STX, scratchSlot(operands[0], at) ?? fail(operands[0], `expected a scratch slot M[k] after ${name}`, at));
    case 'jmp':
    case 'ja':
      expect(1, `${name} label`);
      return { ...plain(BPF_JMP | BPF_JA), jk: jumpTarget(operands[0], at) };
    case 'neg':
    case 'tax':
    case 'txa':
      expect(0, name);
      return plain(name === 'neg' ? BPF_ALU | BPF_NEG : name === 'tax' ? BPF_MISC | BPF_TAX : BPF_MISC | BPF_TXA);
    case 'ret':
      expect(1, 'ret #k, ret a or ret x');
      if (isRegister(operands[0], 'a')) return plain(BPF_RET | BPF_A);
      if (isRegister(operands[0], 'x')) return plain(BPF_RET | BPF_X);
      return plain(BPF_RET | BPF_K, immediate(operands[0], at, true));
    default: {
      const suggestion = nearest(mnemonic.text, BPF_MNEMONICS);
      throw new ScenarioError('E_UNKNOWN_INSTRUCTION', `"${mnemonic.text}" is not a BPF instruction`, at(mnemonic), suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
    }
  }
}

function expectOperands(mnemonic: Token, operands: Token[], count: number, shape: string, at: Locate): void {
  if (operands.length === count && operands.every((operand) => operand.text !== '')) return;
  const where = operands.find((operand) => operand.text === '') ?? operands[count] ?? mnemonic;
  throw new ScenarioError('E_SYNTAX', `${mnemonic.text} takes ${count === 0 ? 'no operand' : count === 1 ? 'one operand' : `${count} operands`}, got ${operands.length}`, at(where), [`expected: ${shape}`]);
}

function encodeJump(mnemonic: Token, jump: { op: number; negated: boolean }, operands: Token[], line: number, at: Locate): PendingInstruction {
  const name = mnemonic.text.toLowerCase();
  const shapes = jump.negated ? `${name} #k, label` : `${name} #k, label_true[, label_false]`;
  if (operands.length < 2 || operands.length > (jump.negated ? 2 : 3) || operands.some((operand) => operand.text === '')) {
    const where = operands.find((operand) => operand.text === '') ?? operands[jump.negated ? 2 : 3] ?? mnemonic;
    throw new ScenarioError('E_SYNTAX', `${mnemonic.text} takes ${jump.negated ? '2' : '2 or 3'} operands, got ${operands.length}`, at(where), [`expected: ${shapes}`]);
  }
  const fromX = isRegister(operands[0], 'x');
  const code = BPF_JMP | jump.op | (fromX ? BPF_X : BPF_K);
  const k = fromX ? 0 : immediate(operands[0], at, true);
  const first = jumpTarget(operands[1], at);
  const second = operands.length === 3 ? jumpTarget(operands[2], at) : null;
  return jump.negated
    ? { line, mnemonic, code, k, jt: null, jf: first, jk: null }
    : { line, mnemonic, code, k, jt: first, jf: second, jk: null };
}

function encodeLoad(cls: number, size: number, operand: Token, line: number, mnemonic: Token, at: Locate): PendingInstruction {
  const plain = (code: number, k = 0): PendingInstruction => ({ line, mnemonic, code, k, jt: null, jf: null, jk: null });
  const text = operand.text.replace(/\s+/g, '');
  const name = mnemonic.text.toLowerCase();
  if (/^#?len$/i.test(text)) return plain(cls | BPF_W | BPF_LEN);
  const slot = scratchSlot(operand, at);
  if (slot !== null) return plain(cls | BPF_MEM, slot);
  const msh = /^4\*\(\[(.+)\]&0xf\)$/i.exec(text);
  if (msh !== null && cls === BPF_LDX) return plain(BPF_LDX | BPF_B | BPF_MSH, number({ text: msh[1], column: operand.column }, at));
  const indirect = /^\[%?x\+(.+)\]$/i.exec(text);
  if (indirect !== null && cls === BPF_LD) return plain(BPF_LD | size | BPF_IND, number({ text: indirect[1], column: operand.column }, at));
  const absolute = /^\[(.+)\]$/.exec(text);
  if (absolute !== null && cls === BPF_LD) return plain(BPF_LD | size | BPF_ABS, loadOffset({ text: absolute[1], column: operand.column + 1 }, at));
  if (size === BPF_W && (text.startsWith('#') || ((name === 'ldi' || name === 'ldxi') && /^-?[0-9]/.test(text)))) {
    return plain(cls | BPF_IMM, immediate(operand, at, name === 'ld' || name === 'ldx'));
  }
  return fail(operand, `"${operand.text}" is not an operand of ${mnemonic.text}`, at);
}

function loadOffset(token: Token, at: Locate): number {
  const field = seccompFieldOffset(token.text);
  if (field !== null) return field;
  if (/^-?[0-9]/.test(token.text.trim())) return number(token, at);
  return fail(token, `"${token.text}" is neither a number nor a seccomp_data field`, at, ['fields: nr, arch, ip, ip.hi, args[0] … args[5], each argument with .lo or .hi']);
}

function scratchSlot(token: Token, at: Locate): number | null {
  const match = /^M\s*\[\s*(.+?)\s*\]$/.exec(token.text);
  return match === null ? null : number({ text: match[1], column: token.column + 2 }, at);
}

function isRegister(token: Token, register: 'a' | 'x'): boolean {
  return token.text.toLowerCase() === register || token.text.toLowerCase() === '%' + register;
}

/** `#k` (or a bare number when `hashRequired` is false); k may be a symbol. */
function immediate(token: Token, at: Locate, hashRequired: boolean): number {
  const text = token.text;
  if (!text.startsWith('#')) {
    if (hashRequired) return fail(token, `expected an immediate "#k" or a register, found "${text}"`, at);
    return number(token, at);
  }
  const body = { text: text.slice(1).trim(), column: token.column + 1 };
  if (/^-?[0-9]/.test(body.text)) return number(body, at);
  const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*([^)]*?)\s*\))?$/.exec(body.text);
  if (call === null) return fail(body, `"${body.text}" is not a number or a constant name`, at);
  const resolved = resolveSymbol(call[1], call[2] ?? null);
  if (resolved === null) return unknownSymbol(body, call[1], at);
  if (resolved.kind === 'error') return fail(body, resolved.message, at);
  return resolved.value;
}

function unknownSymbol(token: Token, name: string, at: Locate): never {
  const syscall = /^SYS_(?:(i386|x86_64)_)?(.+)$/.exec(name);
  const suggestion = syscall === null
    ? nearest(name, SYMBOL_NAMES)
    : ((found) => (found === null ? null : `SYS_${syscall[1] === undefined ? '' : syscall[1] + '_'}${found}`))(nearest(syscall[2], syscallNamesIn(syscall[1] === 'i386' ? 'i386' : 'x86_64')));
  const notes = suggestion === null ? ['constants: ALLOW, KILL, KILL_PROCESS, TRAP, ERRNO(n), USER_NOTIF, TRACE, LOG, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, SYS_name, SYS_i386_name'] : [`did you mean "#${suggestion}"?`];
  throw new ScenarioError('E_UNKNOWN_CONSTANT', `"#${name}" is not a known constant`, at(token), notes);
}

/** A 32-bit number as bpf_exp.l reads them; negative decimals wrap to 32 bits. */
function number(token: Token, at: Locate): number {
  const text = token.text.trim();
  let value: number | null = null;
  if (/^0x[0-9a-f]+$/i.test(text)) value = Number.parseInt(text.slice(2), 16);
  else if (/^0b[01]+$/i.test(text)) value = Number.parseInt(text.slice(2), 2);
  else if (/^0[0-7]+$/.test(text)) value = Number.parseInt(text.slice(1), 8);
  else if (/^-?[0-9]+$/.test(text)) value = Number.parseInt(text, 10);
  if (value === null) return fail(token, `"${text}" is not a number`, at);
  if (value > 0xffffffff || value < -0x80000000) return fail(token, `${text} does not fit in 32 bits`, at);
  return value >>> 0;
}

function jumpTarget(token: Token, at: Locate): JumpTarget {
  if (/^[0-9]/.test(token.text)) return { kind: 'offset', offset: number(token, at), token };
  if (!LABEL.test(token.text)) return fail(token, `"${token.text}" is not a label or a jump offset`, at);
  return { kind: 'label', token };
}

function fail(token: Token, message: string, at: Locate, notes: readonly string[] = []): never {
  throw new ScenarioError('E_SYNTAX', message, at(token), notes);
}

function resolveJumps(instruction: PendingInstruction, index: number, length: number, labels: Map<string, number>, file: string): BpfInstruction {
  const at: Locate = (token) => ({ file, line: instruction.line, column: token.column, length: Math.max(1, token.text.length) });
  const offsetOf = (target: JumpTarget | null, bits: 8 | 32): number => {
    if (target === null) return 0;
    if (target.kind === 'offset') {
      if (target.offset >= 2 ** bits) throw new ScenarioError('E_RANGE', `the jump offset ${target.offset} does not fit in ${bits} bits`, at(target.token));
      return target.offset;
    }
    const destination = labels.get(target.token.text);
    if (destination === undefined) {
      const suggestion = nearest(target.token.text, [...labels.keys()]);
      throw new ScenarioError('E_UNKNOWN_LABEL', `the label "${target.token.text}" is not defined`, at(target.token), suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
    }
    if (destination >= length) throw new ScenarioError('E_RANGE', `the label "${target.token.text}" is after the last instruction`, at(target.token));
    const offset = destination - index - 1;
    if (offset < 0) throw new ScenarioError('E_RANGE', `the label "${target.token.text}" is before this instruction: BPF jumps only forward`, at(target.token));
    if (offset >= 2 ** bits) {
      throw new ScenarioError('E_RANGE', `the label "${target.token.text}" is ${offset} instructions ahead: a conditional jump reaches at most 255`, at(target.token), ['jump to a "ja" placed closer, which reaches any distance']);
    }
    return offset;
  };
  return { code: instruction.code, jt: offsetOf(instruction.jt, 8), jf: offsetOf(instruction.jf, 8), k: instruction.jk === null ? instruction.k : offsetOf(instruction.jk, 32) };
}

