/**
 * `isolab explore`: every interleaving of the scenario's threads of control (each
 * process's steps in program order), enumerated depth first from shared immutable
 * states, with sleep sets (Godefroid's partial-order reduction) so that two orders of
 * independent steps are not both explored. Steps are independent when their footprints
 * — the physical frames they read and write (data and page tables), the allocator, the
 * kernel records of a process, secrets — do not conflict. Scheduling microstate (CR3,
 * the TLB, registers) is deliberately not part of a footprint: it changes at every
 * switch and would make every pair dependent. An interleaving violates when an
 * expectation fails or an invariant breaks.
 */
import type { Envelope } from '../engine/core/decider.js';
import type { Engine } from '../engine/core/engine.js';
import { machineEngine } from '../engine/machine/engine.js';
import type { MachineState } from '../engine/machine/state.js';
import type { PlannedStep, RunPlan } from '../engine/scenario/plan.js';
import { createEngine, executeStep, invariantsOf, startPlan, type StepReport } from '../engine/scenario/run.js';

export interface Footprint {
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
}

interface Node {
  readonly state: MachineState;
  readonly seq: number;
  readonly tick: number;
}

interface Executed {
  readonly node: Node;
  readonly footprint: Footprint;
  readonly failed: boolean;
  readonly report: StepReport;
}

export interface ExploreOptions {
  readonly maxInterleavings: number;
  /** Stop at the first violating interleaving (the default), or count them all. */
  readonly stopAtFirst: boolean;
}

export interface ExploreResult {
  readonly threads: readonly { readonly name: string; readonly steps: number }[];
  readonly explored: number;
  readonly violating: number;
  /** Transitions the sleep sets pruned. */
  readonly pruned: number;
  readonly complete: boolean;
  /** The first violating interleaving, as indices into plan.steps. */
  readonly firstViolation: { readonly order: readonly number[]; readonly reasons: readonly string[] } | null;
}

export function footprintOf(events: readonly Envelope[], frameBytes: number): Footprint {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const frame = (address: number) => `frame:${Math.floor(address / frameBytes)}`;
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'memory.read':
      case 'cpu.fetched':
        reads.add(frame(data.address as number));
        break;
      case 'mmu.walkStepped':
        reads.add(frame(data.entryAddress as number));
        break;
      case 'memory.written':
      case 'memory.entryWritten':
        writes.add(frame(data.address as number));
        break;
      case 'memory.framesAllocated':
      case 'memory.framesFreed':
      case 'memory.framesZeroed':
        writes.add('allocator');
        for (const pfn of data.frames as number[]) writes.add(`frame:${pfn}`);
        break;
      case 'kernel.mapped':
      case 'kernel.unmapped':
      case 'kernel.protected':
      case 'kernel.processExited':
      case 'kernel.tlbFlushDeferred':
        writes.add(`process:${data.pid as number}`);
        break;
      case 'observer.secretPlaced':
        writes.add(`secret:${data.name as string}`);
        break;
      case 'observer.secretLeaked':
        reads.add(`secret:${data.secret as string}`);
        writes.add(`knowledge:${data.actor as string}`);
        break;
      case 'kernel.consoleWritten':
        writes.add('console');
        break;
    }
  }
  return { reads, writes };
}

export function independent(a: Footprint, b: Footprint): boolean {
  for (const resource of a.writes) if (b.writes.has(resource) || b.reads.has(resource)) return false;
  for (const resource of b.writes) if (a.reads.has(resource)) return false;
  return true;
}

/** The threads of a plan, in order of first appearance, each with its steps' indices. */
export function threadsOf(plan: RunPlan): { name: string; steps: number[] }[] {
  const threads: { name: string; steps: number[] }[] = [];
  plan.steps.forEach((step, index) => {
    let thread = threads.find((t) => t.name === step.thread);
    if (thread === undefined) {
      thread = { name: step.thread, steps: [] };
      threads.push(thread);
    }
    thread.steps.push(index);
  });
  return threads;
}

