/**
 * How processes end, stop, continue and receive signals, as event plans:
 * - do_exit (kernel/exit.c): the address space goes (or passes to the processes still
 *   sharing it), the descriptors are closed, children are reparented to init (which is
 *   not simulated and reaps at once, so orphaned zombies go away), a vfork parent wakes,
 *   and the parent gets the exit signal — SIGCHLD unless clone chose another, none for
 *   0 — and wakes from wait4; with no simulated parent, init reaps the process at once.
 * - a signal (kernel/signal.c, send_signal/complete_signal and get_signal): a fatal one
 *   ends its target at once, a stop signal stops it and SIGCONT resumes it (whatever the
 *   disposition, prepare_signal), an ignored one is dropped where it is sent, and a
 *   caught one waits until the target next returns to user mode, where its handler runs.
 *   The process running the system call receives its own signals on its way back to
 *   user mode (exit_to_user_mode_loop), after the call has returned.
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { writeCr3 } from '../../hw/cpu/cr3.js';
import { cr3Base } from '../../hw/cpu/registers.js';
import { editorFor } from '../pagetables.js';
import { isAlive, type KernelState, type Process } from '../state.js';
import { pagesOfVma, releasedDrafts, releasePages } from './aspace.js';
import { isValidSignal, NSIG, SIGCHLD, SIGCONT, signalNameOf, signalNumberOf } from './constants.js';
import { dispositionOf, isFatal, signaledStatus } from './signals.js';
import { childrenOf, parentOf, procInfoOf, sharersOf } from './state.js';
import { waitEligible } from './wait-rules.js';

/** How a process ends: by exit (signal null) or by a signal; its wait status. */
export interface Ending {
  readonly signal: string | null;
  readonly how: string;
  readonly waitStatus: number;
}

/**
 * Other processes that end in the same decision (a group kill, a parent killed by a
 * child's exit signal): those whose ending was planned before this one (`ended`: their
 * children are already reparented) and those planned after it (`ending`: their own
 * exit will reparent and reap). Neither can inherit an address space.
 */
export interface Together {
  readonly ended: ReadonlySet<number>;
  readonly ending: ReadonlySet<number>;
}

export const ALONE: Together = { ended: new Set(), ending: new Set() };

function endsToo(together: Together, pid: number): boolean {
  return together.ended.has(pid) || together.ending.has(pid);
}

/** The root table the CPU walks now. */
function loadedRoot(state: MachineState): number {
  return state.config.geometry.format === 'ostep' ? state.cpu.cr3 : cr3Base(state.cpu.cr3);
}

/**
 * exit_mm (and exec's mmput of the old address space): the pages and tables go back,
 * unless another live process still uses them, which then keeps them.
 */
export function releaseAddressSpace(state: MachineState, process: Process, together: Together = ALONE): EventDraft[] {
  const others = sharersOf(state.kernel, process).slice(1);
  // A survivor keeps the address space; failing that, a sharer ending later in this decision frees it.
  const heir = others.find((p) => !endsToo(together, p.pid)) ?? others.find((p) => together.ending.has(p.pid));
  if (heir !== undefined) return [{ type: 'kernel.addressSpaceReleased', actor: 'kernel', data: { pid: process.pid, handedTo: heir.pid } }];
  // The last user: sharers that ended earlier in this decision handed their tables to it.
  const tableFrames = [process, ...others].flatMap((p) => p.tableFrames);
  const drafts: EventDraft[] = [];
  // Tables are freed only once the CPU no longer walks them (Linux keeps a lazy-TLB reference until the switch).
  if (loadedRoot(state) === process.rootTable) {
    drafts.push(...writeCr3(state, 'kernel', BigInt(state.kernel.kernelRoot), `exit: ${process.name}'s tables are about to be freed`));
  }
  const pages = process.vmas.flatMap(pagesOfVma);
  drafts.push(...releasedDrafts(releasePages(state, editorFor(state), [process], pages, false)));
  if (tableFrames.length > 0) drafts.push({ type: 'memory.framesFreed', actor: 'kernel', data: { frames: tableFrames } });
  drafts.push({ type: 'kernel.addressSpaceReleased', actor: 'kernel', data: { pid: process.pid, handedTo: null } });
  return drafts;
}

