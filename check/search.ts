/**
 * The search: run i draws its attack from its own seed (split from the search seed by
 * run index, not by worker), so any slice of the runs gives the same result wherever it
 * runs. A failing run is shrunk by fast-check to a minimal sequence of steps. The
 * result of a slice is the lowest-numbered failing run, so slices merge exactly.
 */
import fc from 'fast-check';
import { childSeed } from '../engine/core/prng.js';
import type { Violation } from '../engine/scenario/state.js';
import { actionsArbitrary, type Action } from './actions.js';
import { runAttack } from './attack.js';
import { renderActions } from './render.js';
import type { World } from './world.js';

export interface Counterexample {
  /** The run (0-based) whose generated attack broke an invariant. */
  readonly run: number;
  /** fast-check's seed and shrink path for that run: `fc.check(…, { seed, path })` replays it. */
  readonly runSeed: number;
  readonly path: string;
  readonly shrinks: number;
  /** The shrunk attack, as scenario lines. */
  readonly steps: readonly string[];
  readonly violation: Violation;
}

export interface SliceResult {
  /** Runs [from, to) of the search. */
  readonly from: number;
  readonly to: number;
  /** Runs executed (fewer than to - from when the slice stopped at a counterexample). */
  readonly executed: number;
  readonly counterexample: Counterexample | null;
}

export interface SearchSettings {
  readonly seed: number;
  readonly maxSteps: number;
}

export function runSeedOf(seed: number, run: number): number {
  return childSeed(seed, `check-run:${run}`);
}

/** Runs one run of the search; null when no invariant broke. */
export function checkRun(world: World, settings: SearchSettings, run: number): Counterexample | null {
  const runSeed = runSeedOf(settings.seed, run);
  const arbitrary = actionsArbitrary(world.attackers.length, world.others.length, settings.maxSteps, world.files.paths.length > 0);
  const property = fc.property(arbitrary, (actions: Action[]) => runAttack(world, renderActions(world, actions)).violation === null);
  const details = fc.check(property, { seed: runSeed, numRuns: 1 });
  if (!details.failed || details.counterexample === null) return null;
  const steps = renderActions(world, details.counterexample[0]);
  const outcome = runAttack(world, steps);
  if (outcome.violation === null) {
    // Not a violation: the predicate threw (a bug in the checker or the engine).
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(`run ${run} failed without a violation`);
  }
  return {
    run,
    runSeed,
    path: details.counterexamplePath ?? '',
    shrinks: details.numShrinks,
    steps: steps.slice(0, outcome.stepsRun),
    violation: outcome.violation,
  };
}

/** Runs [from, to) in order and stops at the first counterexample. */
export function checkSlice(world: World, settings: SearchSettings, from: number, to: number, onRun: (run: number) => void = () => {}): SliceResult {
  for (let run = from; run < to; run++) {
    const counterexample = checkRun(world, settings, run);
    onRun(run);
    if (counterexample !== null) return { from, to, executed: run - from + 1, counterexample };
  }
  return { from, to, executed: to - from, counterexample: null };
}

/** Merges slices: the counterexample of the lowest run wins. */
export function mergeSlices(slices: readonly SliceResult[]): { executed: number; counterexample: Counterexample | null } {
  let best: Counterexample | null = null;
  let executed = 0;
  for (const slice of slices) {
    executed += slice.executed;
    if (slice.counterexample !== null && (best === null || slice.counterexample.run < best.run)) best = slice.counterexample;
  }
  return { executed, counterexample: best };
}
