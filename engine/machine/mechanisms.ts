/** Every mechanism of the machine, in one list: what the engine and the replayer register. */
import type { MechanismDefinition } from '../core/engine.js';
import { makeFold } from '../core/engine.js';
import { cpuMechanism } from '../hw/cpu/mechanism.js';
import { memoryMechanism } from '../hw/memory/mechanism.js';
import { tlbMechanism } from '../hw/tlb/mechanism.js';
import { kernelMechanism } from '../kernel/mechanism.js';
import { vfsMechanism } from '../kernel/vfs/mechanism.js';
import { observerMechanism } from '../observer/mechanism.js';
import { scenarioMechanism } from '../scenario/mechanism.js';
import { rngMechanism } from './rng.js';
import { withSlice, type MachineState } from './state.js';

export const MECHANISMS: readonly MechanismDefinition<MachineState>[] = [
  cpuMechanism,
  tlbMechanism,
  memoryMechanism,
  kernelMechanism,
  vfsMechanism,
  observerMechanism,
  scenarioMechanism,
  rngMechanism,
] as readonly MechanismDefinition<MachineState>[];

/** Folds one envelope into a state: replay and reports use exactly the engine's reducers. */
export const foldMachine = makeFold(MECHANISMS, withSlice);
