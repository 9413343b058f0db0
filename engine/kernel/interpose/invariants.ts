/**
 * The monitor's promise, as an invariant (registered in engine/machine/invariants.ts):
 *
 * - `interpose.policy-holds`: no process a monitor traces opens a file its policy denies.
 *   Every kernel.fdOpened of a traced process is checked against every name the opened
 *   object has in the file system after the open (a hard link does not make a denied
 *   file allowed). It reads the kernel's truth — what was really opened — not the
 *   monitor's copy, so a monitor fooled between its check and the kernel's use is caught.
 */
import type { Invariant } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { FdOpenedData } from '../vfs/events.js';
import { namesOf } from './lookup.js';
import { decidePaths } from './policy.js';
import { notificationOfTarget, viewOf } from './state.js';

export const interposePolicyHolds: Invariant<MachineState> = {
  name: 'interpose.policy-holds',
  statement: 'No process under a system-call monitor opens a file its policy denies, under any of the names the file has.',
  defence: 'a monitor that checks the object the kernel resolves, in the same step as the use (no gap between check and use)',
  on: ['kernel.fdOpened'],
  check(before, event, after) {
    const { pid, fd, file } = event.data as FdOpenedData;
    const view = viewOf(before.kernel, pid);
    if (view === null || file.path === null) return null;
    const decision = decidePaths(view.policy, namesOf(after.vfs, file.path));
    if (decision.verdict === 'allow') return null;
    const process = after.kernel.processes.byId[pid];
    const believed = view.pending?.checks?.map((check) => `${check.path} → ${check.resolved}`).join(', ');
    const belief = believed === undefined || believed === '' ? '' : `; the monitor had checked ${believed}`;
    return `${process?.name ?? `pid ${pid}`} (monitor ${view.policy.name}) opened ${decision.path} as fd ${fd}, which the policy denies (${decision.rule})${belief}`;
  },
};

/**
 * - `interpose.notif-checked-object`: a call a seccomp supervisor let continue
 *   (SECCOMP_USER_NOTIF_FLAG_CONTINUE) opens the object the supervisor checked — the one
 *   the path it read from the target's memory led to when it received the notification.
 */
export const notifContinuesChecked: Invariant<MachineState> = {
  name: 'interpose.notif-checked-object',
  statement: 'A call a seccomp supervisor lets continue opens the object the supervisor checked when it read the path.',
  defence: 'the supervisor opens the file itself and injects the fd (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND)',
  on: ['kernel.fdOpened'],
  check(before, event) {
    const { pid, fd, file } = event.data as FdOpenedData;
    const notification = notificationOfTarget(before.kernel, pid);
    if (notification === null || notification.answer?.kind !== 'continue' || notification.received === null || file.path === null) return null;
    if (notification.received.ino === file.path.ino) return null;
    const process = before.kernel.processes.byId[pid];
    return `${process?.name ?? `pid ${pid}`} opened ${file.name} as fd ${fd}, but the supervisor had checked ${JSON.stringify(notification.received.path)} → ${notification.received.resolved}`;
  },
};

export const INTERPOSE_INVARIANTS: readonly Invariant<MachineState>[] = [interposePolicyHolds, notifContinuesChecked];
