/**
 * read(2), write(2), lseek(2) and getdents64(2) on every kind of open file description:
 *
 * - regular files read and write at the description's offset (shared by dup'd and
 *   inherited descriptors), O_APPEND writes at the end; a write by a process without
 *   CAP_FSETID clears S_ISUID (and S_ISGID when group-executable), and any write removes
 *   file capabilities (fs/attr.c setattr_should_drop_suidgid, security/commoncap.c);
 * - directories: read is EISDIR, getdents64 lists ".", ".." and the entries as
 *   linux_dirent64 records (d_ino, d_off, d_reclen, d_type, name) in name order;
 * - pipes and sockets: bytes written into the channel are read in order. Reading an empty
 *   one whose writers are all gone is end of file (0); while a writer remains it would
 *   sleep — isolab returns EAGAIN and says so. Writing with no reader left is EPIPE (Linux
 *   also sends SIGPIPE; the signal belongs to the signal mechanism). A pipe holds 65536
 *   bytes; writes of at most PIPE_BUF (4096) go in whole or not at all (pipe(7));
 * - the console keeps its behaviour: writes go to the run's output, a read finds no input;
 * - /dev/null reads end of file and swallows writes, /dev/zero reads zeros.
 *
 * A descriptor opened O_PATH, or without the access asked for, is EBADF. Results come
 * back as bytes, and are copied to the buffer when it is a user address.
 */
import type { EventDraft } from '../../../core/decider.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import { readUserBytes } from '../../syscall/user-memory.js';
import type { OpenFile } from '../../state.js';
import { DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, O_APPEND, O_NONBLOCK, PIPE_BUF, PIPE_CAPACITY, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET, SOCKET_CAPACITY } from '../constants.js';
import { fsKernelEvents, vfsEvents } from '../events.js';
import { privilegeBitsDroppedByWrite } from '../permission.js';
import { generatedContent } from '../procfs.js';
import { contentBytes, type Inode } from '../state.js';
import { parentDirectory } from '../tree.js';
import { fileArg, isErrorResult, isPathOnly, isReadable, isWritable, placeOf, returnBytes } from './common.js';

/** The bytes a `buf` argument names: a "string" given by value, or count bytes at a user address. */
function bufferOf(c: SyscallContext, index: number, count: number): Uint8Array | null {
  const arg = c.args[index];
  if (typeof arg === 'object' && 'text' in arg) return new TextEncoder().encode(arg.text).subarray(0, count);
  if (typeof arg === 'string') return readUserBytes(c.state, c.process, BigInt(arg), count);
  return null;
}

/** A channel end's peer: socket pairs take two consecutive channels 2k and 2k+1, each one end's inbound bytes. */
function peerChannel(channel: number): number {
  return channel ^ 1;
}

/** The content a regular file holds for this reader (proc files are made when read). */
function contentFor(c: SyscallContext, inode: Inode): string {
  return generatedContent(c.state, c.process, inode) ?? inode.content;
}

function readFile(c: SyscallContext, file: OpenFile, inode: Inode, count: number): SyscallResult {
  if (inode.kind === 'chardev') {
    if (inode.driver === 'zero') return returnBytes(c, 1, count, new Uint8Array(count), []);
    return returnBytes(c, 1, 0, new Uint8Array(0), []);
  }
  const content = contentFor(c, inode);
  const start = Math.min(file.offset, content.length);
  const bytes = contentBytes(content.slice(start, start + count));
  const events = bytes.length === 0 ? [] : [fsKernelEvents.fileOffsetSet(c.process.name, file.id, start + bytes.length)];
  return returnBytes(c, 1, bytes.length, bytes, events);
}

function readChannel(c: SyscallContext, file: OpenFile, count: number): SyscallResult {
  const channel = file.channel === null ? undefined : c.state.kernel.channels.byId[file.channel];
  if (channel === undefined) return fail('EBADF', 'the channel is gone');
  if (channel.buffer.length === 0) {
    const writers = file.kind === 'socket' ? (c.state.kernel.channels.byId[peerChannel(channel.id)]?.writers ?? 0) : channel.writers;
    if (writers === 0) return returnBytes(c, 1, 0, new Uint8Array(0), [], { note: 'end of file: no writer is left' });
    const nonblocking = (file.flags & O_NONBLOCK) !== 0;
    return fail('EAGAIN', nonblocking ? 'nothing to read yet (O_NONBLOCK)' : 'nothing to read yet; a blocking read would sleep until a writer writes, and isolab does not model sleeping');
  }
  const bytes = contentBytes(channel.buffer.slice(0, count));
  return returnBytes(c, 1, bytes.length, bytes, [fsKernelEvents.channelRead(c.process.name, channel.id, bytes.length)]);
}

