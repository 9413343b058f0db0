/** The TLB as a mechanism: it decides nothing itself (the CPU fills and flushes it). */
import type { MechanismDefinition } from '../../core/engine.js';
import type { MachineState } from '../../machine/state.js';
import { tlbReducers } from './evolve.js';

export const tlbMechanism: MechanismDefinition<MachineState, 'tlb'> = {
  name: 'tlb',
  slice: 'tlb',
  decide: {},
  evolve: tlbReducers,
};
