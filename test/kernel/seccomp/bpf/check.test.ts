// Proves the load-time checker accepts and refuses exactly what the kernel does for a
// seccomp filter (net/core/filter.c bpf_check_classic and check_load_and_stores,
// kernel/seccomp.c seccomp_check_filter), naming the instruction and the reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, checkSeccompFilter, opcodes as op, SECCOMP_ALLOWED_OPCODES, type BpfInstruction, type BpfProgram } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { anyProgramArb, validProgramArb } from './programs.js';

const stmt = (code: number, k = 0): BpfInstruction => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, jt: number, jf: number, k = 0): BpfInstruction => ({ code, jt, jf, k });
const RET_ALLOW = stmt(op.BPF_RET | op.BPF_K, 0x7fff0000);
const asm = (text: string): BpfProgram => assemble(text, 'test.bpf');
const reason = (program: BpfProgram): string | null => checkSeccompFilter(program)?.message ?? null;

describe('length', () => {
  it('refuses an empty program and one longer than BPF_MAXINSNS', () => {
    expect(checkSeccompFilter([])).toEqual({ index: null, message: 'the program is empty: a seccomp filter has 1 to 4096 instructions' });
    expect(checkSeccompFilter(Array<BpfInstruction>(4097).fill(RET_ALLOW))).toEqual({
      index: null,
      message: 'the program has 4097 instructions: a seccomp filter has at most 4096 (BPF_MAXINSNS)',
    });
  });

  it('accepts one RET and exactly 4096 instructions', () => {
    expect(checkSeccompFilter([RET_ALLOW])).toBeNull();
    expect(checkSeccompFilter(Array<BpfInstruction>(4096).fill(RET_ALLOW))).toBeNull();
  });
});

describe('opcodes', () => {
  it('accepts every opcode of seccomp_check_filter and nothing else among 8-bit codes', () => {
    const accepted: number[] = [];
    for (let code = 0; code <= 0xff; code += 1) {
      const k = code === (op.BPF_ALU | op.BPF_DIV | op.BPF_K) ? 1 : 0;
      if (checkSeccompFilter([stmt(op.BPF_ST, 0), { code, jt: 0, jf: 0, k }, RET_ALLOW]) === null) accepted.push(code);
    }
    expect(accepted).toEqual(SECCOMP_ALLOWED_OPCODES);
    // seccomp_check_filter's case list, spelled as the kernel spells it.
    const { BPF_LD, BPF_LDX, BPF_W, BPF_ABS, BPF_LEN, BPF_IMM, BPF_MEM, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC, BPF_K, BPF_X, BPF_A } = op;
    const kernelList = [
      BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN, BPF_RET | BPF_K, BPF_RET | BPF_A,
      ...[op.BPF_ADD, op.BPF_SUB, op.BPF_MUL, op.BPF_DIV, op.BPF_AND, op.BPF_OR, op.BPF_XOR, op.BPF_LSH, op.BPF_RSH].flatMap((o) => [BPF_ALU | o | BPF_K, BPF_ALU | o | BPF_X]),
      BPF_ALU | op.BPF_NEG, BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | op.BPF_TAX, BPF_MISC | op.BPF_TXA, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM,
      BPF_ST, BPF_STX, BPF_JMP | op.BPF_JA,
      ...[op.BPF_JEQ, op.BPF_JGE, op.BPF_JGT, op.BPF_JSET].flatMap((o) => [BPF_JMP | o | BPF_K, BPF_JMP | o | BPF_X]),
    ];
    expect(accepted).toEqual([...kernelList].sort((p, q) => p - q));
  });

  it('refuses BPF_MOD, which seccomp_check_filter does not list (EINVAL on a 6.18 kernel)', () => {
    expect(reason(asm('ld #7\nmod #4\nret a'))).toBe(
      'instruction 1: opcode BPF_ALU|BPF_MOD|BPF_K (0x94) is not allowed in a seccomp filter (seccomp_check_filter does not list BPF_MOD)',
    );
    expect(checkSeccompFilter(asm('ldx #3\nmod x\nret a'))?.index).toBe(1);
  });

  it('refuses half-word, byte, indirect and MSH loads with the reason', () => {
    expect(reason(asm('ldh [0]\nret a'))).toBe('instruction 0: opcode BPF_LD|BPF_H|BPF_ABS (0x28) is not allowed in a seccomp filter (only 32-bit word loads of struct seccomp_data are allowed)');
    expect(reason(asm('ldb [4]\nret a'))).toBe('instruction 0: opcode BPF_LD|BPF_B|BPF_ABS (0x30) is not allowed in a seccomp filter (only 32-bit word loads of struct seccomp_data are allowed)');
    expect(reason(asm('ld [x + 4]\nret a'))).toBe('instruction 0: opcode BPF_LD|BPF_W|BPF_IND (0x40) is not allowed in a seccomp filter (indirect loads are refused)');
    expect(reason(asm('ldxb 4*([0]&0xf)\nret a'))).toBe('instruction 0: opcode BPF_LDX|BPF_B|BPF_MSH (0xb1) is not allowed in a seccomp filter (the IP-header length load needs a packet)');
  });

  it('refuses opcodes classic BPF does not know, and RET X', () => {
    expect(reason([stmt(0x0e)])).toBe('instruction 0: opcode BPF_RET|BPF_X (0x0e) is not a classic BPF instruction');
    expect(reason([stmt(0xff), RET_ALLOW])).toBe('instruction 0: opcode 0xff is not a classic BPF instruction');
    expect(reason([stmt(op.BPF_ALU | op.BPF_NEG | op.BPF_X), RET_ALLOW])).toBe('instruction 0: opcode BPF_ALU|BPF_NEG|BPF_X (0x8c) is not a classic BPF instruction');
  });

  it('refuses fields that do not fit struct sock_filter', () => {
    expect(reason([{ code: 0x10006, jt: 0, jf: 0, k: 0 }])).toBe('instruction 0: code 65542 is not a 16-bit unsigned number');
    expect(reason([{ code: 6, jt: 256, jf: 0, k: 0 }])).toBe('instruction 0: jt 256 is not an 8-bit unsigned number');
    expect(reason([{ code: 6, jt: 0, jf: -1, k: 0 }])).toBe('instruction 0: jf -1 is not an 8-bit unsigned number');
    expect(reason([{ code: 6, jt: 0, jf: 0, k: 2 ** 32 }])).toBe('instruction 0: k 4294967296 is not a 32-bit unsigned number');
  });
});

