// Proves the assembler encodes bpf_asm syntax (and the seccomp names) into the expected
// struct sock_filter values, that toAssembly and the JSON form read back to the same
// program, and that every bad line is a located ScenarioError with an exact message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../../engine/core/errors.js';
import {
  assemble, assembleWithLines, formatProgramJson, parseProgramJson, toAssembly, type BpfInstruction,
} from '../../../../engine/kernel/seccomp/bpf/index.js';
import { validProgramArb } from './programs.js';

const i = (code: number, jt: number, jf: number, k: number): BpfInstruction => ({ code, jt, jf, k });

/** The ScenarioError `run` throws, as plain data. */
function errorOf(run: () => unknown): { code: string; message: string; line: number; column: number; length: number; notes: readonly string[] } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const location = error.location!;
    return { code: error.code, message: error.message, line: location.line, column: location.column, length: location.length, notes: error.notes };
  }
  throw new Error('expected a ScenarioError');
}

describe('encoding', () => {
  it('assembles the classic allow-list with labels, symbols and comments', () => {
    const program = assemble(
      `; x86-64 only, getpid allowed
        ld [arch]                  ; A = arch
        jne #AUDIT_ARCH_X86_64, kill
        ld [nr]
        jeq #SYS_getpid, allow
        jeq #SYS_i386_getpid, deny, allow
deny:   ret #ERRNO(EPERM)
kill:   ret #KILL_PROCESS
allow:  ret #ALLOW`,
      'f.bpf',
    );
    expect(program).toEqual([
      i(0x20, 0, 0, 4),
      i(0x15, 0, 4, 0xc000003e),
      i(0x20, 0, 0, 0),
      i(0x15, 3, 0, 39),
      i(0x15, 0, 2, 20),
      i(0x06, 0, 0, 0x00050001),
      i(0x06, 0, 0, 0x80000000),
      i(0x06, 0, 0, 0x7fff0000),
    ]);
  });

  it('encodes every mnemonic as bpf_asm does', () => {
    const text = [
      'ld #5', 'ldi 6', 'ld len', 'ld M[3]', 'ld [8]', 'ldh [2]', 'ldb [3]', 'ld [x + 4]', 'ldx #7', 'ldxi 8', 'ldx len', 'ldx M[2]',
      'ldxb 4*([14]&0xf)', 'st M[1]', 'stx M[2]', 'add #1', 'sub x', 'mul %x', 'div #3', 'mod #4', 'and #0xff', 'or x', 'xor #1',
      'lsh #2', 'rsh x', 'neg', 'tax', 'txa', 'ja 1', 'jmp 0', 'jgt #1, 1, 0', 'jge x, 0', 'jset #4, 1, 1', 'jlt #3, 1', 'jle x, 1',
      'jneq #9, 1', 'jeq %x, 0, 0', 'ret a', 'ret x', 'ret #0x7fff0000',
    ].join('\n');
    expect(assemble(text, 'f.bpf')).toEqual([
      i(0x00, 0, 0, 5), i(0x00, 0, 0, 6), i(0x80, 0, 0, 0), i(0x60, 0, 0, 3), i(0x20, 0, 0, 8), i(0x28, 0, 0, 2), i(0x30, 0, 0, 3),
      i(0x40, 0, 0, 4), i(0x01, 0, 0, 7), i(0x01, 0, 0, 8), i(0x81, 0, 0, 0), i(0x61, 0, 0, 2), i(0xb1, 0, 0, 14), i(0x02, 0, 0, 1),
      i(0x03, 0, 0, 2), i(0x04, 0, 0, 1), i(0x1c, 0, 0, 0), i(0x2c, 0, 0, 0), i(0x34, 0, 0, 3), i(0x94, 0, 0, 4), i(0x54, 0, 0, 0xff),
      i(0x4c, 0, 0, 0), i(0xa4, 0, 0, 1), i(0x64, 0, 0, 2), i(0x7c, 0, 0, 0), i(0x84, 0, 0, 0), i(0x07, 0, 0, 0), i(0x87, 0, 0, 0),
      i(0x05, 0, 0, 1), i(0x05, 0, 0, 0), i(0x25, 1, 0, 1), i(0x3d, 0, 0, 0), i(0x45, 1, 1, 4), i(0x35, 0, 1, 3), i(0x2d, 0, 1, 0),
      i(0x15, 0, 1, 9), i(0x1d, 0, 0, 0), i(0x16, 0, 0, 0), i(0x0e, 0, 0, 0), i(0x06, 0, 0, 0x7fff0000),
    ]);
  });

  it('reads numbers in hex, binary, octal and negative decimal, and seccomp_data field names', () => {
    expect(assemble('ld #0x10\nld #0b101\nld #017\nld #-1\nld [args[1].hi]\nld [ip]\nld [args[5]]', 'f').map(({ k }) => k)).toEqual([16, 5, 15, 0xffffffff, 28, 8, 56]);
  });

  it('spells the actions with their data', () => {
    const values = assemble(['KILL', 'KILL_THREAD', 'KILL_PROCESS', 'TRAP(3)', 'ERRNO(ENOSYS)', 'ERRNO(0x10)', 'USER_NOTIF', 'TRACE(7)', 'LOG', 'ALLOW'].map((name) => `ret #${name}`).join('\n'), 'f').map(({ k }) => k);
    expect(values).toEqual([0, 0, 0x80000000, 0x30003, 0x50026, 0x50010, 0x7fc00000, 0x7ff00007, 0x7ffc0000, 0x7fff0000]);
  });

  it('maps each instruction to its source line', () => {
    expect(assembleWithLines('; header\n\nstart:\n  ld [nr]\n\n  ret a ; end', 'f').lines).toEqual([4, 6]);
  });
});

