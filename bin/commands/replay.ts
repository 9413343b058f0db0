/**
 * `isolab replay TRACE [--rerun]`: checks the hash chain, folds the events and compares
 * every recorded state hash; with --rerun, compiles the embedded scenario again and
 * compares the new run event by event. Names the first corrupt or divergent line.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import { canonicalJson } from '../../engine/core/canonical.js';
import type { Envelope } from '../../engine/core/decider.js';
import { runPlan } from '../../engine/scenario/run.js';
import { readTrace, TraceError } from '../../engine/trace/reader.js';
import { envelopeOf, firstDivergence, replayTrace } from '../../engine/trace/replay.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { displayPath, readText, styleFor } from '../io.js';

export function replayCommand(path: string, options: { rerun?: boolean; json?: boolean }): number {
  const file = displayPath(path);
  const trace = readTrace(readText(path), file);
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
    const wanted = from === null ? path : joinImport(from.source, path);
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
    throw new TraceError(file, line, `re-running the scenario diverges at event ${at} (line ${line})`, [
      `recorded: ${recorded === undefined ? '(nothing: the trace ends here)' : short(canonicalJson(envelopeOf(recorded)))}`,
      `re-run:   ${fresh === undefined ? '(nothing: the re-run ends here)' : short(canonicalJson(fresh))}`,
    ]);
  }
  return { events: events.length };
}

function joinImport(importer: string, path: string): string {
  const dir = importer.includes('/') ? importer.slice(0, importer.lastIndexOf('/')) : '.';
  const parts = `${dir}/${path}`.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '.' || part === '') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function short(text: string): string {
  return text.length > 160 ? text.slice(0, 159) + '…' : text;
}
