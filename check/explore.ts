/**
 * `isolab explore`: every interleaving of the scenario's threads of control (each
 * process's steps in program order), enumerated depth first from shared immutable
 * states. An interleaving violates when `isolab run` would fail it: an expectation
 * fails, an invariant breaks during a step that did not announce it with `expect
 * violation`, or an assertion fails on the final state.
 *
 * Two reductions keep the search small, both exact for that verdict:
 * - Sleep sets (Godefroid's partial-order reduction): two steps whose footprints
 *   (footprint.ts) do not conflict commute, so only one of their orders is explored.
 *   A footprint includes the scheduling state, because the step runs in its process's
 *   address space: a step of another process than the current one switches (CR3, the
 *   TLB flush or PCID choice, the current process). Steps of two processes are
 *   therefore never independent; the sleep sets prune steps of the kernel and raw CPU
 *   threads, which run in whatever address space is current.
 * - State matching: two orders that end in the same state (state-digest.ts) have the
 *   same futures. The search remembers each state it explored from (with how far each
 *   thread got and whether the path has failed yet) and does not explore from it twice
 *   — this is what folds the orders of independent processes back together, once the
 *   switches between them stop mattering. It is combined with sleep sets as in
 *   Godefroid's "Partial-Order Methods for the Verification of Concurrent Systems"
 *   (LNCS 1032, ch. 5): each explored state keeps the steps that were asleep there, and
 *   a state reached again explores just the steps that were asleep then and are not now.
 *
 * The footprints are checked as the search goes: when two steps' footprints say they
 * commute, the explorer runs both orders and compares the states (and the steps'
 * verdicts). If they differ, the steps are treated as dependent and the miss is counted
 * in `footprintGaps` — a read the footprint tables do not know of yet, which tests
 * require to be zero. So the search stays exact even when an engine change outruns the
 * tables; the check costs little, since state matching would run those orders anyway.
 */
import type { Envelope } from '../engine/core/decider.js';
import type { Engine } from '../engine/core/engine.js';
import { machineEngine } from '../engine/machine/engine.js';
import type { MachineState } from '../engine/machine/state.js';
import type { PlannedStep, RunPlan } from '../engine/scenario/plan.js';
import { createEngine, executeStep, invariantsOf, startPlan, type StepReport } from '../engine/scenario/run.js';
import { independent, stepFootprint, type Footprint } from './footprint.js';
import { stateDigest } from './state-digest.js';

export interface ExploreOptions {
  readonly maxInterleavings: number;
  /** Stop at the first violating interleaving (the default), or count them all. */
  readonly stopAtFirst: boolean;
  /**
   * Check every independence the footprints claim by running both orders (default
   * on; off, the sleep sets trust the footprints alone, which is what tests measure).
   */
  readonly checkFootprints?: boolean;
}

/** What cut a search short. */
export type StoppedBy = 'first-violation' | 'bound';

export interface ExploreResult {
  readonly threads: readonly { readonly name: string; readonly steps: number }[];
  /** Complete interleavings run to their end. */
  readonly explored: number;
  readonly violating: number;
  /** Transitions the sleep sets pruned. */
  readonly pruned: number;
  /** Times the search reached a state it had already explored from, and went no further. */
  readonly merged: number;
  /** Pairs of steps whose footprints said they commute but whose two orders differed (a footprint bug). */
  readonly footprintGaps: number;
  /** Every interleaving is accounted for: nothing was left unexplored. */
  readonly complete: boolean;
  /** Why the search stopped before it was complete, or null. */
  readonly stoppedBy: StoppedBy | null;
  /** The first violating interleaving, as indices into plan.steps. */
  readonly firstViolation: { readonly order: readonly number[]; readonly reasons: readonly string[] } | null;
}

interface Node {
  readonly state: MachineState;
  readonly seq: number;
  readonly tick: number;
}

interface Executed {
  readonly node: Node;
  readonly footprint: Footprint;
  /** Why the step fails its run (failed expectations, unannounced violations), or null. */
  readonly failure: string | null;
}

interface Thread {
  readonly name: string;
  readonly steps: readonly number[];
}

