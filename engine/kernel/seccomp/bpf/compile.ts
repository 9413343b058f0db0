/**
 * Compiles a checked seccomp filter to a JavaScript function, so evaluating it costs no
 * per-instruction dispatch: the instructions become straight-line code, and a jump is a
 * `break` out of a labelled block that ends at its target (filterSource). Jumps to a RET
 * are replaced by the return itself, which removes most jumps of real profiles (they jump
 * to a shared "return ALLOW" or "return ERRNO"). Scratch slots are locals, not an array.
 *
 * Semantics are exactly the interpreter's (interpret.ts), which stays the reference; the
 * property tests run both on random programs and random seccomp_data.
 *
 * Two entry points:
 * - `compileFilter(program)` takes SeccompData and reads only the fields the program
 *   loads, when it loads them (no allocation unless an argument half is read);
 * - `compileFilterWords(program)` takes the 16 words of seccompWords(data): the fast
 *   path when the same data goes through several filters (stacked filters) or in a bench.
 * Both are deterministic and pure. The program must have passed checkSeccompFilter.
 */
import { InternalError } from '../../../core/errors.js';
import type { BpfProgram, SeccompData } from './types.js';
import { isConditionalJump } from './check.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_LD,
  BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB,
  BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, BPF_A, BPF_K, opcodeName,
} from './opcodes.js';

export type CompiledFilter = (data: SeccompData) => number;
export type CompiledWordsFilter = (words: Uint32Array) => number;
/** Also counts the instructions it executes into `counter.executed`, as the interpreter does. */
export type CountingWordsFilter = (words: Uint32Array, counter: { executed: number }) => number;

/** `program` as a function of SeccompData giving the filter's 32-bit return value. */
export function compileFilter(program: BpfProgram): CompiledFilter {
  const body = filterSource(program, dataLoad);
  const factory = new Function('lowWord', 'highWord', `return function seccompFilter(data) {\n${body}\n};`) as (
    lowWord: (value: bigint | undefined) => number,
    highWord: (value: bigint | undefined) => number,
  ) => CompiledFilter;
  return factory(lowWord, highWord);
}

/** `program` as a function of the 16 words of seccomp_data (words.ts seccompWords). */
export function compileFilterWords(program: BpfProgram): CompiledWordsFilter {
  const body = filterSource(program, (offset) => `w[${offset >>> 2}]`);
  return new Function('w', body) as CompiledWordsFilter;
}

/**
 * As compileFilterWords, counting executed instructions (the kernel model records them
 * in each seccomp.evaluated event): every emitted instruction adds one, and a RET folded
 * into the jump that reaches it adds its own one.
 */
export function compileCountingFilterWords(program: BpfProgram): CountingWordsFilter {
  const body = filterSource(program, (offset) => `w[${offset >>> 2}]`, true);
  return new Function('w', 'c', 'c.executed = 0;\n' + body) as CountingWordsFilter;
}

function lowWord(value: bigint | undefined): number {
  return value === undefined ? 0 : Number(BigInt.asUintN(32, value));
}

function highWord(value: bigint | undefined): number {
  return value === undefined ? 0 : Number(BigInt.asUintN(64, value) >> 32n);
}

/** The expression reading the word at `offset` of struct seccomp_data from `data`. */
function dataLoad(offset: number): string {
  const word = offset >>> 2;
  if (word === 0) return '(data.nr >>> 0)';
  if (word === 1) return '(data.arch >>> 0)';
  if (word === 2) return 'lowWord(data.instructionPointer)';
  if (word === 3) return 'highWord(data.instructionPointer)';
  const argument = (word - 4) >> 1;
  return `${word % 2 === 0 ? 'lowWord' : 'highWord'}(data.args[${argument}])`;
}

/** Beyond this many jump targets the nested blocks would be too deep to parse; use the dispatch loop. */
const MAX_NESTED_BLOCKS = 300;

/**
 * The function body. Jumps only go forward, so each jump target t can be the end of a
 * labelled block opened at the top of the function: `break Lt` is a direct jump to t.
 * With more targets than MAX_NESTED_BLOCKS, the instructions go in a fall-through
 * `switch (pc)` inside a loop instead, and a jump is `pc = t; continue`.
 */
