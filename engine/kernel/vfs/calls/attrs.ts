/**
 * The calls that read or change an inode's attributes (stat(2), access(2), chmod(2),
 * chown(2), umask(2); fs/stat.c, fs/open.c do_faccessat, chmod_common, chown_common;
 * fs/attr.c setattr_prepare, notify_change):
 *
 * - stat follows a last symbolic link, lstat does not; the result's detail has ino, mode
 *   (type and permission bits), uid, gid, nlink, size and kind, and struct stat is copied
 *   to the buffer when one is given;
 * - access and faccessat check with the real uid and gid (and, for a non-root real uid, no
 *   capabilities; for root, its permitted set) unless AT_EACCESS; X_OK on a regular file of
 *   a noexec mount is EACCES, W_OK on a read-only mount EROFS;
 * - chmod needs the owner's fsuid or CAP_FOWNER (EPERM); S_ISGID is cleared when the
 *   caller is not in the file's group and lacks CAP_FSETID;
 * - chown changes the owner only with CAP_CHOWN, and the group to one the owner belongs
 *   to (or with CAP_CHOWN), EPERM otherwise; -1 keeps an id. On anything but a directory
 *   it clears S_ISUID — by root too, since Linux 2.2.13 (chown(2)) — and S_ISGID when group
 *   executable or the caller is not in the group without CAP_FSETID, and file capabilities;
 * - both are EROFS on a read-only mount, before any permission check.
 *
 * The raw faccessat and fchmodat system calls have three arguments: a fourth (AT_EACCESS,
 * AT_SYMLINK_NOFOLLOW) is ignored, as the kernel never sees it; faccessat2 and fchmodat2
 * take the flags (the C library's functions call them).
 */
import type { EventDraft } from '../../../core/decider.js';
import { hasCapability, inGroup, type Credentials } from '../../cred/state.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import type { OpenFile } from '../../state.js';
import { AT_EACCESS, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK, W_OK, X_OK } from '../constants.js';
import { fsKernelEvents, vfsEvents } from '../events.js';
import { CAP, S_ISGID, S_ISUID, isOwnerOrCapable, mayAccess, readOnlyDenies, sgidDroppedBy } from '../permission.js';
import { isFailure, resolvePath } from '../resolve.js';
import { mountOf, type Inode, type Mount } from '../state.js';
import { AT_FDCWD, copyOut, failed, fileArg, isErrorResult, isPathOnly, placeOf, resolutionEvent, succeeded, textArg, walkFailed } from './common.js';

const SECBIT_NO_SETUID_FIXUP = 1 << 2;

/** The type bits of st_mode for an inode. */
export function typeBits(kind: Inode['kind']): number {
  switch (kind) {
    case 'file':
      return S_IFREG;
    case 'dir':
      return S_IFDIR;
    case 'symlink':
      return S_IFLNK;
    case 'chardev':
      return S_IFCHR;
    case 'fifo':
      return S_IFIFO;
  }
}

export interface StatDetail {
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly size: number;
  readonly kind: string;
}

/** st_size: a regular file's bytes, a link's target length; directories report a block (ext4), proc files and devices 0. */
function sizeOf(inode: Inode): number {
  if (inode.kind === 'file') return inode.driver === null ? inode.content.length : 0;
  if (inode.kind === 'symlink') return new TextEncoder().encode(inode.target).length;
  return inode.kind === 'dir' ? 4096 : 0;
}

export function statOf(inode: Inode): StatDetail {
  return { ino: inode.ino, mode: typeBits(inode.kind) | (inode.mode & 0o7777), uid: inode.uid, gid: inode.gid, nlink: inode.nlink, size: sizeOf(inode), kind: inode.kind };
}

