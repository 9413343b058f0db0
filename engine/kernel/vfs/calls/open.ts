/**
 * open(2), openat(2), creat(2) and close(2) (fs/open.c build_open_flags, do_sys_openat2;
 * fs/namei.c path_openat, open_last_lookups, lookup_open, do_open, may_open):
 *
 * - the access mode asks for read and/or write permission, O_TRUNC for write as well;
 *   O_PATH opens a place without asking anything (and can be used only as a place);
 * - O_CREAT creates a missing last name in its directory (write and search on it; EROFS
 *   on a read-only mount) with mode & ~umask, owned by the filesystem uid — and a file this
 *   open created is not checked against its own mode; O_CREAT|O_EXCL fails with EEXIST on
 *   any existing name, a symbolic link included (it never follows the last name);
 * - the last name follows symbolic links unless O_NOFOLLOW (then a link is ELOOP);
 *   O_DIRECTORY or a trailing slash demands a directory (ENOTDIR); a directory opens only
 *   for reading (EISDIR); O_CREAT with a trailing slash or on a directory is EISDIR;
 * - a device on a nodev mount is EACCES, one with no driver ENXIO; writing through a
 *   read-only mount is EROFS (after the permission check, as mnt_want_write comes after);
 * - O_TRUNC empties a regular file, clearing set-user-ID and set-group-ID as a write does;
 * - the descriptor is the lowest free one (EMFILE past RLIMIT_NOFILE, 1024), close-on-exec
 *   with O_CLOEXEC.
 *
 * O_CREAT|O_DIRECTORY is EINVAL (Linux 6.4 on). A FIFO opened with O_RDWR, or non-blocking, opens at once; a blocking open that would
 * wait for the other end returns EAGAIN with a note (isolab does not model sleeping), and
 * a non-blocking write-only open with no reader is ENXIO (fifo(7)). O_TMPFILE is not
 * simulated (EOPNOTSUPP).
 */
import type { EventDraft } from '../../../core/decider.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import type { Channel, OpenFile } from '../../state.js';
import {
  O_ACCMODE,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDWR,
  O_TMPFILE_BIT,
  O_TRUNC,
  O_WRONLY,
} from '../constants.js';
import { fsKernelEvents, vfsEvents } from '../events.js';
import { lowestFreeFd } from '../fds.js';
import { accessMaskOf, MAY_WRITE, mayAccess, mayCreate, newInodeOwnership, privilegeBitsDroppedByWrite, readOnlyDenies } from '../permission.js';
import { beginWalk, byteLength, isFailure, lookupChild, NAME_MAX, walkName, walkToLast, type Walker, type WalkFailure } from '../resolve.js';
import { inodeOf, mountOf, type Inode, type Mount, type PathRef } from '../state.js';
import { AT_FDCWD, failed, FD_LIMIT, fileArg, isErrorResult, placeRecord, resolutionEvent, succeeded, textArg } from './common.js';

interface OpenRequest {
  readonly dirfd: number;
  readonly path: string;
  readonly flags: number;
  readonly mode: number;
}

interface Located {
  readonly place: PathRef;
  readonly created: boolean;
  readonly wantDir: boolean;
  readonly events: EventDraft[];
}

/** Create the last name as a new regular file (lookup_open's O_CREAT path). */
function createFile(c: SyscallContext, walker: Walker, name: string, mode: number): Located | WalkFailure {
  const parent = walker.at;
  const dir = inodeOf(c.state.vfs, parent.ino);
  const fail = (errno: WalkFailure['errno'], note: string): WalkFailure => ({ ok: false, errno, note, visited: [...walker.visited] });
  if (dir.nlink === 0) return fail('ENOENT', 'the directory has been removed');
  if (mountOf(c.state.vfs, parent.mount).flags.readOnly) return fail('EROFS', 'the directory is on a read-only mount');
  const denied = mayCreate(walker.creds, dir);
  if (denied !== null) return fail(denied, 'no write and search permission on the directory to create the file');
  const ino = c.state.vfs.nextIno;
  const owner = newInodeOwnership(walker.creds, dir, 'file', mode & 0o7777, c.process.fs!.umask);
  const inode: Inode = { ino, kind: 'file', mode: owner.mode, uid: owner.uid, gid: owner.gid, nlink: 1, content: '', entries: [], target: '', fileCaps: null, driver: null };
  const actor = c.process.name;
  return { place: { mount: parent.mount, ino }, created: true, wantDir: false, events: [vfsEvents.inodeCreated(actor, inode), vfsEvents.entryAdded(actor, parent.ino, name, ino)] };
}

