/** System calls of program execution. */
import type { SyscallHandler } from '../syscall/context.js';
import { execve } from './execve.js';

export const EXEC_HANDLERS: Readonly<Record<string, SyscallHandler>> = { execve };
