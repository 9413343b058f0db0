/**
 * A minimal socket layer (socket(2), bind(2), connect(2); net/socket.c __sys_socket,
 * __sys_bind, __sys_connect) — enough for a sandbox to have something to deny. There is
 * no network behind it:
 *
 * - socket(domain, type, protocol) makes a socket of AF_UNIX, AF_INET or AF_INET6 on the
 *   lowest free descriptor (EAFNOSUPPORT for another family; EINVAL for unknown type
 *   flags; ESOCKTNOSUPPORT for a type the family lacks; SOCK_RAW in AF_INET/AF_INET6 needs
 *   CAP_NET_RAW, else EPERM as inet_create says; EMFILE past 1024 descriptors);
 *   SOCK_CLOEXEC and SOCK_NONBLOCK apply as for open;
 * - bind(fd, "address") records the address and returns 0 (isolab checks no port or
 *   path collision);
 * - connect(fd, "address") fails with ECONNREFUSED: nothing listens anywhere in isolab's
 *   machine (a Unix socket's peer, a TCP server). EISCONN on a socketpair socket, already
 *   connected.
 *
 * On a descriptor that is not a socket, bind and connect fail with ENOTSOCK. Reading or
 * writing an unconnected socket is left to the VFS's channel rules.
 */
import type { EventDraft } from '../../core/decider.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../syscall/context.js';
import { hasCapability } from '../cred/state.js';
import { FD_LIMIT } from '../vfs/calls/common.js';
import { O_NONBLOCK, O_RDWR, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_TYPE_MASK } from '../vfs/constants.js';
import { fsKernelEvents } from '../vfs/events.js';
import { lowestFreeFd, openFileOf } from '../vfs/fds.js';
import type { OpenFile } from '../state.js';
import { socketOf, type NetFamily } from './state.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const SOCK_SEQPACKET = 5;
const CAP_NET_RAW = 13;

const FAMILIES: Readonly<Record<number, NetFamily>> = { 1: 'unix', 2: 'inet', 10: 'inet6' };

/** Which socket types each family offers (unix_create; inet_create's inetsw table). */
function typeSupported(family: NetFamily, type: number): boolean {
  if (family === 'unix') return type === SOCK_STREAM || type === SOCK_DGRAM || type === SOCK_SEQPACKET || type === SOCK_RAW;
  return type === SOCK_STREAM || type === SOCK_DGRAM || type === SOCK_RAW;
}

function socket(c: SyscallContext): SyscallResult {
  const domain = c.int32(0);
  const type = c.int32(1);
  const protocol = c.int32(2);
  const family = FAMILIES[domain];
  if (family === undefined) return fail('EAFNOSUPPORT', `address family ${domain} is not supported (isolab has AF_UNIX, AF_INET, AF_INET6)`);
  const flags = type & ~SOCK_TYPE_MASK;
  if ((flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) !== 0) return fail('EINVAL', 'unknown socket type flags');
  const base = type & SOCK_TYPE_MASK;
  if (!typeSupported(family, base)) return fail('ESOCKTNOSUPPORT', `socket type ${base} is not supported by AF_${family.toUpperCase()}`);
  if (base === SOCK_RAW && family !== 'unix' && !hasCapability(c.process.creds, CAP_NET_RAW)) return fail('EPERM', 'raw IP sockets need CAP_NET_RAW');
  const fd = lowestFreeFd(c.process);
  if (fd >= FD_LIMIT) return fail('EMFILE', `no descriptor below ${FD_LIMIT} is free`);
  const id = c.state.kernel.files.nextId;
  const nonblocking = (flags & SOCK_NONBLOCK) !== 0 ? O_NONBLOCK : 0;
  const file: OpenFile = { id, kind: 'socket', path: null, name: `socket:[${id}]`, flags: O_RDWR | nonblocking, offset: 0, refs: 1, channel: null, end: 'both' };
  const events: EventDraft[] = [
    fsKernelEvents.fdOpened(c.process.name, { pid: c.process.pid, fd, cloexec: (flags & SOCK_CLOEXEC) !== 0, file, openFlags: O_RDWR | nonblocking, created: false }),
    { type: 'net.socketOpened', actor: c.process.name, data: { pid: c.process.pid, file: id, family, type: base, protocol } },
  ];
  return ok(fd, { events, note: `an AF_${family.toUpperCase()} socket` });
}

/** The socket behind a descriptor argument, or the error the kernel gives. */
function socketArg(c: SyscallContext): { file: OpenFile } | SyscallResult {
  const fd = c.int32(0);
  const file = openFileOf(c.state.kernel, c.process, fd);
  if (file === null) return fail('EBADF', `fd ${fd} is not open`);
  if (file.kind !== 'socket') return fail('ENOTSOCK', `fd ${fd} is a ${file.kind}, not a socket`);
  return { file };
}

function addressArg(c: SyscallContext): string {
  const text = c.has(1) ? c.text(1) : '';
  return typeof text === 'string' ? text : '(address in memory)';
}

function bind(c: SyscallContext): SyscallResult {
  const target = socketArg(c);
  if (!('file' in target)) return target;
  const address = addressArg(c);
  if (socketOf(c.state.kernel, target.file.id) === null) return fail('EINVAL', 'a socket of a socketpair is already connected and cannot be bound here');
  return ok(0, { events: [{ type: 'net.socketBound', actor: c.process.name, data: { file: target.file.id, address } }] });
}

function connect(c: SyscallContext): SyscallResult {
  const target = socketArg(c);
  if (!('file' in target)) return target;
  if (socketOf(c.state.kernel, target.file.id) === null) return fail('EISCONN', 'a socket of a socketpair is already connected');
  return fail('ECONNREFUSED', `nothing listens at ${addressArg(c)} (isolab's machine has no network peers)`);
}

export const NET_HANDLERS: Readonly<Record<string, SyscallHandler>> = { socket, bind, connect };
