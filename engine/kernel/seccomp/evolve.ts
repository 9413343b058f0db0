/**
 * Reducers of seccomp's kernel-slice events, merged into kernelReducers. Cold events
 * (a handful per installation): plain spreads.
 */
import type { Envelope } from '../../core/decider.js';
import type { KernelState, Process } from '../state.js';
import {
  SECCOMP_CALL_SKIPPED,
  SECCOMP_DECIDED,
  SECCOMP_FILTER_ATTACHED,
  SECCOMP_PROGRAM_DEFINED,
  SECCOMP_STRICT_ENTERED,
  type CallSkippedData,
  type DecidedData,
  type FilterAttachedData,
  type ProgramDefinedData,
  type StrictEnteredData,
} from './events.js';
import { processSeccompOf, seccompStateOf, type ProcessSeccomp, type SeccompState } from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

function withSeccomp(kernel: KernelState, update: (state: SeccompState) => SeccompState): KernelState {
  return { ...kernel, seccomp: update(seccompStateOf(kernel)) };
}

function withProcessSeccomp(kernel: KernelState, pid: number, update: (seccomp: ProcessSeccomp) => ProcessSeccomp): KernelState {
  const process = kernel.processes.byId[pid];
  if (process === undefined) return kernel;
  const next: Process = { ...process, seccomp: update(processSeccompOf(process)) };
  return { ...kernel, processes: { ...kernel.processes, byId: { ...kernel.processes.byId, [pid]: next } } };
}

const programDefined: Reducer = (kernel, event) => {
  const { name, source, program } = event.data as ProgramDefinedData;
  return withSeccomp(kernel, (state) => ({
    ...state,
    programs: {
      names: state.programs.names.includes(name) ? state.programs.names : [...state.programs.names, name],
      byName: { ...state.programs.byName, [name]: { name, source, program } },
    },
  }));
};

/** seccomp_attach_filter: the new filter points at the old chain; the process's mode is filter. */
const filterAttached: Reducer = (kernel, event) => {
  const { pid, filterId, label, program, log, listener } = event.data as FilterAttachedData;
  const stored = withSeccomp(kernel, (state) => ({
    ...state,
    filters: { ids: [...state.filters.ids, filterId], byId: { ...state.filters.byId, [filterId]: { id: filterId, label, program, log, listener, pid } } },
    nextFilterId: Math.max(state.nextFilterId, filterId + 1),
  }));
  return withProcessSeccomp(stored, pid, (seccomp) => ({ mode: 'filter', filters: [filterId, ...seccomp.filters] }));
};

const strictEntered: Reducer = (kernel, event) => {
  const { pid } = event.data as StrictEnteredData;
  return withProcessSeccomp(kernel, pid, (seccomp) => ({ ...seccomp, mode: 'strict' }));
};

const decided: Reducer = (kernel, event) => {
  const { pid, action, skips } = event.data as DecidedData;
  if (!skips) return kernel;
  return withSeccomp(kernel, (state) => ({ ...state, pendingSkips: { ...state.pendingSkips, [pid]: action } }));
};

const callSkipped: Reducer = (kernel, event) => {
  const { pid } = event.data as CallSkippedData;
  const state = seccompStateOf(kernel);
  if (state.pendingSkips[pid] === undefined) return kernel;
  const pendingSkips = { ...state.pendingSkips };
  delete pendingSkips[pid];
  return withSeccomp(kernel, () => ({ ...state, pendingSkips }));
};

export const seccompKernelReducers: Readonly<Record<string, Reducer>> = {
  [SECCOMP_PROGRAM_DEFINED]: programDefined,
  [SECCOMP_FILTER_ATTACHED]: filterAttached,
  [SECCOMP_STRICT_ENTERED]: strictEntered,
  [SECCOMP_DECIDED]: decided,
  [SECCOMP_CALL_SKIPPED]: callSkipped,
};
