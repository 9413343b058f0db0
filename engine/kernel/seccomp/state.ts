/**
 * seccomp's state (kernel/seccomp.c, struct seccomp and struct seccomp_filter): a process
 * has a mode and a pointer to its newest filter, each filter pointing to the one attached
 * before it. Filters are shared by reference: fork copies the pointer (copy_seccomp), so
 * a parent and its children share the older part of their chains, a tree of filters.
 *
 * isolab stores every attached filter once in the kernel (`filters`, by id) and gives a
 * process the ids of its chain, newest first. The programs a scenario declares by name
 * (`filter`, `profile`, `seccomp` settings) wait in `programs` until a process installs
 * one. Both fields are optional on the records they extend, so a run that never uses
 * seccomp keeps the state (and its hash) it had before seccomp existed.
 */
import type { KernelState, Process } from '../state.js';
import type { BpfProgram } from './bpf/types.js';
import type { SeccompAction } from './constants.js';

export type SeccompMode = 'disabled' | 'strict' | 'filter';

/** Per process (task_struct's `seccomp`): the mode and the filter chain, newest first. */
export interface ProcessSeccomp {
  readonly mode: SeccompMode;
  readonly filters: readonly number[];
}

export const SECCOMP_DISABLED: ProcessSeccomp = { mode: 'disabled', filters: [] };

/** One attached filter (struct seccomp_filter). */
export interface SeccompFilter {
  readonly id: number;
  /** The scenario's name for the program, or how it was given. */
  readonly label: string;
  readonly program: BpfProgram;
  /** SECCOMP_FILTER_FLAG_LOG: actions other than ALLOW are logged. */
  readonly log: boolean;
  /** The open file description of its notification listener (NEW_LISTENER), or null. */
  readonly listener: number | null;
  /** Who attached it. */
  readonly pid: number;
}

/** A program the scenario declared, not attached to anyone yet. */
export interface NamedProgram {
  readonly name: string;
  readonly program: BpfProgram;
  /** Where it came from: "filter deny.bpf", "profile docker-default.json", "rules". */
  readonly source: string;
}

export interface SeccompState {
  readonly programs: { readonly names: readonly string[]; readonly byName: Readonly<Record<string, NamedProgram>> };
  readonly filters: { readonly ids: readonly number[]; readonly byId: Readonly<Record<string, SeccompFilter>> };
  readonly nextFilterId: number;
  /**
   * Calls seccomp decided to skip (ERRNO, TRAP, KILL…) whose skipping has not been
   * carried out yet, by pid: what `seccomp.filter-enforced` watches.
   */
  readonly pendingSkips: Readonly<Record<string, SeccompAction>>;
}

export const INITIAL_SECCOMP_STATE: SeccompState = {
  programs: { names: [], byName: {} },
  filters: { ids: [], byId: {} },
  nextFilterId: 1,
  pendingSkips: {},
};

export function seccompStateOf(kernel: KernelState): SeccompState {
  return kernel.seccomp ?? INITIAL_SECCOMP_STATE;
}

export function processSeccompOf(process: Process): ProcessSeccomp {
  return process.seccomp ?? SECCOMP_DISABLED;
}

export function namedProgram(kernel: KernelState, name: string): NamedProgram | null {
  return seccompStateOf(kernel).programs.byName[name] ?? null;
}

/** The process's filters, newest first (the order seccomp_run_filters walks them). */
export function filtersOf(kernel: KernelState, process: Process): SeccompFilter[] {
  const state = seccompStateOf(kernel);
  return processSeccompOf(process).filters.map((id) => state.filters.byId[id]).filter((f): f is SeccompFilter => f !== undefined);
}
