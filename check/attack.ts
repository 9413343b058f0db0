/**
 * Runs one generated attack against a world: the lines are compiled as steps appended
 * to the scenario and executed from the world's saved state (immutable states make that
 * free), with every enabled invariant checked after every event. The first violation
 * ends the run.
 */
import { ScenarioError } from '../engine/core/errors.js';
import { machineEngine } from '../engine/machine/engine.js';
import { executeStep, invariantsOf } from '../engine/scenario/run.js';
import type { Violation } from '../engine/scenario/state.js';
import { compileAppendedSteps } from '../dsl/compile/index.js';
import type { World } from './world.js';

/** Limits per generated run: a runaway sequence is cut short, not reported. */
export const ATTACK_LIMITS = { maxEvents: 200_000, maxCommands: 200_000 };

export const GENERATED_FILE = 'generated-attack.isl';

export interface AttackOutcome {
  /** Steps executed before the first violation (or all of them). */
  readonly stepsRun: number;
  readonly violation: Violation | null;
  readonly stoppedByLimit: boolean;
}

export function runAttack(world: World, lines: readonly string[]): AttackOutcome {
  if (lines.length === 0) return { stepsRun: 0, violation: null, stoppedByLimit: false };
  const steps = compileAppendedSteps(world.compiled, lines.join('\n') + '\n', GENERATED_FILE);
  const engine = machineEngine(world.base, { invariants: invariantsOf(world.plan), resume: world.resume, limits: ATTACK_LIMITS });
  let stepsRun = 0;
  try {
    for (const step of steps) {
      executeStep(engine, step);
      stepsRun++;
      const violations = engine.state.scenario.violations;
      if (violations.length > world.violationsBefore) return { stepsRun, violation: violations[world.violationsBefore]!, stoppedByLimit: false };
    }
  } catch (error) {
    if (error instanceof ScenarioError && error.code === 'E_LIMIT') return { stepsRun, violation: null, stoppedByLimit: true };
    throw error;
  }
  return { stepsRun, violation: null, stoppedByLimit: false };
}
