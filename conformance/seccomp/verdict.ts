/**
 * A probe's verdict as the stacked-filter trick can read it on the real kernel (see
 * probe-helper.c): "allow" (the profile's action is ALLOW, LOG, TRACE or USER_NOTIF,
 * all less restrictive than ERRNO), "errno N", "trap N" (SIGSYS with si_errno N), or
 * "kill" (KILL_THREAD or KILL_PROCESS: a single-threaded child dies of SIGSYS either way,
 * kernel/seccomp.c __seccomp_filter). Written as text so that a difference reads plainly.
 */
import { decodeAction } from '../../engine/kernel/seccomp/constants.js';

export type Verdict = string;

/** The kernel clamps ERRNO's data to MAX_ERRNO (kernel/seccomp.c __seccomp_filter). */
const MAX_ERRNO = 4095;
const SIGSYS = 31;

/** The verdict a profile's 32-bit return value gives under the trick. */
export function verdictOfRet(ret: number): Verdict {
  const { action, data } = decodeAction(ret);
  switch (action) {
    case 'KILL_PROCESS':
    case 'KILL_THREAD':
      return 'kill';
    case 'TRAP':
      return `trap ${data}`;
    case 'ERRNO':
      return `errno ${Math.min(data, MAX_ERRNO)}`;
    case 'USER_NOTIF':
    case 'TRACE':
    case 'LOG':
    case 'ALLOW':
      return 'allow';
  }
}

/** The verdict the helper reported for one probe (a JSON line of probe-helper.c). */
export function verdictOfReport(line: Record<string, unknown>): Verdict {
  switch (line.verdict) {
    case 'allow':
      return 'allow';
    case 'errno':
      return `errno ${String(line.errno)}`;
    case 'trap':
      return `trap ${String(line.data)}`;
    case 'kill':
      return line.signal === SIGSYS ? 'kill' : `died of signal ${String(line.signal)}`;
    case 'ran':
      return `the call ran and returned ${String(line.ret)}`;
    case 'setup':
      return `the child could not install its filters (stage ${String(line.stage)}, errno ${String(line.errno)})`;
    default:
      return `no verdict (${JSON.stringify(line)})`;
  }
}
