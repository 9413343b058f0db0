/**
 * Processes and the file system of a scenario: `process NAME { uid, gid, groups, cwd,
 * caps, bounding, catch, role }` and the `fs { … }` block of directories, files (with
 * modes, owners, content, setuid bits and file capabilities), symbolic links and mounts.
 * Paths here must be absolute: they name places before any process has a cwd.
 */
import { PROCESS_PROPERTY_EXTENSIONS, type ExtensionContext } from './extensions.js';
import type { Command } from '../../engine/core/decider.js';
import { ALL_CAPS, capabilityNumber, CAPABILITIES, constantNames, constantValue } from '../../engine/kernel/syscall/constants.js';
import { credentialsData, credentialsFor, type Credentials } from '../../engine/kernel/cred/state.js';
import type { FsEntry, MountSpec } from '../../engine/kernel/vfs/setup.js';
import type { BlockStatement, ProcessStatement, Property, SettingStatement, Span, Value } from '../ast.js';
import { nearest } from '../suggest.js';
import {
  type Bindings,
  describe,
  expectChoice,
  expectInteger,
  expectOnOff,
  expectSmallInteger,
  expectString,
  expectWord,
  fail,
  resolve,
  suggestionNotes,
} from './values.js';

export const RESERVED_ACTORS = new Set(['kernel', 'cpu', 'observer', 'scenario', 'raw', 'mmu', 'tlb', 'engine']);
function processProperties(): string[] {
  return [...PROCESS_PROPERTIES, ...Object.keys(PROCESS_PROPERTY_EXTENSIONS)];
}

const PROCESS_PROPERTIES = [
  'uid',
  'gid',
  'euid',
  'suid',
  'fsuid',
  'egid',
  'sgid',
  'fsgid',
  'groups',
  'cwd',
  'caps',
  'effective',
  'inheritable',
  'ambient',
  'bounding',
  'securebits',
  'no_new_privs',
  'catch',
  'role',
];
/** Ids a process may set apart from uid/gid (which set all four of their kind). */
const SEPARATE_IDS = ['euid', 'suid', 'fsuid', 'egid', 'sgid', 'fsgid'] as const;
/** Capability sets besides caps (permitted and effective at once) and bounding. */
const OTHER_SETS = ['effective', 'inheritable', 'ambient'] as const;

export interface CompiledProcess {
  readonly command: Command;
  /** Setup its extension properties add (a seccomp filter, a monitor), after it is created. */
  readonly then: readonly Command[];
  readonly attacker: boolean;
}

function partsOf(value: Value, bindings: Bindings): Value[] {
  const resolved = resolve(value, bindings);
  return resolved.kind === 'union' ? [...resolved.parts] : [resolved];
}

/** An absolute path from a "string", located. */
export function expectAbsolutePath(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): string {
  const path = expectString(value, what, anchor, bindings);
  if (!path.startsWith('/')) {
    fail('E_PATH', `${what} must be an absolute path, found "${path}"`, (value ?? { loc: anchor }).loc, [`write "/${path.replace(/^\.?\/*/, '')}" if you meant it from the root`]);
  }
  return path.replace(/\/+$/, '') || '/';
}

/** `CAP_SETUID|CAP_NET_RAW`, `all` or `none`, as a mask. */
export function expectCapabilities(value: Value, anchor: Span, bindings: Bindings): bigint {
  let mask = 0n;
  for (const part of partsOf(value, bindings)) {
    const word = expectWord(part, 'a capability (CAP_SETUID), all or none', anchor, bindings);
    if (word.value === 'all') mask |= ALL_CAPS;
    else if (word.value === 'none') continue;
    else {
      const number = capabilityNumber(word.value);
      if (number === null) fail('E_UNKNOWN_CAPABILITY', `"${word.value}" is not a capability`, word.loc, suggestionNotes(nearest(word.value.toUpperCase(), CAPABILITIES)));
      mask |= 1n << BigInt(number);
    }
  }
  return mask;
}

