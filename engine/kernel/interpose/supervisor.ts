/**
 * The modern form of interposition: a seccomp supervisor (seccomp_unotify(2)). A filter
 * returning SECCOMP_RET_USER_NOTIF stops the call; the supervisor holding the filter's
 * listener fd receives it (SECCOMP_IOCTL_NOTIF_RECV: id, pid, seccomp_data), reads the
 * target's memory for the path (process_vm_readv(2) or /proc/PID/mem), decides, and
 * answers (SECCOMP_IOCTL_NOTIF_SEND): an error, or SECCOMP_USER_NOTIF_FLAG_CONTINUE — and
 * then the KERNEL performs the call when the target runs again, reading the path from
 * the target's memory once more. The man page warns that this is a TOCTTOU race ("the
 * supervisor ... must be aware that another thread ... can change the memory");
 * its advice is to perform the operation in the supervisor and hand the result back:
 * SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND installs a descriptor the
 * supervisor opened into the target and makes it the call's return value, so the
 * target never resolves the path at all.
 *
 * Simplifications (said in the docs): ioctl takes its arguments flat instead of through
 * structs — `ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV)` answers with the notification as the
 * step's detail and, in the same step, the path the supervisor reads from the target's
 * memory (args[1] for openat, args[0] for open); `ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND,
 * flags[, errno])` answers the received notification; `ioctl(lfd,
 * SECCOMP_IOCTL_NOTIF_ADDFD, srcfd, flags)` injects srcfd (SETFD is not simulated). A
 * RECV with nothing pending fails with ENOENT instead of blocking. The target's call
 * completes at its next step, `target: resume`, as a woken task returns from
 * seccomp_do_user_notification (kernel/seccomp.c).
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { processByName, processOf, type Process } from '../state.js';
import { fail, ok, SyscallContext, type SyscallContext as Context, type SyscallHandler, type SyscallResult } from '../syscall/context.js';
import type { GateInput, GateOutcome } from '../syscall/gates.js';
import { ERRNO, errnoNumber, type Errno } from '../syscall/errno.js';
import { lowestFreeFd, openFileOf } from '../vfs/fds.js';
import { kernelLookup } from './lookup.js';
import { notificationOfTarget, notificationsOf, type Notification, type NotificationAnswer, type SupervisorCheck } from './state.js';

export const SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
export const SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
export const SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102;
export const SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103;
export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
export const SECCOMP_ADDFD_FLAG_SETFD = 1;
export const SECCOMP_ADDFD_FLAG_SEND = 2;
const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
const AT_FDCWD = -100;

const draft = (type: string, actor: string, data: unknown): EventDraft => ({ type, actor, data });

/** The seccomp gate's hook (seccomp/notify.ts onUserNotif): the call stops and the listener is told. */
export function notifySupervisor(input: GateInput, listener: number): GateOutcome {
  const all = notificationsOf(input.state.kernel);
  const notification: Notification = {
    id: all.nextId,
    pid: input.process.pid,
    listener,
    abi: input.abi,
    request: input.request,
    call: input.name ?? String(input.request.nr),
    received: null,
    state: 'pending',
    answer: null,
  };
  return { kind: 'suspend', events: [draft('interpose.notified', input.process.name, { ...notification, note: `${input.process.name} waits in ${notification.call} until the supervisor answers notification ${notification.id}` })] };
}

/** The path argument the supervisor reads from the target's memory, for the calls that name one. */
const PATH_ARGUMENT: Readonly<Record<string, { readonly index: number; readonly dirfdIndex: number | null }>> = {
  open: { index: 0, dirfdIndex: null },
  openat: { index: 1, dirfdIndex: 0 },
  creat: { index: 0, dirfdIndex: null },
  execve: { index: 0, dirfdIndex: null },
};

function targetContext(state: MachineState, target: Process, notification: Notification): Context {
  return new SyscallContext(state, target, notification.abi, notification.call, notification.request.args, notification.request.as ?? null);
}

