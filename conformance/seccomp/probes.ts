/**
 * The seccomp probe table: which profile, for which container (bounding capability set),
 * which system calls with which arguments. Every probe is named
 * `<profile>/<cap set>/<abi>/<call>(<args>)` and asked of the real kernel and of the
 * simulator. The calls never run on the real side (see probe-helper.c), so arguments are
 * chosen for what the filter tests, not for safety; zero where nothing is tested.
 *
 * Not probed on x86-64: write, exit, exit_group and rt_sigreturn (the child reports with
 * them, so the probe filter lets them through) — every profile here allows them; and
 * uretprobe and uprobe, which the kernel lets through seccomp unfiltered on the native
 * arch (kernel/seccomp.c seccomp_uprobe_exception, Linux 6.14 and 6.18): no filter decides
 * them, and a probe of them would really run (measured: uprobe answers ENXIO outside a
 * uprobe trampoline).
 */
import { I386_SYSCALLS, X86_64_SYSCALLS, type SyscallRow } from '../../engine/generated/syscall-tables.js';

export type ProbeAbi = 'x86_64' | 'i386';

export interface Probe {
  readonly id: string;
  readonly abi: ProbeAbi;
  /** The call's name on that ABI (for libseccomp's resolution), or `#nr` for a raw number. */
  readonly name: string;
  readonly nr: number;
  /** Six unsigned values: 64-bit on x86-64, 32-bit on i386 (its registers are 32-bit). */
  readonly args: readonly bigint[];
}

export interface CapSet {
  readonly id: string;
  readonly caps: readonly string[];
}

export interface ProbeGroup {
  /** `<profile>/<cap set>`. */
  readonly id: string;
  /** Relative to the repository's root. */
  readonly profileFile: string;
  readonly capSet: CapSet;
  readonly probes: readonly Probe[];
}

/** Docker's default bounding set (moby daemon/pkg/oci/caps/defaults.go DefaultCapabilities). */
export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

