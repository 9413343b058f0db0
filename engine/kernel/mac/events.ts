/**
 * The MAC mechanism's events:
 *
 * - `mac.profileLoaded` {profile}: a profile is known to the kernel (sandbox_init's
 *   compiled profile; apparmor_parser loading a profile);
 * - `mac.confined` {pid, profile, why}: a process runs under a profile from now on
 *   ("scenario" when the scenario attaches it, "fork" when a child inherits it);
 * - `mac.decided` {pid, profile, call, operation, path, family, verdict, rule}: the
 *   profile's decision on one operation of a call, naming the rule that decided
 *   (an observation: it changes no state).
 */
import type { EventDraft } from '../../core/decider.js';
import type { MacOperation, MacProfile, MacVerdict, SocketFamily } from './profile.js';

export type MacEventType = 'mac.profileLoaded' | 'mac.confined' | 'mac.decided';

export interface MacDecidedData {
  readonly pid: number;
  readonly profile: string;
  readonly call: string;
  readonly operation: MacOperation;
  readonly path: string | null;
  readonly family: SocketFamily | null;
  readonly verdict: MacVerdict;
  readonly rule: string;
}

export interface MacConfinedData {
  readonly pid: number;
  readonly profile: string;
  readonly why: 'scenario' | 'fork';
}

export const macEvents = {
  profileLoaded: (profile: MacProfile): EventDraft => ({ type: 'mac.profileLoaded', actor: 'kernel', data: { profile } }),
  confined: (actor: string, data: MacConfinedData): EventDraft => ({ type: 'mac.confined', actor, data }),
  decided: (actor: string, data: MacDecidedData): EventDraft => ({ type: 'mac.decided', actor, data }),
};
