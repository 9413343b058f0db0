/**
 * What each system call asks of a MAC profile: the operations and the objects, as the
 * hooks the kernel calls for it would see them (include/linux/lsm_hook_defs.h):
 *
 * - open/openat/creat: file_open with the access the flags ask for (O_RDONLY read, O_WRONLY
 *   write, O_RDWR both, O_TRUNC a write, O_CREAT of a missing file a write — path_mknod);
 *   O_PATH opens nothing and asks nothing;
 * - stat family, access, readlink: a metadata read (SBPL file-read-metadata; AppArmor
 *   does not mediate it);
 * - mkdir, rmdir, unlink, symlink, link (the new name), rename (both names), chmod and
 *   chown (path_chmod, path_chown), truncate-on-open: writes; fchmod/fchown: a write on
 *   the descriptor's file; mount, umount2, pivot_root: a write on the mount point;
 * - execve: process-exec on the program (bprm_check_security);
 * - fork, vfork, clone: process-fork (Apple's process-fork; AppArmor has none);
 * - socket: network with the family (socket_create); connect and bind: network with the
 *   descriptor's family (socket_connect, socket_bind).
 *
 * Calls on descriptors already open (read, write, close, dup) ask nothing: a sandbox
 * decides at resource acquisition (sandbox_init(3): "restrictions are typically enforced
 * at resource acquisition time"). socketpair makes an unnamed local pair and asks nothing.
 */
import type { MachineState } from '../../machine/state.js';
import type { SyscallRequest } from '../../hw/cpu/instructions.js';
import type { Process } from '../state.js';
import { SyscallContext, type SyscallAbi } from '../syscall/context.js';
import { openFileOf } from '../vfs/fds.js';
import { AT_SYMLINK_NOFOLLOW, O_CREAT, O_EXCL, O_NOFOLLOW, O_PATH, O_RDWR, O_TRUNC, O_WRONLY } from '../vfs/constants.js';
import { socketOf } from '../net/state.js';
import type { MacOperation, MacRequest, SocketFamily } from './profile.js';
import { namespacePath, resolveCreating, resolveExisting, resolveName, type MacTarget } from './target.js';

const AT_FDCWD = -100;

/** A request and whether it only reads metadata (which AppArmor leaves alone). */
export interface CallRequest extends MacRequest {
  readonly metadataOnly: boolean;
}

interface Call {
  readonly c: SyscallContext;
  readonly state: MachineState;
  readonly process: Process;
}

function onTarget(operation: MacOperation, target: MacTarget | null, metadataOnly = false): CallRequest[] {
  if (target === null) return [];
  return [{ operation, path: target.path, isDirectory: target.isDirectory, family: null, metadataOnly }];
}

function pathArg(call: Call, index: number): string | null {
  const text = call.c.text(index);
  return typeof text === 'string' ? text : null;
}

function dirfdArg(call: Call, index: number): number {
  return call.c.int32(index, AT_FDCWD);
}

