/**
 * How the monitor keeps its copy of a traced process's state: from each call it saw
 * succeed (the syscall-exit stop shows the return value), it updates its cwd, root and
 * descriptor table — open → a new fd naming the path the MONITOR resolved; dup, dup2,
 * dup3 → a copy; close → gone; chdir, chroot → where its own lookup led; fchdir → the
 * path it holds for that fd; fork, vfork, clone → the child is traced too
 * (PTRACE_O_TRACEFORK) with a copy of the parent's view; execve → close-on-exec fds gone.
 */
import type { EventDraft } from '../../core/decider.js';
import type { SyscallContext, SyscallResult } from '../syscall/context.js';
import { isError } from '../syscall/context.js';
import { interposeEvents, type MirrorChange } from './events.js';
import { mirroredFd, type MonitorView, type PathCheck } from './state.js';

const O_CLOEXEC = 0o2000000;
const O_CREAT_WRONLY_TRUNC = 0o1101;

/** The calls whose results the monitor records (besides the checked opens). */
export const MIRRORED_CALLS: ReadonlySet<string> = new Set(['dup', 'dup2', 'dup3', 'close', 'chdir', 'fchdir', 'chroot', 'fork', 'vfork', 'clone', 'clone3', 'execve']);

function openFlags(call: string, c: SyscallContext): number {
  if (call === 'creat') return O_CREAT_WRONLY_TRUNC;
  return c.int32(call === 'openat' ? 2 : 1);
}

/** What the monitor believes a descriptor names; a descriptor it never saw opened is unknown to it. */
function believedPath(view: MonitorView, fd: number): string {
  return mirroredFd(view, fd)?.path ?? `(fd ${fd}, unknown to the monitor)`;
}

function changeOf(call: string, c: SyscallContext, ret: number, view: MonitorView, checks: readonly PathCheck[] | null, directory: string | null): MirrorChange | null {
  switch (call) {
    case 'open':
    case 'openat':
    case 'creat':
      return { kind: 'fdAdded', entry: { fd: ret, path: checks?.[0]?.resolved ?? '(unchecked)', cloexec: (openFlags(call, c) & O_CLOEXEC) !== 0 } };
    case 'dup':
      return { kind: 'fdAdded', entry: { fd: ret, path: believedPath(view, c.int32(0)), cloexec: false } };
    case 'dup2':
    case 'dup3': {
      const from = c.int32(0);
      const to = c.int32(1);
      if (from === to) return null;
      return { kind: 'fdAdded', entry: { fd: to, path: believedPath(view, from), cloexec: call === 'dup3' && (c.int32(2) & O_CLOEXEC) !== 0 } };
    }
    case 'close':
      return { kind: 'fdClosed', fd: c.int32(0) };
    case 'chdir':
      return directory === null ? null : { kind: 'cwdChanged', path: directory };
    case 'fchdir':
      return { kind: 'cwdChanged', path: believedPath(view, c.int32(0)) };
    case 'chroot':
      return directory === null ? null : { kind: 'rootChanged', path: directory };
    case 'execve':
      return { kind: 'execed' };
    default:
      return null;
  }
}

/**
 * The events that bring the monitor's copy up to date after a call, from its result and
 * from what the monitor resolved when it checked (`checks`) or when the call entered
 * (`directory`, for chdir and chroot).
 */
export function mirrorDrafts(view: MonitorView, c: SyscallContext, result: SyscallResult, checks: readonly PathCheck[] | null, directory: string | null): EventDraft[] {
  if (isError(result) || result.exits !== undefined) return [];
  const actor = c.process.name;
  if (c.name === 'fork' || c.name === 'vfork' || c.name === 'clone' || c.name === 'clone3') {
    if (result.ret <= 0) return [];
    const child: MonitorView = { ...view, pid: result.ret, pending: null };
    return [interposeEvents.attached(actor, child, `the monitor follows ${c.process.name}'s ${c.name} (PTRACE_O_TRACEFORK): the child inherits the policy and a copy of the monitor's view`)];
  }
  const change = changeOf(c.name, c, result.ret, view, checks, directory);
  return change === null ? [] : [interposeEvents.mirrored(actor, c.process.pid, c.name, change)];
}
