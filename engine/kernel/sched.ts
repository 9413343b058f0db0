/**
 * Scheduling and the context switch (concept 18): save the outgoing process, load CR3
 * with the next process's top-level table, and keep the TLB honest — architecturally
 * (a CR3 load without PCIDs flushes every non-global entry, SDM §4.10.4.1) or, with
 * PCIDs, by flushing a PCID when it is handed to another address space, as Linux's
 * choose_new_asid()/switch_mm_irqs_off() do (arch/x86/mm/tlb.c). The switch policy can
 * turn that flush off: the bug the TLB-leak scenario teaches.
 *
 * Only a runnable process is switched to: not stopped, not asleep (in wait4, or as a
 * vfork parent). A wait4 whose child has changed state finishes when its caller runs
 * again, and signals with a handler waiting for a process are delivered as it returns
 * to user mode.
 */
import type { Command, EventDraft } from '../core/decider.js';
import type { MachineState } from '../machine/state.js';
import { writeCr3 } from '../hw/cpu/cr3.js';
import { pcidEnabled } from '../hw/cpu/control.js';
import { isAlive, processOf, type KernelState } from './state.js';
import { deliverPending } from './proc/lifecycle.js';
import { isRunnable } from './proc/state.js';
import { finishWait } from './proc/wait.js';

const CR3_NO_FLUSH = 1n << 63n;

export interface SwitchData {
  readonly pid: number;
  readonly reason: string;
}

/**
 * A switch decided while the kernel already runs (at boot, after a process exited, or
 * from the idle loop). A running user process is preempted through the timer instead.
 */
export function decideSwitch(state: MachineState, command: Command): EventDraft[] {
  const { pid, reason } = (command as Command<'kernel.switchTo', SwitchData>).data;
  return switchDrafts(state, pid, reason);
}

/** The scenario picks who runs next: a scheduler choice, recorded as an event. */
export function decideChooseNext(_state: MachineState, command: Command): EventDraft[] {
  const { pid, reason } = (command as Command<'kernel.chooseNext', SwitchData>).data;
  return [{ type: 'kernel.nextChosen', actor: 'kernel', data: { pid, reason } }];
}

/** The switch itself, from kernel mode: PCID choice, CR3 load, return to user mode. */
export function switchDrafts(state: MachineState, pid: number, reason: string): EventDraft[] {
  const { kernel } = state;
  const next = processOf(kernel, pid);
  if (next === null || !isAlive(next) || !isRunnable(kernel, next)) return [];
  const drafts: EventDraft[] = [];
  const finished = finishWait(state, next);
  if (finished !== null && finished.some((draft) => draft.type === 'kernel.waitBlocked')) return finished;
  if (finished !== null) drafts.push(...finished);
  let source = BigInt(next.rootTable);
  let pcid = 0;
  let flushed = !pcidEnabled(state.cpu);
  if (pcidEnabled(state.cpu)) {
    const choice = choosePcid(kernel, pid);
    pcid = choice.slot + 1;
    if (choice.assigned) {
      drafts.push({ type: 'kernel.pcidAssigned', actor: 'kernel', data: { pid, slot: choice.slot, pcid, previousOwner: choice.previousOwner } });
    }
    const flush = choice.needsFlush && kernel.switchPolicy.flushOnReuse;
    source = source | BigInt(pcid) | (flush ? 0n : CR3_NO_FLUSH);
    flushed = flush;
    if (choice.needsFlush && !flush) {
      drafts.push({ type: 'kernel.flushSkipped', actor: 'kernel', data: { pid, pcid, previousOwner: choice.previousOwner } });
    }
  }
  drafts.push({
    type: 'kernel.switched',
    actor: 'kernel',
    data: { from: kernel.current, to: pid, reason, pcid, flushed, generation: next.tlbGeneration },
  });
  drafts.push(...writeCr3(state, 'kernel', source, `switch to ${next.name}`));
  const signals = deliverPending(state, next);
  drafts.push(...signals.drafts);
  drafts.push({ type: 'cpu.contextEntered', actor: 'cpu', data: signals.returns ? { cpl: 3, pid, name: next.name } : { cpl: 0, pid: null, name: 'idle' } });
  return drafts;
}

interface PcidChoice {
  readonly slot: number;
  readonly assigned: boolean;
  readonly previousOwner: number | null;
  readonly needsFlush: boolean;
}

function choosePcid(kernel: KernelState, pid: number): PcidChoice {
  const process = kernel.processes.byId[pid]!;
  const own = process.pcidSlot;
  if (own !== null && kernel.pcidSlots[own]?.owner === pid) {
    const stale = kernel.pcidSlots[own]!.generation !== process.tlbGeneration;
    return { slot: own, assigned: false, previousOwner: pid, needsFlush: stale };
  }
  const slot = kernel.nextPcidSlot % kernel.switchPolicy.pcidSlots;
  const previousOwner = kernel.pcidSlots[slot]?.owner ?? null;
  return { slot, assigned: true, previousOwner, needsFlush: previousOwner !== null && previousOwner !== pid };
}

/** Round-robin: the next runnable process after the current one, or null when none other. */
export function nextRunnable(kernel: KernelState): number | null {
  const live = kernel.processes.ids.filter((pid) => pid === kernel.current || isRunnable(kernel, kernel.processes.byId[pid]!));
  if (live.length === 0) return null;
  const at = kernel.current === null ? -1 : live.indexOf(kernel.current);
  return live[(at + 1) % live.length]!;
}

/** The timer interrupt: re-arm, then preempt the current process if another can run. */
export function decideTimerTick(state: MachineState, command: Command): EventDraft[] {
  const { kernel } = state;
  const tick = (command as Command<'kernel.tick', { tick: number }>).data.tick;
  const period = kernel.timer.periodTicks;
  const drafts: EventDraft[] = [
    { type: 'kernel.timerFired', actor: 'kernel', data: { tick, nextTick: period === null ? null : tick + period } },
  ];
  // The scenario's choice, if that process can run; otherwise the interrupted one goes on.
  const chosen = kernel.chosenNext;
  const next = chosen === null ? nextRunnable(kernel) : canRun(kernel, chosen) ? chosen : kernel.current;
  const switched = next !== null && next !== kernel.current ? switchDrafts(state, next, 'timer preemption') : [];
  if (switched.some((draft) => draft.type === 'cpu.contextEntered')) {
    drafts.push(...switched);
  } else if (kernel.current !== null) {
    // Nobody else can run (or the chosen one went back to sleep): the interrupted process goes on.
    drafts.push(...switched, { type: 'cpu.returned', actor: 'cpu', data: { via: 'iret', toCpl: 3 } });
  } else {
    drafts.push(...switched);
  }
  return drafts;
}

function canRun(kernel: KernelState, pid: number): boolean {
  const process = processOf(kernel, pid);
  return process !== null && isRunnable(kernel, process);
}