/** forget_original_parent: children go to init; init reaps those already dead. */
function reparentChildren(kernel: KernelState, process: Process, together: Together): EventDraft[] {
  return childrenOf(kernel, process).flatMap((child) => {
    const drafts: EventDraft[] = [{ type: 'kernel.reparented', actor: 'kernel', data: { pid: child.pid, from: process.pid, to: 1 } }];
    if (child.status === 'zombie' || together.ended.has(child.pid)) drafts.push({ type: 'kernel.processReaped', actor: 'kernel', data: { pid: child.pid, name: child.name, by: 'init' } });
    return drafts;
  });
}

/** A vfork parent sleeping on this child wakes (mm_release: the child gives the address space back). */
export function wakeVforkParent(kernel: KernelState, child: Process): EventDraft[] {
  return kernel.processes.ids.flatMap((pid) => {
    const sleep = procInfoOf(kernel, pid).sleep;
    return sleep?.kind === 'vfork' && sleep.child === child.pid ? [{ type: 'kernel.woke', actor: 'kernel', data: { pid, from: 'vfork' } }] : [];
  });
}

/** The parent's wait4 wakes if this child's new state is one it waits for. */
function wakeWaitingParent(kernel: KernelState, parent: Process, child: Process, change: 'exit' | 'stop' | 'continue'): EventDraft[] {
  const sleep = procInfoOf(kernel, parent.pid).sleep;
  if (sleep?.kind !== 'wait' || sleep.woken || !waitEligible(kernel, parent, child, sleep.upid, sleep.options)) return [];
  const wanted = change === 'exit' || (change === 'stop' && (sleep.options & 2) !== 0) || (change === 'continue' && (sleep.options & 8) !== 0);
  return wanted ? [{ type: 'kernel.waitWoken', actor: 'kernel', data: { pid: parent.pid, child: child.pid } }] : [];
}

/** exit_notify: the parent gets the exit signal and may wake; without one, init reaps. */
function notifyParent(state: MachineState, process: Process, together: Together): EventDraft[] {
  const parent = parentOf(state.kernel, process);
  const reapedByInit: EventDraft = { type: 'kernel.processReaped', actor: 'kernel', data: { pid: process.pid, name: process.name, by: 'init' } };
  // A parent that ended earlier in this decision has already handed this child to init.
  if (parent === null || !isAlive(parent) || together.ended.has(parent.pid)) return [reapedByInit];
  // A parent ending later in this decision reparents and reaps this child itself.
  if (together.ending.has(parent.pid)) return [];
  const exitSignal = procInfoOf(state.kernel, process.pid).exitSignal;
  const afterThis: Together = { ended: new Set([...together.ended, process.pid]), ending: together.ending };
  // do_notify_parent sends only a valid, non-zero signal (a legacy clone may ask for any byte).
  const signalled = exitSignal > 0 && exitSignal <= NSIG ? sendSignal(state, null, parent, exitSignal, 'kernel', afterThis) : [];
  const parentEnds = signalled.some((draft) => draft.type === 'kernel.processExited');
  return [...signalled, ...(parentEnds ? [] : wakeWaitingParent(state.kernel, parent, process, 'exit'))];
}

/** do_exit for a process, running or not; `together` names the others ending in the same decision. */
export function endProcess(state: MachineState, process: Process, how: Ending, together: Together = ALONE): EventDraft[] {
  const { kernel } = state;
  const drafts: EventDraft[] = [
    { type: 'kernel.processExited', actor: 'kernel', data: { pid: process.pid, name: process.name, signal: how.signal, how: how.how, waitStatus: how.waitStatus } },
    ...releaseAddressSpace(state, process, together),
  ];
  if (process.fds.length > 0) drafts.push({ type: 'kernel.filesReleased', actor: 'kernel', data: { pid: process.pid } });
  drafts.push(...reparentChildren(kernel, process, together), ...wakeVforkParent(kernel, process), ...notifyParent(state, process, together));
  if (kernel.current === process.pid) drafts.push({ type: 'cpu.contextEntered', actor: 'cpu', data: { cpl: 0, pid: null, name: 'idle' } });
  return drafts;
}

/** Death by a signal: the wait status carries the signal number. */
export function killedBy(number: number): Ending {
  const name = signalNameOf(number) ?? `signal ${number}`;
  return { signal: name, how: `killed by ${name}`, waitStatus: signaledStatus(number) };
}

