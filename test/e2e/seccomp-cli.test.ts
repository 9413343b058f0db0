// Proves `isolab seccomp` end to end: eval prints the action and the deciding rule and checks the compiled filter, compile writes a program disasm can list, explain summarises, and every bad input (profile or program) exits 2 with a located message and no stack trace.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isolab, type CliResult } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 60_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const DOCKER = join(ROOT, 'data', 'seccomp', 'docker-default.json');
const scratch = mkdtempSync(join(tmpdir(), 'isolab-seccomp-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fixture(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

function expectBadInput(result: CliResult, ...fragments: readonly string[]): void {
  expect(result.stderr, 'a stack frame was printed').not.toContain('    at ');
  expect(result.stderr).not.toContain('internal error');
  expect(result.status, `expected exit 2; stderr was:\n${result.stderr}`).toBe(2);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

describe.skipIf(!existsSync(CLI))('isolab seccomp', () => {
  it('eval: unshare is EPERM for an unprivileged container and allowed with CAP_SYS_ADMIN', () => {
    const denied = isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'unshare']);
    expect(denied.status).toBe(0);
    expect(denied.stdout.split('\n')[0]).toBe('ERRNO(EPERM)');
    expect(denied.stdout).toContain('compiled filter agrees: ret 0x00050001');
    const allowed = isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'unshare', '--caps', 'CAP_SYS_ADMIN']);
    expect(allowed.stdout.split('\n')[0]).toBe('ALLOW');
    expect(allowed.stdout).toContain('decided by: syscalls[17] naming unshare');
  });

  it('eval --json: personality(8) is allowed by its argument rule; an i386 call is judged by the i386 numbers', () => {
    const result = isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'personality', '--args', '8', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ abi: 'x86_64', nr: 135, action: 'ALLOW', ret: '0x7fff0000', decidedBy: 'syscalls[6] naming personality when arg0 == 0x8' });
    const i386 = JSON.parse(isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'clone3', '--arch', 'i386', '--json']).stdout);
    expect(i386).toMatchObject({ abi: 'i386', nr: 435, action: 'ERRNO(ENOSYS)' });
  });

  it('compile writes a program that passes the checks, and disasm lists it', () => {
    const out = join(scratch, 'prog.json');
    const compiled = isolab(['seccomp', 'compile', DOCKER, '-o', out]);
    expect(compiled.status).toBe(0);
    const program = JSON.parse(readFileSync(out, 'utf8')) as { code: number; k: number }[];
    expect(program[0]).toEqual({ code: 0x20, jt: 0, jf: 0, k: 4 });
    expect(program.length).toBeLessThanOrEqual(4096);
    const listing = isolab(['seccomp', 'disasm', out]);
    expect(listing.status).toBe(0);
    expect(listing.stdout).toContain('A = arch');
    expect(listing.stdout).toContain('ARCH_X86_64');
  });

  it('explain sorts the calls into allowed, denied and conditional', () => {
    const result = isolab(['seccomp', 'explain', DOCKER]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('default: ERRNO(EPERM); other architectures: KILL_THREAD');
    expect(result.stdout).toContain('clone3: ERRNO(ENOSYS)');
    expect(result.stdout).toMatch(/personality: ALLOW if arg0 == 0x0; ALLOW if arg0 == 0x8/);
    expect(result.stdout).toContain('syscalls[17]: includes.caps: CAP_SYS_ADMIN is not held');
  });

  it('locates a malformed profile, an unknown action, operator and syscall, and an argument index out of range', () => {
    const syntax = fixture('syntax.json', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [,]\n}\n');
    expectBadInput(isolab(['seccomp', 'explain', syntax]), 'error[E_PROFILE]:', 'syntax.json:3:16:', '   3 |   "syscalls": [,]');
    const action = fixture('action.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}');
    expectBadInput(isolab(['seccomp', 'compile', action]), 'action.json:1:80: unknown action "SCMP_ACT_ALOW"', 'did you mean "SCMP_ACT_ALLOW"?');
    const op = fixture('op.json', '{"defaultAction": "SCMP_ACT_ERRNO",\n"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",\n "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_GTE"}]}]}');
    expectBadInput(isolab(['seccomp', 'eval', '--profile', op, '--syscall', 'read']), 'op.json:3:42: unknown comparison operator "SCMP_CMP_GTE"', 'did you mean');
    const name = fixture('name.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["unshar"], "action": "SCMP_ACT_ALLOW"}]}');
    expectBadInput(isolab(['seccomp', 'explain', name]), 'unknown system call "unshar"', 'did you mean "unshare"?');
    const index = fixture('index.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 7, "value": 1, "op": "SCMP_CMP_EQ"}]}]}');
    expectBadInput(isolab(['seccomp', 'explain', index]), 'index.json:1:117: argument index 7 is out of range');
    const type = fixture('type.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}');
    expectBadInput(isolab(['seccomp', 'explain', type]), 'type.json:1:60: expected "names" to be an array, found the string "read"');
  });

  it('refuses a bad BPF program and one the kernel would reject, naming the instruction', () => {
    const broken = fixture('broken.json', '[{"code": 6, "jt": 0, "jf": 0}');
    expectBadInput(isolab(['seccomp', 'disasm', broken]), 'broken.json');
    const invalid = fixture('invalid.json', '[{"code": 32, "jt": 0, "jf": 0, "k": 4}, {"code": 21, "jt": 5, "jf": 0, "k": 0}, {"code": 6, "jt": 0, "jf": 0, "k": 0}]');
    expectBadInput(isolab(['seccomp', 'disasm', invalid]), 'the kernel would refuse this filter (EINVAL): instruction 1: jump target 7 is past the end of the 3-instruction program\n');
  });

  it('rejects bad options with a suggestion', () => {
    expectBadInput(isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'clon']), 'no system call "clon"', 'did you mean "clone"?');
    expectBadInput(isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'read', '--caps', 'CAP_SYS_ADMN']), 'did you mean "CAP_SYS_ADMIN"?');
    expectBadInput(isolab(['seccomp', 'eval', '--profile', DOCKER, '--syscall', 'read', '--args', '1,x']), 'argument 1 "x" is not a number');
  });
});
