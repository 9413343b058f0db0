// Proves `isolab report` end to end: it writes one HTML report of one or more traces and exits 0, and treats a corrupt trace, a missing -o, an unreadable trace or an unwritable destination as bad input (exit 2, a located message, no stack trace, no file left behind).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { payloadOfHtml } from '../../reports/build.js';
import { MISSING_FLUSH, ROOT, recordScenario, writeTraces } from './helpers.js';
import { isolab, type CliResult } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');

function expectBadInput(result: CliResult, ...fragments: readonly string[]): void {
  expect(result.stderr, 'a stack frame was printed').not.toContain('    at ');
  expect(result.stderr).not.toContain('internal error');
  expect(result.status, `expected exit 2; stderr was:\n${result.stderr}`).toBe(2);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

describe.skipIf(!existsSync(CLI))('isolab report', () => {
  let directory: string;
  let traces: string[];

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'isolab-report-cli-'));
    traces = writeTraces(directory, 'missing-flush', recordScenario(MISSING_FLUSH, { pcid: 'on' }));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes one report of two traces, with their diff, and says so', () => {
    const out = join(directory, 'pair.html');
    const result = isolab(['report', ...traces, '-o', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^✓ wrote .*pair\.html: 2 runs, \d+ events, [\d.]+ KiB, with the diff of the two runs\n$/);
    const payload = payloadOfHtml(readFileSync(out, 'utf8'));
    expect(payload.runs.map((run) => run.header.variant)).toEqual([
      { flush: 'on', pcid: 'on' },
      { flush: 'off', pcid: 'on' },
    ]);
    expect(payload.diffs).toHaveLength(1);
  });

  it('prints a machine-readable summary with --json and takes a --title', () => {
    const out = join(directory, 'one.html');
    const result = isolab(['report', traces[0]!, '--output', out, '--title', 'TLB lesson', '--json']);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ runs: 1, diff: false });
    expect(summary.bytes).toBe(readFileSync(out).length);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>TLB lesson</title>');
    expect(payloadOfHtml(html).title).toBe('TLB lesson');
  });

  it('refuses a corrupt trace, naming the line, and writes nothing', () => {
    const lines = readFileSync(traces[1]!, 'utf8').split('\n');
    lines[40] = lines[40]!.replace(/"tick":(\d+)/, (_m, tick: string) => `"tick":${Number(tick) + 1}`);
    const corrupt = join(directory, 'corrupt.trace');
    writeFileSync(corrupt, lines.join('\n'));
    const out = join(directory, 'corrupt.html');
    expectBadInput(isolab(['report', traces[0]!, corrupt, '-o', out]), 'error[E_TRACE]', 'line 41 fails its hash check');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('needs -o', () => {
    expectBadInput(isolab(['report', traces[0]!]), "required option '-o, --output <file>'");
  });

  it('reports an unreadable trace and an unwritable destination as bad input', () => {
    expectBadInput(isolab(['report', join(directory, 'missing.trace'), '-o', join(directory, 'x.html')]), 'error[E_READ]', 'no such file');
    expectBadInput(isolab(['report', traces[0]!, '-o', join(directory, 'no', 'such', 'dir', 'x.html')]), 'error[E_WRITE]', 'does not exist');
    expectBadInput(isolab(['report', traces[0]!, '-o', directory]), 'is a directory');
  });
});
