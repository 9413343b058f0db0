/**
 * The catalogue of isolation invariants: each mechanism exports its own (next to its
 * reducers) with a name, a one-line statement and the defence it depends on, so a
 * counterexample says which defence was missing. `isolab list invariants` prints this.
 */
import type { Invariant } from '../core/decider.js';
import { controlRegistersPrivileged, supervisorAvoidsUserPages, userCannotTouchSupervisor } from '../hw/cpu/invariants.js';
import { framesDisjoint, processIsolation } from '../hw/memory/invariants.js';
import { tlbCoherent } from '../hw/tlb/invariants.js';
import { secretsStaySecret } from '../observer/invariants.js';
import { CRED_INVARIANTS } from '../kernel/cred/invariants.js';
import { PROC_INVARIANTS } from '../kernel/proc/invariants.js';
import { VFS_INVARIANTS } from '../kernel/vfs/invariants.js';
import { MAC_INVARIANTS } from '../kernel/mac/invariants.js';
import { SECCOMP_INVARIANTS } from '../kernel/seccomp/invariants.js';
import { INTERPOSE_INVARIANTS } from '../kernel/interpose/invariants.js';
import type { MachineState } from './state.js';

export const INVARIANTS: readonly Invariant<MachineState>[] = [
  processIsolation,
  userCannotTouchSupervisor,
  supervisorAvoidsUserPages,
  tlbCoherent,
  controlRegistersPrivileged,
  framesDisjoint,
  secretsStaySecret,
  ...CRED_INVARIANTS,
  ...VFS_INVARIANTS,
  ...PROC_INVARIANTS,
  ...MAC_INVARIANTS,
  ...SECCOMP_INVARIANTS,
  ...INTERPOSE_INVARIANTS,
];

export function invariantByName(name: string): Invariant<MachineState> | null {
  return INVARIANTS.find((invariant) => invariant.name === name) ?? null;
}
