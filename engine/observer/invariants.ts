/** The observer's invariant: no process learns a secret it does not own. */
import type { Invariant } from '../core/decider.js';
import type { MachineState } from '../machine/state.js';

export const secretsStaySecret: Invariant<MachineState> = {
  name: 'secret.no-leak',
  statement: 'No process learns a secret it does not own.',
  defence: 'every isolation mechanism on the path to the secret',
  on: ['observer.secretLeaked'],
  check(_before, event) {
    const { actor, secret } = event.data as { actor: string; secret: string };
    return `${actor} learned the secret ${secret}`;
  },
};