/**
 * path_openat's walk: every name but the last, then the last as open treats it,
 * following links in last position until a place is found or created.
 */
function locate(c: SyscallContext, request: OpenRequest): { walker: Walker; located: Located } | WalkFailure {
  const walker = beginWalk(c.state, c.process, request.path, { dirfd: request.dirfd });
  if (isFailure(walker)) return walker;
  const creating = (request.flags & O_CREAT) !== 0 && (request.flags & O_PATH) === 0;
  let follow = (request.flags & O_NOFOLLOW) === 0 && !(creating && (request.flags & O_EXCL) !== 0);
  let wantDir = (request.flags & O_DIRECTORY) !== 0;
  let rest = request.path;
  for (;;) {
    const last = walkToLast(walker, rest);
    if (isFailure(last)) return last;
    if (last.kind !== 'norm') {
      const dots = walkName(walker, last, false);
      if (dots !== null && typeof dots !== 'string') return dots;
      return { walker, located: { place: walker.at, created: false, wantDir, events: [] } };
    }
    if (!creating && last.trailingSlash) {
      follow = true;
      wantDir = true;
    }
    if (creating) {
      if (last.trailingSlash) return { ok: false, errno: 'EISDIR', note: 'O_CREAT with a trailing slash names a directory', visited: [...walker.visited] };
      if (byteLength(last.name) > NAME_MAX) return { ok: false, errno: 'ENAMETOOLONG', note: `the name is longer than ${NAME_MAX} bytes`, visited: [...walker.visited] };
      if (lookupChild(c.state.vfs, walker.at, last.name) === null) {
        const created = createFile(c, walker, last.name, request.mode);
        return isFailure(created) ? created : { walker, located: created };
      }
    }
    // The name exists: step onto it, following a link in last position.
    const link = walkName(walker, last, follow);
    if (link !== null && typeof link !== 'string') return link;
    if (typeof link === 'string') {
      rest = link;
      continue;
    }
    return { walker, located: { place: walker.at, created: false, wantDir, events: [] } };
  }
}

/** may_open and do_dentry_open's checks on an existing (not just created) place. */
function mayOpen(walker: Walker, inode: Inode, mount: Mount, request: OpenRequest): { errno: WalkFailure['errno']; note: string } | null {
  const mask = accessMaskOf(request.flags);
  const path = (request.flags & O_PATH) !== 0;
  if (inode.kind === 'symlink' && !path) return { errno: 'ELOOP', note: 'the last name is a symbolic link and O_NOFOLLOW (or O_CREAT|O_EXCL) forbids following it' };
  if (path) return null;
  if (inode.kind === 'dir' && (mask & MAY_WRITE) !== 0) return { errno: 'EISDIR', note: 'a directory opens only for reading' };
  if (inode.kind === 'chardev' && mount.flags.nodev) return { errno: 'EACCES', note: 'devices on a nodev mount cannot be opened' };
  if (!mayAccess(walker.creds, inode, mask)) return { errno: 'EACCES', note: `permission denied (mode 0${(inode.mode & 0o7777).toString(8)}, owner ${inode.uid}:${inode.gid})` };
  if ((mask & MAY_WRITE) !== 0 && readOnlyDenies(mount, inode)) return { errno: 'EROFS', note: 'the file is on a read-only mount' };
  if (inode.kind === 'chardev' && inode.driver === 'none') return { errno: 'ENXIO', note: 'no driver for this device' };
  return null;
}

