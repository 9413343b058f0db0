// Proves profiles are resolved and evaluated as Docker, runc and libseccomp do: capability, architecture and kernel gates, the bad-architecture and x32 checks, i386's socketcall multiplexer, and libseccomp's precedence between rules of one call.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionValue, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../../../../engine/kernel/seccomp/constants.js';
import { evaluateProfile, explainProfile, parseProfile, resolveProfile, SYSCALL_TABLES, type ResolveOptions } from '../../../../engine/kernel/seccomp/profile/index.js';

const DOCKER = parseProfile(readFileSync(new URL('../../../../data/seccomp/docker-default.json', import.meta.url), 'utf8'), 'docker-default.json');
const ALLOW = actionValue('ALLOW');
const EPERM = actionValue('ERRNO', 1);
const ENOSYS = actionValue('ERRNO', 38);
const KILL_THREAD = actionValue('KILL_THREAD');

const nr = (name: string, abi: 'x86_64' | 'i386' | 'x32' = 'x86_64'): number => SYSCALL_TABLES[abi].get(name)!;

function dockerCall(options: Partial<ResolveOptions>, name: string, args: bigint[] = [], abi: 'x86_64' | 'i386' = 'x86_64'): number {
  const resolved = resolveProfile(DOCKER, { arch: 'x86_64', caps: [], ...options });
  return evaluateProfile(resolved, { arch: abi, nr: nr(name, abi), args });
}

function profileOf(json: object): ReturnType<typeof parseProfile> {
  return parseProfile(JSON.stringify(json), 'p.json');
}

