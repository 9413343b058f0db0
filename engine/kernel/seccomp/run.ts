/**
 * Running a process's filters (kernel/seccomp.c seccomp_run_filters): every filter runs,
 * newest first, on the same seccomp_data; the result kept is the first one whose action
 * is strictly lower than the best so far, comparing ACTION_ONLY(ret) — ret &
 * SECCOMP_RET_ACTION_FULL read as a signed 32-bit int, so KILL_PROCESS (0x80000000) is
 * the lowest of all. Starting from ALLOW, a tie keeps the newer filter's result (its data,
 * e.g. its errno, wins). A filter whose action is unknown counts by its value and is then
 * carried out as KILL_PROCESS (decodeAction).
 */
import type { BpfProgram, SeccompData } from './bpf/types.js';
import { compileCountingFilterWords, type CountingWordsFilter } from './bpf/compile.js';
import { seccompWords } from './bpf/words.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW } from './constants.js';
import type { SeccompFilter } from './state.js';

/** ACTION_ONLY: the action half of a return value, as a signed 32-bit int. */
export function actionOnly(ret: number): number {
  return (ret & SECCOMP_RET_ACTION_FULL) | 0;
}

export interface FilterRun {
  readonly filter: SeccompFilter;
  readonly ret: number;
  readonly executed: number;
}

export interface Combined {
  /** The 32-bit return value that decides. */
  readonly ret: number;
  /** Index (in the newest-first list) of the filter that gave it, or null when every filter allowed. */
  readonly index: number | null;
}

/** seccomp_run_filters' fold over the return values, newest first. */
export function combineReturns(returns: readonly number[]): Combined {
  let ret = SECCOMP_RET_ALLOW;
  let index: number | null = null;
  returns.forEach((current, at) => {
    if (actionOnly(current) < actionOnly(ret)) {
      ret = current >>> 0;
      index = at;
    }
  });
  return { ret, index };
}

/**
 * Each program compiled once to a counting JavaScript function (bpf/compile.ts; the
 * interpreter stays the reference, and property tests hold the two equal, counts
 * included). Programs are immutable state, so the object is a sound cache key.
 */
const compiled = new WeakMap<BpfProgram, CountingWordsFilter>();

function compiledFor(program: BpfProgram): CountingWordsFilter {
  let filter = compiled.get(program);
  if (filter === undefined) {
    filter = compileCountingFilterWords(program);
    compiled.set(program, filter);
  }
  return filter;
}

function runWords(program: BpfProgram, words: Uint32Array): { ret: number; executed: number } {
  const counter = { executed: 0 };
  const ret = compiledFor(program)(words, counter);
  return { ret: ret >>> 0, executed: counter.executed };
}

export function runProgram(program: BpfProgram, data: SeccompData): { ret: number; executed: number } {
  return runWords(program, seccompWords(data));
}

/** Every filter of the chain (newest first) on the same data. */
export function runFilters(filters: readonly SeccompFilter[], data: SeccompData): { runs: FilterRun[]; combined: Combined } {
  const words = seccompWords(data);
  const runs = filters.map((filter) => ({ filter, ...runWords(filter.program, words) }));
  return { runs, combined: combineReturns(runs.map((run) => run.ret)) };
}
