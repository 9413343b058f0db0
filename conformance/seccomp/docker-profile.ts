/**
 * The real side's own reading of a Docker seccomp profile, written apart from the
 * simulator's (engine/kernel/seccomp/profile/) so that each checks the other. Two steps,
 * as a container runtime takes them:
 *
 * 1. Docker resolves the profile for one container (moby profiles/seccomp/
 *    seccomp_linux.go setupSeccomp): the architectures are the archMap entry of the
 *    native arch plus its sub-architectures (or `architectures` as written); a rule is
 *    dropped when `excludes` names the native arch, ANY of its caps is in the bounding
 *    set, or the kernel is at least its minKernel; and when `includes` does not name the
 *    native arch, does not have ALL of its caps in the bounding set, or the kernel is older
 *    than its minKernel.
 * 2. runc turns each remaining rule into libseccomp calls (libcontainer/seccomp/
 *    seccomp_linux.go InitSeccomp, getAction, matchCall): ERRNO and TRACE carry errnoRet,
 *    EPERM when absent; a rule whose action equals the default action is skipped
 *    (libseccomp refuses it); a name libseccomp cannot resolve is skipped; when two
 *    conditions test the same argument, each becomes a rule of its own (ORed), otherwise
 *    all the rule's conditions go into one rule (ANDed). Left out: runc's patchbpf stub
 *    that answers ENOSYS for calls newer than the profile (Docker-specific, not libseccomp).
 */
import { actionValue, type SeccompAction } from '../../engine/kernel/seccomp/constants.js';

/** The native architecture in Docker's words (runtime.GOARCH as libseccomp names it). */
export const NATIVE_ARCH = 'amd64';
const NATIVE_SCMP_ARCH = 'SCMP_ARCH_X86_64';
const EPERM = 1;

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

export interface LibseccompCondition {
  readonly index: number;
  readonly op: string;
  readonly datumA: bigint;
  readonly datumB: bigint;
}

export interface LibseccompRule {
  readonly action: number;
  readonly name: string;
  readonly conditions: readonly LibseccompCondition[];
}

/** What runc hands libseccomp for one container. */
export interface LibseccompFilterSpec {
  readonly defaultAction: number;
  /** Architectures added besides the native x86-64, in libseccomp's short names. */
  readonly extraArches: readonly ('x86' | 'x32')[];
  readonly rules: readonly LibseccompRule[];
}

interface DockerFilter {
  readonly caps?: readonly string[];
  readonly arches?: readonly string[];
  readonly minKernel?: string;
}

interface DockerRule {
  readonly name?: string;
  readonly names?: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args?: readonly { readonly index: number; readonly value: number | string; readonly valueTwo?: number | string; readonly op: string }[] | null;
  readonly includes?: DockerFilter;
  readonly excludes?: DockerFilter;
}

interface DockerProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures?: readonly string[];
  readonly archMap?: readonly { readonly architecture: string; readonly subArchitectures: readonly string[] | null }[];
  readonly syscalls?: readonly DockerRule[];
}

const ACTIONS: Readonly<Record<string, SeccompAction>> = {
  SCMP_ACT_KILL: 'KILL_THREAD',
  SCMP_ACT_KILL_THREAD: 'KILL_THREAD',
  SCMP_ACT_KILL_PROCESS: 'KILL_PROCESS',
  SCMP_ACT_TRAP: 'TRAP',
  SCMP_ACT_ERRNO: 'ERRNO',
  SCMP_ACT_TRACE: 'TRACE',
  SCMP_ACT_ALLOW: 'ALLOW',
  SCMP_ACT_LOG: 'LOG',
  SCMP_ACT_NOTIFY: 'USER_NOTIF',
};

/** runc getAction: the 32-bit value libseccomp is given. */
export function runcActionValue(name: string, errnoRet: number | undefined): number {
  const action = ACTIONS[name];
  if (action === undefined) throw new Error(`unknown seccomp action ${name}`);
  const carriesErrno = action === 'ERRNO' || action === 'TRACE';
  return actionValue(action, carriesErrno ? errnoRet ?? EPERM : 0);
}

