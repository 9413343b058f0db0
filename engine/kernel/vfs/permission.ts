/**
 * Discretionary access control as Linux decides it (fs/namei.c generic_permission and
 * acl_permission_check; capabilities(7)): the class — owner, group or other — is chosen by
 * the filesystem uid and gid and the supplementary groups, and only that class's bits
 * count (an owner denied by the owner bits is denied even if "other" would allow it).
 * CAP_DAC_OVERRIDE then allows reading and writing anything and executing anything with
 * at least one x bit (and any directory); CAP_DAC_READ_SEARCH allows reading files and
 * reading and searching directories. Also here: the owner test with CAP_FOWNER, the sticky
 * directory rule, the checks before removing or creating a name (may_delete, may_create),
 * the owner, group and mode a new inode gets (inode_init_owner, mode_strip_sgid), and what
 * execve needs (noexec, a regular file, an x bit).
 *
 * Left out: POSIX ACLs, immutable and append-only attributes, LSMs, user namespaces (every
 * capability counts in the initial namespace), the protected_* sysctls.
 */
import type { Errno } from '../syscall/errno.js';
import { capabilityNumber } from '../syscall/constants.js';
import { hasCapability, inGroup, type Credentials } from '../cred/state.js';
import { O_ACCMODE, O_PATH, O_TRUNC } from './constants.js';
import type { Inode, Mount } from './state.js';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
const S_IXGRP = 0o010;
const S_IXUGO = 0o111;

function capabilityIndex(name: string): number {
  const index = capabilityNumber(name);
  if (index === null) throw new Error(`unknown capability ${name}`);
  return index;
}

export const CAP = {
  CHOWN: capabilityIndex('CAP_CHOWN'),
  DAC_OVERRIDE: capabilityIndex('CAP_DAC_OVERRIDE'),
  DAC_READ_SEARCH: capabilityIndex('CAP_DAC_READ_SEARCH'),
  FOWNER: capabilityIndex('CAP_FOWNER'),
  FSETID: capabilityIndex('CAP_FSETID'),
  SYS_CHROOT: capabilityIndex('CAP_SYS_CHROOT'),
  SYS_ADMIN: capabilityIndex('CAP_SYS_ADMIN'),
  MKNOD: capabilityIndex('CAP_MKNOD'),
} as const;

