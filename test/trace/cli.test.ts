// Proves the trace commands end to end through the built CLI: `isolab diff` exits 0 for identical runs, 1 for different ones and 2 for an unreadable or corrupt trace, and prints the same as JSON; `isolab export --format chrome` writes valid JSON to stdout or atomically to a file and refuses unknown formats; `isolab run --matrix` diffs every variant combination against the first and exits as `run` does.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TraceDiff } from '../../engine/trace/diff.js';
import { ROOT } from './helpers.js';
import { isolab, type CliResult } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const MISSING_FLUSH = join(ROOT, 'scenarios', 'tlb', 'missing-flush.isl');

function expectBadInput(result: CliResult, ...fragments: readonly string[]): void {
  expect(result.stderr, 'a stack frame was printed').not.toContain('    at ');
  expect(result.stderr).not.toContain('internal error');
  expect(result.status, `expected exit 2; stderr was:\n${result.stderr}`).toBe(2);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

let dir = '';
const trace = (variant: string) => join(dir, 'traces', `tlb--missing-flush--${variant}.trace`);

beforeAll(() => {
  expect(existsSync(CLI), 'build first: node scripts/build.mjs').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'isolab-trace-cli-'));
  const run = isolab(['run', MISSING_FLUSH, '--quiet', '--trace', join(dir, 'traces') + '/']);
  expect(run.status, run.stderr).toBe(0);
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('isolab diff', () => {
  it('exits 0 and says so when the runs are identical', () => {
    const result = isolab(['diff', trace('flush=off,pcid=on'), trace('flush=off,pcid=on')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('= the runs are identical');
    expect(result.stdout).not.toContain('First divergence');
  });

  it('exits 1 and prints the headline, the divergence, the changes by actor and what changes for the user', () => {
    const result = isolab(['diff', trace('flush=off,pcid=on'), trace('flush=on,pcid=on')]);
    expect(result.status, result.stderr).toBe(1);
    const out = result.stdout;
    expect(out).toContain('A missing TLB flush on context switch');
    expect(out).toMatch(/A {2}.*flush=off,pcid=on\.trace {2}seed 0 {2}\[flush=off pcid=on\]/);
    expect(out).toContain('≠ the runs differ');
    expect(out).toMatch(/First divergence: event \d+ of A, event \d+ of B/);
    expect(out).toContain('kernel.booted differs in switchPolicy.flushOnReuse: false → true');
    expect(out).toMatch(/Changes by actor\n {2}actor +changed +only in A +only in B/);
    expect(out).toMatch(/- A \d+ +observer\.secretLeaked +attacker learns pin/);
    expect(out).toMatch(/~ A \d+ → B \d+ +kernel\.switched +flushed: false → true/);
    expect(out).toContain('What changes for the user');
    expect(out).toMatch(/secrets leaked only in A\n {4}pin {2}at line 32: attacker: read 0x400000 size 4/);
    expect(out).toContain('A ✓  B ·  line 32: attacker: read 0x400000 size 4 — leak pin');
    expect(out).not.toMatch(/\x1b\[/); // NO_COLOR
  });

  it('--json prints the TraceDiff', () => {
    const result = isolab(['diff', trace('flush=off,pcid=on'), trace('flush=on,pcid=on'), '--json']);
    expect(result.status).toBe(1);
    const diff = JSON.parse(result.stdout) as TraceDiff;
    expect(Object.keys(diff)).toEqual(['a', 'b', 'identical', 'divergence', 'changes', 'verdictFlips', 'leaks', 'faults', 'approximate']);
    expect(diff.identical).toBe(false);
    expect(diff.leaks.onlyA).toEqual([{ line: 32, step: 'attacker: read 0x400000 size 4', what: 'pin' }]);
    expect(isolab(['diff', trace('flush=on,pcid=on'), trace('flush=on,pcid=on'), '--json']).status).toBe(0);
  });

  it('exits 2 on a missing file and on a corrupt trace, naming the line', () => {
    expectBadInput(isolab(['diff', join(dir, 'nope.trace'), trace('flush=on,pcid=on')]), 'cannot read', 'no such file');
    const corrupt = join(dir, 'corrupt.trace');
    const lines = readFileSync(trace('flush=on,pcid=on'), 'utf8').split('\n');
    lines[5] = lines[5]!.replace('"tick":0', '"tick":1');
    writeFileSync(corrupt, lines.join('\n'));
    expectBadInput(isolab(['diff', trace('flush=on,pcid=on'), corrupt]), 'error[E_TRACE]', 'line 6 fails its hash check');
  });
});

describe('isolab export', () => {
  it('--format chrome prints Chrome Trace Event JSON on stdout', () => {
    const result = isolab(['export', '--format', 'chrome', trace('flush=off,pcid=on')]);
    expect(result.status, result.stderr).toBe(0);
    const chrome = JSON.parse(result.stdout) as { traceEvents: { ph: string; name: string }[]; metadata: { variant: unknown } };
    expect(chrome.metadata.variant).toEqual({ flush: 'off', pcid: 'on' });
    expect(chrome.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name')).toHaveLength(9);
  });

  it('-o writes the same JSON to a file atomically, leaving no temporary file behind', () => {
    const out = join(dir, 'export', 'chrome.json');
    rmSync(join(dir, 'export'), { recursive: true, force: true });
    isolab(['run', MISSING_FLUSH, '--quiet', '--variant', 'flush=off', '--variant', 'pcid=on', '--trace', join(dir, 'export', 'run.trace')]);
    const result = isolab(['export', '--format', 'chrome', join(dir, 'export', 'run.trace'), '-o', out]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('wrote');
    expect(readFileSync(out, 'utf8')).toBe(isolab(['export', '--format', 'chrome', trace('flush=off,pcid=on')]).stdout);
    expect(readdirSync(join(dir, 'export')).sort()).toEqual(['chrome.json', 'run.trace']);
  });

  it('an unknown format is bad input that names the known ones; so is a missing --format or an unwritable -o', () => {
    expectBadInput(isolab(['export', '--format', 'chrom', trace('flush=on,pcid=on')]), '"chrom" is not an export format (known formats: chrome)', 'did you mean "chrome"?');
    expectBadInput(isolab(['export', trace('flush=on,pcid=on')]), "required option '--format <format>'");
    expectBadInput(isolab(['export', '--format', 'chrome', trace('flush=on,pcid=on'), '-o', join(dir, 'missing', 'x.json')]), 'does not exist');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('a corrupt trace is bad input, and nothing is written', () => {
    const corrupt = join(dir, 'truncated.trace');
    writeFileSync(corrupt, readFileSync(trace('flush=on,pcid=on'), 'utf8').split('\n').slice(0, 20).join('\n') + '\n');
    expectBadInput(isolab(['export', '--format', 'chrome', corrupt, '-o', join(dir, 'never.json')]), 'truncated');
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });
});

const FAILS_WHEN_OFF = `scenario "fails when off"
variant guard: on | off
machine {
  cpu x86_64 { nx: $guard }
}
process victim { uid: 1000, catch: SIGSEGV }
victim: map 0x400000 size 4 KiB rw user
victim: write 0x400000 = 0xc3
victim: jump 0x400000 expect fault #PF(present, user, fetch), signal SIGSEGV
`;

describe('isolab run --matrix', () => {
  it('prints the verdict table, then each combination against the first, and exits 0 when every run passes', () => {
    const result = isolab(['run', '--matrix', MISSING_FLUSH, '--quiet']);
    expect(result.status, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('all 4 runs pass');
    expect(out).toContain('Differences against [flush=on pcid=on]  scenarios/tlb/missing-flush.isl');
    expect(out).toMatch(/\[flush=off pcid=on\] against \[flush=on pcid=on\]: differs from event \d+ \(kernel\.booted\); \d+ → \d+ events/);
    expect(out).toMatch(/secrets leaked only in flush=off pcid=on\n +pin {2}at line 32: attacker: read 0x400000 size 4/);
    expect(out.match(/\] against \[flush=on pcid=on\]/g)).toHaveLength(3);
  });

  it('--json adds each diff; with --trace the traces are written as for run', () => {
    const traces = join(dir, 'matrix-traces');
    const result = isolab(['run', '--matrix', MISSING_FLUSH, '--json', '--trace', traces]);
    expect(result.status, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { passed: boolean; runs: unknown[]; diffs: { file: string; base: unknown; variant: unknown; diff: TraceDiff }[] };
    expect(json.runs).toHaveLength(4);
    expect(json.diffs.map((d) => d.variant)).toEqual([{ flush: 'on', pcid: 'off' }, { flush: 'off', pcid: 'on' }, { flush: 'off', pcid: 'off' }]);
    expect(json.diffs.every((d) => JSON.stringify(d.base) === JSON.stringify({ flush: 'on', pcid: 'on' }))).toBe(true);
    expect(json.diffs[1]!.diff.leaks.onlyB).toEqual([{ line: 32, step: 'attacker: read 0x400000 size 4', what: 'pin' }]);
    expect(readdirSync(traces)).toHaveLength(4);
    // The in-memory diff is the diff of the written traces.
    const fromFiles = isolab(['diff', join(traces, 'tlb--missing-flush--flush=on,pcid=on.trace'), join(traces, 'tlb--missing-flush--flush=off,pcid=on.trace'), '--json']);
    expect(JSON.parse(fromFiles.stdout)).toEqual(json.diffs[1]!.diff);
  });

  it('exits 1 when a combination fails, and shows the verdict that flips', () => {
    const file = join(dir, 'fails-when-off.isl');
    writeFileSync(file, FAILS_WHEN_OFF);
    const result = isolab(['run', '--matrix', file, '--quiet']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('1 of 2 runs fail');
    expect(result.stdout).toMatch(/verdicts that flip\n +guard=on ✓ {2}guard=off ✗ {2}line 9: victim: jump 0x400000 — fault #PF\(present, user, fetch\)/);
    expect(result.stdout).toContain('faults only in guard=on');
  });

  it('a missing --matrix file is bad input', () => {
    expectBadInput(isolab(['run', '--matrix', join(dir, 'nope.isl')]), 'cannot read');
  });
});
