/**
 * The calls that add, remove and move names (fs/namei.c filename_create, may_create,
 * may_delete, do_mkdirat, do_rmdir, do_unlinkat, do_symlinkat, do_linkat, do_renameat2,
 * do_readlinkat; mkdir(2), rmdir(2), unlink(2), symlink(2), link(2), rename(2),
 * readlink(2)):
 *
 * - creating needs write and search permission on the directory; an existing name is
 *   EEXIST (before EROFS, before EACCES); ".", ".." and "/" cannot be created (EEXIST);
 * - removing needs the same, and in a sticky directory (/tmp) also to own the file or the
 *   directory, or CAP_FOWNER (EPERM); rmdir wants an empty directory (ENOTEMPTY), no mount
 *   on it (EBUSY), and refuses "." (EINVAL) and ".." (ENOTEMPTY); unlink refuses
 *   directories (EISDIR, Linux's choice over POSIX's EPERM);
 * - link does not follow a symbolic link in its first path, cannot cross mounts (EXDEV,
 *   a bind mount of the same file system included) and refuses directories (EPERM);
 * - rename moves a name within one mount: a directory cannot move into itself (EINVAL) nor
 *   replace a non-empty directory (ENOTEMPTY); a directory moving to another parent needs
 *   write permission on itself (its ".." changes); renaming a name onto another name of the
 *   same inode does nothing.
 *
 * A name longer than 255 bytes is ENAMETOOLONG; a directory that was removed accepts no
 * new names (ENOENT). Removing the last name leaves an inode with no link, which stays in
 * the table while something still holds it.
 */
