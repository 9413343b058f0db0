/**
 * What a Janus-style monitor keeps: for each process it traces, the policy and its own
 * copy of the process's state — working directory, root and descriptor table, as path
 * strings in the monitor's (global) view — rebuilt from the calls it sees, as the
 * lecture describes; and the call it holds stopped at entry, if any (a ptrace
 * syscall-entry stop, ptrace(2) PTRACE_SYSCALL).
 *
 * The copy is the monitor's belief, not the kernel's truth: nothing here is read back
 * from the kernel's own records after the monitor attached. The slice lives in the
 * kernel state under `interpose` (absent until a monitor attaches).
 */
import type { SyscallRequest } from '../../hw/cpu/instructions.js';
import type { KernelState } from '../state.js';
import type { SyscallAbi } from '../syscall/context.js';
import type { MonitorPolicy } from './policy.js';

/** A descriptor as the monitor believes it: the canonical path it resolved when it was opened. */
export interface MirroredFd {
  readonly fd: number;
  readonly path: string;
  readonly cloexec: boolean;
}

/** The monitor's verdict on one path argument, made at entry (janus) or on the kernel's resolution (resolved). */
export interface PathCheck {
  /** The path as the call gave it. */
  readonly path: string;
  /** Where it leads, as resolved by whoever checked it (canonical, absolute). */
  readonly resolved: string;
  readonly rule: string;
  readonly verdict: 'allow' | 'deny';
}

/** A call stopped at entry, to go on when the process is resumed. */
export interface PendingCall {
  readonly abi: SyscallAbi;
  readonly request: SyscallRequest;
  readonly call: string;
  /** The monitor's checks at entry (janus mode); null when it checks at the use (resolved mode). */
  readonly checks: readonly PathCheck[] | null;
}

export interface MonitorView {
  readonly pid: number;
  readonly policy: MonitorPolicy;
  readonly cwd: string;
  readonly root: string;
  /** Sorted by fd. */
  readonly fds: readonly MirroredFd[];
  readonly pending: PendingCall | null;
}

/** What a seccomp supervisor answered (seccomp_unotify(2)). */
export type NotificationAnswer =
  /** SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel performs the call itself when the target runs again. */
  | { readonly kind: 'continue' }
  /** The call fails with this errno (resp.error). */
  | { readonly kind: 'error'; readonly errno: string }
  /** SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND: the call returns the injected fd. */
  | { readonly kind: 'fd'; readonly fd: number };

/** The object the supervisor checked when it received the notification: the path it read from the target's memory. */
export interface SupervisorCheck {
  readonly path: string;
  readonly resolved: string;
  /** The inode the path led to then, or null when it led nowhere. */
  readonly ino: number | null;
}

/** A call stopped by SECCOMP_RET_USER_NOTIF, until the supervisor answers and the target runs again. */
export interface Notification {
  readonly id: number;
  readonly pid: number;
  /** The listener's open file description. */
  readonly listener: number;
  readonly abi: SyscallAbi;
  readonly request: SyscallRequest;
  readonly call: string;
  readonly received: SupervisorCheck | null;
  /** Whether the supervisor has received it (SECCOMP_IOCTL_NOTIF_RECV). */
  readonly state: 'pending' | 'received' | 'answered';
  readonly answer: NotificationAnswer | null;
}

export interface InterposeState {
  readonly views: { readonly ids: readonly number[]; readonly byPid: Readonly<Record<string, MonitorView>> };
  readonly notifications?: { readonly ids: readonly number[]; readonly byId: Readonly<Record<string, Notification>>; readonly nextId: number };
}

export const INITIAL_INTERPOSE_STATE: InterposeState = { views: { ids: [], byPid: {} } };

const NO_NOTIFICATIONS = { ids: [] as readonly number[], byId: {} as Readonly<Record<string, Notification>>, nextId: 1 };

export function notificationsOf(kernel: KernelState): NonNullable<InterposeState['notifications']> {
  return interposeStateOf(kernel).notifications ?? NO_NOTIFICATIONS;
}

/** The target's stopped notification, if any. */
export function notificationOfTarget(kernel: KernelState, pid: number): Notification | null {
  const all = notificationsOf(kernel);
  for (const id of all.ids) if (all.byId[id]!.pid === pid) return all.byId[id]!;
  return null;
}

export function interposeStateOf(kernel: KernelState): InterposeState {
  return (kernel as KernelState & { readonly interpose?: InterposeState }).interpose ?? INITIAL_INTERPOSE_STATE;
}

export function withInterposeState(kernel: KernelState, interpose: InterposeState): KernelState {
  return { ...kernel, interpose } as KernelState;
}

/** The monitor's view of a process, or null when no monitor traces it. */
export function viewOf(kernel: KernelState, pid: number): MonitorView | null {
  return interposeStateOf(kernel).views.byPid[pid] ?? null;
}

export function mirroredFd(view: MonitorView, fd: number): MirroredFd | null {
  return view.fds.find((entry) => entry.fd === fd) ?? null;
}
