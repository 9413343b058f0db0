/**
 * The way back to user mode after a system call (kernel/entry/common.c,
 * exit_to_user_mode_loop): the calling process first receives the signals sent to it
 * during the call — its handler runs, or it ends or stops instead of returning — and a
 * call that put it to sleep (wait4 with nothing to collect yet, vfork's parent) does
 * not return to user mode at all: the CPU idles until the scheduler picks a process.
 * A sleeping wait4 has not returned yet either: its return comes when it wakes.
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { processOf } from '../state.js';
import { deliverPending } from './lifecycle.js';

const IDLE: EventDraft = { type: 'cpu.contextEntered', actor: 'cpu', data: { cpl: 0, pid: null, name: 'idle' } };

export function returnToUser(state: MachineState, drafts: readonly EventDraft[]): EventDraft[] {
  const process = processOf(state.kernel, state.kernel.current);
  const last = drafts.at(-1);
  if (process === null || last?.type !== 'cpu.returned') return [...drafts];
  const pid = process.pid;
  const mine = (type: string) => drafts.some((draft) => draft.type === type && (draft.data as { pid?: number; parent?: number }).pid === pid);
  if (mine('kernel.waitBlocked')) return [...drafts.filter((draft) => draft.type !== 'kernel.syscallReturned' && draft !== last), IDLE];
  if (drafts.some((draft) => draft.type === 'kernel.vforkStarted' && (draft.data as { parent: number }).parent === pid)) return [...drafts.slice(0, -1), IDLE];
  const queued = drafts
    .filter((draft) => draft.type === 'kernel.signalQueued' && (draft.data as { pid: number }).pid === pid)
    .map((draft) => (draft.data as { signal: string }).signal);
  if (queued.length === 0) return [...drafts];
  const ended = new Set(
    drafts.filter((draft) => draft.type === 'kernel.processExited').map((draft) => (draft.data as { pid: number }).pid),
  );
  const delivery = deliverPending(state, process, queued, { ended, ending: new Set() });
  return delivery.returns ? [...drafts.slice(0, -1), ...delivery.drafts, last] : [...drafts.slice(0, -1), ...delivery.drafts];
}
