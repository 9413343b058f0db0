/**
 * What a conformance case is: a small world (files, directories, symbolic links and
 * mounts on top of the simulator's default tree), one process with exact starting
 * credentials, and a script of system calls written as the scenario language writes
 * them. The same case runs on the machine's real Linux kernel (real.ts) and on the
 * simulator (simulated.ts); the suite asserts both tell the same story.
 *
 * Each call carries what Linux does, strace-style: `"setuid(0) = EPERM"`,
 * `"getcwd() = 5 \"/srv\\u0000\""`. That expectation is checked against the real kernel
 * (so a case that tests the wrong thing, or a broken helper, shows up), never against
 * the simulator, which is compared with the real outcome as a whole.
 */

/**
 * A capability set: `'all'` (every capability this machine's root has), names, or
 * `{ allBut: names }` (the machine's set without those).
 */
export type Caps = 'all' | readonly string[] | { readonly allBut: readonly string[] };

export const allBut = (...names: string[]): Caps => ({ allBut: names });

export interface EntryOptions {
  readonly mode?: number;
  readonly owner?: number;
  readonly group?: number;
}

export interface ProbeOptions extends EntryOptions {
  /** File capabilities (security.capability): permitted and inheritable sets, effective bit. */
  readonly caps?: readonly string[];
  readonly inheritable?: readonly string[];
  readonly effective?: boolean;
}

export type CaseEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly options: EntryOptions }
  | { readonly kind: 'file'; readonly path: string; readonly content: string; readonly options: EntryOptions }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  /** An executable that reports the credentials execve gave it (the helper itself on the real side). */
  | { readonly kind: 'probe'; readonly path: string; readonly options: ProbeOptions };

export interface MountFlagsOption {
  readonly readonly?: boolean;
  readonly nosuid?: boolean;
  readonly noexec?: boolean;
  readonly nodev?: boolean;
}

export type CaseMount =
  | { readonly kind: 'bind'; readonly source: string; readonly target: string; readonly flags: MountFlagsOption }
  | { readonly kind: 'tmpfs'; readonly target: string; readonly flags: MountFlagsOption };

/** The process's credentials before the first call (credentials(7), capabilities(7)). */
export interface StartCredentials {
  readonly uid: number;
  readonly gid?: number;
  readonly euid?: number;
  readonly suid?: number;
  readonly fsuid?: number;
  readonly egid?: number;
  readonly sgid?: number;
  readonly fsgid?: number;
  readonly groups?: readonly number[];
  /** Permitted set; also the effective set unless `effective` is given. Default: all for uid 0, none otherwise. */
  readonly caps?: Caps;
  readonly effective?: Caps;
  readonly inheritable?: Caps;
  readonly ambient?: Caps;
  readonly bounding?: Caps;
  /** SECBIT_* names. */
  readonly securebits?: readonly string[];
  readonly noNewPrivs?: boolean;
  readonly cwd?: string;
}

/** Credentials after the last call that the case pins (checked on the real kernel). */
export interface PinnedCredentials {
  readonly ruid?: number;
  readonly euid?: number;
  readonly suid?: number;
  readonly fsuid?: number;
  readonly rgid?: number;
  readonly egid?: number;
  readonly sgid?: number;
  readonly fsgid?: number;
  readonly groups?: readonly number[];
  readonly permitted?: Caps;
  readonly effective?: Caps;
  readonly inheritable?: Caps;
  readonly bounding?: Caps;
  readonly ambient?: Caps;
  readonly securebits?: readonly string[];
  readonly noNewPrivs?: boolean;
}

export type Area = 'credentials' | 'capabilities' | 'dac' | 'path' | 'chroot' | 'pivot_root' | 'exec';