/** What fstat reports for descriptions that have no inode in the tree: pipes, sockets, the console. */
function statOfDescription(c: SyscallContext, file: OpenFile): StatDetail {
  if (file.kind === 'pipe') return { ino: file.channel ?? 0, mode: S_IFIFO | 0o600, uid: c.process.creds.fsuid, gid: c.process.creds.fsgid, nlink: 1, size: 0, kind: 'fifo' };
  if (file.kind === 'socket') return { ino: file.channel ?? 0, mode: S_IFSOCK | 0o777, uid: c.process.creds.fsuid, gid: c.process.creds.fsgid, nlink: 1, size: 0, kind: 'socket' };
  return { ino: 0, mode: S_IFCHR | 0o600, uid: 0, gid: 0, nlink: 1, size: 0, kind: 'chardev' };
}

/** struct stat of x86-64 (144 bytes): dev, ino, nlink, mode, uid, gid, pad, rdev, size, blksize, blocks, three timespecs, reserved. */
function statBytes(stat: StatDetail): Uint8Array {
  const out = new Uint8Array(144);
  const view = new DataView(out.buffer);
  view.setBigUint64(8, BigInt(stat.ino), true);
  view.setBigUint64(16, BigInt(stat.nlink), true);
  view.setUint32(24, stat.mode, true);
  view.setUint32(28, stat.uid, true);
  view.setUint32(32, stat.gid, true);
  view.setBigInt64(48, BigInt(stat.size), true);
  view.setBigInt64(56, 4096n, true);
  view.setBigInt64(64, BigInt(Math.ceil(stat.size / 512)), true);
  return out;
}

function statResult(c: SyscallContext, bufferIndex: number, stat: StatDetail, events: readonly EventDraft[]): SyscallResult {
  const copied = copyOut(c, bufferIndex, statBytes(stat));
  if (isErrorResult(copied)) return failed(copied.errno, copied.note ?? 'EFAULT', events);
  return succeeded(0, [...events, ...copied], { detail: { ...stat } });
}

function statPath(c: SyscallContext, dirfd: number, pathIndex: number, bufferIndex: number, flags: number): SyscallResult {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  if (path === '' && (flags & AT_EMPTY_PATH) !== 0 && dirfd !== AT_FDCWD) return fstatOf(c, dirfd, bufferIndex);
  const found = resolvePath(c.state, c.process, path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0, dirfd, allowEmpty: (flags & AT_EMPTY_PATH) !== 0 });
  if (isFailure(found)) return walkFailed(c, path, found);
  return statResult(c, bufferIndex, statOf(found.inode), [resolutionEvent(c, path, found)]);
}

function fstatOf(c: SyscallContext, fd: number, bufferIndex: number): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return fail('EBADF', `fd ${fd} is not open`);
  const file = target.file;
  const place = placeOf(c, file);
  return statResult(c, bufferIndex, place === null ? statOfDescription(c, file) : statOf(place.inode), []);
}

/**
 * The credentials access(2) checks with (fs/open.c access_override_creds): the real uid
 * and gid as filesystem ids, and — unless SECBIT_NO_SETUID_FIXUP — no effective
 * capabilities for a non-root real uid, the permitted set for root.
 */
export function accessCredentials(creds: Credentials): Credentials {
  const caps = (creds.securebits & SECBIT_NO_SETUID_FIXUP) !== 0 ? creds.caps : { ...creds.caps, effective: creds.ruid === 0 ? creds.caps.permitted : 0n };
  return { ...creds, fsuid: creds.ruid, fsgid: creds.rgid, caps };
}

