// Proves that isolab's seccomp profiles give, for every probe of conformance/seccomp/probes.ts,
// the verdict the machine's real kernel gives under the filter libseccomp builds from the
// same profile: directly evaluated, compiled by isolab and interpreted, and libseccomp's own
// exported program run by isolab's cBPF interpreter.
//
// The real side reads each verdict with the stacked-filter trick (conformance/seccomp/
// probe-helper.c): the probed call never runs. Whatever the machine cannot run (not root,
// no libseccomp-dev, no int 0x80, a name this libseccomp cannot resolve) is skipped with
// its reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSeccompFilter } from '../../engine/kernel/seccomp/bpf/check.js';
import type { ResolvedProfile } from '../../engine/kernel/seccomp/profile/resolve.js';
import { PROBE_GROUPS, probeTableProblems, type Probe, type ProbeGroup } from '../../conformance/seccomp/probes.js';
import { probeSeccompMachine, REPOSITORY_ROOT, runRealGroup, type Available, type RealGroup, type SeccompMachine } from '../../conformance/seccomp/real.js';
import { evaluatedVerdict, loadProfileCompiler, programVerdict, resolvedProfileOf } from '../../conformance/seccomp/simulated.js';
import type { BpfProgram } from '../../engine/kernel/seccomp/bpf/types.js';

let machine: Available<SeccompMachine> = { ok: false, reason: 'the machine was not probed' };
let compile: ((resolved: ResolvedProfile) => BpfProgram) | null = null;
let compilerProblem = '';
const realGroups = new Map<string, Available<RealGroup>>();
/** The simulator's compiled program, or why it has none (the compiler failed). */
type Compiled = { readonly ok: true; readonly program: BpfProgram } | { readonly ok: false; readonly reason: string };
const simulated = new Map<string, { resolved: ResolvedProfile; compiled: Compiled }>();

beforeAll(async () => {
  machine = probeSeccompMachine();
  const compiler = await loadProfileCompiler();
  if (compiler.ok) compile = compiler.compile;
  else compilerProblem = compiler.reason;
});

function realGroup(group: ProbeGroup): Available<RealGroup> {
  if (!machine.ok) return machine;
  let outcome = realGroups.get(group.id);
  if (outcome === undefined) {
    outcome = runRealGroup(group, machine.value);
    realGroups.set(group.id, outcome);
  }
  return outcome;
}

