// Test support for the trace tools: traces of scenario texts or files, recorded the way `isolab run --trace` writes them and read back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '../../engine/core/decider.js';
import { runPlan } from '../../engine/scenario/run.js';
import { readTrace, type ParsedTrace } from '../../engine/trace/reader.js';
import { recordRun } from '../../engine/trace/record.js';
import { compileScenario, loadScenario, type LoadedScenario } from '../../dsl/compile/index.js';
import { parsedTraceOfRun } from '../../bin/commands/diff.js';
import { loadText } from '../helpers/scenario.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A bundled scenario, by its path below scenarios/, with its imports read from disk. */
export function loadBundled(path: string): LoadedScenario {
  return loadScenario(join('scenarios', path), (file, from) => {
    const full = from === null ? file : join(from.source, '..', file);
    return { file: full, text: readFileSync(join(ROOT, full), 'utf8') };
  });
}

/** Records a run into trace lines and reads them back, hash chain and all. */
export function recordTrace(loaded: LoadedScenario, variant: Readonly<Record<string, string>> = {}, seed?: number): ParsedTrace {
  const compiled = compileScenario(loaded, variant);
  const plan = seed === undefined ? compiled : { ...compiled, seed, config: { ...compiled.config, seed } };
  const lines: string[] = [];
  recordRun(plan, loaded.files, (line) => lines.push(line));
  return readTrace(lines.join('\n') + '\n', plan.file);
}

export function traceOfText(text: string, variant: Readonly<Record<string, string>> = {}, seed?: number): ParsedTrace {
  return recordTrace(loadText(text), variant, seed);
}

/**
 * A long run held in memory (as `run --matrix` holds it): recording a 100,000-event
 * trace hashes the state after every step and takes many seconds, and the diff does not
 * need the hashes.
 */
export function memoryTraceOfText(text: string, seed?: number): ParsedTrace {
  const loaded = loadText(text);
  const compiled = compileScenario(loaded, {});
  const plan = seed === undefined ? compiled : { ...compiled, seed, config: { ...compiled.config, seed } };
  const events: Envelope[] = [];
  const result = runPlan(plan, { onEngine: (engine) => engine.events$.subscribe((event) => events.push(event)) });
  return parsedTraceOfRun(plan, loaded.files, events, result);
}
