/** Reducers of this mechanism's kernel-slice events, merged into kernelReducers. */
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';
import { CREDENTIALS_CHANGED, type CredentialsChangedData } from './events.js';
import { credentialsFromData } from './state.js';

/** Replaces one process's credentials; an event naming no live record changes nothing. */
function credentialsReplaced(kernel: KernelState, event: Envelope): KernelState {
  const { pid, creds } = event.data as CredentialsChangedData;
  const process = kernel.processes.byId[pid];
  if (process === undefined) return kernel;
  return {
    ...kernel,
    processes: { ...kernel.processes, byId: { ...kernel.processes.byId, [pid]: { ...process, creds: credentialsFromData(creds) } } },
  };
}

export const credKernelReducers: Readonly<Record<string, (kernel: KernelState, event: Envelope) => KernelState>> = {
  [CREDENTIALS_CHANGED]: credentialsReplaced,
};