export function compileProcess(statement: ProcessStatement, bindings: Bindings, extensions: ExtensionContext): CompiledProcess {
  const name = statement.name.value;
  let attacker = name === 'attacker';
  if (RESERVED_ACTORS.has(name)) fail('E_RESERVED', `"${name}" is a reserved actor name; choose another process name`, statement.name.loc);
  let uid = 1000;
  let gid = 1000;
  let groups: number[] = [];
  let cwd: string | undefined;
  let caps: bigint | null = null;
  let bounding: bigint | null = null;
  const ids: Partial<Record<(typeof SEPARATE_IDS)[number], number>> = {};
  const sets: Partial<Record<(typeof OTHER_SETS)[number], bigint>> = {};
  let securebits = 0;
  let noNewPrivs = false;
  const catches: string[] = [];
  const then: Command[] = [];
  for (const prop of statement.props) {
    const anchor = prop.key.loc;
    const extension = Object.prototype.hasOwnProperty.call(PROCESS_PROPERTY_EXTENSIONS, prop.key.value) ? PROCESS_PROPERTY_EXTENSIONS[prop.key.value]! : null;
    if (extension !== null) {
      then.push(...extension(prop, name, extensions));
      continue;
    }
    switch (prop.key.value) {
      case 'uid':
        uid = expectSmallInteger(prop.value, 'a uid', anchor, bindings, 0, 4294967294);
        break;
      case 'gid':
        gid = expectSmallInteger(prop.value, 'a gid', anchor, bindings, 0, 4294967294);
        break;
      case 'groups':
        groups = partsOf(prop.value, bindings).map((part) => expectSmallInteger(part, 'a group id', anchor, bindings, 0, 4294967294));
        break;
      case 'cwd':
        cwd = expectAbsolutePath(prop.value, 'the working directory', anchor, bindings);
        break;
      case 'caps':
        caps = expectCapabilities(prop.value, anchor, bindings);
        break;
      case 'bounding':
        bounding = expectCapabilities(prop.value, anchor, bindings);
        break;
      case 'euid':
      case 'suid':
      case 'fsuid':
      case 'egid':
      case 'sgid':
      case 'fsgid':
        ids[prop.key.value] = expectSmallInteger(prop.value, `an id for ${prop.key.value}`, anchor, bindings, 0, 4294967294);
        break;
      case 'effective':
      case 'inheritable':
      case 'ambient':
        sets[prop.key.value] = expectCapabilities(prop.value, anchor, bindings);
        break;
      case 'securebits':
        securebits = expectSecurebits(prop.value, anchor, bindings);
        break;
      case 'no_new_privs':
        noNewPrivs = expectOnOff(prop.value, 'no_new_privs', anchor, bindings);
        break;
      case 'role':
        attacker = expectChoice(prop.value, ['attacker', 'victim', 'user'] as const, 'a role', anchor, bindings) === 'attacker';
        break;
      case 'catch':
        for (const part of partsOf(prop.value, bindings)) catches.push(expectWord(part, 'a signal name (SIGSEGV)', anchor, bindings).value);
        break;
      default:
        fail('E_UNKNOWN_PROPERTY', `"${prop.key.value}" is not a property of a process (${processProperties().join(', ')})`, anchor, suggestionNotes(nearest(prop.key.value, processProperties())));
    }
  }
  let creds: Credentials = { ...credentialsFor(uid, gid, groups), ...ids, securebits, noNewPrivs };
  if (caps !== null) creds = { ...creds, caps: { ...creds.caps, permitted: caps, effective: caps } };
  if (bounding !== null) creds = { ...creds, caps: { ...creds.caps, bounding } };
  creds = { ...creds, caps: { ...creds.caps, ...sets } };
  checkCapabilitySets(creds, statement);
  return { command: { type: 'kernel.createProcess', actor: 'kernel', data: { name, creds: credentialsData(creds), cwd, catches } }, then, attacker };
}

