/**
 * The load-time checks a seccomp filter passes before the kernel attaches it, in the
 * kernel's order (any failure is EINVAL from seccomp(2) / prctl(2)):
 *
 * 1. bpf_check_basics_ok (net/core/filter.c): 1 ≤ length ≤ BPF_MAXINSNS.
 * 2. bpf_check_classic (net/core/filter.c), instruction by instruction: the opcode is a
 *    classic BPF one (chk_code_allowed); DIV/MOD by a constant 0; LSH/RSH by a constant
 *    ≥ 32; scratch index ≥ BPF_MEMWORDS; JA past the end; a conditional jump whose
 *    jt or jf target is past the end; an absolute load from an unknown ancillary offset.
 *    Then the last instruction must be RET K or RET A.
 * 3. check_load_and_stores (net/core/filter.c): no M[k] is read before it is written.
 * 4. seccomp_check_filter (kernel/seccomp.c): only its explicit list of opcodes, and
 *    LD W ABS must read an aligned word inside struct seccomp_data (64 bytes).
 *
 * Checked on a real 6.18 kernel: BPF_MOD is a classic opcode but is NOT in seccomp's list
 * (a seccomp filter using it is refused with EINVAL), so this checker refuses it too.
 * Fields outside their C types (code > 16 bits, jt/jf > 8 bits, k > 32 bits) cannot
 * reach the kernel; they are refused here with their own message.
 */
import { SECCOMP_DATA_SIZE, type BpfInstruction, type BpfProgram, type BpfRejection } from './types.js';
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE,
  BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS,
  BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX,
  BPF_TXA, BPF_W, BPF_X, BPF_XOR, hex, opcodeName,
} from './opcodes.js';