/** What the supervisor sees when it reads the path from the target's memory now, and where it leads. */
function readTargetPath(state: MachineState, target: Process, notification: Notification): SupervisorCheck | null {
  const spec = PATH_ARGUMENT[notification.call];
  if (spec === undefined) return null;
  const c = targetContext(state, target, notification);
  const path = c.text(spec.index);
  if (typeof path !== 'string') return { path: '(unreadable)', resolved: '(EFAULT)', ino: null };
  const found = kernelLookup(state, target, path, spec.dirfdIndex === null ? AT_FDCWD : c.int32(spec.dirfdIndex), true);
  if (!found.ok) return { path, resolved: `(${found.errno})`, ino: null };
  return { path, resolved: found.path, ino: found.ref?.ino ?? null };
}

function listenerNotification(state: MachineState, listener: number, wanted: Notification['state']): Notification | null {
  const all = notificationsOf(state.kernel);
  for (const id of all.ids) {
    const notification = all.byId[id]!;
    if (notification.listener === listener && notification.state === wanted) return notification;
  }
  return null;
}

function receive(c: Context, listener: number): SyscallResult {
  const notification = listenerNotification(c.state, listener, 'pending');
  if (notification === null) return fail('ENOENT', 'no notification is pending on this listener (a real SECCOMP_IOCTL_NOTIF_RECV would block)');
  const target = processOf(c.state.kernel, notification.pid);
  const received = target === null ? null : readTargetPath(c.state, target, notification);
  const events = [draft('interpose.notificationReceived', c.process.name, { id: notification.id, received })];
  const read = received === null ? '' : `; reading ${target!.name}'s memory it finds the path ${JSON.stringify(received.path)} → ${received.resolved}`;
  const detail = { id: notification.id, pid: notification.pid, nr: notification.request.nr, call: notification.call, args: notification.request.args, ...(received === null ? {} : { path: received.path, resolved: received.resolved }) };
  return ok(0, { events, detail, note: `notification ${notification.id}: ${target?.name ?? notification.pid} called ${notification.call}${read}` });
}

function answerEvent(c: Context, notification: Notification, answer: NotificationAnswer): EventDraft {
  return draft('interpose.notificationAnswered', c.process.name, { id: notification.id, pid: notification.pid, answer });
}

function errnoNamed(number: number): Errno | null {
  for (const name of Object.keys(ERRNO) as Errno[]) if (errnoNumber(name) === number) return name;
  return null;
}

function send(c: Context, listener: number): SyscallResult {
  const notification = listenerNotification(c.state, listener, 'received');
  if (notification === null) return fail('ENOENT', 'no received notification waits for an answer on this listener');
  const flags = c.int32(2);
  if ((flags & ~SECCOMP_USER_NOTIF_FLAG_CONTINUE) !== 0) return fail('EINVAL', `unknown flags ${flags} in seccomp_notif_resp`);
  if ((flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE) !== 0) {
    if (c.int32(3) !== 0) return fail('EINVAL', 'SECCOMP_USER_NOTIF_FLAG_CONTINUE needs error and val to be 0');
    return ok(0, { events: [answerEvent(c, notification, { kind: 'continue' })], note: `the kernel will perform ${notification.call} itself when the target runs again — reading the path from its memory again` });
  }
  const errno = errnoNamed(c.has(3) ? Math.abs(c.int32(3)) : 1) ?? 'EPERM';
  return ok(0, { events: [answerEvent(c, notification, { kind: 'error', errno })], note: `${notification.call} will fail with ${errno}` });
}

function addFd(c: Context, listener: number): SyscallResult {
  const notification = listenerNotification(c.state, listener, 'received');
  if (notification === null) return fail('ENOENT', 'no received notification to add a descriptor to');
  const flags = c.int32(3);
  if ((flags & SECCOMP_ADDFD_FLAG_SETFD) !== 0) return fail('EINVAL', 'SECCOMP_ADDFD_FLAG_SETFD is not simulated');
  const source = openFileOf(c.state.kernel, c.process, c.int32(2));
  if (source === null) return fail('EBADF', `the supervisor has no descriptor ${c.int32(2)}`);
  const target = processOf(c.state.kernel, notification.pid)!;
  const fd = lowestFreeFd(target);
  const events = [draft('kernel.fdDuplicated', c.process.name, { pid: target.pid, fd, file: source.id, cloexec: false })];
  if ((flags & SECCOMP_ADDFD_FLAG_SEND) !== 0) events.push(answerEvent(c, notification, { kind: 'fd', fd }));
  const sent = (flags & SECCOMP_ADDFD_FLAG_SEND) !== 0 ? `; ${notification.call} returns ${fd}` : '';
  return ok(fd, { events, note: `${source.name} installed in ${target.name} as fd ${fd}${sent} — the target never resolves the path` });
}