describe('loads from struct seccomp_data', () => {
  it('accepts aligned word loads at 0 … 60', () => {
    for (let offset = 0; offset < 64; offset += 4) expect(checkSeccompFilter(asm(`ld [${offset}]\nret a`))).toBeNull();
  });

  it('refuses unaligned and out-of-bounds loads', () => {
    expect(reason(asm('ld [2]\nret a'))).toBe('instruction 0: load from offset 2 is not 4-byte aligned');
    expect(reason(asm('ld [64]\nret a'))).toBe('instruction 0: load from offset 64 is outside struct seccomp_data (64 bytes)');
  });

  it('refuses unknown ancillary offsets in the classic pass, known ones in the seccomp pass', () => {
    expect(reason([stmt(op.BPF_LD | op.BPF_W | op.BPF_ABS, 0xfffff002), RET_ALLOW])).toBe('instruction 0: absolute load from 0xfffff002, an unknown ancillary offset');
    expect(reason([stmt(op.BPF_LD | op.BPF_W | op.BPF_ABS, 0xfffff000), RET_ALLOW])).toBe('instruction 0: load from offset 4294963200 is outside struct seccomp_data (64 bytes)');
  });

  it('accepts LEN loads (the kernel rewrites them to an immediate 64)', () => {
    expect(checkSeccompFilter(asm('ld len\nldx len\nret a'))).toBeNull();
  });
});

describe('constants', () => {
  it('refuses division by a constant zero, accepts division by a zero X', () => {
    expect(reason(asm('div #0\nret a'))).toBe('instruction 0: BPF_ALU|BPF_DIV|BPF_K (0x34) by the constant 0');
    expect(checkSeccompFilter(asm('div x\nret a'))).toBeNull();
  });

  it('refuses constant shifts by 32 or more, accepts 31 and shifts by X', () => {
    expect(reason(asm('lsh #32\nret a'))).toBe('instruction 0: shift by the constant 32: shifts by 32 or more are refused');
    expect(reason(asm('rsh #40\nret a'))).toBe('instruction 0: shift by the constant 40: shifts by 32 or more are refused');
    expect(checkSeccompFilter(asm('lsh #31\nrsh x\nret a'))).toBeNull();
  });

  it('refuses scratch slots past M[15]', () => {
    expect(reason(asm('st M[16]\nret a'))).toBe('instruction 0: scratch slot M[16] does not exist: there are 16 (M[0] to M[15])');
    expect(checkSeccompFilter(asm('st M[15]\nld M[15]\nret a'))).toBeNull();
  });
});

