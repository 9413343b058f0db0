/**
 * What the file system's system-call handlers share: reading path and buffer arguments,
 * recording each path resolution (vfs.pathResolved, which the chroot-confinement
 * invariant checks), results with events, copying results out to user memory, and the
 * open-file lookups by descriptor.
 */
import type { EventDraft } from '../../../core/decider.js';
import { bytesToHex } from '../../../core/bytes.js';
import { fail, ok, type SyscallContext, type SyscallResult, type SyscallResultError, type SyscallResultOk } from '../../syscall/context.js';
import type { Errno } from '../../syscall/errno.js';
import { writeUserBytes } from '../../syscall/user-memory.js';
import type { OpenFile } from '../../state.js';
import { vfsEvents } from '../events.js';
import { openFileOf } from '../fds.js';
import type { ParentResolved, Resolved, WalkFailure } from '../resolve.js';
import { inodeOf, type Inode, type Mount, type PathRef } from '../state.js';

export const AT_FDCWD = -100;
/** RLIMIT_NOFILE's default soft limit: descriptors are 0…1023. */
export const FD_LIMIT = 1024;

/** A string argument (a path, a link target, a file-system type), or EFAULT. */
export function textArg(c: SyscallContext, index: number): string | SyscallResultError {
  const text = c.text(index);
  return typeof text === 'string' ? text : fail('EFAULT', `argument ${index + 1} is not a readable string`);
}

export function isErrorResult(value: unknown): value is SyscallResultError {
  return typeof value === 'object' && value !== null && 'errno' in value;
}

/** The record of a resolution, made first among a call's events (the invariant sees the state it started from). */
export function resolutionEvent(c: SyscallContext, path: string, outcome: Resolved | ParentResolved | WalkFailure): EventDraft {
  const result = !outcome.ok ? null : 'ref' in outcome ? outcome.ref : outcome.parent;
  return vfsEvents.pathResolved(c.process.name, { pid: c.process.pid, path, visited: outcome.visited, result, errno: outcome.ok ? null : outcome.errno });
}

/** The record of a resolution that ended at a place (or created it, with `place` the new name's). */
export function placeRecord(c: SyscallContext, path: string, visited: readonly PathRef[], place: PathRef): EventDraft {
  return vfsEvents.pathResolved(c.process.name, { pid: c.process.pid, path, visited, result: place, errno: null });
}

/** A failed call that still reports the events it made (at least the resolutions). */
export function failed(errno: Errno, note: string, events: readonly EventDraft[]): SyscallResultError {
  return events.length === 0 ? fail(errno, note) : { errno, note, events };
}

export function walkFailed(c: SyscallContext, path: string, failure: WalkFailure, before: readonly EventDraft[] = []): SyscallResultError {
  return failed(failure.errno, failure.note, [...before, resolutionEvent(c, path, failure)]);
}

export function succeeded(ret: number, events: readonly EventDraft[], extra: Omit<SyscallResultOk, 'ret' | 'events'> = {}): SyscallResultOk {
  return ok(ret, { ...extra, events });
}

/** The open file description behind a descriptor, or EBADF. */
export function fileArg(c: SyscallContext, index: number): { fd: number; file: OpenFile } | SyscallResultError {
  const fd = c.int32(index);
  const file = openFileOf(c.state.kernel, c.process, fd);
  return file === null ? fail('EBADF', `fd ${fd} is not open`) : { fd, file };
}

export const O_ACCMODE = 0o3;
export const O_PATH = 0o10000000;

/** Whether the description was opened for reading (FMODE_READ); O_PATH ones are for neither. */
export function isReadable(file: OpenFile): boolean {
  if (file.kind === 'console') return true;
  if ((file.flags & O_PATH) !== 0) return false;
  const mode = file.flags & O_ACCMODE;
  return mode === 0 || mode === 2;
}

export function isWritable(file: OpenFile): boolean {
  if (file.kind === 'console') return true;
  if ((file.flags & O_PATH) !== 0) return false;
  const mode = file.flags & O_ACCMODE;
  return mode === 1 || mode === 2;
}

export function isPathOnly(file: OpenFile): boolean {
  return (file.flags & O_PATH) !== 0;
}

/** The inode and mount a file or directory description refers to, or null for pipes, sockets, the console. */
export function placeOf(c: SyscallContext, file: OpenFile): { ref: PathRef; inode: Inode; mount: Mount } | null {
  if (file.path === null) return null;
  const mount = c.state.vfs.mounts.byId[file.path.mount];
  const inode = c.state.vfs.inodes[file.path.ino];
  if (mount === undefined || inode === undefined) return null;
  return { ref: file.path, inode, mount };
}

export function mountAt(c: SyscallContext, ref: PathRef): Mount {
  const mount = c.state.vfs.mounts.byId[ref.mount];
  if (mount === undefined) throw new Error(`no mount ${ref.mount}`);
  return mount;
}

export function inodeAt(c: SyscallContext, ref: PathRef): Inode {
  return inodeOf(c.state.vfs, ref.ino);
}

/**
 * Where a call puts bytes it returns: a user address (copy_to_user, EFAULT if it cannot),
 * or the word `buf` — the scenario's kernel-side buffer, which needs no copy. A string
 * given as a destination is not memory: EFAULT.
 */
export function copyOut(c: SyscallContext, index: number, bytes: Uint8Array): EventDraft[] | SyscallResultError {
  const arg = c.args[index];
  if (arg === undefined || (typeof arg === 'object' && 'symbol' in arg)) return [];
  if (typeof arg === 'object') return fail('EFAULT', 'a string is not a buffer the kernel can write to');
  if (bytes.length === 0) return [];
  const events = writeUserBytes(c.state, c.process, BigInt(arg), bytes);
  return events ?? fail('EFAULT', `the buffer at ${arg} is not writable user memory`);
}

/** A result that returns bytes: copied to the caller's buffer when it gave one, shown as hex either way. */
export function returnBytes(c: SyscallContext, bufferIndex: number, ret: number, bytes: Uint8Array, events: readonly EventDraft[], extra: Omit<SyscallResultOk, 'ret' | 'events' | 'bytes'> = {}): SyscallResult {
  const copied = copyOut(c, bufferIndex, bytes);
  if (isErrorResult(copied)) return copied;
  return ok(ret, { ...extra, bytes: bytesToHex(bytes), events: [...events, ...copied] });
}

/** Two 32-bit descriptors, little-endian, as pipe(2) and socketpair(2) store them. */
export function fdPairBytes(first: number, second: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setInt32(0, first, true);
  view.setInt32(4, second, true);
  return out;
}
