/**
 * From a profile to the filter a container would get: Docker's includes/excludes
 * (moby/profiles seccomp/seccomp_linux.go setupSeccomp), runc's conversion to libseccomp
 * calls (libcontainer/seccomp/seccomp_linux.go matchCall), and libseccomp's rule database
 * (src/db.c db_rule_add, src/syscalls.c abi_rule_add), per ABI of the filter.
 *
 * What is kept, and from where:
 * - a rule applies when every includes.caps is in the bounding set, includes.arches names
 *   the machine's architecture and the kernel is at least includes.minKernel; it is skipped
 *   when any excludes.caps is held, excludes.arches names the architecture, or the kernel is
 *   at least excludes.minKernel (setupSeccomp);
 * - architectures: `architectures` as given, or the archMap entry of the machine's
 *   architecture with its sub-architectures; libseccomp always includes the native one;
 * - a rule whose action equals the default action is dropped (libseccomp refuses it with
 *   EACCES; runc skips it); a rule with two conditions on one argument becomes one rule per
 *   condition, ORed (runc matchCall, "revert to old behavior");
 * - a name is resolved per ABI; a name the ABI lacks is ignored there (arch_syscall_translate);
 *   on i386 a socket or SysV IPC call also gets a rule on the socketcall(2)/ipc(2)
 *   multiplexer whose argument 0 must equal the call's number (abi_rule_add);
 * - per system call, the first unconditional rule wins and overrides every conditional one
 *   (db_rule_add); conditional rules are ORed. When conditional rules with different
 *   actions both match, libseccomp usually refuses the profile (EEXIST); isolab takes the
 *   most restrictive action instead (kernel precedence, as stacked filters would), then the
 *   earliest rule, and says so in the explanation.
 * - the bad-architecture action is libseccomp's default, SCMP_ACT_KILL (KILL_THREAD).
 * Left out: runc's ENOSYS stub for calls newer than the profile (libcontainer/seccomp/patchbpf),
 * architectures other than x86-64, i386 and x32 (kept in `ignoredArchitectures`).
 */
import { ScenarioError } from '../../../core/errors.js';
import { I386_SYSCALLS, X86_64_SYSCALLS } from '../../../generated/syscall-tables.js';
import { actionRank, actionValue, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, decodeAction, X32_SYSCALL_BIT } from '../constants.js';
import { ARGUMENT_COUNT } from './parse.js';
import type { CompareOperator, Profile, ProfileActionSpec, ProfileCondition, ProfileFilter, ProfileRule } from './types.js';
import { X32_ONLY_SYSCALLS, X86_64_ONLY_NUMBERS } from './x32-table.js';

export type HostArch = 'x86_64' | 'i386';
export type Abi = 'x86_64' | 'i386' | 'x32';

export interface ResolveOptions {
  /** The machine the container runs on (Docker's runtime.GOARCH). */
  readonly arch: HostArch;
  /** CAP_* names in the container's bounding set. */
  readonly caps: readonly string[];
  /** "major.minor" of the running kernel; DEFAULT_KERNEL when absent. */
  readonly kernel?: string;
}

/** The kernel the simulated machine runs when none is given (for includes.minKernel). */
export const DEFAULT_KERNEL = '6.1';

/** One argument test, normalised for the ABI's word size: (arg & mask) op datum. */
export interface ResolvedCondition {
  readonly index: number;
  readonly op: CompareOperator;
  /** For MASKED_EQ, already ANDed with the mask (libseccomp _db_node_mask_fixup). */
  readonly datum: bigint;
  /** All ones of the ABI's width, except for MASKED_EQ. */
  readonly mask: bigint;
}

export interface RuleOrigin {
  /** Index of the rule in the profile's syscalls array. */
  readonly ruleIndex: number;
  /** The name the rule gave (for a multiplexed rule: the socket or IPC call's name). */
  readonly name: string;
  /** "socketcall" or "ipc" when the rule was added on i386's multiplexer; else null. */
  readonly multiplexer: 'socketcall' | 'ipc' | null;
  readonly comment: string | null;
}

export interface ResolvedRule {
  /** The 32-bit SECCOMP_RET_* value. */
  readonly action: number;
  /** ANDed; empty for an unconditional rule. */
  readonly conditions: readonly ResolvedCondition[];
  readonly origin: RuleOrigin;
}

