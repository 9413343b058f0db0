/**
 * The MAC gate: a confined process's call is judged by its profile before the handler
 * runs, at the point where the kernel's LSM hooks run (gates.ts). Each operation the call
 * asks for (requests.ts) is decided by the profile (profile.ts) and recorded as a
 * `mac.decided` event naming the rule that decided. A denial ends the call with the
 * profile's errno (EPERM for the Apple sandbox, EACCES for AppArmor); the handler never
 * runs.
 *
 * Two orderings follow the kernel:
 * - an open's own checks come first (do_open: may_open's DAC check, then do_dentry_open
 *   calls security_file_open), so when the profile denies an open that would fail anyway
 *   (EACCES by the mode bits, ENOENT…), the caller sees the VFS's errno;
 * - a child made by fork, vfork or clone starts under its parent's profile (the label
 *   lives in the credentials that copy_process duplicates), recorded as `mac.confined`
 *   right after the handler made the child.
 *
 * AppArmor does not mediate metadata reads (stat, access, readlink); the Apple sandbox
 * does (file-read-metadata).
 */
import type { EventDraft } from '../../core/decider.js';
import { PASS, type EntryGate, type GateInput, type GateOutcome } from '../syscall/gates.js';
import { isError, type SyscallResult } from '../syscall/context.js';
import { runSyscall } from '../syscalls.js';
import { macEvents } from './events.js';
import { decideRequest, denialErrno, type MacDecision, type MacProfile } from './profile.js';
import { FORK_CALLS, OPEN_CALLS, requestsOf, type CallRequest } from './requests.js';
import { profileOf } from './state.js';

interface Judged {
  readonly request: CallRequest;
  readonly decision: MacDecision;
}

function judge(profile: MacProfile, requests: readonly CallRequest[]): Judged[] {
  return requests
    .filter((request) => !(request.metadataOnly && profile.style === 'apparmor'))
    .map((request) => ({ request, decision: decideRequest(profile, request) }));
}

function decidedEvents(input: GateInput, profile: MacProfile, judged: readonly Judged[]): EventDraft[] {
  const { process, name } = input;
  return judged.map(({ request, decision }) =>
    macEvents.decided(process.name, {
      pid: process.pid,
      profile: profile.name,
      call: name ?? `#${input.request.nr}`,
      operation: request.operation,
      path: request.path,
      family: request.family,
      verdict: decision.verdict,
      rule: decision.rule,
    }),
  );
}

function withEvents(result: SyscallResult, before: readonly EventDraft[], after: readonly EventDraft[] = []): SyscallResult {
  return { ...result, events: [...before, ...(result.events ?? []), ...after] };
}

/** The denial's result, unless the open would fail in the VFS first. */
function denied(input: GateInput, profile: MacProfile, denial: Judged, events: readonly EventDraft[]): GateOutcome {
  const name = input.name!;
  if (OPEN_CALLS.has(name)) {
    const handled = runSyscall(input.state, input.process, input.abi, input.request);
    if (isError(handled)) return { kind: 'end', result: withEvents({ errno: handled.errno, note: handled.note ?? 'the VFS refused it before the profile was asked' }, events) };
  }
  const what = denial.request.path ?? (denial.request.family === null ? 'this call' : `an AF_${denial.request.family.toUpperCase()} socket`);
  const note = `${profile.style === 'sandbox' ? 'sandbox' : 'AppArmor'} profile ${profile.name} denies ${denial.request.operation} on ${what}: ${denial.decision.rule}`;
  return { kind: 'end', result: { errno: denialErrno(profile.style), note, events: [...events] } };
}

/** A confined parent's fork: run it, and confine the child it made. */
function forked(input: GateInput, profile: MacProfile, events: readonly EventDraft[]): GateOutcome {
  const result = runSyscall(input.state, input.process, input.abi, input.request);
  if (isError(result) || result.ret <= 0) return { kind: 'end', result: withEvents(result, events) };
  const inherit = macEvents.confined(input.process.name, { pid: result.ret, profile: profile.name, why: 'fork' });
  return { kind: 'end', result: withEvents(result, events, [inherit]) };
}

export const MAC_GATE: EntryGate = (input) => {
  const profile = profileOf(input.state.kernel, input.process.pid);
  if (profile === null || input.name === null) return PASS;
  const judged = judge(profile, requestsOf(input.state, input.process, input.abi, input.name, input.request));
  const events = decidedEvents(input, profile, judged);
  const denial = judged.find((entry) => entry.decision.verdict === 'deny');
  if (denial !== undefined) return denied(input, profile, denial, events);
  if (FORK_CALLS.has(input.name)) return forked(input, profile, events);
  return { kind: 'pass', events };
};