/** The start of the ancillary-data area of socket filters (SKF_AD_OFF = -0x1000). */
const SKF_AD_OFF = 0xfffff000;
/** SKF_AD_MAX: the known ancillary offsets are SKF_AD_OFF + 0, 4, …, 60. */
const SKF_AD_MAX = 64;

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH];
const CONDITIONAL_JUMPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** chk_code_allowed: every opcode classic BPF knows (socket filters use them all). */
const CLASSIC_OPCODES: ReadonlySet<number> = new Set([
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG,
  ...[BPF_W, BPF_H, BPF_B].flatMap((size) => [BPF_LD | size | BPF_ABS, BPF_LD | size | BPF_IND]),
  BPF_LD | BPF_W | BPF_LEN, BPF_LD | BPF_IMM, BPF_LD | BPF_MEM,
  BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH, BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
  BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, BPF_RET | BPF_K, BPF_RET | BPF_A,
  BPF_JMP | BPF_JA,
  ...CONDITIONAL_JUMPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

/** seccomp_check_filter's explicit list: the classic opcodes minus IND, H/B, MSH and MOD. */
const SECCOMP_OPCODES: ReadonlySet<number> = new Set(
  [...CLASSIC_OPCODES].filter(
    (code) =>
      code !== (BPF_ALU | BPF_MOD | BPF_K) &&
      code !== (BPF_ALU | BPF_MOD | BPF_X) &&
      code !== (BPF_LD | BPF_W | BPF_IND) &&
      code !== (BPF_LD | BPF_H | BPF_IND) &&
      code !== (BPF_LD | BPF_B | BPF_IND) &&
      code !== (BPF_LD | BPF_H | BPF_ABS) &&
      code !== (BPF_LD | BPF_B | BPF_ABS) &&
      code !== (BPF_LDX | BPF_B | BPF_MSH),
  ),
);

/** Every opcode a seccomp filter may use, ascending (for generators and documentation). */
export const SECCOMP_ALLOWED_OPCODES: readonly number[] = [...SECCOMP_OPCODES].sort((a, b) => a - b);

/** Whether `code` is one of the conditional jumps (JEQ/JGT/JGE/JSET with K or X). */
export function isConditionalJump(code: number): boolean {
  return (code & 0x07) === BPF_JMP && (code & 0xf0) !== BPF_JA && CLASSIC_OPCODES.has(code);
}

/**
 * What the kernel says about `program` as a seccomp filter: null when it would be
 * attached, otherwise the first offending instruction and why.
 */
export function checkSeccompFilter(program: BpfProgram): BpfRejection | null {
  return (
    checkLength(program) ??
    firstRejection(program, checkFieldRanges) ??
    firstRejection(program, checkClassicInstruction) ??
    checkEndsInReturn(program) ??
    checkLoadsAfterStores(program) ??
    firstRejection(program, checkSeccompInstruction)
  );
}

function checkLength(program: BpfProgram): BpfRejection | null {
  if (program.length === 0) return { index: null, message: 'the program is empty: a seccomp filter has 1 to 4096 instructions' };
  if (program.length > BPF_MAXINSNS) {
    return { index: null, message: `the program has ${program.length} instructions: a seccomp filter has at most ${BPF_MAXINSNS} (BPF_MAXINSNS)` };
  }
  return null;
}

type InstructionCheck = (instruction: BpfInstruction, index: number, length: number) => string | null;

function firstRejection(program: BpfProgram, check: InstructionCheck): BpfRejection | null {
  for (let index = 0; index < program.length; index += 1) {
    const message = check(program[index], index, program.length);
    if (message !== null) return { index, message: `instruction ${index}: ${message}` };
  }
  return null;
}

function fits(value: number, bits: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

function checkFieldRanges(instruction: BpfInstruction): string | null {
  if (!fits(instruction.code, 16)) return `code ${String(instruction.code)} is not a 16-bit unsigned number`;
  if (!fits(instruction.jt, 8)) return `jt ${String(instruction.jt)} is not an 8-bit unsigned number`;
  if (!fits(instruction.jf, 8)) return `jf ${String(instruction.jf)} is not an 8-bit unsigned number`;
  if (!fits(instruction.k, 32)) return `k ${String(instruction.k)} is not a 32-bit unsigned number`;
  return null;
}

function jumpPastEnd(source: number, offset: number, length: number): string | null {
  const target = source + 1 + offset;
  return target >= length ? `jump target ${target} is past the end of the ${length}-instruction program` : null;
}

function checkClassicInstruction({ code, jt, jf, k }: BpfInstruction, index: number, length: number): string | null {
  if (!CLASSIC_OPCODES.has(code)) return `opcode ${opcodeName(code)} is not a classic BPF instruction`;
  switch (code) {
    case BPF_ALU | BPF_DIV | BPF_K:
    case BPF_ALU | BPF_MOD | BPF_K:
      return k === 0 ? `${opcodeName(code)} by the constant 0` : null;
    case BPF_ALU | BPF_LSH | BPF_K:
    case BPF_ALU | BPF_RSH | BPF_K:
      return k >= 32 ? `shift by the constant ${k}: shifts by 32 or more are refused` : null;
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
      return k >= BPF_MEMWORDS ? `scratch slot M[${k}] does not exist: there are ${BPF_MEMWORDS} (M[0] to M[15])` : null;
    case BPF_JMP | BPF_JA:
      return jumpPastEnd(index, k, length);
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_H | BPF_ABS:
    case BPF_LD | BPF_B | BPF_ABS:
      return k >= SKF_AD_OFF && !isKnownAncillary(k) ? `absolute load from ${hex(k, 8)}, an unknown ancillary offset` : null;
    default:
      return isConditionalJump(code) ? (jumpPastEnd(index, jt, length) ?? jumpPastEnd(index, jf, length)) : null;
  }
}

/** bpf_anc_helper: the ancillary offsets socket filters know (SKF_AD_PROTOCOL … SKF_AD_VLAN_TPID). */
function isKnownAncillary(k: number): boolean {
  const offset = k - SKF_AD_OFF;
  return offset < SKF_AD_MAX && offset % 4 === 0;
}

function checkEndsInReturn(program: BpfProgram): BpfRejection | null {
  const last = program.length - 1;
  const code = program[last].code;
  if (code === (BPF_RET | BPF_K) || code === (BPF_RET | BPF_A)) return null;
  return { index: last, message: `instruction ${last}: the last instruction is ${opcodeName(code)}, but a filter must end with RET K or RET A` };
}

/**
 * check_load_and_stores, the kernel's single forward pass: `valid` holds one bit per
 * scratch slot written on the way here; a jump narrows its targets' masks to the slots
 * valid at the jump and the pass continues with all bits set (the jump's fall-through
 * is only reached through a mask). A RET does not reset `valid`: an instruction after a
 * RET that nothing jumps to inherits the RET's slots, exactly as the kernel does.
 */
function checkLoadsAfterStores(program: BpfProgram): BpfRejection | null {
  const ALL = (1 << BPF_MEMWORDS) - 1;
  const masks = new Array<number>(program.length).fill(ALL);
  let valid = 0;
  for (let index = 0; index < program.length; index += 1) {
    const { code, jt, jf, k } = program[index];
    valid &= masks[index];
    if (code === BPF_ST || code === BPF_STX) {
      valid |= 1 << k;
    } else if (code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) {
      if ((valid & (1 << k)) === 0) {
        return { index, message: `instruction ${index}: reads scratch slot M[${k}], which is not written on every path that reaches it` };
      }
    } else if (code === (BPF_JMP | BPF_JA)) {
      masks[index + 1 + k] &= valid;
      valid = ALL;
    } else if (isConditionalJump(code)) {
      masks[index + 1 + jt] &= valid;
      masks[index + 1 + jf] &= valid;
      valid = ALL;
    }
  }
  return null;
}

function checkSeccompInstruction({ code, k }: BpfInstruction): string | null {
  if (code === (BPF_LD | BPF_W | BPF_ABS)) {
    if (k >= SECCOMP_DATA_SIZE) return `load from offset ${k} is outside struct seccomp_data (${SECCOMP_DATA_SIZE} bytes)`;
    if (k % 4 !== 0) return `load from offset ${k} is not 4-byte aligned`;
    return null;
  }
  if (SECCOMP_OPCODES.has(code)) return null;
  return `opcode ${opcodeName(code)} is not allowed in a seccomp filter (${seccompReason(code)})`;
}

function seccompReason(code: number): string {
  if (code === (BPF_ALU | BPF_MOD | BPF_K) || code === (BPF_ALU | BPF_MOD | BPF_X)) return 'seccomp_check_filter does not list BPF_MOD';
  if (code === (BPF_LDX | BPF_B | BPF_MSH)) return 'the IP-header length load needs a packet';
  if ((code & 0xe0) === BPF_IND) return 'indirect loads are refused';
  return 'only 32-bit word loads of struct seccomp_data are allowed';
}
