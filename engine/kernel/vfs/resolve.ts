/**
 * Path resolution (path_resolution(7); fs/namei.c path_init, link_path_walk, walk_component,
 * step_into, pick_link, follow_dotdot, lookup_last). A walk starts at the process's root
 * for an absolute path, else at its cwd or at the directory a dirfd names. Every directory
 * it stands in must grant search (x) permission before the next name is looked up in it
 * (EACCES) — the final name's directory included, "." and ".." included. Then, per name:
 *
 * - "." stays; ".." goes to the parent, except that it never leaves the process's root
 *   (".." at the root is the root), and at the root of a mount it first goes to the
 *   mountpoint in the parent mount. A walk that does not pass through the root never meets
 *   it, so ".." can take it up to the real "/": the chroot escape (chroot(2) NOTES).
 * - a name is looked up in the current directory (ENOENT; ENAMETOOLONG over 255 bytes);
 *   if a mount covers it, the walk crosses into the topmost mount's root.
 * - a symbolic link is followed (an absolute target restarts at the process's root, a
 *   relative one from the link's directory) when more names follow it, or when it is the
 *   last name and the caller follows (open without O_NOFOLLOW, stat, chdir…); at most 40
 *   links per resolution (MAXSYMLINKS), the 41st is ELOOP.
 * - a name that is followed by more names must be a directory (ENOTDIR); a trailing slash
 *   makes the last name follow links and demand a directory.
 *
 * A path of 4096 bytes or more is ENAMETOOLONG; the empty path is ENOENT. The walk
 * records each directory it stands in (`visited`), which the chroot-confinement
 * invariant checks against the process's root.
 */
import type { Credentials } from '../cred/state.js';
import type { Errno } from '../syscall/errno.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { openFileOf } from './fds.js';
import { MAY_EXEC, isDeadDirectory, mayAccess } from './permission.js';
import { inodeOf, lookupEntry, mountOf, mountedOn, samePlace, type Inode, type PathRef, type VfsState } from './state.js';
import { isFileSystemRoot, isSubdir, parentDirectory } from './tree.js';

export const MAXSYMLINKS = 40;
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
const AT_FDCWD = -100;

export interface WalkFailure {
  readonly ok: false;
  readonly errno: Errno;
  readonly note: string;
  /** Directories the walk stood in before it failed. */
  readonly visited: readonly PathRef[];
}

export interface Resolved {
  readonly ok: true;
  readonly ref: PathRef;
  readonly inode: Inode;
  /** The directory the last name was looked up in. */
  readonly parent: PathRef;
  /** The last name of the path ("" for "/"). */
  readonly name: string;
  readonly visited: readonly PathRef[];
}

export interface ResolveOptions {
  /** Follow a symbolic link in the last position (LOOKUP_FOLLOW). */
  readonly follow: boolean;
  /** Relative paths start at this descriptor's directory (AT_FDCWD or absent: the cwd). */
  readonly dirfd?: number;
  /** The result must be a directory (LOOKUP_DIRECTORY). */
  readonly wantDir?: boolean;
  /** An empty path names the dirfd itself (AT_EMPTY_PATH). */
  readonly allowEmpty?: boolean;
  /** Check search permission with these credentials (access(2) uses the real ids). */
  readonly creds?: Credentials;
}

/** The last name of a path: a normal name, ".", "..", or none at all ("/"). */
export interface LastName {
  readonly kind: 'norm' | 'dot' | 'dotdot' | 'root';
  readonly name: string;
  /** A slash followed it ("dir/"). */
  readonly trailingSlash: boolean;
}

/**
 * A walk in progress (struct nameidata): where it stands, the root it may not climb
 * above, and the links followed so far. It is local to one resolution and mutated only
 * by the functions of this module.
 */
export interface Walker {
  readonly vfs: VfsState;
  readonly creds: Credentials;
  readonly root: PathRef;
  at: PathRef;
  links: number;
  readonly visited: PathRef[];
}

