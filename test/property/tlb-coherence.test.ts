// Proves that with the kernel flushing correctly (flush on; PCIDs off, or on with 1 to 6 of them) the TLB never holds a translation for the active PCID that disagrees with the current address space — tlb.coherent never fires and an independent check against the kernel's VMA records agrees — and, as a negative control, that turning the flush off with one shared PCID makes both fire.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { currentPcid } from '../../engine/hw/cpu/control.js';
import type { TlbEntry } from '../../engine/hw/tlb/state.js';
import { kernelLayoutOf } from '../../engine/kernel/layout.js';
import { processOf, vmaAt, type Process } from '../../engine/kernel/state.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { PAGE_BYTES, SMALL_LIMITS, compileText, correctMachine, foldEvents, runCollecting, scenarioArb, type GeneratorOptions } from './helpers.js';

const hexOf = (value: bigint | number): string => '0x' + value.toString(16);

/** Why a user-half TLB entry disagrees with the process's VMAs, or null. Fewer rights than the VMA is allowed (a spurious fault). */
function disagreement(process: Process, entry: TlbEntry): string | null {
  const va = BigInt(entry.pageNumber) * BigInt(2 ** entry.pageShift);
  const vma = vmaAt(process, va);
  if (vma === null) return `the TLB maps ${hexOf(va)}, which ${process.name} has not mapped`;
  const frame = vma.frames[Number((va - vma.start) / BigInt(PAGE_BYTES))]! * PAGE_BYTES;
  if (frame !== entry.frameBase) return `the TLB maps ${hexOf(va)} to ${hexOf(entry.frameBase)}, ${process.name}'s VMA to ${hexOf(frame)}`;
  if ((entry.writable && !vma.write) || (entry.user && !vma.user) || (entry.executable && !vma.execute)) {
    return `the TLB grants ${hexOf(va)} more rights than ${process.name}'s VMA`;
  }
  return null;
}

/** Checks each TLB hit, and every usable entry whenever a process is entered, against the current process's VMAs. */
function coherenceProblems(plan: RunPlan, events: readonly Envelope[]): { problems: string[]; hits: number; retained: number } {
  const problems: string[] = [];
  let lastEntered = -1;
  let retained = 0;
  const userTop = kernelLayoutOf(plan.config).userTop;
  let hits = 0;
  const inUserHalf = (entry: TlbEntry) => BigInt(entry.pageNumber) * BigInt(2 ** entry.pageShift) < userTop;
  const fills = new Map<number, number>();
  foldEvents(plan, events, (_before, event, after) => {
    if (event.type === 'tlb.filled') fills.set((event.data as { slot: number }).slot, event.seq);
    const current = processOf(after.kernel, after.kernel.current);
    if (current === null) return;
    let entries: TlbEntry[] = [];
    if (event.type === 'tlb.hit') {
      hits++;
      entries = [after.tlb.slots[(event.data as { slot: number }).slot]!];
      if (fills.get((event.data as { slot: number }).slot)! < lastEntered) retained++;
    } else if (event.type === 'cpu.contextEntered' && (event.data as { pid: number | null }).pid !== null) {
      const pcid = currentPcid(after.cpu);
      entries = after.tlb.slots.filter((e): e is TlbEntry => e !== null && (e.pcid === pcid || e.global));
      lastEntered = event.seq;
    }
    for (const entry of entries.filter(inUserHalf)) {
      const problem = disagreement(current, entry);
      if (problem !== null) problems.push(`event ${event.seq} (${event.type}): ${problem}`);
    }
  });
  return { problems, hits, retained };
}

const TLB_HEAVY: Partial<GeneratorOptions> = {
  minProcesses: 2,
  maxProcesses: 4,
  maxIntents: 40,
  kernelReads: true,
  weights: { map: 3, unmap: 3, protect: 3, access: 10, timer: 2, switch: 3 },
};

/** Correct defences, biased towards PCIDs and roomy TLBs so that entries survive switches and get used again. */
const pcidHeavyMachine = fc.record({
  pcid: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  pcids: fc.integer({ min: 1, max: 6 }),
  flush: fc.constant(true),
  tlbEntries: fc.constantFrom(4, 8, 64, 64),
  replacement: fc.constantFrom('fifo' as const, 'lru' as const),
  timer: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 4 }),
  allocation: fc.constantFrom('sequential' as const, 'random' as const),
});

describe('TLB coherence', () => {
  it('with correct flushing the TLB always agrees with the current address space', () => {
    let hits = 0;
    let retained = 0;
    const pcidSettings = new Set<string>();
    fc.assert(
      fc.property(scenarioArb({ ...TLB_HEAVY, machine: pcidHeavyMachine }), (generated) => {
        const { plan } = compileText(generated.text);
        const { result, events } = runCollecting(plan, SMALL_LIMITS);
        expect(result.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
        const checked = coherenceProblems(plan, events);
        expect(checked.problems).toEqual([]);
        hits += checked.hits;
        retained += checked.retained;
        const machine = generated.spec.machine;
        pcidSettings.add(machine.pcid ? `pcids ${machine.pcids}` : 'off');
      }),
      { numRuns: 200 },
    );
    // Not vacuous: the TLB was used, entries that survived a switch were used again, under every PCID setting.
    expect(hits).toBeGreaterThan(200);
    expect(retained).toBeGreaterThan(40);
    expect(pcidSettings.size).toBe(7);
  }, 60_000);

  it('without the flush on PCID reuse, some sequence breaks coherence (negative control)', () => {
    const brokenMachine = correctMachine.map((machine) => ({ ...machine, pcid: true, pcids: 1, flush: false }));
    // A run where the invariant and the independent check both fire is the counterexample searched for.
    const out = fc.check(
      fc.property(scenarioArb({ ...TLB_HEAVY, machine: brokenMachine }), (generated) => {
        const { plan } = compileText(generated.text);
        const { result, events } = runCollecting(plan, SMALL_LIMITS);
        const invariant = result.violations.some((v) => v.invariant === 'tlb.coherent');
        const independent = coherenceProblems(plan, events).problems.length > 0;
        return !(invariant && independent);
      }),
      { numRuns: 300, endOnFailure: true },
    );
    expect(out.failed).toBe(true);
  }, 60_000);
});