/** Every capability up to CAP_CHECKPOINT_RESTORE (include/uapi/linux/capability.h): `docker run --privileged`. */
export const ALL_CAP_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export const CAP_SETS: readonly CapSet[] = [
  { id: 'no-caps', caps: [] },
  { id: 'docker-default-caps', caps: DOCKER_DEFAULT_CAPS },
  { id: 'plus-CAP_SYS_ADMIN', caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'] },
  { id: 'plus-CAP_SYS_PTRACE', caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_PTRACE'] },
  { id: 'plus-CAP_SYSLOG', caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYSLOG'] },
  { id: 'plus-CAP_BPF-CAP_PERFMON-CAP_SYS_TIME', caps: [...DOCKER_DEFAULT_CAPS, 'CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_TIME'] },
  { id: 'all-caps', caps: ALL_CAP_NAMES },
];

/** The cap sets whose every i386 call is probed too (the others probe i386 only where arguments matter). */
const I386_FULL_CAP_SETS = new Set(['no-caps', 'docker-default-caps', 'all-caps']);

/** Left unprobed on x86-64: the child's own way out (see probe-helper.c) and seccomp's exceptions. */
const X86_64_UNPROBED_CALLS = new Set(['write', 'exit', 'exit_group', 'rt_sigreturn', 'uretprobe', 'uprobe']);
const PR_GET_DUMPABLE = 3n;
const X32_SYSCALL_BIT = 0x40000000;

const hexArg = (value: bigint): string => `0x${value.toString(16)}`;

function probeOf(prefix: string, abi: ProbeAbi, name: string, nr: number, given: readonly bigint[] = []): Probe {
  const args = [0, 1, 2, 3, 4, 5].map((i) => given[i] ?? 0n);
  const shown = given.length === 0 ? '' : given.map(hexArg).join(',');
  return { id: `${prefix}/${abi}/${name}(${shown})`, abi, name, nr, args };
}

function numberOf(table: readonly SyscallRow[], name: string): number {
  const row = table.find((candidate) => candidate[1] === name);
  if (row === undefined) throw new Error(`no system call ${name} in the table`);
  return row[0];
}

/** Every x86-64 call by name; prctl with PR_GET_DUMPABLE (PR_SET_SECCOMP is the child's). */
function everyX8664Call(prefix: string): Probe[] {
  return X86_64_SYSCALLS.filter(([, name]) => !X86_64_UNPROBED_CALLS.has(name)).map(([nr, name]) =>
    probeOf(prefix, 'x86_64', name, nr, name === 'prctl' ? [PR_GET_DUMPABLE] : []),
  );
}

function everyI386Call(prefix: string): Probe[] {
  return I386_SYSCALLS.map(([nr, name]) => probeOf(prefix, 'i386', name, nr));
}

/** docker-default allows personality for exactly 0x0, 0x8, 0x20000, 0x20008, 0xffffffff (64-bit equality on x86-64). */
const PERSONALITY_VALUES = [0x0n, 0x8n, 0x20000n, 0x20008n, 0xffffffffn, 0x1n, 0x9n, 0x40000n, 0x20009n, 0x400000n, 0xfffffffen, 0x100000000n, 0x100000008n, 0xffffffffffffffffn];

/** clone flags: docker allows clone when (flags & 0x7E020000) == 0, i.e. no CLONE_NEW* but NEWTIME. */
const CLONE_FLAGS = [
  0x0n, 0x11n, 0x3d0f00n, 0x20000n, 0x2000000n, 0x4000000n, 0x8000000n, 0x10000000n, 0x20000000n, 0x40000000n, 0x80n,
  0x80000000n, 0x7e020000n, 0x1003d0f11n, 0x100020000n, 0x7e020000n | 0xffn, 0x1fffffffn,
];

/** socket families 0..45: docker's rules (LT 38, EQ 39, GT 40) leave out AF_ALG (38) and AF_VSOCK (40). */
const SOCKET_FAMILIES = [...Array.from({ length: 46 }, (_, i) => BigInt(i)), 0x100000026n, 0x100000028n, 0xffffffffn];

function argumentProbes(prefix: string, abi: ProbeAbi): Probe[] {
  const table = abi === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS;
  const fits = (value: bigint) => abi === 'x86_64' || value <= 0xffffffffn;
  const probes: Probe[] = [];
  for (const value of PERSONALITY_VALUES.filter(fits)) probes.push(probeOf(prefix, abi, 'personality', numberOf(table, 'personality'), [value]));
  for (const family of SOCKET_FAMILIES.filter(fits)) probes.push(probeOf(prefix, abi, 'socket', numberOf(table, 'socket'), [family, 1n, 0n]));
  for (const flags of CLONE_FLAGS.filter(fits)) probes.push(probeOf(prefix, abi, 'clone', numberOf(table, 'clone'), [flags]));
  return probes;
}

/** Numbers no x86-64 call has, and x32 calls (same AUDIT_ARCH_X86_64, nr | __X32_SYSCALL_BIT). */
function rawNumberProbes(prefix: string): Probe[] {
  const unused = [337, 423, 470, 511, 1000, 0x3fffffff];
  const x32 = [0, 39, 165, 272, 512, 520, 545];
  return [...unused, ...x32.map((nr) => nr | X32_SYSCALL_BIT)].map((nr) => probeOf(prefix, 'x86_64', `#${nr}`, nr));
}

function dockerDefaultGroup(capSet: CapSet): ProbeGroup {
  const id = `docker-default/${capSet.id}`;
  const probes = [...everyX8664Call(id), ...argumentProbes(id, 'x86_64'), ...rawNumberProbes(id), ...argumentProbes(id, 'i386')];
  if (I386_FULL_CAP_SETS.has(capSet.id)) probes.push(...everyI386Call(id));
  return { id, profileFile: 'data/seccomp/docker-default.json', capSet, probes };
}

/** Values around the boundaries the actions profile tests (both 32-bit halves matter). */
const BOUNDARY_VALUES = [
  0x0n, 0x4n, 0x5n, 0x6n, 0x7n, 0x9n, 0xan, 0x64n, 0xffffffffn, 0x100000000n, 0x100000004n, 0x100000005n, 0x100000006n,
  0xdeadbeefn, 0xdeadbeef00000001n, 0xdeadbeef00000002n, 0x1200000000000034n, 0x12ffffffffffff34n, 0x1300000000000034n,
  0x34n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn,
];

/** The calls conformance/seccomp/profiles/actions.json gives a rule, with the argument each rule tests. */
const ACTION_CALLS: readonly (readonly [string, number])[] = [
  ['getpid', -1], ['getppid', -1], ['getuid', -1], ['getgid', -1], ['geteuid', -1], ['getegid', -1], ['gettid', -1],
  ['sched_yield', -1], ['umask', -1], ['lseek', 1], ['dup', 0], ['dup2', 0], ['alarm', 0], ['getpgid', 0], ['getsid', 0],
  ['setpgid', 1], ['sync', -1],
];

function actionsGroup(capSet: CapSet): ProbeGroup {
  const id = `actions/${capSet.id}`;
  const probes: Probe[] = [];
  for (const abi of ['x86_64', 'i386'] as const) {
    const table = abi === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS;
    for (const [name, argIndex] of ACTION_CALLS) {
      const nr = numberOf(table, name);
      if (argIndex < 0) {
        probes.push(probeOf(id, abi, name, nr));
        continue;
      }
      const values = BOUNDARY_VALUES.filter((value) => abi === 'x86_64' || value <= 0xffffffffn);
      for (const value of values) probes.push(probeOf(id, abi, name, nr, argIndex === 0 ? [value] : [0n, value]));
    }
    // kill(pid, sig): two conditions on different arguments, ANDed.
    for (const pid of [6n, 7n, 0x100000007n]) for (const signal of [9n, 10n, 0x10000000an]) if (abi === 'x86_64' || (pid <= 0xffffffffn && signal <= 0xffffffffn)) probes.push(probeOf(id, abi, 'kill', numberOf(table, 'kill'), [pid, signal]));
  }
  return { id, profileFile: 'conformance/seccomp/profiles/actions.json', capSet, probes };
}

/** A filter that lists only x86-64: libseccomp answers every other architecture with its bad-arch action. */
function nativeOnlyGroup(capSet: CapSet): ProbeGroup {
  const id = `x86_64-only/${capSet.id}`;
  const names = ['getpid', 'getppid', 'mount', 'unshare', 'open', 'socket', 'personality'];
  const probes = (['x86_64', 'i386'] as const).flatMap((abi) => names.map((name) => probeOf(id, abi, name, numberOf(abi === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS, name))));
  return { id, profileFile: 'conformance/seccomp/profiles/x86_64-only.json', capSet, probes };
}

export const PROBE_GROUPS: readonly ProbeGroup[] = [...CAP_SETS.map(dockerDefaultGroup), actionsGroup(CAP_SETS[1]!), nativeOnlyGroup(CAP_SETS[0]!)];

/** Problems with the table itself: duplicate ids, i386 arguments wider than 32 bits. */
export function probeTableProblems(groups: readonly ProbeGroup[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const probe of groups.flatMap((group) => group.probes)) {
    if (seen.has(probe.id)) problems.push(`${probe.id}: the id is used twice`);
    seen.add(probe.id);
    if (probe.abi === 'i386' && probe.args.some((arg) => arg > 0xffffffffn)) problems.push(`${probe.id}: an i386 argument is 32-bit`);
    if (probe.args.length !== 6 || probe.args.some((arg) => arg < 0n || arg > 0xffffffffffffffffn)) problems.push(`${probe.id}: six unsigned 64-bit arguments`);
  }
  return problems;
}
