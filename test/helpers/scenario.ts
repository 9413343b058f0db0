// Test support: compiling and running small scenario texts held in memory.
import { ScenarioError } from '../../engine/core/errors.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan, type RunOptions, type RunResult } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario, type LoadedScenario } from '../../dsl/compile/index.js';

/** The file name every in-memory scenario gets, as error locations show it. */
export const SCENARIO_FILE = 'test.isl';

/** Loads a scenario from text; `files` holds the texts its imports name. */
export function loadText(text: string, files: Readonly<Record<string, string>> = {}): LoadedScenario {
  return loadScenario(SCENARIO_FILE, (path) => {
    if (path === SCENARIO_FILE) return { file: path, text };
    const imported = files[path];
    if (imported === undefined) throw new ScenarioError('E_READ', `no test file ${path}`);
    return { file: path, text: imported };
  });
}

export function compileText(text: string, variant: Readonly<Record<string, string>> = {}, files: Readonly<Record<string, string>> = {}): RunPlan {
  return compileScenario(loadText(text, files), variant);
}

export function runText(text: string, variant: Readonly<Record<string, string>> = {}, options: RunOptions = {}): RunResult {
  return runPlan(compileText(text, variant), options);
}

/** The ScenarioError that loading and compiling the text raises; fails when it compiles. */
export function compileError(text: string, variant: Readonly<Record<string, string>> = {}, files: Readonly<Record<string, string>> = {}): ScenarioError {
  try {
    compileText(text, variant, files);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error(`expected a compile error for:\n${text}`);
}

/** Every failed expectation of a run, as "line N: expectation — reason". */
export function failuresOf(result: RunResult): string[] {
  return result.steps.flatMap((report) =>
    report.verdicts.filter((verdict) => !verdict.holds).map((verdict) => `line ${report.step.line}: ${verdict.expectation} — ${verdict.reason}`),
  );
}
