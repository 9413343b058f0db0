/**
 * The whole machine state: one slice per mechanism, each written only by its own
 * reducers (DESIGN.md). Plain data (plus the persistent physical store), serialisable
 * canonically for hashing.
 */
import type { CpuState } from '../hw/cpu/state.js';
import type { MemoryState } from '../hw/memory/state.js';
import type { TlbState } from '../hw/tlb/state.js';
import type { KernelState } from '../kernel/state.js';
import type { ObserverState } from '../observer/state.js';
import type { ScenarioState } from '../scenario/state.js';
import type { MachineConfig } from './config.js';
import type { StreamState } from '../core/prng.js';

export interface MachineState {
  readonly config: MachineConfig;
  readonly rng: Readonly<Record<string, StreamState>>;
  readonly cpu: CpuState;
  readonly tlb: TlbState;
  readonly memory: MemoryState;
  readonly kernel: KernelState;
  readonly observer: ObserverState;
  readonly scenario: ScenarioState;
}
