/**
 * The simulator's side of the seccomp conformance, three ways for every probe:
 * - `evaluate`: the profile resolved for the container and evaluated directly
 *   (engine/kernel/seccomp/profile resolveProfile + evaluateProfile);
 * - `compiled`: the same resolved profile compiled to classic BPF by the simulator
 *   (compileProfile) and run by its interpreter (engine/kernel/seccomp/bpf runFilter);
 * - `libseccomp`: the program libseccomp generated on the real side, run by the same
 *   interpreter on the probe's struct seccomp_data.
 * Each gives a 32-bit return value, read as the verdict the real kernel's stacked-filter
 * trick would show (verdict.ts).
 */
import { release } from 'node:os';
import { runFilter } from '../../engine/kernel/seccomp/bpf/interpret.js';
import type { BpfProgram, SeccompData } from '../../engine/kernel/seccomp/bpf/types.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../../engine/kernel/seccomp/constants.js';
import { evaluateProfile } from '../../engine/kernel/seccomp/profile/evaluate.js';
import { parseProfile } from '../../engine/kernel/seccomp/profile/parse.js';
import { resolveProfile, type ResolvedProfile } from '../../engine/kernel/seccomp/profile/resolve.js';
import type { Probe, ProbeGroup } from './probes.js';
import { verdictOfRet, type Verdict } from './verdict.js';

/** The ABI's view of the call as the kernel builds it (kernel/seccomp.c populate_seccomp_data). */
export function seccompDataOf(probe: Probe): SeccompData {
  const width = probe.abi === 'i386' ? 0xffffffffn : 0xffffffffffffffffn;
  return { nr: probe.nr | 0, arch: probe.abi === 'i386' ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64, instructionPointer: 0n, args: probe.args.map((arg) => arg & width) };
}

export function resolvedProfileOf(group: ProbeGroup, profileText: string): ResolvedProfile {
  // The real side resolves minKernel against the machine's kernel; so does this one.
  return resolveProfile(parseProfile(profileText, group.profileFile), { arch: 'x86_64', caps: group.capSet.caps, kernel: release() });
}

export function evaluatedVerdict(resolved: ResolvedProfile, probe: Probe): Verdict {
  const data = seccompDataOf(probe);
  return verdictOfRet(evaluateProfile(resolved, { arch: probe.abi, nr: data.nr, args: data.args }));
}

export function programVerdict(program: BpfProgram, probe: Probe): Verdict {
  return verdictOfRet(runFilter(program, seccompDataOf(probe)).ret);
}

/** The simulator's profile compiler, loaded when it exists (engine/kernel/seccomp/profile/compile.ts). */
export async function loadProfileCompiler(): Promise<{ ok: true; compile: (resolved: ResolvedProfile) => BpfProgram } | { ok: false; reason: string }> {
  const path = '../../engine/kernel/seccomp/profile/compile.js';
  try {
    const module = (await import(/* @vite-ignore */ path)) as { compileProfile?: (resolved: ResolvedProfile) => BpfProgram };
    if (typeof module.compileProfile !== 'function') return { ok: false, reason: 'engine/kernel/seccomp/profile/compile.ts exports no compileProfile' };
    return { ok: true, compile: module.compileProfile };
  } catch (error) {
    return { ok: false, reason: `the simulator's profile compiler could not be loaded: ${error instanceof Error ? error.message : String(error)}` };
  }
}
