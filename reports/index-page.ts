/**
 * The index page `isolab run --report DIR` writes beside the reports: every scenario
 * with the concepts it teaches, its variants and their verdicts, each linking to its
 * report. Static HTML (no script at all), a strict Content-Security-Policy, every
 * string escaped.
 */
import { ENGINE_VERSION } from '../engine/core/version.js';
import { cspHash, escapeHtml } from './build.js';

export interface IndexEntry {
  readonly title: string;
  readonly file: string;
  /** The report's file name, relative to the index. */
  readonly report: string;
  readonly concepts: readonly number[];
  readonly runs: readonly { readonly variant: string; readonly passed: boolean; readonly expectations: string; readonly violations: number }[];
}

const STYLE = [
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2228}',
  'h1{font-size:1.5rem;margin:0 0 .25rem}p.lead{color:#5a6470;margin:0 0 1.5rem}',
  'table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}',
  'th{font-weight:600;color:#3b4450}td.file{font-family:ui-monospace,monospace;font-size:12px;color:#5a6470}',
  '.pass{color:#17803d}.fail{color:#b42318;font-weight:600}ul.runs{list-style:none;margin:0;padding:0}',
  'a{color:#1a56db}footer{margin-top:2rem;color:#5a6470;font-size:12px}',
].join('');

export function buildIndexHtml(entries: readonly IndexEntry[], title = 'isolab: the bundled scenarios'): string {
  const passed = entries.flatMap((e) => e.runs).filter((r) => r.passed).length;
  const total = entries.flatMap((e) => e.runs).length;
  const rows = entries.map((entry) => {
    const runs = entry.runs
      .map((run) => `<li><span class="${run.passed ? 'pass' : 'fail'}">${run.passed ? 'pass' : 'FAIL'}</span> ${escapeHtml(run.variant)} — ${escapeHtml(run.expectations)} expectations, ${run.violations} violation${run.violations === 1 ? '' : 's'}</li>`)
      .join('');
    return [
      '<tr>',
      `<td><a href="${escapeHtml(encodeURI(entry.report))}">${escapeHtml(entry.title)}</a></td>`,
      `<td class="file">${escapeHtml(entry.file)}</td>`,
      `<td>${entry.concepts.join(', ')}</td>`,
      `<td><ul class="runs">${runs}</ul></td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspHash(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="lead">${passed} of ${total} runs pass. Each scenario's report shows its steps, a timeline of every event and the machine's state at any point.</p>`,
    '<table>',
    '<thead><tr><th>scenario</th><th>file</th><th>concepts</th><th>runs</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
    `<footer>Written by isolab ${escapeHtml(ENGINE_VERSION)}.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
