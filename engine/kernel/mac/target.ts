/**
 * The object a call will act on, as the kernel resolves it: the LSM hooks run after path
 * resolution (security_file_open in do_dentry_open, the security_path_* hooks on the
 * looked-up dentry), so a profile judges the file behind every symlink and "..", never the
 * string the caller wrote. Resolution here is read-only and uses the VFS's own walker
 * (vfs/resolve.ts) with the caller's credentials.
 *
 * - an existing object: its path from the namespace's root (AppArmor's d_namespace_path:
 *   a chroot does not change what the profile sees);
 * - a name to be created (O_CREAT, mkdir, symlink, rename's new name…): the would-be path,
 *   its directory resolved and the last name appended; a dangling symlink in last place
 *   that the call follows (open with O_CREAT) names the file its target would create.
 *
 * A path the walk cannot resolve (ENOENT with no creation, EACCES on a directory, ELOOP)
 * yields null: the call fails in the VFS before any LSM hook, and the handler says why.
 */
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { isFailure, lookupChild, resolvePath, resolveParent, walkToLast, MAXSYMLINKS } from '../vfs/resolve.js';
import { inodeOf, type PathRef, type VfsState } from '../vfs/state.js';
import { pathFromRoot } from '../vfs/tree.js';

export interface MacTarget {
  readonly path: string;
  readonly isDirectory: boolean;
  /** Whether the object exists now (false: the call would create it). */
  readonly exists: boolean;
}

/**
 * The path of a place from the namespace's root (the machine's root file system). A
 * directory's path is unique; a file's is found from a directory entry naming it (with
 * hard links, the entry of the lowest-numbered directory: isolab cannot tell which name
 * was used, as d_path can). Callers that know the name used pass `named`.
 */
export function namespacePath(vfs: VfsState, place: PathRef, named?: { readonly parent: PathRef; readonly name: string }): string {
  if (vfs.root === null) return '/';
  const inode = vfs.inodes[place.ino];
  if (inode === undefined || inode.kind === 'dir') return pathFromRoot(vfs, place, vfs.root).path;
  if (named !== undefined && named.name !== '') return joinName(pathFromRoot(vfs, named.parent, vfs.root).path, named.name);
  for (const dir of Object.values(vfs.inodes)) {
    if (dir.kind !== 'dir') continue;
    for (const [name, child] of dir.entries) {
      if (child === place.ino) return joinName(pathFromRoot(vfs, { mount: place.mount, ino: dir.ino }, vfs.root).path, name);
    }
  }
  return pathFromRoot(vfs, place, vfs.root).path;
}

function joinName(directory: string, name: string): string {
  return directory === '/' ? '/' + name : directory + '/' + name;
}

function existing(vfs: VfsState, place: PathRef, named?: { readonly parent: PathRef; readonly name: string }): MacTarget {
  return { path: namespacePath(vfs, place, named), isDirectory: inodeOf(vfs, place.ino).kind === 'dir', exists: true };
}

/** An existing object (following a symlink in last place when `follow`), or null. */
export function resolveExisting(state: MachineState, process: Process, path: string, dirfd: number | undefined, follow: boolean): MacTarget | null {
  const resolved = resolvePath(state, process, path, dirfd === undefined ? { follow } : { follow, dirfd });
  return isFailure(resolved) ? null : existing(state.vfs, resolved.ref, resolved);
}

/**
 * The object a creating call acts on: the existing one when the name resolves, else the
 * would-be path. With `follow`, a dangling symlink in last place leads to its target's
 * would-be path (open(2): O_CREAT follows it unless O_EXCL or O_NOFOLLOW).
 */
export function resolveCreating(state: MachineState, process: Process, path: string, dirfd: number | undefined, follow: boolean): MacTarget | null {
  const found = resolveExisting(state, process, path, dirfd, follow);
  if (found !== null) return found;
  const parent = resolveParent(state, process, path, dirfd === undefined ? {} : { dirfd });
  if (isFailure(parent)) return null;
  const { walker } = parent;
  let last = parent.last;
  for (let links = 0; links <= MAXSYMLINKS; links++) {
    if (last.kind !== 'norm') return null;
    const child = lookupChild(state.vfs, walker.at, last.name);
    if (child === null) return { path: joinName(namespacePath(state.vfs, walker.at), last.name), isDirectory: false, exists: false };
    const inode = inodeOf(state.vfs, child.ino);
    if (inode.kind !== 'symlink') return existing(state.vfs, child, { parent: walker.at, name: last.name });
    if (!follow) return { path: joinName(namespacePath(state.vfs, walker.at), last.name), isDirectory: false, exists: true };
    if (inode.target.startsWith('/')) walker.at = walker.root;
    const next = walkToLast(walker, inode.target);
    if (isFailure(next)) return null;
    last = next;
  }
  return null;
}

/** The name itself, not followed (unlink, rmdir, rename, link's new name, lchown): existing or not. */
export function resolveName(state: MachineState, process: Process, path: string, dirfd: number | undefined): MacTarget | null {
  return resolveCreating(state, process, path, dirfd, false);
}
