// Shared generators for the cBPF tests: random programs the kernel would accept, random
// instructions it may not, and random struct seccomp_data.
import fc from 'fast-check';
import type { BpfInstruction, BpfProgram, SeccompData } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { opcodes as op } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../../../../engine/kernel/seccomp/constants.js';

export const u32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 31, 32, 0x7fffffff, 0x80000000, 0xffffffff, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0x7fff0000, 0x50001),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const ALU_OPS = [op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_AND, op.BPF_OR, op.BPF_XOR, op.BPF_LSH, op.BPF_RSH];
const JUMP_OPS = [op.BPF_JEQ, op.BPF_JGT, op.BPF_JGE, op.BPF_JSET];
const SLOTS = 4;

const stmt = (code: number, k = 0): BpfInstruction => ({ code, jt: 0, jf: 0, k });

/** One non-final instruction at `index` of an `length`-instruction program (forward jumps in range). */
function instructionArb(index: number, length: number): fc.Arbitrary<BpfInstruction> {
  const reach = length - index - 2; // the last instruction is at length - 1
  const offset = fc.integer({ min: 0, max: Math.min(reach, 255) });
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 15 }).map((word) => stmt(op.BPF_LD | op.BPF_W | op.BPF_ABS, word * 4)) },
    { weight: 1, arbitrary: fc.constantFrom(stmt(op.BPF_LD | op.BPF_W | op.BPF_LEN), stmt(op.BPF_LDX | op.BPF_W | op.BPF_LEN)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(op.BPF_LD, op.BPF_LDX), u32).map(([cls, k]) => stmt(cls | op.BPF_IMM, k)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(op.BPF_LD, op.BPF_LDX), fc.integer({ min: 0, max: SLOTS - 1 })).map(([cls, k]) => stmt(cls | op.BPF_MEM, k)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(op.BPF_ST, op.BPF_STX), fc.integer({ min: 0, max: SLOTS - 1 })).map(([code, k]) => stmt(code, k)) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...ALU_OPS), fc.boolean(), u32).map(([aluOp, fromX, k]) => aluInstruction(aluOp, fromX, k)) },
    { weight: 1, arbitrary: fc.constantFrom(stmt(op.BPF_ALU | op.BPF_NEG), stmt(op.BPF_MISC | op.BPF_TAX), stmt(op.BPF_MISC | op.BPF_TXA)) },
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...JUMP_OPS), fc.boolean(), u32, offset, offset).map(([jumpOp, fromX, k, jt, jf]) => ({ code: op.BPF_JMP | jumpOp | (fromX ? op.BPF_X : op.BPF_K), jt, jf, k: fromX ? 0 : k })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: reach }).map((k) => stmt(op.BPF_JMP | op.BPF_JA, k)) },
    { weight: 1, arbitrary: returnArb },
  );
}

function aluInstruction(aluOp: number, fromX: boolean, k: number): BpfInstruction {
  if (fromX) return stmt(op.BPF_ALU | aluOp | op.BPF_X);
  if (aluOp === op.BPF_DIV) return stmt(op.BPF_ALU | aluOp, k === 0 ? 1 : k);
  if (aluOp === op.BPF_LSH || aluOp === op.BPF_RSH) return stmt(op.BPF_ALU | aluOp, k % 32);
  return stmt(op.BPF_ALU | aluOp, k);
}

const returnArb: fc.Arbitrary<BpfInstruction> = fc.oneof(u32.map((k) => stmt(op.BPF_RET | op.BPF_K, k)), fc.constant(stmt(op.BPF_RET | op.BPF_A)));

/**
 * Programs seccomp accepts: every field in range, forward jumps inside the program, a RET
 * at the end, and scratch reads made safe by a prologue storing every slot the body reads.
 */
export const validProgramArb: fc.Arbitrary<BpfProgram> = fc
  .integer({ min: 1, max: 48 })
  .chain((length) => fc.tuple(...Array.from({ length: length - 1 }, (_, index) => instructionArb(index, length)), returnArb))
  .map((instructions) => {
    const read = new Set(instructions.filter(({ code }) => code === (op.BPF_LD | op.BPF_MEM) || code === (op.BPF_LDX | op.BPF_MEM)).map(({ k }) => k));
    const prologue = [...read].sort((p, q) => p - q).map((slot) => stmt(op.BPF_ST, slot));
    return [...prologue, ...instructions];
  });

/** Any 8-bit opcode with any fields, short programs: mostly refused, sometimes accepted. */
export const anyProgramArb: fc.Arbitrary<BpfProgram> = fc.array(
  fc.record({
    code: fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.constantFrom(0x20, 0x15, 0x06, 0x16, 0x45, 0x02, 0x60, 0x05)),
    jt: fc.integer({ min: 0, max: 6 }),
    jf: fc.integer({ min: 0, max: 6 }),
    k: fc.oneof(fc.integer({ min: 0, max: 70 }), u32),
  }),
  { minLength: 1, maxLength: 8 },
);

const u64 = fc.oneof(
  fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, 0xffffffffffffffffn, 0x8000000000000000n),
  fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
);

export const seccompDataArb: fc.Arbitrary<SeccompData> = fc.record({
  nr: fc.oneof(fc.integer({ min: 0, max: 450 }), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
  arch: fc.oneof(fc.constantFrom(AUDIT_ARCH_X86_64, AUDIT_ARCH_I386), fc.integer({ min: 0, max: 0xffffffff })),
  instructionPointer: u64,
  args: fc.array(u64, { minLength: 6, maxLength: 6 }),
});

/** A data record with the given number and arch and zero elsewhere. */
export function callData(nr: number, arch: number = AUDIT_ARCH_X86_64, args: bigint[] = [], instructionPointer = 0n): SeccompData {
  return { nr, arch, instructionPointer, args: [...args, ...Array<bigint>(6 - args.length).fill(0n)] };
}