function compiledOf(resolved: ResolvedProfile): Compiled {
  if (compile === null) return { ok: false, reason: compilerProblem };
  try {
    return { ok: true, program: compile(resolved) };
  } catch (error) {
    return { ok: false, reason: `compileProfile failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function simulatedGroup(group: ProbeGroup) {
  let found = simulated.get(group.id);
  if (found === undefined) {
    const resolved = resolvedProfileOf(group, readFileSync(join(REPOSITORY_ROOT, group.profileFile), 'utf8'));
    found = { resolved, compiled: compiledOf(resolved) };
    simulated.set(group.id, found);
  }
  return found;
}

/** Why the kernel's verdict on this probe cannot be compared, or null. */
function refusalOf(probe: Probe, real: RealGroup): string | null {
  if (probe.abi === 'i386' && machine.ok && machine.value.i386Refusal !== null) return machine.value.i386Refusal;
  const result = real.probes.get(probe.id);
  if (result === undefined) return 'the helper reported nothing for this probe';
  // A rule naming a call this libseccomp does not know (__NR_SCMP_ERROR) is dropped, so the
  // real filter answers that call with the default action; calls no rule names are compared.
  if (real.unknownRuleNames.includes(probe.name)) {
    return `libseccomp ${real.libseccompVersion} cannot name ${probe.name} (nr ${probe.nr} on ${probe.abi}), so the real filter holds no rule for it (runc drops such rules)`;
  }
  return null;
}

const docker = PROBE_GROUPS.filter((group) => group.id.startsWith('docker-default/'));

describe('the seccomp probe table', () => {
  it('holds at least 300 sound, uniquely named probes of docker-default over several capability sets', () => {
    expect(probeTableProblems(PROBE_GROUPS)).toEqual([]);
    const probes = docker.flatMap((group) => group.probes);
    expect(probes.length).toBeGreaterThanOrEqual(300);
    expect(docker.map((group) => group.capSet.id)).toEqual(expect.arrayContaining(['no-caps', 'docker-default-caps', 'plus-CAP_SYS_ADMIN', 'plus-CAP_SYS_PTRACE', 'plus-CAP_SYSLOG', 'all-caps']));
    for (const call of ['personality', 'clone', 'socket', 'clone3', 'unshare', 'mount', 'keyctl', 'ptrace', 'syslog']) {
      expect(probes.some((probe) => probe.name === call && probe.abi === 'x86_64'), call).toBe(true);
    }
    expect(probes.some((probe) => probe.abi === 'i386')).toBe(true);
  });
});

/** What Linux does with docker-default, pinned so that a probe testing the wrong thing shows up. */
const PINNED: Readonly<Record<string, string>> = {
  'docker-default/no-caps/x86_64/personality(0x8)': 'allow',
  'docker-default/no-caps/x86_64/personality(0xffffffff)': 'allow',
  'docker-default/no-caps/x86_64/personality(0x9)': 'errno 1',
  'docker-default/no-caps/x86_64/personality(0xffffffffffffffff)': 'errno 1',
  'docker-default/no-caps/x86_64/clone(0x11)': 'allow',
  'docker-default/no-caps/x86_64/clone(0x10000000)': 'errno 1',
  'docker-default/no-caps/x86_64/clone(0x80)': 'allow',
  'docker-default/no-caps/x86_64/clone3()': 'errno 38',
  'docker-default/no-caps/x86_64/unshare()': 'errno 1',
  'docker-default/no-caps/x86_64/socket(0x28,0x1,0x0)': 'errno 1',
  'docker-default/no-caps/x86_64/socket(0x27,0x1,0x0)': 'allow',
  'docker-default/no-caps/x86_64/getpid()': 'allow',
  'docker-default/docker-default-caps/x86_64/chroot()': 'allow',
  'docker-default/no-caps/x86_64/chroot()': 'errno 1',
  'docker-default/plus-CAP_SYS_ADMIN/x86_64/clone(0x10000000)': 'allow',
  'docker-default/plus-CAP_SYS_ADMIN/x86_64/clone3()': 'allow',
  'docker-default/plus-CAP_SYS_ADMIN/x86_64/unshare()': 'allow',
  'docker-default/plus-CAP_SYS_ADMIN/x86_64/mount()': 'allow',
  'docker-default/plus-CAP_SYS_PTRACE/x86_64/kcmp()': 'allow',
  'docker-default/plus-CAP_SYSLOG/x86_64/syslog()': 'allow',
  'docker-default/docker-default-caps/x86_64/syslog()': 'errno 1',
  'docker-default/no-caps/x86_64/keyctl()': 'errno 1',
  'actions/docker-default-caps/x86_64/getpid()': 'kill',
  'actions/docker-default-caps/x86_64/getppid()': 'kill',
  'actions/docker-default-caps/x86_64/getuid()': 'trap 0',
  'actions/docker-default-caps/x86_64/getgid()': 'errno 13',
  'actions/docker-default-caps/x86_64/geteuid()': 'errno 1',
  'actions/docker-default-caps/x86_64/getegid()': 'allow',
  'actions/docker-default-caps/x86_64/sync()': 'errno 4094',
  'actions/docker-default-caps/x86_64/kill(0x7,0xa)': 'trap 0',
  'actions/docker-default-caps/x86_64/kill(0x7,0x9)': 'allow',
  'x86_64-only/no-caps/i386/getpid()': 'kill',
  'x86_64-only/no-caps/x86_64/mount()': 'errno 1',
};

describe('the real kernel gives the pinned verdicts', () => {
  for (const [id, expected] of Object.entries(PINNED)) {
    it(id, (context) => {
      const group = PROBE_GROUPS.find((candidate) => id.startsWith(`${candidate.id}/`));
      const probe = group?.probes.find((candidate) => candidate.id === id);
      if (group === undefined || probe === undefined) return expect.fail(`no probe ${id} in the table`);
      const real = realGroup(group);
      if (!real.ok) return context.skip(real.reason);
      const refusal = refusalOf(probe, real.value);
      if (refusal !== null) return context.skip(refusal);
      expect(real.value.probes.get(id)?.verdict).toBe(expected);
    });
  }
});

describe("libseccomp's exported programs pass isolab's seccomp checker", () => {
  for (const group of PROBE_GROUPS) {
    it(group.id, (context) => {
      const real = realGroup(group);
      if (!real.ok) return context.skip(real.reason);
      expect(real.value.program.length).toBeGreaterThan(0);
      expect(checkSeccompFilter(real.value.program)).toBeNull();
    });
  }
});

for (const group of PROBE_GROUPS) {
  describe(`the simulator matches the real kernel: ${group.id}`, () => {
    for (const probe of group.probes) {
      it(probe.id, (context) => {
        const real = realGroup(group);
        if (!real.ok) return context.skip(real.reason);
        const refusal = refusalOf(probe, real.value);
        if (refusal !== null) return context.skip(refusal);
        const kernel = real.value.probes.get(probe.id)!.verdict;
        const sim = simulatedGroup(group);
        const verdicts = {
          evaluated: evaluatedVerdict(sim.resolved, probe),
          compiled: sim.compiled.ok ? programVerdict(sim.compiled.program, probe) : sim.compiled.reason,
          libseccompProgram: programVerdict(real.value.program, probe),
        };
        expect(verdicts, `the kernel says ${kernel}; the simulator says ${JSON.stringify(verdicts)}`).toEqual({ evaluated: kernel, compiled: kernel, libseccompProgram: kernel });
      });
    }
  });
}
