// Test support for the report tests: recording scenarios into traces in memory or on disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceEventLine } from '../../engine/trace/format.js';
import { readTrace, type ParsedTrace } from '../../engine/trace/reader.js';
import { recordRun, traceHeaderOf } from '../../engine/trace/record.js';
import { runPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario, variantAxes, variantMatrix } from '../../dsl/compile/index.js';
import { sourceReader } from '../../bin/io.js';
import { loadText } from '../helpers/scenario.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKED_WALK = join(ROOT, 'scenarios', 'paging', 'worked-walk.isl');
export const MISSING_FLUSH = join(ROOT, 'scenarios', 'tlb', 'missing-flush.isl');
export const XSS = join(ROOT, 'test', 'reports', 'fixtures', 'xss.isl');
export const STACKED_FILTERS = join(ROOT, 'scenarios', 'seccomp', 'stacked-filters.isl');
export const APPARMOR = join(ROOT, 'scenarios', 'sandbox', 'apparmor-container.isl');

/** The strings the XSS fixture hides in its title, about, secret, region and steps. */
export const XSS_PAYLOADS = ['</script><script>', '"><img src=x onerror=', 'javascript:', '<svg onload='] as const;

export interface RecordedTrace {
  readonly variant: Readonly<Record<string, string>>;
  /** The trace's text, as `isolab run --trace` writes it. */
  readonly text: string;
  readonly trace: ParsedTrace;
}

/** Runs every variant of a scenario file (or those matching `fixed`) and records each trace. */
export function recordScenario(file: string, fixed: Readonly<Record<string, string>> = {}): RecordedTrace[] {
  const loaded = loadScenario(file, sourceReader());
  return variantMatrix(variantAxes(loaded), fixed).map((variant) => {
    const lines: string[] = [];
    recordRun(compileScenario(loaded, variant), loaded.files, (line) => lines.push(line));
    const text = lines.join('\n') + '\n';
    return { variant, text, trace: readTrace(text, `${file} ${JSON.stringify(variant)}`) };
  });
}

/** Writes recorded traces into a directory, one file each; returns their paths in order. */
export function writeTraces(directory: string, name: string, traces: readonly RecordedTrace[]): string[] {
  mkdirSync(directory, { recursive: true });
  return traces.map((recorded) => {
    const suffix = Object.entries(recorded.variant).map(([key, value]) => `${key}=${value}`).join(',');
    const path = join(directory, `${name}${suffix === '' ? '' : '--' + suffix}.trace`);
    writeFileSync(path, recorded.text);
    return path;
  });
}

/**
 * Runs a scenario text and returns its trace as readTrace would, without the state
 * hashes (a long run records faster): for tests of what a report shows, not of replay.
 */
export function traceOfText(text: string): ParsedTrace {
  const loaded = loadText(text);
  const plan = compileScenario(loaded, {});
  const events: TraceEventLine[] = [];
  const result = runPlan(plan, {
    onEngine: (engine) => engine.events$.subscribe((envelope) => events.push({ kind: 'event', ...envelope })),
  });
  const scenario = result.state.scenario;
  return {
    header: traceHeaderOf(plan, loaded.files),
    events,
    footer: {
      kind: 'footer',
      events: events.length,
      finalStateHash: '',
      passed: result.passed,
      steps: scenario.stepsChecked,
      expectations: scenario.expectationsChecked,
      failures: scenario.failures,
      assertions: scenario.assertions,
      violations: scenario.violations,
    },
    eventLines: events.map((_, i) => i + 2),
  };
}
