/**
 * Isolation invariants of seccomp (registered in engine/machine/invariants.ts):
 *
 * - `seccomp.filter-enforced`: once the filters decide that a call is skipped (ERRNO, TRAP,
 *   KILL_*, or TRACE/USER_NOTIF with nobody to ask: `seccomp.decided` with skips), the
 *   skipping is carried out (`seccomp.callSkipped`) before the call returns — a
 *   `kernel.syscallReturned` of that process while the skip is pending means its handler
 *   ran in spite of the filter.
 * - `seccomp.filters-only-grow`: a process's filter chain only grows at its front (the old
 *   chain stays behind the new filter), its mode never returns to disabled nor changes
 *   between strict and filter, execve keeps both, and a forked child starts with exactly
 *   its parent's mode and chain.
 */
import type { Envelope, Invariant } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { SECCOMP_FILTER_ATTACHED, SECCOMP_STRICT_ENTERED } from './events.js';
import { processSeccompOf, seccompStateOf, type ProcessSeccomp } from './state.js';

export const filterEnforced: Invariant<MachineState> = {
  name: 'seccomp.filter-enforced',
  statement: 'a system call the seccomp filters decided to skip (ERRNO, TRAP, KILL, or TRACE/USER_NOTIF with no one to ask) never reaches its handler: it returns only through the filter\'s verdict',
  defence: 'kernel/seccomp.c __seccomp_filter skipping the call (return -1) before the system-call table is consulted',
  on: ['kernel.syscallReturned'],
  check(before, event) {
    const { pid, name } = event.data as { pid: number; name: string | null };
    const pending = seccompStateOf(before.kernel).pendingSkips[pid];
    if (pending === undefined) return null;
    const process = before.kernel.processes.byId[pid];
    return `${process?.name ?? 'pid ' + pid}'s ${name ?? 'system call'} returned through its handler although seccomp decided SECCOMP_RET_${pending}`;
  },
};

const sameChain = (a: ProcessSeccomp, b: ProcessSeccomp) => a.mode === b.mode && a.filters.length === b.filters.length && a.filters.every((id, i) => id === b.filters[i]);

/** What is wrong with one process's change of seccomp state, or null. */
export function seccompChangeProblem(old: ProcessSeccomp, next: ProcessSeccomp, exec: boolean): string | null {
  if (old.mode !== 'disabled' && next.mode === 'disabled') return `its seccomp mode went from ${old.mode} back to disabled`;
  if (old.mode !== 'disabled' && next.mode !== old.mode) return `its seccomp mode changed from ${old.mode} to ${next.mode}`;
  const kept = next.filters.slice(next.filters.length - old.filters.length);
  if (next.filters.length < old.filters.length || !kept.every((id, i) => id === old.filters[i])) {
    return `its filter chain [${old.filters.join(', ')}] became [${next.filters.join(', ')}]: filters were lost or reordered`;
  }
  if (exec && !sameChain(old, next)) return `execve changed its seccomp state (${old.mode} [${old.filters.join(', ')}] to ${next.mode} [${next.filters.join(', ')}])`;
  return null;
}

function forkProblem(after: MachineState, event: Envelope): string | null {
  const { parent, child } = event.data as { parent: number; child: number };
  const p = after.kernel.processes.byId[parent];
  const c = after.kernel.processes.byId[child];
  if (p === undefined || c === undefined) return null;
  const from = processSeccompOf(p);
  const got = processSeccompOf(c);
  return sameChain(from, got) ? null : `${c.name} was forked from ${p.name} (seccomp ${from.mode} [${from.filters.join(', ')}]) but has ${got.mode} [${got.filters.join(', ')}]`;
}

export const filtersOnlyGrow: Invariant<MachineState> = {
  name: 'seccomp.filters-only-grow',
  statement: 'a process\'s seccomp filters are never removed: the chain only grows in front, the mode never returns to disabled, execve keeps it and fork copies it to the child',
  defence: 'kernel/seccomp.c: no operation detaches a filter; copy_seccomp at fork; exec leaves task->seccomp alone',
  on: [SECCOMP_FILTER_ATTACHED, SECCOMP_STRICT_ENTERED, 'kernel.processForked', 'kernel.execed'],
  check(before, event, after) {
    if (event.type === 'kernel.processForked') return forkProblem(after, event);
    for (const pid of before.kernel.processes.ids) {
      const old: Process = before.kernel.processes.byId[pid]!;
      const next = after.kernel.processes.byId[pid];
      if (next === undefined) continue;
      const problem = seccompChangeProblem(processSeccompOf(old), processSeccompOf(next), event.type === 'kernel.execed' && (event.data as { pid: number }).pid === pid);
      if (problem !== null) return `${old.name} (pid ${pid}): ${problem}`;
    }
    return null;
  },
};

export const SECCOMP_INVARIANTS: readonly Invariant<MachineState>[] = [filterEnforced, filtersOnlyGrow];
