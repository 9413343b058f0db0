// Proves that a report is one self-contained, locked-down HTML file built from traces alone: its Content-Security-Policy allows exactly its own inline script and style, it names no URL, its embedded payload decodes back to the traces' events, no scenario string appears in it raw, and it carries the diff of two runs and the matrix of variant runs.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ParsedTrace } from '../../engine/trace/reader.js';
import { envelopeOf } from '../../engine/trace/replay.js';
import { buildReportHtml, escapeHtml, payloadOfHtml, readReportAssets, reportPayloadOf, type ReportInput } from '../../reports/build.js';
import { decodeEvents } from '../../reports/payload.js';
import { MISSING_FLUSH, WORKED_WALK, XSS, XSS_PAYLOADS, recordScenario, type RecordedTrace } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let walk: RecordedTrace[];
let flush: RecordedTrace[];
let xss: RecordedTrace[];

const inputsOf = (traces: readonly RecordedTrace[], name: string): ReportInput[] => traces.map((t, i) => ({ file: `${name}-${i}.trace`, trace: t.trace }));

beforeAll(() => {
  walk = recordScenario(WORKED_WALK, { wp: 'on' });
  flush = recordScenario(MISSING_FLUSH);
  xss = recordScenario(XSS);
});

/** The text of every element of a kind, with its attributes. */
function elements(html: string, tag: 'script' | 'style'): { attributes: string; text: string }[] {
  return [...html.matchAll(new RegExp(`<${tag}([^>]*)>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => ({ attributes: m[1]!, text: m[2]! }));
}

function cspOf(html: string): Map<string, string[]> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  expect(match, 'the report has a CSP meta element').not.toBeNull();
  return new Map(
    match![1]!
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the HTML', () => {
  it('has a CSP whose hashes match its one inline script and its one inline style exactly', () => {
    const html = buildReportHtml(inputsOf(walk, 'walk'));
    const scripts = elements(html, 'script');
    const executable = scripts.filter((s) => !/\btype=/.test(s.attributes));
    const styles = elements(html, 'style');
    expect(executable).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const csp = cspOf(html);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual([sha256(executable[0]!.text)]);
    expect(csp.get('style-src')).toEqual([sha256(styles[0]!.text)]);
    expect(csp.get('img-src')).toEqual(['data:']);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(html).not.toContain('unsafe-inline');
    // The CSP must come before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('names no http(s) URL and loads nothing: no src, no external href', () => {
    const html = buildReportHtml(inputsOf(flush, 'flush'));
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\ssrc=/i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['data:,']);
  });

  it('embeds the client built by scripts/build.mjs', () => {
    const assets = readReportAssets();
    const html = buildReportHtml(inputsOf(walk, 'walk'), { assets });
    expect(html).toContain(`<script>${assets.script}</script>`);
    expect(html).toContain(`<style>${assets.style}</style>`);
  });

  it('escapes a --title and shows no scenario string outside the payload', () => {
    const html = buildReportHtml(inputsOf(walk, 'walk'), { title: 'walks <b>&</b> "tables"' });
    expect(html).toContain('<title>walks &#60;b&#62;&#38;&#60;/b&#62; &#34;tables&#34;</title>');
    expect(html).not.toContain(walk[0]!.trace.header.scenario.title);
    expect(escapeHtml(`<>&"'`)).toBe('&#60;&#62;&#38;&#34;&#39;');
  });

  it('refuses inline code that would end its element early', () => {
    const assets = readReportAssets();
    expect(() => buildReportHtml(inputsOf(walk, 'walk'), { assets: { ...assets, script: 'let s = "</script>";' } })).toThrow(/break out/);
    expect(() => buildReportHtml(inputsOf(walk, 'walk'), { assets: { ...assets, style: 'a{} </STYLE>' } })).toThrow(/break out/);
  });

  it('needs at least one trace', () => {
    expect(() => buildReportHtml([])).toThrow(/at least one trace/);
  });
});

