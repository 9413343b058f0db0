/**
 * The runner: boots the machine a plan describes, then runs its steps one by one. For
 * a step it first makes the step's process current (a scheduler choice, through the
 * timer interrupt when another process is running in user mode), fires the timer when
 * it is due, advances the virtual clock by one tick, dispatches the step's commands,
 * summarises the events into an outcome and records the verdict of each expectation.
 * Everything it decides is an event, so the trace alone replays the run.
 */
import { describeNotRunnable, isRunnable } from '../kernel/proc/state.js';
import type { Envelope, Invariant } from '../core/decider.js';
import type { Engine } from '../core/engine.js';
import { LimitExceeded, type Limits } from '../core/limits.js';
import { ScenarioError } from '../core/errors.js';
import { initialMachineState } from '../machine/initial.js';
import { invariantByName } from '../machine/invariants.js';
import type { MachineState } from '../machine/state.js';
import { machineEngine } from '../machine/engine.js';
import { isAlive, processByName } from '../kernel/state.js';
import { emptyOutcome, summarise, type StepOutcome } from './outcome.js';
import type { PlannedStep, RunPlan } from './plan.js';
import type { Verdict, Violation } from './state.js';

export interface StepReport {
  readonly step: PlannedStep;
  readonly outcome: StepOutcome;
  readonly verdicts: readonly Verdict[];
}

export interface RunResult {
  readonly plan: RunPlan;
  readonly state: MachineState;
  readonly steps: readonly StepReport[];
  readonly assertions: readonly Verdict[];
  readonly violations: readonly Violation[];
  readonly eventCount: number;
  /** Every expectation and assertion held and no invariant was violated. */
  readonly passed: boolean;
}

export interface RunOptions {
  readonly limits?: Limits;
  readonly keepHistory?: boolean;
  /** Called with the engine before the first event: subscribe trace writers here. */
  readonly onEngine?: (engine: Engine<MachineState>) => void;
}

/** The invariant objects a plan enables: built-in ones by name, then its own. */
export function invariantsOf(plan: RunPlan): Invariant<MachineState>[] {
  return [...plan.invariants.map((name) => invariantByName(name)).filter((invariant) => invariant !== null), ...plan.customInvariants];
}

export function createEngine(plan: RunPlan, options: RunOptions = {}): Engine<MachineState> {
  const invariants = invariantsOf(plan);
  return machineEngine(initialMachineState(plan.config, plan.features), {
    limits: options.limits,
    invariants,
    keepHistory: options.keepHistory,
  });
}

/** Boots the machine the plan describes and runs its setup commands. */
export function startPlan(engine: Engine<MachineState>, plan: RunPlan): void {
  engine.record({
    type: 'scenario.started',
    actor: 'scenario',
    data: { title: plan.title, file: plan.file, seed: plan.seed, variant: plan.variant, invariants: plan.invariants },
  });
  if (plan.boot !== null) engine.dispatch({ type: 'kernel.boot', actor: 'kernel', data: plan.boot });
  for (const gate of plan.gates) engine.dispatch({ type: 'cpu.configureGate', actor: 'kernel', data: gate });
  for (const command of plan.setup) engine.dispatch(command);
}

/**
 * Runs one step: records its start, makes its process current, advances the clock,
 * dispatches its commands, and records the outcome with the verdict of each
 * expectation. The checker drives generated steps through this same function.
 */
export function executeStep(engine: Engine<MachineState>, step: PlannedStep): StepReport {
  const started = engine.record({
    type: 'scenario.stepStarted',
    actor: 'scenario',
    data: { index: step.index, file: step.file, line: step.line, text: step.text, actor: step.actor },
  });
  const buffer: Envelope[] = [];
  const subscription = engine.events$.subscribe((envelope) => buffer.push(envelope));
  let outcome: StepOutcome;
  try {
    const skipped = prepareStep(engine, step, started.seq);
    if (skipped !== null) {
      outcome = emptyOutcome(skipped);
    } else {
      engine.advanceClock(1);
      runStepCommands(engine, step, started.seq);
      outcome = summarise(buffer);
    }
  } finally {
    subscription.unsubscribe();
  }
  const verdicts = step.expectations.map((expectation) => {
    const reason = expectation.check(outcome);
    return { expectation: expectation.text, holds: reason === null, reason: reason ?? '' };
  });
  engine.record({
    type: 'scenario.stepChecked',
    actor: 'scenario',
    data: { index: step.index, line: step.line, text: step.text, actor: step.actor, outcome, verdicts },
  }, started.seq);
  return { step, outcome, verdicts };
}

