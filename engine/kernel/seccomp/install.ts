/**
 * Entering seccomp (kernel/seccomp.c seccomp_set_mode_strict and
 * seccomp_set_mode_filter), for seccomp(2), prctl(PR_SET_SECCOMP) and a container
 * runtime installing a profile at process creation. In the kernel's order:
 *
 * 1. unknown flags, or TSYNC with NEW_LISTENER without TSYNC_ESRCH, or
 *    WAIT_KILLABLE_RECV without NEW_LISTENER: EINVAL;
 * 2. the program is copied in (EFAULT) and its length checked, 1..BPF_MAXINSNS (EINVAL);
 * 3. without no_new_privs the caller needs CAP_SYS_ADMIN (EACCES) — so an unprivileged
 *    process cannot use a filter to confuse a set-user-ID program it then executes;
 * 4. the program is checked (seccomp_check_filter: EINVAL, the checker's message says why);
 * 5. a process in strict mode cannot switch to filter mode, nor one in filter mode to
 *    strict (seccomp_may_assign_mode: EINVAL);
 * 6. only one filter of a chain may have a listener (EBUSY);
 * 7. the chain, counting 4 extra instructions per filter, stays within
 *    MAX_INSNS_PER_PATH = 32768 instructions (ENOMEM).
 * The new filter goes in front of the chain; NEW_LISTENER returns its listener fd
 * (close-on-exec, anon_inode:seccomp notify), otherwise 0. TSYNC succeeds at once: isolab
 * processes have one thread.
 *
 * A container runtime (`process p { seccomp: NAME }`) installs through the same rules
 * with no_new_privs-or-CAP_SYS_ADMIN taken as met: runtimes set no_new_privs or hold
 * CAP_SYS_ADMIN when they load the profile (runc's init does either before execve).
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { capable } from '../cred/capable.js';
import { capabilityNumber, constantValue } from '../syscall/constants.js';
import { fail, ok, type SyscallResult } from '../syscall/context.js';
import { fsKernelEvents } from '../vfs/events.js';
import { lowestFreeFd } from '../vfs/fds.js';
import { checkSeccompFilter } from './bpf/check.js';
import type { BpfProgram } from './bpf/types.js';
import {
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
} from './constants.js';
import { seccompEvents, type InstallVia } from './events.js';
import { filtersOf, processSeccompOf, seccompStateOf } from './state.js';

export const BPF_MAXINSNS = 4096;
export const MAX_INSNS_PER_PATH = (1 << 18) / 8;

const SECCOMP_FILTER_FLAG_MASK =
  SECCOMP_FILTER_FLAG_TSYNC |
  SECCOMP_FILTER_FLAG_LOG |
  SECCOMP_FILTER_FLAG_SPEC_ALLOW |
  SECCOMP_FILTER_FLAG_NEW_LISTENER |
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

const CAP_SYS_ADMIN = capabilityNumber('CAP_SYS_ADMIN')!;
const O_RDWR = constantValue('O_RDWR') ?? 2;

/** The program to attach: found (with its label), or why it could not be copied in. */
export type ProgramArgument = { readonly program: BpfProgram; readonly label: string } | { readonly efault: string };

export interface FilterInstall {
  readonly flags: number;
  readonly argument: ProgramArgument;
  readonly via: InstallVia;
}

const has = (flags: number, bit: number) => (flags & bit) !== 0;