describe('jumps', () => {
  it('refuses a conditional jump whose jt or jf lands past the end, naming the target', () => {
    expect(checkSeccompFilter([jump(0x15, 0, 3), RET_ALLOW, RET_ALLOW])).toEqual({
      index: 0,
      message: 'instruction 0: jump target 4 is past the end of the 3-instruction program',
    });
    expect(reason([jump(0x15, 2, 0), RET_ALLOW, RET_ALLOW])).toBe('instruction 0: jump target 3 is past the end of the 3-instruction program');
    expect(checkSeccompFilter([jump(0x15, 1, 0), RET_ALLOW, RET_ALLOW])).toBeNull();
  });

  it('refuses JA past the end, and JA onto the last instruction is fine', () => {
    expect(reason([stmt(op.BPF_JMP | op.BPF_JA, 1), RET_ALLOW])).toBe('instruction 0: jump target 2 is past the end of the 2-instruction program');
    expect(reason([stmt(op.BPF_JMP | op.BPF_JA, 0xffffffff), RET_ALLOW])).toMatch(/^instruction 0: jump target 4294967296 is past the end/);
    expect(checkSeccompFilter([stmt(op.BPF_JMP | op.BPF_JA, 1), stmt(op.BPF_LD | op.BPF_IMM), RET_ALLOW])).toBeNull();
  });
});

describe('the last instruction', () => {
  it('must be RET K or RET A', () => {
    expect(checkSeccompFilter(asm('ret #0\nld [0]'))).toEqual({
      index: 1,
      message: 'instruction 1: the last instruction is BPF_LD|BPF_W|BPF_ABS (0x20), but a filter must end with RET K or RET A',
    });
    expect(checkSeccompFilter(asm('ld [0]\nret a'))).toBeNull();
  });

  it('is checked after every instruction, so an earlier bad jump is reported first', () => {
    expect(checkSeccompFilter([jump(0x15, 9, 0), stmt(op.BPF_LD | op.BPF_IMM)])?.index).toBe(0);
  });
});

describe('scratch memory read before written (check_load_and_stores)', () => {
  it('refuses a read of a slot never written', () => {
    expect(reason(asm('ld M[3]\nret a'))).toBe('instruction 0: reads scratch slot M[3], which is not written on every path that reaches it');
  });

  it('refuses a read when one path skips the store', () => {
    const program = asm(`
      ld [0]
      jeq #1, store, skip
    store: st M[0]
    skip:  ld M[0]
      ret a`);
    expect(checkSeccompFilter(program)).toEqual({ index: 3, message: 'instruction 3: reads scratch slot M[0], which is not written on every path that reaches it' });
  });

  it('accepts a read when every path stores first', () => {
    const program = asm(`
      ld [0]
      jeq #1, one, two
    one: st M[0]
      ja join
    two: stx M[0]
    join: ld M[0]
      ret a`);
    expect(checkSeccompFilter(program)).toBeNull();
  });

  it('follows the kernel after a RET: an unreached read inherits the slots valid before the RET', () => {
    // Both verified on a 6.18 kernel: the first is accepted, the second refused with EINVAL.
    expect(checkSeccompFilter(asm('st M[0]\nret #0x7fff0000\nld M[0]\nret a'))).toBeNull();
    expect(reason(asm('ret #0x7fff0000\nld M[0]\nret a'))).toBe('instruction 1: reads scratch slot M[0], which is not written on every path that reaches it');
  });
});

describe('properties', () => {
  it('accepts every program of the valid-program generator', () => {
    fc.assert(fc.property(validProgramArb, (program) => {
      expect(checkSeccompFilter(program)).toBeNull();
    }), { numRuns: 500 });
  });

  it('is deterministic and names an index inside the program', () => {
    fc.assert(
      fc.property(anyProgramArb, (program) => {
        const verdict = checkSeccompFilter(program);
        expect(checkSeccompFilter(program)).toEqual(verdict);
        if (verdict !== null && verdict.index !== null) {
          expect(verdict.index).toBeGreaterThanOrEqual(0);
          expect(verdict.index).toBeLessThan(program.length);
          expect(verdict.message.startsWith(`instruction ${verdict.index}: `)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses any valid program once one instruction is replaced by a refused opcode', () => {
    const refused = fc.constantFrom(0x28, 0x30, 0x40, 0xb1, 0x94, 0x9c, 0x0e, 0xff, 0x8c);
    fc.assert(
      fc.property(validProgramArb, refused, fc.nat(), (program, code, at) => {
        const index = at % program.length;
        const broken = program.map((instruction, position) => (position === index ? { code, jt: 0, jf: 0, k: 0 } : instruction));
        expect(checkSeccompFilter(broken)).not.toBeNull();
      }),
    );
  });
});