/** The operations of an open with these flags on a path (relative to dirfd). */
function openRequests(call: Call, pathIndex: number, dirfd: number, flags: number): CallRequest[] {
  const path = pathArg(call, pathIndex);
  if (path === null || (flags & O_PATH) !== 0) return [];
  const follow = (flags & O_NOFOLLOW) === 0 && !((flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0);
  const target = (flags & O_CREAT) !== 0 ? resolveCreating(call.state, call.process, path, dirfd, follow) : resolveExisting(call.state, call.process, path, dirfd, follow);
  if (target === null) return [];
  const accessMode = flags & 3;
  const reads = accessMode === 0 || accessMode === O_RDWR;
  const writes = accessMode === O_WRONLY || accessMode === O_RDWR || (flags & O_TRUNC) !== 0 || !target.exists;
  return [...(reads ? onTarget('file-read', target) : []), ...(writes ? onTarget('file-write', target) : [])];
}

function writeOnName(call: Call, pathIndex: number, dirfdIndex: number | null): CallRequest[] {
  const path = pathArg(call, pathIndex);
  if (path === null) return [];
  return onTarget('file-write', resolveName(call.state, call.process, path, dirfdIndex === null ? AT_FDCWD : dirfdArg(call, dirfdIndex)));
}

function writeOnFollowed(call: Call, pathIndex: number, dirfdIndex: number | null, follow: boolean): CallRequest[] {
  const path = pathArg(call, pathIndex);
  if (path === null) return [];
  const dirfd = dirfdIndex === null ? AT_FDCWD : dirfdArg(call, dirfdIndex);
  return onTarget('file-write', follow ? resolveExisting(call.state, call.process, path, dirfd, true) : resolveName(call.state, call.process, path, dirfd));
}

function metadataRead(call: Call, pathIndex: number, dirfdIndex: number | null, follow: boolean): CallRequest[] {
  const path = pathArg(call, pathIndex);
  if (path === null) return [];
  const dirfd = dirfdIndex === null ? AT_FDCWD : dirfdArg(call, dirfdIndex);
  return onTarget('file-read', resolveExisting(call.state, call.process, path, dirfd, follow), true);
}

function onDescriptor(call: Call, fdIndex: number): CallRequest[] {
  const file = openFileOf(call.state.kernel, call.process, call.c.int32(fdIndex));
  if (file === null || file.path === null) return [];
  const target: MacTarget = { path: namespacePath(call.state.vfs, file.path), isDirectory: file.kind === 'dir', exists: true };
  return onTarget('file-write', target);
}

function network(family: SocketFamily | null): CallRequest[] {
  return [{ operation: 'network', path: null, isDirectory: false, family, metadataOnly: false }];
}

/** socket(2)'s domain as a family a profile can name (null: another family). */
export function familyOfDomain(domain: number): SocketFamily | null {
  return domain === 1 ? 'unix' : domain === 2 ? 'inet' : domain === 10 ? 'inet6' : null;
}

function onSocket(call: Call): CallRequest[] {
  const file = openFileOf(call.state.kernel, call.process, call.c.int32(0));
  if (file === null) return [];
  const socket = socketOf(call.state.kernel, file.id);
  return socket === null ? [] : network(socket.family);
}

type RequestsOf = (call: Call) => CallRequest[];

const REQUESTS: Readonly<Record<string, RequestsOf>> = {
  open: (call) => openRequests(call, 0, AT_FDCWD, call.c.int32(1)),
  openat: (call) => openRequests(call, 1, dirfdArg(call, 0), call.c.int32(2)),
  creat: (call) => openRequests(call, 0, AT_FDCWD, O_CREAT | O_WRONLY | O_TRUNC),
  stat: (call) => metadataRead(call, 0, null, true),
  lstat: (call) => metadataRead(call, 0, null, false),
  newfstatat: (call) => metadataRead(call, 1, 0, (call.c.int32(3) & AT_SYMLINK_NOFOLLOW) === 0),
  access: (call) => metadataRead(call, 0, null, true),
  faccessat: (call) => metadataRead(call, 1, 0, true),
  faccessat2: (call) => metadataRead(call, 1, 0, (call.c.int32(3) & AT_SYMLINK_NOFOLLOW) === 0),
  readlink: (call) => metadataRead(call, 0, null, false),
  readlinkat: (call) => metadataRead(call, 1, 0, false),
  mkdir: (call) => writeOnName(call, 0, null),
  mkdirat: (call) => writeOnName(call, 1, 0),
  rmdir: (call) => writeOnName(call, 0, null),
  unlink: (call) => writeOnName(call, 0, null),
  unlinkat: (call) => writeOnName(call, 1, 0),
  symlink: (call) => writeOnName(call, 1, null),
  symlinkat: (call) => writeOnName(call, 2, 1),
  link: (call) => writeOnName(call, 1, null),
  linkat: (call) => writeOnName(call, 3, 2),
  rename: (call) => [...writeOnName(call, 0, null), ...writeOnName(call, 1, null)],
  renameat: (call) => [...writeOnName(call, 1, 0), ...writeOnName(call, 3, 2)],
  chmod: (call) => writeOnFollowed(call, 0, null, true),
  fchmodat: (call) => writeOnFollowed(call, 1, 0, true),
  fchmodat2: (call) => writeOnFollowed(call, 1, 0, (call.c.int32(3) & AT_SYMLINK_NOFOLLOW) === 0),
  chown: (call) => writeOnFollowed(call, 0, null, true),
  lchown: (call) => writeOnFollowed(call, 0, null, false),
  fchownat: (call) => writeOnFollowed(call, 1, 0, (call.c.int32(4) & AT_SYMLINK_NOFOLLOW) === 0),
  fchmod: (call) => onDescriptor(call, 0),
  fchown: (call) => onDescriptor(call, 0),
  mount: (call) => writeOnFollowed(call, 1, null, true),
  umount2: (call) => writeOnFollowed(call, 0, null, true),
  pivot_root: (call) => writeOnFollowed(call, 0, null, true),
  execve: (call) => {
    const path = pathArg(call, 0);
    return path === null ? [] : onTarget('process-exec', resolveExisting(call.state, call.process, path, AT_FDCWD, true));
  },
  fork: () => [{ operation: 'process-fork', path: null, isDirectory: false, family: null, metadataOnly: false }],
  vfork: () => [{ operation: 'process-fork', path: null, isDirectory: false, family: null, metadataOnly: false }],
  clone: () => [{ operation: 'process-fork', path: null, isDirectory: false, family: null, metadataOnly: false }],
  socket: (call) => network(familyOfDomain(call.c.int32(0))),
  connect: onSocket,
  bind: onSocket,
};

/** Calls that create a process: a confined parent's child inherits its profile. */
export const FORK_CALLS: ReadonlySet<string> = new Set(['fork', 'vfork', 'clone']);

/** Calls whose DAC and lookup errors come before the LSM hook (may_open before security_file_open). */
export const OPEN_CALLS: ReadonlySet<string> = new Set(['open', 'openat', 'creat']);

/** The operations a call asks a profile for (none for a call no hook mediates). */
export function requestsOf(state: MachineState, process: Process, abi: SyscallAbi, name: string, request: SyscallRequest): CallRequest[] {
  const requestsFor = REQUESTS[name];
  if (requestsFor === undefined) return [];
  const c = new SyscallContext(state, process, abi, name, request.args, request.as ?? null);
  return requestsFor({ c, state, process });
}

export function isMediated(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(REQUESTS, name);
}
