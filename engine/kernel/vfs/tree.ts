/**
 * The shape of the tree as the kernel's dentries give it: each directory's parent, whether
 * one place lies under another across mounts (fs/namespace.c is_path_reachable, fs/dcache.c
 * is_subdir), and the path that leads from a root to a place (fs/d_path.c prepend_path),
 * which getcwd(2) and /proc/self/mounts print. A directory has exactly one parent (no
 * hard links to directories), so the parent is found from the entries that name it.
 */
import { mountOf, samePlace, type Inode, type Mount, type PathRef, type VfsState } from './state.js';

const parentMaps = new WeakMap<VfsState['inodes'], ReadonlyMap<number, number>>();

/** Every directory's parent directory, by inode number; memoised per inode table (immutable). */
function parentMap(vfs: VfsState): ReadonlyMap<number, number> {
  const cached = parentMaps.get(vfs.inodes);
  if (cached !== undefined) return cached;
  const parents = new Map<number, number>();
  for (const inode of Object.values(vfs.inodes)) {
    if (inode.kind !== 'dir') continue;
    for (const [, child] of inode.entries) {
      if (vfs.inodes[child]?.kind === 'dir') parents.set(child, inode.ino);
    }
  }
  parentMaps.set(vfs.inodes, parents);
  return parents;
}

/** The directory containing a directory, or null for the root of a file system (or a removed one). */
export function parentDirectory(vfs: VfsState, ino: number): number | null {
  return parentMap(vfs).get(ino) ?? null;
}

/** is_subdir: whether directory `ino` is `ancestor` or lies below it in the same file system. */
export function isSubdir(vfs: VfsState, ino: number, ancestor: number): boolean {
  const parents = parentMap(vfs);
  const seen = new Set<number>();
  for (let at: number | undefined = ino; at !== undefined && !seen.has(at); at = parents.get(at)) {
    if (at === ancestor) return true;
    seen.add(at);
  }
  return false;
}

/** Whether the inode is the root of a file system (no directory names it): a superblock's s_root. */
export function isFileSystemRoot(vfs: VfsState, ino: number): boolean {
  return parentDirectory(vfs, ino) === null;
}

/**
 * is_path_reachable: whether `place` lies under `root`, following mounts up to root's mount
 * (each mount is reached through its mountpoint in its parent), then directories up to
 * root's directory. A detached mount reaches nothing but itself.
 */
export function isUnder(vfs: VfsState, place: PathRef, root: PathRef): boolean {
  let mount: Mount | undefined = vfs.mounts.byId[place.mount];
  let ino = place.ino;
  const seen = new Set<number>();
  while (mount !== undefined && mount.id !== root.mount && mount.mountpoint !== null && !seen.has(mount.id)) {
    seen.add(mount.id);
    ino = mount.mountpoint.ino;
    mount = vfs.mounts.byId[mount.mountpoint.mount];
  }
  return mount !== undefined && mount.id === root.mount && isSubdir(vfs, ino, root.ino);
}

export type PathFromRoot =
  | { readonly kind: 'reachable'; readonly path: string }
  /** Not under the root: the path from the namespace's root (getcwd's "(unreachable)"). */
  | { readonly kind: 'unreachable'; readonly path: string };

/**
 * prepend_path: the names from `root` down to `place`. When the walk up meets the top of
 * the mount tree (or a detached mount's root) without meeting `root`, the place is
 * unreachable and the path is the one from that top. A directory with no parent that is
 * not a mount's root (removed, or renamed out of a bind mount) ends the walk the same way.
 */
export function pathFromRoot(vfs: VfsState, place: PathRef, root: PathRef): PathFromRoot {
  const names: string[] = [];
  let at = place;
  for (let steps = 0; !samePlace(at, root); steps++) {
    if (steps > 4096) break;
    const mount = vfs.mounts.byId[at.mount];
    if (mount === undefined) break;
    if (at.ino === mount.root) {
      if (mount.mountpoint === null) return { kind: 'unreachable', path: joined(names) };
      at = mount.mountpoint;
      continue;
    }
    const parent = parentDirectory(vfs, at.ino);
    const name = parent === null ? null : entryName(vfs.inodes[parent]!, at.ino);
    if (parent === null || name === null) return { kind: 'unreachable', path: joined(names) };
    names.push(name);
    at = { mount: at.mount, ino: parent };
  }
  return { kind: 'reachable', path: joined(names) };
}

function joined(namesFromLeaf: readonly string[]): string {
  return '/' + [...namesFromLeaf].reverse().join('/');
}

function entryName(dir: Inode, ino: number): string | null {
  for (const [name, child] of dir.entries) if (child === ino) return name;
  return null;
}

/** The mounts attached below a mount (its children, their children…), in mount order. */
export function descendantMounts(vfs: VfsState, id: number): Mount[] {
  // pivot_root can hang a mount under one made after it, so ids order is not tree order:
  // repeat until no mount joins.
  const below = new Set<number>([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const mountId of vfs.mounts.ids) {
      const mount = mountOf(vfs, mountId);
      if (mount.parent !== null && below.has(mount.parent) && !below.has(mount.id)) {
        below.add(mount.id);
        grew = true;
      }
    }
  }
  return vfs.mounts.ids.filter((mountId) => mountId !== id && below.has(mountId)).map((mountId) => mountOf(vfs, mountId));
}

/** Mounts attached directly on a mount (whose parent it is). */
export function childMounts(vfs: VfsState, id: number): Mount[] {
  return vfs.mounts.ids.map((mountId) => mountOf(vfs, mountId)).filter((mount) => mount.parent === id);
}
