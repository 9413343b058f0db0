/** The state of a machine before its first event, from its configuration alone. */
import { defaultCpuFeatures, initialCpuState, type CpuFeatures } from '../hw/cpu/state.js';
import { initialMemoryState } from '../hw/memory/state.js';
import { initialTlbState } from '../hw/tlb/state.js';
import { initialKernelState } from '../kernel/state.js';
import { initialVfsState } from '../kernel/vfs/state.js';
import { initialObserverState } from '../observer/state.js';
import { initialScenarioState } from '../scenario/state.js';
import type { MachineConfig } from './config.js';
import type { MachineState } from './state.js';

export function initialMachineState(config: MachineConfig, features?: CpuFeatures): MachineState {
  const cpuFeatures = features ?? defaultCpuFeatures(config.cpu === 'x86_64' ? 'long' : 'protected');
  return {
    config,
    rng: {},
    cpu: initialCpuState(cpuFeatures),
    tlb: initialTlbState(config.tlbEntries, config.tlbReplacement),
    memory: initialMemoryState(config.memoryBytes, config.frameBytes),
    kernel: initialKernelState(),
    vfs: initialVfsState(),
    observer: initialObserverState(),
    scenario: initialScenarioState(),
  };
}
