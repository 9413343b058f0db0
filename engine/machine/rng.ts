/**
 * The seeded generator's streams as a slice of the state. A decider that draws records
 * the stream's next state in an `rng.advanced` event, so replay restores it without
 * drawing, and the next decision continues the same sequence.
 */
import type { MechanismDefinition } from '../core/engine.js';
import type { StreamState } from '../core/prng.js';
import type { MachineState } from './state.js';

export const rngMechanism: MechanismDefinition<MachineState, 'rng'> = {
  name: 'rng',
  slice: 'rng',
  decide: {},
  evolve: {
    'rng.advanced': (rng, event) => {
      const { stream, state } = event.data as { stream: string; state: StreamState };
      return { ...rng, [stream]: state };
    },
  },
};
