/**
 * Isolation invariants of credentials (registered in engine/machine/invariants.ts). Both
 * watch only the events that write credentials and look at the process the event names.
 */
import type { Envelope, Invariant } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { capabilityNumber, constantValue } from '../syscall/constants.js';
import { hasBit, isSubset, maskText } from './capabilities.js';
import { CREDENTIAL_EVENTS, type CredentialsChangedData, type ExecEvidence } from './events.js';
import type { Credentials } from './state.js';

const CAP_SETUID = capabilityNumber('CAP_SETUID')!;
const S_ISUID = constantValue('S_ISUID')!;
const UID_FIELDS = ['ruid', 'euid', 'suid', 'fsuid'] as const;

interface Transition {
  readonly name: string;
  readonly old: Credentials;
  readonly next: Credentials;
  readonly data: CredentialsChangedData;
}

/** The named process's credentials before and after the event, when it existed on both sides. */
function transitionOf(before: MachineState, event: Envelope, after: MachineState): Transition | null {
  const data = event.data as CredentialsChangedData;
  const old = before.kernel.processes.byId[data.pid];
  const next = after.kernel.processes.byId[data.pid];
  if (old === undefined || next === undefined) return null;
  return { name: `${old.name} (pid ${data.pid})`, old: old.creds, next: next.creds, data };
}

/** Dropped root for good: no uid 0 among ruid, euid, suid and no CAP_SETUID to get one back. */
const droppedForGood = (creds: Credentials) => creds.ruid !== 0 && creds.euid !== 0 && creds.suid !== 0 && !hasBit(creds.caps.permitted, CAP_SETUID);

/** An execve that legitimately made euid (and so suid and fsuid) 0: a set-user-ID-root file honoured. */
function setuidRootExec(old: Credentials, exec: ExecEvidence | undefined, regained: readonly string[]): boolean {
  if (exec === undefined || regained.includes('ruid')) return false;
  return (exec.mode & S_ISUID) !== 0 && exec.uid === 0 && !exec.nosuid && !old.noNewPrivs;
}

export const permanentDrop: Invariant<MachineState> = {
  name: 'cred.permanent-drop',
  statement:
    'a process whose real, effective and saved uids are all non-zero and who lacks CAP_SETUID in its permitted set never gets a uid 0 back, except by executing a set-user-ID-root file',
  defence: 'the set*id rules of kernel/sys.c and the capability fix-ups of capabilities(7) (cap_task_fix_setuid)',
  on: CREDENTIAL_EVENTS,
  check(before, event, after) {
    const transition = transitionOf(before, event, after);
    if (transition === null || !droppedForGood(transition.old)) return null;
    const { old, next, data } = transition;
    const regained = UID_FIELDS.filter((field) => old[field] !== 0 && next[field] === 0);
    if (regained.length === 0 || setuidRootExec(old, data.exec, regained)) return null;
    return `${transition.name} had dropped root for good (uids ${old.ruid}/${old.euid}/${old.suid}, no CAP_SETUID) yet ${data.why} gave it ${regained.join(', ')} 0`;
  },
};

/** The first broken rule of the capability sets after a change, or null. */
function capabilitySetProblem(old: Credentials, next: Credentials, byExec: boolean): string | null {
  const { permitted, effective, inheritable, ambient, bounding } = next.caps;
  if (!isSubset(effective, permitted)) return `effective holds ${maskText(effective & ~permitted)} outside permitted`;
  if (!isSubset(ambient, permitted & inheritable)) return `ambient holds ${maskText(ambient & ~(permitted & inheritable))} not both permitted and inheritable`;
  if (!byExec && !isSubset(permitted, old.caps.permitted)) return `permitted grew by ${maskText(permitted & ~old.caps.permitted)} without an execve`;
  if (!isSubset(bounding, old.caps.bounding)) return `the bounding set grew by ${maskText(bounding & ~old.caps.bounding)}`;
  return null;
}

export const capabilitySets: Invariant<MachineState> = {
  name: 'cred.capability-sets',
  statement:
    'after every credential change effective ⊆ permitted and ambient ⊆ permitted ∩ inheritable; permitted never grows except by execve, and the bounding set never grows',
  defence: 'the capset(2) rules, the ambient rules of prctl(2) and the execve transformation of capabilities(7)',
  on: CREDENTIAL_EVENTS,
  check(before, event, after) {
    const transition = transitionOf(before, event, after);
    if (transition === null) return null;
    const problem = capabilitySetProblem(transition.old, transition.next, transition.data.exec !== undefined);
    return problem === null ? null : `${transition.name} after ${transition.data.why}: ${problem}`;
  },
};

export const CRED_INVARIANTS: readonly Invariant<MachineState>[] = [permanentDrop, capabilitySets];
