/**
 * The reference interpreter for checked seccomp filters: classic BPF over struct
 * seccomp_data, with the semantics of the kernel's conversion to eBPF
 * (net/core/filter.c bpf_convert_filter, run by kernel/bpf/core.c or the x86-64 JIT):
 *
 * - A, X and M[0..15] are unsigned 32-bit; A and X start at 0 (the converted program
 *   clears both first). Arithmetic wraps modulo 2^32; comparisons are unsigned.
 * - LD W ABS k reads word k/4 of seccomp_data (words.ts); LD/LDX W LEN give 64.
 * - DIV by a zero X ends the program with 0 ("if (X == 0) return 0", which seccomp reads
 *   as KILL_THREAD); DIV is unsigned.
 * - A shift by X uses the count modulo 32, as x86's 32-bit SHL/SHR do (the kernel leaves
 *   counts ≥ 32 to the CPU; measured on a 6.18 x86-64 kernel: 3 << 33 gives 6).
 *
 * Left out: MOD, IND/H/B loads and MSH, which the checker refuses for seccomp. Running
 * past the end or meeting one of those is a broken promise (the program was not checked).
 */
import { InternalError } from '../../../core/errors.js';
import type { BpfProgram, BpfRun, SeccompData } from './types.js';
import { seccompWords } from './words.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH,
  BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, BPF_A, opcodeName,
} from './opcodes.js';
import { SECCOMP_DATA_SIZE } from './types.js';

// Opcodes as module constants: case labels then cost nothing to evaluate, also under
// module runners that turn imports into getters.
const LD_W_ABS = BPF_LD | BPF_W | BPF_ABS;
const LD_W_LEN = BPF_LD | BPF_W | BPF_LEN;
const LDX_W_LEN = BPF_LDX | BPF_W | BPF_LEN;
const LD_IMM = BPF_LD | BPF_IMM;
const LDX_IMM = BPF_LDX | BPF_IMM;
const LD_MEM = BPF_LD | BPF_MEM;
const LDX_MEM = BPF_LDX | BPF_MEM;
const ST = BPF_ST;
const STX = BPF_STX;
const MISC_TAX = BPF_MISC | BPF_TAX;
const MISC_TXA = BPF_MISC | BPF_TXA;
const RET_K = BPF_RET | BPF_K;
const RET_A = BPF_RET | BPF_A;
const JMP_JA = BPF_JMP | BPF_JA;
const ALU_DIV_X = BPF_ALU | BPF_DIV | BPF_X;
const CLASS_ALU = BPF_ALU;
const CLASS_JMP = BPF_JMP;
const SRC_X = BPF_X;
const [OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_AND, OP_OR, OP_XOR, OP_LSH, OP_RSH, OP_NEG] = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG];
const [OP_JEQ, OP_JGT, OP_JGE, OP_JSET] = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** Runs a checked filter on `data`: its 32-bit return value and how many instructions ran. */
export function runFilter(program: BpfProgram, data: SeccompData): BpfRun {
  return runFilterWords(program, seccompWords(data));
}

/** The same run on seccomp_data already split into words (words.ts seccompWords). */
export function runFilterWords(program: BpfProgram, words: Uint32Array): BpfRun {
  const memory = new Uint32Array(BPF_MEMWORDS);
  let a = 0;
  let x = 0;
  let pc = 0;
  let executed = 0;
  for (;;) {
    if (pc >= program.length) throw new InternalError(`seccomp filter ran past its end (pc ${pc}, ${program.length} instructions): it was not checked`);
    const { code, jt, jf, k } = program[pc];
    executed += 1;
    pc += 1;
    switch (code) {
      case LD_W_ABS: a = words[k >>> 2]; break;
      case LD_W_LEN: a = SECCOMP_DATA_SIZE; break;
      case LDX_W_LEN: x = SECCOMP_DATA_SIZE; break;
      case LD_IMM: a = k; break;
      case LDX_IMM: x = k; break;
      case LD_MEM: a = memory[k]; break;
      case LDX_MEM: x = memory[k]; break;
      case ST: memory[k] = a; break;
      case STX: memory[k] = x; break;
      case MISC_TAX: x = a; break;
      case MISC_TXA: a = x; break;
      case RET_K: return { ret: k >>> 0, executed };
      case RET_A: return { ret: a >>> 0, executed };
      case JMP_JA: pc += k; break;
      case ALU_DIV_X:
        if (x === 0) return { ret: 0, executed };
        a = Math.floor(a / x) >>> 0;
        break;
      default:
        if ((code & 0x07) === CLASS_ALU) a = alu(code, a, (code & SRC_X) === SRC_X ? x : k);
        else if ((code & 0x07) === CLASS_JMP) pc += jumpTaken(code, a, (code & SRC_X) === SRC_X ? x : k) ? jt : jf;
        else throw new InternalError(`seccomp filter instruction ${pc - 1} has opcode ${opcodeName(code)}, which the checker refuses`);
    }
  }
}

/** One 32-bit ALU operation (DIV by a zero X is handled by the caller). */
export function alu(code: number, a: number, operand: number): number {
  switch (code & 0xf0) {
    case OP_ADD: return (a + operand) >>> 0;
    case OP_SUB: return (a - operand) >>> 0;
    case OP_MUL: return Math.imul(a, operand) >>> 0;
    case OP_DIV: return Math.floor(a / operand) >>> 0;
    case OP_AND: return (a & operand) >>> 0;
    case OP_OR: return (a | operand) >>> 0;
    case OP_XOR: return (a ^ operand) >>> 0;
    case OP_LSH: return (a << operand) >>> 0;
    case OP_RSH: return a >>> operand;
    case OP_NEG: return -a >>> 0;
    default:
      throw new InternalError(`ALU opcode ${opcodeName(code)} is not a seccomp operation`);
  }
}

/** Whether a conditional jump takes its jt branch (unsigned comparisons). */
export function jumpTaken(code: number, a: number, operand: number): boolean {
  switch (code & 0xf0) {
    case OP_JEQ: return a === operand;
    case OP_JGT: return a > operand;
    case OP_JGE: return a >= operand;
    case OP_JSET: return (a & operand) !== 0;
    default:
      throw new InternalError(`jump opcode ${opcodeName(code)} is not conditional`);
  }
}

