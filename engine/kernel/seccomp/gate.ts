/**
 * The seccomp check at system-call entry (kernel/seccomp.c __secure_computing), after a
 * tracer has seen the call and before its handler:
 *
 * - strict mode (__secure_computing_strict): only read, write, exit and the signal return
 *   are allowed — for x86-64 rt_sigreturn, for an i386 call sigreturn (mode1_syscalls_32;
 *   i386's rt_sigreturn is not in the list); any other call ends the process as
 *   do_exit(SIGKILL). exit_group is not allowed either.
 * - filter mode (__seccomp_filter): every filter runs on the call's seccomp_data
 *   (run.ts); the combined result is carried out:
 *   ALLOW and LOG let the call go on (LOG also audits it);
 *   ERRNO skips the call and returns -data, data capped at MAX_ERRNO (4095);
 *   TRAP skips it and sends SIGSYS (si_code SYS_SECCOMP, si_errno = data, si_syscall,
 *   si_arch); syscall_rollback leaves the call number in rax, which is what returns
 *   unless the handler changes its saved context; without a handler SIGSYS ends the process;
 *   TRACE and USER_NOTIF go to a tracer or a supervisor (notify.ts), else fail with ENOSYS;
 *   KILL_THREAD and KILL_PROCESS (and any unknown action) end the process by SIGSYS even
 *   if it has a handler (force_sig_seccomp with force_coredump resets the handler; a
 *   single-threaded process's KILL_THREAD is the same as KILL_PROCESS here).
 *
 * Every filter run and the verdict are events, so the trace says why.
 */
import type { EventDraft } from '../../core/decider.js';
import { I386_SYSCALLS, X86_64_SYSCALLS } from '../../generated/syscall-tables.js';
import { ok, fail, type SyscallAbi, type SyscallResult } from '../syscall/context.js';
import { ERRNO, type Errno } from '../syscall/errno.js';
import { PASS, type EntryGate, type GateInput, type GateOutcome } from '../syscall/gates.js';
import type { SeccompData } from './bpf/types.js';
import { decodeAction, type SeccompAction } from './constants.js';
import { seccompDataFor } from './data.js';
import { seccompDataJson, seccompEvents } from './events.js';
import { onTrace, onUserNotif } from './notify.js';
import { runFilters } from './run.js';
import { filtersOf, processSeccompOf, type SeccompFilter } from './state.js';

const MAX_ERRNO = 4095;

function numbersOf(table: readonly (readonly [number, string, ...unknown[]])[], names: readonly string[]): number[] {
  return names.map((name) => table.find((row) => row[1] === name)![0]);
}

/** mode1_syscalls and mode1_syscalls_32 (kernel/seccomp.c). */
export const STRICT_ALLOWED: Readonly<Record<SyscallAbi, readonly number[]>> = {
  x86_64: numbersOf(X86_64_SYSCALLS, ['read', 'write', 'exit', 'rt_sigreturn']),
  i386: numbersOf(I386_SYSCALLS, ['read', 'write', 'exit', 'sigreturn']),
};

function signalEvent(input: GateInput, signal: string, code: string, action: 'handler' | 'terminate', info: Record<string, unknown> = {}): EventDraft {
  const { process } = input;
  return { type: 'kernel.signalDelivered', actor: 'kernel', data: { pid: process.pid, name: process.name, signal, code, address: null, action, ...info } };
}

function strictGate(input: GateInput): GateOutcome {
  if (STRICT_ALLOWED[input.abi].includes(input.request.nr)) return PASS;
  const { process, abi, request, name } = input;
  return {
    kind: 'kill',
    events: [seccompEvents.strictViolated(process.name, { pid: process.pid, abi, nr: request.nr, name }), signalEvent(input, 'SIGKILL', 'SI_KERNEL', 'terminate')],
    signal: 'SIGKILL',
    how: `killed by SIGKILL: seccomp strict mode allows only read, write, exit and ${abi === 'x86_64' ? 'rt_sigreturn' : 'sigreturn'}, not ${name ?? `call ${request.nr}`}`,
  };
}

/** errno names by number (EOPNOTSUPP over its alias ENOTSUP). */
const ERRNO_NAMES: ReadonlyMap<number, Errno> = new Map(Object.entries(ERRNO).map(([name, number]) => [number, name as Errno]));

/** SECCOMP_RET_ERRNO: the call returns -data without running. */
export function errnoResult(data: number, events: readonly EventDraft[]): SyscallResult {
  const errno = Math.min(data, MAX_ERRNO);
  const why = `seccomp: SECCOMP_RET_ERRNO(${data}) skips the call`;
  if (errno === 0) return ok(0, { events, note: `${why}; errno 0 makes it return 0 without running` });
  const name = ERRNO_NAMES.get(errno);
  if (name === undefined) return ok(-errno, { events, note: `${why}; it returns -${errno}` });
  return { ...fail(name, `${why}; it returns -${name}${data > MAX_ERRNO ? ' (data capped at MAX_ERRNO)' : ''}`), events };
}