import type { EventDraft } from '../../../core/decider.js';
import { hasCapability } from '../../cred/state.js';
import { fail, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import type { Errno } from '../../syscall/errno.js';
import { AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW } from '../constants.js';
import { vfsEvents } from '../events.js';
import { CAP, MAY_WRITE, mayAccess, mayCreate, mayDelete, newInodeOwnership } from '../permission.js';
import { byteLength, isFailure, lookupChild, NAME_MAX, PATH_MAX, resolveParent, resolvePath, type ParentResolved } from '../resolve.js';
import { inodeOf, mountOf, type Inode, type PathRef, type VfsState } from '../state.js';
import { isFileSystemRoot, isSubdir, parentDirectory } from '../tree.js';
import { AT_FDCWD, failed, isErrorResult, resolutionEvent, returnBytes, succeeded, textArg, walkFailed } from './common.js';

/** A name to create, found free (filename_create). */
interface FreeName {
  readonly parent: PathRef;
  readonly dir: Inode;
  readonly name: string;
  readonly events: EventDraft[];
}

type Failure = { readonly errno: Errno; readonly note: string };

function nameCheck(vfs: VfsState, parent: ParentResolved): Failure | null {
  if (byteLength(parent.last.name) > NAME_MAX) return { errno: 'ENAMETOOLONG', note: `the name is longer than ${NAME_MAX} bytes` };
  if (parent.dir.nlink === 0) return { errno: 'ENOENT', note: 'the directory has been removed' };
  return vfs.inodes[parent.parent.ino] === undefined ? { errno: 'ENOENT', note: 'no such directory' } : null;
}

/** A mount stands on this directory (is_local_mountpoint): it cannot be removed or renamed. */
function isMountpoint(vfs: VfsState, ino: number): boolean {
  return vfs.mounts.ids.some((id) => vfs.mounts.byId[id]!.mountpoint?.ino === ino);
}

function freeName(c: SyscallContext, path: string, dirfd: number, wantDir: boolean): FreeName | SyscallResult {
  const parent = resolveParent(c.state, c.process, path, { dirfd });
  if (isFailure(parent)) return walkFailed(c, path, parent);
  const events = [resolutionEvent(c, path, parent)];
  if (parent.last.kind !== 'norm') return failed('EEXIST', `"${path}" names an existing directory`, events);
  const bad = nameCheck(c.state.vfs, parent);
  if (bad !== null) return failed(bad.errno, bad.note, events);
  if (lookupChild(c.state.vfs, parent.parent, parent.last.name) !== null) return failed('EEXIST', `"${parent.last.name}" exists`, events);
  if (parent.last.trailingSlash && !wantDir) return failed('ENOENT', 'a trailing slash names a directory that does not exist', events);
  if (mountOf(c.state.vfs, parent.parent.mount).flags.readOnly) return failed('EROFS', 'the directory is on a read-only mount', events);
  return { parent: parent.parent, dir: parent.dir, name: parent.last.name, events };
}

/** may_create on a free name's directory (EACCES), after the checks filename_create made. */
function createDenied(c: SyscallContext, free: FreeName): SyscallResult | null {
  const denied = mayCreate(c.process.creds, free.dir);
  return denied === null ? null : failed(denied, 'no write and search permission on the directory', free.events);
}

function isFreeName(value: FreeName | SyscallResult): value is FreeName {
  return 'name' in value && 'dir' in value;
}

function newInode(c: SyscallContext, dir: Inode, kind: Inode['kind'], mode: number): Inode {
  const owner = newInodeOwnership(c.process.creds, dir, kind, mode, kind === 'symlink' ? 0 : c.process.fs!.umask);
  return { ino: c.state.vfs.nextIno, kind, mode: owner.mode, uid: owner.uid, gid: owner.gid, nlink: kind === 'dir' ? 2 : 1, content: '', entries: [], target: '', fileCaps: null, driver: null };
}

function mkdirAt(c: SyscallContext, dirfd: number, pathIndex: number, modeIndex: number): SyscallResult {
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const free = freeName(c, path, dirfd, true);
  if (!isFreeName(free)) return free;
  const denied = createDenied(c, free);
  if (denied !== null) return denied;
  const actor = c.process.name;
  // vfs_mkdir: the mode keeps permission bits and S_ISVTX only (S_ISGID comes from the parent).
  const inode = newInode(c, free.dir, 'dir', c.int32(modeIndex) & 0o1777);
  return succeeded(0, [
    ...free.events,
    vfsEvents.inodeCreated(actor, inode),
    vfsEvents.entryAdded(actor, free.parent.ino, free.name, inode.ino),
    vfsEvents.inodeChanged(actor, free.dir.ino, { nlink: free.dir.nlink + 1 }, 'the new directory\'s ".." links to it'),
  ]);
}

function symlinkAt(c: SyscallContext, targetIndex: number, dirfd: number, pathIndex: number): SyscallResult {
  const target = textArg(c, targetIndex);
  if (isErrorResult(target)) return target;
  if (target === '') return fail('ENOENT', 'the link target is empty');
  if (byteLength(target) >= PATH_MAX) return fail('ENAMETOOLONG', 'the link target is too long');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const free = freeName(c, path, dirfd, false);
  if (!isFreeName(free)) return free;
  const denied = createDenied(c, free);
  if (denied !== null) return denied;
  const actor = c.process.name;
  const inode = { ...newInode(c, free.dir, 'symlink', 0o777), target };
  return succeeded(0, [...free.events, vfsEvents.inodeCreated(actor, inode), vfsEvents.entryAdded(actor, free.parent.ino, free.name, inode.ino)]);
}

/** The name to remove, found and checked (do_rmdir / do_unlinkat up to vfs_rmdir / vfs_unlink). */
function victimOf(c: SyscallContext, path: string, dirfd: number, directory: boolean): { parent: ParentResolved; victim: Inode; events: EventDraft[] } | SyscallResult {
  const parent = resolveParent(c.state, c.process, path, { dirfd });
  if (isFailure(parent)) return walkFailed(c, path, parent);
  const events = [resolutionEvent(c, path, parent)];
  const { last } = parent;
  if (directory && last.kind === 'dotdot') return failed('ENOTEMPTY', '".." is not removed by rmdir', events);
  if (directory && last.kind === 'dot') return failed('EINVAL', '"." cannot be removed', events);
  if (directory && last.kind === 'root') return failed('EBUSY', 'the root cannot be removed', events);
  if (!directory && last.kind !== 'norm') return failed('EISDIR', `"${path}" names a directory`, events);
  if (mountOf(c.state.vfs, parent.parent.mount).flags.readOnly) return failed('EROFS', 'the directory is on a read-only mount', events);
  const bad = nameCheck(c.state.vfs, parent);
  if (bad !== null) return failed(bad.errno, bad.note, events);
  const child = lookupChild(c.state.vfs, parent.parent, last.name);
  const victim = child === null ? null : inodeOf(c.state.vfs, child.ino);
  if (victim === null) return failed('ENOENT', `no entry "${last.name}"`, events);
  if (!directory && last.trailingSlash) return failed(victim.kind === 'dir' ? 'EISDIR' : 'ENOTDIR', 'a trailing slash on a name unlink removes', events);
  const denied = mayDelete(c.process.creds, parent.dir, victim, directory, isFileSystemRoot(c.state.vfs, victim.ino));
  if (denied !== null) return failed(denied, deleteNote(denied), events);
  if (isMountpoint(c.state.vfs, victim.ino)) return failed('EBUSY', 'something is mounted on it', events);
  return { parent, victim, events };
}

function deleteNote(errno: Errno): string {
  switch (errno) {
    case 'EACCES':
      return 'no write and search permission on the directory';
    case 'EPERM':
      return 'the directory is sticky: only the owner of the file or of the directory (or CAP_FOWNER) may remove it';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'a directory (rmdir removes directories)';
    case 'EBUSY':
      return 'the root of a file system';
    default:
      return 'the directory has been removed';
  }
}

function removeName(c: SyscallContext, dirfd: number, path: string, directory: boolean): SyscallResult {
  const found = victimOf(c, path, dirfd, directory);
  if (!('victim' in found)) return found;
  const { parent, victim, events } = found;
  const actor = c.process.name;
  if (directory && victim.entries.length > 0) return failed('ENOTEMPTY', 'the directory is not empty', events);
  events.push(vfsEvents.entryRemoved(actor, parent.parent.ino, parent.last.name));
  if (directory) {
    events.push(vfsEvents.inodeChanged(actor, victim.ino, { nlink: 0 }, 'rmdir'));
    events.push(vfsEvents.inodeChanged(actor, parent.dir.ino, { nlink: parent.dir.nlink - 1 }, 'its ".." is gone'));
  } else {
    events.push(vfsEvents.inodeChanged(actor, victim.ino, { nlink: victim.nlink - 1 }, 'unlink'));
  }
  return succeeded(0, events);
}

function unlinkat(c: SyscallContext): SyscallResult {
  const flags = c.int32(2);
  if ((flags & ~AT_REMOVEDIR) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, 1);
  if (isErrorResult(path)) return path;
  return removeName(c, c.int32(0), path, (flags & AT_REMOVEDIR) !== 0);
}

function pathThen(c: SyscallContext, index: number, then: (path: string) => SyscallResult): SyscallResult {
  const path = textArg(c, index);
  return isErrorResult(path) ? path : then(path);
}

/** link(2)/linkat(2): another name for an existing inode, in the same mount. */
function linkAt(c: SyscallContext, olddirfd: number, oldIndex: number, newdirfd: number, newIndex: number, flags: number): SyscallResult {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) !== 0) return fail('EINVAL', 'unknown flags');
  if ((flags & AT_EMPTY_PATH) !== 0 && !hasCapability(c.process.creds, CAP.DAC_READ_SEARCH)) return fail('ENOENT', 'AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH');
  const oldPath = textArg(c, oldIndex);
  if (isErrorResult(oldPath)) return oldPath;
  const newPath = textArg(c, newIndex);
  if (isErrorResult(newPath)) return newPath;
  const old = resolvePath(c.state, c.process, oldPath, { follow: (flags & AT_SYMLINK_FOLLOW) !== 0, dirfd: olddirfd, allowEmpty: (flags & AT_EMPTY_PATH) !== 0 });
  if (isFailure(old)) return walkFailed(c, oldPath, old);
  const first = resolutionEvent(c, oldPath, old);
  const free = freeName(c, newPath, newdirfd, false);
  if (!isFreeName(free)) return isErrorResult(free) ? { ...free, events: [first, ...(free.events ?? [])] } : free;
  const events = [first, ...free.events];
  if (old.ref.mount !== free.parent.mount) return failed('EXDEV', 'a hard link cannot cross mounts', events);
  const denied = mayCreate(c.process.creds, free.dir);
  if (denied !== null) return failed(denied, 'no write and search permission on the directory', events);
  if (old.inode.kind === 'dir') return failed('EPERM', 'directories cannot be hard-linked', events);
  if (old.inode.nlink === 0) return failed('ENOENT', 'the file has no name left', events);
  const actor = c.process.name;
  events.push(vfsEvents.entryAdded(actor, free.parent.ino, free.name, old.inode.ino), vfsEvents.inodeChanged(actor, old.inode.ino, { nlink: old.inode.nlink + 1 }, 'link'));
  return succeeded(0, events);
}

