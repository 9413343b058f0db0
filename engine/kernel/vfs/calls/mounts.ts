/**
 * The mount table (mount(2), umount(2), pivot_root(2); fs/namespace.c path_mount,
 * do_loopback, do_remount, do_reconfigure_mnt, do_new_mount, do_move_mount_old,
 * path_umount, do_umount, pivot_root). Each needs CAP_SYS_ADMIN (EPERM), checked after the
 * target path resolves (a missing target is ENOENT even for the unprivileged).
 *
 * - mount of "tmpfs" or "proc" makes a new file system on a directory (ENOTDIR, ENODEV for
 *   other types); proc already mounted on the same place is EBUSY. MS_RDONLY, MS_NOSUID,
 *   MS_NODEV and MS_NOEXEC set the mount's flags. tmpfs takes mode=, uid=, gid= for its root
 *   (and size=, nr_inodes=, which isolab does not enforce); anything else is EINVAL.
 * - MS_BIND grafts an existing directory (or file) elsewhere; the new mount keeps the
 *   source mount's flags — MS_RDONLY and the others are ignored, as on Linux, so a
 *   read-only bind mount needs a second call with MS_REMOUNT|MS_BIND|MS_RDONLY. MS_REC
 *   copies the mounts below the source too.
 * - MS_REMOUNT (with or without MS_BIND) replaces the flags of the mount whose root the
 *   target is (EINVAL otherwise); making it read-only while a description has it open for
 *   writing is EBUSY.
 * - MS_MOVE moves a mount (its root is the source) elsewhere, not below itself (ELOOP).
 * - MS_SHARED/MS_PRIVATE/MS_SLAVE/MS_UNBINDABLE: isolab keeps every mount private, so these
 *   only check that the target is a mount's root.
 * - umount2 detaches the mount whose root the target is (EINVAL otherwise, or when it is
 *   not attached). It is EBUSY while mounts sit on it or anything holds it: a process's
 *   cwd or root in it, an open description on it. MNT_DETACH detaches it and the mounts
 *   below at once, whoever holds them. Unmounting the mount of one's own root without
 *   MNT_DETACH remounts it read-only instead (do_umount_root).
 * - pivot_root makes new_root (a mount's root, not on the current root's mount: EBUSY)
 *   the root mount and moves the old root mount to put_old (at or under new_root: EINVAL);
 *   the current root must be the root of an attached mount (EINVAL). Every process whose
 *   root or cwd was the old root moves to the new one (chroot_fs_refs).
 */
