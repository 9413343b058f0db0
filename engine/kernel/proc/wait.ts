/**
 * wait4(2) and waitpid(2) (kernel/exit.c, kernel_wait4 and do_wait): options other than
 * WNOHANG, WUNTRACED, WCONTINUED, __WNOTHREAD, __WCLONE and __WALL are EINVAL; pid
 * INT_MIN is ESRCH; a child to report is reaped (a zombie) or has its stop or continue
 * reported, and the call returns its pid with the status stored at `wstatus` when given
 * — after the reaping, so a bad pointer is EFAULT with the child already gone; with no
 * such child yet, WNOHANG returns 0 and otherwise the caller sleeps until a child
 * changes state (the call returns when the caller next runs); with no eligible child at
 * all it is ECHILD. The rusage argument is not filled in.
 */
import type { EventDraft } from '../../core/decider.js';
import { littleEndianBytes } from '../../core/bytes.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { fail, ok, type SyscallContext, type SyscallResult } from '../syscall/context.js';
import { errnoNumber, type Errno } from '../syscall/errno.js';
import { I386_SYSCALLS, X86_64_SYSCALLS } from '../../generated/syscall-tables.js';
import { WAIT4_OPTIONS, WNOHANG } from './constants.js';
import { describeWaitStatus } from './signals.js';
import { procInfoOf } from './state.js';
import { copyToUser } from './uaccess.js';
import { findWaitable, type WaitFinding } from './wait-rules.js';

const INT_MIN = -2147483648;

function numberOf(abi: 'x86_64' | 'i386', name: string): number {
  return (abi === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS).find((row) => row[1] === name)?.[0] ?? -1;
}

interface Reported {
  readonly events: EventDraft[];
  readonly ret: number;
  readonly errno: Errno | null;
  readonly detail: ReturnType<typeof describeWaitStatus>;
}

/** The events of reporting a child: reap or mark reported, then store the status. */
function report(state: MachineState, parent: Process, finding: Exclude<WaitFinding, { kind: 'none' }>, statusAddress: bigint): Reported {
  const { child, wstatus } = finding;
  const events: EventDraft[] =
    finding.kind === 'exited'
      ? [{ type: 'kernel.processReaped', actor: 'kernel', data: { pid: child.pid, name: child.name, by: parent.pid } }]
      : [{ type: 'kernel.waitReported', actor: 'kernel', data: { pid: child.pid, by: parent.pid, what: finding.kind } }];
  const detail = describeWaitStatus(child.pid, wstatus);
  if (statusAddress === 0n) return { events, ret: child.pid, errno: null, detail };
  const stored = copyToUser(state, parent, statusAddress, littleEndianBytes(BigInt(wstatus), 4));
  if (stored === null) return { events, ret: -1, errno: 'EFAULT', detail };
  return { events: [...events, ...stored], ret: child.pid, errno: null, detail };
}

/** wait4(pid, wstatus, options, rusage); waitpid(pid, wstatus, options) is the same call. */
export function wait4(c: SyscallContext): SyscallResult {
  const upid = c.int32(0);
  const statusAddress = c.has(1) ? c.u64(1) : 0n;
  const options = c.has(2) ? c.int32(2) >>> 0 : 0;
  if ((options & ~WAIT4_OPTIONS) >>> 0 !== 0) return fail('EINVAL', `unknown wait options 0x${((options & ~WAIT4_OPTIONS) >>> 0).toString(16)}`);
  if (upid === INT_MIN) return fail('ESRCH', 'pid INT_MIN names no process group');
  const finding = findWaitable(c.state.kernel, c.process, upid, options);
  if (finding.kind !== 'none') {
    const reported = report(c.state, c.process, finding, statusAddress);
    if (reported.errno !== null) return { errno: reported.errno, events: reported.events, note: 'the child was collected, but wstatus is not writable' };
    return ok(reported.ret, { events: reported.events, detail: reported.detail });
  }
  if (!finding.eligible) return fail('ECHILD', upid > 0 ? `process ${upid} is not a child of ${c.process.name}` : `${c.process.name} has no child to wait for`);
  if ((options & WNOHANG) !== 0) return ok(0, { note: 'no child has changed state yet' });
  return ok(0, {
    note: 'sleeps until a child changes state',
    events: [
      {
        type: 'kernel.waitBlocked',
        actor: c.process.name,
        data: { pid: c.process.pid, upid, options, statusAddress: statusAddress === 0n ? null : '0x' + statusAddress.toString(16), call: { abi: c.abi, nr: numberOf(c.abi, c.name), name: c.name } },
      },
    ],
  });
}

/**
 * A sleeping wait4 whose child changed state: when the scheduler next runs the caller,
 * the call finishes in its context and returns. Null when it must sleep on.
 */
export function finishWait(state: MachineState, process: Process): EventDraft[] | null {
  const sleep = procInfoOf(state.kernel, process.pid).sleep;
  if (sleep?.kind !== 'wait' || !sleep.woken) return null;
  const finding = findWaitable(state.kernel, process, sleep.upid, sleep.options);
  if (finding.kind === 'none' && finding.eligible) {
    return [{ type: 'kernel.waitBlocked', actor: process.name, data: { pid: process.pid, upid: sleep.upid, options: sleep.options, statusAddress: sleep.statusAddress, call: sleep.call } }];
  }
  const woke: EventDraft = { type: 'kernel.woke', actor: 'kernel', data: { pid: process.pid, from: sleep.call.name } };
  const returned = (ret: number, errno: Errno | null, events: EventDraft[], detail: unknown, note: string | null): EventDraft[] => [
    woke,
    ...events,
    {
      type: 'kernel.syscallReturned',
      actor: process.name,
      data: { pid: process.pid, abi: sleep.call.abi, nr: sleep.call.nr, name: sleep.call.name, ret, errno, note, ...(detail === null ? {} : { detail }) },
    },
  ];
  if (finding.kind === 'none') return returned(-errnoNumber('ECHILD'), 'ECHILD', [], null, `${process.name} has no child to wait for`);
  const statusAddress = sleep.statusAddress === null ? 0n : BigInt(sleep.statusAddress);
  const reported = report(state, process, finding, statusAddress);
  if (reported.errno !== null) return returned(-errnoNumber('EFAULT'), 'EFAULT', reported.events, null, 'the child was collected, but wstatus is not writable');
  return returned(reported.ret, null, reported.events, reported.detail, null);
}