function flagsError(flags: number): string | null {
  if ((flags & ~SECCOMP_FILTER_FLAG_MASK) !== 0) return `unknown filter flags 0x${(flags & ~SECCOMP_FILTER_FLAG_MASK).toString(16)}`;
  if (has(flags, SECCOMP_FILTER_FLAG_TSYNC) && has(flags, SECCOMP_FILTER_FLAG_NEW_LISTENER) && !has(flags, SECCOMP_FILTER_FLAG_TSYNC_ESRCH)) {
    return 'TSYNC with NEW_LISTENER needs TSYNC_ESRCH (a thread id could not be told from a listener fd)';
  }
  if (has(flags, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !has(flags, SECCOMP_FILTER_FLAG_NEW_LISTENER)) return 'WAIT_KILLABLE_RECV needs NEW_LISTENER';
  return null;
}

/** seccomp_may_assign_mode: a process already in the other mode cannot switch. */
function modeSwitchError(process: Process, wanted: 'strict' | 'filter'): string | null {
  const mode = processSeccompOf(process).mode;
  if (mode === 'disabled' || mode === wanted) return null;
  return `${process.name} is in seccomp ${mode} mode, which cannot change to ${wanted} mode`;
}

/** What stops this filter from being attached, in the kernel's order (steps 2–7 above). */
function filterError(state: MachineState, process: Process, install: FilterInstall, program: BpfProgram): SyscallResult | null {
  if (program.length === 0 || program.length > BPF_MAXINSNS) return fail('EINVAL', `EINVAL: a filter has 1 to ${BPF_MAXINSNS} instructions, this one ${program.length}`);
  if (install.via !== 'runtime' && !process.creds.noNewPrivs && !capable(process.creds, CAP_SYS_ADMIN)) {
    return fail('EACCES', 'EACCES: installing a filter needs no_new_privs (prctl(PR_SET_NO_NEW_PRIVS, 1)) or CAP_SYS_ADMIN');
  }
  const rejection = checkSeccompFilter(program);
  if (rejection !== null) return fail('EINVAL', `EINVAL: the filter is invalid${rejection.index === null ? '' : ` at instruction ${rejection.index}`}: ${rejection.message}`);
  const modeError = modeSwitchError(process, 'filter');
  if (modeError !== null) return fail('EINVAL', `EINVAL: ${modeError}`);
  const chain = filtersOf(state.kernel, process);
  if (has(install.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER) && chain.some((filter) => filter.listener !== null)) {
    return fail('EBUSY', 'EBUSY: a filter of this chain already has a notification listener');
  }
  const total = chain.reduce((sum, filter) => sum + filter.program.length + 4, program.length + 4);
  if (total > MAX_INSNS_PER_PATH) return fail('ENOMEM', `ENOMEM: the chain would hold ${total} instructions (4 more per filter), over MAX_INSNS_PER_PATH ${MAX_INSNS_PER_PATH}`);
  return null;
}

function listenerEvents(state: MachineState, process: Process): { fd: number; file: number; events: EventDraft[] } {
  const fd = lowestFreeFd(process);
  const file = state.kernel.files.nextId;
  const opened = fsKernelEvents.fdOpened(process.name, {
    pid: process.pid,
    fd,
    cloexec: true,
    file: { id: file, kind: 'seccomp-notify', path: null, name: 'anon_inode:seccomp notify', flags: O_RDWR, offset: 0, refs: 1, channel: null, end: null },
    openFlags: O_RDWR,
    created: true,
  });
  return { fd, file, events: [opened] };
}

/** seccomp_set_mode_filter. */
export function setModeFilter(state: MachineState, process: Process, install: FilterInstall): SyscallResult {
  const badFlags = flagsError(install.flags);
  if (badFlags !== null) return fail('EINVAL', `EINVAL: ${badFlags}`);
  if ('efault' in install.argument) return fail('EFAULT', `EFAULT: ${install.argument.efault}`);
  const { program, label } = install.argument;
  const refused = filterError(state, process, install, program);
  if (refused !== null) return refused;
  const listener = has(install.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER) ? listenerEvents(state, process) : null;
  const filterId = seccompStateOf(state.kernel).nextFilterId;
  const attached = seccompEvents.filterAttached(process.name, {
    pid: process.pid,
    filterId,
    label,
    program: program.map(({ code, jt, jf, k }) => ({ code, jt, jf, k })),
    log: has(install.flags, SECCOMP_FILTER_FLAG_LOG),
    listener: listener?.file ?? null,
    via: install.via,
  });
  const depth = processSeccompOf(process).filters.length + 1;
  const note = `filter ${label} (${program.length} instructions) attached: ${depth === 1 ? 'the first filter' : `${depth} filters now run at every call, newest first`}; it stays for this process and every child, across execve`;
  if (listener === null) return ok(0, { events: [attached], note });
  return ok(listener.fd, { events: [...listener.events, attached], note: `${note}; fd ${listener.fd} is its notification listener` });
}

/** seccomp_set_mode_strict. */
export function setModeStrict(process: Process, via: InstallVia): SyscallResult {
  const modeError = modeSwitchError(process, 'strict');
  if (modeError !== null) return fail('EINVAL', `EINVAL: ${modeError}`);
  const events = [seccompEvents.strictEntered(process.name, { pid: process.pid, via })];
  return ok(0, { events, note: 'seccomp strict mode: from now on only read, write, _exit and sigreturn; any other call kills the process with SIGKILL' });
}