import type { EventDraft } from '../../../core/decider.js';
import { hasCapability } from '../../cred/state.js';
import { isAlive } from '../../state.js';
import { fail, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import { MNT_DETACH, MNT_EXPIRE, MNT_FORCE, MS_BIND, MS_MGC_MSK, MS_MGC_VAL, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_NOUSER, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SHARED, MS_SILENT, MS_SLAVE, MS_UNBINDABLE, UMOUNT_NOFOLLOW } from '../constants.js';
import { fsKernelEvents, vfsEvents } from '../events.js';
import { CAP } from '../permission.js';
import { procTree } from '../procfs.js';
import { crossMounts, isFailure, resolvePath, type Resolved } from '../resolve.js';
import { inodeOf, mountOf, samePlace, type Inode, type Mount, type MountFlags, type PathRef, type VfsState } from '../state.js';
import { childMounts, descendantMounts, isSubdir, isUnder } from '../tree.js';
import { failed, isErrorResult, isWritable, resolutionEvent, succeeded, textArg, walkFailed } from './common.js';

function mountFlagsOf(flags: number): MountFlags {
  return { readOnly: (flags & MS_RDONLY) !== 0, nosuid: (flags & MS_NOSUID) !== 0, nodev: (flags & MS_NODEV) !== 0, noexec: (flags & MS_NOEXEC) !== 0 };
}

function mayMount(c: SyscallContext): boolean {
  return hasCapability(c.process.creds, CAP.SYS_ADMIN);
}

/** Whether anything holds a mount: a process's root or cwd in it, an open description on it. */
function isHeld(c: SyscallContext, id: number): boolean {
  for (const pid of c.state.kernel.processes.ids) {
    const process = c.state.kernel.processes.byId[pid]!;
    if (!isAlive(process) || process.fs === null) continue;
    if (process.fs.root.mount === id || process.fs.cwd.mount === id) return true;
  }
  return Object.values(c.state.kernel.files.byId).some((file) => file.path?.mount === id);
}

function hasWriters(c: SyscallContext, id: number): boolean {
  return Object.values(c.state.kernel.files.byId).some((file) => file.path?.mount === id && file.kind === 'file' && isWritable(file));
}

/** The mount a place is the root of, if it is one and attached (path_mounted and check_mnt). */
function attachedMountRootedAt(vfs: VfsState, place: PathRef): Mount | null {
  const mount = vfs.mounts.byId[place.mount];
  if (mount === undefined || mount.root !== place.ino || !vfs.mounts.ids.includes(mount.id)) return null;
  return mount;
}

function remount(c: SyscallContext, target: Resolved, flags: number, events: EventDraft[]): SyscallResult {
  const mount = attachedMountRootedAt(c.state.vfs, target.ref);
  if (mount === null) return failed('EINVAL', 'MS_REMOUNT needs the root of a mount', events);
  const next = mountFlagsOf(flags);
  if (next.readOnly && !mount.flags.readOnly && hasWriters(c, mount.id)) return failed('EBUSY', 'a file on this mount is open for writing', events);
  return succeeded(0, [...events, vfsEvents.mountChanged(c.process.name, { ...mount, flags: next }, (flags & MS_BIND) !== 0 ? 'remount,bind' : 'remount')]);
}

/** Clones of the mounts below `source` within its mount (MS_REC), hung on the clone of their parent. */
function recursiveClones(vfs: VfsState, source: PathRef, topClone: number): Mount[] {
  const cloneOf = new Map<number, number>([[source.mount, topClone]]);
  const clones: Mount[] = [];
  let nextId = topClone + 1;
  for (const mount of descendantMounts(vfs, source.mount)) {
    if (mount.mountpoint === null || mount.parent === null) continue;
    const parentClone = cloneOf.get(mount.parent);
    if (parentClone === undefined) continue;
    if (mount.parent === source.mount && !isSubdir(vfs, mount.mountpoint.ino, source.ino)) continue;
    const clone: Mount = { ...mount, id: nextId++, parent: parentClone, mountpoint: { mount: parentClone, ino: mount.mountpoint.ino } };
    cloneOf.set(mount.id, clone.id);
    clones.push(clone);
  }
  return clones;
}

function bindMount(c: SyscallContext, target: Resolved, sourcePath: string, flags: number, events: EventDraft[]): SyscallResult {
  if (sourcePath === '') return failed('EINVAL', 'MS_BIND needs a source path', events);
  const source = resolvePath(c.state, c.process, sourcePath, { follow: true });
  if (isFailure(source)) return walkFailed(c, sourcePath, source, events);
  events.push(resolutionEvent(c, sourcePath, source));
  if ((source.inode.kind === 'dir') !== (target.inode.kind === 'dir')) return failed('ENOTDIR', 'a directory binds onto a directory, a file onto a file', events);
  const from = mountOf(c.state.vfs, source.ref.mount);
  const id = c.state.vfs.nextMountId;
  const mount: Mount = { id, root: source.ref.ino, mountpoint: target.ref, parent: target.ref.mount, flags: from.flags, source: from.source, fstype: from.fstype };
  const clones = (flags & MS_REC) !== 0 ? recursiveClones(c.state.vfs, source.ref, id) : [];
  return succeeded(0, [...events, ...[mount, ...clones].map((m) => vfsEvents.mounted(c.process.name, m))]);
}

function moveMount(c: SyscallContext, target: Resolved, sourcePath: string, events: EventDraft[]): SyscallResult {
  const source = resolvePath(c.state, c.process, sourcePath, { follow: true });
  if (isFailure(source)) return walkFailed(c, sourcePath, source, events);
  events.push(resolutionEvent(c, sourcePath, source));
  const mount = attachedMountRootedAt(c.state.vfs, source.ref);
  if (mount === null || mount.mountpoint === null) return failed('EINVAL', 'MS_MOVE moves a mount: the source must be the root of an attached mount', events);
  if (isUnder(c.state.vfs, target.ref, source.ref)) return failed('ELOOP', 'a mount cannot move below itself', events);
  if ((source.inode.kind === 'dir') !== (target.inode.kind === 'dir')) return failed('ENOTDIR', 'a directory mount moves onto a directory', events);
  return succeeded(0, [...events, vfsEvents.mountChanged(c.process.name, { ...mount, mountpoint: target.ref, parent: target.ref.mount }, 'move')]);
}

/** tmpfs options (mm/shmem.c shmem_parse_one): the root's mode, uid and gid; sizes are accepted and not enforced. */
function tmpfsRoot(data: string, ino: number): Inode | null {
  const root: { mode: number; uid: number; gid: number } = { mode: 0o1777, uid: 0, gid: 0 };
  for (const option of data.split(',').filter((part) => part !== '')) {
    const [key, value] = option.split('=', 2) as [string, string | undefined];
    if (['size', 'nr_blocks', 'nr_inodes', 'mpol', 'huge', 'inode32', 'inode64', 'noswap'].includes(key)) continue;
    const number = value === undefined ? NaN : key === 'mode' ? parseInt(value, 8) : parseInt(value, 10);
    if (!Number.isInteger(number) || number < 0) return null;
    if (key === 'mode') root.mode = number & 0o7777;
    else if (key === 'uid') root.uid = number;
    else if (key === 'gid') root.gid = number;
    else return null;
  }
  return { ino, kind: 'dir', mode: root.mode, uid: root.uid, gid: root.gid, nlink: 2, content: '', entries: [], target: '', fileCaps: null, driver: null };
}

function newMount(c: SyscallContext, target: Resolved, source: string, fstype: string, flags: number, data: string, events: EventDraft[]): SyscallResult {
  if (fstype !== 'tmpfs' && fstype !== 'proc') return failed('ENODEV', `isolab has no file-system type "${fstype}" (it models tmpfs and proc)`, events);
  if (target.inode.kind !== 'dir') return failed('ENOTDIR', 'a new file system mounts on a directory', events);
  const vfs = c.state.vfs;
  if (fstype === 'proc' && mountOf(vfs, target.ref.mount).fstype === 'proc' && target.ref.ino === mountOf(vfs, target.ref.mount).root) {
    return failed('EBUSY', 'proc is already mounted here (the same superblock on the same mountpoint)', events);
  }
  const tree = fstype === 'proc' ? procTree(vfs.nextIno) : [tmpfsRoot(data, vfs.nextIno)];
  if (tree[0] === null) return failed('EINVAL', `tmpfs: unknown or bad option in "${data}"`, events);
  const actor = c.process.name;
  const mount: Mount = { id: vfs.nextMountId, root: tree[0]!.ino, mountpoint: target.ref, parent: target.ref.mount, flags: mountFlagsOf(flags), source, fstype };
  return succeeded(0, [...events, ...(tree as Inode[]).map((inode) => vfsEvents.inodeCreated(actor, inode)), vfsEvents.mounted(actor, mount)]);
}

function changeType(c: SyscallContext, target: Resolved, flags: number, events: EventDraft[]): SyscallResult {
  if (attachedMountRootedAt(c.state.vfs, target.ref) === null) return failed('EINVAL', 'propagation changes need the root of a mount', events);
  const types = [MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE].filter((bit) => (flags & bit) !== 0);
  if (types.length !== 1 || (flags & ~(MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE | MS_REC | MS_SILENT)) !== 0) return failed('EINVAL', 'exactly one propagation type at a time', events);
  return succeeded(0, events, { note: 'mount propagation is not modelled: every mount is private' });
}

function mount(c: SyscallContext): SyscallResult {
  const source = textArg(c, 0);
  if (isErrorResult(source)) return source;
  const targetPath = textArg(c, 1);
  if (isErrorResult(targetPath)) return targetPath;
  const fstype = textArg(c, 2);
  let flags = Number(BigInt.asUintN(32, c.u64(3)));
  if ((flags & MS_MGC_MSK) >>> 0 === MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  const data = c.has(4) ? c.text(4) : '';
  const found = resolvePath(c.state, c.process, targetPath, { follow: true });
  if (isFailure(found)) return walkFailed(c, targetPath, found);
  const events = [resolutionEvent(c, targetPath, found)];
  if ((flags & MS_NOUSER) !== 0) return failed('EINVAL', 'MS_NOUSER', events);
  if (!mayMount(c)) return failed('EPERM', 'mounting needs CAP_SYS_ADMIN', events);
  if ((flags & MS_REMOUNT) !== 0) return remount(c, found, flags, events);
  if ((flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) !== 0 && (flags & (MS_BIND | MS_MOVE)) === 0) return changeType(c, found, flags, events);
  // lock_mount: a new mount goes on top of whatever is already mounted at the target.
  const top = crossMounts(c.state.vfs, found.ref);
  const target: Resolved = { ...found, ref: top, inode: inodeOf(c.state.vfs, top.ino) };
  if ((flags & MS_BIND) !== 0) return bindMount(c, target, source, flags, events);
  if ((flags & MS_MOVE) !== 0) return moveMount(c, target, source, events);
  if (isErrorResult(fstype)) return failed('EFAULT', 'the file-system type is not a readable string', events);
  return newMount(c, target, source, fstype, flags, typeof data === 'string' ? data : '', events);
}

function umount2(c: SyscallContext): SyscallResult {
  const flags = c.int32(1);
  if ((flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, 0);
  if (isErrorResult(path)) return path;
  const found = resolvePath(c.state, c.process, path, { follow: (flags & UMOUNT_NOFOLLOW) === 0 });
  if (isFailure(found)) return walkFailed(c, path, found);
  const events = [resolutionEvent(c, path, found)];
  if (!mayMount(c)) return failed('EPERM', 'unmounting needs CAP_SYS_ADMIN', events);
  // LOOKUP_MOUNTPOINT: the topmost mount on the place the path names ("." included).
  const place = crossMounts(c.state.vfs, found.ref);
  const target = attachedMountRootedAt(c.state.vfs, place);
  if (target === null) return failed('EINVAL', `"${path}" is not a mount point`, events);
  if (target.mountpoint === null) return failed('EINVAL', 'the top of the mount tree cannot be unmounted', events);
  if ((flags & MNT_EXPIRE) !== 0) {
    if ((flags & (MNT_FORCE | MNT_DETACH)) !== 0 || c.process.fs?.root.mount === target.id) return failed('EINVAL', 'MNT_EXPIRE cannot be combined with MNT_FORCE or MNT_DETACH', events);
    return failed('EAGAIN', 'MNT_EXPIRE marks the mount for expiry; isolab keeps no marks, so the mount stays', events);
  }
  const actor = c.process.name;
  if ((flags & MNT_DETACH) === 0 && c.process.fs?.root.mount === target.id) {
    if (!target.flags.readOnly && hasWriters(c, target.id)) return failed('EBUSY', 'a file on the root mount is open for writing', events);
    return succeeded(0, [...events, vfsEvents.mountChanged(actor, { ...target, flags: { ...target.flags, readOnly: true } }, 'umount of the root: remount read-only')], { note: 'unmounting the mount of one\'s own root remounts it read-only' });
  }
  if ((flags & MNT_DETACH) !== 0) {
    const ids = [target.id, ...descendantMounts(c.state.vfs, target.id).map((m) => m.id)];
    return succeeded(0, [...events, vfsEvents.mountsDetached(actor, ids)]);
  }
  if (childMounts(c.state.vfs, target.id).length > 0) return failed('EBUSY', 'other mounts sit on this one', events);
  if (isHeld(c, target.id)) return failed('EBUSY', 'a process has its cwd or root in this mount, or a file on it open', events);
  return succeeded(0, [...events, vfsEvents.unmounted(actor, target.id)]);
}

function pivotChecks(vfs: VfsState, root: PathRef, newRoot: PathRef, putOld: PathRef): { errno: 'EBUSY' | 'EINVAL'; note: string } | null {
  if (newRoot.mount === root.mount || putOld.mount === root.mount) return { errno: 'EBUSY', note: 'new_root and put_old must not be on the current root\'s mount' };
  const rootMount = mountOf(vfs, root.mount);
  if (rootMount.root !== root.ino) return { errno: 'EINVAL', note: 'the current root is not the root of a mount (chroot into a mount point first)' };
  if (rootMount.mountpoint === null) return { errno: 'EINVAL', note: 'the current root mount is not attached to anything (rootfs)' };
  const newMount = mountOf(vfs, newRoot.mount);
  if (newMount.root !== newRoot.ino) return { errno: 'EINVAL', note: 'new_root is not a mount point (bind-mount it onto itself first)' };
  if (newMount.mountpoint === null) return { errno: 'EINVAL', note: 'new_root\'s mount is not attached' };
  if (!isUnder(vfs, putOld, newRoot)) return { errno: 'EINVAL', note: 'put_old is not at or under new_root' };
  if (!isUnder(vfs, newRoot, root)) return { errno: 'EINVAL', note: 'new_root is not under the current root' };
  return null;
}

function pivotRoot(c: SyscallContext): SyscallResult {
  if (!mayMount(c)) return fail('EPERM', 'pivot_root needs CAP_SYS_ADMIN');
  const newPath = textArg(c, 0);
  if (isErrorResult(newPath)) return newPath;
  const oldPath = textArg(c, 1);
  if (isErrorResult(oldPath)) return oldPath;
  const newRoot = resolvePath(c.state, c.process, newPath, { follow: true, wantDir: true });
  if (isFailure(newRoot)) return walkFailed(c, newPath, newRoot);
  const events = [resolutionEvent(c, newPath, newRoot)];
  const putOldFound = resolvePath(c.state, c.process, oldPath, { follow: true, wantDir: true });
  if (isFailure(putOldFound)) return walkFailed(c, oldPath, putOldFound, events);
  events.push(resolutionEvent(c, oldPath, putOldFound));
  const vfs = c.state.vfs;
  // lock_mount(put_old): the old root goes on top of whatever is mounted there.
  const putOld = { ref: crossMounts(vfs, putOldFound.ref) };
  const root = c.process.fs!.root;
  const denied = pivotChecks(vfs, root, newRoot.ref, putOld.ref);
  if (denied !== null) return failed(denied.errno, denied.note, events);
  const rootMount = mountOf(vfs, root.mount);
  const newMount = mountOf(vfs, newRoot.ref.mount);
  const movedNew: Mount = { ...newMount, mountpoint: rootMount.mountpoint, parent: rootMount.parent };
  const movedOld: Mount = { ...rootMount, mountpoint: putOld.ref, parent: putOld.ref.mount };
  const newPlace: PathRef = { mount: newMount.id, ino: newMount.root };
  const actor = c.process.name;
  events.push(vfsEvents.rootPivoted(actor, movedNew, movedOld, vfs.root !== null && samePlace(vfs.root, root) ? newPlace : vfs.root!));
  for (const pid of c.state.kernel.processes.ids) {
    const fs = c.state.kernel.processes.byId[pid]!.fs;
    if (fs === null) continue;
    if (samePlace(fs.root, root)) events.push(fsKernelEvents.rootChanged(actor, pid, newPlace, 'pivot_root'));
    if (samePlace(fs.cwd, root)) events.push(fsKernelEvents.cwdChanged(actor, pid, newPlace, 'pivot_root'));
  }
  return succeeded(0, events);
}

export const MOUNT_HANDLERS: Readonly<Record<string, SyscallHandler>> = { mount, umount2, pivot_root: pivotRoot };