describe('round trips', () => {
  it('toAssembly reads back to the same program', () => {
    fc.assert(fc.property(validProgramArb, (program) => {
      expect(assemble(toAssembly(program), 'round.bpf')).toEqual(program);
    }), { numRuns: 300 });
  });

  it('the JSON form reads back to the same program', () => {
    fc.assert(fc.property(validProgramArb, (program) => {
      expect(parseProgramJson(formatProgramJson(program), 'round.json')).toEqual(program);
    }), { numRuns: 200 });
  });
});

describe('assembler errors', () => {
  it('names an unknown mnemonic and suggests the nearest', () => {
    expect(errorOf(() => assemble('ld [0]\n  jeqq #1, 0, 0\nret a', 'f.bpf'))).toEqual({
      code: 'E_UNKNOWN_INSTRUCTION', message: '"jeqq" is not a BPF instruction', line: 2, column: 3, length: 4, notes: ['did you mean "jeq"?'],
    });
  });

  it('names an unknown label and suggests the nearest', () => {
    expect(errorOf(() => assemble('jeq #1, alow\nallow: ret #ALLOW', 'f.bpf'))).toEqual({
      code: 'E_UNKNOWN_LABEL', message: 'the label "alow" is not defined', line: 1, column: 9, length: 4, notes: ['did you mean "allow"?'],
    });
  });

  it('refuses backward jumps, labels past the end and duplicate labels', () => {
    expect(errorOf(() => assemble('top: ld [0]\njeq #1, top\nret a', 'f'))).toMatchObject({
      code: 'E_RANGE', message: 'the label "top" is before this instruction: BPF jumps only forward', line: 2, column: 9,
    });
    expect(errorOf(() => assemble('ja end\nret a\nend:', 'f'))).toMatchObject({ code: 'E_RANGE', message: 'the label "end" is after the last instruction', line: 1, column: 4 });
    expect(errorOf(() => assemble('a1: ld [0]\na1: ret a', 'f'))).toMatchObject({ code: 'E_DUPLICATE', message: 'the label "a1" is defined twice', line: 2, column: 1 });
  });

  it('refuses a conditional jump too far for 8 bits, and a numeric offset that does not fit', () => {
    const far = ['jeq #1, far', ...Array<string>(256).fill('ld #0'), 'far: ret a'].join('\n');
    expect(errorOf(() => assemble(far, 'f'))).toEqual({
      code: 'E_RANGE', message: 'the label "far" is 256 instructions ahead: a conditional jump reaches at most 255', line: 1, column: 9, length: 3,
      notes: ['jump to a "ja" placed closer, which reaches any distance'],
    });
    expect(errorOf(() => assemble('jeq #1, 300, 0\nret a', 'f'))).toMatchObject({ code: 'E_RANGE', message: 'the jump offset 300 does not fit in 8 bits', column: 9 });
  });

  it('names a bad operand, a bad number and a wrong operand count', () => {
    expect(errorOf(() => assemble('ld foo', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: '"foo" is not an operand of ld', line: 1, column: 4, length: 3 });
    expect(errorOf(() => assemble('ld #0x1g', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: '"0x1g" is not a number', column: 5 });
    expect(errorOf(() => assemble('ld #0x100000000', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: '0x100000000 does not fit in 32 bits' });
    expect(errorOf(() => assemble('ret', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: 'ret takes one operand, got 0', notes: ['expected: ret #k, ret a or ret x'] });
    expect(errorOf(() => assemble('tax x', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: 'tax takes no operand, got 1', column: 5 });
    expect(errorOf(() => assemble('jeq #1', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: 'jeq takes 2 or 3 operands, got 1' });
    expect(errorOf(() => assemble('add 5', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: 'expected an immediate "#k" or a register, found "5"', column: 5 });
    expect(errorOf(() => assemble('ld [flags]', 'f'))).toMatchObject({ code: 'E_SYNTAX', message: '"flags" is neither a number nor a seccomp_data field', column: 5 });
  });

  it('names unknown constants with a suggestion, and unknown system calls', () => {
    expect(errorOf(() => assemble('ret #ALOW', 'f'))).toEqual({
      code: 'E_UNKNOWN_CONSTANT', message: '"#ALOW" is not a known constant', line: 1, column: 6, length: 4, notes: ['did you mean "#ALLOW"?'],
    });
    expect(errorOf(() => assemble('jeq #SYS_opnat, 0, 0', 'f'))).toMatchObject({ code: 'E_UNKNOWN_CONSTANT', message: '"#SYS_opnat" is not a known constant', notes: ['did you mean "#SYS_openat"?'] });
    expect(errorOf(() => assemble('jeq #SYS_i386_openat2x, 0, 0', 'f'))).toMatchObject({ code: 'E_UNKNOWN_CONSTANT', notes: ['did you mean "#SYS_i386_openat2"?'] });
    expect(errorOf(() => assemble('ret #ERRNO(EWHAT)', 'f'))).toMatchObject({
      code: 'E_SYNTAX', message: 'the data of ERRNO must be an errno name or a number from 0 to 65535, not "EWHAT"',
    });
  });
});

describe('JSON errors', () => {
  it('locates a syntax error', () => {
    expect(errorOf(() => parseProgramJson('[\n  {"code": 6, "jt": 0, "jf": 0, "k": 0},\n  {]\n', 'p.json'))).toMatchObject({ code: 'E_SYNTAX', line: 3, column: 4 });
  });

  it('locates a wrong type, a value out of range, a missing and an unknown field', () => {
    const text = '[\n  {"code": 6, "jt": 0, "jf": 0, "k": 0},\n  {"code": 6, "jt": "1", "jf": 0, "k": 0}\n]';
    expect(errorOf(() => parseProgramJson(text, 'p.json'))).toEqual({
      code: 'E_TYPE', message: 'instruction 1: "jt" must be an integer from 0 to 255, not "1"', line: 3, column: 15, length: 4, notes: [],
    });
    expect(errorOf(() => parseProgramJson('[{"code": 6, "jt": 0, "jf": 0, "k": 4294967296}]', 'p.json'))).toMatchObject({
      code: 'E_RANGE', message: 'instruction 0: "k" must be an integer from 0 to 4294967295, not 4294967296', column: 32,
    });
    expect(errorOf(() => parseProgramJson('[{"code": 6, "jt": 0, "jf": 0}]', 'p.json'))).toMatchObject({ code: 'E_MISSING', message: 'instruction 0 has no "k" field', column: 2 });
    expect(errorOf(() => parseProgramJson('[{"code": 6, "jt": 0, "jf": 0, "kk": 0}]', 'p.json'))).toMatchObject({
      code: 'E_UNKNOWN_PROPERTY', message: 'instruction 0 has an unknown field "kk"', notes: ['did you mean "k"?'],
    });
    expect(errorOf(() => parseProgramJson('{"code": 6}', 'p.json'))).toMatchObject({ code: 'E_TYPE', line: 1, column: 1 });
    expect(errorOf(() => parseProgramJson('[6]', 'p.json'))).toMatchObject({ code: 'E_TYPE', message: 'instruction 0 is not an object with "code", "jt", "jf" and "k"', column: 2 });
  });
});
