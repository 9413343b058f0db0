/**
 * seccomp's numbers (include/uapi/linux/seccomp.h, include/uapi/linux/audit.h) and the
 * order of its actions (seccomp(2): "the return value with the highest precedence").
 */

export const SECCOMP_MODE_DISABLED = 0;
export const SECCOMP_MODE_STRICT = 1;
export const SECCOMP_MODE_FILTER = 2;

export const SECCOMP_SET_MODE_STRICT = 0;
export const SECCOMP_SET_MODE_FILTER = 1;
export const SECCOMP_GET_ACTION_AVAIL = 2;
export const SECCOMP_GET_NOTIF_SIZES = 3;

export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0;
export const SECCOMP_FILTER_FLAG_LOG = 1 << 1;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
/** x32 shares AUDIT_ARCH_X86_64; its numbers carry __X32_SYSCALL_BIT. */
export const X32_SYSCALL_BIT = 0x40000000;

/** Most restrictive first, as the kernel orders them. */
export const SECCOMP_ACTIONS = ['KILL_PROCESS', 'KILL_THREAD', 'TRAP', 'ERRNO', 'USER_NOTIF', 'TRACE', 'LOG', 'ALLOW'] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

const ACTION_VALUES: Readonly<Record<SeccompAction, number>> = {
  KILL_PROCESS: SECCOMP_RET_KILL_PROCESS,
  KILL_THREAD: SECCOMP_RET_KILL_THREAD,
  TRAP: SECCOMP_RET_TRAP,
  ERRNO: SECCOMP_RET_ERRNO,
  USER_NOTIF: SECCOMP_RET_USER_NOTIF,
  TRACE: SECCOMP_RET_TRACE,
  LOG: SECCOMP_RET_LOG,
  ALLOW: SECCOMP_RET_ALLOW,
};

export interface DecodedAction {
  readonly action: SeccompAction;
  /** The SECCOMP_RET_DATA half: an errno for ERRNO, a value for TRAP and TRACE. */
  readonly data: number;
}

export function actionValue(action: SeccompAction, data = 0): number {
  return (ACTION_VALUES[action] | (data & SECCOMP_RET_DATA)) >>> 0;
}

/**
 * A filter's 32-bit return value as the kernel reads it (kernel/seccomp.c
 * __seccomp_filter): an unknown action value is treated as KILL_PROCESS.
 */
export function decodeAction(ret: number): DecodedAction {
  const full = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  const data = ret & SECCOMP_RET_DATA;
  for (const action of SECCOMP_ACTIONS) if (ACTION_VALUES[action] === full) return { action, data };
  return { action: 'KILL_PROCESS', data };
}

/** Lower is more restrictive. */
export function actionRank(action: SeccompAction): number {
  return SECCOMP_ACTIONS.indexOf(action);
}
