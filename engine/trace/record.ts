/**
 * Runs a plan while writing its trace: the header first, each event as it is published
 * (with the state hash after every checked step), the footer last. Lines go to a sink,
 * so the caller streams them to a temporary file and renames it only on success.
 */
import { sha256Hex } from '../core/hash.js';
import { ENGINE_VERSION } from '../core/version.js';
import type { RunPlan } from '../scenario/plan.js';
import { runPlan, type RunOptions, type RunResult } from '../scenario/run.js';
import { TRACE_FORMAT, TRACE_VERSION, type SourceFileRecord, type TraceHeader } from './format.js';
import { stateHash } from './replay.js';
import { TraceWriter } from './writer.js';

/**
 * The state hash goes on the first and then every 64th `scenario.stepChecked` line (and
 * the footer holds the final one): hashing the whole machine after each of 30,000
 * steps dominated the cost of a trace, and a divergence is still located within 64 steps.
 */
export const STATE_HASH_EVERY = 64;

export function traceHeaderOf(plan: RunPlan, files: readonly SourceFileRecord[]): TraceHeader {
  return {
    kind: 'header',
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    engine: ENGINE_VERSION,
    scenario: { file: plan.file, title: plan.title, sourceSha256: sha256Hex(plan.source), files },
    seed: plan.seed,
    variant: plan.variant,
    config: plan.config,
    features: plan.features,
    invariants: [...plan.invariants, ...plan.customInvariants.map((invariant) => invariant.name)],
  };
}

export function recordRun(
  plan: RunPlan,
  files: readonly SourceFileRecord[],
  sink: (line: string) => void,
  options: RunOptions = {},
): RunResult {
  const writer = new TraceWriter();
  sink(writer.header(traceHeaderOf(plan, files)));
  const result = runPlan(plan, {
    ...options,
    onEngine: (engine) => {
      let checked = 0;
      engine.events$.subscribe((envelope) => {
        const hashed = envelope.type === 'scenario.stepChecked' && checked++ % STATE_HASH_EVERY === 0;
        sink(writer.event(envelope, hashed ? stateHash(engine.state) : undefined));
      });
      options.onEngine?.(engine);
    },
  });
  const scenario = result.state.scenario;
  sink(
    writer.footer({
      kind: 'footer',
      events: writer.eventCount,
      finalStateHash: stateHash(result.state),
      passed: result.passed,
      steps: scenario.stepsChecked,
      expectations: scenario.expectationsChecked,
      failures: scenario.failures,
      assertions: scenario.assertions,
      violations: scenario.violations,
    }),
  );
  return result;
}