/** The child of `ancestor` on the way up from `ino` (lock_rename's trap), or null. */
function childTowards(vfs: VfsState, ino: number, ancestor: number): number | null {
  let at: number | null = ino;
  for (let hops = 0; at !== null && hops < 4096; hops++) {
    const parent: number | null = parentDirectory(vfs, at);
    if (parent === ancestor) return at;
    at = parent;
  }
  return null;
}

interface RenameSide {
  readonly parent: ParentResolved;
  readonly child: Inode | null;
}

/** vfs_rename's permission checks once both names are looked up. */
function renameChecks(c: SyscallContext, from: RenameSide & { child: Inode }, to: RenameSide): Failure | null {
  const creds = c.process.creds;
  const vfs = c.state.vfs;
  const isDir = from.child.kind === 'dir';
  const deniedOld = mayDelete(creds, from.parent.dir, from.child, isDir, isFileSystemRoot(vfs, from.child.ino));
  if (deniedOld !== null) return { errno: deniedOld, note: deleteNote(deniedOld) };
  const deniedNew = to.child === null ? mayCreate(creds, to.parent.dir) : mayDelete(creds, to.parent.dir, to.child, isDir, isFileSystemRoot(vfs, to.child.ino));
  if (deniedNew !== null) return { errno: deniedNew, note: deniedNew === 'EACCES' ? 'no write and search permission on the target directory' : deleteNote(deniedNew) };
  if (isDir && from.parent.dir.ino !== to.parent.dir.ino && !mayAccess(creds, from.child, MAY_WRITE)) return { errno: 'EACCES', note: 'moving a directory to another parent rewrites its "..": it needs write permission' };
  if (isMountpoint(vfs, from.child.ino) || (to.child !== null && isMountpoint(vfs, to.child.ino))) return { errno: 'EBUSY', note: 'something is mounted on it' };
  if (to.child !== null && to.child.kind === 'dir' && to.child.entries.length > 0) return { errno: 'ENOTEMPTY', note: 'the target directory is not empty' };
  return null;
}

