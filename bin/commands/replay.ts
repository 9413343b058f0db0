/**
 * `isolab replay TRACE [--rerun]`: checks the hash chain, folds the events and compares
 * every recorded state hash; with --rerun, compiles the embedded scenario again and
 * compares the new run event by event. Names the first corrupt or divergent line.
 */
import { dirname, join } from 'node:path';
import { ScenarioError } from '../../engine/core/errors.js';
import { canonicalJson } from '../../engine/core/canonical.js';
import type { Envelope } from '../../engine/core/decider.js';
import { runPlan } from '../../engine/scenario/run.js';
import { readTrace, TraceError } from '../../engine/trace/reader.js';
import { checkEmbeddedSource, envelopeOf, firstDivergence, replayTrace } from '../../engine/trace/replay.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { displayPath, readText, styleFor } from '../io.js';

export function replayCommand(path: string, options: { rerun?: boolean; json?: boolean }): number {
  const file = displayPath(path);
  const trace = readTrace(readText(path), file);
  checkEmbeddedSource(trace, file);
  const replayed = replayTrace(trace, file);
  let rerun: { events: number } | null = null;
  if (options.rerun === true) rerun = rerunTrace(trace, file);
  const style = styleFor(process.stdout);
  const summary = {
    trace: file,
    scenario: trace.header.scenario.title,
    variant: trace.header.variant,
    events: replayed.events,
    stateChecks: replayed.stateChecks,
    finalStateHash: trace.footer.finalStateHash,
    rerun: rerun !== null,
    passed: trace.footer.passed,
  };
  if (options.json === true) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    process.stdout.write(
      `${style.green('✓')} ${file}: ${replayed.events} events replay to the recorded final state ${trace.footer.finalStateHash.slice(0, 16)}…` +
        ` (${replayed.stateChecks} step states checked)\n` +
        (rerun === null ? '' : `${style.green('✓')} re-running "${trace.header.scenario.title}" reproduces all ${rerun.events} events exactly\n`) +
        `  the recorded run ${trace.footer.passed ? 'passed' : 'failed'}: ${trace.footer.failures.length} failed expectation(s), ${trace.footer.violations.length} violation(s)\n`,
    );
  }
  return 0;
}


function rerunTrace(trace: ReturnType<typeof readTrace>, file: string): { events: number } {
  const files = trace.header.scenario.files;
  const loaded = loadScenario(trace.header.scenario.file, (path, from) => {
    const wanted = from === null ? path : join(dirname(from.source), path);
    const found = files.find((f) => f.file === wanted);
    if (found === undefined) throw new ScenarioError('E_TRACE', `the trace does not embed ${wanted}`);
    return found;
  });
  const plan = compileScenario(loaded, trace.header.variant);
  const seeded = { ...plan, seed: trace.header.seed, config: trace.header.config };
  const events: Envelope[] = [];
  runPlan(seeded, { onEngine: (engine) => engine.events$.subscribe((e) => events.push(e)) });
  const at = firstDivergence(trace.events, events);
  if (at >= 0) {
    const line = trace.eventLines[at] ?? trace.eventLines.length + 1;
    const recorded = trace.events[at];
    const fresh = events[at];
    const notes =
      recorded === undefined
        ? [`the re-run goes on with ${fresh!.type}; the trace ends here`]
        : fresh === undefined
          ? [`the trace goes on with ${recorded.type}; the re-run ends here`]
          : differences(envelopeOf(recorded), fresh).slice(0, 6);
    throw new TraceError(file, line, `re-running the scenario diverges at event ${at}`, notes);
  }
  return { events: events.length };
}

/** The fields where two events differ, e.g. `data.value: "0x41" → "0x42"`. */
function differences(recorded: unknown, fresh: unknown, path = ''): string[] {
  if (canonicalJson(recorded) === canonicalJson(fresh)) return [];
  const bothObjects = recorded !== null && fresh !== null && typeof recorded === 'object' && typeof fresh === 'object';
  if (!bothObjects || Array.isArray(recorded) !== Array.isArray(fresh)) {
    return [`${path === '' ? 'the event' : path}: recorded ${short(canonicalJson(recorded ?? null))}, re-run ${short(canonicalJson(fresh ?? null))}`];
  }
  const keys = [...new Set([...Object.keys(recorded as object), ...Object.keys(fresh as object)])].sort();
  return keys.flatMap((key) =>
    differences((recorded as Record<string, unknown>)[key], (fresh as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`),
  );
}

function short(text: string): string {
  return text.length > 120 ? text.slice(0, 119) + '…' : text;
}