/** `SECBIT_NOROOT|SECBIT_KEEP_CAPS` or a number. */
function expectSecurebits(value: Value, anchor: Span, bindings: Bindings): number {
  let bits = 0;
  for (const part of partsOf(value, bindings)) {
    if (part.kind === 'number') {
      bits |= Number(part.value);
      continue;
    }
    const word = expectWord(part, 'a securebit (SECBIT_NOROOT) or a number', anchor, bindings);
    const known = word.value.startsWith('SECBIT_') ? constantValue(word.value) : null;
    if (known === null) fail('E_UNKNOWN_CONSTANT', `"${word.value}" is not a securebit`, word.loc, suggestionNotes(nearest(word.value, constantNames().filter((n) => n.startsWith('SECBIT_')))));
    bits |= known;
  }
  return bits;
}

/** The kernel never lets a process hold these: effective ⊆ permitted, ambient ⊆ permitted ∩ inheritable (capabilities(7)). */
function checkCapabilitySets(creds: Credentials, statement: ProcessStatement): void {
  const { permitted, effective, inheritable, ambient } = creds.caps;
  const where = statement.props.find((prop) => prop.key.value === 'effective' || prop.key.value === 'ambient')?.key.loc ?? statement.name.loc;
  if ((effective & ~permitted) !== 0n) fail('E_CAPABILITIES', 'the effective set must be a subset of the permitted set (caps)', where);
  if ((ambient & ~(permitted & inheritable)) !== 0n) fail('E_CAPABILITIES', 'the ambient set must be a subset of both the permitted and the inheritable sets', where);
}

// ------------------------------------------------------------------ the fs block

const FS_SETTINGS = ['dir', 'file', 'symlink', 'device', 'fifo', 'mount', 'bind'];
const ENTRY_PROPERTIES = ['mode', 'owner', 'group', 'caps', 'inheritable', 'effective'];
const MOUNT_PROPERTIES = ['readonly', 'nosuid', 'noexec', 'nodev'];

export interface CompiledFs {
  readonly entries: FsEntry[];
  readonly mounts: MountSpec[];
}

function propsOf(item: SettingStatement, known: readonly string[]): readonly Property[] {
  for (const prop of item.props ?? []) {
    if (!known.includes(prop.key.value)) {
      fail('E_UNKNOWN_PROPERTY', `"${prop.key.value}" is not a property of ${item.name.value} (${known.join(', ')})`, prop.key.loc, suggestionNotes(nearest(prop.key.value, known)));
    }
  }
  return item.props ?? [];
}

/** A mode: 0755 and 04755 are octal, as in C and chmod(1). */
export function expectMode(value: Value | undefined, anchor: Span, bindings: Bindings): number {
  const mode = expectInteger(value, 'a mode such as 0755', anchor, bindings);
  if (mode < 0n || mode > 0o7777n) fail('E_RANGE', `a mode is at most 07777, found 0${mode.toString(8)}`, (value ?? { loc: anchor }).loc);
  return Number(mode);
}

