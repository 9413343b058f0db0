// Proves the compiled classic-BPF filter passes the kernel's load-time checks and returns, for every call, exactly what direct evaluation of the profile returns (docker-default under random capability sets and both machines, and random generated profiles).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../../../../engine/kernel/syscall/constants.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../../../../engine/kernel/seccomp/constants.js';
import { checkSeccompFilter, runFilter } from '../../../../engine/kernel/seccomp/bpf/index.js';
import { compileProfile, evaluateProfile, parseProfile, resolveProfile, SYSCALL_TABLES, type ResolvedProfile } from '../../../../engine/kernel/seccomp/profile/index.js';

const DOCKER = parseProfile(readFileSync(new URL('../../../../data/seccomp/docker-default.json', import.meta.url), 'utf8'), 'docker-default.json');
const PODMAN = parseProfile(readFileSync(new URL('../../../../data/seccomp/podman-default.json', import.meta.url), 'utf8'), 'podman-default.json');
const U64 = (1n << 64n) - 1n;

/** Every datum and mask a resolved profile compares against, with its neighbours and its halves. */
function interestingValues(resolved: ResolvedProfile): bigint[] {
  const values = new Set<bigint>([0n, 1n, 0xffffffffn, 0x100000000n, U64]);
  for (const section of resolved.sections) {
    for (const syscall of section.syscalls) {
      for (const rule of syscall.rules) {
        for (const condition of rule.conditions) {
          for (const base of [condition.datum, condition.mask, condition.datum | (1n << 32n), condition.datum & 0xffffffffn, condition.datum >> 32n]) {
            for (const delta of [-1n, 0n, 1n]) values.add((base + delta) & U64);
          }
        }
      }
    }
  }
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function callArbitrary(resolved: ResolvedProfile) {
  const numbers = resolved.sections.flatMap((section) => section.syscalls.map((syscall) => syscall.nr));
  const tableNumbers = [...SYSCALL_TABLES.x86_64.values(), ...SYSCALL_TABLES.i386.values(), ...SYSCALL_TABLES.x32.values()];
  const values = interestingValues(resolved);
  const argument = fc.oneof(fc.constantFrom(...values), fc.bigInt({ min: 0n, max: U64 }), fc.bigInt({ min: 0n, max: 0xffffffffn }).map((high) => high << 32n));
  const random = fc.record({
    arch: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(AUDIT_ARCH_X86_64, AUDIT_ARCH_I386) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
    nr: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...numbers, ...tableNumbers) },
      { weight: 1, arbitrary: fc.constantFrom(-1, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xfffffffe) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    ),
    args: fc.array(argument, { minLength: 6, maxLength: 6 }),
  });
  const targets = resolved.sections.flatMap((section) => section.syscalls.flatMap((syscall) => syscall.rules.filter((rule) => rule.conditions.length > 0).map((rule) => ({ section, syscall, rule }))));
  if (targets.length === 0) return random;
  // A call aimed at one argument rule: each tested argument at the datum, one off, or with its high word changed.
  const aimed = fc.record({ target: fc.constantFrom(...targets), args: fc.array(argument, { minLength: 6, maxLength: 6 }), deltas: fc.array(fc.constantFrom(-1n, 0n, 0n, 1n, 1n << 32n), { minLength: 6, maxLength: 6 }) }).map(({ target, args, deltas }) => {
    const aimedArgs = [...args];
    for (const condition of target.rule.conditions) aimedArgs[condition.index] = (condition.datum + deltas[condition.index]) & U64;
    return { arch: target.section.auditArch, nr: target.syscall.nr, args: aimedArgs };
  });
  return fc.oneof(random, aimed);
}

