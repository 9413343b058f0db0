/**
 * The file system a scenario starts with: a small Linux-like tree (/, /bin, /etc with
 * passwd, group and shadow, /root, /home, /tmp and /var/tmp sticky and world-writable,
 * /dev/null, /proc), then the scenario's own entries and mounts on top. All of it is
 * decided at once and recorded as events, so a trace rebuilds it.
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { FileCapabilities, Inode, InodeKind, MountFlags } from './state.js';

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

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
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
    content: entry.content ?? '',
    entries: [],
    target: entry.target ?? '',
    fileCaps: caps,
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

export function decideSetup(state: MachineState, command: Command): EventDraft[] {
  const data = command.data as SetupData;
  const entries = mergedEntries(data.entries);
  const inoOf = new Map<string, number>();
  const inodes: Record<number, Inode> = {};
  let nextIno = state.vfs.nextIno;
  for (const entry of entries) {
    const ino = nextIno++;
    inoOf.set(entry.path, ino);
    inodes[ino] = inodeOfEntry(entry, ino);
    if (entry.path === '/') continue;
    const parent = inodes[inoOf.get(parentOf(entry.path))!]!;
    const linked = [...parent.entries, [baseName(entry.path), ino] as const].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    inodes[parent.ino] = { ...parent, entries: linked, nlink: entry.kind === 'dir' ? parent.nlink + 1 : parent.nlink };
  }
  const drafts: EventDraft[] = [
    { type: 'vfs.populated', actor: 'kernel', data: { inodes: Object.values(inodes).map(inodeData), nextIno, rootIno: inoOf.get('/')! } },
  ];
  let nextMount = state.vfs.nextMountId + 1;
  for (const mount of [...DEFAULT_MOUNTS, ...data.mounts]) {
    const target = inoOf.get(mount.target);
    if (target === undefined) continue;
    let root: number;
    if (mount.kind === 'bind') {
      const source = inoOf.get(mount.source);
      if (source === undefined) continue;
      root = source;
    } else {
      root = nextIno++;
      drafts.push({ type: 'vfs.inodeCreated', actor: 'kernel', data: inodeData({ ...inodeOfEntry({ kind: 'dir', path: mount.target, mode: mount.kind === 'proc' ? 0o555 : 0o1777, uid: 0, gid: 0 }, root) }) });
    }
    drafts.push({
      type: 'vfs.mounted',
      actor: 'kernel',
      data: { id: nextMount++, root, mountpoint: { mount: state.vfs.nextMountId, ino: target }, parent: state.vfs.nextMountId, flags: mount.flags, source: mount.kind === 'bind' ? mount.source : mount.kind, fstype: mount.kind === 'bind' ? 'bind' : mount.kind },
    });
  }
  return drafts;
}

/** An inode as event data: file capabilities as "0x…" strings. */
export function inodeData(inode: Inode) {
  return {
    ...inode,
    entries: inode.entries.map(([name, ino]) => [name, ino]),
    fileCaps: inode.fileCaps === null ? null : { permitted: '0x' + inode.fileCaps.permitted.toString(16), inheritable: '0x' + inode.fileCaps.inheritable.toString(16), effective: inode.fileCaps.effective },
  };
}

export function inodeFromData(data: ReturnType<typeof inodeData>): Inode {
  return {
    ...data,
    entries: data.entries.map(([name, ino]) => [name as string, ino as number] as const),
    fileCaps: data.fileCaps === null ? null : { permitted: BigInt(data.fileCaps.permitted), inheritable: BigInt(data.fileCaps.inheritable), effective: data.fileCaps.effective },
  };
}
