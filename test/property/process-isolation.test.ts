// Proves that, with correct defences, no process ever reads, writes or executes a frame outside its own address space (declared shared regions excepted): over random address spaces and access sequences the memory.process-isolation invariant never fires, and an independent check of every user-mode access against the kernel's VMA records agrees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { processByName, vmaAt, type Process } from '../../engine/kernel/state.js';
import type { MachineState } from '../../engine/machine/state.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { PAGE_BYTES, SMALL_LIMITS, accessPieces, compileText, correctMachine, foldEvents, runCollecting, scenarioArb } from './helpers.js';

interface PendingAccess {
  readonly by: string;
  readonly kind: 'read' | 'write' | 'fetch';
  /** Virtual address of each piece (an access is split at page boundaries). */
  readonly pieces: readonly bigint[];
  next: number;
}

/**
 * Checks one completed user-mode data access (or fetch) against the kernel's records
 * at that moment: the accessing process is the current one, the physical frame is the
 * one its VMA lists for that virtual page, the VMA grants the access, and the frame is
 * the process's own data or a region it maps — never another process's private frame.
 */
function checkAccess(state: MachineState, process: Process, access: PendingAccess | null, address: number, kind: PendingAccess['kind']): string | null {
  const pfn = Math.floor(address / PAGE_BYTES);
  const own = process.vmas.find((vma) => vma.frames.includes(pfn));
  if (own === undefined) return `${process.name} touched frame ${pfn}, which no VMA of it lists`;
  if (state.kernel.current !== process.pid) return `${process.name} accessed memory while pid ${state.kernel.current} was current`;
  const owner = state.memory.owners.get(pfn);
  const ownerOk = owner !== undefined && ((owner.purpose === 'data' && owner.owner === process.name) || (owner.purpose === 'region' && own.region === owner.owner));
  if (!ownerOk) return `${process.name} touched frame ${pfn} owned by ${owner === undefined ? 'nobody' : `${owner.owner} (${owner.purpose})`}`;
  for (const pid of state.kernel.processes.ids) {
    if (pid === process.pid) continue;
    const other = state.kernel.processes.byId[pid]!;
    const theirs = other.vmas.find((vma) => vma.frames.includes(pfn));
    if (theirs !== undefined && (theirs.region === null || theirs.region !== own.region)) {
      return `${process.name} touched frame ${pfn}, which ${other.name} maps privately`;
    }
  }
  if (access === null || access.by !== process.name || access.kind !== kind) return `a ${kind} by ${process.name} at ${address} without a matching cpu.accessStarted`;
  const va = access.pieces[access.next++];
  if (va === undefined) return `${process.name} made more ${kind} events than its access has pieces`;
  const vma = vmaAt(process, va);
  if (vma === null) return `${process.name} reached ${address} through 0x${va.toString(16)}, which it has not mapped`;
  const page = Number((va - vma.start) / BigInt(PAGE_BYTES));
  const expected = vma.frames[page]! * PAGE_BYTES + Number(va % BigInt(PAGE_BYTES));
  if (expected !== address) return `${process.name} at 0x${va.toString(16)} reached physical ${address}, but its VMA maps it to ${expected}`;
  if (!vma.user) return `${process.name} accessed its supervisor mapping at 0x${va.toString(16)} from user mode`;
  if (kind === 'write' && !vma.write) return `${process.name} wrote 0x${va.toString(16)}, which is mapped without write permission`;
  if (kind === 'fetch' && !vma.execute) return `${process.name} executed 0x${va.toString(16)}, which is mapped without execute permission (NX is on)`;
  return null;
}

/** Folds the run's events and returns every problem the independent check finds, and how many accesses it checked. */
function isolationProblems(plan: RunPlan, events: readonly Envelope[]): { problems: string[]; checked: number } {
  const problems: string[] = [];
  let checked = 0;
  let access: PendingAccess | null = null;
  foldEvents(plan, events, (_before, event, after) => {
    const data = event.data as { va?: string; kind?: string; size?: number; cpl?: number; address?: number; by?: string };
    if (event.type === 'cpu.accessStarted') {
      access = { by: event.actor, kind: data.kind as PendingAccess['kind'], pieces: accessPieces(BigInt(data.va!), data.size!), next: 0 };
      return;
    }
    const kind = event.type === 'memory.read' ? 'read' : event.type === 'memory.written' ? 'write' : event.type === 'cpu.fetched' ? 'fetch' : null;
    if (kind === null || data.cpl !== 3) return;
    const by = event.type === 'cpu.fetched' ? event.actor : data.by!;
    const process = processByName(after.kernel, by);
    if (process === null) return;
    checked++;
    const problem = checkAccess(after, process, access, data.address!, kind);
    if (problem !== null) problems.push(`event ${event.seq}: ${problem}`);
  });
  return { problems, checked };
}

describe('process isolation', () => {
  it('no user-mode access reaches a frame outside the process (invariant and independent check)', () => {
    let checked = 0;
    let crossAttempts = 0;
    fc.assert(
      fc.property(scenarioArb({ minProcesses: 2, maxProcesses: 4, maxIntents: 40 }), (generated) => {
        const { plan } = compileText(generated.text);
        const { result, events } = runCollecting(plan, SMALL_LIMITS);
        expect(result.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
        const { problems, checked: count } = isolationProblems(plan, events);
        expect(problems).toEqual([]);
        checked += count;
        crossAttempts += events.filter((e) => e.type === 'cpu.exceptionRaised' && (e.data as { cpl: number }).cpl === 3).length;
      }),
      { numRuns: 200 },
    );
    // The property is not vacuous: many accesses completed, and many attempts faulted.
    expect(checked).toBeGreaterThan(400);
    expect(crossAttempts).toBeGreaterThan(300);
  }, 60_000);

  it('both checks see the leak when the kernel skips the flush on PCID reuse (negative control)', () => {
    const brokenMachine = correctMachine.map((machine) => ({ ...machine, pcid: true, pcids: 1, flush: false }));
    // A run where both fire is the counterexample searched for; no shrinking needed.
    const out = fc.check(
      fc.property(scenarioArb({ minProcesses: 2, maxProcesses: 3, maxIntents: 40, machine: brokenMachine }), (generated) => {
        const { plan } = compileText(generated.text);
        const { result, events } = runCollecting(plan, SMALL_LIMITS);
        const invariant = result.violations.some((v) => v.invariant === 'memory.process-isolation');
        const independent = isolationProblems(plan, events).problems.length > 0;
        return !(invariant && independent);
      }),
      { numRuns: 300, endOnFailure: true },
    );
    expect(out.failed).toBe(true);
  }, 60_000);
});
