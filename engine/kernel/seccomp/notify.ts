/**
 * Hooks for the two actions that hand a system call to someone else: SECCOMP_RET_USER_NOTIF
 * (a supervisor holding the filter's listener fd answers, seccomp_unotify(2)) and
 * SECCOMP_RET_TRACE (a ptrace(2) tracer with PTRACE_O_TRACESECCOMP is told). The
 * interposition mechanism (engine/kernel/interpose/) owns this file and fills them in.
 *
 * A hook returns the gate's outcome (usually `suspend` until the supervisor or tracer
 * answers, completing the call with completeSyscall or runSyscall), or null when nobody
 * is there to answer: then the kernel's rule applies and the call fails with ENOSYS
 * (seccomp(2): "If there is no tracer present, the system call is not executed and
 * returns a failure status with errno set to ENOSYS"; seccomp_do_user_notification
 * without a listener).
 */
import type { GateInput, GateOutcome } from '../syscall/gates.js';
import { notifySupervisor } from '../interpose/supervisor.js';
import type { SeccompData } from './bpf/types.js';
import type { SeccompFilter } from './state.js';

/** The call matched `filter`'s USER_NOTIF and the filter has a listener (filter.listener). */
export function onUserNotif(input: GateInput, filter: SeccompFilter, _data: SeccompData): GateOutcome | null {
  return filter.listener === null ? null : notifySupervisor(input, filter.listener);
}

/** The call matched SECCOMP_RET_TRACE with `message` (the return value's data half). */
export function onTrace(_input: GateInput, _data: SeccompData, _message: number): GateOutcome | null {
  return null;
}
