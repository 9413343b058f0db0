/** Reducers of this mechanism's kernel-slice events (processes, fd tables), merged into kernelReducers. */
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';

export const procKernelReducers: Readonly<Record<string, (kernel: KernelState, event: Envelope) => KernelState>> = {};