export function filterSource(program: BpfProgram, load: (offset: number) => string, counting = false): string {
  const slots = [...new Set(program.filter(({ code }) => isScratchAccess(code)).map(({ k }) => k))].sort((p, q) => p - q);
  const declarations = ['let a = 0, x = 0;', ...slots.map((slot) => `let m${slot} = 0;`)];
  const blocks = emitInstructions(program, load, (target) => `break L${target};`, counting);
  if (blocks.targets.size <= MAX_NESTED_BLOCKS) {
    const ordered = [...blocks.targets].sort((p, q) => q - p);
    const body = blocks.statements.map((statement, index) => (blocks.targets.has(index) ? `} // L${index}\n` : '') + statement);
    return [...declarations, ...ordered.map((target) => `L${target}: {`), ...body, 'return 0;'].join('\n');
  }
  const loop = emitInstructions(program, load, (target) => `pc = ${target}; continue;`, counting);
  const cases = loop.statements.map((statement, index) => (index === 0 || loop.targets.has(index) ? `case ${index}:\n` : '') + statement);
  return [...declarations, 'let pc = 0;', 'for (;;) {', 'switch (pc) {', ...cases, '}', 'return 0;', '}'].join('\n');
}

function isScratchAccess(code: number): boolean {
  return code === BPF_ST || code === BPF_STX || code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM);
}

type JumpStatement = (target: number) => string;
/** A RET folded into the jump that reaches it. */
type ReturnStatement = (value: string) => string;

interface Emitted {
  /** Code per instruction; '' for an instruction no path reaches once RETs are inlined. */
  readonly statements: string[];
  /** Instructions reached by an explicit jump. */
  readonly targets: Set<number>;
}

/**
 * One forward pass. A branch to a RET becomes the return itself; a branch whose target
 * is the next instruction still reached is a fall-through. "Still reached": an
 * instruction is emitted only if the previous emitted code falls into it or an earlier
 * jump targets it, so the RET of the common `jeq #nr, 0, 1; ret #ALLOW` pair is folded
 * into the jump and the following check needs no jump at all.
 */
function emitInstructions(program: BpfProgram, load: (offset: number) => string, jump: JumpStatement, counting: boolean): Emitted {
  const statements: string[] = program.map(() => '');
  const targets = new Set<number>();
  const returns: ReturnStatement = counting ? (value) => `{ c.executed++; return ${value}; }` : (value) => `return ${value};`;
  let fallsInto = 0;
  for (let index = 0; index < program.length; index += 1) {
    if (index !== fallsInto && !targets.has(index)) continue;
    const emitted = statementFor(program, index, load, targets, jump, returns);
    statements[index] = (counting ? 'c.executed++; ' : '') + emitted.code;
    fallsInto = emitted.fallsInto;
  }
  return { statements, targets };
}

/** Whether nothing already emitted needs an instruction strictly between `from` and `target`. */
function unreachedBetween(from: number, target: number, targets: Set<number>, otherTarget: number | null): boolean {
  if (otherTarget !== null && otherTarget > from && otherTarget < target) return false;
  for (let index = from + 1; index < target; index += 1) if (targets.has(index)) return false;
  return true;
}

interface Statement {
  readonly code: string;
  /** The instruction the code falls into when it completes, or -1 when it never does. */
  readonly fallsInto: number;
}

/** The branch from `from` to `target`: an inlined RET, a fall-through ('' ), or a jump. */
function branch(program: BpfProgram, from: number, target: number, targets: Set<number>, jump: JumpStatement, fallThrough: boolean, returns: ReturnStatement): string {
  const destination = program[target];
  if (destination?.code === (BPF_RET | BPF_K)) return returns(String(destination.k >>> 0));
  if (destination?.code === (BPF_RET | BPF_A)) return returns('a');
  if (fallThrough) return '';
  targets.add(target);
  return jump(target);
}

function isReturn(program: BpfProgram, index: number): boolean {
  const code = program[index]?.code;
  return code === (BPF_RET | BPF_K) || code === (BPF_RET | BPF_A);
}

