/** An engine over the whole machine: every mechanism, the fast slice replacer, a state. */
import { Engine, type EngineOptions } from '../core/engine.js';
import { MECHANISMS } from './mechanisms.js';
import { withSlice, type MachineState } from './state.js';

export function machineEngine(initial: MachineState, options: Omit<EngineOptions<MachineState>, 'replaceSlice'> = {}): Engine<MachineState> {
  return new Engine(MECHANISMS, initial, { ...options, replaceSlice: withSlice });
}
