/**
 * Isolation invariants this mechanism promises (registered in engine/machine/invariants.ts).
 *
 * proc.swap-isolation: a page on swap belongs to the processes whose page tables point
 * at its slot. It comes back only into one of them, and the frame it left is never
 * read by another process before the allocator has zeroed it: the residue the memory
 * slice records for a frame freed by a swap-out names the page's owner.
 *
 * proc.signals-permitted: a signal sent with kill(2) reaches another process only when
 * check_kill_permission allows it — a uid match or CAP_KILL (SIGCONT also within a
 * session). Signals the kernel itself sends (SIGCHLD to a parent) need no permission.
 */
import type { Envelope, Invariant } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { SIGCONT } from './constants.js';
import { procInfoOf, procStateOf } from './state.js';

/** CAP_KILL's number (include/uapi/linux/capability.h). */
const CAP_KILL = 5;

type MachineInvariant = Invariant<MachineState>;

function swappedBackIntoItsOwner(before: MachineState, event: Envelope): string | null {
  const { pid, va, slot } = event.data as { pid: number; va: string; slot: number };
  const record = procStateOf(before.kernel).swap.bySlot[slot];
  if (record === undefined) return `slot ${slot} was swapped in, but it held no page`;
  if (record.users.some((user) => user.pid === pid && user.va === va)) return null;
  const owners = record.users.map((user) => `${before.kernel.processes.byId[user.pid]?.name ?? user.pid} at ${user.va}`).join(', ');
  const taker = before.kernel.processes.byId[pid]?.name ?? String(pid);
  return `${taker} got slot ${slot} at ${va}, but the page there belongs to ${owners}`;
}

function readResidue(after: MachineState, event: Envelope): string | null {
  const data = event.data as { address: number; by: string; cpl: number };
  if (data.cpl !== 3) return null;
  const frame = Math.floor(data.address / after.memory.frameBytes);
  const residue = after.memory.residue.get(frame);
  if (residue === undefined || residue.swapSlot === null || residue.owner === data.by) return null;
  return `${data.by} read frame ${frame} (${hex(data.address)}), which still holds ${residue.owner}'s page swapped out to slot ${residue.swapSlot}: the frame was not zeroed before reuse`;
}

export const swapIsolation: MachineInvariant = {
  name: 'proc.swap-isolation',
  statement: "A swapped-out page comes back only into its own process, and no other process reads what it left in its old frame.",
  defence: 'swap entries kept per page-table entry, and frames zeroed before the allocator hands them out again',
  on: ['kernel.pageSwappedIn', 'memory.read'],
  check(before, event, after) {
    return event.type === 'kernel.pageSwappedIn' ? swappedBackIntoItsOwner(before, event) : readResidue(after, event);
  },
};

export const signalsPermitted: MachineInvariant = {
  name: 'proc.signals-permitted',
  statement: 'kill(2) delivers a signal to another process only with a uid match or CAP_KILL (SIGCONT also within the session).',
  defence: 'check_kill_permission in kernel/signal.c',
  on: ['kernel.signalSent'],
  check(before, event) {
    const { from, to, number, origin, signal } = event.data as { from: number | null; to: number; number: number; origin: string; signal: string };
    if (origin !== 'kill' || from === null || from === to) return null;
    const sender = before.kernel.processes.byId[from];
    const target = before.kernel.processes.byId[to];
    if (sender === undefined || target === undefined) return null;
    const sameSession = procInfoOf(before.kernel, from).sid === procInfoOf(before.kernel, to).sid;
    if (number === SIGCONT && sameSession) return null;
    const c = sender.creds;
    const t = target.creds;
    // Stated again here from the rule, not through canSignal, so a wrong canSignal is caught.
    const capKill = ((c.caps.effective >> BigInt(CAP_KILL)) & 1n) === 1n;
    if ([c.ruid, c.euid].some((uid) => uid === t.ruid || uid === t.suid) || capKill) return null;
    return `${sender.name} (uid ${c.ruid}, euid ${c.euid}) signalled ${target.name} (uid ${t.ruid}, saved ${t.suid}) with ${signal} without CAP_KILL`;
  },
};

export const PROC_INVARIANTS: readonly Invariant<MachineState>[] = [swapIsolation, signalsPermitted];