export interface ConformanceCase {
  /** Unique, `area/what-it-shows`. */
  readonly id: string;
  readonly area: Area;
  /** The rule, in one sentence, and where Linux defines it. */
  readonly rule: string;
  readonly entries: readonly CaseEntry[];
  readonly mounts: readonly CaseMount[];
  readonly process: StartCredentials;
  /** `call(args) = RESULT ["bytes"]`: RESULT is a number, an errno name, or * for any. */
  readonly calls: readonly string[];
  readonly after?: PinnedCredentials;
}

// ------------------------------------------------------------------ builders

export const dir = (path: string, options: EntryOptions = {}): CaseEntry => ({ kind: 'dir', path, options });
export const file = (path: string, content: string, options: EntryOptions = {}): CaseEntry => ({ kind: 'file', path, content, options });
export const symlink = (path: string, target: string): CaseEntry => ({ kind: 'symlink', path, target });
export const probe = (path: string, options: ProbeOptions = {}): CaseEntry => ({ kind: 'probe', path, options });
export const bind = (source: string, target: string, flags: MountFlagsOption = {}): CaseMount => ({ kind: 'bind', source, target, flags });
export const tmpfs = (target: string, flags: MountFlagsOption = {}): CaseMount => ({ kind: 'tmpfs', target, flags });

/** The two users most cases need: root (every capability) and alice (1000, none). */
export const ROOT: StartCredentials = { uid: 0, gid: 0 };
export const ALICE: StartCredentials = { uid: 1000, gid: 1000 };

export interface CaseInput {
  readonly id: string;
  readonly rule: string;
  readonly fs?: readonly (CaseEntry | CaseMount)[];
  readonly process: StartCredentials;
  readonly calls: readonly string[];
  readonly after?: PinnedCredentials;
}

function isMount(item: CaseEntry | CaseMount): item is CaseMount {
  return item.kind === 'bind' || item.kind === 'tmpfs';
}

/** A case of one area; its fs list mixes entries and mounts in the order written. */
export function caseOf(area: Area, input: CaseInput): ConformanceCase {
  const items = input.fs ?? [];
  return {
    id: input.id,
    area,
    rule: input.rule,
    entries: items.filter((item): item is CaseEntry => !isMount(item)),
    mounts: items.filter(isMount),
    process: input.process,
    calls: input.calls,
    ...(input.after === undefined ? {} : { after: input.after }),
  };
}

// ------------------------------------------------------------------ expectations

export type ExpectedResult = { readonly kind: 'any' } | { readonly kind: 'returns'; readonly value: number } | { readonly kind: 'errno'; readonly name: string };

export interface CallLine {
  /** The call as the scenario language writes it. */
  readonly call: string;
  readonly expected: ExpectedResult;
  /** Bytes the call hands back (getcwd, read, readlink), when the case pins them. */
  readonly bytes: string | null;
}

/** Splits `call(args) = RESULT ["bytes"]` at its last ` = ` outside quotes. */
export function parseCallLine(line: string): CallLine {
  const cut = lastSeparator(line);
  if (cut < 0) throw new Error(`conformance case call "${line}" has no " = RESULT"`);
  const call = line.slice(0, cut).trim();
  const rest = line.slice(cut + 3).trim();
  const match = /^(\*|-?\d+|E[A-Z0-9]+)(?:\s+("(?:[^"\\]|\\.)*"))?$/.exec(rest);
  if (match === null) throw new Error(`conformance case call "${line}": the result must be a number, an errno name or *, then optionally a "string"`);
  const [, result, quoted] = match;
  const expected: ExpectedResult = result === '*' ? { kind: 'any' } : /^-?\d/.test(result!) ? { kind: 'returns', value: Number(result) } : { kind: 'errno', name: result! };
  return { call, expected, bytes: quoted === undefined ? null : (JSON.parse(quoted) as string) };
}

function lastSeparator(line: string): number {
  let inString = false;
  let found = -1;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && inString) i++;
    else if (char === '"') inString = !inString;
    else if (!inString && line.startsWith(' = ', i)) found = i;
  }
  return found;
}
