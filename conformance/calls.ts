/**
 * A case's calls for the real kernel: each call, written as the scenario language writes
 * it (`openat(AT_FDCWD, "/etc/shadow", O_RDONLY)`), parsed by the language's own parser
 * and turned into the raw arguments of syscall(2): numbers (constants resolved with
 * Linux's values), NUL-terminated strings, and zeroed output buffers where the kernel
 * writes (getcwd, read, stat, …). The number is the x86-64 table's (the kernel's own
 * syscall_64.tbl, as isolab carries it).
 *
 * Where the C library's call and the kernel's differ, the kernel's wins, as syscall(2)
 * would see it: setgroups takes (size, list), capset and capget a header and data
 * (capget(2)), getcwd returns the length including the NUL (getcwd(2), "C library/kernel
 * differences"), faccessat has no flags argument (faccessat(2): the raw call takes three).
 */
import type { CallValue, Value } from '../dsl/ast.js';
import { parseScenario } from '../dsl/parse.js';
import { syscallNumber } from '../engine/kernel/syscalls.js';
import { capabilityNumber, constantValue } from '../engine/kernel/syscall/constants.js';
import { argSpecs, SIGNATURES, type ArgKind } from '../engine/kernel/syscall/signatures.js';

/** One raw argument, as the helper's spec writes it. */
export type RawArg =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'out'; readonly sizeBytes: number }
  | { readonly kind: 'gids'; readonly ids: readonly number[] }
  | { readonly kind: 'capHeader' }
  | { readonly kind: 'capData'; readonly effective: bigint; readonly permitted: bigint; readonly inheritable: bigint };

/** What the caller reads back from the kernel after the call. */
export type CallResultShape = { readonly kind: 'plain' } | { readonly kind: 'bytes'; readonly arg: number } | { readonly kind: 'stat'; readonly arg: number };

export interface RawCall {
  readonly text: string;
  readonly name: string;
  readonly nr: number;
  readonly args: readonly RawArg[];
  readonly result: CallResultShape;
}

const STAT_SIZE_BYTES = 144;
const PAGE_BYTES = 4096;

/** Parses `name(args…)` with the scenario grammar. */
export function parseCall(text: string): CallValue | { readonly kind: 'word'; readonly value: string } {
  const document = parseScenario(`p: syscall ${text}\n`, 'conformance-call.isl');
  const step = document.statements[0];
  if (step === undefined || step.kind !== 'step' || step.args.length !== 1) throw new Error(`"${text}" is not one system call`);
  const value = step.args[0]!;
  if (value.kind === 'call') return value;
  if (value.kind === 'word') return { kind: 'word', value: value.value };
  throw new Error(`"${text}" is not a system call`);
}

function integerOf(value: Value, kind: ArgKind): bigint {
  switch (value.kind) {
    case 'number':
      return BigInt.asUintN(64, value.value);
    case 'union':
      return value.parts.reduce((all, part) => all | integerOf(part, kind), 0n);
    case 'word': {
      if (value.value === 'NULL') return 0n;
      if (kind === 'caps') {
        const cap = capabilityNumber(value.value);
        if (cap === null) throw new Error(`${value.value} is not a capability`);
        return 1n << BigInt(cap);
      }
      const known = constantValue(value.value);
      if (known === null) throw new Error(`${value.value} is not a constant isolab knows`);
      return BigInt.asUintN(64, BigInt(known));
    }
    default:
      throw new Error(`expected a number or a constant, found a ${value.kind}`);
  }
}

function stringOf(value: Value): string {
  if (value.kind !== 'string') throw new Error(`expected a "string", found a ${value.kind}`);
  return value.value;
}

/** An argument by the kind its signature gives it; `count` sizes a `buf` output buffer. */
function generic(value: Value, kind: ArgKind, count: number): RawArg {
  if (kind === 'path' || kind === 'str') return { kind: 'string', text: stringOf(value) };
  if ((kind === 'buf' || kind === 'ptr') && value.kind === 'string') return { kind: 'string', text: value.value };
  if ((kind === 'buf' || kind === 'ptr') && value.kind === 'word' && value.value !== 'NULL') return { kind: 'out', sizeBytes: Math.max(count, 8) };
  return { kind: 'int', value: integerOf(value, kind) };
}

const int = (value: bigint | number): RawArg => ({ kind: 'int', value: BigInt.asUintN(64, BigInt(value)) });
const out = (sizeBytes: number): RawArg => ({ kind: 'out', sizeBytes });

