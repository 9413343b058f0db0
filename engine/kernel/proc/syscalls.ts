/** System calls of this mechanism (filled in as they are implemented). */
import type { SyscallHandler } from '../syscall/context.js';

export const PROC_HANDLERS: Readonly<Record<string, SyscallHandler>> = {};