function accessAt(c: SyscallContext, dirfd: number, pathIndex: number, mode: number, flags: number): SyscallResult {
  if ((mode & ~0o7) !== 0) return fail('EINVAL', 'mode is not a combination of F_OK, R_OK, W_OK and X_OK');
  if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const creds = (flags & AT_EACCESS) !== 0 ? c.process.creds : accessCredentials(c.process.creds);
  const found = resolvePath(c.state, c.process, path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0, dirfd, allowEmpty: (flags & AT_EMPTY_PATH) !== 0, creds });
  if (isFailure(found)) return walkFailed(c, path, found);
  const events = [resolutionEvent(c, path, found)];
  const mount = mountOf(c.state.vfs, found.ref.mount);
  if ((mode & X_OK) !== 0 && found.inode.kind === 'file' && mount.flags.noexec) return failed('EACCES', 'the file is on a noexec mount', events);
  if (!mayAccess(creds, found.inode, mode)) return failed('EACCES', `permission denied (mode 0${(found.inode.mode & 0o7777).toString(8)}, owner ${found.inode.uid}:${found.inode.gid})`, events);
  if ((mode & W_OK) !== 0 && readOnlyDenies(mount, found.inode)) return failed('EROFS', 'the file is on a read-only mount', events);
  return succeeded(0, events);
}

/** chmod_common on a place: EROFS, EPERM, then the new mode (S_ISGID dropped unless in the group or CAP_FSETID). */
function chmodPlace(c: SyscallContext, inode: Inode, mount: Mount, mode: number, events: EventDraft[]): SyscallResult {
  if (mount.flags.readOnly) return failed('EROFS', 'the file is on a read-only mount', events);
  if (inode.kind === 'symlink') return failed('EOPNOTSUPP', 'the mode of a symbolic link cannot be changed', events);
  const creds = c.process.creds;
  if (!isOwnerOrCapable(creds, inode)) return failed('EPERM', `only the owner (uid ${inode.uid}) or CAP_FOWNER may change the mode`, events);
  let next = mode & 0o7777;
  if (!inGroup(creds, inode.gid) && !hasCapability(creds, CAP.FSETID)) next &= ~S_ISGID;
  return succeeded(0, [...events, vfsEvents.inodeChanged(c.process.name, inode.ino, { mode: next }, 'chmod')]);
}

function chmodAt(c: SyscallContext, dirfd: number, pathIndex: number, mode: number, flags: number): SyscallResult {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const found = resolvePath(c.state, c.process, path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0, dirfd, allowEmpty: (flags & AT_EMPTY_PATH) !== 0 });
  if (isFailure(found)) return walkFailed(c, path, found);
  return chmodPlace(c, found.inode, mountOf(c.state.vfs, found.ref.mount), mode, [resolutionEvent(c, path, found)]);
}

function fchmod(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const place = placeOf(c, target.file);
  if (isPathOnly(target.file)) return fail('EBADF', `fd ${target.fd} was opened O_PATH`);
  if (place === null) return fail('EINVAL', 'a pipe, socket or terminal has no mode to change here');
  return chmodPlace(c, place.inode, place.mount, c.int32(1), []);
}

const UNCHANGED = 0xffffffff;

/** chown_ok and chgrp_ok (fs/attr.c): the owner may only give the file to a group it is in. */
function chownDenied(creds: Credentials, inode: Inode, uid: number, gid: number): string | null {
  const capable = hasCapability(creds, CAP.CHOWN);
  if (uid !== UNCHANGED && !(creds.fsuid === inode.uid && uid === inode.uid) && !capable) return 'changing the owner needs CAP_CHOWN';
  if (gid !== UNCHANGED && !(creds.fsuid === inode.uid && (inGroup(creds, gid) || gid === inode.gid)) && !capable) return 'only the owner may change the group, to one of its groups (or CAP_CHOWN)';
  return null;
}