/** O_TRUNC on an existing regular file: empty it, and drop the privilege bits as a write does (do_truncate). */
function truncation(c: SyscallContext, inode: Inode): EventDraft[] {
  const actor = c.process.name;
  const events = inode.content.length === 0 ? [] : [vfsEvents.fileTruncated(actor, inode.ino, 0)];
  const dropped = privilegeBitsDroppedByWrite(c.process.creds, inode);
  if (dropped !== 0 || inode.fileCaps !== null) {
    events.push(vfsEvents.inodeChanged(actor, inode.ino, { ...(dropped !== 0 ? { mode: inode.mode & ~dropped } : {}), ...(inode.fileCaps !== null ? { fileCaps: null } : {}) }, 'truncate clears set-user-ID, set-group-ID and file capabilities'));
  }
  return events;
}

/** The channel behind a FIFO: the one its open descriptions share, or a new one. */
function fifoChannel(c: SyscallContext, ino: number): { channel: Channel; fresh: boolean } {
  for (const file of Object.values(c.state.kernel.files.byId)) {
    if (file.kind === 'pipe' && file.path?.ino === ino && file.channel !== null) {
      const channel = c.state.kernel.channels.byId[file.channel];
      if (channel !== undefined) return { channel, fresh: false };
    }
  }
  return { channel: { id: c.state.kernel.channels.nextId, buffer: '', readers: 0, writers: 0 }, fresh: true };
}

/** Opening a FIFO (fs/pipe.c fifo_open): which end, and whether the open would have to wait. */
function openFifo(c: SyscallContext, ino: number, flags: number): { channel: Channel; end: 'read' | 'write' | 'both'; events: EventDraft[] } | { errno: 'EAGAIN' | 'ENXIO'; note: string } {
  const { channel, fresh } = fifoChannel(c, ino);
  const mode = flags & O_ACCMODE;
  const nonblocking = (flags & O_NONBLOCK) !== 0;
  const end = mode === O_RDWR ? 'both' : mode === O_WRONLY ? 'write' : 'read';
  if (end === 'read' && !nonblocking && channel.writers === 0) return { errno: 'EAGAIN', note: 'a blocking read-only open of a FIFO waits for a writer; isolab does not model sleeping' };
  if (end === 'write' && channel.readers === 0) {
    if (nonblocking) return { errno: 'ENXIO', note: 'no process has the FIFO open for reading (fifo(7))' };
    return { errno: 'EAGAIN', note: 'a blocking write-only open of a FIFO waits for a reader; isolab does not model sleeping' };
  }
  const readers = channel.readers + (end === 'write' ? 0 : 1);
  const writers = channel.writers + (end === 'read' ? 0 : 1);
  const updated = { ...channel, buffer: fresh ? '' : channel.buffer, readers, writers };
  return { channel: updated, end, events: [fsKernelEvents.channelCreated(c.process.name, updated)] };
}

function kindOf(inode: Inode): OpenFile['kind'] {
  if (inode.kind === 'dir') return 'dir';
  if (inode.kind === 'fifo') return 'pipe';
  if (inode.kind === 'chardev' && (inode.driver === 'console' || inode.driver === 'tty')) return 'console';
  return 'file';
}

