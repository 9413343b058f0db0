// Proves the profile reader accepts Docker's and Podman's real profiles and the OCI forms, and reports every bad input as an E_PROFILE error at the offending JSON value with what was expected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../../engine/core/errors.js';
import { parseProfile } from '../../../../engine/kernel/seccomp/profile/index.js';

const DOCKER = readFileSync(new URL('../../../../data/seccomp/docker-default.json', import.meta.url), 'utf8');
const PODMAN = readFileSync(new URL('../../../../data/seccomp/podman-default.json', import.meta.url), 'utf8');

function errorOf(text: string): ScenarioError {
  try {
    parseProfile(text, 'p.json');
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseProfile on real profiles', () => {
  it('reads docker-default.json as a Docker profile', () => {
    const profile = parseProfile(DOCKER, 'docker-default.json');
    expect(profile.format).toBe('docker');
    expect(profile.defaultAction).toEqual({ action: 'ERRNO', name: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(profile.archMap[0]).toEqual({ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
    const personality = profile.rules.filter((rule) => rule.names.includes('personality'));
    expect(personality.map((rule) => rule.conditions[0].value)).toEqual([0n, 8n, 131072n, 131080n, 4294967295n]);
    const clone = profile.rules.find((rule) => rule.names[0] === 'clone' && rule.excludes !== null)!;
    expect(clone.excludes!.caps).toEqual(['CAP_SYS_ADMIN']);
    expect(clone.conditions[0]).toMatchObject({ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 2114060288n, valueTwo: 0n });
  });

  it('reads podman-default.json, whose errno names are informational', () => {
    const profile = parseProfile(PODMAN, 'podman-default.json');
    expect(profile.defaultAction.errnoRet).toBe(38);
  });

  it('reads a bare OCI linux.seccomp object and a whole config.json', () => {
    const seccomp = { defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 18446744073709551615, op: 'SCMP_CMP_LE' }] }] };
    // JSON.stringify rounds 2^64-1 to a double; the profile text carries it exactly.
    const exact = (value: unknown) => JSON.stringify(value).replace('18446744073709552000', '18446744073709551615');
    const bare = parseProfile(exact(seccomp), 'o.json');
    expect(bare.format).toBe('oci');
    expect(bare.rules[0].conditions[0].value).toBe((1n << 64n) - 1n);
    const config = parseProfile(exact({ ociVersion: '1.0.2', linux: { seccomp } }), 'config.json');
    expect(config.defaultAction.action).toBe('KILL_PROCESS');
  });
});

describe('parseProfile errors', () => {
  const cases: readonly { name: string; text: string; message: string; at: string; note?: string }[] = [
    { name: 'a JSON syntax error', text: '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [}\n', message: 'expected a JSON value', at: '}' },
    { name: 'an unclosed object', text: '{"defaultAction": "SCMP_ACT_ALLOW"', message: 'expected "," or "}" in an object, found the end of the file', at: 'EOF' },
    { name: 'a wrong type', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": []}}', message: 'expected "syscalls" to be an array, found an object', at: '{"names"' },
    { name: 'a number as a name', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [42], "action": "SCMP_ACT_ERRNO"}]}', message: 'expected a system-call name as a string, found the number 42', at: '42' },
    { name: 'an unknown action', text: '{"defaultAction": "SCMP_ACT_ALOW"}', message: 'unknown action "SCMP_ACT_ALOW"', at: '"SCMP_ACT_ALOW"', note: 'did you mean "SCMP_ACT_ALLOW"?' },
    {
      name: 'an unknown operator',
      text: '{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",\n   "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQQ"}]}]}',
      message: 'unknown comparison operator "SCMP_CMP_EQQ"',
      at: '"SCMP_CMP_EQQ"',
      note: 'did you mean "SCMP_CMP_EQ"?',
    },
    { name: 'an unknown syscall', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["opnat"], "action": "SCMP_ACT_ERRNO"}]}', message: 'unknown system call "opnat"', at: '"opnat"', note: 'did you mean "openat"?' },
    { name: 'an argument index out of range', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}', message: 'argument index 6 is out of range', at: '6' },
    { name: 'a negative value', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]}', message: '"value" must be a non-negative integer, found -1', at: '-1' },
    { name: 'a value above 64 bits', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]}', message: 'does not fit in 64 bits', at: '18446744073709551616' },
    { name: 'an unknown architecture', text: '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_46"]}', message: 'unknown architecture "SCMP_ARCH_X86_46"', at: '"SCMP_ARCH_X86_46"', note: 'did you mean "SCMP_ARCH_X86_64"?' },
    { name: 'an unknown member', text: '{"defaultActon": "SCMP_ACT_ALLOW"}', message: 'unknown member "defaultActon" in a seccomp profile', at: '"defaultActon"', note: 'did you mean "defaultAction"?' },
    { name: 'a missing default action', text: '{"syscalls": []}', message: 'no "defaultAction"', at: '{' },
    { name: 'a bad minKernel', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "4"}}]}', message: 'invalid kernel version "4"', at: '"4"' },
    { name: 'an unknown capability', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMN"]}}]}', message: 'unknown capability "CAP_SYS_ADMN"', at: '"CAP_SYS_ADMN"', note: 'did you mean "CAP_SYS_ADMIN"?' },
    { name: 'both name and names', text: '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ERRNO"}]}', message: "both 'name' and 'names'", at: '"name"' },
  ];
  for (const testCase of cases) {
    it(`locates ${testCase.name}`, () => {
      const error = errorOf(testCase.text);
      expect(error.code).toBe('E_PROFILE');
      expect(error.message).toContain(testCase.message);
      // The error points at the offending value: its first occurrence in the text (the last character at the end of the file).
      const offset = testCase.at === 'EOF' ? testCase.text.length - 1 : testCase.text.indexOf(testCase.at);
      const before = testCase.text.slice(0, offset).split('\n');
      expect(error.location).toMatchObject({ file: 'p.json', line: before.length, column: before.at(-1)!.length + 1 });
      if (testCase.note !== undefined) expect(error.notes).toContain(testCase.note);
    });
  }
});