function expectAgreement(resolved: ResolvedProfile, runs: number, seed: number): void {
  const program = compileProfile(resolved);
  expect(checkSeccompFilter(program)).toBeNull();
  expect(program.length).toBeLessThanOrEqual(4096);
  fc.assert(
    fc.property(callArbitrary(resolved), (call) => {
      const direct = evaluateProfile(resolved, call);
      const bpf = runFilter(program, { ...call, instructionPointer: 0n }).ret;
      expect(bpf.toString(16)).toBe(direct.toString(16));
    }),
    { numRuns: runs, seed },
  );
}

describe('compileProfile', () => {
  it('compiles docker-default within the kernel limits for both machines', () => {
    for (const arch of ['x86_64', 'i386'] as const) {
      for (const caps of [[], CAPABILITIES]) {
        const program = compileProfile(resolveProfile(DOCKER, { arch, caps }));
        expect(checkSeccompFilter(program)).toBeNull();
        expect(program.length).toBeLessThanOrEqual(4096);
      }
    }
  });

  it('agrees with direct evaluation on docker-default and podman-default for random capability sets', () => {
    fc.assert(
      fc.property(fc.subarray([...CAPABILITIES]), fc.constantFrom('x86_64' as const, 'i386' as const), fc.constantFrom('4.4', '6.1'), fc.boolean(), (caps, arch, kernel, podman) => {
        expectAgreement(resolveProfile(podman ? PODMAN : DOCKER, { arch, caps, kernel }), 60, caps.length * 31 + kernel.length);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('agrees with direct evaluation on random generated profiles', () => {
    fc.assert(
      fc.property(profileText(), fc.constantFrom('x86_64' as const, 'i386' as const), fc.integer(), (text, arch, seed) => {
        expectAgreement(resolveProfile(parseProfile(text, 'generated.json'), { arch, caps: [] }), 80, seed);
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});

const NAMES = ['read', 'write', 'open', 'socket', 'connect', 'socketcall', 'semop', 'ipc', 'personality', 'clone', 'arch_prctl', 'rt_sigaction', 'readv', 'waitpid', 'kexec_load'];
const ACTIONS = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP', 'SCMP_ACT_TRACE', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'];
const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];

/** A random OCI profile as JSON text (bigints written exactly). */
function profileText() {
  const value = fc.oneof(fc.constantFrom(0n, 1n, 2n, 0xffffffffn, 0x100000000n, 0x1ffffffffn, U64, 1n << 63n), fc.bigInt({ min: 0n, max: U64 }), fc.bigInt({ min: 0n, max: 64n }));
  const condition = fc.record({ index: fc.integer({ min: 0, max: 2 }), op: fc.constantFrom(...OPERATORS), value, valueTwo: value });
  const action = fc.record({ action: fc.constantFrom(...ACTIONS), errnoRet: fc.option(fc.integer({ min: 0, max: 4095 }), { nil: undefined }) });
  const rule = fc.record({ names: fc.subarray(NAMES, { minLength: 1, maxLength: 3 }), action, args: fc.array(condition, { maxLength: 3 }) });
  const architectures = fc.subarray(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64']);
  return fc.record({ defaultAction: action, architectures, rules: fc.array(rule, { maxLength: 8 }) }).map(({ defaultAction, architectures: arches, rules }) => {
    const actionJson = (spec: { action: string; errnoRet?: number }, errnoKey: string) => `"${errnoKey === 'errnoRet' ? 'action' : 'defaultAction'}": "${spec.action}"${spec.errnoRet === undefined ? '' : `, "${errnoKey}": ${spec.errnoRet}`}`;
    const ruleJson = rules.map((r) => `{"names": ${JSON.stringify(r.names)}, ${actionJson(r.action, 'errnoRet')}, "args": [${r.args.map((c) => `{"index": ${c.index}, "op": "${c.op}", "value": ${c.value}, "valueTwo": ${c.valueTwo}}`).join(', ')}]}`);
    return `{${actionJson(defaultAction, 'defaultErrnoRet')}, "architectures": ${JSON.stringify(arches)}, "syscalls": [${ruleJson.join(', ')}]}`;
  });
}
