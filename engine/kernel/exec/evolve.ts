/** The kernel-slice event of execve: the process now runs the new program in a new address space. */
import { castDraft, produce } from 'immer';
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';

export interface ExecedData {
  readonly pid: number;
  readonly path: string;
  readonly program: string;
  readonly rootTable: number;
  readonly tableFrames: readonly number[];
  readonly resetSignals: readonly string[];
}

export const execKernelReducers: Readonly<Record<string, (kernel: KernelState, event: Envelope) => KernelState>> = {
  'kernel.execed': (kernel, event) => {
    const data = event.data as ExecedData;
    return produce(kernel, (draft) => {
      const process = draft.processes.byId[data.pid];
      if (process === undefined) return;
      process.exe = data.path;
      process.rootTable = data.rootTable;
      process.tableFrames = castDraft([...data.tableFrames]);
      process.vmas = [];
      // Handled signals go back to their default action (signal(7), "execve").
      process.catches = [];
    });
  },
};
