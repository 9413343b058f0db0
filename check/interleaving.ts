/**
 * An interleaving as a scenario file: the main file with its step statements put in
 * the explored order (each statement whole, with its expectations and comments), so
 * `isolab run` replays exactly that order. Steps must be top-level statements of the
 * main file: repeats and imported steps would have no single place to move to.
 */
import { ScenarioError } from '../engine/core/errors.js';
import type { RunPlan } from '../engine/scenario/plan.js';
import type { StepStatement } from '../dsl/ast.js';
import type { LoadedScenario } from '../dsl/compile/index.js';

interface StepLines {
  readonly first: number;
  readonly last: number;
}

/** The source line range of each planned step, or a located reason it cannot move. */
export function stepLines(loaded: LoadedScenario, plan: RunPlan): StepLines[] {
  if (loaded.statements.some((s) => s.kind === 'repeat')) {
    throw new ScenarioError('E_EXPLORE', `${loaded.file} uses repeat; explore needs every step written out, in the order of one thread each`);
  }
  const steps = loaded.statements.filter((s): s is StepStatement => s.kind === 'step');
  const secrets = loaded.statements.filter((s) => s.kind === 'setting' && s.name.value === 'secret');
  return plan.steps.map((step) => {
    if (step.file !== loaded.file) {
      throw new ScenarioError('E_EXPLORE', `step "${step.text}" comes from ${step.file}; explore reorders only the steps of the main file`);
    }
    const statement = [...steps, ...secrets].find((s) => s.loc.start.line === step.line);
    if (statement === undefined) throw new ScenarioError('E_EXPLORE', `no statement at line ${step.line} for step "${step.text}"`);
    return { first: statement.loc.start.line, last: statement.loc.end.line };
  });
}

export function interleavingScenario(loaded: LoadedScenario, plan: RunPlan, order: readonly number[], header: readonly string[]): string {
  const ranges = stepLines(loaded, plan);
  const lines = loaded.source.replace(/\r\n/g, '\n').split('\n');
  const firstStepLine = Math.min(...ranges.map((r) => r.first));
  const moved = new Set<number>();
  for (const range of ranges) for (let line = range.first; line <= range.last; line++) moved.add(line);
  const before = lines.slice(0, firstStepLine - 1);
  const after = lines.slice(firstStepLine - 1).filter((_, i) => !moved.has(firstStepLine + i));
  const stepsText = order.flatMap((index) => lines.slice(ranges[index]!.first - 1, ranges[index]!.last));
  return [...before, ...header.map((line) => `# ${line}`), ...stepsText, ...after].join('\n').replace(/\n*$/, '\n');
}