/** "4.8" → {4, 8}; Docker reads only the first two numbers. */
export function kernelVersionOf(release: string): KernelVersion {
  const match = /^(\d+)\.(\d+)/.exec(release);
  if (match === null) throw new Error(`cannot read a kernel version from ${JSON.stringify(release)}`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function atLeast(kernel: KernelVersion, wanted: string): boolean {
  const minimum = kernelVersionOf(wanted);
  return kernel.major > minimum.major || (kernel.major === minimum.major && kernel.minor >= minimum.minor);
}

/** moby setupSeccomp's test of one rule against the container. */
export function dockerKeepsRule(rule: DockerRule, bounding: readonly string[], kernel: KernelVersion): boolean {
  const excludes = rule.excludes;
  if (excludes !== undefined) {
    if ((excludes.arches ?? []).includes(NATIVE_ARCH)) return false;
    if ((excludes.caps ?? []).some((cap) => bounding.includes(cap))) return false;
    if (excludes.minKernel !== undefined && atLeast(kernel, excludes.minKernel)) return false;
  }
  const includes = rule.includes;
  if (includes !== undefined) {
    if ((includes.arches ?? []).length > 0 && !(includes.arches ?? []).includes(NATIVE_ARCH)) return false;
    if (!(includes.caps ?? []).every((cap) => bounding.includes(cap))) return false;
    if (includes.minKernel !== undefined && !atLeast(kernel, includes.minKernel)) return false;
  }
  return true;
}

function architecturesOf(profile: DockerProfile): readonly string[] {
  if (profile.architectures !== undefined && profile.architectures.length > 0) return profile.architectures;
  const entry = (profile.archMap ?? []).find((candidate) => candidate.architecture === NATIVE_SCMP_ARCH);
  return entry === undefined ? [] : [entry.architecture, ...(entry.subArchitectures ?? [])];
}

function conditionOf(arg: NonNullable<DockerRule['args']>[number]): LibseccompCondition {
  return { index: arg.index, op: arg.op, datumA: BigInt(arg.value), datumB: BigInt(arg.valueTwo ?? 0) };
}

/** runc matchCall for one name: one rule, or one per condition when an argument is tested twice. */
function libseccompRulesOf(name: string, action: number, rule: DockerRule): LibseccompRule[] {
  const conditions = (rule.args ?? []).map(conditionOf);
  const indexes = conditions.map((condition) => condition.index);
  const testsOneArgumentTwice = new Set(indexes).size < indexes.length;
  if (!testsOneArgumentTwice) return [{ action, name, conditions }];
  return conditions.map((condition) => ({ action, name, conditions: [condition] }));
}

/** The filter runc would build with libseccomp for a container with this bounding set. */
export function libseccompFilterOf(profileText: string, bounding: readonly string[], kernel: KernelVersion): LibseccompFilterSpec {
  const profile = JSON.parse(withExactValues(profileText)) as DockerProfile;
  const defaultAction = runcActionValue(profile.defaultAction, profile.defaultErrnoRet);
  const arches = architecturesOf(profile);
  const extraArches = (['x86', 'x32'] as const).filter((arch) => arches.includes(arch === 'x86' ? 'SCMP_ARCH_X86' : 'SCMP_ARCH_X32'));
  const rules: LibseccompRule[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!dockerKeepsRule(rule, bounding, kernel)) continue;
    const action = runcActionValue(rule.action, rule.errnoRet);
    if (action === defaultAction) continue;
    const names = rule.name !== undefined ? [rule.name] : rule.names ?? [];
    for (const name of names) rules.push(...libseccompRulesOf(name, action, rule));
  }
  return { defaultAction, extraArches, rules };
}

const hex = (value: number | bigint): string => value.toString(16);

/**
 * Condition values are 64-bit (Go's uint64); JSON.parse would round those above 2^53, so
 * they are read as strings (BigInt takes either).
 */
function withExactValues(profileText: string): string {
  return profileText.replace(/("value(?:Two)?"\s*:\s*)(\d+)/g, '$1"$2"');
}

/** The filter as the helper's spec lines (probe-helper.c). */
export function filterSpecLines(filter: LibseccompFilterSpec): string[] {
  return [
    `default ${hex(filter.defaultAction)}`,
    ...filter.extraArches.map((arch) => `arch ${arch}`),
    ...filter.rules.map((rule) => ['rule', hex(rule.action), rule.name, ...rule.conditions.map((c) => `${c.index}:${c.op}:${hex(c.datumA)}:${hex(c.datumB)}`)].join(' ')),
  ];
}