/** ioctl(2) on a seccomp listener; any other descriptor gets ENOTTY. */
const ioctl: SyscallHandler = (c) => {
  const file = openFileOf(c.state.kernel, c.process, c.int32(0));
  if (file === null) return fail('EBADF', `no descriptor ${c.int32(0)}`);
  if (file.kind !== 'seccomp-notify') return fail('ENOTTY', `${file.name} takes no ioctl isolab simulates`);
  const request = Number(c.u64(1) & 0xffffffffn);
  switch (request) {
    case SECCOMP_IOCTL_NOTIF_RECV:
      return receive(c, file.id);
    case SECCOMP_IOCTL_NOTIF_SEND:
      return send(c, file.id);
    case SECCOMP_IOCTL_NOTIF_ADDFD:
      return addFd(c, file.id);
    case SECCOMP_IOCTL_NOTIF_ID_VALID: {
      const id = c.int(2);
      const alive = notificationsOf(c.state.kernel).byId[id];
      return alive !== undefined && alive.listener === file.id ? ok(0) : fail('ENOENT', `notification ${id} is no longer valid`);
    }
    default:
      return fail('EINVAL', `unknown seccomp listener ioctl 0x${request.toString(16)}`);
  }
};

export const SUPERVISOR_HANDLERS: Readonly<Record<string, SyscallHandler>> = { ioctl };

/** How the target's notified call ends when it runs again, or null when the supervisor has not answered. */
export function notifiedCallResult(state: MachineState, target: Process, notification: Notification, perform: () => SyscallResult): SyscallResult | null {
  const done = draft('interpose.notificationDone', target.name, { id: notification.id, pid: target.pid });
  const answer = notification.answer;
  if (answer === null) return null;
  const result = answer.kind === 'continue' ? perform() : answer.kind === 'error' ? fail(answer.errno as Errno, 'the supervisor refused the call') : ok(answer.fd, { note: 'the fd the supervisor injected (SECCOMP_ADDFD_FLAG_SEND)' });
  return { ...result, events: [...(result.events ?? []), done] };
}

export { notificationOfTarget };

// ------------------------------------------------------------------ setup

export interface SuperviseData {
  readonly supervisor: string;
  readonly target: string;
  readonly program: string;
}

/**
 * `process keeper { supervises: target(PROGRAM) }`: as a runtime does before the
 * scenario starts — the target installs PROGRAM with SECCOMP_FILTER_FLAG_NEW_LISTENER
 * and the supervisor takes the listener fd, as pidfd_getfd(2) would.
 */
export function decideSupervise(state: MachineState, command: Command, install: (target: Process, program: string, flags: number) => SyscallResult): EventDraft[] {
  const { supervisor: supervisorName, target: targetName, program } = (command as Command<string, SuperviseData>).data;
  const supervisor = processByName(state.kernel, supervisorName);
  const target = processByName(state.kernel, targetName);
  const refused = (reason: string) => [draft('kernel.requestRefused', 'interpose', { operation: 'supervise', errno: 'ESRCH', reason })];
  if (supervisor === null || target === null) return refused(`${supervisor === null ? supervisorName : targetName} does not exist`);
  const installed = install(target, program, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  if ('errno' in installed) return refused(installed.note ?? installed.errno);
  const events = [...(installed.events ?? [])];
  const listener = (events.find((event) => event.type === 'kernel.fdOpened')?.data as { file: { id: number } } | undefined)?.file.id;
  if (listener === undefined) return refused('the filter has no listener');
  events.push(draft('kernel.fdDuplicated', supervisor.name, { pid: supervisor.pid, fd: lowestFreeFd(supervisor), file: listener, cloexec: true }));
  return events;
}