function read(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const { fd, file } = target;
  if (isPathOnly(file) || !isReadable(file)) return fail('EBADF', `fd ${fd} is not open for reading`);
  const count = c.int(2);
  if (count < 0) return fail('EINVAL', 'count is larger than SSIZE_MAX');
  if (file.kind === 'dir') return fail('EISDIR', `fd ${fd} is a directory (getdents64 lists it)`);
  if (file.kind === 'console') return fail('EAGAIN', 'the console has no input; a read would sleep, and isolab does not model sleeping');
  if (count === 0) return returnBytes(c, 1, 0, new Uint8Array(0), []);
  if (file.kind === 'pipe' || file.kind === 'socket') return readChannel(c, file, count);
  const place = placeOf(c, file);
  if (place === null) return fail('EBADF', `fd ${fd} refers to nothing readable`);
  return readFile(c, file, place.inode, count);
}

function writeFile(c: SyscallContext, file: OpenFile, inode: Inode, bytes: Uint8Array): SyscallResult {
  const actor = c.process.name;
  if (inode.kind === 'chardev') return ok(bytes.length);
  if (inode.driver !== null) return fail('EINVAL', 'this file is made by the kernel and has no write operation');
  if (bytes.length === 0) return ok(0);
  const offset = (file.flags & O_APPEND) !== 0 ? inode.content.length : file.offset;
  const events: EventDraft[] = [vfsEvents.fileWritten(actor, inode.ino, offset, bytes)];
  const dropped = privilegeBitsDroppedByWrite(c.process.creds, inode);
  if (dropped !== 0 || inode.fileCaps !== null) {
    const changes = { ...(dropped !== 0 ? { mode: inode.mode & ~dropped } : {}), ...(inode.fileCaps !== null ? { fileCaps: null } : {}) };
    events.push(vfsEvents.inodeChanged(actor, inode.ino, changes, 'a write clears set-user-ID, set-group-ID and file capabilities'));
  }
  events.push(fsKernelEvents.fileOffsetSet(actor, file.id, offset + bytes.length));
  return ok(bytes.length, { events });
}

function writeChannel(c: SyscallContext, file: OpenFile, bytes: Uint8Array): SyscallResult {
  const into = file.channel === null ? null : file.kind === 'socket' ? peerChannel(file.channel) : file.channel;
  const channel = into === null ? undefined : c.state.kernel.channels.byId[into];
  if (channel === undefined || channel.readers === 0) {
    return fail('EPIPE', 'no process has the other end open for reading (Linux also sends SIGPIPE, which isolab leaves to the signal mechanism)');
  }
  if (bytes.length === 0) return ok(0);
  const room = (file.kind === 'socket' ? SOCKET_CAPACITY : PIPE_CAPACITY) - channel.buffer.length;
  const wouldBlock = room === 0 || (bytes.length <= PIPE_BUF && room < bytes.length);
  if (wouldBlock) {
    const nonblocking = (file.flags & O_NONBLOCK) !== 0;
    return fail('EAGAIN', nonblocking ? 'the buffer is full (O_NONBLOCK)' : 'the buffer is full; a blocking write would sleep until a reader makes room, and isolab does not model sleeping');
  }
  const written = bytes.subarray(0, Math.min(room, bytes.length));
  return ok(written.length, { events: [fsKernelEvents.channelWritten(c.process.name, channel.id, written)] });
}

function write(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const { fd, file } = target;
  if (isPathOnly(file) || !isWritable(file)) return fail('EBADF', `fd ${fd} is not open for writing`);
  const count = c.int(2);
  if (count < 0) return fail('EINVAL', 'count is larger than SSIZE_MAX');
  const bytes = bufferOf(c, 1, count);
  if (bytes === null) return fail('EFAULT', 'the buffer is not readable user memory');
  if (file.kind === 'console') {
    const text = new TextDecoder().decode(bytes);
    return ok(bytes.length, { events: [{ type: 'kernel.consoleWritten', actor: c.process.name, data: { pid: c.process.pid, fd, text } }] });
  }
  if (file.kind === 'pipe' || file.kind === 'socket') return writeChannel(c, file, bytes);
  const place = placeOf(c, file);
  if (place === null) return fail('EBADF', `fd ${fd} refers to nothing writable`);
  return writeFile(c, file, place.inode, bytes);
}

