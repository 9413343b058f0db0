/**
 * `isolab export --format chrome TRACE [-o OUT]`: converts a trace for another tool. The
 * only format so far is `chrome`, Chrome Trace Event JSON for Perfetto (ui.perfetto.dev)
 * and chrome://tracing. With -o the file is written atomically (a temporary name renamed
 * when complete); without it, the JSON goes to stdout. An unknown format is bad input.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import { chromeTraceJson } from '../../engine/trace/export-chrome.js';
import { readTrace, type ParsedTrace } from '../../engine/trace/reader.js';
import { nearest } from '../../dsl/suggest.js';
import { displayPath, readText, writeAtomically } from '../io.js';

const EXPORTERS: Readonly<Record<string, (trace: ParsedTrace) => string>> = {
  chrome: (trace) => chromeTraceJson(trace),
};

export const EXPORT_FORMATS: readonly string[] = Object.keys(EXPORTERS);

export function exportCommand(path: string, options: { format: string; output?: string }): number {
  const exporter = EXPORTERS[options.format];
  if (exporter === undefined) {
    const suggestion = nearest(options.format, EXPORT_FORMATS);
    throw new ScenarioError('E_OPTION', `--format ${JSON.stringify(options.format)} is not an export format (known formats: ${EXPORT_FORMATS.join(', ')})`, null, [
      ...(suggestion === null ? [] : [`did you mean "${suggestion}"?`]),
    ]);
  }
  const file = displayPath(path);
  const text = exporter(readTrace(readText(path), file));
  if (options.output === undefined) process.stdout.write(text);
  else {
    writeAtomically(options.output, text);
    process.stderr.write(`wrote ${displayPath(options.output)} (${options.format} trace of ${file}); open it at https://ui.perfetto.dev or chrome://tracing\n`);
  }
  return 0;
}
