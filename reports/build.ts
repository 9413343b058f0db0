/**
 * Writes a report: one self-contained HTML file built from traces alone. It embeds
 *
 * - the payload (reports/payload.ts): JSON, gzip-compressed, base64-encoded in a data
 *   block (`<script type="application/x-isolab-report">`), which the browser never runs
 *   and which, being base64, cannot hold `</script>` or any markup;
 * - the client (dist/reports/client.js, bundled by scripts/build.mjs) and its style
 *   sheet, inline;
 * - a Content-Security-Policy that allows exactly that script and that style (by their
 *   SHA-256) and nothing else: no network, no other script, no plugin, no form.
 *
 * No scenario string appears in the HTML outside the payload; the client renders every
 * string with DOM text APIs. The page makes no request: even the favicon is a data URL.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ENGINE_VERSION } from '../engine/core/version.js';
import type { TraceDiff } from '../engine/trace/diff-types.js';
import { diffTraces } from '../engine/trace/diff.js';
import type { ParsedTrace } from '../engine/trace/reader.js';
import { matrixOf } from './matrix.js';
import { REPORT_FORMAT, REPORT_VERSION, encodeEvents, payloadProblem, type DiffPayload, type ReportPayload, type RunPayload } from './payload.js';

export interface ReportInput {
  /** The trace file, as the report should name it. */
  readonly file: string;
  readonly trace: ParsedTrace;
}

/** The client's code and style sheet, as the page inlines them. */
export interface ReportAssets {
  readonly script: string;
  readonly style: string;
}

export interface ReportOptions {
  /** The report's title; by default the client shows the scenarios' titles. */
  readonly title?: string | null;
  /**
   * Compares two traces when the report holds exactly two (the diff view shows the
   * result): diffTraces (engine/trace/diff.ts) unless given; null for no diff view.
   */
  readonly diff?: ((a: ParsedTrace, b: ParsedTrace) => TraceDiff) | null;
  /** The client; read from dist/reports/ when not given. */
  readonly assets?: ReportAssets;
}

/** The id of the element that holds the payload, shared with the client. */
export const PAYLOAD_ELEMENT_ID = 'isolab-payload';
export const PAYLOAD_MEDIA_TYPE = 'application/x-isolab-report';

/** The payload of a report on these traces. */
export function reportPayloadOf(inputs: readonly ReportInput[], options: ReportOptions = {}): ReportPayload {
  if (inputs.length === 0) throw new Error('a report needs at least one trace');
  const runs: RunPayload[] = inputs.map(({ file, trace }) => ({
    file,
    header: withoutHash(trace.header),
    footer: withoutHash(trace.footer),
    events: encodeEvents(trace.events),
  }));
  const diffs: DiffPayload[] = [];
  const diff = options.diff === undefined ? diffTraces : options.diff;
  if (inputs.length === 2 && diff !== null) diffs.push({ a: 0, b: 1, diff: diff(inputs[0]!.trace, inputs[1]!.trace) });
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title: options.title ?? null,
    engine: ENGINE_VERSION,
    runs,
    diffs,
    matrix: matrixOf(inputs.map((input) => input.trace)),
  };
}

/** A header or footer as the trace reader returns it has no hash; a hand-built one might. */
function withoutHash<T extends object>(line: T): T {
  if (!('hash' in line)) return line;
  const { hash: _hash, ...rest } = line as T & { hash: unknown };
  return rest as T;
}

/** gzip, then base64: the form the page embeds. */
export function encodePayload(payload: ReportPayload): string {
  return gzipSync(Buffer.from(JSON.stringify(payload), 'utf8'), { level: 6 }).toString('base64');
}

/** The inverse of `encodePayload`, for tests and tools; checks the payload's shape. */
export function decodePayload(base64: string): ReportPayload {
  const value: unknown = JSON.parse(gunzipSync(Buffer.from(base64, 'base64')).toString('utf8'));
  const problem = payloadProblem(value);
  if (problem !== null) throw new Error(problem);
  return value as ReportPayload;
}

/** The payload embedded in a report's HTML. */
export function payloadOfHtml(html: string): ReportPayload {
  const match = new RegExp(`<script type="${PAYLOAD_MEDIA_TYPE}" id="${PAYLOAD_ELEMENT_ID}">([A-Za-z0-9+/=]*)</script>`).exec(html);
  if (match === null) throw new Error('the HTML holds no isolab report payload');
  return decodePayload(match[1]!);
}

/** `sha256-…` of a text as CSP hash sources spell it. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(assets: ReportAssets): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(assets.script)}`,
    `style-src ${cspHash(assets.style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The bundled client next to this module (dist/reports/) or, from the sources, in dist/. */
export function readReportAssets(): ReportAssets {
  const candidates = ['./', '../dist/reports/'].map((dir) => new URL(dir, import.meta.url));
  for (const dir of candidates) {
    const script = fileURLToPath(new URL('client.js', dir));
    const style = fileURLToPath(new URL('client.css', dir));
    if (existsSync(script) && existsSync(style)) return { script: readFileSync(script, 'utf8'), style: readFileSync(style, 'utf8') };
  }
  throw new Error('the report client is not built (dist/reports/client.js): run `node scripts/build.mjs`');
}

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline code must not end its element early or open an HTML comment inside it. */
function assertInlineSafe(text: string, element: 'script' | 'style'): void {
  if (new RegExp(`</${element}|<!--`, 'i').test(text)) {
    throw new Error(`the report's inline ${element} contains "</${element}" or "<!--": it would break out of its element`);
  }
}

/** The report on 1..N traces, as one HTML document. */
export function buildReportHtml(inputs: readonly ReportInput[], options: ReportOptions = {}): string {
  const assets = options.assets ?? readReportAssets();
  assertInlineSafe(assets.script, 'script');
  assertInlineSafe(assets.style, 'style');
  const payload = encodePayload(reportPayloadOf(inputs, options));
  const title = options.title ?? 'isolab report';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(assets)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="isolab ${escapeHtml(ENGINE_VERSION)}">`,
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${assets.style}</style>`,
    '</head>',
    '<body>',
    '<noscript>This isolab report needs JavaScript to show its runs.</noscript>',
    '<div id="app" aria-live="polite"><p class="loading">Loading the report…</p></div>',
    `<script type="${PAYLOAD_MEDIA_TYPE}" id="${PAYLOAD_ELEMENT_ID}">${payload}</script>`,
    `<script>${assets.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
