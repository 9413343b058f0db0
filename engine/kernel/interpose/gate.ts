/**
 * A Janus-style monitor at system-call entry: the tracer's syscall-entry stop
 * (ptrace(2), PTRACE_SYSCALL; syscall_trace_enter in kernel/entry/common.c runs it
 * before seccomp). For a traced process it
 * - refuses a network call when the policy says `network: off`;
 * - for a call that names files (policy.ts PATH_CALLS), in janus mode resolves each
 *   path with its OWN lookup against its mirrored root and cwd (lookup.ts), checks it,
 *   and either refuses the call (EPERM) or lets it go on LATER: the call stays stopped
 *   until the process is resumed (`P: resume`), when the kernel resolves the path again
 *   (resume.ts) — the gap between check and use the TOCTTOU race lives in. In resolved
 *   mode the call also waits, and the check happens at the use, on what the kernel
 *   resolved, in the same step;
 * - for a call whose result it mirrors (dup, close, chdir, fork…), lets it run now and
 *   records its effect on the monitor's copy (mirror.ts).
 *
 * Declared as a function (hoisted) because the gate list in syscall/registry.ts and this
 * module import each other.
 */
import type { EventDraft } from '../../core/decider.js';
import { PASS, type EntryGate, type GateInput, type GateOutcome } from '../syscall/gates.js';
import { fail, isError, SyscallContext, type SyscallResult } from '../syscall/context.js';
import { ENTRY_GATES } from '../syscall/registry.js';
import { runSyscall } from '../syscalls.js';
import { interposeEvents } from './events.js';
import { monitorDirectory, monitorLookup } from './lookup.js';
import { MIRRORED_CALLS, mirrorDrafts } from './mirror.js';
import { decideNetwork, decidePath, NETWORK_CALLS, PATH_CALLS, type PathArgument } from './policy.js';
import { viewOf, type MonitorView, type PathCheck } from './state.js';

const AT_FDCWD = -100;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_NOFOLLOW = 0o400000;

export function INTERPOSE_GATE(input: GateInput): GateOutcome {
  const view = viewOf(input.state.kernel, input.process.pid);
  if (view === null || input.name === null) return PASS;
  const name = input.name;
  if (view.pending !== null) {
    return { kind: 'end', result: fail('EBUSY', `${input.process.name} is stopped in ${view.pending.call} until it is resumed ("${input.process.name}: resume")`) };
  }
  if (NETWORK_CALLS.includes(name)) return checkNetwork(input, view);
  const paths = PATH_CALLS[name];
  if (paths !== undefined) return view.policy.mode === 'janus' ? checkAtEntry(input, view, paths) : holdForUse(input, view);
  if (MIRRORED_CALLS.has(name)) return runAndMirror(input, view);
  return PASS;
}

/** The gates that come after the tracer's stop, in the kernel's order. */
export function gatesAfterMonitor(): readonly EntryGate[] {
  return ENTRY_GATES.slice(ENTRY_GATES.indexOf(INTERPOSE_GATE) + 1);
}

/** How a call the monitor let go on ended: a result (after the later gates passed), a kill, or a wait for a supervisor. */
export type Continued =
  | { readonly kind: 'done'; readonly events: readonly EventDraft[]; readonly result: SyscallResult }
  | { readonly kind: 'kill'; readonly events: readonly EventDraft[]; readonly signal: string; readonly how: string }
  | { readonly kind: 'suspend'; readonly events: readonly EventDraft[] };

/** The rest of the call after the monitor: the later gates (seccomp, LSM), then the handler. */
export function continueCall(input: GateInput): Continued {
  const events: EventDraft[] = [];
  for (const gate of gatesAfterMonitor()) {
    const outcome = gate(input);
    switch (outcome.kind) {
      case 'pass':
        events.push(...outcome.events);
        continue;
      case 'end':
        return { kind: 'done', events, result: outcome.result };
      case 'kill':
        return { kind: 'kill', events: [...events, ...outcome.events], signal: outcome.signal, how: outcome.how };
      case 'suspend':
        return { kind: 'suspend', events: [...events, ...outcome.events] };
    }
  }
  return { kind: 'done', events, result: runSyscall(input.state, input.process, input.abi, input.request) };
}

/** A result with events put before and after its own. */
export function withEvents(result: SyscallResult, before: readonly EventDraft[], after: readonly EventDraft[]): SyscallResult {
  if (before.length === 0 && after.length === 0) return result;
  return { ...result, events: [...before, ...(result.events ?? []), ...after] };
}

