/**
 * Signal rules (signal(7), kill(2)): who may signal whom (kernel/signal.c,
 * check_kill_permission and kill_ok_by_cred), what a signal does to a process that has
 * not caught it (its default action), and the wait(2) status words of an ending, a stop
 * and a continue (include/uapi/linux/wait.h as glibc's W* macros read them).
 *
 * Left out: blocked masks, sigaction flags (SA_RESTART, SA_NOCLDSTOP, SA_NOCLDWAIT),
 * explicitly ignored signals (SIG_IGN), queued real-time signals (a pending signal is
 * pending once), core files (RLIMIT_CORE is 0 by default, so WCOREDUMP stays clear).
 */
import type { Process } from '../state.js';
import { capable } from '../cred/capable.js';
import { capabilityNumber } from '../syscall/constants.js';
import { defaultActionOf, isCatchable, SIGCONT, type DefaultAction } from './constants.js';

const CAP_KILL = capabilityNumber('CAP_KILL')!;

/**
 * check_kill_permission: a process may signal itself; otherwise the sender needs
 * CAP_KILL in its effective set, or its real or effective uid must equal the target's
 * real or saved uid (kill_ok_by_cred). SIGCONT also goes to any process of the sender's
 * session. The signal number's validity is checked before (EINVAL).
 */
export function canSignal(sender: Process, target: Process, sig: number, sameSession = false): boolean {
  if (sender.pid === target.pid) return true;
  const from = sender.creds;
  const to = target.creds;
  const uidMatch = from.euid === to.suid || from.euid === to.ruid || from.ruid === to.suid || from.ruid === to.ruid;
  if (uidMatch || capable(from, CAP_KILL)) return true;
  return sig === SIGCONT && sameSession;
}

/** What delivering a signal does to this process: run its handler, or the default action. */
export type Disposition = 'handler' | DefaultAction;

export function dispositionOf(process: Process, number: number, name: string): Disposition {
  if (isCatchable(number) && process.catches.includes(name)) return 'handler';
  return defaultActionOf(number);
}

/** A fatal disposition: the process ends (Term, or Core without a core file). */
export function isFatal(disposition: Disposition): boolean {
  return disposition === 'term' || disposition === 'core';
}

/** WIFEXITED: the exit code in bits 15..8. */
export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** WIFSIGNALED: the signal in bits 6..0 (bit 7 would be WCOREDUMP). */
export function signaledStatus(number: number): number {
  return number & 0x7f;
}

/** WIFSTOPPED: 0x7f in the low byte, the stop signal above it. */
export function stoppedStatus(number: number): number {
  return ((number & 0xff) << 8) | 0x7f;
}

/** WIFCONTINUED: 0xffff (__W_CONTINUED). */
export const CONTINUED_STATUS = 0xffff;

/**
 * A wait status decoded as the W* macros do, for the `detail` of a wait call: whether it
 * ended by exit or by a signal, and for a reported stop or continue, that.
 */
export function describeWaitStatus(pid: number, wstatus: number) {
  const low = wstatus & 0x7f;
  const exited = low === 0;
  const stopped = (wstatus & 0xff) === 0x7f;
  const continued = wstatus === CONTINUED_STATUS;
  const signaled = !exited && !stopped && !continued;
  return {
    pid,
    wstatus,
    exited,
    exitStatus: exited ? (wstatus >> 8) & 0xff : null,
    signaled,
    termsig: signaled ? low : null,
    ...(stopped ? { stopped, stopsig: (wstatus >> 8) & 0xff } : {}),
    ...(continued ? { continued } : {}),
  };
}
