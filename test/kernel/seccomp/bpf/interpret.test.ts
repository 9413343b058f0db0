// Proves the reference interpreter gives the kernel's results on hand-written filters:
// arch and number checks, 64-bit arguments split in halves, every ALU operation with
// 32-bit wrap-around, division by a zero X ending the filter with 0, JSET, scratch memory,
// and the count of executed instructions. Run-time facts were measured on a 6.18 kernel.
import { describe, expect, it } from 'vitest';
import { assemble, runFilter, seccompWords, type BpfProgram } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { AUDIT_ARCH_I386, decodeAction } from '../../../../engine/kernel/seccomp/constants.js';
import { callData } from './programs.js';

const asm = (text: string): BpfProgram => assemble(text, 'test.bpf');
const ret = (program: BpfProgram, data = callData(0)): number => runFilter(program, data).ret;
/** A filter computing `body` on A and returning it as the value. */
const compute = (body: string): number => ret(asm(`${body}\nret a`));

const ARCH_CHECKED = asm(`
        ld [arch]
        jne #AUDIT_ARCH_X86_64, kill
        ld [nr]
        jeq #SYS_openat, deny
        jeq #SYS_getpid, allow
kill:   ret #KILL_PROCESS
deny:   ret #ERRNO(EACCES)
allow:  ret #ALLOW`);

describe('system-call and architecture checks', () => {
  it('allows, denies with an errno, or kills by number and arch', () => {
    expect(decodeAction(ret(ARCH_CHECKED, callData(39)))).toEqual({ action: 'ALLOW', data: 0 });
    expect(decodeAction(ret(ARCH_CHECKED, callData(257)))).toEqual({ action: 'ERRNO', data: 13 });
    expect(decodeAction(ret(ARCH_CHECKED, callData(0)))).toEqual({ action: 'KILL_PROCESS', data: 0 });
    expect(decodeAction(ret(ARCH_CHECKED, callData(39, AUDIT_ARCH_I386)))).toEqual({ action: 'KILL_PROCESS', data: 0 });
  });

  it('counts the instructions executed, the RET included', () => {
    expect(runFilter(ARCH_CHECKED, callData(39)).executed).toBe(6);
    expect(runFilter(ARCH_CHECKED, callData(257)).executed).toBe(5);
    expect(runFilter(ARCH_CHECKED, callData(1, AUDIT_ARCH_I386)).executed).toBe(3);
  });

  it('reads a negative nr as its 32-bit pattern', () => {
    expect(ret(asm('ld [nr]\nret a'), callData(-1))).toBe(0xffffffff);
  });
});

describe('64-bit arguments and the instruction pointer', () => {
  const data = callData(0, AUDIT_ARCH_I386, [0x1122334455667788n, 0n, 0xffffffffn, 0n, 0n, 0xdeadbeef00000001n], 0x00007fff12345678n);

  it('reads the low half at 16 + 8i and the high half at 20 + 8i', () => {
    expect(ret(asm('ld [args[0]]\nret a'), data)).toBe(0x55667788);
    expect(ret(asm('ld [args[0].hi]\nret a'), data)).toBe(0x11223344);
    expect(ret(asm('ld [20]\nret a'), data)).toBe(0x11223344);
    expect(ret(asm('ld [args[2].lo]\nret a'), data)).toBe(0xffffffff);
    expect(ret(asm('ld [args[2].hi]\nret a'), data)).toBe(0);
    expect(ret(asm('ld [args[5].hi]\nret a'), data)).toBe(0xdeadbeef);
    expect(ret(asm('ld [60]\nret a'), data)).toBe(0xdeadbeef);
    expect(ret(asm('ld [ip]\nret a'), data)).toBe(0x12345678);
    expect(ret(asm('ld [ip.hi]\nret a'), data)).toBe(0x7fff);
    expect(ret(asm('ld [arch]\nret a'), data)).toBe(AUDIT_ARCH_I386);
  });

  it('splits the words once, as seccompWords gives them', () => {
    expect([...seccompWords(data)]).toEqual([0, AUDIT_ARCH_I386, 0x12345678, 0x7fff, 0x55667788, 0x11223344, 0, 0, 0xffffffff, 0, 0, 0, 0, 0, 1, 0xdeadbeef]);
  });

  it('treats a missing argument as 0 and a negative one as its two\'s complement', () => {
    const short = { nr: 0, arch: 0, instructionPointer: 0n, args: [-1n] };
    expect(ret(asm('ld [args[0].hi]\nret a'), short)).toBe(0xffffffff);
    expect(ret(asm('ld [args[3]]\nret a'), short)).toBe(0);
  });

  it('checks a 64-bit argument by both halves, as libseccomp does', () => {
    const rule = asm(`
        ld [args[1].hi]
        jne #0, deny
        ld [args[1].lo]
        jgt #0x1000, deny
        ret #ALLOW
deny:   ret #ERRNO(1)`);
    expect(ret(rule, callData(0, AUDIT_ARCH_I386, [0n, 0x1000n]))).toBe(0x7fff0000);
    expect(ret(rule, callData(0, AUDIT_ARCH_I386, [0n, 0x1001n]))).toBe(0x50001);
    expect(ret(rule, callData(0, AUDIT_ARCH_I386, [0n, 0x100000000n]))).toBe(0x50001);
  });
});