function chownPlace(c: SyscallContext, inode: Inode, mount: Mount, uid: number, gid: number, events: EventDraft[]): SyscallResult {
  if (mount.flags.readOnly) return failed('EROFS', 'the file is on a read-only mount', events);
  const creds = c.process.creds;
  const denied = chownDenied(creds, inode, uid, gid);
  if (denied !== null) return failed('EPERM', denied, events);
  let mode = inode.mode;
  if (inode.kind !== 'dir') mode &= ~(S_ISUID | sgidDroppedBy(creds, inode));
  const changes = {
    ...(uid !== UNCHANGED ? { uid } : {}),
    ...(gid !== UNCHANGED ? { gid } : {}),
    ...(mode !== inode.mode ? { mode } : {}),
    ...(inode.kind !== 'dir' && inode.fileCaps !== null ? { fileCaps: null } : {}),
  };
  return succeeded(0, [...events, vfsEvents.inodeChanged(c.process.name, inode.ino, changes, 'chown')]);
}

/** A uid_t or gid_t argument: 32 bits, where -1 (0xffffffff) means "unchanged". */
function idArg(c: SyscallContext, index: number): number {
  return Number(BigInt.asUintN(32, c.u64(index)));
}

function chownAt(c: SyscallContext, dirfd: number, pathIndex: number, uid: number, gid: number, flags: number): SyscallResult {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return fail('EINVAL', 'unknown flags');
  const path = textArg(c, pathIndex);
  if (isErrorResult(path)) return path;
  const found = resolvePath(c.state, c.process, path, { follow: (flags & AT_SYMLINK_NOFOLLOW) === 0, dirfd, allowEmpty: (flags & AT_EMPTY_PATH) !== 0 });
  if (isFailure(found)) return walkFailed(c, path, found);
  return chownPlace(c, found.inode, mountOf(c.state.vfs, found.ref.mount), uid, gid, [resolutionEvent(c, path, found)]);
}

function fchown(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  if (isPathOnly(target.file)) return fail('EBADF', `fd ${target.fd} was opened O_PATH`);
  const place = placeOf(c, target.file);
  if (place === null) return fail('EINVAL', 'a pipe, socket or terminal has no owner to change here');
  return chownPlace(c, place.inode, place.mount, idArg(c, 1), idArg(c, 2), []);
}

function umask(c: SyscallContext): SyscallResult {
  const fs = c.process.fs;
  if (fs === null) return ok(0o022);
  const next = c.int32(0) & 0o777;
  return ok(fs.umask, { events: next === fs.umask ? [] : [fsKernelEvents.umaskChanged(c.process.name, c.process.pid, next)] });
}

export const ATTR_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  stat: (c) => statPath(c, AT_FDCWD, 0, 1, 0),
  lstat: (c) => statPath(c, AT_FDCWD, 0, 1, AT_SYMLINK_NOFOLLOW),
  newfstatat: (c) => statPath(c, c.int32(0), 1, 2, c.int32(3)),
  fstat: (c) => fstatOf(c, c.int32(0), 1),
  access: (c) => accessAt(c, AT_FDCWD, 0, c.int32(1), 0),
  // The raw faccessat and fchmodat take no flags (the C library's AT_EACCESS and
  // AT_SYMLINK_NOFOLLOW go to faccessat2 and fchmodat2): a fourth argument is ignored.
  faccessat: (c) => accessAt(c, c.int32(0), 1, c.int32(2), 0),
  faccessat2: (c) => accessAt(c, c.int32(0), 1, c.int32(2), c.int32(3)),
  chmod: (c) => chmodAt(c, AT_FDCWD, 0, c.int32(1), 0),
  fchmod,
  fchmodat: (c) => chmodAt(c, c.int32(0), 1, c.int32(2), 0),
  fchmodat2: (c) => chmodAt(c, c.int32(0), 1, c.int32(2), c.int32(3)),
  chown: (c) => chownAt(c, AT_FDCWD, 0, idArg(c, 1), idArg(c, 2), 0),
  lchown: (c) => chownAt(c, AT_FDCWD, 0, idArg(c, 1), idArg(c, 2), AT_SYMLINK_NOFOLLOW),
  fchown,
  fchownat: (c) => chownAt(c, c.int32(0), 1, idArg(c, 2), idArg(c, 3), c.int32(4)),
  umask,
};

