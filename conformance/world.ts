/**
 * A case made exact, the same for both sides: the whole file tree (the simulator's
 * default tree of vfs/setup.ts with the case's entries on top, parents first), and the
 * starting credentials with every default filled in and every capability set a mask.
 *
 * "All capabilities" means all that this machine's root holds: a kernel may lack some
 * (a container drops CAP_SYS_RESOURCE, an older kernel has fewer than 41), and the
 * simulator then starts with the same sets, so both sides begin alike. A case that
 * names a capability the machine lacks is skipped with that reason.
 */
import type { FsEntry } from '../engine/kernel/vfs/setup.js';
import { mergedEntries } from '../engine/kernel/vfs/setup.js';
import { ALL_CAPS, capabilityNumber, constantValue } from '../engine/kernel/syscall/constants.js';
import type { Caps, CaseEntry, ConformanceCase, StartCredentials } from './case.js';
import type { CredentialIds } from '../engine/kernel/cred/state.js';

/** The simulator's stand-in for a probe's content (the real side copies the helper there). */
export const PROBE_CONTENT = '\x7fELF isolab conformance probe';

/** Exact starting credentials (credentials(7)); capability sets as masks. */
export interface ExactCredentials extends CredentialIds {
  readonly permitted: bigint;
  readonly effective: bigint;
  readonly inheritable: bigint;
  readonly bounding: bigint;
  readonly ambient: bigint;
  readonly securebits: number;
  readonly noNewPrivs: boolean;
}

export interface ExactWorld {
  /** Every entry of the tree, parents first (what both sides build). */
  readonly entries: readonly FsEntry[];
  /** Paths whose content is the probe program. */
  readonly probes: ReadonlySet<string>;
  readonly credentials: ExactCredentials;
  readonly cwd: string;
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Masks of a capability list; the names the machine lacks are returned apart. */
function maskOf(caps: Caps, machineCaps: bigint): { mask: bigint; missing: string[] } {
  if (caps === 'all') return { mask: machineCaps, missing: [] };
  if ('allBut' in caps) return { mask: machineCaps & ~maskOf(caps.allBut, ALL_CAPS).mask, missing: [] };
  let mask = 0n;
  const missing: string[] = [];
  for (const name of caps) {
    const number = capabilityNumber(name);
    if (number === null) throw new Error(`${name} is not a capability`);
    const bit = 1n << BigInt(number);
    if ((machineCaps & bit) === 0n) missing.push(name);
    mask |= bit;
  }
  return { mask, missing };
}

/** A capability list as a mask; 'all' is the machine's set. */
export function capsMask(caps: Caps, machineCaps: bigint): bigint {
  return maskOf(caps, machineCaps).mask;
}

function securebitsOf(names: readonly string[]): number {
  return names.reduce((bits, name) => {
    const value = name.startsWith('SECBIT_') ? constantValue(name) : null;
    if (value === null) throw new Error(`${name} is not a securebit`);
    return bits | value;
  }, 0);
}

export function exactCredentials(start: StartCredentials, machineCaps: bigint): Resolved<ExactCredentials> {
  const euid = start.euid ?? start.uid;
  const gid = start.gid ?? start.uid;
  const egid = start.egid ?? gid;
  const missing: string[] = [];
  const mask = (caps: Caps): bigint => {
    const resolved = maskOf(caps, machineCaps);
    missing.push(...resolved.missing);
    return resolved.mask;
  };
  const permitted = mask(start.caps ?? (euid === 0 ? 'all' : []));
  const credentials: ExactCredentials = {
    ruid: start.uid,
    euid,
    suid: start.suid ?? euid,
    fsuid: start.fsuid ?? euid,
    rgid: gid,
    egid,
    sgid: start.sgid ?? egid,
    fsgid: start.fsgid ?? egid,
    groups: start.groups ?? [],
    permitted,
    effective: start.effective === undefined ? permitted : mask(start.effective),
    inheritable: mask(start.inheritable ?? []),
    bounding: mask(start.bounding ?? 'all'),
    ambient: mask(start.ambient ?? []),
    securebits: securebitsOf(start.securebits ?? []),
    noNewPrivs: start.noNewPrivs ?? false,
  };
  if (missing.length > 0) return { ok: false, reason: `this machine's root lacks ${[...new Set(missing)].join(', ')}` };
  return { ok: true, value: credentials };
}

function fsEntryOf(entry: CaseEntry): FsEntry {
  switch (entry.kind) {
    case 'dir':
      return { kind: 'dir', path: entry.path, mode: entry.options.mode ?? 0o755, uid: entry.options.owner ?? 0, gid: entry.options.group ?? 0 };
    case 'file':
      return { kind: 'file', path: entry.path, mode: entry.options.mode ?? 0o644, uid: entry.options.owner ?? 0, gid: entry.options.group ?? 0, content: entry.content, fileCaps: null };
    case 'symlink':
      return { kind: 'symlink', path: entry.path, mode: 0o777, uid: 0, gid: 0, target: entry.target };
    case 'probe': {
      const { caps, inheritable, effective } = entry.options;
      const hasCaps = caps !== undefined || inheritable !== undefined;
      const fileCaps = hasCaps
        ? { permitted: hexMask(maskOf(caps ?? [], ALL_CAPS).mask), inheritable: hexMask(maskOf(inheritable ?? [], ALL_CAPS).mask), effective: effective ?? false }
        : null;
      return { kind: 'file', path: entry.path, mode: entry.options.mode ?? 0o755, uid: entry.options.owner ?? 0, gid: entry.options.group ?? 0, content: PROBE_CONTENT, fileCaps };
    }
  }
}

const hexMask = (mask: bigint) => '0x' + mask.toString(16);

/** The case's world, or why this machine cannot start it. */
export function exactWorld(conformanceCase: ConformanceCase, machineCaps: bigint): Resolved<ExactWorld> {
  const credentials = exactCredentials(conformanceCase.process, machineCaps);
  if (!credentials.ok) return credentials;
  const own = conformanceCase.entries.map(fsEntryOf);
  const probes = new Set(conformanceCase.entries.filter((entry) => entry.kind === 'probe').map((entry) => entry.path));
  return { ok: true, value: { entries: mergedEntries(own), probes, credentials: credentials.value, cwd: conformanceCase.process.cwd ?? '/' } };
}

/** The case's own entries as the fs block declares them (the default tree is implied). */
export function caseFsEntries(conformanceCase: ConformanceCase): FsEntry[] {
  return conformanceCase.entries.map(fsEntryOf);
}