class Explorer {
  private explored = 0;
  private violating = 0;
  private pruned = 0;
  private first: ExploreResult['firstViolation'] = null;
  private stopped = false;
  private readonly cache = new Map<string, Executed>();

  constructor(
    private readonly plan: RunPlan,
    private readonly threads: readonly { name: string; steps: number[] }[],
    private readonly options: ExploreOptions,
  ) {}

  private done(): boolean {
    if (this.explored >= this.options.maxInterleavings || (this.options.stopAtFirst && this.first !== null)) this.stopped = true;
    return this.stopped;
  }

  /** Runs a step from a node: memoised per (node, step), since sleep sets ask twice. */
  private execute(node: Node, key: string, step: PlannedStep): Executed {
    const cacheKey = `${key}|${step.index}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const engine: Engine<MachineState> = machineEngine(node.state, { invariants: invariantsOf(this.plan), resume: { seq: node.seq, tick: node.tick } });
    const events: Envelope[] = [];
    const subscription = engine.events$.subscribe((event) => events.push(event));
    const before = node.state.scenario.violations.length;
    const report = executeStep(engine, step);
    subscription.unsubscribe();
    const failed = report.verdicts.some((v) => !v.holds) || engine.state.scenario.violations.length > before;
    const executed = {
      node: { state: engine.state, seq: engine.eventCount, tick: engine.tick },
      footprint: footprintOf(events, node.state.memory.frameBytes),
      failed,
      report,
    };
    this.cache.set(cacheKey, executed);
    return executed;
  }

  run(root: Node): ExploreResult {
    this.visit(root, 'root', this.threads.map(() => 0), new Set(), [], []);
    return {
      threads: this.threads.map((t) => ({ name: t.name, steps: t.steps.length })),
      explored: this.explored,
      violating: this.violating,
      pruned: this.pruned,
      complete: !this.stopped,
      firstViolation: this.first,
    };
  }

  private visit(node: Node, key: string, positions: number[], sleep: ReadonlySet<number>, order: number[], reasons: string[]): void {
    if (this.stopped) return;
    const enabled = this.threads.map((_, t) => t).filter((t) => positions[t]! < this.threads[t]!.steps.length);
    if (enabled.length === 0) {
      this.explored++;
      if (reasons.length > 0) {
        this.violating++;
        this.first ??= { order: [...order], reasons: [...reasons] };
      }
      this.done();
      return;
    }
    const asleep = new Set(sleep);
    for (const t of enabled) {
      if (asleep.has(t)) {
        this.pruned++;
        continue;
      }
      const stepIndex = this.threads[t]!.steps[positions[t]!]!;
      const executed = this.execute(node, key, this.plan.steps[stepIndex]!);
      const nextSleep = new Set<number>();
      for (const u of asleep) {
        const uStep = this.plan.steps[this.threads[u]!.steps[positions[u]!]!]!;
        if (independent(this.execute(node, key, uStep).footprint, executed.footprint)) nextSleep.add(u);
      }
      const nextPositions = positions.slice();
      nextPositions[t]! += 1;
      const why = executed.failed ? [...reasons, failureText(executed.report, node, executed.node)] : reasons;
      this.visit(executed.node, `${key}.${stepIndex}`, nextPositions, nextSleep, [...order, stepIndex], why);
      asleep.add(t);
      if (this.stopped) return;
    }
  }
}

function failureText(report: StepReport, before: Node, after: Node): string {
  const failed = report.verdicts.filter((v) => !v.holds).map((v) => `${report.step.text}: expected ${v.expectation} — ${v.reason}`);
  const violations = after.state.scenario.violations.slice(before.state.scenario.violations.length).map((v) => `${report.step.text}: ${v.invariant} — ${v.message}`);
  return [...failed, ...violations].join('; ');
}

export function explore(plan: RunPlan, options: ExploreOptions): ExploreResult {
  const engine = createEngine(plan);
  startPlan(engine, plan);
  const root: Node = { state: engine.state, seq: engine.eventCount, tick: engine.tick };
  return new Explorer(plan, threadsOf(plan), options).run(root);
}
