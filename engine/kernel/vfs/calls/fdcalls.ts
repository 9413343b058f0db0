/**
 * Descriptors that share an open file description, and channels between descriptors
 * (dup(2), pipe(2), socketpair(2); fs/file.c ksys_dup3, fs/pipe.c do_pipe2,
 * net/socket.c __sys_socketpair, net/unix/af_unix.c):
 *
 * - dup takes the lowest free descriptor; dup2 takes the one asked for, closing what it
 *   named (dup2(fd, fd) only checks fd); dup3 is dup2 with O_CLOEXEC, and refuses equal
 *   descriptors (EINVAL). A target outside 0…1023 is EBADF. The copy is never
 *   close-on-exec unless dup3 says so: the flag belongs to the descriptor, not the
 *   description;
 * - pipe makes one channel with a read end and a write end (the two lowest free
 *   descriptors); pipe2 takes O_CLOEXEC and O_NONBLOCK (O_DIRECT accepted);
 * - socketpair makes two connected Unix sockets, each reading what the other writes;
 *   only AF_UNIX has pairs (EOPNOTSUPP for AF_INET/AF_INET6, EAFNOSUPPORT otherwise).
 *
 * The descriptors go to user memory when the array argument is an address, and appear in
 * the result's detail either way. A pair of sockets uses channels 2k and 2k+1: each
 * socket's channel holds the bytes it will read, and its reader and writer counts say
 * whether that socket is still open.
 */
import type { EventDraft } from '../../../core/decider.js';
import { constantValue } from '../../syscall/constants.js';
import { fail, type SyscallContext, type SyscallHandler, type SyscallResult } from '../../syscall/context.js';
import type { Channel, OpenFile, Process } from '../../state.js';
import { AF_INET, AF_INET6, AF_UNIX, O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_NOTIFICATION_PIPE, O_RDONLY, O_RDWR, O_WRONLY, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_SEQPACKET, SOCK_STREAM, SOCK_TYPE_MASK } from '../constants.js';
import { fsKernelEvents } from '../events.js';
import { lowestFreeFd } from '../fds.js';
import { copyOut, FD_LIMIT, fdPairBytes, fileArg, isErrorResult, succeeded } from './common.js';

function dup(c: SyscallContext): SyscallResult {
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  const fd = lowestFreeFd(c.process);
  if (fd >= FD_LIMIT) return fail('EMFILE', `no descriptor below ${FD_LIMIT} is free`);
  return succeeded(fd, [fsKernelEvents.fdDuplicated(c.process.name, c.process.pid, target.fd, fd, target.file.id, false)]);
}

function dupTo(c: SyscallContext, flags: number, strict: boolean): SyscallResult {
  if ((flags & ~O_CLOEXEC) !== 0) return fail('EINVAL', 'dup3 takes only O_CLOEXEC');
  const oldfd = c.int32(0);
  const newfd = c.int32(1);
  if (oldfd === newfd) {
    if (strict) return fail('EINVAL', 'dup3 needs two different descriptors');
    const same = fileArg(c, 0);
    return isErrorResult(same) ? same : succeeded(newfd, []);
  }
  if (newfd < 0 || newfd >= FD_LIMIT) return fail('EBADF', `newfd ${newfd} is outside 0…${FD_LIMIT - 1}`);
  const target = fileArg(c, 0);
  if (isErrorResult(target)) return target;
  return succeeded(newfd, [fsKernelEvents.fdDuplicated(c.process.name, c.process.pid, oldfd, newfd, target.file.id, (flags & O_CLOEXEC) !== 0)]);
}

/** The two lowest free descriptors, or null past the limit. */
function twoFreeFds(process: Process): [number, number] | null {
  const first = lowestFreeFd(process);
  const occupied = { ...process, fds: [...process.fds, { fd: first, file: -1, cloexec: false }] };
  const second = lowestFreeFd(occupied);
  return second >= FD_LIMIT ? null : [first, second];
}

function endFile(id: number, kind: 'pipe' | 'socket', name: string, flags: number, channel: number, end: OpenFile['end']): OpenFile {
  return { id, kind, path: null, name, flags, offset: 0, refs: 1, channel, end };
}

/** The result of pipe and socketpair: the descriptors stored at the array argument (if any), and shown. */
function pairResult(c: SyscallContext, arrayIndex: number, fds: [number, number], events: EventDraft[]): SyscallResult {
  const arg = c.args[arrayIndex];
  if (arg === '0x0') return fail('EFAULT', 'the descriptor array is NULL');
  const copied = copyOut(c, arrayIndex, fdPairBytes(fds[0], fds[1]));
  if (isErrorResult(copied)) return copied;
  return succeeded(0, [...events, ...copied], { detail: { fds: [...fds] } });
}

