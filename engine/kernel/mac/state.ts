/**
 * The MAC slice of the kernel: the profiles loaded and which process each confines.
 * Linux keeps an LSM's label in the task's credentials (AppArmor: cred->security, copied
 * by fork, kept across exec with an `ix` transition); isolab keeps it beside the process,
 * by pid, and copies it to a child when its parent's fork succeeds (gate.ts).
 */
import type { KernelState } from '../state.js';
import type { MacProfile } from './profile.js';

export interface MacState {
  readonly profiles: { readonly ids: readonly string[]; readonly byName: Readonly<Record<string, MacProfile>> };
  /** Pid → the name of the profile confining it. */
  readonly confined: Readonly<Record<string, string>>;
}

export const INITIAL_MAC_STATE: MacState = { profiles: { ids: [], byName: {} }, confined: {} };

export function macStateOf(kernel: KernelState): MacState {
  return kernel.mac ?? INITIAL_MAC_STATE;
}

export function withMacState(kernel: KernelState, mac: MacState): KernelState {
  return { ...kernel, mac };
}

/** The profile confining a process, or null for an unconfined one. */
export function profileOf(kernel: KernelState, pid: number): MacProfile | null {
  const mac = macStateOf(kernel);
  const name = mac.confined[pid];
  return name === undefined ? null : (mac.profiles.byName[name] ?? null);
}
