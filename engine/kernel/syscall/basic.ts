/** The simplest calls: identity (getpid, getuid…), sched_yield, exit. */
import { ok, type SyscallHandler } from './context.js';

export const BASIC_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  getpid: (c) => ok(c.process.pid),
  gettid: (c) => ok(c.process.pid),
  getppid: (c) => ok(c.process.ppid),
  getuid: (c) => ok(c.process.creds.ruid),
  geteuid: (c) => ok(c.process.creds.euid),
  getgid: (c) => ok(c.process.creds.rgid),
  getegid: (c) => ok(c.process.creds.egid),
  getuid32: (c) => ok(c.process.creds.ruid),
  geteuid32: (c) => ok(c.process.creds.euid),
  getgid32: (c) => ok(c.process.creds.rgid),
  getegid32: (c) => ok(c.process.creds.egid),
  sched_yield: () => ok(0),
  exit: (c) => ok(0, { exits: { status: c.int32(0) & 0xff } }),
  exit_group: (c) => ok(0, { exits: { status: c.int32(0) & 0xff } }),
};
