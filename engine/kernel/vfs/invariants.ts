/** Isolation invariants this mechanism promises (registered in engine/machine/invariants.ts). */
import type { Invariant } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';

export const VFS_INVARIANTS: readonly Invariant<MachineState>[] = [];