/** pipe2's flags argument: the second one, or the only one when it is a constant (pipe2(O_CLOEXEC)). */
function pipeFlags(c: SyscallContext): { flags: number; arrayIndex: number } {
  if (c.args.length === 1) {
    const word = c.symbol(0);
    const value = word === null ? null : constantValue(word);
    if (value !== null) return { flags: value, arrayIndex: -1 };
  }
  return { flags: c.int32(1), arrayIndex: 0 };
}

function makePipe(c: SyscallContext, flags: number, arrayIndex: number): SyscallResult {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE)) !== 0) return fail('EINVAL', 'pipe2 takes O_CLOEXEC, O_NONBLOCK and O_DIRECT');
  const fds = twoFreeFds(c.process);
  if (fds === null) return fail('EMFILE', `no two descriptors below ${FD_LIMIT} are free`);
  const actor = c.process.name;
  const channel: Channel = { id: c.state.kernel.channels.nextId, buffer: '', readers: 1, writers: 1 };
  const first = c.state.kernel.files.nextId;
  const nonblocking = flags & O_NONBLOCK;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const name = `pipe:[${channel.id}]`;
  const events: EventDraft[] = [
    fsKernelEvents.channelCreated(actor, channel),
    fsKernelEvents.fdOpened(actor, { pid: c.process.pid, fd: fds[0], cloexec, file: endFile(first, 'pipe', name, O_RDONLY | nonblocking, channel.id, 'read'), openFlags: O_RDONLY | flags, created: false }),
    fsKernelEvents.fdOpened(actor, { pid: c.process.pid, fd: fds[1], cloexec, file: endFile(first + 1, 'pipe', name, O_WRONLY | nonblocking, channel.id, 'write'), openFlags: O_WRONLY | flags, created: false }),
  ];
  return pairResult(c, arrayIndex, fds, events);
}

function socketpair(c: SyscallContext): SyscallResult {
  const domain = c.int32(0);
  const type = c.int32(1);
  const protocol = c.int32(2);
  if (domain === AF_INET || domain === AF_INET6) return fail('EOPNOTSUPP', 'only Unix-domain sockets come in connected pairs');
  if (domain !== AF_UNIX) return fail('EAFNOSUPPORT', `address family ${domain} is not supported`);
  const flags = type & ~SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) !== 0) return fail('EINVAL', 'unknown socket type flags');
  const base = type & SOCK_TYPE_MASK;
  // Linux: ESOCKTNOSUPPORT and EPROTONOSUPPORT, which isolab's errno table does not have yet.
  if (base !== SOCK_STREAM && base !== SOCK_DGRAM && base !== SOCK_SEQPACKET) return fail('EINVAL', `socket type ${base} is not supported for AF_UNIX (Linux: ESOCKTNOSUPPORT)`);
  if (protocol !== 0 && protocol !== AF_UNIX) return fail('EINVAL', `protocol ${protocol} is not supported for AF_UNIX (Linux: EPROTONOSUPPORT)`);
  const fds = twoFreeFds(c.process);
  if (fds === null) return fail('EMFILE', `no two descriptors below ${FD_LIMIT} are free`);
  const actor = c.process.name;
  const base0 = c.state.kernel.channels.nextId + (c.state.kernel.channels.nextId % 2);
  const first = c.state.kernel.files.nextId;
  const nonblocking = flags & SOCK_NONBLOCK;
  const cloexec = (flags & SOCK_CLOEXEC) !== 0;
  const events: EventDraft[] = [];
  for (const [index, channelId] of [base0, base0 + 1].entries()) {
    events.push(fsKernelEvents.channelCreated(actor, { id: channelId, buffer: '', readers: 1, writers: 1 }));
    const file = endFile(first + index, 'socket', `socket:[${channelId}]`, O_RDWR | nonblocking, channelId, 'both');
    events.push(fsKernelEvents.fdOpened(actor, { pid: c.process.pid, fd: fds[index]!, cloexec, file, openFlags: O_RDWR | flags, created: false }));
  }
  return pairResult(c, 3, fds, events);
}

export const FD_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  dup,
  dup2: (c) => dupTo(c, 0, false),
  dup3: (c) => dupTo(c, c.int32(2), true),
  pipe: (c) => makePipe(c, 0, 0),
  pipe2: (c) => {
    const { flags, arrayIndex } = pipeFlags(c);
    return makePipe(c, flags, arrayIndex);
  },
  socketpair,
};
