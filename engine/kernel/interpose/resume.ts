/**
 * The monitor's commands: attaching to a process (the scenario's `monitor: NAME`
 * property, as Janus starts the helper application under its tracer) and letting a
 * stopped call go on (`P: resume`, the tracer's PTRACE_SYSCALL after its check).
 *
 * On resume the kernel performs the call NOW: it reads the path from the process's
 * memory and resolves it from the process's real root and cwd, whatever changed since
 * the monitor looked. In janus mode the monitor's copy then records the path the
 * monitor resolved at entry, not the one the kernel used. In resolved mode the monitor
 * checks the object the kernel resolved (every name it has) in the same step as the use,
 * and refuses with EPERM before the call runs.
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { processByName, type Process } from '../state.js';
import { returnToUser } from '../proc/return.js';
import { completeSyscall } from '../syscalls.js';
import { terminate } from '../traps.js';
import { fail, isError, type SyscallResult } from '../syscall/context.js';
import type { GateInput } from '../syscall/gates.js';
import { pathFromRoot } from '../vfs/tree.js';
import { interposeEvents } from './events.js';
import { contextOf, continueCall, dirfdOf, followsLastLink, withEvents } from './gate.js';
import { kernelLookup, namesOf } from './lookup.js';
import { mirrorDrafts } from './mirror.js';
import { decideSupervise, notificationOfTarget, notifiedCallResult } from './supervisor.js';
import { ENTRY_GATES } from '../syscall/registry.js';
import { SECCOMP_GATE } from '../seccomp/gate.js';
import { namedProgram } from '../seccomp/state.js';
import { setModeFilter } from '../seccomp/install.js';
import { runSyscall } from '../syscalls.js';
import { decidePaths, PATH_CALLS, type MonitorPolicy } from './policy.js';
import { viewOf, type MonitorView, type Notification, type PathCheck, type PendingCall } from './state.js';

export interface AttachData {
  readonly process: string;
  readonly policy: MonitorPolicy;
}

function refusedRequest(operation: string, reason: string): EventDraft[] {
  return [{ type: 'kernel.requestRefused', actor: 'interpose', data: { operation, errno: 'ESRCH', reason } }];
}

/** The monitor attaches: its copy starts as the process's real cwd, root and descriptors. */
export function decideAttach(state: MachineState, command: Command): EventDraft[] {
  const { process: name, policy } = (command as Command<'interpose.attach', AttachData>).data;
  const process = processByName(state.kernel, name);
  if (process === null || process.fs === null || state.vfs.root === null) {
    return refusedRequest(`monitor ${policy.name}`, process === null ? `no process ${name}` : 'the machine has no file system to monitor');
  }
  const root = state.vfs.root;
  const view: MonitorView = {
    pid: process.pid,
    policy,
    cwd: pathFromRoot(state.vfs, process.fs.cwd, root).path,
    root: pathFromRoot(state.vfs, process.fs.root, root).path,
    fds: process.fds.map((entry) => ({ fd: entry.fd, path: state.kernel.files.byId[entry.file]?.name ?? '?', cloexec: entry.cloexec })),
    pending: null,
  };
  return [interposeEvents.attached('interpose', view, `${name} runs under the monitor ${policy.name} (${policy.mode} mode)`)];
}

/** Where the kernel resolves each path argument of the pending call now, as canonical paths (for the trace). */
function kernelResolutions(input: GateInput, pending: PendingCall): { path: string; resolved: string; names: string[] }[] {
  const c = contextOf(input);
  return (PATH_CALLS[pending.call] ?? []).map((spec) => {
    const text = c.text(spec.index);
    if (typeof text !== 'string') return { path: '(unreadable)', resolved: '(EFAULT)', names: [] };
    const found = kernelLookup(input.state, input.process, text, dirfdOf(spec, c), followsLastLink(spec, c));
    if (!found.ok) return { path: text, resolved: `(${found.errno})`, names: [] };
    const names = found.ref === null ? [found.path] : namesOf(input.state.vfs, found.ref);
    return { path: text, resolved: found.path, names: names.length === 0 ? [found.path] : names };
  });
}

/** Resolved mode: the monitor's verdict on the objects the kernel resolved; a refusal ends the call. */
function checkAtUse(input: GateInput, view: MonitorView, uses: ReturnType<typeof kernelResolutions>): { events: EventDraft[]; checks: PathCheck[]; refusal: SyscallResult | null } {
  const events: EventDraft[] = [];
  const checks: PathCheck[] = [];
  for (const use of uses) {
    if (use.names.length === 0) continue; // The kernel's walk fails by itself, with its own errno.
    const decision = decidePaths(view.policy, use.names);
    const check: PathCheck = { path: use.path, resolved: decision.path, rule: decision.rule, verdict: decision.verdict };
    checks.push(check);
    events.push(interposeEvents.checked(input.process.name, { pid: input.process.pid, call: input.name!, ...check, cwd: view.cwd, root: view.root, at: 'use' }));
    if (decision.verdict === 'deny') {
      return { events, checks, refusal: fail('EPERM', `the monitor refuses ${input.name}: the kernel resolved ${JSON.stringify(use.path)} to ${decision.path} (${decision.rule})`) };
    }
  }
  return { events, checks, refusal: null };
}