/** A stop (do_signal_stop): the parent gets SIGCHLD (CLD_STOPPED) and a WUNTRACED wait wakes. */
export function stopProcess(state: MachineState, process: Process, number: number): EventDraft[] {
  const drafts: EventDraft[] = [{ type: 'kernel.processStopped', actor: 'kernel', data: { pid: process.pid, name: process.name, signal: signalNameOf(number), number } }];
  const parent = parentOf(state.kernel, process);
  if (parent !== null && isAlive(parent)) {
    drafts.push(...sendSignal(state, null, parent, SIGCHLD, 'kernel'), ...wakeWaitingParent(state.kernel, parent, process, 'stop'));
  }
  if (state.kernel.current === process.pid) drafts.push({ type: 'cpu.contextEntered', actor: 'cpu', data: { cpl: 0, pid: null, name: 'idle' } });
  return drafts;
}

/** SIGCONT resumes a stopped process: the parent gets SIGCHLD (CLD_CONTINUED) and a WCONTINUED wait wakes. */
function continueProcess(state: MachineState, process: Process): EventDraft[] {
  const drafts: EventDraft[] = [{ type: 'kernel.processContinued', actor: 'kernel', data: { pid: process.pid, name: process.name } }];
  const parent = parentOf(state.kernel, process);
  if (parent !== null && isAlive(parent)) {
    drafts.push(...sendSignal(state, null, parent, SIGCHLD, 'kernel'), ...wakeWaitingParent(state.kernel, parent, process, 'continue'));
  }
  return drafts;
}

export type SignalOrigin = 'kill' | 'kernel';

/**
 * A signal sent to a process (kill, or the kernel's SIGCHLD): its effect now, or a
 * pending signal the target handles when it next returns to user mode. A process that
 * is running the current system call (or sends to itself) always takes its signals on
 * the way out. A zombie ignores signals.
 */
export function sendSignal(state: MachineState, from: Process | null, target: Process, number: number, origin: SignalOrigin, together: Together = ALONE): EventDraft[] {
  if (!isAlive(target) || number === 0 || !isValidSignal(number)) return [];
  const name = signalNameOf(number)!;
  const disposition = dispositionOf(target, number, name);
  const info = procInfoOf(state.kernel, target.pid);
  const running = state.kernel.current === target.pid;
  const sent = (action: string): EventDraft => ({
    type: 'kernel.signalSent',
    actor: from?.name ?? 'kernel',
    data: { from: from?.pid ?? null, to: target.pid, name: target.name, signal: name, number, action, origin },
  });
  const queued: EventDraft = { type: 'kernel.signalQueued', actor: 'kernel', data: { pid: target.pid, signal: name } };
  const drafts: EventDraft[] = [];
  if (number === SIGCONT && info.stopped) drafts.push(...continueProcess(state, target));
  if (disposition === 'ign' || disposition === 'cont') return running ? drafts : [sent(disposition === 'ign' ? 'ignore' : 'continue'), ...drafts];
  if (running) return [...drafts, queued];
  if (disposition === 'handler') return [sent('handler'), ...drafts, queued];
  if (isFatal(disposition)) return [sent('terminate'), ...endProcess(state, target, killedBy(number), together)];
  return info.stopped ? [sent('stop')] : [sent('stop'), ...stopProcess(state, target, number)];
}

/**
 * The pending signals of a process returning to user mode, lowest number first
 * (next_signal): handlers run and it goes on, or a fatal or stop signal ends or stops it
 * (then `returns` is false and the CPU idles). `extra` are signals queued by events not
 * folded yet.
 */
export function deliverPending(state: MachineState, process: Process, extra: readonly string[] = [], together: Together = ALONE): { drafts: EventDraft[]; returns: boolean } {
  const pending = [...new Set([...procInfoOf(state.kernel, process.pid).pending, ...extra])];
  const numbered = pending.map((name) => ({ name, number: signalNumberIn(name) })).sort((a, b) => a.number - b.number);
  const drafts: EventDraft[] = [];
  for (const { name, number } of numbered) {
    const disposition = dispositionOf(process, number, name);
    const delivered = (action: string): EventDraft => ({
      type: 'kernel.signalDelivered',
      actor: 'kernel',
      data: { pid: process.pid, name: process.name, signal: name, code: 'SI_USER', address: null, action },
    });
    if (disposition === 'handler') {
      drafts.push(delivered('handler'));
    } else if (isFatal(disposition)) {
      return { drafts: [...drafts, delivered('terminate'), ...endProcess(state, process, killedBy(number), together)], returns: false };
    } else if (disposition === 'stop') {
      return { drafts: [...drafts, delivered('stop'), ...stopProcess(state, process, number)], returns: false };
    } else {
      drafts.push(delivered('ignore'));
    }
  }
  return { drafts, returns: true };
}

function signalNumberIn(name: string): number {
  return signalNumberOf(name) ?? NSIG + 1;
}
