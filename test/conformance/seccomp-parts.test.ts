// Proves that the seccomp conformance's own parts are sound without the machine: its reading
// of Docker's includes/excludes (docker-profile.ts) follows moby's setupSeccomp, agrees with
// the simulator's resolver on docker-default for any bounding set, and the verdict reading
// matches seccomp's action order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionValue } from '../../engine/kernel/seccomp/constants.js';
import { evaluateProfile } from '../../engine/kernel/seccomp/profile/evaluate.js';
import { parseProfile } from '../../engine/kernel/seccomp/profile/parse.js';
import { resolveProfile } from '../../engine/kernel/seccomp/profile/resolve.js';
import { X86_64_SYSCALLS } from '../../engine/generated/syscall-tables.js';
import { dockerKeepsRule, filterSpecLines, libseccompFilterOf, runcActionValue, type LibseccompFilterSpec } from '../../conformance/seccomp/docker-profile.js';
import { ALL_CAP_NAMES, DOCKER_DEFAULT_CAPS } from '../../conformance/seccomp/probes.js';
import { programOfHex } from '../../conformance/seccomp/real.js';
import { verdictOfRet } from '../../conformance/seccomp/verdict.js';

const DOCKER_DEFAULT = readFileSync(join(__dirname, '../../data/seccomp/docker-default.json'), 'utf8');
const KERNEL = { major: 6, minor: 18 };

const rulesFor = (filter: LibseccompFilterSpec, name: string) => filter.rules.filter((rule) => rule.name === name);

/** The libseccomp rule set read as a filter would: a matching rule's action, else the default. */
function referenceRet(filter: LibseccompFilterSpec, name: string, args: readonly bigint[]): number {
  const holds = (op: string, value: bigint, a: bigint, b: bigint): boolean => {
    switch (op) {
      case 'SCMP_CMP_NE': return value !== a;
      case 'SCMP_CMP_LT': return value < a;
      case 'SCMP_CMP_LE': return value <= a;
      case 'SCMP_CMP_EQ': return value === a;
      case 'SCMP_CMP_GE': return value >= a;
      case 'SCMP_CMP_GT': return value > a;
      case 'SCMP_CMP_MASKED_EQ': return (value & a) === b;
      default: throw new Error(`unknown operator ${op}`);
    }
  };
  const match = rulesFor(filter, name).find((rule) => rule.conditions.every((c) => holds(c.op, args[c.index] ?? 0n, c.datumA, c.datumB)));
  return match === undefined ? filter.defaultAction : match.action;
}

