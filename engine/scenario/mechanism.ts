/** The scenario slice: folds step verdicts, assertions and invariant violations. */
import type { MechanismDefinition } from '../core/engine.js';
import type { MachineState } from '../machine/state.js';
import type { Failure, StepCheck, Verdict, Violation } from './state.js';

export const scenarioMechanism: MechanismDefinition<MachineState, 'scenario'> = {
  name: 'scenario',
  slice: 'scenario',
  decide: {},
  evolve: {
    'scenario.stepChecked': (scenario, event) => {
      const check = event.data as StepCheck;
      const failed: Failure[] = check.verdicts
        .filter((verdict) => !verdict.holds)
        .map((verdict) => ({ step: check.index, line: check.line, expectation: verdict.expectation, reason: verdict.reason }));
      return {
        ...scenario,
        stepsChecked: scenario.stepsChecked + 1,
        expectationsChecked: scenario.expectationsChecked + check.verdicts.length,
        failures: failed.length === 0 ? scenario.failures : [...scenario.failures, ...failed],
      };
    },
    'scenario.assertChecked': (scenario, event) => ({ ...scenario, assertions: [...scenario.assertions, event.data as Verdict] }),
    'invariant.violated': (scenario, event) => ({ ...scenario, violations: [...scenario.violations, event.data as Violation] }),
  },
};