/** The open itself, after the walk: the checks of do_open, then the description and the descriptor. */
function finishOpen(c: SyscallContext, request: OpenRequest, fd: number, walker: Walker, located: Located, resolved: EventDraft): SyscallResult {
  const events: EventDraft[] = [resolved, ...located.events];
  const inode = located.created ? null : inodeOf(c.state.vfs, located.place.ino);
  const creating = (request.flags & O_CREAT) !== 0 && (request.flags & O_PATH) === 0;
  if (inode !== null) {
    if (creating && (request.flags & O_EXCL) !== 0) return failed('EEXIST', 'O_CREAT|O_EXCL and the name exists', events);
    if (creating && inode.kind === 'dir') return failed('EISDIR', 'O_CREAT on a directory', events);
  }
  if (located.wantDir && inode !== null && inode.kind !== 'dir') return failed('ENOTDIR', 'O_DIRECTORY (or a trailing slash) and not a directory', events);
  const mount = mountOf(c.state.vfs, located.place.mount);
  if (inode !== null) {
    const truncating = inode.kind === 'file' && (request.flags & O_TRUNC) !== 0 && (request.flags & O_PATH) === 0;
    if (truncating && mount.flags.readOnly) return failed('EROFS', 'O_TRUNC on a read-only mount', events);
    const denied = mayOpen(walker, inode, mount, request);
    if (denied !== null) return failed(denied.errno, denied.note, events);
    if (truncating) events.push(...truncation(c, inode));
  }
  let channel: number | null = null;
  let end: OpenFile['end'] = null;
  if (inode?.kind === 'fifo' && (request.flags & O_PATH) === 0) {
    const fifo = openFifo(c, inode.ino, request.flags);
    if ('errno' in fifo) return failed(fifo.errno, fifo.note, events);
    events.push(...fifo.events);
    channel = fifo.channel.id;
    end = fifo.end;
  }
  const stored = request.flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
  const file: OpenFile = {
    id: c.state.kernel.files.nextId,
    kind: inode === null ? 'file' : kindOf(inode),
    path: located.place,
    name: request.path,
    flags: stored,
    offset: 0,
    refs: 1,
    channel,
    end,
  };
  events.push(fsKernelEvents.fdOpened(c.process.name, { pid: c.process.pid, fd, cloexec: (request.flags & O_CLOEXEC) !== 0, file, openFlags: request.flags, created: located.created }));
  return succeeded(fd, events);
}

export function decideOpen(c: SyscallContext, request: OpenRequest): SyscallResult {
  // build_open_flags (Linux 6.4 on): O_CREAT|O_DIRECTORY once created regular files by mistake.
  if ((request.flags & (O_CREAT | O_DIRECTORY)) === (O_CREAT | O_DIRECTORY)) return fail('EINVAL', 'O_CREAT and O_DIRECTORY together are refused');
  if ((request.flags & O_TMPFILE_BIT) !== 0) return fail('EOPNOTSUPP', 'O_TMPFILE is not simulated');
  const fd = lowestFreeFd(c.process);
  if (fd >= FD_LIMIT) return fail('EMFILE', `no descriptor below RLIMIT_NOFILE (${FD_LIMIT}) is free`);
  const flags = (request.flags & O_PATH) !== 0 ? request.flags & (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC) : request.flags;
  const normalised = { ...request, flags };
  const outcome = locate(c, normalised);
  if (isFailure(outcome)) {
    return failed(outcome.errno, outcome.note, c.process.fs === null ? [] : [resolutionEvent(c, request.path, outcome)]);
  }
  const resolved = placeRecord(c, request.path, outcome.walker.visited, outcome.located.place);
  return finishOpen(c, normalised, fd, outcome.walker, outcome.located, resolved);
}

function openatHandler(c: SyscallContext): SyscallResult {
  const path = textArg(c, 1);
  if (isErrorResult(path)) return path;
  return decideOpen(c, { dirfd: c.int32(0), path, flags: c.int32(2), mode: c.int32(3) });
}

function openHandler(c: SyscallContext): SyscallResult {
  const path = textArg(c, 0);
  if (isErrorResult(path)) return path;
  return decideOpen(c, { dirfd: AT_FDCWD, path, flags: c.int32(1), mode: c.int32(2) });
}

/** creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode). */
function creatHandler(c: SyscallContext): SyscallResult {
  const path = textArg(c, 0);
  if (isErrorResult(path)) return path;
  return decideOpen(c, { dirfd: AT_FDCWD, path, flags: O_CREAT | O_WRONLY | O_TRUNC, mode: c.int32(1) });
}

function closeHandler(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  return ok(0, { events: [fsKernelEvents.fdClosed(c.process.name, c.process.pid, target.fd, target.file.id)] });
}

export const OPEN_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  open: openHandler,
  openat: openatHandler,
  creat: creatHandler,
  close: closeHandler,
};