function conditionalStatement(program: BpfProgram, index: number, targets: Set<number>, jump: JumpStatement, returns: ReturnStatement): Statement {
  const { code, jt, jf, k } = program[index];
  const condition = jumpCondition(code, (code & BPF_X) === BPF_X ? 'x' : String(k >>> 0));
  const trueTarget = index + 1 + jt;
  const falseTarget = index + 1 + jf;
  const jumpingTrue = isReturn(program, trueTarget) ? null : trueTarget;
  const jumpingFalse = isReturn(program, falseTarget) ? null : falseTarget;
  // At most one branch falls through: the nearer non-RET target, if nothing lies before it.
  const candidate = Math.min(jumpingTrue ?? Infinity, jumpingFalse ?? Infinity);
  const fallTarget = candidate !== Infinity && unreachedBetween(index, candidate, targets, null) ? candidate : -1;
  const taken = branch(program, index, trueTarget, targets, jump, trueTarget === fallTarget, returns);
  const notTaken = branch(program, index, falseTarget, targets, jump, falseTarget === fallTarget, returns);
  if (taken === notTaken) return { code: taken, fallsInto: fallTarget };
  if (notTaken === '') return { code: `if (${condition}) { ${taken} }`, fallsInto: fallTarget };
  if (taken === '') return { code: `if (!(${condition})) { ${notTaken} }`, fallsInto: fallTarget };
  return { code: `if (${condition}) { ${taken} } else { ${notTaken} }`, fallsInto: fallTarget };
}

function statementFor(program: BpfProgram, index: number, load: (offset: number) => string, targets: Set<number>, jump: JumpStatement, returns: ReturnStatement): Statement {
  const { code, k } = program[index];
  const next = (text: string): Statement => ({ code: text, fallsInto: index + 1 });
  const end = (text: string): Statement => ({ code: text, fallsInto: -1 });
  if ((code & 0x07) === BPF_ALU) return next(aluStatement(code, (code & BPF_X) === BPF_X ? 'x' : String(k >>> 0)));
  if (isConditionalJump(code)) return conditionalStatement(program, index, targets, jump, returns);
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS: return next(`a = ${load(k)};`);
    case BPF_LD | BPF_W | BPF_LEN: return next('a = 64;');
    case BPF_LDX | BPF_W | BPF_LEN: return next('x = 64;');
    case BPF_LD | BPF_IMM: return next(`a = ${k >>> 0};`);
    case BPF_LDX | BPF_IMM: return next(`x = ${k >>> 0};`);
    case BPF_LD | BPF_MEM: return next(`a = m${k};`);
    case BPF_LDX | BPF_MEM: return next(`x = m${k};`);
    case BPF_ST: return next(`m${k} = a;`);
    case BPF_STX: return next(`m${k} = x;`);
    case BPF_MISC | BPF_TAX: return next('x = a;');
    case BPF_MISC | BPF_TXA: return next('a = x;');
    case BPF_RET | BPF_K: return end(`return ${k >>> 0};`);
    case BPF_RET | BPF_A: return end('return a;');
    case BPF_JMP | BPF_JA: {
      const target = index + 1 + k;
      if (isReturn(program, target)) return end(branch(program, index, target, targets, jump, false, returns));
      const fallThrough = unreachedBetween(index, target, targets, null);
      const text = branch(program, index, target, targets, jump, fallThrough, returns);
      return { code: text, fallsInto: fallThrough ? target : -1 };
    }
    default:
      throw new InternalError(`cannot compile instruction ${index} (${opcodeName(code)}): the program was not checked`);
  }
}

function aluStatement(code: number, operand: string): string {
  switch (code & 0xf0) {
    case BPF_ADD: return `a = (a + ${operand}) >>> 0;`;
    case BPF_SUB: return `a = (a - ${operand}) >>> 0;`;
    case BPF_MUL: return `a = Math.imul(a, ${operand}) >>> 0;`;
    case BPF_DIV:
      return operand === 'x' ? 'if (x === 0) return 0; a = Math.floor(a / x) >>> 0;' : `a = Math.floor(a / ${operand}) >>> 0;`;
    case BPF_AND: return `a = (a & ${operand}) >>> 0;`;
    case BPF_OR: return `a = (a | ${operand}) >>> 0;`;
    case BPF_XOR: return `a = (a ^ ${operand}) >>> 0;`;
    case BPF_LSH: return `a = (a << ${operand}) >>> 0;`;
    case BPF_RSH: return `a = a >>> ${operand};`;
    case BPF_NEG: return 'a = -a >>> 0;';
    default:
      throw new InternalError(`cannot compile ALU opcode ${opcodeName(code)}: the program was not checked`);
  }
}

function jumpCondition(code: number, operand: string): string {
  switch (code & 0xf0) {
    case BPF_JEQ: return `a === ${operand}`;
    case BPF_JGT: return `a > ${operand}`;
    case BPF_JGE: return `a >= ${operand}`;
    case BPF_JSET: return `(a & ${operand}) !== 0`;
    default:
      throw new InternalError(`opcode ${opcodeName(code)} is not a conditional jump`);
  }
}

