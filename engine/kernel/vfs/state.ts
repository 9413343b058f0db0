/**
 * The virtual file system: inodes (files, directories, symbolic links, devices, FIFOs)
 * with Unix modes, owners and groups, and the mount table. One inode table serves every
 * file system; a mount grafts the tree rooted at one inode onto a directory of its
 * parent mount. A place in the tree is a PathRef — a (mount, inode) pair, as Linux's
 * struct path — because the same directory can be reached through several mounts
 * (bind mounts) and `..` at a mount's root leaves that mount.
 */

export type InodeKind = 'file' | 'dir' | 'symlink' | 'chardev' | 'fifo';

/** File capabilities (the security.capability extended attribute, capabilities(7)). */
export interface FileCapabilities {
  readonly permitted: bigint;
  readonly inheritable: bigint;
  /** The single "effective" bit. */
  readonly effective: boolean;
}

export interface Inode {
  readonly ino: number;
  readonly kind: InodeKind;
  /** Permission bits and S_ISUID/S_ISGID/S_ISVTX (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  /** File content, as text (the simulator's files are small and textual). */
  readonly content: string;
  /** Directory entries, sorted by name. */
  readonly entries: readonly (readonly [string, number])[];
  /** Symbolic-link target. */
  readonly target: string;
  readonly fileCaps: FileCapabilities | null;
}

export interface MountFlags {
  readonly readOnly: boolean;
  readonly nosuid: boolean;
  readonly noexec: boolean;
  readonly nodev: boolean;
}

export interface Mount {
  readonly id: number;
  /** The inode at the root of the mounted tree. */
  readonly root: number;
  /** Where it is mounted: a directory of the parent mount; null for the root mount. */
  readonly mountpoint: PathRef | null;
  readonly parent: number | null;
  readonly flags: MountFlags;
  /** What was mounted: "tmpfs", "/dev/sda1", or the source path of a bind mount. */
  readonly source: string;
  readonly fstype: string;
}

export interface PathRef {
  readonly mount: number;
  readonly ino: number;
}

export interface VfsState {
  readonly inodes: Readonly<Record<string, Inode>>;
  readonly nextIno: number;
  readonly mounts: { readonly ids: readonly number[]; readonly byId: Readonly<Record<string, Mount>> };
  readonly nextMountId: number;
  /** The initial root of every process (the root mount's root). */
  readonly root: PathRef | null;
}

export function initialVfsState(): VfsState {
  return { inodes: {}, nextIno: 1, mounts: { ids: [], byId: {} }, nextMountId: 1, root: null };
}

export const NO_MOUNT_FLAGS: MountFlags = { readOnly: false, nosuid: false, noexec: false, nodev: false };

export function inodeOf(vfs: VfsState, ino: number): Inode {
  const inode = vfs.inodes[ino];
  if (inode === undefined) throw new Error(`no inode ${ino}`);
  return inode;
}

export function lookupEntry(dir: Inode, name: string): number | null {
  for (const [entry, ino] of dir.entries) if (entry === name) return ino;
  return null;
}

/** The mount mounted on this (mount, directory), if any (the topmost). */
export function mountedOn(vfs: VfsState, at: PathRef): Mount | null {
  let found: Mount | null = null;
  for (const id of vfs.mounts.ids) {
    const mount = vfs.mounts.byId[id]!;
    if (mount.mountpoint !== null && mount.mountpoint.mount === at.mount && mount.mountpoint.ino === at.ino) found = mount;
  }
  return found;
}

/**
 * The place an absolute path names, following mounts but not symbolic links (for the
 * scenario's own setup: a process's starting directory). The full resolver, with
 * permissions, `..` and links, is resolve.ts.
 */
export function lookupAbsolute(vfs: VfsState, path: string): PathRef | null {
  if (vfs.root === null || !path.startsWith('/')) return null;
  let at: PathRef = vfs.root;
  for (const name of path.split('/').filter((part) => part !== '' && part !== '.')) {
    const dir = vfs.inodes[at.ino];
    if (dir === undefined || dir.kind !== 'dir') return null;
    const ino = lookupEntry(dir, name);
    if (ino === null) return null;
    at = { mount: at.mount, ino };
    for (let mounted = mountedOn(vfs, at); mounted !== null; mounted = mountedOn(vfs, at)) at = { mount: mounted.id, ino: mounted.root };
  }
  return at;
}
