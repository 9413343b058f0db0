// Proves the listing reads like seccomp-tools' (raw columns, then pseudo-code naming the
// architecture, the system calls of the architecture the path checked, and the actions),
// and that it is total and deterministic on any program, checked or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { anyProgramArb, validProgramArb } from './programs.js';

describe('disassemble', () => {
  it('lists an arch-checked allow-list as seccomp-tools does', () => {
    const program = assemble(
      `ld [arch]
       jne #AUDIT_ARCH_X86_64, kill
       ld [nr]
       jge #0x40000000, kill
       jeq #SYS_openat, check
       jeq #SYS_getpid, allow, deny
check: ld [args[2].hi]
       jset #1, deny
       ret #ALLOW
deny:  ret #ERRNO(1)
kill:  ret #KILL
allow: ret #ALLOW`,
      'f.bpf',
    );
    expect(disassemble(program)).toBe(
      [
        ' line  CODE  JT   JF      K',
        '=================================',
        ' 0000: 0x20 0x00 0x00 0x00000004  A = arch',
        ' 0001: 0x15 0x00 0x08 0xc000003e  if (A != ARCH_X86_64) goto 0010',
        ' 0002: 0x20 0x00 0x00 0x00000000  A = sys_number',
        ' 0003: 0x35 0x06 0x00 0x40000000  if (A >= 0x40000000) goto 0010',
        ' 0004: 0x15 0x01 0x00 0x00000101  if (A == openat) goto 0006',
        ' 0005: 0x15 0x05 0x03 0x00000027  if (A == getpid) goto 0011 else goto 0009',
        ' 0006: 0x20 0x00 0x00 0x00000024  A = args[2] >> 32',
        ' 0007: 0x45 0x01 0x00 0x00000001  if (A & 0x1) goto 0009',
        ' 0008: 0x06 0x00 0x00 0x7fff0000  return ALLOW',
        ' 0009: 0x06 0x00 0x00 0x00050001  return ERRNO(1)',
        ' 0010: 0x06 0x00 0x00 0x00000000  return KILL',
        ' 0011: 0x06 0x00 0x00 0x7fff0000  return ALLOW',
        '',
      ].join('\n'),
    );
  });

  it('names i386 system calls on the path that compared the arch with AUDIT_ARCH_I386', () => {
    const program = assemble(
      `ld [arch]
       jeq #AUDIT_ARCH_I386, i386
       ld [nr]
       jeq #5, allow
       ret #KILL_PROCESS
i386:  ld [nr]
       jeq #5, allow
       ret #TRAP(2)
allow: ret #LOG`,
      'f.bpf',
    );
    const listing = disassemble(program).split('\n');
    expect(listing[5]).toContain('if (A == fstat) goto 0008');
    expect(listing[8]).toContain('if (A == open) goto 0008');
    expect(listing[6]).toContain('return KILL_PROCESS');
    expect(listing[9]).toContain('return TRAP(2)');
    expect(listing[10]).toContain('return LOG');
  });

  it('writes ALU, scratch and register instructions as assignments', () => {
    const listing = disassemble(assemble('ld #1\nadd x\nst M[2]\nldx M[2]\ntax\nneg\nret a', 'f'));
    expect(listing).toContain('A = 0x1\n');
    expect(listing).toContain('A += X\n');
    expect(listing).toContain('mem[2] = A\n');
    expect(listing).toContain('X = mem[2]\n');
    expect(listing).toContain('X = A\n');
    expect(listing).toContain('A = -A\n');
    expect(listing).toContain('return A\n');
  });

  it('is total, deterministic and has one line per instruction', () => {
    fc.assert(
      fc.property(fc.oneof(anyProgramArb, validProgramArb), (program) => {
        const listing = disassemble(program);
        expect(disassemble(program)).toBe(listing);
        expect(listing.split('\n').length).toBe(program.length + 3);
      }),
    );
  });
});