/** acl_permission_check: the rwx bits of the one class the credentials fall in allow `mask`. */
export function modeBitsAllow(creds: Credentials, inode: Inode, mask: number): boolean {
  const wanted = mask & 7;
  let bits = inode.mode & 7;
  if (creds.fsuid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (inGroup(creds, inode.gid)) bits = (inode.mode >> 3) & 7;
  return (wanted & ~bits) === 0;
}

/**
 * generic_permission: may these credentials read (MAY_READ), write (MAY_WRITE) or
 * execute/search (MAY_EXEC) the inode, by its mode bits and the DAC capabilities? The
 * mount's read-only flag is not part of it (see readOnlyDenies).
 */
export function mayAccess(creds: Credentials, inode: Inode, mask: number): boolean {
  const wanted = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
  if (modeBitsAllow(creds, inode, wanted)) return true;
  if (inode.kind === 'dir') {
    if ((wanted & MAY_WRITE) === 0 && hasCapability(creds, CAP.DAC_READ_SEARCH)) return true;
    return hasCapability(creds, CAP.DAC_OVERRIDE);
  }
  if (wanted === MAY_READ && hasCapability(creds, CAP.DAC_READ_SEARCH)) return true;
  if ((wanted & MAY_EXEC) === 0 || (inode.mode & S_IXUGO) !== 0) return hasCapability(creds, CAP.DAC_OVERRIDE);
  return false;
}

/**
 * Writing through a read-only mount is EROFS for files, directories and symbolic links
 * (fs/namei.c sb_permission, fs/namespace.c mnt_want_write); devices, FIFOs and sockets
 * can still be written, their data does not live on the file system.
 */
export function readOnlyDenies(mount: Mount, inode: Inode): boolean {
  return mount.flags.readOnly && (inode.kind === 'file' || inode.kind === 'dir' || inode.kind === 'symlink');
}

/** inode_owner_or_capable: the filesystem uid owns the inode, or CAP_FOWNER. */
export function isOwnerOrCapable(creds: Credentials, inode: Inode): boolean {
  return creds.fsuid === inode.uid || hasCapability(creds, CAP.FOWNER);
}

/**
 * check_sticky: in a directory with S_ISVTX (/tmp) only the file's owner, the directory's
 * owner, or CAP_FOWNER may remove or rename an entry (unlink(2), rename(2): EPERM).
 */
export function stickyForbids(creds: Credentials, dir: Inode, victim: Inode): boolean {
  if ((dir.mode & S_ISVTX) === 0) return false;
  if (creds.fsuid === victim.uid || creds.fsuid === dir.uid) return false;
  return !hasCapability(creds, CAP.FOWNER);
}

/** A directory that rmdir removed while something still stood in it (IS_DEADDIR). */
export function isDeadDirectory(dir: Inode): boolean {
  return dir.kind === 'dir' && dir.nlink === 0;
}

/**
 * may_delete: may the credentials remove `victim` from `dir` (as unlink, rmdir and rename
 * do)? Search and write on the directory, the sticky rule, and the kind: rmdir wants a
 * directory (ENOTDIR), unlink anything else (EISDIR); the root of a file system is EBUSY.
 */
export function mayDelete(creds: Credentials, dir: Inode, victim: Inode, wantDirectory: boolean, victimIsFileSystemRoot: boolean): Errno | null {
  if (!mayAccess(creds, dir, MAY_WRITE | MAY_EXEC)) return 'EACCES';
  if (stickyForbids(creds, dir, victim)) return 'EPERM';
  if (wantDirectory) {
    if (victim.kind !== 'dir') return 'ENOTDIR';
    if (victimIsFileSystemRoot) return 'EBUSY';
  } else if (victim.kind === 'dir') {
    return 'EISDIR';
  }
  if (isDeadDirectory(dir)) return 'ENOENT';
  return null;
}

/** may_create (the name is known to be free): a removed directory is ENOENT; then write and search on it. */
export function mayCreate(creds: Credentials, dir: Inode): Errno | null {
  if (isDeadDirectory(dir)) return 'ENOENT';
  return mayAccess(creds, dir, MAY_WRITE | MAY_EXEC) ? null : 'EACCES';
}

/** in_group_or_capable: in the group, or CAP_FSETID. */
function inGroupOrCapable(creds: Credentials, gid: number): boolean {
  return inGroup(creds, gid) || hasCapability(creds, CAP.FSETID);
}

/**
 * The owner, group and mode of a new inode (fs/inode.c inode_init_owner, fs/namei.c
 * vfs_prepare_mode): the filesystem uid owns it; in a set-group-ID directory it takes the
 * directory's group, and a new directory inherits S_ISGID; elsewhere the filesystem gid.
 * A new non-directory asking for S_ISGID with group execute keeps it in a set-group-ID
 * directory only if the creator is in that group or has CAP_FSETID (mode_strip_sgid). The
 * umask clears bits first; `mode` is already limited to what the call allows.
 */
export function newInodeOwnership(creds: Credentials, dir: Inode, kind: Inode['kind'], requestedMode: number, umask: number): { uid: number; gid: number; mode: number } {
  let mode = requestedMode & ~umask;
  const setgidDirectory = (dir.mode & S_ISGID) !== 0;
  if (kind !== 'dir' && setgidDirectory && (mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP) && !inGroupOrCapable(creds, dir.gid)) {
    mode &= ~S_ISGID;
  }
  if (!setgidDirectory) return { uid: creds.fsuid, gid: creds.fsgid, mode };
  return { uid: creds.fsuid, gid: dir.gid, mode: kind === 'dir' ? mode | S_ISGID : mode };
}

/**
 * What execve needs of the file it runs (fs/exec.c do_open_execat, fs/namei.c may_open):
 * a regular file (EACCES otherwise, directories included), on a mount without noexec
 * (EACCES), that the credentials may execute — CAP_DAC_OVERRIDE needs one x bit (EACCES).
 */
export function mayExec(creds: Credentials, inode: Inode, mount: Mount): Errno | null {
  if (inode.kind !== 'file') return 'EACCES';
  if (mount.flags.noexec) return 'EACCES';
  return mayAccess(creds, inode, MAY_EXEC) ? null : 'EACCES';
}

/**
 * The S_ISUID and S_ISGID bits a write or truncation by these credentials clears from a
 * regular file (fs/attr.c setattr_should_drop_suidgid): S_ISUID always, S_ISGID when group
 * execute is set or the writer is not in the group — unless the writer has CAP_FSETID.
 */
export function privilegeBitsDroppedByWrite(creds: Credentials, inode: Inode): number {
  if (inode.kind !== 'file' || hasCapability(creds, CAP.FSETID)) return 0;
  return (inode.mode & S_ISUID) | sgidDroppedBy(creds, inode);
}

/** setattr_should_drop_sgid: S_ISGID with group execute always goes; without it, unless in the group or CAP_FSETID. */
export function sgidDroppedBy(creds: Credentials, inode: Inode): number {
  if ((inode.mode & S_ISGID) === 0) return 0;
  if ((inode.mode & S_IXGRP) !== 0) return S_ISGID;
  return inGroupOrCapable(creds, inode.gid) ? 0 : S_ISGID;
}

/** The permission bits an open asks for (fs/open.c ACC_MODE, build_open_flags): O_TRUNC asks for write, O_PATH for nothing. */
export function accessMaskOf(flags: number): number {
  if ((flags & O_PATH) !== 0) return 0;
  const mode = flags & O_ACCMODE;
  const mask = mode === 0 ? MAY_READ : mode === 1 ? MAY_WRITE : MAY_READ | MAY_WRITE;
  return (flags & O_TRUNC) !== 0 ? mask | MAY_WRITE : mask;
}