function entryOf(item: SettingStatement, bindings: Bindings, paths: Set<string>): FsEntry {
  const anchor = item.name.loc;
  const kind = item.name.value;
  const path = expectAbsolutePath(item.args[0], `the ${kind}'s path`, anchor, bindings);
  if (paths.has(path)) fail('E_DUPLICATE', `${path} is declared twice in the fs block`, item.args[0]!.loc);
  paths.add(path);
  let mode = kind === 'dir' ? 0o755 : kind === 'symlink' ? 0o777 : 0o644;
  let uid = 0;
  let gid = 0;
  let permitted: bigint | null = null;
  let inheritable = 0n;
  let effective = false;
  for (const prop of propsOf(item, ENTRY_PROPERTIES)) {
    const at = prop.key.loc;
    if (prop.key.value === 'mode') mode = expectMode(prop.value, at, bindings);
    else if (prop.key.value === 'owner') uid = expectSmallInteger(prop.value, 'an owner uid', at, bindings, 0, 4294967294);
    else if (prop.key.value === 'group') gid = expectSmallInteger(prop.value, 'a group gid', at, bindings, 0, 4294967294);
    else if (prop.key.value === 'caps') permitted = expectCapabilities(prop.value, at, bindings);
    else if (prop.key.value === 'inheritable') inheritable = expectCapabilities(prop.value, at, bindings);
    else effective = expectOnOff(prop.value, 'effective', at, bindings);
  }
  const fileCaps = permitted === null && inheritable === 0n ? null : { permitted: '0x' + (permitted ?? 0n).toString(16), inheritable: '0x' + inheritable.toString(16), effective };
  switch (kind) {
    case 'dir':
      return { kind: 'dir', path, mode, uid, gid };
    case 'file': {
      const content = item.args[1] === undefined ? '' : expectString(item.args[1], 'the file content', anchor, bindings);
      return { kind: 'file', path, mode, uid, gid, content, fileCaps };
    }
    case 'symlink':
      return { kind: 'symlink', path, mode: 0o777, uid, gid, target: expectString(item.args[1], 'the link target', anchor, bindings) };
    case 'device':
      return { kind: 'chardev', path, mode, uid, gid };
    default:
      return { kind: 'fifo', path, mode, uid, gid };
  }
}

function mountOf(item: SettingStatement, bindings: Bindings): MountSpec {
  const anchor = item.name.loc;
  const flags = { readOnly: false, nosuid: false, noexec: false, nodev: false };
  for (const prop of propsOf(item, MOUNT_PROPERTIES)) {
    const on = expectOnOff(prop.value, prop.key.value, prop.key.loc, bindings);
    if (prop.key.value === 'readonly') flags.readOnly = on;
    else (flags as Record<string, boolean>)[prop.key.value] = on;
  }
  if (item.name.value === 'bind') {
    const source = expectAbsolutePath(item.args[0], 'the directory to bind', anchor, bindings);
    return { kind: 'bind', source, target: expectAbsolutePath(item.args[1], 'the mount point', anchor, bindings), flags };
  }
  const fstype = expectChoice(item.args[0], ['tmpfs', 'proc'] as const, 'a file-system type', anchor, bindings);
  return { kind: fstype, source: fstype, target: expectAbsolutePath(item.args[1], 'the mount point', anchor, bindings), flags };
}

export function compileFs(block: BlockStatement | null, bindings: Bindings): CompiledFs {
  const entries: FsEntry[] = [];
  const mounts: MountSpec[] = [];
  const paths = new Set<string>();
  for (const item of block?.body ?? []) {
    if (item.kind === 'comment') continue;
    if (item.name.value === 'mount' || item.name.value === 'bind') mounts.push(mountOf(item, bindings));
    else if (FS_SETTINGS.includes(item.name.value)) entries.push(entryOf(item, bindings, paths));
    else {
      fail('E_UNKNOWN_SETTING', `"${item.name.value}" is not a setting of the fs block (expected one of: ${FS_SETTINGS.join(', ')})`, item.name.loc, suggestionNotes(nearest(item.name.value, FS_SETTINGS)));
    }
  }
  for (const entry of entries) {
    const parent = entry.path.slice(0, Math.max(1, entry.path.lastIndexOf('/')));
    if (entry.path !== '/' && !paths.has(parent) && !DEFAULT_DIRECTORIES.has(parent)) {
      const item = block!.body.find((s) => s.kind === 'setting' && describe(s.args[0]!) === JSON.stringify(entry.path));
      fail('E_PATH', `${entry.path}: its directory ${parent} does not exist; declare it with dir ${parent}`, (item ?? block!).loc);
    }
  }
  return { entries, mounts };
}

/** Directories every file system has (vfs/setup.ts's default tree). */
const DEFAULT_DIRECTORIES = new Set(['/', '/bin', '/usr', '/usr/bin', '/etc', '/root', '/home', '/tmp', '/var', '/var/tmp', '/dev', '/proc', '/mnt']);