/** The new offset of an lseek, or the errno (fs/read_write.c generic_file_llseek_size, SEEK_DATA/SEEK_HOLE). */
function seekTarget(current: number, size: number, offset: number, whence: number, canSeekEnd: boolean): number | 'EINVAL' | 'ENXIO' {
  switch (whence) {
    case SEEK_SET:
      return offset;
    case SEEK_CUR:
      return current + offset;
    case SEEK_END:
      return canSeekEnd ? size + offset : 'EINVAL';
    case SEEK_DATA:
      return !canSeekEnd ? 'EINVAL' : offset < 0 || offset >= size ? 'ENXIO' : offset;
    case SEEK_HOLE:
      return !canSeekEnd ? 'EINVAL' : offset < 0 || offset >= size ? 'ENXIO' : size;
    default:
      return 'EINVAL';
  }
}

function lseek(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const { fd, file } = target;
  if (isPathOnly(file)) return fail('EBADF', `fd ${fd} was opened O_PATH`);
  if (file.kind === 'pipe' || file.kind === 'socket' || file.kind === 'console') return fail('ESPIPE', `fd ${fd} is a ${file.kind === 'console' ? 'terminal' : file.kind}; it has no offset`);
  const place = placeOf(c, file);
  if (place === null) return fail('ESPIPE', `fd ${fd} has no offset`);
  if (place.inode.kind === 'chardev') return ok(0, { events: file.offset === 0 ? [] : [fsKernelEvents.fileOffsetSet(c.process.name, file.id, 0)] });
  const isRegular = place.inode.kind === 'file' && place.inode.driver === null;
  const size = isRegular ? place.inode.content.length : 0;
  const next = seekTarget(file.offset, size, c.int(1), c.int32(2), isRegular);
  if (next === 'EINVAL' || next === 'ENXIO') return fail(next, next === 'ENXIO' ? 'no data or hole at or after that offset' : 'bad whence for this file');
  if (next < 0) return fail('EINVAL', 'the resulting offset would be negative');
  return ok(next, { events: next === file.offset ? [] : [fsKernelEvents.fileOffsetSet(c.process.name, file.id, next)] });
}

function direntType(inode: Inode | undefined): number {
  switch (inode?.kind) {
    case 'dir':
      return DT_DIR;
    case 'symlink':
      return DT_LNK;
    case 'chardev':
      return DT_CHR;
    case 'fifo':
      return DT_FIFO;
    default:
      return DT_REG;
  }
}

/** One struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, the name and a NUL, padded to 8. */
function direntRecord(ino: number, nextOffset: number, type: number, name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const length = Math.ceil((19 + nameBytes.length + 1) / 8) * 8;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(ino), true);
  view.setBigInt64(8, BigInt(nextOffset), true);
  view.setUint16(16, length, true);
  view.setUint8(18, type);
  out.set(nameBytes, 19);
  return out;
}

function getdents64(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const { fd, file } = target;
  if (isPathOnly(file)) return fail('EBADF', `fd ${fd} was opened O_PATH`);
  const place = placeOf(c, file);
  if (place === null || place.inode.kind !== 'dir') return fail('ENOTDIR', `fd ${fd} is not a directory`);
  const dir = place.inode;
  if (dir.nlink === 0) return fail('ENOENT', 'the directory has been removed');
  const vfs = c.state.vfs;
  const listing: [string, number, number][] = [
    ['.', dir.ino, DT_DIR],
    ['..', parentDirectory(vfs, dir.ino) ?? dir.ino, DT_DIR],
    ...dir.entries.map(([name, ino]) => [name, ino, direntType(vfs.inodes[ino])] as [string, number, number]),
  ];
  const count = c.int32(2);
  const records: Uint8Array[] = [];
  const names: string[] = [];
  let used = 0;
  let index = file.offset;
  for (; index < listing.length; index++) {
    const [name, ino, type] = listing[index]!;
    const record = direntRecord(ino, index + 1, type, name);
    if (used + record.length > count) break;
    records.push(record);
    names.push(name);
    used += record.length;
  }
  if (records.length === 0 && index < listing.length) return fail('EINVAL', 'the buffer is too small for the next entry');
  const bytes = new Uint8Array(used);
  let at = 0;
  for (const record of records) {
    bytes.set(record, at);
    at += record.length;
  }
  const events = index === file.offset ? [] : [fsKernelEvents.fileOffsetSet(c.process.name, file.id, index)];
  return returnBytes(c, 1, used, bytes, events, { detail: { names } });
}

export const IO_HANDLERS: Readonly<Record<string, SyscallHandler>> = { read, write, lseek, getdents64 };