describe('Docker default profile', () => {
  it('denies the CAP_SYS_ADMIN calls to an unprivileged container and allows them with the capability', () => {
    for (const name of ['unshare', 'mount', 'setns', 'umount2', 'sethostname']) {
      expect(dockerCall({}, name), name).toBe(EPERM);
      expect(dockerCall({ caps: ['CAP_SYS_ADMIN'] }, name), name).toBe(ALLOW);
    }
  });

  it('allows clone without namespace flags, denies CLONE_NEWUSER, and lifts the check with CAP_SYS_ADMIN', () => {
    expect(dockerCall({}, 'clone', [0x11n])).toBe(ALLOW);
    expect(dockerCall({}, 'clone', [0x10000000n])).toBe(EPERM);
    expect(dockerCall({ caps: ['CAP_SYS_ADMIN'] }, 'clone', [0x10000000n])).toBe(ALLOW);
    expect(dockerCall({}, 'clone3')).toBe(ENOSYS);
    expect(dockerCall({ caps: ['CAP_SYS_ADMIN'] }, 'clone3')).toBe(ALLOW);
  });

  it('keeps keyctl denied whatever the capabilities (it is named nowhere)', () => {
    expect(dockerCall({ caps: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'] }, 'keyctl')).toBe(EPERM);
  });

  it('allows personality only for the listed personas and socket except AF_VSOCK (40) and the range from 38', () => {
    expect(dockerCall({}, 'personality', [8n])).toBe(ALLOW);
    expect(dockerCall({}, 'personality', [9n])).toBe(EPERM);
    expect(dockerCall({}, 'personality', [0xffffffffn])).toBe(ALLOW);
    expect(dockerCall({}, 'personality', [0x1ffffffffn])).toBe(EPERM);
    expect([37n, 38n, 39n, 40n, 41n].map((family) => dockerCall({}, 'socket', [family]))).toEqual([ALLOW, EPERM, ALLOW, EPERM, ALLOW]);
  });

  it('applies minKernel to ptrace and the arches includes to arch_prctl', () => {
    expect(dockerCall({ kernel: '6.1' }, 'ptrace')).toBe(ALLOW);
    expect(dockerCall({ kernel: '4.4' }, 'ptrace')).toBe(EPERM);
    expect(dockerCall({ kernel: '4.4', caps: ['CAP_SYS_PTRACE'] }, 'ptrace')).toBe(ALLOW);
    expect(dockerCall({}, 'arch_prctl')).toBe(ALLOW);
    expect(dockerCall({ arch: 'i386' }, 'arch_prctl', [], 'i386')).toBe(EPERM);
  });

  it('covers the i386 and x32 ABIs on an x86-64 machine and kills other architectures', () => {
    const resolved = resolveProfile(DOCKER, { arch: 'x86_64', caps: [] });
    expect(resolved.sections.map((section) => section.abi)).toEqual(['x86_64', 'i386', 'x32']);
    expect(evaluateProfile(resolved, { arch: 'i386', nr: nr('unshare', 'i386'), args: [] })).toBe(EPERM);
    expect(evaluateProfile(resolved, { arch: AUDIT_ARCH_X86_64, nr: nr('read', 'x32'), args: [] })).toBe(ALLOW);
    expect(evaluateProfile(resolved, { arch: 0xc00000b7, nr: 0, args: [] })).toBe(KILL_THREAD);
    const i386Machine = resolveProfile(DOCKER, { arch: 'i386', caps: [] });
    expect(evaluateProfile(i386Machine, { arch: AUDIT_ARCH_X86_64, nr: 0, args: [] })).toBe(KILL_THREAD);
    expect(evaluateProfile(i386Machine, { arch: AUDIT_ARCH_I386, nr: nr('read', 'i386'), args: [] })).toBe(ALLOW);
  });

  it('explains the unprivileged profile: clone3 denied, socket, clone and personality conditional', () => {
    const explanation = explainProfile(resolveProfile(DOCKER, { arch: 'x86_64', caps: [] }));
    const x86 = (list: typeof explanation.allowed) => list.filter((call) => call.abi === 'x86_64').map((call) => call.name).sort();
    expect(x86(explanation.denied)).toEqual(['clone3']);
    expect(x86(explanation.conditional)).toEqual(['clone', 'personality', 'socket']);
    expect(x86(explanation.allowed)).toContain('read');
    expect(x86(explanation.allowed)).not.toContain('unshare');
  });
});

describe('libseccomp and runc rules', () => {
  const base = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'] };

  it('sends x32 numbers to the bad-architecture action when x32 is not in the filter, except -1', () => {
    const resolved = resolveProfile(profileOf({ ...base, syscalls: [] }), { arch: 'x86_64', caps: [] });
    expect(evaluateProfile(resolved, { arch: 'x86_64', nr: 0x40000000, args: [] })).toBe(KILL_THREAD);
    expect(evaluateProfile(resolved, { arch: 'x86_64', nr: -1, args: [] })).toBe(EPERM);
  });

  it('adds a socketcall rule on i386 for a socket call, with argument 0 the SYS_ number', () => {
    const resolved = resolveProfile(profileOf({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86'], syscalls: [{ names: ['connect'], action: 'SCMP_ACT_ALLOW' }] }), { arch: 'x86_64', caps: [] });
    const socketcall = nr('socketcall', 'i386');
    expect(evaluateProfile(resolved, { arch: 'i386', nr: socketcall, args: [3n] })).toBe(ALLOW);
    expect(evaluateProfile(resolved, { arch: 'i386', nr: socketcall, args: [1n] })).toBe(EPERM);
    expect(evaluateProfile(resolved, { arch: 'i386', nr: nr('connect', 'i386'), args: [] })).toBe(ALLOW);
  });

  it('lets the first unconditional rule win over every conditional one, whatever the order', () => {
    const syscalls = [
      { names: ['read'], action: 'SCMP_ACT_KILL', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['read'], action: 'SCMP_ACT_TRAP' },
    ];
    const resolved = resolveProfile(profileOf({ ...base, syscalls }), { arch: 'x86_64', caps: [] });
    expect(evaluateProfile(resolved, { arch: 'x86_64', nr: 0, args: [1n] })).toBe(ALLOW);
  });

  it('ORs the conditions of a rule that tests one argument twice (runc), and ANDs distinct arguments', () => {
    const twice = [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }] }];
    const ored = resolveProfile(profileOf({ ...base, syscalls: twice }), { arch: 'x86_64', caps: [] });
    expect([1n, 2n, 3n].map((value) => evaluateProfile(ored, { arch: 'x86_64', nr: 0, args: [value] }))).toEqual([ALLOW, ALLOW, EPERM]);
    const both = [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_GE' }] }];
    const anded = resolveProfile(profileOf({ ...base, syscalls: both }), { arch: 'x86_64', caps: [] });
    expect(evaluateProfile(anded, { arch: 'x86_64', nr: 0, args: [1n, 2n] })).toBe(ALLOW);
    expect(evaluateProfile(anded, { arch: 'x86_64', nr: 0, args: [1n, 1n] })).toBe(EPERM);
  });

  it('drops a rule whose action is the default action and picks the most restrictive of matching conditional rules', () => {
    const syscalls = [
      { names: ['read'], action: 'SCMP_ACT_ERRNO' },
      { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 10, op: 'SCMP_CMP_LT' }] },
      { names: ['read'], action: 'SCMP_ACT_TRAP', args: [{ index: 0, value: 5, op: 'SCMP_CMP_GT' }] },
    ];
    const resolved = resolveProfile(profileOf({ ...base, syscalls }), { arch: 'x86_64', caps: [] });
    expect(resolved.skipped.map((skipped) => skipped.ruleIndex)).toEqual([0]);
    expect([3n, 7n, 12n].map((value) => evaluateProfile(resolved, { arch: 'x86_64', nr: 0, args: [value] }))).toEqual([ALLOW, actionValue('TRAP'), actionValue('TRAP')]);
  });

  it('compares 64-bit values on x86-64 and only the low word on i386', () => {
    const syscalls = [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }];
    const resolved = resolveProfile(profileOf({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls }), { arch: 'x86_64', caps: [] });
    expect(evaluateProfile(resolved, { arch: 'x86_64', nr: 0, args: [0x100000001n] })).toBe(EPERM);
    expect(evaluateProfile(resolved, { arch: 'i386', nr: nr('read', 'i386'), args: [0x100000001n] })).toBe(ALLOW);
  });
});
