/**
 * The MAC mechanism's commands, run as scenario setup: `mac.loadProfile` {profile}
 * makes a profile known; `mac.confine` {process, profile} puts a process under it (what
 * sandbox_init(3) does for its caller, or an AppArmor profile attached to a container's
 * init). Confining an already confined process is refused: a sandbox cannot be left or
 * replaced by another from the inside (sandbox_init fails once sandboxed; AppArmor allows
 * only transitions its profile grants).
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { processByName } from '../state.js';
import { macEvents } from './events.js';
import type { MacProfile } from './profile.js';
import { macStateOf } from './state.js';

function refused(reason: string): EventDraft {
  return { type: 'kernel.requestRefused', actor: 'kernel', data: { operation: 'mac.confine', errno: 'EPERM', reason } };
}

export function decideLoadProfile(_state: MachineState, command: Command): EventDraft[] {
  const { profile } = command.data as { profile: MacProfile };
  return [macEvents.profileLoaded(profile)];
}

export function decideConfine(state: MachineState, command: Command): EventDraft[] {
  const { process: name, profile } = command.data as { process: string; profile: string };
  const process = processByName(state.kernel, name);
  if (process === null) return [refused(`no process ${name}`)];
  const mac = macStateOf(state.kernel);
  if (mac.profiles.byName[profile] === undefined) return [refused(`no profile ${profile} is loaded`)];
  const current = mac.confined[process.pid];
  if (current !== undefined) return [refused(`${name} is already confined by ${current}`)];
  return [macEvents.confined(name, { pid: process.pid, profile, why: 'scenario' })];
}

export const MAC_DECIDERS = {
  'mac.loadProfile': decideLoadProfile,
  'mac.confine': decideConfine,
} as const;