export interface SyscallFilter {
  /** The number the kernel puts in seccomp_data.nr, unsigned (x32 numbers carry 0x40000000). */
  readonly nr: number;
  readonly name: string;
  /** Tried in order, the first whose conditions all hold decides; one unconditional rule at most, alone. */
  readonly rules: readonly ResolvedRule[];
}

export interface AbiSection {
  readonly abi: Abi;
  readonly auditArch: number;
  /** Sorted by number. */
  readonly syscalls: readonly SyscallFilter[];
}

export interface ResolvedProfile {
  readonly file: string;
  readonly hostArch: HostArch;
  readonly caps: readonly string[];
  readonly kernel: string;
  readonly defaultAction: number;
  readonly badArchAction: number;
  /** In libseccomp's order: the native ABI first, then the profile's. */
  readonly sections: readonly AbiSection[];
  /** SCMP_ARCH_* names the filter would include but isolab does not simulate. */
  readonly ignoredArchitectures: readonly string[];
  /** Profile rules left out, with why (includes/excludes, same as default). */
  readonly skipped: readonly { readonly ruleIndex: number; readonly reason: string }[];
}

const ABI_OF_ARCH: Readonly<Record<string, Abi>> = { SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X86: 'i386', SCMP_ARCH_X32: 'x32' };
const NATIVE_ARCH: Readonly<Record<HostArch, string>> = { x86_64: 'SCMP_ARCH_X86_64', i386: 'SCMP_ARCH_X86' };
/** Docker's word for the machine (moby seccomp_linux.go goToNative). */
const DOCKER_ARCH_WORD: Readonly<Record<HostArch, string>> = { x86_64: 'amd64', i386: 'x86' };
export const AUDIT_ARCH_OF_ABI: Readonly<Record<Abi, number>> = { x86_64: AUDIT_ARCH_X86_64, i386: AUDIT_ARCH_I386, x32: AUDIT_ARCH_X86_64 };

/** linux/net.h SYS_SOCKET… : argument 0 of socketcall(2). */
const SOCKETCALL_NUMBERS: ReadonlyMap<string, number> = new Map(
  ['socket', 'bind', 'connect', 'listen', 'accept', 'getsockname', 'getpeername', 'socketpair', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'setsockopt', 'getsockopt', 'sendmsg', 'recvmsg', 'accept4', 'recvmmsg', 'sendmmsg'].map((name, index) => [name, index + 1]),
);
/** linux/ipc.h SEMOP…SHMCTL: argument 0 of ipc(2). */
const IPC_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['semop', 1], ['semget', 2], ['semctl', 3], ['semtimedop', 4], ['msgsnd', 11], ['msgrcv', 12], ['msgget', 13], ['msgctl', 14],
  ['shmat', 21], ['shmdt', 22], ['shmget', 23], ['shmctl', 24],
]);
const I386_SOCKETCALL = 102;
const I386_IPC = 117;

function tableOf(rows: readonly (readonly [number, string, ...unknown[]])[], bit = 0): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  for (const [nr, name] of rows) if (!table.has(name)) table.set(name, (nr | bit) >>> 0);
  return table;
}

const X86_64_ONLY = new Set(X86_64_ONLY_NUMBERS);
/** System-call numbers by name for each ABI (the kernel's tables, data/syscalls). */
export const SYSCALL_TABLES: Readonly<Record<Abi, ReadonlyMap<string, number>>> = {
  x86_64: tableOf(X86_64_SYSCALLS),
  i386: tableOf(I386_SYSCALLS),
  x32: tableOf([...X86_64_SYSCALLS.filter(([nr]) => !X86_64_ONLY.has(nr)), ...X32_ONLY_SYSCALLS], X32_SYSCALL_BIT),
};

export function syscallNameOf(abi: Abi, nr: number): string | null {
  for (const [name, number] of SYSCALL_TABLES[abi]) if (number === nr >>> 0) return name;
  return null;
}

/** The 32-bit return value of a profile action; ERRNO and TRACE default to EPERM (runc getAction). */
export function actionValueOf(spec: ProfileActionSpec): number {
  const EPERM = 1;
  if (spec.action === 'ERRNO' || spec.action === 'TRACE') return actionValue(spec.action, spec.errnoRet ?? EPERM);
  return actionValue(spec.action);
}