describe("the real side's reading of Docker profiles", () => {
  it('keeps a rule whose includes caps are all in the bounding set, drops it when one is missing (moby setupSeccomp)', () => {
    const rule = { action: 'SCMP_ACT_ALLOW', names: ['x'], includes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } };
    expect(dockerKeepsRule(rule, ['CAP_SYS_ADMIN', 'CAP_BPF'], KERNEL)).toBe(true);
    expect(dockerKeepsRule(rule, ['CAP_SYS_ADMIN'], KERNEL)).toBe(false);
  });

  it('drops a rule when any excluded cap or the native arch is present, and applies minKernel both ways', () => {
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } }, ['CAP_BPF'], KERNEL)).toBe(false);
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } }, [], KERNEL)).toBe(false);
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', includes: { arches: ['s390x'] } }, [], KERNEL)).toBe(false);
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.19' } }, [], KERNEL)).toBe(false);
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.18' } }, [], KERNEL)).toBe(true);
    expect(dockerKeepsRule({ action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '4.8' } }, [], KERNEL)).toBe(false);
  });

  it('gives docker-default the clone and clone3 rules Docker documents for each bounding set', () => {
    const plain = libseccompFilterOf(DOCKER_DEFAULT, DOCKER_DEFAULT_CAPS, KERNEL);
    expect(rulesFor(plain, 'clone')).toEqual([{ action: actionValue('ALLOW'), name: 'clone', conditions: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', datumA: 0x7e020000n, datumB: 0n }] }]);
    expect(rulesFor(plain, 'clone3')).toEqual([{ action: actionValue('ERRNO', 38), name: 'clone3', conditions: [] }]);
    const admin = libseccompFilterOf(DOCKER_DEFAULT, [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'], KERNEL);
    expect(rulesFor(admin, 'clone').map((rule) => rule.conditions)).toEqual([[]]);
    expect(rulesFor(admin, 'clone3').map((rule) => rule.action)).toEqual([actionValue('ALLOW')]);
    expect(plain.defaultAction).toBe(actionValue('ERRNO', 1));
    expect(plain.extraArches).toEqual(['x86', 'x32']);
  });

  it('maps actions as runc getAction does: ERRNO and TRACE default to EPERM', () => {
    expect(runcActionValue('SCMP_ACT_ERRNO', undefined)).toBe(0x00050001);
    expect(runcActionValue('SCMP_ACT_TRACE', 7)).toBe(0x7ff00007);
    expect(runcActionValue('SCMP_ACT_KILL', undefined)).toBe(0);
    expect(runcActionValue('SCMP_ACT_NOTIFY', undefined)).toBe(0x7fc00000);
    expect(() => runcActionValue('SCMP_ACT_MAYBE', undefined)).toThrow(/unknown seccomp action SCMP_ACT_MAYBE/);
  });

  it('writes conditions as INDEX:OP:A:B in hex and reads 64-bit values exactly', () => {
    const text = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }).replace('[]', '[{"names":["dup"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]');
    expect(filterSpecLines(libseccompFilterOf(text, [], KERNEL))).toEqual(['default 7fff0000', 'rule 50001 dup 0:SCMP_CMP_EQ:ffffffffffffffff:0']);
  });

  it('splits conditions on one argument into separate rules, as runc does', () => {
    const text = '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["dup"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}';
    expect(libseccompFilterOf(text, [], KERNEL).rules.map((rule) => rule.conditions.map((c) => c.datumA))).toEqual([[1n], [2n]]);
  });

  it('agrees with the simulator on docker-default for any bounding set (x86-64 names, interesting arguments)', () => {
    const profile = parseProfile(DOCKER_DEFAULT, 'data/seccomp/docker-default.json');
    const names = [...new Set(JSON.parse(DOCKER_DEFAULT).syscalls.flatMap((rule: { names: string[] }) => rule.names) as string[])];
    const known = X86_64_SYSCALLS.filter(([, name]) => names.includes(name));
    const interesting = fc.constantFrom(0n, 8n, 0x20008n, 0xffffffffn, 0x10000000n, 0x7e020000n, 38n, 40n, 41n, 0x100000000n);
    fc.assert(
      fc.property(fc.subarray([...ALL_CAP_NAMES]), fc.array(interesting, { minLength: 6, maxLength: 6 }), (caps, args) => {
        const mine = libseccompFilterOf(DOCKER_DEFAULT, caps, KERNEL);
        const resolved = resolveProfile(profile, { arch: 'x86_64', caps, kernel: '6.18' });
        for (const [nr, name] of known) {
          expect(verdictOfRet(evaluateProfile(resolved, { arch: 'x86_64', nr, args })), `${name} with ${caps.join(',')}`).toBe(verdictOfRet(referenceRet(mine, name, args)));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the verdict reading', () => {
  it('follows the kernel: KILL_* kill, TRAP and ERRNO keep their data (ERRNO clamped at 4095), the rest pass', () => {
    expect(verdictOfRet(0x80000000)).toBe('kill');
    expect(verdictOfRet(0x00000000)).toBe('kill');
    expect(verdictOfRet(0x00030007)).toBe('trap 7');
    expect(verdictOfRet(0x0005ffff)).toBe('errno 4095');
    expect(verdictOfRet(0x7fc00000)).toBe('allow');
    expect(verdictOfRet(0x7ff00005)).toBe('allow');
    expect(verdictOfRet(0x7fff0000)).toBe('allow');
    expect(verdictOfRet(0x12340000)).toBe('kill');
  });

  it('reads struct sock_filter as little-endian u16 code, u8 jt, u8 jf, u32 k', () => {
    expect(programOfHex('200000000400000015000a073e0000c0')).toEqual([{ code: 0x20, jt: 0, jf: 0, k: 4 }, { code: 0x15, jt: 10, jf: 7, k: 0xc000003e }]);
  });
});
