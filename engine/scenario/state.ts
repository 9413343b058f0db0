/**
 * The scenario's own record, folded from `scenario.*` and `invariant.violated` events:
 * how many steps and expectations were checked, each failed expectation, the final
 * assertions, and invariant violations. Step outcomes themselves live in the events
 * (a report reads them there), so a long run does not copy a growing list per step.
 */

export interface Verdict {
  /** The expectation as written: "fault #PF(present, user)". */
  readonly expectation: string;
  readonly holds: boolean;
  /** Why it failed, in a sentence; empty when it holds. */
  readonly reason: string;
  /** The line of an assertion (step verdicts carry their step's line instead). */
  readonly line?: number;
}

export interface StepCheck {
  readonly index: number;
  readonly line: number;
  readonly text: string;
  readonly actor: string;
  readonly outcome: unknown;
  readonly verdicts: readonly Verdict[];
}

export interface Failure {
  readonly step: number;
  readonly line: number;
  readonly expectation: string;
  readonly reason: string;
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
  readonly event: number;
}

export interface ScenarioState {
  readonly stepsChecked: number;
  readonly expectationsChecked: number;
  readonly failures: readonly Failure[];
  readonly assertions: readonly Verdict[];
  readonly violations: readonly Violation[];
}

export function initialScenarioState(): ScenarioState {
  return { stepsChecked: 0, expectationsChecked: 0, failures: [], assertions: [], violations: [] };
}
