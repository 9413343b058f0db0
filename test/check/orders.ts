// Every interleaving of a plan's threads, enumerated naively: the reference the
// explorer's reductions are checked against.
import { threadsOf } from '../../check/explore.js';
import type { RunPlan } from '../../engine/scenario/plan.js';

/** Every interleaving of the plan's threads, as orders of step indices. */
export function ordersOf(plan: RunPlan): number[][] {
  const threads = threadsOf(plan);
  const out: number[][] = [];
  const extend = (positions: number[], order: number[]) => {
    const enabled = threads.map((_, t) => t).filter((t) => positions[t]! < threads[t]!.steps.length);
    if (enabled.length === 0) out.push(order);
    for (const t of enabled) {
      const next = positions.slice();
      next[t]! += 1;
      extend(next, [...order, threads[t]!.steps[positions[t]!]!]);
    }
  };
  extend(threads.map(() => 0), []);
  return out;
}
