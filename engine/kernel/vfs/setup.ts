/**
 * The file system a scenario starts with: a small Linux-like tree (/, /bin, /etc with
 * passwd, group and shadow, /root, /home, /tmp and /var/tmp sticky and world-writable,
 * /dev/null, /proc), then the scenario's own entries and mounts on top. All of it is
 * decided at once and recorded as events, so a trace rebuilds it. The root file system
 * is "/dev/sda1" (ext4) mounted on the hidden rootfs; /proc is mounted nosuid, nodev,
 * noexec as distributions do. A bind mount of the fs block keeps its source mount's
 * flags and adds the ones it sets (mount --bind, then a remount with them).
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { procTree } from './procfs.js';
import { vfsReducers } from './reducers.js';
import { inodeData, lookupAbsolute, mountOf, NO_MOUNT_FLAGS, utf8ByteString, type FileCapabilities, type Inode, type InodeKind, type Mount, type MountFlags, type VfsState } from './state.js';

export interface FsEntry {
  readonly kind: InodeKind;
  /** Absolute path. */
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly content?: string;
  readonly target?: string;
  readonly fileCaps?: { readonly permitted: string; readonly inheritable: string; readonly effective: boolean } | null;
}

export interface MountSpec {
  readonly kind: 'tmpfs' | 'bind' | 'proc';
  /** For a bind mount: the directory mounted. */
  readonly source: string;
  readonly target: string;
  readonly flags: MountFlags;
}

export interface SetupData {
  readonly entries: readonly FsEntry[];
  readonly mounts: readonly MountSpec[];
}