export function runPlan(plan: RunPlan, options: RunOptions = {}): RunResult {
  const engine = createEngine(plan, options);
  options.onEngine?.(engine);
  startPlan(engine, plan);
  const reports = plan.steps.map((step) => executeStep(engine, step));
  const assertions = plan.assertions.map((assertion) => {
    const reason = assertion.check(engine.state);
    const verdict: Verdict = { expectation: assertion.text, holds: reason === null, reason: reason ?? '', line: assertion.line };
    engine.record({ type: 'scenario.assertChecked', actor: 'scenario', data: verdict });
    return verdict;
  });
  const state = engine.state;
  engine.record({
    type: 'scenario.finished',
    actor: 'scenario',
    data: { failures: state.scenario.failures.length, violations: state.scenario.violations.length },
  });
  engine.complete();
  const passed =
    reports.every((report) => report.verdicts.every((verdict) => verdict.holds)) &&
    assertions.every((verdict) => verdict.holds) &&
    unexpectedViolations(reports, state.scenario.violations.length) === 0;
  return { plan, state: engine.state, steps: reports, assertions, violations: state.scenario.violations, eventCount: engine.eventCount, passed };
}

/** Dispatches a step's commands; a limit hit inside is reported at the step's line. */
function runStepCommands(engine: Engine<MachineState>, step: PlannedStep, cause: number): void {
  try {
    for (const command of step.build(engine.state)) engine.dispatch(command, cause);
  } catch (error) {
    if (error instanceof LimitExceeded) {
      throw new ScenarioError(error.code, `${error.message} It happened during this step.`, {
        file: step.file,
        line: step.line,
        column: step.column,
        length: step.text.length,
      }, error.notes);
    }
    throw error;
  }
}

/**
 * Violations a step announced with a holding `expect violation …` are the lesson, not a
 * failure; any other violation fails the run.
 */
function unexpectedViolations(reports: readonly StepReport[], total: number): number {
  let expected = 0;
  for (const report of reports) {
    const announced = report.step.expectations.some((e, i) => e.kind === 'violation' && report.verdicts[i]!.holds);
    if (announced) expected += report.outcome.violations.length;
  }
  return total - expected;
}

/**
 * Makes the step's process current and fires a due timer. Returns why the step cannot
 * run (its process has exited), or null.
 */
function prepareStep(engine: Engine<MachineState>, step: PlannedStep, cause: number): string | null {
  fireTimerIfDue(engine, cause);
  if (step.context === null) return null;
  const state = engine.state;
  const process = processByName(state.kernel, step.context);
  if (process === null) return `${step.context} was never created`;
  if (!isAlive(process)) return `${step.context} has exited`;
  if (state.kernel.current === process.pid) return null;
  if (state.cpu.cpl === 3 && state.kernel.current !== null) {
    engine.dispatch({ type: 'kernel.chooseNext', actor: 'scenario', data: { pid: process.pid, reason: `the scenario runs ${step.context} next` } }, cause);
    engine.dispatch({ type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } }, cause);
  } else {
    engine.dispatch({ type: 'kernel.switchTo', actor: 'scenario', data: { pid: process.pid, reason: `the scenario runs ${step.context}` } }, cause);
  }
  if (engine.state.kernel.current === process.pid) return null;
  const now = processByName(engine.state.kernel, step.context)!;
  if (!isRunnable(engine.state.kernel, now)) return `${step.context} cannot run: it is ${describeNotRunnable(engine.state.kernel, now)}`;
  return `the kernel could not switch to ${step.context} (interrupts masked)`;
}

function fireTimerIfDue(engine: Engine<MachineState>, cause: number): void {
  const { kernel, cpu } = engine.state;
  const due = kernel.timer.nextTick;
  if (!kernel.booted || due === null || engine.tick < due || kernel.current === null || cpu.cpl !== 3) return;
  engine.dispatch({ type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } }, cause);
}