/** The events of a rename that passed every check: names move, link counts follow. */
function renameEvents(c: SyscallContext, from: RenameSide & { child: Inode }, to: RenameSide): EventDraft[] {
  const actor = c.process.name;
  const nlinks = new Map<number, number>();
  const nlinkOf = (inode: Inode) => nlinks.get(inode.ino) ?? inode.nlink;
  const events: EventDraft[] = [];
  const isDir = from.child.kind === 'dir';
  if (to.child !== null) {
    events.push(vfsEvents.entryRemoved(actor, to.parent.dir.ino, to.parent.last.name));
    nlinks.set(to.child.ino, to.child.kind === 'dir' ? 0 : nlinkOf(to.child) - 1);
    if (to.child.kind === 'dir') nlinks.set(to.parent.dir.ino, nlinkOf(to.parent.dir) - 1);
  }
  events.push(vfsEvents.entryRemoved(actor, from.parent.dir.ino, from.parent.last.name), vfsEvents.entryAdded(actor, to.parent.dir.ino, to.parent.last.name, from.child.ino));
  if (isDir && from.parent.dir.ino !== to.parent.dir.ino) {
    nlinks.set(from.parent.dir.ino, nlinkOf(from.parent.dir) - 1);
    nlinks.set(to.parent.dir.ino, nlinkOf(to.parent.dir) + 1);
  }
  for (const [ino, nlink] of [...nlinks.entries()].sort((a, b) => a[0] - b[0])) events.push(vfsEvents.inodeChanged(actor, ino, { nlink }, 'rename'));
  return events;
}

