/**
 * `isolab report TRACE… -o OUT.html [--title T] [--json]`: one self-contained HTML report
 * of one or more traces (reports/build.ts). Each trace is read and verified first — its
 * hash chain, its embedded scenario's hash, every recorded state — so a corrupt trace is
 * bad input (exit 2, the first bad line named) and never a misleading report. The file
 * is written atomically. Exit 0 once the report is written, whatever the runs' verdicts
 * (the report shows them), as `isolab replay` does.
 */
import { statSync } from 'node:fs';
import { ScenarioError } from '../../engine/core/errors.js';
import { readTrace } from '../../engine/trace/reader.js';
import { checkEmbeddedSource, replayTrace } from '../../engine/trace/replay.js';
import { buildReportHtml, type ReportInput } from '../../reports/build.js';
import { displayPath, readText, styleFor, writeAtomically } from '../io.js';

export interface ReportCommandOptions {
  readonly output?: string;
  readonly title?: string;
  readonly json?: boolean;
}


function readVerified(path: string): ReportInput {
  const file = displayPath(path);
  const trace = readTrace(readText(path), file);
  checkEmbeddedSource(trace, file);
  replayTrace(trace, file);
  return { file, trace };
}

export function reportCommand(traces: string[], options: ReportCommandOptions): number {
  const output = options.output;
  if (output === undefined || output === '') throw new ScenarioError('E_OPTION', 'say where to write the report: -o OUT.html');
  if (traces.length === 0) throw new ScenarioError('E_OPTION', 'give at least one trace (written by isolab run --trace)');
  const inputs = traces.map(readVerified);
  if (existsAsDirectory(output)) throw new ScenarioError('E_OPTION', `-o ${output} is a directory; give the report's file name, e.g. ${output}/report.html`);
  const html = buildReportHtml(inputs, { title: options.title ?? null });
  writeAtomically(output, html);
  const events = inputs.reduce((sum, input) => sum + input.trace.events.length, 0);
  const summary = { output: displayPath(output), runs: inputs.length, events, bytes: Buffer.byteLength(html, 'utf8'), diff: inputs.length === 2 };
  if (options.json === true) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    const style = styleFor(process.stdout);
    process.stdout.write(
      `${style.green('✓')} wrote ${summary.output}: ${summary.runs} run${summary.runs === 1 ? '' : 's'}, ` +
        `${events.toLocaleString('en-US')} events, ${(summary.bytes / 1024).toFixed(1)} KiB` +
        `${summary.diff ? ', with the diff of the two runs' : ''}\n`,
    );
  }
  return 0;
}

function existsAsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