export function contextOf(input: GateInput): SyscallContext {
  return new SyscallContext(input.state, input.process, input.abi, input.name ?? '', input.request.args, input.request.as ?? null);
}

/** Whether the kernel will follow a symbolic link in the last position of this path argument. */
export function followsLastLink(spec: PathArgument, c: SyscallContext): boolean {
  if (spec.follow === 'always') return true;
  if (spec.follow === 'never') return false;
  const flags = c.int32(spec.follow.flagsIndex);
  return (flags & O_NOFOLLOW) === 0 && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL);
}

export function dirfdOf(spec: PathArgument, c: SyscallContext): number {
  return spec.dirfdIndex === null ? AT_FDCWD : c.int32(spec.dirfdIndex);
}

function refused(events: readonly EventDraft[], note: string): GateOutcome {
  return { kind: 'end', result: { ...fail('EPERM', note), events } };
}

function checkNetwork(input: GateInput, view: MonitorView): GateOutcome {
  const decision = decideNetwork(view.policy);
  const checked = interposeEvents.checked(input.process.name, {
    pid: input.process.pid,
    call: input.name!,
    path: '',
    resolved: '',
    cwd: view.cwd,
    root: view.root,
    rule: decision.rule,
    verdict: decision.verdict,
    at: 'entry',
  });
  if (decision.verdict === 'deny') return refused([checked], `the monitor refuses ${input.name} (${decision.rule})`);
  return { kind: 'pass', events: [checked] };
}

/** Janus: resolve and check every path now, then hold the call until the process is resumed. */
function checkAtEntry(input: GateInput, view: MonitorView, paths: readonly PathArgument[]): GateOutcome {
  const c = contextOf(input);
  const events: EventDraft[] = [];
  const checks: PathCheck[] = [];
  for (const spec of paths) {
    const text = c.text(spec.index);
    if (typeof text !== 'string') return { kind: 'end', result: { ...fail('EFAULT', 'the monitor could not read the path from the process'), events } };
    const found = monitorLookup(input.state, input.process, view, text, dirfdOf(spec, c), followsLastLink(spec, c));
    // A path the monitor cannot resolve is refused with the walk's error: it fails closed.
    const resolved = found.ok ? found.path : `(${found.errno}: ${found.note})`;
    const decision = found.ok ? decidePath(view.policy, found.path) : { verdict: 'deny' as const, rule: `unresolvable (${found.errno})` };
    const check: PathCheck = { path: text, resolved, rule: decision.rule, verdict: decision.verdict };
    checks.push(check);
    events.push(interposeEvents.checked(input.process.name, { pid: input.process.pid, call: input.name!, ...check, cwd: view.cwd, root: view.root, at: 'entry' }));
    if (decision.verdict === 'deny') return refused(events, `the monitor refuses ${input.name} of ${JSON.stringify(text)} → ${resolved} (${decision.rule})`);
  }
  const pending = { abi: input.abi, request: input.request, call: input.name!, checks };
  const note = `the monitor allowed it; ${input.process.name} stays stopped at the syscall-entry stop until it is resumed, when the kernel resolves the path itself`;
  return { kind: 'suspend', events: [...events, interposeEvents.suspended(input.process.name, input.process.pid, pending, note)] };
}

/** Resolved mode: nothing is checked at entry; the monitor checks what the kernel resolves, at the use. */
function holdForUse(input: GateInput, view: MonitorView): GateOutcome {
  const pending = { abi: input.abi, request: input.request, call: input.name!, checks: null };
  const note = `the monitor (${view.policy.name}, resolved mode) will check the object the kernel resolves, when the call goes on`;
  return { kind: 'suspend', events: [interposeEvents.suspended(input.process.name, input.process.pid, pending, note)] };
}

/** A call the monitor does not check but whose result it records: it runs now, then the copy is updated. */
function runAndMirror(input: GateInput, view: MonitorView): GateOutcome {
  const c = contextOf(input);
  const pathArg = input.name === 'chdir' || input.name === 'chroot' ? c.text(0) : null;
  const directory = typeof pathArg === 'string' ? monitorDirectory(input.state, input.process, view, pathArg) : null;
  const continued = continueCall(input);
  if (continued.kind === 'kill') return continued;
  if (continued.kind === 'suspend') return continued;
  const mirrored = isError(continued.result) ? [] : mirrorDrafts(view, c, continued.result, null, directory);
  return { kind: 'end', result: withEvents(continued.result, continued.events, mirrored) };
}
