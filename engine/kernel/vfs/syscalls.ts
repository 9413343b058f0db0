/**
 * The file system's system calls, gathered for the registry (syscall/registry.ts): files
 * and descriptors (calls/open.ts, calls/io.ts, calls/fdcalls.ts), names (calls/names.ts),
 * attributes (calls/attrs.ts), the working directory and root (calls/dirs.ts) and mounts
 * (calls/mounts.ts). Each module's header gives the rules it follows and their sources.
 */
import type { SyscallHandler } from '../syscall/context.js';
import { ATTR_HANDLERS } from './calls/attrs.js';
import { DIR_HANDLERS } from './calls/dirs.js';
import { FD_HANDLERS } from './calls/fdcalls.js';
import { IO_HANDLERS } from './calls/io.js';
import { MOUNT_HANDLERS } from './calls/mounts.js';
import { NAME_HANDLERS } from './calls/names.js';
import { OPEN_HANDLERS } from './calls/open.js';

export const VFS_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  ...OPEN_HANDLERS,
  ...IO_HANDLERS,
  ...FD_HANDLERS,
  ...NAME_HANDLERS,
  ...ATTR_HANDLERS,
  ...DIR_HANDLERS,
  ...MOUNT_HANDLERS,
};