describe('ALU operations (32-bit, unsigned)', () => {
  it('wraps ADD, SUB, MUL and NEG modulo 2^32', () => {
    expect(compute('ld #0xffffffff\nadd #2')).toBe(1);
    expect(compute('ld #1\nsub #2')).toBe(0xffffffff);
    expect(compute('ld #0x10000\nmul #0x10001')).toBe(0x10000);
    expect(compute('ld #0x80000001\nmul #3')).toBe(0x80000003);
    expect(compute('ld #1\nneg')).toBe(0xffffffff);
    expect(compute('ld #0\nneg')).toBe(0);
  });

  it('divides unsigned, by K and by X', () => {
    expect(compute('ld #0xfffffffe\ndiv #2')).toBe(0x7fffffff);
    expect(compute('ld #7\nldx #2\ndiv x')).toBe(3);
  });

  it('does AND, OR, XOR with K and X', () => {
    expect(compute('ld #0xf0f0\nand #0xff00')).toBe(0xf000);
    expect(compute('ld #0xf0f0\nldx #0x0f0f\nor x')).toBe(0xffff);
    expect(compute('ld #0xffffffff\nxor #0x80000000')).toBe(0x7fffffff);
  });

  it('shifts by K, and by X modulo 32 as x86 does (3 << 33 gave 6 on the kernel)', () => {
    expect(compute('ld #1\nlsh #31')).toBe(0x80000000);
    expect(compute('ld #0x80000000\nrsh #31')).toBe(1);
    expect(compute('ld #3\nldx #33\nlsh x')).toBe(6);
    expect(compute('ld #0x100\nldx #36\nrsh x')).toBe(16);
  });

  it('moves between A and X, and loads LEN as 64', () => {
    expect(compute('ldx #5\ntxa\nadd #1\ntax\nadd x')).toBe(12);
    expect(compute('ld len')).toBe(64);
    expect(compute('ldx len\ntxa')).toBe(64);
  });
});

describe('division by a zero X', () => {
  it('ends the filter with 0 (KILL_THREAD) without running the rest', () => {
    const program = asm('ld #3\nldx #0\ndiv x\nret #ALLOW');
    expect(runFilter(program, callData(0))).toEqual({ ret: 0, executed: 3 });
    expect(decodeAction(0).action).toBe('KILL_THREAD');
  });
});

describe('jumps', () => {
  it('compares unsigned with JGT and JGE', () => {
    const above = asm('ld [nr]\njgt #5, yes, no\nyes: ret #1\nno: ret #2');
    expect(ret(above, callData(6))).toBe(1);
    expect(ret(above, callData(5))).toBe(2);
    expect(ret(above, callData(-1))).toBe(1);
    const atLeast = asm('ld [nr]\njge #5, yes, no\nyes: ret #1\nno: ret #2');
    expect(ret(atLeast, callData(5))).toBe(1);
    expect(ret(atLeast, callData(4))).toBe(2);
  });

  it('tests bits with JSET (K and X)', () => {
    const flags = asm('ld [args[0]]\njset #0x10, set\nret #0\nset: ret #1');
    expect(ret(flags, callData(0, 0, [0x11n]))).toBe(1);
    expect(ret(flags, callData(0, 0, [0x01n]))).toBe(0);
    const byX = asm('ld [args[0]]\nldx #0x4\njset x, set\nret #0\nset: ret #1');
    expect(ret(byX, callData(0, 0, [0x4n]))).toBe(1);
  });

  it('compares with X', () => {
    const byX = asm('ld [args[1]]\ntax\nld [args[0]]\njeq x, same\nret #0\nsame: ret #1');
    expect(ret(byX, callData(0, 0, [7n, 7n]))).toBe(1);
    expect(ret(byX, callData(0, 0, [7n, 8n]))).toBe(0);
  });

  it('jumps with JA over instructions', () => {
    expect(runFilter(asm('ja end\nld #5\nld #6\nend: ret a'), callData(0))).toEqual({ ret: 0, executed: 2 });
  });
});

describe('scratch memory', () => {
  it('stores A and X and loads them back into either register', () => {
    expect(compute('ld #11\nst M[0]\nldx #22\nstx M[15]\nld #0\nldx M[0]\nld M[15]\nadd x')).toBe(33);
  });
});

describe('unchecked programs', () => {
  it('stop with an internal error instead of running past the end', () => {
    expect(() => runFilter([{ code: 0x00, jt: 0, jf: 0, k: 1 }], callData(0))).toThrow(/ran past its end/);
    expect(() => runFilter([{ code: 0x94, jt: 0, jf: 0, k: 1 }, { code: 0x16, jt: 0, jf: 0, k: 0 }], callData(0))).toThrow(/not a seccomp operation/);
  });
});