const ROOT_ENTRIES: readonly FsEntry[] = [
  { kind: 'dir', path: '/', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'dir', path: '/bin', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'file', path: '/bin/sh', mode: 0o755, uid: 0, gid: 0, content: 'ELF sh' },
  { kind: 'file', path: '/bin/cat', mode: 0o755, uid: 0, gid: 0, content: 'ELF cat' },
  { kind: 'dir', path: '/usr', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'dir', path: '/usr/bin', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'dir', path: '/etc', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'file', path: '/etc/passwd', mode: 0o644, uid: 0, gid: 0, content: 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' },
  { kind: 'file', path: '/etc/group', mode: 0o644, uid: 0, gid: 0, content: 'root:x:0:\nshadow:x:42:\nalice:x:1000:\n' },
  { kind: 'file', path: '/etc/shadow', mode: 0o640, uid: 0, gid: 42, content: 'root:$6$salt$hash:19000:0:99999:7:::\n' },
  { kind: 'dir', path: '/root', mode: 0o700, uid: 0, gid: 0 },
  { kind: 'dir', path: '/home', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'dir', path: '/tmp', mode: 0o1777, uid: 0, gid: 0 },
  { kind: 'dir', path: '/var', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'dir', path: '/var/tmp', mode: 0o1777, uid: 0, gid: 0 },
  { kind: 'dir', path: '/dev', mode: 0o755, uid: 0, gid: 0 },
  { kind: 'chardev', path: '/dev/null', mode: 0o666, uid: 0, gid: 0 },
  { kind: 'chardev', path: '/dev/console', mode: 0o600, uid: 0, gid: 0 },
  { kind: 'dir', path: '/proc', mode: 0o555, uid: 0, gid: 0 },
  { kind: 'dir', path: '/mnt', mode: 0o755, uid: 0, gid: 0 },
];

const DEFAULT_MOUNTS: readonly MountSpec[] = [{ kind: 'proc', source: 'proc', target: '/proc', flags: { readOnly: false, nosuid: true, noexec: true, nodev: true } }];

/** The device the root file system is on, as /proc/self/mounts names it. */
export const ROOT_DEVICE = { source: '/dev/sda1', fstype: 'ext4' } as const;

/** Character devices of the default tree and the driver behind each (/dev/null reads empty and swallows writes). */
const DRIVERS: Readonly<Record<string, string>> = { '/dev/null': 'null', '/dev/console': 'console' };

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The driver of a character device: the default tree's own, or one named after the node
 * ("/dev/zero", "/dev/tty"); a device with no driver isolab knows opens as ENXIO.
 */
function driverOf(entry: FsEntry): string | null {
  if (entry.kind !== 'chardev') return null;
  return DRIVERS[entry.path] ?? (['null', 'zero', 'console', 'tty'].includes(baseName(entry.path)) ? baseName(entry.path) : 'none');
}

function inodeOfEntry(entry: FsEntry, ino: number): Inode {
  const caps: FileCapabilities | null =
    entry.fileCaps === undefined || entry.fileCaps === null
      ? null
      : { permitted: BigInt(entry.fileCaps.permitted), inheritable: BigInt(entry.fileCaps.inheritable), effective: entry.fileCaps.effective };
  return {
    ino,
    kind: entry.kind,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    nlink: entry.kind === 'dir' ? 2 : 1,
    content: utf8ByteString(entry.content ?? ''),
    entries: [],
    target: entry.target ?? '',
    fileCaps: caps,
    driver: driverOf(entry),
  };
}

/** The default tree with the scenario's entries applied (same path: the scenario wins), parents first. */
export function mergedEntries(entries: readonly FsEntry[]): FsEntry[] {
  const byPath = new Map<string, FsEntry>();
  for (const entry of [...ROOT_ENTRIES, ...entries]) byPath.set(entry.path, entry);
  return [...byPath.values()].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/** The inode table of the merged entries, numbered from firstIno in order, and each path's inode. */
function buildTree(entries: readonly FsEntry[], firstIno: number): { inodes: Map<number, Inode>; inoOf: Map<string, number> } {
  const inoOf = new Map<string, number>();
  const inodes = new Map<number, Inode>();
  let ino = firstIno;
  for (const entry of entries) {
    const parentIno = inoOf.get(parentOf(entry.path));
    if (entry.path !== '/' && parentIno === undefined) continue;
    inoOf.set(entry.path, ino);
    inodes.set(ino, inodeOfEntry(entry, ino));
    if (entry.path !== '/') {
      const parent = inodes.get(parentIno!)!;
      const linked = [...parent.entries, [baseName(entry.path), ino] as const].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      inodes.set(parent.ino, { ...parent, entries: linked, nlink: entry.kind === 'dir' ? parent.nlink + 1 : parent.nlink });
    }
    ino++;
  }
  return { inodes, inoOf };
}

function emptyRoot(ino: number, mode: number): Inode {
  return { ino, kind: 'dir', mode, uid: 0, gid: 0, nlink: 2, content: '', entries: [], target: '', fileCaps: null, driver: null };
}

/**
 * Boot's file system: the hidden rootfs, the root file system mounted on it (Linux mounts
 * the real root over rootfs and chroots into it, init/do_mounts.c), then /proc and the
 * scenario's mounts in order, each found through the mounts made before it.
 */
export function decideSetup(state: MachineState, command: Command): EventDraft[] {
  const data = command.data as SetupData;
  const firstIno = state.vfs.nextIno;
  const rootfsIno = firstIno;
  const { inodes, inoOf } = buildTree(mergedEntries(data.entries), firstIno + 1);
  const nextIno = firstIno + 1 + inodes.size;
  const rootfsId = state.vfs.nextMountId;
  const rootfs: Mount = { id: rootfsId, root: rootfsIno, mountpoint: null, parent: null, flags: NO_MOUNT_FLAGS, source: 'rootfs', fstype: 'rootfs' };
  const rootMount: Mount = { id: rootfsId + 1, root: inoOf.get('/')!, mountpoint: { mount: rootfsId, ino: rootfsIno }, parent: rootfsId, flags: NO_MOUNT_FLAGS, ...ROOT_DEVICE };
  const drafts: EventDraft[] = [
    {
      type: 'vfs.populated',
      actor: 'kernel',
      data: { inodes: [emptyRoot(rootfsIno, 0o755), ...inodes.values()].map(inodeData), nextIno, mounts: [rootfs, rootMount], root: { mount: rootMount.id, ino: rootMount.root } },
    },
  ];
  let vfs = foldDrafts(state.vfs, drafts);
  for (const spec of [...DEFAULT_MOUNTS, ...data.mounts]) {
    const more = mountDrafts(vfs, spec);
    drafts.push(...more);
    vfs = foldDrafts(vfs, more);
  }
  return drafts;
}

function foldDrafts(vfs: VfsState, drafts: readonly EventDraft[]): VfsState {
  return drafts.reduce((folded, event) => vfsReducers[event.type]?.(folded, { ...event, seq: 0, tick: 0, cause: null }) ?? folded, vfs);
}

/** The events of one mount of the fs block; a target or source that does not exist mounts nothing. */
function mountDrafts(vfs: VfsState, spec: MountSpec): EventDraft[] {
  const target = lookupAbsolute(vfs, spec.target);
  if (target === null) return [];
  const base = { id: vfs.nextMountId, mountpoint: target, parent: target.mount };
  if (spec.kind === 'bind') {
    const source = lookupAbsolute(vfs, spec.source);
    if (source === null) return [];
    const from = mountOf(vfs, source.mount);
    const flags: MountFlags = {
      readOnly: from.flags.readOnly || spec.flags.readOnly,
      nosuid: from.flags.nosuid || spec.flags.nosuid,
      noexec: from.flags.noexec || spec.flags.noexec,
      nodev: from.flags.nodev || spec.flags.nodev,
    };
    return [{ type: 'vfs.mounted', actor: 'kernel', data: { ...base, root: source.ino, flags, source: from.source, fstype: from.fstype } satisfies Mount }];
  }
  const tree = spec.kind === 'proc' ? procTree(vfs.nextIno) : [emptyRoot(vfs.nextIno, 0o1777)];
  return [
    ...tree.map((inode) => ({ type: 'vfs.inodeCreated', actor: 'kernel', data: inodeData(inode) })),
    { type: 'vfs.mounted', actor: 'kernel', data: { ...base, root: tree[0]!.ino, flags: spec.flags, source: spec.source, fstype: spec.kind } satisfies Mount },
  ];
}

export { inodeData, inodeFromData, type InodeData } from './state.js';