/** Applies includes/excludes, architectures and libseccomp's rule database for one machine and bounding set. */
export function resolveProfile(profile: Profile, options: ResolveOptions): ResolvedProfile {
  const kernel = options.kernel ?? DEFAULT_KERNEL;
  const kernelVersion = parseKernel(kernel);
  const defaultAction = actionValueOf(profile.defaultAction);
  const { abis, ignored } = filterArchitectures(profile, options.arch);
  const builders = abis.map((abi) => new SectionBuilder(abi));
  const skipped: { ruleIndex: number; reason: string }[] = [];
  for (const rule of profile.rules) {
    const reason = skipReason(rule, options, kernelVersion) ?? (actionValueOf(rule.action) === defaultAction ? 'its action is the default action (libseccomp refuses it, runc skips it)' : null);
    if (reason !== null) {
      skipped.push({ ruleIndex: rule.index, reason });
      continue;
    }
    for (const name of rule.names) for (const builder of builders) builder.addRule(rule, name);
  }
  return {
    file: profile.file,
    hostArch: options.arch,
    caps: [...options.caps],
    kernel,
    defaultAction,
    badArchAction: actionValue('KILL_THREAD'),
    sections: builders.map((builder) => builder.finish()),
    ignoredArchitectures: ignored,
    skipped,
  };
}

/** "6.1", "5.15.0-91-generic" → [6, 1] as moby's parseRelease reads "%d.%d". */
function parseKernel(text: string): readonly [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  if (match === null) throw new ScenarioError('E_OPTION', `kernel version "${text}" is not "<major>.<minor>"`, null, ['for example 6.1 or 5.15.0-91-generic']);
  return [Number(match[1]), Number(match[2])];
}

function kernelAtLeast(kernel: readonly [number, number], min: { major: number; minor: number }): boolean {
  return kernel[0] > min.major || (kernel[0] === min.major && kernel[1] >= min.minor);
}

/** Why setupSeccomp leaves a rule out for this machine and bounding set, or null when it keeps it. */
function skipReason(rule: ProfileRule, options: ResolveOptions, kernel: readonly [number, number]): string | null {
  const arch = DOCKER_ARCH_WORD[options.arch];
  const excludes: ProfileFilter | null = rule.excludes;
  if (excludes !== null) {
    if (excludes.arches.includes(arch)) return `excludes.arches names ${arch}`;
    const held = excludes.caps.find((cap) => options.caps.includes(cap));
    if (held !== undefined) return `excludes.caps: ${held} is held`;
    if (excludes.minKernel !== null && kernelAtLeast(kernel, excludes.minKernel)) return `excludes.minKernel ${excludes.minKernel.major}.${excludes.minKernel.minor}: the kernel is ${options.kernel ?? DEFAULT_KERNEL}`;
  }
  const includes: ProfileFilter | null = rule.includes;
  if (includes !== null) {
    if (includes.arches.length > 0 && !includes.arches.includes(arch)) return `includes.arches does not name ${arch}`;
    const missing = includes.caps.find((cap) => !options.caps.includes(cap));
    if (missing !== undefined) return `includes.caps: ${missing} is not held`;
    if (includes.minKernel !== null && !kernelAtLeast(kernel, includes.minKernel)) return `includes.minKernel ${includes.minKernel.major}.${includes.minKernel.minor}: the kernel is ${options.kernel ?? DEFAULT_KERNEL}`;
  }
  return null;
}

function filterArchitectures(profile: Profile, host: HostArch): { abis: Abi[]; ignored: string[] } {
  const native = NATIVE_ARCH[host];
  const mapped = profile.archMap.find((entry) => entry.architecture === native);
  const listed = profile.architectures.length > 0 ? profile.architectures : mapped === undefined ? [] : [mapped.architecture, ...mapped.subArchitectures];
  const abis: Abi[] = [];
  const ignored: string[] = [];
  for (const name of [native, ...listed]) {
    const abi = ABI_OF_ARCH[name];
    if (abi === undefined) {
      if (!ignored.includes(name)) ignored.push(name);
    } else if (!abis.includes(abi)) abis.push(abi);
  }
  return { abis, ignored };
}

interface SyscallEntry {
  readonly name: string;
  unconditional: ResolvedRule | null;
  readonly conditional: ResolvedRule[];
}