function failure(walker: Walker | null, errno: Errno, note: string): WalkFailure {
  return { ok: false, errno, note, visited: walker === null ? [] : [...walker.visited] };
}

export function isFailure<T extends object>(value: T | WalkFailure): value is WalkFailure {
  return 'ok' in value && value.ok === false;
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function standAt(walker: Walker, place: PathRef): void {
  walker.at = place;
  if (walker.vfs.inodes[place.ino]?.kind === 'dir') walker.visited.push(place);
}

/** The place after crossing every mount stacked on it (fs/namei.c traverse_mounts). */
export function crossMounts(vfs: VfsState, place: PathRef): PathRef {
  let at = place;
  for (let mounted = mountedOn(vfs, at), hops = 0; mounted !== null && hops < 1000; mounted = mountedOn(vfs, at), hops++) {
    at = { mount: mounted.id, ino: mounted.root };
  }
  return at;
}

/** path_init: where a walk starts, after getname's checks on the string itself. */
export function beginWalk(state: MachineState, process: Process, path: string, options: Pick<ResolveOptions, 'dirfd' | 'allowEmpty' | 'creds'> = {}): Walker | WalkFailure {
  if (process.fs === null || state.vfs.root === null) return failure(null, 'ENOENT', 'this machine has no file system');
  if (byteLength(path) >= PATH_MAX) return failure(null, 'ENAMETOOLONG', `the path is ${byteLength(path)} bytes; PATH_MAX is ${PATH_MAX} with its NUL`);
  if (path === '' && options.allowEmpty !== true) return failure(null, 'ENOENT', 'the path is empty');
  const walker: Walker = { vfs: state.vfs, creds: options.creds ?? process.creds, root: process.fs.root, at: process.fs.root, links: 0, visited: [] };
  if (path.startsWith('/')) {
    standAt(walker, process.fs.root);
    return walker;
  }
  const dirfd = options.dirfd ?? AT_FDCWD;
  if (dirfd === AT_FDCWD) {
    standAt(walker, process.fs.cwd);
    return walker;
  }
  const file = openFileOf(state.kernel, process, dirfd);
  if (file === null) return failure(null, 'EBADF', `dirfd ${dirfd} is not open`);
  const dir = file.path === null ? null : state.vfs.inodes[file.path.ino];
  if (file.path === null || dir === undefined || dir === null) return failure(null, path === '' ? 'EBADF' : 'ENOTDIR', `dirfd ${dirfd} is a ${file.kind}, not a directory`);
  if (path !== '' && dir.kind !== 'dir') return failure(null, 'ENOTDIR', `dirfd ${dirfd} is not a directory`);
  standAt(walker, file.path);
  return walker;
}

function classify(component: string, trailingSlash: boolean): LastName {
  if (component === '.') return { kind: 'dot', name: component, trailingSlash };
  if (component === '..') return { kind: 'dotdot', name: component, trailingSlash };
  return { kind: 'norm', name: component, trailingSlash };
}

function withoutLeadingSlashes(text: string): string {
  let start = 0;
  while (start < text.length && text[start] === '/') start++;
  return text.slice(start);
}

/** may_lookup: search permission on the directory the walk stands in. */
function mayLookup(walker: Walker): WalkFailure | null {
  const dir = inodeOf(walker.vfs, walker.at.ino);
  if (mayAccess(walker.creds, dir, MAY_EXEC)) return null;
  return failure(walker, 'EACCES', `no search (x) permission on a directory of the path (mode 0${(dir.mode & 0o7777).toString(8)}, owner ${dir.uid}:${dir.gid})`);
}

/**
 * choose_mountpoint: from the root of a mount, the place it is mounted on, climbing over
 * mounts stacked on another mount's root; null when the top is reached or the process's
 * root is that mountpoint (".." then stays).
 */
function chooseMountpoint(vfs: VfsState, mountId: number, root: PathRef): PathRef | null {
  let mount = mountOf(vfs, mountId);
  for (let hops = 0; mount.mountpoint !== null && hops < 1000; hops++) {
    const mountpoint: PathRef = mount.mountpoint;
    mount = mountOf(vfs, mountpoint.mount);
    if (samePlace(root, mountpoint)) return null;
    if (mountpoint.ino !== mount.root) return mountpoint;
  }
  return null;
}

/**
 * path_connected: below a mount whose root is not its file system's root (a bind mount of
 * a subdirectory), ".." must stay under that root; a directory renamed out of it has left
 * the mount, and ".." from there is ENOENT rather than a way out.
 */
function pathConnected(vfs: VfsState, mountId: number, ino: number): boolean {
  const mount = mountOf(vfs, mountId);
  return isFileSystemRoot(vfs, mount.root) || isSubdir(vfs, ino, mount.root);
}

/** follow_dotdot, then step_into the parent (crossing mounts stacked on it). */
function followDotdot(walker: Walker): WalkFailure | null {
  if (samePlace(walker.at, walker.root)) return null;
  let here = walker.at;
  if (here.ino === mountOf(walker.vfs, here.mount).root) {
    const mountpoint = chooseMountpoint(walker.vfs, here.mount, walker.root);
    if (mountpoint === null) return null;
    here = mountpoint;
  }
  const parent = parentDirectory(walker.vfs, here.ino) ?? here.ino;
  if (!pathConnected(walker.vfs, here.mount, parent)) return failure(walker, 'ENOENT', '".." would leave the bind mount this directory was moved out of');
  standAt(walker, crossMounts(walker.vfs, { mount: here.mount, ino: parent }));
  return null;
}

/** pick_link: count the link (ELOOP past 40), jump to the root for an absolute target; the rest to walk, or null. */
function pickLink(walker: Walker, link: Inode): string | null | WalkFailure {
  if (walker.links >= MAXSYMLINKS) return failure(walker, 'ELOOP', `more than ${MAXSYMLINKS} symbolic links in one resolution`);
  walker.links++;
  if (link.target.startsWith('/')) standAt(walker, walker.root);
  const rest = withoutLeadingSlashes(link.target);
  return rest === '' ? null : rest;
}

/** The place a name names in a directory, without crossing mounts (lookup_one_qstr_excl), or null. */
export function lookupChild(vfs: VfsState, dir: PathRef, name: string): PathRef | null {
  const ino = lookupEntry(inodeOf(vfs, dir.ino), name);
  return ino === null ? null : { mount: dir.mount, ino };
}

/**
 * walk_component: one name. Returns the link body still to walk when it met a symbolic
 * link to follow, else null (the walker then stands on the name's place).
 */
export function walkName(walker: Walker, last: LastName, followLink: boolean): string | null | WalkFailure {
  if (last.kind === 'root' || last.kind === 'dot') return null;
  if (last.kind === 'dotdot') return followDotdot(walker);
  if (byteLength(last.name) > NAME_MAX) return failure(walker, 'ENAMETOOLONG', `"${last.name.slice(0, 16)}…" is longer than NAME_MAX (${NAME_MAX} bytes)`);
  const dir = inodeOf(walker.vfs, walker.at.ino);
  if (isDeadDirectory(dir)) return failure(walker, 'ENOENT', 'the directory has been removed');
  const child = lookupChild(walker.vfs, walker.at, last.name);
  if (child === null) return failure(walker, 'ENOENT', `no entry "${last.name}"`);
  const place = crossMounts(walker.vfs, child);
  const inode = inodeOf(walker.vfs, place.ino);
  if (inode.kind === 'symlink' && followLink) return pickLink(walker, inode);
  standAt(walker, place);
  return null;
}

function firstComponent(path: string): { component: string; rest: string } {
  const slash = path.indexOf('/');
  if (slash < 0) return { component: path, rest: '' };
  return { component: path.slice(0, slash), rest: withoutLeadingSlashes(path.slice(slash)) };
}

/**
 * link_path_walk: every name but the last, following links (each link's own names are
 * walked in place, its last name followed too), each directory searched first. Returns
 * the last name, which the caller handles as its call requires.
 */
export function walkToLast(walker: Walker, path: string): LastName | WalkFailure {
  let name = withoutLeadingSlashes(path);
  if (name === '') return { kind: 'root', name: '', trailingSlash: false };
  const outer: string[] = [];
  for (;;) {
    const denied = mayLookup(walker);
    if (denied !== null) return denied;
    const { component, rest } = firstComponent(name);
    const last = classify(component, name.length > component.length);
    let link: string | null | WalkFailure;
    if (rest === '') {
      if (outer.length === 0) return last;
      name = outer.pop()!;
      link = walkName(walker, last, true);
    } else {
      name = rest;
      link = walkName(walker, last, true);
    }
    if (link !== null && typeof link !== 'string') return link;
    if (typeof link === 'string') {
      outer.push(name);
      name = link;
      continue;
    }
    if (inodeOf(walker.vfs, walker.at.ino).kind !== 'dir') return failure(walker, 'ENOTDIR', `"${component}" is not a directory`);
  }
}

/** path_lookupat: resolve a whole path to the place it names. */
export function resolvePath(state: MachineState, process: Process, path: string, options: ResolveOptions): Resolved | WalkFailure {
  const walker = beginWalk(state, process, path, options);
  if (isFailure(walker)) return walker;
  return resolveFrom(walker, path, options.follow, options.wantDir ?? false);
}

/** The walk of resolvePath from a walker already begun: the names, then lookup_last until no link is left. */
export function resolveFrom(walker: Walker, path: string, follow: boolean, wantDir: boolean): Resolved | WalkFailure {
  let rest = path;
  let following = follow;
  let needDirectory = wantDir;
  for (let rounds = 0; rounds <= MAXSYMLINKS + 1; rounds++) {
    const last = walkToLast(walker, rest);
    if (isFailure(last)) return last;
    const parent = walker.at;
    if (last.kind === 'norm' && last.trailingSlash) {
      following = true;
      needDirectory = true;
    }
    const link = walkName(walker, last, following);
    if (link !== null && typeof link !== 'string') return link;
    if (typeof link === 'string') {
      rest = link;
      continue;
    }
    const inode = inodeOf(walker.vfs, walker.at.ino);
    if (needDirectory && inode.kind !== 'dir') return failure(walker, 'ENOTDIR', `"${last.name}" is not a directory`);
    return { ok: true, ref: walker.at, inode, parent, name: last.name, visited: [...walker.visited] };
  }
  return failure(walker, 'ELOOP', 'too many symbolic links');
}

export interface ParentResolved {
  readonly ok: true;
  /** The directory the last name is in (not entered: the caller looks the name up). */
  readonly parent: PathRef;
  readonly dir: Inode;
  readonly last: LastName;
  readonly visited: readonly PathRef[];
  readonly walker: Walker;
}

/**
 * filename_parentat: walk to the directory of the last name, for the calls that create,
 * remove or rename it (mkdir, unlink, rename, symlink, link). The last name is neither
 * looked up nor followed.
 */
export function resolveParent(state: MachineState, process: Process, path: string, options: Pick<ResolveOptions, 'dirfd'> = {}): ParentResolved | WalkFailure {
  const walker = beginWalk(state, process, path, options);
  if (isFailure(walker)) return walker;
  const last = walkToLast(walker, path);
  if (isFailure(last)) return last;
  return { ok: true, parent: walker.at, dir: inodeOf(walker.vfs, walker.at.ino), last, visited: [...walker.visited], walker };
}
