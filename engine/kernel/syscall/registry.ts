/**
 * Every system call isolab implements, by name. Each mechanism contributes the calls of
 * its domain (credentials, files, processes, memory); a name with no handler returns
 * -ENOSYS and the trace says it is not simulated.
 */
import { BASIC_HANDLERS } from './basic.js';
import type { SyscallHandler } from './context.js';
import { CRED_HANDLERS } from '../cred/syscalls.js';
import { VFS_HANDLERS } from '../vfs/syscalls.js';
import { PROC_HANDLERS } from '../proc/syscalls.js';
import { EXEC_HANDLERS } from '../exec/syscalls.js';
import type { EntryGate } from './gates.js';
import { INTERPOSE_GATE } from '../interpose/gate.js';
import { SECCOMP_GATE } from '../seccomp/gate.js';
import { SECCOMP_HANDLERS } from '../seccomp/syscalls.js';
import { MAC_GATE } from '../mac/gate.js';
import { NET_HANDLERS } from '../net/syscalls.js';
import { SUPERVISOR_HANDLERS } from '../interpose/supervisor.js';

export const SYSCALL_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  ...BASIC_HANDLERS,
  ...CRED_HANDLERS,
  ...VFS_HANDLERS,
  ...PROC_HANDLERS,
  ...EXEC_HANDLERS,
  ...NET_HANDLERS,
  ...SECCOMP_HANDLERS,
  ...SUPERVISOR_HANDLERS,
};

export function isImplemented(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(SYSCALL_HANDLERS, name);
}

/** Between entry and handler, in the kernel's order (gates.ts): tracer, seccomp, LSM. */
export const ENTRY_GATES: readonly EntryGate[] = [INTERPOSE_GATE, SECCOMP_GATE, MAC_GATE];