/** libseccomp's per-ABI database (struct db_filter) with db_rule_add's precedence. */
class SectionBuilder {
  private readonly entries = new Map<number, SyscallEntry>();
  private readonly width: bigint;

  constructor(private readonly abi: Abi) {
    this.width = abi === 'i386' ? (1n << 32n) - 1n : (1n << 64n) - 1n;
  }

  addRule(rule: ProfileRule, name: string): void {
    const action = actionValueOf(rule.action);
    for (const conditions of conditionGroups(rule.conditions)) {
      const origin = { ruleIndex: rule.index, name, multiplexer: null, comment: rule.comment } as const;
      const multiplexed = this.abi === 'i386' ? multiplexerOf(name) : null;
      if (multiplexed !== null) {
        const replaced = [{ index: 0, op: 'SCMP_CMP_EQ', value: BigInt(multiplexed.argument), valueTwo: 0n } as const, ...conditions.filter((condition) => condition.index !== 0)];
        this.add(multiplexed.nr, multiplexed.via, action, replaced, { ...origin, multiplexer: multiplexed.via });
      }
      const nr = SYSCALL_TABLES[this.abi].get(name);
      if (nr !== undefined) this.add(nr, name, action, conditions, origin);
    }
  }

  private add(nr: number, name: string, action: number, conditions: readonly Omit<ProfileCondition, 'location'>[], origin: RuleOrigin): void {
    const normalised = conditions.map((condition) => this.normalise(condition)).filter((condition): condition is ResolvedCondition => condition !== null);
    normalised.sort((a, b) => a.index - b.index);
    const entry = this.entries.get(nr) ?? { name, unconditional: null, conditional: [] };
    this.entries.set(nr, entry);
    if (entry.unconditional !== null) return;
    const rule = { action, conditions: normalised, origin };
    if (normalised.length === 0) {
      entry.unconditional = rule;
      entry.conditional.length = 0;
    } else entry.conditional.push(rule);
  }

  /** The condition at this ABI's width; null when it always holds (a MASKED_EQ with a zero mask). */
  private normalise(condition: Omit<ProfileCondition, 'location'>): ResolvedCondition | null {
    if (condition.op === 'SCMP_CMP_MASKED_EQ') {
      const mask = condition.value & this.width;
      if (mask === 0n) return null;
      return { index: condition.index, op: condition.op, mask, datum: condition.valueTwo & mask };
    }
    return { index: condition.index, op: condition.op, mask: this.width, datum: condition.value & this.width };
  }

  finish(): AbiSection {
    const syscalls: SyscallFilter[] = [];
    for (const nr of [...this.entries.keys()].sort((a, b) => a - b)) {
      const entry = this.entries.get(nr)!;
      const rules = entry.unconditional !== null ? [entry.unconditional] : sortByPrecedence(entry.conditional);
      syscalls.push({ nr, name: entry.name, rules });
    }
    return { abi: this.abi, auditArch: AUDIT_ARCH_OF_ABI[this.abi], syscalls };
  }
}

/** Most restrictive action first (kernel precedence); equal actions keep profile order. */
function sortByPrecedence(rules: readonly ResolvedRule[]): ResolvedRule[] {
  return rules
    .map((rule, order) => ({ rule, order, rank: actionRank(decodeAction(rule.action).action) }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ rule }) => rule);
}

/** runc matchCall: one rule with all conditions, or one rule per condition when an argument repeats. */
function conditionGroups(conditions: readonly ProfileCondition[]): (readonly ProfileCondition[])[] {
  if (conditions.length === 0) return [[]];
  const counts = new Array<number>(ARGUMENT_COUNT).fill(0);
  for (const condition of conditions) counts[condition.index] += 1;
  return counts.some((count) => count > 1) ? conditions.map((condition) => [condition]) : [conditions];
}

function multiplexerOf(name: string): { nr: number; via: 'socketcall' | 'ipc'; argument: number } | null {
  const socket = SOCKETCALL_NUMBERS.get(name);
  if (socket !== undefined) return { nr: I386_SOCKETCALL, via: 'socketcall', argument: socket };
  const ipc = IPC_NUMBERS.get(name);
  if (ipc !== undefined) return { nr: I386_IPC, via: 'ipc', argument: ipc };
  return null;
}
