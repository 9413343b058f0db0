/**
 * Which children a wait4 call may report, and what (kernel/exit.c: eligible_pid,
 * eligible_child, wait_consider_task): pid -1 any child, pid > 0 that child, 0 the
 * caller's process group, < -1 group -pid; a "clone" child (exit signal other than
 * SIGCHLD) only with __WCLONE, every child with __WALL. A zombie is always reported
 * (wait4 implies WEXITED); an unreported stop with WUNTRACED; an unreported continue
 * with WCONTINUED. Children are considered oldest first.
 */
import type { KernelState, Process } from '../state.js';
import { SIGCHLD, WCONTINUED, WUNTRACED, __WALL, __WCLONE } from './constants.js';
import { CONTINUED_STATUS, stoppedStatus } from './signals.js';
import { childrenOf, procInfoOf } from './state.js';

export function waitEligible(kernel: KernelState, parent: Process, child: Process, upid: number, options: number): boolean {
  const info = procInfoOf(kernel, child.pid);
  if (upid > 0 && child.pid !== upid) return false;
  if (upid === 0 && info.pgid !== procInfoOf(kernel, parent.pid).pgid) return false;
  if (upid < -1 && info.pgid !== -upid) return false;
  const cloneChild = info.exitSignal !== SIGCHLD;
  const wantsClone = (options & __WCLONE) !== 0;
  return (options & __WALL) !== 0 || cloneChild === wantsClone;
}

export type WaitFinding =
  | { readonly kind: 'exited'; readonly child: Process; readonly wstatus: number }
  | { readonly kind: 'stopped' | 'continued'; readonly child: Process; readonly wstatus: number }
  /** Nothing to report; `eligible` says whether some child could be reported later (else ECHILD). */
  | { readonly kind: 'none'; readonly eligible: boolean };

export function findWaitable(kernel: KernelState, parent: Process, upid: number, options: number): WaitFinding {
  let eligible = false;
  for (const child of childrenOf(kernel, parent)) {
    if (!waitEligible(kernel, parent, child, upid, options)) continue;
    eligible = true;
    if (child.status === 'zombie') return { kind: 'exited', child, wstatus: child.waitStatus ?? 0 };
    const info = procInfoOf(kernel, child.pid);
    if (info.stopped && info.unreportedStop !== null && (options & WUNTRACED) !== 0) return { kind: 'stopped', child, wstatus: stoppedStatus(info.unreportedStop) };
    if (info.unreportedContinue && (options & WCONTINUED) !== 0) return { kind: 'continued', child, wstatus: CONTINUED_STATUS };
  }
  return { kind: 'none', eligible };
}