describe('script-injection payloads in scenario strings', () => {
  it('are in the trace, in its title, about text, secret, region and steps', () => {
    const text = xss[0]!.text;
    for (const payload of XSS_PAYLOADS) expect(text).toContain(JSON.stringify(payload).slice(1, -1));
    expect(xss[0]!.trace.header.scenario.title).toContain('</script><script>');
  });

  it('never appear raw in the HTML', () => {
    const html = buildReportHtml(inputsOf(xss, 'xss'));
    for (const payload of [...XSS_PAYLOADS, '</script><script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', 'window.__xss']) {
      expect(html, payload).not.toContain(payload);
    }
    // Two script elements: the payload's data block and the client; nothing else.
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html).not.toMatch(/<img|<svg|onerror|onload/i);
  });

  it('survive the round trip through the payload unchanged', () => {
    const payload = payloadOfHtml(buildReportHtml(inputsOf(xss, 'xss')));
    expect(payload.runs[0]!.header.scenario.title).toBe(xss[0]!.trace.header.scenario.title);
  });
});

describe('the payload', () => {
  function expectRoundTrip(trace: ParsedTrace, decoded: ReturnType<typeof payloadOfHtml>['runs'][number]): void {
    expect(decodeEvents(decoded.events)).toEqual(trace.events.map(envelopeOf));
    expect(decoded.header).toEqual(trace.header);
    expect(decoded.footer).toEqual(trace.footer);
    expect(decoded.header).not.toHaveProperty('hash');
  }

  it('decodes (base64, gunzip, JSON) back to every trace: header, events and footer', () => {
    const payload = payloadOfHtml(buildReportHtml(inputsOf(flush, 'flush')));
    expect(payload.format).toBe('isolab-report');
    expect(payload.version).toBe(1);
    expect(payload.runs).toHaveLength(flush.length);
    flush.forEach((recorded, i) => {
      expectRoundTrip(recorded.trace, payload.runs[i]!);
      expect(payload.runs[i]!.file).toBe(`flush-${i}.trace`);
    });
  });

  it('holds the diff of exactly two runs, and no diff otherwise', () => {
    const two = reportPayloadOf(inputsOf([flush.find((t) => t.variant.flush === 'on' && t.variant.pcid === 'on')!, flush.find((t) => t.variant.flush === 'off' && t.variant.pcid === 'on')!], 'pair'));
    expect(two.diffs).toHaveLength(1);
    const diff = two.diffs[0]!.diff;
    expect(diff.identical).toBe(false);
    expect(diff.leaks.onlyB.map((fact) => fact.what)).toContain('pin');
    expect(diff.verdictFlips.length).toBeGreaterThan(0);
    expect(reportPayloadOf(inputsOf(flush, 'flush')).diffs).toEqual([]);
    expect(reportPayloadOf(inputsOf(walk, 'walk')).diffs).toEqual([]);
    expect(reportPayloadOf(inputsOf(flush.slice(0, 2), 'pair'), { diff: null }).diffs).toEqual([]);
  });

  it('holds the variant matrix: only the run without flush and with PCIDs lets the attack through', () => {
    const payload = reportPayloadOf(inputsOf(flush, 'flush'));
    expect(payload.matrix).not.toBeNull();
    const [group] = payload.matrix!.groups;
    expect(group!.axes).toEqual(['flush', 'pcid']);
    expect(group!.rows).toHaveLength(1);
    const cells = group!.rows[0]!.cells;
    expect(cells).toHaveLength(4);
    const byLabel = new Map(group!.columns.map((column, i) => [column.label, cells[i]!]));
    expect(byLabel.get('flush=off pcid=on')).toMatchObject({ outcome: 'succeeded', leaks: ['pin'], violations: 3 });
    for (const label of ['flush=on pcid=on', 'flush=on pcid=off', 'flush=off pcid=off']) {
      expect(byLabel.get(label), label).toMatchObject({ outcome: 'blocked', leaks: [], violations: 0, passed: true });
    }
    for (const cell of cells) expect(flush[cell!.run]!.variant).toEqual(group!.columns[cells.indexOf(cell)]!.variant);
    expect(reportPayloadOf(inputsOf(walk, 'walk')).matrix).toBeNull();
  });

  it('stays small: well under 300 bytes of HTML per event beyond the client', () => {
    const inputs = inputsOf(flush, 'flush');
    const html = buildReportHtml(inputs);
    const assets = readReportAssets();
    const events = flush.reduce((sum, t) => sum + t.trace.events.length, 0);
    const perEvent = (html.length - assets.script.length - assets.style.length) / events;
    expect(perEvent).toBeLessThan(300);
  });
});
