// Proves that code at CPL 3 never completes an access through a supervisor translation: over random processes that also map U/S=0 pages in user space, with kernel-mode reads warming the TLB and raw CPL 3 accesses anywhere, every completed user-mode access went through walk or TLB rights with user=1 and lands in a user VMA of the current process, and cpu.user-cannot-touch-supervisor never fires.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { kernelLayoutOf } from '../../engine/kernel/layout.js';
import { processOf, vmaAt } from '../../engine/kernel/state.js';
import type { TlbEntry } from '../../engine/hw/tlb/state.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { SMALL_LIMITS, accessPieces, compileText, foldEvents, runCollecting, scenarioArb } from './helpers.js';

interface PendingAccess {
  readonly by: string;
  readonly cpl: number;
  readonly pieces: readonly bigint[];
  /** The rights each translated piece was used with, in order: from a TLB hit or a walk. */
  readonly translations: { readonly user: boolean; readonly via: 'tlb' | 'walk' }[];
  completed: boolean;
}

const hexOf = (value: bigint): string => '0x' + value.toString(16);

/** Every completed CPL 3 access, checked against the rights it was translated with and the current process's VMAs. */
function supervisorProblems(plan: RunPlan, events: readonly Envelope[]): { problems: string[]; completed: number; supervisorFaults: number } {
  const problems: string[] = [];
  const userTop = kernelLayoutOf(plan.config).userTop;
  let completed = 0;
  let supervisorFaults = 0;
  let access: PendingAccess | null = null;
  foldEvents(plan, events, (before, event, after) => {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'cpu.accessStarted':
        access = { by: event.actor, cpl: data.cpl as number, pieces: accessPieces(BigInt(data.va as string), data.size as number), translations: [], completed: false };
        return;
      case 'tlb.hit': {
        const entry = before.tlb.slots[data.slot as number] as TlbEntry | null;
        if (entry === null) problems.push(`event ${event.seq}: a TLB hit on the empty slot ${String(data.slot)}`);
        access?.translations.push({ user: entry?.user ?? false, via: 'tlb' });
        return;
      }
      case 'mmu.translated':
        access?.translations.push({ user: (data.rights as { user: boolean }).user, via: 'walk' });
        return;
      case 'cpu.exceptionRaised':
        if (access !== null && access.cpl === 3 && data.vector === 14 && ((data.errorCode as number) & 5) === 5) supervisorFaults++;
        return;
      case 'memory.read':
      case 'memory.written':
      case 'cpu.fetched':
        break;
      default:
        return;
    }
    if (access === null || access.cpl !== 3 || (data.cpl as number) !== 3 || access.completed) return;
    access.completed = true;
    completed++;
    const where = `event ${event.seq} (${access.by} at CPL 3)`;
    if (access.translations.length !== access.pieces.length) {
      problems.push(`${where}: ${access.pieces.length} piece(s) but ${access.translations.length} translation(s)`);
    }
    access.translations.forEach((t, i) => {
      if (!t.user) problems.push(`${where}: completed through a supervisor translation of ${hexOf(access!.pieces[i] ?? 0n)} (via ${t.via})`);
    });
    const current = processOf(after.kernel, after.kernel.current);
    for (const va of access.pieces) {
      if (va >= userTop) problems.push(`${where}: reached the kernel half at ${hexOf(va)}`);
      if (current === null) continue;
      const vma = vmaAt(current, va);
      if (vma === null) problems.push(`${where}: reached ${hexOf(va)}, which ${current.name} has not mapped`);
      else if (!vma.user) problems.push(`${where}: reached ${hexOf(va)}, which ${current.name} mapped supervisor-only`);
    }
  });
  return { problems, completed, supervisorFaults };
}

describe('supervisor pages', () => {
  it('no CPL 3 access completes through a U/S=0 translation', () => {
    let completed = 0;
    let supervisorFaults = 0;
    fc.assert(
      fc.property(scenarioArb({ minProcesses: 2, maxProcesses: 4, maxIntents: 40, supervisor: true, raw: true, kernelReads: true }), (generated) => {
        const { plan } = compileText(generated.text);
        const { result, events } = runCollecting(plan, SMALL_LIMITS);
        expect(result.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
        const checked = supervisorProblems(plan, events);
        expect(checked.problems).toEqual([]);
        completed += checked.completed;
        supervisorFaults += checked.supervisorFaults;
      }),
      { numRuns: 200 },
    );
    // Not vacuous: user-mode accesses completed, and many hit present supervisor pages and faulted.
    expect(completed).toBeGreaterThan(150);
    expect(supervisorFaults).toBeGreaterThan(200);
  }, 60_000);
});