function resumeCall(state: MachineState, process: Process, view: MonitorView, pending: PendingCall): EventDraft[] {
  const input: GateInput = { state, process, abi: pending.abi, name: pending.call, request: pending.request };
  const uses = kernelResolutions(input, pending);
  const drafts: EventDraft[] = [interposeEvents.resumed(process.name, process.pid, pending.call, uses.map(({ path, resolved }) => ({ path, resolved })))];
  // The stopped call stays in the monitor's record until it has returned, so whoever
  // looks at the kernel's effects (the invariant) can tell what the monitor had checked.
  const released = interposeEvents.released(process.name, process.pid, pending.call);
  let checks = pending.checks;
  if (checks === null) {
    const atUse = checkAtUse(input, view, uses);
    drafts.push(...atUse.events);
    if (atUse.refusal !== null) return [...drafts, ...completeSyscall(state, process, pending.abi, pending.request, withEvents(atUse.refusal, [], [released]))];
    checks = atUse.checks;
  }
  const continued = continueCall(input);
  if (continued.kind === 'kill') return [...drafts, ...continued.events, released, ...terminate(state, process, continued.signal, continued.how)];
  if (continued.kind === 'suspend') return [...drafts, ...continued.events, released];
  const mirrored = isError(continued.result) ? [] : mirrorDrafts(view, contextOf(input), continued.result, checks, null);
  return [...drafts, ...completeSyscall(state, process, pending.abi, pending.request, withEvents(continued.result, continued.events, [...mirrored, released]))];
}

/** The rest of a notified call after seccomp: the LSM gate, then the handler (or whatever ends it first). */
function performAfterSeccomp(input: GateInput): SyscallResult {
  const later = ENTRY_GATES.slice(ENTRY_GATES.indexOf(SECCOMP_GATE) + 1);
  const events: EventDraft[] = [];
  for (const gate of later) {
    const outcome = gate(input);
    if (outcome.kind === 'pass') events.push(...outcome.events);
    else if (outcome.kind === 'end') return withEvents(outcome.result, events, []);
    else return withEvents(fail('EPERM', `a later gate ended the call (${outcome.kind})`), [...events, ...outcome.events], []);
  }
  return withEvents(runSyscall(input.state, input.process, input.abi, input.request), events, []);
}

/** A target stopped by SECCOMP_RET_USER_NOTIF runs again: the supervisor's answer decides how its call ends. */
function resumeNotified(state: MachineState, process: Process, notification: Notification): EventDraft[] {
  const input: GateInput = { state, process, abi: notification.abi, name: notification.call, request: notification.request };
  const result = notifiedCallResult(state, process, notification, () => performAfterSeccomp(input));
  if (result === null) return refusedRequest('resume', `${process.name} still waits for the supervisor to answer notification ${notification.id}`);
  return completeSyscall(state, process, notification.abi, notification.request, result);
}

/** `P: resume` — the stopped call goes on (or a refusal when nothing is stopped). */
export function decideResume(state: MachineState, command: Command): EventDraft[] {
  const { process: name } = (command as Command<'interpose.resume', { process: string }>).data;
  const process = processByName(state.kernel, name);
  const view = process === null ? null : viewOf(state.kernel, process.pid);
  if (process !== null && view !== null && view.pending !== null) return returnToUser(state, resumeCall(state, process, view, view.pending));
  const notification = process === null ? null : notificationOfTarget(state.kernel, process.pid);
  if (process !== null && notification !== null) return returnToUser(state, resumeNotified(state, process, notification));
  return refusedRequest('resume', `${name} has no system call stopped by a monitor or a seccomp supervisor`);
}

function installWithListener(state: MachineState) {
  return (target: Process, program: string, flags: number): SyscallResult => {
    const named = namedProgram(state.kernel, program);
    if (named === null) return fail('ENOENT', `no seccomp program named ${program}`);
    return setModeFilter(state, target, { flags, argument: { program: named.program, label: program }, via: 'runtime' });
  };
}

export const INTERPOSE_DECIDERS = {
  'interpose.attach': decideAttach,
  'interpose.resume': decideResume,
  'interpose.supervise': (state: MachineState, command: Command) => decideSupervise(state, command, installWithListener(state)),
} as const;