/** (k1 + k2 + …)! / (k1! k2! …): how many interleavings threads of k1, k2, … steps have. */
export function interleavingCount(threadSteps: readonly number[]): bigint {
  let count = 1n;
  let placed = 0n;
  for (const steps of threadSteps) {
    // Choose the places of this thread's steps among all placed so far: C(placed + k, k).
    for (let k = 1n; k <= BigInt(steps); k++) count = (count * (placed + k)) / k;
    placed += BigInt(steps);
  }
  return count;
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

/**
 * Why a step fails a run, as `runPlan` decides it: a failed expectation, or an
 * invariant violation the step did not announce with a holding `expect violation`.
 */
export function stepFailure(report: StepReport, before: MachineState, after: MachineState): string | null {
  const failed = report.verdicts.filter((v) => !v.holds).map((v) => `${report.step.text}: expected ${v.expectation} — ${v.reason}`);
  const violations = after.scenario.violations.slice(before.scenario.violations.length);
  const announced = report.step.expectations.some((e, i) => e.kind === 'violation' && report.verdicts[i]!.holds);
  const unannounced = violations.slice(announced ? report.outcome.violations.length : 0);
  const broken = unannounced.map((v) => `${report.step.text}: ${v.invariant} — ${v.message}`);
  const reasons = [...failed, ...broken];
  return reasons.length === 0 ? null : reasons.join('; ');
}

/** The plan's final assertions that fail on a state, as reasons. */
export function assertionFailures(plan: RunPlan, state: MachineState): string[] {
  return plan.assertions.flatMap((assertion) => {
    const reason = assertion.check(state);
    return reason === null ? [] : [`assert ${assertion.text} (line ${assertion.line}): ${reason}`];
  });
}

class Explorer {
  private explored = 0;
  private violating = 0;
  private pruned = 0;
  private merged = 0;
  private footprintGaps = 0;
  private first: ExploreResult['firstViolation'] = null;
  /** Set when a stop condition is met; the search is incomplete only if work remained. */
  private stopRequest: StoppedBy | null = null;
  private cutShort = false;
  private readonly executions = new Map<string, Executed>();
  private readonly commutes = new Map<string, boolean>();
  /** Explored states (positions, failed so far, digest) with the steps asleep when they were. */
  private readonly visited = new Map<string, Set<number>>();

  constructor(
    private readonly plan: RunPlan,
    private readonly threads: readonly Thread[],
    private readonly options: ExploreOptions,
  ) {}

  run(root: Node): ExploreResult {
    this.visit(root, 'root', this.threads.map(() => 0), new Set(), [], []);
    return {
      threads: this.threads.map((t) => ({ name: t.name, steps: t.steps.length })),
      explored: this.explored,
      violating: this.violating,
      pruned: this.pruned,
      merged: this.merged,
      footprintGaps: this.footprintGaps,
      complete: !this.cutShort,
      stoppedBy: this.cutShort ? this.stopRequest : null,
      firstViolation: this.first,
    };
  }

  /** True when the search must not go on; records that something was left unexplored. */
  private mustStop(): boolean {
    if (this.stopRequest === null) return false;
    this.cutShort = true;
    return true;
  }

  private stepAt(thread: number, positions: readonly number[]): PlannedStep {
    return this.plan.steps[this.threads[thread]!.steps[positions[thread]!]!]!;
  }

  /** Runs a step from a node: memoised per (path, step), since sleep sets and checks ask again. */
  private execute(node: Node, path: string, step: PlannedStep): Executed {
    const cacheKey = `${path}|${step.index}`;
    const cached = this.executions.get(cacheKey);
    if (cached !== undefined) return cached;
    const invariants = invariantsOf(this.plan);
    const engine: Engine<MachineState> = machineEngine(node.state, { invariants, resume: { seq: node.seq, tick: node.tick } });
    const events: Envelope[] = [];
    const subscription = engine.events$.subscribe((event) => events.push(event));
    const report = executeStep(engine, step);
    subscription.unsubscribe();
    const executed: Executed = {
      node: { state: engine.state, seq: engine.eventCount, tick: engine.tick },
      footprint: stepFootprint(events, node.state, engine.state, invariants),
      failure: stepFailure(report, node.state, engine.state),
    };
    this.executions.set(cacheKey, executed);
    return executed;
  }

  private visit(node: Node, path: string, positions: number[], sleep: ReadonlySet<number>, order: number[], reasons: string[]): void {
    if (this.mustStop()) return;
    const enabled = this.threads.map((_, t) => t).filter((t) => positions[t]! < this.threads[t]!.steps.length);
    const stateKey = `${positions.join(',')}|${reasons.length > 0 ? 'failed' : 'ok'}|${stateDigest(node.state)}`;
    const stored = this.visited.get(stateKey);
    let todo: number[];
    let asleep: Set<number>;
    if (stored === undefined) {
      this.visited.set(stateKey, new Set(sleep));
      todo = enabled.filter((t) => !sleep.has(t));
      asleep = new Set(sleep);
      this.pruned += enabled.length - todo.length;
    } else {
      // Explored from here before: only what was asleep then and is awake now is new.
      todo = enabled.filter((t) => stored.has(t) && !sleep.has(t));
      asleep = new Set([...sleep].filter((t) => stored.has(t)));
      this.visited.set(stateKey, new Set(asleep));
      if (todo.length === 0) {
        this.merged++;
        return;
      }
    }
    if (enabled.length === 0) {
      this.complete(node, order, reasons);
      return;
    }
    for (const t of todo) {
      if (this.mustStop()) return;
      const step = this.stepAt(t, positions);
      const executed = this.execute(node, path, step);
      const nextSleep = new Set([...asleep].filter((u) => this.commute(node, path, positions, u, t)));
      const nextPositions = positions.slice();
      nextPositions[t]! += 1;
      const why = executed.failure === null ? reasons : [...reasons, executed.failure];
      this.visit(executed.node, `${path}.${step.index}`, nextPositions, nextSleep, [...order, step.index], why);
      asleep.add(t);
    }
  }

  /** A complete interleaving: its final assertions, then the counts and the stop conditions. */
  private complete(node: Node, order: readonly number[], reasons: readonly string[]): void {
    const all = [...reasons, ...assertionFailures(this.plan, node.state)];
    this.explored++;
    if (all.length > 0) {
      this.violating++;
      this.first ??= { order: [...order], reasons: all };
      if (this.options.stopAtFirst) this.stopRequest = 'first-violation';
    }
    if (this.stopRequest === null && this.explored >= this.options.maxInterleavings) this.stopRequest = 'bound';
  }

  /**
   * Whether thread u's next step, asleep at this node, stays asleep after thread t's
   * step: their footprints do not conflict (and, unless the check is off, the two
   * orders really do end in the same state with the same verdicts).
   */
  private commute(node: Node, path: string, positions: readonly number[], u: number, t: number): boolean {
    const uStep = this.stepAt(u, positions);
    const tStep = this.stepAt(t, positions);
    const key = `${path}|${uStep.index}|${tStep.index}`;
    const known = this.commutes.get(key);
    if (known !== undefined) return known;
    const uFirst = this.execute(node, path, uStep);
    const tFirst = this.execute(node, path, tStep);
    let result = independent(uFirst.footprint, tFirst.footprint);
    if (result && this.options.checkFootprints !== false) {
      const uThenT = this.execute(uFirst.node, `${path}.${uStep.index}`, tStep);
      const tThenU = this.execute(tFirst.node, `${path}.${tStep.index}`, uStep);
      const same =
        stateDigest(uThenT.node.state) === stateDigest(tThenU.node.state) &&
        uThenT.node.tick === tThenU.node.tick &&
        (uThenT.failure === null) === (tFirst.failure === null) &&
        (tThenU.failure === null) === (uFirst.failure === null);
      if (!same) {
        this.footprintGaps++;
        result = false;
      }
    }
    this.commutes.set(key, result);
    return result;
  }
}

export function explore(plan: RunPlan, options: ExploreOptions): ExploreResult {
  const engine = createEngine(plan);
  startPlan(engine, plan);
  const root: Node = { state: engine.state, seq: engine.eventCount, tick: engine.tick };
  return new Explorer(plan, threadsOf(plan), options).run(root);
}
