/**
 * System calls of this mechanism: process creation (fork, vfork, clone), waiting
 * (wait4, and waitpid where a table has it), signals (kill) and memory (mmap, mmap2,
 * munmap, mprotect). exit and exit_group stay in syscall/basic.ts: they only name the
 * status, and the ending itself (traps.ts exitProcess → lifecycle.ts) is this mechanism's.
 */
import type { SyscallHandler } from '../syscall/context.js';
import { clone, fork, vfork } from './fork.js';
import { kill } from './kill.js';
import { mmap, mprotect, munmap } from './mmap.js';
import { wait4 } from './wait.js';

export const PROC_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  fork,
  vfork,
  clone,
  wait4,
  waitpid: wait4,
  kill,
  mmap,
  mmap2: mmap,
  munmap,
  mprotect,
};
