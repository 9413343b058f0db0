/**
 * kill(2) (kernel/signal.c, kill_something_info): pid > 0 signals that process, 0 the
 * caller's process group, -1 every process but init (pid 1) and the caller, < -1 the
 * group -pid; INT_MIN is ESRCH. Each target passes check_kill_permission — EINVAL for a
 * signal outside 0.._NSIG, EPERM without the right (canSignal) — and signal 0 stops
 * there. A zombie still has its pid: signalling it succeeds and does nothing. Results
 * as Linux combines them: a group kill succeeds if one target did, else returns the
 * last error; kill(-1) returns 0 once it found a target, whatever EPERMs it met.
 */
import type { EventDraft } from '../../core/decider.js';
import type { KernelState, Process } from '../state.js';
import { fail, ok, type SyscallContext, type SyscallResult } from '../syscall/context.js';
import type { Errno } from '../syscall/errno.js';
import { isValidSignal, signalNameOf } from './constants.js';
import { sendSignal } from './lifecycle.js';
import { canSignal, dispositionOf, isFatal } from './signals.js';
import { parentOf, procInfoOf } from './state.js';

const INT_MIN = -2147483648;

/** Processes with a pid (alive or zombie), in pid order. */
function withPids(kernel: KernelState): Process[] {
  return kernel.processes.ids.map((pid) => kernel.processes.byId[pid]!).filter((process) => process.status !== 'exited');
}

function targetsOf(kernel: KernelState, caller: Process, upid: number): Process[] {
  if (upid > 0) return withPids(kernel).filter((process) => process.pid === upid);
  if (upid === -1) return withPids(kernel).filter((process) => process.pid > 1 && process.pid !== caller.pid);
  const pgid = upid === 0 ? procInfoOf(kernel, caller.pid).pgid : -upid;
  return withPids(kernel).filter((process) => procInfoOf(kernel, process.pid).pgid === pgid);
}

/** Ancestors first would end a parent before its dying child; children go first. */
function depthOf(kernel: KernelState, process: Process): number {
  let depth = 0;
  for (let at = parentOf(kernel, process); at !== null && depth < kernel.processes.ids.length; at = parentOf(kernel, at)) depth++;
  return depth;
}

function permissionError(kernel: KernelState, caller: Process, target: Process, sig: number): Errno | null {
  if (!isValidSignal(sig)) return 'EINVAL';
  const sameSession = procInfoOf(kernel, caller.pid).sid === procInfoOf(kernel, target.pid).sid;
  return canSignal(caller, target, sig, sameSession) ? null : 'EPERM';
}

export function kill(c: SyscallContext): SyscallResult {
  const { kernel } = c.state;
  const upid = c.int32(0);
  const sig = c.int32(1);
  if (upid === INT_MIN) return fail('ESRCH', 'pid INT_MIN names no process group');
  const targets = targetsOf(kernel, c.process, upid);
  if (targets.length === 0) return fail('ESRCH', upid > 0 ? `no process ${upid}` : upid === -1 ? 'no process to signal' : `no process in group ${upid === 0 ? procInfoOf(kernel, c.process.pid).pgid : -upid}`);
  const errors = targets.map((target) => permissionError(kernel, c.process, target, sig));
  const allowed = targets.filter((_, i) => errors[i] === null);
  const events: EventDraft[] = sig === 0 ? [] : sendAll(c, allowed, sig);
  const error = combined(upid, errors);
  if (error !== null) return { errno: error, events, note: error === 'EPERM' ? `${c.process.name} may not signal ${targets.map((t) => t.name).join(', ')}` : `${sig} is not a signal` };
  return ok(0, { events });
}

/**
 * The signal to each permitted target, children before their parents, each ending
 * planned knowing which others end before and after it (the caller's own ending comes
 * last, on its way back to user mode).
 */
function sendAll(c: SyscallContext, targets: readonly Process[], sig: number): EventDraft[] {
  const { kernel } = c.state;
  const name = signalNameOf(sig);
  const fatal = (target: Process) => target.status !== 'zombie' && name !== null && isFatal(dispositionOf(target, sig, name));
  const ordered = [...targets].sort((a, b) => depthOf(kernel, b) - depthOf(kernel, a) || a.pid - b.pid);
  const caller = c.process.pid;
  const ended = new Set<number>();
  const events: EventDraft[] = [];
  ordered.forEach((target, i) => {
    const ending = new Set(ordered.slice(i + 1).filter(fatal).map((later) => later.pid));
    if (targets.some((t) => t.pid === caller) && fatal(c.process)) ending.add(caller);
    ending.delete(target.pid);
    events.push(...sendSignal(c.state, c.process, target, sig, 'kill', { ended: new Set(ended), ending }));
    if (fatal(target) && target.pid !== caller) ended.add(target.pid);
  });
  return events;
}

/** kill_pid_info, __kill_pgrp_info and kill(-1)'s way of turning per-target errors into one result. */
function combined(upid: number, errors: readonly (Errno | null)[]): Errno | null {
  if (upid > 0) return errors[0]!;
  if (upid === -1) return errors.filter((e) => e !== 'EPERM').at(-1) ?? null;
  return errors.some((e) => e === null) ? null : errors.at(-1)!;
}