function noOneToAsk(action: SeccompAction, events: readonly EventDraft[], listener = false): GateOutcome {
  const who = action === 'TRACE' ? 'no tracer asked for PTRACE_EVENT_SECCOMP' : listener ? 'no supervisor answers on its listener' : 'the filter has no notification listener';
  return { kind: 'end', result: { ...fail('ENOSYS', `seccomp: SECCOMP_RET_${action} but ${who}: the call is skipped with ENOSYS`), events } };
}

interface Verdict {
  readonly input: GateInput;
  readonly data: SeccompData;
  readonly action: SeccompAction;
  readonly actionData: number;
  readonly match: SeccompFilter | null;
  readonly evaluated: readonly EventDraft[];
}

function decidedEvents(verdict: Verdict, skips: boolean): EventDraft[] {
  const { input, action, actionData, match, data } = verdict;
  const { process } = input;
  const decided = seccompEvents.decided(process.name, {
    pid: process.pid,
    name: input.name,
    action,
    data: actionData,
    filterId: match?.id ?? null,
    skips,
    seccompData: seccompDataJson(data),
  });
  return skips ? [...verdict.evaluated, decided, seccompEvents.callSkipped(process.name, { pid: process.pid, action })] : [...verdict.evaluated, decided];
}

function trap(verdict: Verdict): GateOutcome {
  const { input, data, actionData } = verdict;
  const info = { si_errno: actionData, si_syscall: data.nr, si_arch: '0x' + (data.arch >>> 0).toString(16), si_call_addr: '0x0' };
  const events = decidedEvents(verdict, true);
  if (!input.process.catches.includes('SIGSYS')) {
    return { kind: 'kill', events: [...events, signalEvent(input, 'SIGSYS', 'SYS_SECCOMP', 'terminate', info)], signal: 'SIGSYS', how: 'killed by SIGSYS: SECCOMP_RET_TRAP and no SIGSYS handler' };
  }
  const note = `seccomp: SECCOMP_RET_TRAP skips the call and sends SIGSYS to its handler; rax still holds the call number (syscall_rollback) unless the handler changes it`;
  return { kind: 'end', result: ok(data.nr, { events: [...events, signalEvent(input, 'SIGSYS', 'SYS_SECCOMP', 'handler', info)], note }) };
}

function withEvents(outcome: GateOutcome, events: readonly EventDraft[]): GateOutcome {
  if (outcome.kind === 'end') return { kind: 'end', result: { ...outcome.result, events: [...events, ...(outcome.result.events ?? [])] } };
  return { ...outcome, events: [...events, ...outcome.events] };
}

function carryOut(verdict: Verdict): GateOutcome {
  const { input, action, actionData, match, data } = verdict;
  switch (action) {
    case 'ALLOW':
    case 'LOG':
      return { kind: 'pass', events: decidedEvents(verdict, false) };
    case 'ERRNO':
      return { kind: 'end', result: errnoResult(actionData, decidedEvents(verdict, true)) };
    case 'TRAP':
      return trap(verdict);
    case 'TRACE': {
      const traced = onTrace(input, data, actionData);
      return traced === null ? noOneToAsk(action, decidedEvents(verdict, true)) : withEvents(traced, decidedEvents(verdict, false));
    }
    case 'USER_NOTIF': {
      const notified = match === null || match.listener === null ? null : onUserNotif(input, match, data);
      return notified === null ? noOneToAsk(action, decidedEvents(verdict, true), (match?.listener ?? null) !== null) : withEvents(notified, decidedEvents(verdict, false));
    }
    case 'KILL_THREAD':
    case 'KILL_PROCESS': {
      const info = { si_errno: actionData, si_syscall: data.nr, si_arch: '0x' + (data.arch >>> 0).toString(16), si_call_addr: '0x0' };
      const events = [...decidedEvents(verdict, true), signalEvent(input, 'SIGSYS', 'SYS_SECCOMP', 'terminate', info)];
      return { kind: 'kill', events, signal: 'SIGSYS', how: `killed by SIGSYS: SECCOMP_RET_${action}` };
    }
  }
}

function filterGate(input: GateInput): GateOutcome {
  const filters = filtersOf(input.state.kernel, input.process);
  const data = seccompDataFor(input.abi, input.request);
  const { runs, combined } = runFilters(filters, data);
  const evaluated = runs.map((run) => {
    const decoded = decodeAction(run.ret);
    return seccompEvents.evaluated(input.process.name, {
      pid: input.process.pid,
      name: input.name,
      filterId: run.filter.id,
      label: run.filter.label,
      executed: run.executed,
      ret: run.ret,
      action: decoded.action,
      data: decoded.data,
    });
  });
  const decoded = decodeAction(combined.ret);
  const match = combined.index === null ? null : runs[combined.index]!.filter;
  return carryOut({ input, data, action: decoded.action, actionData: decoded.data, match, evaluated });
}

export const SECCOMP_GATE: EntryGate = (input) => {
  switch (processSeccompOf(input.process).mode) {
    case 'disabled':
      return PASS;
    case 'strict':
      return strictGate(input);
    case 'filter':
      return filterGate(input);
  }
};
