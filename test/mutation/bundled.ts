// Shared by the mutation tests: runs a bundled scenario under every variant, in process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileScenario, loadScenario, variantAxes, variantMatrix } from '../../dsl/compile/index.js';
import { runPlan, type RunResult } from '../../engine/scenario/run.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export function runBundled(file: string): RunResult[] {
  const loaded = loadScenario(file, (path, from) => {
    const full = from === null ? path : join(from.source, '..', path);
    return { file: full, text: readFileSync(join(ROOT, full), 'utf8') };
  });
  return variantMatrix(variantAxes(loaded)).map((variant) => runPlan(compileScenario(loaded, variant)));
}

/** Names of the failed expectations of all runs, for readable assertions. */
export function failures(results: readonly RunResult[]): string[] {
  return results.flatMap((result) =>
    result.steps.flatMap((report) =>
      report.verdicts.filter((v) => !v.holds).map((v) => `${report.step.line}: ${report.step.text} — ${v.expectation}`),
    ),
  );
}
