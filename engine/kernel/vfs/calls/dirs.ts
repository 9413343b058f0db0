/**
 * A process's working directory and root (fs/open.c chdir, fchdir, chroot; fs/d_path.c
 * getcwd; chdir(2), getcwd(2), chroot(2)):
 *
 * - chdir and fchdir need a directory (ENOTDIR) with search permission (EACCES);
 * - chroot needs search permission on the directory (EACCES, checked first) and
 *   CAP_SYS_CHROOT (EPERM). It changes the root only — not the working directory, and no
 *   descriptor is closed — so a process whose cwd stays outside its new root is not
 *   confined by it (chroot(2) NOTES);
 * - getcwd prints the cwd as seen from the root; a cwd outside the root prints from the
 *   top of the mount tree after "(unreachable)" (Linux 2.6.36 on), a removed cwd is
 *   ENOENT, a buffer too small for the path and its NUL ERANGE. The result's bytes are
 *   what the kernel copies out, the NUL included, and the return value counts them.
 */
import { hasCapability } from '../../cred/state.js';
import { fail, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import { fsKernelEvents } from '../events.js';
import { CAP, MAY_EXEC, mayAccess } from '../permission.js';
import { isFailure, PATH_MAX, resolvePath, type Resolved } from '../resolve.js';
import type { EventDraft } from '../../../core/decider.js';
import { inodeOf } from '../state.js';
import { pathFromRoot } from '../tree.js';
import { failed, fileArg, isErrorResult, placeOf, resolutionEvent, returnBytes, succeeded, textArg, walkFailed } from './common.js';

/** The directory argument of chdir and chroot: resolved, and searchable by the caller (EACCES otherwise). */
function searchableDirectory(c: SyscallContext): SyscallResult | { readonly found: Resolved; readonly events: EventDraft[] } {
  const path = textArg(c, 0);
  if (isErrorResult(path)) return path;
  const found = resolvePath(c.state, c.process, path, { follow: true, wantDir: true });
  if (isFailure(found)) return walkFailed(c, path, found);
  const events = [resolutionEvent(c, path, found)];
  if (!mayAccess(c.process.creds, found.inode, MAY_EXEC)) return failed('EACCES', 'no search permission on the directory', events);
  return { found, events };
}

function chdir(c: SyscallContext): SyscallResult {
  const directory = searchableDirectory(c);
  if (!('found' in directory)) return directory;
  const { found, events } = directory;
  return succeeded(0, [...events, fsKernelEvents.cwdChanged(c.process.name, c.process.pid, found.ref, 'chdir')]);
}

function fchdir(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const place = placeOf(c, target.file);
  if (place === null || place.inode.kind !== 'dir') return fail('ENOTDIR', `fd ${target.fd} is not a directory`);
  if (!mayAccess(c.process.creds, place.inode, MAY_EXEC)) return fail('EACCES', 'no search permission on the directory');
  return succeeded(0, [fsKernelEvents.cwdChanged(c.process.name, c.process.pid, place.ref, 'fchdir')]);
}

function chroot(c: SyscallContext): SyscallResult {
  const directory = searchableDirectory(c);
  if (!('found' in directory)) return directory;
  const { found, events } = directory;
  if (!hasCapability(c.process.creds, CAP.SYS_CHROOT)) return failed('EPERM', 'chroot needs CAP_SYS_CHROOT', events);
  const note = c.process.fs !== null && !insideNewRoot(c, found.ref) ? 'the working directory is outside the new root: chroot does not change it' : undefined;
  return succeeded(0, [...events, fsKernelEvents.rootChanged(c.process.name, c.process.pid, found.ref, 'chroot')], note === undefined ? {} : { note });
}

function insideNewRoot(c: SyscallContext, root: { mount: number; ino: number }): boolean {
  return pathFromRoot(c.state.vfs, c.process.fs!.cwd, root).kind === 'reachable';
}

function getcwd(c: SyscallContext): SyscallResult {
  const fs = c.process.fs;
  if (fs === null) return fail('ENOENT', 'this machine has no file system');
  if (inodeOf(c.state.vfs, fs.cwd.ino).nlink === 0) return fail('ENOENT', 'the working directory has been removed');
  const where = pathFromRoot(c.state.vfs, fs.cwd, fs.root);
  const text = where.kind === 'reachable' ? where.path : `(unreachable)${where.path}`;
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length + 1;
  if (length > PATH_MAX) return fail('ENAMETOOLONG', 'the path is longer than PATH_MAX');
  const size = c.has(1) ? Number(c.u64(1)) : PATH_MAX;
  if (length > size) return fail('ERANGE', `the path needs ${length} bytes with its NUL; the buffer has ${size}`);
  const note = where.kind === 'unreachable' ? 'the working directory is outside the root' : undefined;
  const withNul = new Uint8Array(length);
  withNul.set(bytes);
  return returnBytes(c, 0, length, withNul, [], note === undefined ? {} : { note });
}

export const DIR_HANDLERS: Readonly<Record<string, SyscallHandler>> = { chdir, fchdir, chroot, getcwd };
