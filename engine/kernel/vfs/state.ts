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
  /**
   * File content as a byte string: one character per byte, codes 0–255 (contentBytes and
   * byteString convert). Scenario text is stored as its UTF-8 bytes, as write(2) would.
   */
  readonly content: string;
  /** Directory entries, sorted by name. */
  readonly entries: readonly (readonly [string, number])[];
  /** Symbolic-link target. */
  readonly target: string;
  readonly fileCaps: FileCapabilities | null;
  /**
   * What produces the content instead of the bytes above: a character device's driver
   * ("null", "zero", "console") or a proc file ("proc-mounts"); null for ordinary inodes.
   */
  readonly driver: string | null;
}

export interface MountFlags {
  readonly readOnly: boolean;
  readonly nosuid: boolean;
  readonly noexec: boolean;
  readonly nodev: boolean;
}

export interface Mount {
  /** Mount ids are handed out in order and never reused; `ids` of VfsState is mount order. */
  readonly id: number;
  /** The inode at the root of the mounted tree. */
  readonly root: number;
  /** Where it is mounted: a directory of the parent mount; null for the root mount. */
  readonly mountpoint: PathRef | null;
  readonly parent: number | null;
  readonly flags: MountFlags;
  /**
   * What was mounted, as /proc/self/mounts shows it: the device ("/dev/sda1"), or the
   * source string of mount(2) ("tmpfs", "proc"). A bind mount shows its source mount's.
   */
  readonly source: string;
  /** The file-system type: "ext4", "tmpfs", "proc", "rootfs"; a bind mount has its source's. */
  readonly fstype: string;
}

export interface PathRef {
  readonly mount: number;
  readonly ino: number;
}

export interface VfsState {
  readonly inodes: Readonly<Record<string, Inode>>;
  readonly nextIno: number;
  /**
   * The mount table: `ids` lists the attached mounts in mount order (what /proc/self/mounts
   * walks); `byId` also keeps mounts detached by a lazy umount2(MNT_DETACH) while a process
   * still stands in them.
   */
  readonly mounts: { readonly ids: readonly number[]; readonly byId: Readonly<Record<string, Mount>> };
  readonly nextMountId: number;
  /**
   * The root a new process starts with: the root of the root file system's mount, which is
   * itself mounted on the hidden rootfs (as Linux boots: init/do_mounts.c), so pivot_root(2)
   * can move it. Null before the file system is set up.
   */
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

/** The mount with this id (attached or detached). */
export function mountOf(vfs: VfsState, id: number): Mount {
  const mount = vfs.mounts.byId[id];
  if (mount === undefined) throw new Error(`no mount ${id}`);
  return mount;
}

export function samePlace(a: PathRef, b: PathRef): boolean {
  return a.mount === b.mount && a.ino === b.ino;
}

/** The bytes of a byte string (Inode.content, a channel's buffer). */
export function contentBytes(content: string): Uint8Array {
  const out = new Uint8Array(content.length);
  for (let i = 0; i < content.length; i++) out[i] = content.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes as a byte string, one character per byte. */
export function byteString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/** Text as the byte string of its UTF-8 encoding: how scenario text becomes file content. */
export function utf8ByteString(text: string): string {
  return byteString(new TextEncoder().encode(text));
}

/** An inode as event data: file capabilities as "0x…" strings (events carry no bigint). */
export function inodeData(inode: Inode) {
  return {
    ...inode,
    entries: inode.entries.map(([name, ino]) => [name, ino]),
    fileCaps: inode.fileCaps === null ? null : { permitted: '0x' + inode.fileCaps.permitted.toString(16), inheritable: '0x' + inode.fileCaps.inheritable.toString(16), effective: inode.fileCaps.effective },
  };
}

export type InodeData = ReturnType<typeof inodeData>;

export function inodeFromData(data: InodeData): Inode {
  return {
    ...data,
    entries: data.entries.map(([name, ino]) => [name as string, ino as number] as const),
    fileCaps: data.fileCaps === null ? null : { permitted: BigInt(data.fileCaps.permitted), inheritable: BigInt(data.fileCaps.inheritable), effective: data.fileCaps.effective },
    driver: data.driver ?? null,
  };
}