function renameAt(c: SyscallContext, olddirfd: number, oldPath: string, newdirfd: number, newPath: string): SyscallResult {
  const vfs = c.state.vfs;
  const oldParent = resolveParent(c.state, c.process, oldPath, { dirfd: olddirfd });
  if (isFailure(oldParent)) return walkFailed(c, oldPath, oldParent);
  const events = [resolutionEvent(c, oldPath, oldParent)];
  const newParent = resolveParent(c.state, c.process, newPath, { dirfd: newdirfd });
  if (isFailure(newParent)) return walkFailed(c, newPath, newParent, events);
  events.push(resolutionEvent(c, newPath, newParent));
  if (oldParent.parent.mount !== newParent.parent.mount) return failed('EXDEV', 'rename cannot move a name to another mount', events);
  if (oldParent.last.kind !== 'norm' || newParent.last.kind !== 'norm') return failed('EBUSY', '".", ".." and "/" cannot be renamed', events);
  if (mountOf(vfs, oldParent.parent.mount).flags.readOnly) return failed('EROFS', 'the directory is on a read-only mount', events);
  for (const side of [oldParent, newParent]) {
    const bad = nameCheck(vfs, side);
    if (bad !== null) return failed(bad.errno, bad.note, events);
  }
  const oldChild = lookupChild(vfs, oldParent.parent, oldParent.last.name);
  if (oldChild === null) return failed('ENOENT', `no entry "${oldParent.last.name}"`, events);
  const source = inodeOf(vfs, oldChild.ino);
  const newChild = lookupChild(vfs, newParent.parent, newParent.last.name);
  const target = newChild === null ? null : inodeOf(vfs, newChild.ino);
  if (source.kind !== 'dir' && (oldParent.last.trailingSlash || newParent.last.trailingSlash)) return failed('ENOTDIR', 'a trailing slash on a name that is not a directory', events);
  if (oldParent.dir.ino !== newParent.dir.ino) {
    if (isSubdir(vfs, newParent.dir.ino, oldParent.dir.ino) && childTowards(vfs, newParent.dir.ino, oldParent.dir.ino) === source.ino) return failed('EINVAL', 'a directory cannot move into itself', events);
    if (target !== null && isSubdir(vfs, oldParent.dir.ino, newParent.dir.ino) && childTowards(vfs, oldParent.dir.ino, newParent.dir.ino) === target.ino) return failed('ENOTEMPTY', 'the target is an ancestor of the source', events);
  }
  if (target !== null && target.ino === source.ino) return succeeded(0, events, { note: 'both names are the same inode: nothing to do' });
  const from = { parent: oldParent, child: source };
  const to = { parent: newParent, child: target };
  const denied = renameChecks(c, from, to);
  if (denied !== null) return failed(denied.errno, denied.note, events);
  return succeeded(0, [...events, ...renameEvents(c, from, to)]);
}

function readlinkAt(c: SyscallContext, dirfd: number, pathIndex: number, bufferIndex: number, sizeIndex: number): SyscallResult {
  const size = c.int32(sizeIndex);
  if (size <= 0) return fail('EINVAL', 'bufsiz must be positive');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const found = resolvePath(c.state, c.process, path, { follow: false, dirfd });
  if (isFailure(found)) return walkFailed(c, path, found);
  const events = [resolutionEvent(c, path, found)];
  if (found.inode.kind !== 'symlink') return failed('EINVAL', 'not a symbolic link', events);
  const bytes = new TextEncoder().encode(found.inode.target).subarray(0, size);
  return returnBytes(c, bufferIndex, bytes.length, bytes, events);
}

export const NAME_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  mkdir: (c) => mkdirAt(c, AT_FDCWD, 0, 1),
  mkdirat: (c) => mkdirAt(c, c.int32(0), 1, 2),
  rmdir: (c) => pathThen(c, 0, (path) => removeName(c, AT_FDCWD, path, true)),
  unlink: (c) => pathThen(c, 0, (path) => removeName(c, AT_FDCWD, path, false)),
  unlinkat,
  symlink: (c) => symlinkAt(c, 0, AT_FDCWD, 1),
  symlinkat: (c) => symlinkAt(c, 0, c.int32(1), 2),
  link: (c) => linkAt(c, AT_FDCWD, 0, AT_FDCWD, 1, 0),
  linkat: (c) => linkAt(c, c.int32(0), 1, c.int32(2), 3, c.int32(4)),
  rename: (c) => pathThen(c, 0, (oldPath) => pathThen(c, 1, (newPath) => renameAt(c, AT_FDCWD, oldPath, AT_FDCWD, newPath))),
  renameat: (c) => pathThen(c, 1, (oldPath) => pathThen(c, 3, (newPath) => renameAt(c, c.int32(0), oldPath, c.int32(2), newPath))),
  readlink: (c) => readlinkAt(c, AT_FDCWD, 0, 1, 2),
  readlinkat: (c) => readlinkAt(c, c.int32(0), 1, 2, 3),
};