/** Calls whose raw form differs from the scenario's, or that hand back data to compare. */
function special(name: string, values: readonly Value[]): { args: RawArg[]; result: CallResultShape } | null {
  const ints = (kind: ArgKind = 'int') => values.map((value) => integerOf(value, kind));
  switch (name) {
    case 'getcwd': {
      const size = values.length >= 2 ? Number(integerOf(values[1]!, 'int')) : PAGE_BYTES;
      return { args: [out(size), int(size)], result: { kind: 'bytes', arg: 0 } };
    }
    case 'read':
    case 'readlink': {
      const count = Number(integerOf(values[2]!, 'int'));
      const first = name === 'read' ? int(integerOf(values[0]!, 'fd')) : ({ kind: 'string', text: stringOf(values[0]!) } as const);
      return { args: [first, out(count), int(count)], result: { kind: 'bytes', arg: 1 } };
    }
    case 'stat':
    case 'lstat':
      return { args: [{ kind: 'string', text: stringOf(values[0]!) }, out(STAT_SIZE_BYTES)], result: { kind: 'stat', arg: 1 } };
    case 'fstat':
      return { args: [int(integerOf(values[0]!, 'fd')), out(STAT_SIZE_BYTES)], result: { kind: 'stat', arg: 1 } };
    case 'getresuid':
    case 'getresgid':
      return { args: [out(4), out(4), out(4)], result: { kind: 'plain' } };
    case 'getgroups': {
      const size = values.length >= 1 ? Number(integerOf(values[0]!, 'int')) : 0;
      return { args: [int(size), size === 0 ? int(0) : out(size * 4)], result: { kind: 'plain' } };
    }
    case 'setgroups': {
      const ids = ints().map(Number);
      return { args: [int(ids.length), { kind: 'gids', ids }], result: { kind: 'plain' } };
    }
    case 'capset': {
      const [effective, permitted, inheritable] = ints('caps');
      return { args: [{ kind: 'capHeader' }, { kind: 'capData', effective: effective!, permitted: permitted!, inheritable: inheritable! }], result: { kind: 'plain' } };
    }
    case 'capget':
      return { args: [{ kind: 'capHeader' }, out(24)], result: { kind: 'plain' } };
    case 'prctl': {
      const given = ints();
      return { args: [0, 1, 2, 3, 4].map((i) => int(given[i] ?? 0n)), result: { kind: 'plain' } };
    }
    case 'execve':
      return { args: values.map((value) => ({ kind: 'string', text: stringOf(value) }) as const), result: { kind: 'plain' } };
    default:
      return null;
  }
}

/**
 * The calls the real side will make. Everything here acts on the calling process or on
 * paths, and a case's paths all lie in its own tmpfs; calls that reach other processes
 * (kill, ptrace), the machine (reboot, sethostname) or the network are not on it.
 */
const REAL_SIDE_CALLS: ReadonlySet<string> = new Set([
  'read', 'write', 'open', 'openat', 'close', 'lseek', 'stat', 'lstat', 'fstat', 'access', 'faccessat',
  'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'symlink', 'symlinkat', 'link', 'rename', 'readlink',
  'chmod', 'fchmod', 'fchmodat', 'chown', 'lchown', 'fchown', 'fchownat', 'umask', 'chdir', 'fchdir', 'getcwd',
  'chroot', 'pivot_root', 'mount', 'umount2', 'dup', 'dup2', 'dup3', 'getdents64',
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
  'getresuid', 'getresgid', 'getgroups', 'capget', 'capset', 'prctl', 'execve',
  'getpid', 'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid',
]);

/** File systems a case may mount: none that reaches the host (no proc, sysfs, block devices). */
const MOUNTABLE = new Set(['tmpfs', '', 'none']);

/** Why the real side will not make this call, or null when it may. */
export function refusalOf(call: RawCall): string | null {
  if (!REAL_SIDE_CALLS.has(call.name)) return `${call.name} is not among the calls the real side makes (conformance/calls.ts, REAL_SIDE_CALLS)`;
  if (call.name === 'mount') {
    const fstype = call.args[2];
    if (fstype === undefined || fstype.kind !== 'string' || !MOUNTABLE.has(fstype.text)) return 'a case may mount only tmpfs or bind mounts (filesystem type "tmpfs", "" or "none")';
  }
  return null;
}

/** The raw call a scenario call stands for. */
export function rawCallOf(text: string): RawCall {
  const parsed = parseCall(text);
  const name = parsed.kind === 'call' ? parsed.name : parsed.value;
  const values = parsed.kind === 'call' ? parsed.args : [];
  const nr = syscallNumber('x86_64', name);
  if (nr === null) throw new Error(`${name} is not an x86-64 system call`);
  const shaped = special(name, values);
  if (shaped !== null) return { text, name, nr, ...shaped };
  const signature = SIGNATURES[name];
  if (signature === undefined) throw new Error(`${name} has no signature in engine/kernel/syscall/signatures.ts`);
  const specs = argSpecs(signature);
  const args = values.map((value, i) => {
    const next = values[i + 1];
    const count = next !== undefined && next.kind === 'number' ? Number(next.value) : PAGE_BYTES;
    return generic(value, specs[Math.min(i, specs.length - 1)]!.kind, count);
  });
  return { text, name, nr, args, result: { kind: 'plain' } };
}
