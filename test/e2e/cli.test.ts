// Proves the isolab command line end to end: every command prints what it promises and exits 0 when everything holds, 1 when an expectation, assertion or invariant fails, and 2 on bad input with a located message and no stack trace, leaving no partial trace behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH } from '../../engine/trace/format.js';
import { chainHash, lineBody } from '../../engine/trace/writer.js';
import { isolab, type CliResult } from '../helpers/cli.js';

// Each test starts the CLI a few times (~0.4 s each); the default 5 s is too tight on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const BUILT = existsSync(CLI);
const NX = join(ROOT, 'scenarios', 'paging', 'nx.isl');
const MISSING_FLUSH = join(ROOT, 'scenarios', 'tlb', 'missing-flush.isl');

/** Runs the built CLI in a child process with colour off, in `cwd` (the repository root unless given). */

const sideEffectFree = new Map<string, CliResult>();

/** `isolab` from the root for a command that writes nothing, run once and shared by the tests that read its output. */
function isolabOnce(args: readonly string[]): CliResult {
  const key = JSON.stringify(args);
  if (!sideEffectFree.has(key)) sideEffectFree.set(key, isolab(args));
  return sideEffectFree.get(key)!;
}

/** Bad input: exit 2, a message on stderr, never a stack frame or an "internal error". */
function expectBadInput(result: CliResult, ...fragments: readonly string[]): void {
  expect(result.stderr, 'a stack frame was printed').not.toContain('    at ');
  expect(result.stderr).not.toContain('internal error');
  expect(result.status, `expected exit 2; stderr was:\n${result.stderr}`).toBe(2);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

interface LocatedError {
  readonly code: string;
  /** file:line:col */
  readonly at: string;
  readonly source: string;
  /** The caret line exactly as printed, gutter included. */
  readonly caret: string;
  readonly notes?: readonly string[];
}

/** A located error: `error[CODE]: file:line:col: message`, the numbered source line, the carets, then notes. */
function expectLocatedError(result: CliResult, expected: LocatedError): void {
  expectBadInput(result);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^error\\[${expected.code}\\]: ${escapeRegExp(expected.at)}: \\S`));
  const lineNumber = expected.at.split(':').at(-2)!;
  expect(lines[1]).toBe(`   ${lineNumber} | ${expected.source}`);
  expect(lines[2]).toBe(expected.caret);
  for (const note of expected.notes ?? []) expect(lines.slice(3)).toContain(`   = note: ${note}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const scratch: string[] = [];

/** A fresh temporary directory, removed after the file's tests. */
function workDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'isolab-e2e-'));
  scratch.push(directory);
  return directory;
}

function writeFixture(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

afterAll(() => {
  for (const directory of scratch) rmSync(directory, { recursive: true, force: true });
});

const PASSING = `scenario "fixture"
process alice { uid: 1000 }
alice: map 0x400000 size 4 KiB rw user
alice: read 0x400000 expect value 0x0
`;

const FAILING = `scenario "fails"
process alice { uid: 1000 }
alice: map 0x400000 size 4 KiB rw user
alice: read 0x400000 expect value 0x41
`;

it('has a built CLI to test (dist/bin/isolab.js)', () => {
  expect(BUILT, `${CLI} is missing: build it with \`node scripts/build.mjs\` (npm test builds first); the CLI tests are skipped without it`).toBe(true);
});

describe.runIf(BUILT)('isolab run', () => {
  it('runs a passing scenario: a header per variant, step lines with outcomes and verdicts, the verdict table, exit 0', () => {
    const result = isolabOnce(['run', 'scenarios/paging/nx.isl']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('▶ NX stops execution of data  scenarios/paging/nx.isl  seed 0  [nx=on]');
    expect(result.stdout).toContain('▶ NX stops execution of data  scenarios/paging/nx.isl  seed 0  [nx=off]');
    expect(result.stdout).toMatch(/^ +17 {2}victim: jump 0x600000 +→ #PF\(present, user, fetch\) at 0x600000: .*SIGSEGV/m);
    expect(result.stdout).toMatch(/^ +✓ fault #PF\(present, user, fetch\) {2}✓ signal SIGSEGV$/m);
    expect(result.stdout).toContain('  ✓ 3/3 expectations hold, 0 invariant violations, ');
    expect(result.stdout).toMatch(/^scenario +variant +expectations +violations +verdict *$/m);
    expect(result.stdout).toMatch(/^NX stops execution of data +nx=on +3\/3 +0 +pass *$/m);
    expect(result.stdout).toMatch(/^NX stops execution of data +nx=off +2\/2 +0 +pass *$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('all 2 runs pass');
  });

  it('shows an expectation × variant matrix when a scenario has several variants', () => {
    const result = isolabOnce(['run', 'scenarios/paging/nx.isl']);
    expect(result.stdout).toMatch(/^expectation +nx=on +nx=off *$/m);
    expect(result.stdout).toMatch(/^17: victim: jump 0x600000 — signal SIGSEGV +✓ +· *$/m);
  });

  it('fails a scenario whose expectation does not hold: the ✗ reason, a FAIL row, exit 1', () => {
    const work = workDirectory();
    writeFixture(work, 'fails.isl', FAILING);
    const result = isolab(['run', 'fails.isl'], work);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✗ value 0x41 — the value was 0x0');
    expect(result.stdout).toContain('  ✗ 0/1 expectations hold, 0 invariant violations, ');
    expect(result.stdout).toMatch(/^fails +default +0\/1 +0 +FAIL *$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('the run fails');
  });

  it('fails a run whose assertion does not hold, exit 1', () => {
    const work = workDirectory();
    writeFixture(work, 'assert.isl', 'scenario "assertion fails"\nprocess alice { uid: 1000 }\nalice: map 0x400000 size 4 KiB rw user\nassert alice exited\n');
    const result = isolab(['run', 'assert.isl'], work);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('assert alice exited  ✗ — alice is alive');
  });

  it('fails a run that violates an invariant it did not expect, exit 1', () => {
    const work = workDirectory();
    writeFixture(
      work,
      'violation.isl',
      `scenario "unexpected violation"
invariant tlb.coherent
machine {
  tlb 64 entries { pcid: on }
}
kernel {
  switch { flush: off, pcids: 1 }
}
process victim { uid: 1000 }
process attacker { uid: 1001 }
victim: map 0x400000 size 4 KiB rw user
victim: read 0x400000
attacker: map 0x400000 size 4 KiB rw user
attacker: read 0x400000
`,
    );
    const result = isolab(['run', 'violation.isl'], work);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/invariant tlb\.coherent violated at event \d+: the TLB maps 0x400000/);
    expect(result.stdout).toMatch(/^unexpected violation +default +0\/0 +[1-9]\d* +FAIL *$/m);
  });

  it('--json prints runs with their steps and verdicts', () => {
    const result = isolab(['run', 'scenarios/paging/nx.isl', '--json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.passed).toBe(true);
    expect(report.runs.map((run: { variant: unknown }) => run.variant)).toEqual([{ nx: 'on' }, { nx: 'off' }]);
    const [on] = report.runs;
    expect(on).toMatchObject({ file: 'scenarios/paging/nx.isl', title: 'NX stops execution of data', seed: 0, passed: true, trace: null });
    expect(on.events).toBeGreaterThan(0);
    const jump = on.steps.find((step: { line: number }) => step.line === 17);
    expect(jump).toMatchObject({ text: 'victim: jump 0x600000', actor: 'victim' });
    expect(jump.verdicts.length).toBe(2);
    expect(jump.verdicts.every((verdict: { holds: boolean }) => verdict.holds)).toBe(true);
  });

  it('--json reports a failing run with passed: false and the reason, exit 1', () => {
    const work = workDirectory();
    writeFixture(work, 'fails.isl', FAILING);
    const result = isolab(['run', 'fails.isl', '--json'], work);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.passed).toBe(false);
    expect(report.runs[0].passed).toBe(false);
    expect(report.runs[0].steps[1].verdicts[0]).toMatchObject({ holds: false, reason: 'the value was 0x0' });
  });

  it('--variant fixes one axis and the others still expand', () => {
    const fixedOnly = isolab(['run', 'scenarios/paging/nx.isl', '--variant', 'nx=off']);
    expect(fixedOnly.status).toBe(0);
    expect(fixedOnly.stdout).toContain('[nx=off]');
    expect(fixedOnly.stdout).not.toContain('[nx=on]');
    const result = isolab(['run', 'scenarios/tlb/missing-flush.isl', '--variant', 'flush=off', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).runs.map((run: { variant: unknown }) => run.variant)).toEqual([
      { flush: 'off', pcid: 'on' },
      { flush: 'off', pcid: 'off' },
    ]);
  });

  it('refuses an unknown variant name with a suggestion and the declared variants, exit 2', () => {
    const result = isolab(['run', 'scenarios/tlb/missing-flush.isl', '--variant', 'flsh=on']);
    expectBadInput(
      result,
      'error[E_UNKNOWN_VARIANT]: no scenario given has a variant "flsh"',
      '   = note: did you mean "flush"?',
      '   = note: their variants: flush, pcid',
    );
    expect(result.stdout).toBe('');
  });

  it('refuses an unknown variant value with a suggestion and the values, exit 2', () => {
    expectBadInput(
      isolab(['run', 'scenarios/tlb/missing-flush.isl', '--variant', 'pcid=of']),
      'error[E_UNKNOWN_VARIANT]: scenarios/tlb/missing-flush.isl: variant pcid has no value "of"',
      '   = note: did you mean',
      '   = note: its values: on, off',
    );
  });

  it('refuses a --variant that is not NAME=VALUE, exit 2', () => {
    expectBadInput(isolab(['run', 'scenarios/paging/nx.isl', '--variant', 'nx']), 'error[E_OPTION]: --variant expects NAME=VALUE, found "nx"');
  });

  it('--seed overrides the seed in the report and the trace, and the same seed gives the same trace', () => {
    const work = workDirectory();
    writeFixture(work, 'fixture.isl', PASSING);
    const text = isolab(['run', 'fixture.isl', '--seed', '42'], work);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('▶ fixture  fixture.isl  seed 42  [default]');
    expect(JSON.parse(isolab(['run', 'fixture.isl', '--seed', '42', '--json'], work).stdout).runs[0].seed).toBe(42);
    expect(isolab(['run', 'fixture.isl', '--seed', '42', '--trace', 'first.trace'], work).status).toBe(0);
    expect(isolab(['run', 'fixture.isl', '--seed', '42', '--trace', 'second.trace'], work).status).toBe(0);
    const first = readFileSync(join(work, 'first.trace'), 'utf8');
    expect(readFileSync(join(work, 'second.trace'), 'utf8')).toBe(first);
    const header = JSON.parse(first.split('\n')[0]!);
    expect(header.seed).toBe(42);
    expect(header.config.seed).toBe(42);
  });

  it('refuses a --seed that is not a whole number, exit 2', () => {
    expectBadInput(isolab(['run', 'scenarios/paging/nx.isl', '--seed', 'x']), 'error[E_OPTION]: --seed expects a whole number, found "x"');
  });

  it('--trace FILE writes one trace for one run, and nothing else', () => {
    const work = workDirectory();
    const result = isolab(['run', NX, '--variant', 'nx=on', '--trace', 'nx.trace'], work);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('trace: nx.trace');
    expect(readdirSync(work)).toEqual(['nx.trace']);
    const lines = readFileSync(join(work, 'nx.trace'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'header', format: 'isolab-trace', variant: { nx: 'on' } });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: 'footer', passed: true, events: lines.length - 2 });
  });

  it('--trace DIR/ writes one trace per run, named after the scenario and its variant', () => {
    const work = workDirectory();
    const result = isolab(['run', MISSING_FLUSH, '--trace', 'traces/', '--quiet'], work);
    expect(result.status).toBe(0);
    const names = readdirSync(join(work, 'traces')).sort();
    expect(names).toEqual([
      'tlb--missing-flush--flush=off,pcid=off.trace',
      'tlb--missing-flush--flush=off,pcid=on.trace',
      'tlb--missing-flush--flush=on,pcid=off.trace',
      'tlb--missing-flush--flush=on,pcid=on.trace',
    ]);
    for (const name of names) {
      const header = JSON.parse(readFileSync(join(work, 'traces', name), 'utf8').split('\n')[0]!);
      expect(`tlb--missing-flush--flush=${header.variant.flush},pcid=${header.variant.pcid}.trace`).toBe(name);
    }
  });

  it('--trace into an existing directory (no trailing slash) writes the traces inside it', () => {
    const work = workDirectory();
    mkdirSync(join(work, 'existing'));
    expect(isolab(['run', NX, '--trace', 'existing', '--quiet'], work).status).toBe(0);
    expect(readdirSync(join(work, 'existing')).sort()).toEqual(['paging--nx--nx=off.trace', 'paging--nx--nx=on.trace']);
    writeFixture(work, 'fixture.isl', PASSING);
    expect(isolab(['run', 'fixture.isl', '--trace', 'existing', '--quiet'], work).status).toBe(0);
    expect(readdirSync(join(work, 'existing'))).toContain('fixture.trace');
  });

  it('--quiet prints only the verdict table', () => {
    const result = isolab(['run', 'scenarios/paging/kernel-memory.isl', '--quiet']);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('▶');
    expect(result.stdout).toMatch(/^scenario +variant +expectations +violations +verdict *$/m);
  });

  it('--all runs every bundled scenario and prints one verdict row per run', () => {
    const result = isolab(['run', '--all']);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('▶');
    const count = Number(/^all (\d+) runs pass$/m.exec(result.stdout)?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(result.stdout.split('\n').filter((line) => / {2}pass *$/.test(line))).toHaveLength(count);
    const scenarios = JSON.parse(isolabOnce(['list', 'scenarios', '--json']).stdout) as { title: string }[];
    for (const { title } of scenarios) expect(result.stdout).toContain(title);
  });

  it('refuses to run nothing, exit 2', () => {
    expectBadInput(isolab(['run']), 'error[E_OPTION]: nothing to run: give scenario files, or --all for the bundled ones');
  });

  it('stops a run over --max-events with E_LIMIT, exit 2, and leaves no trace or temporary file', () => {
    const work = workDirectory();
    const several = isolab(['run', NX, '--max-events', '100', '--trace', 'out/'], work);
    expectBadInput(several, 'error[E_LIMIT]: ', 'the run exceeded its limit of 100 events', '--max-events');
    expect(several.stdout).toBe('');
    const out = join(work, 'out');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    const single = isolab(['run', NX, '--variant', 'nx=on', '--max-events', '100', '--trace', 'nx.trace'], work);
    expectBadInput(single, 'error[E_LIMIT]');
    expect(readdirSync(work).filter((name) => name !== 'out')).toEqual([]);
  });

  it('refuses a --max-events that is not a whole number, exit 2', () => {
    expectBadInput(isolab(['run', NX, '--max-events', 'lots']), 'error[E_OPTION]: --max-events expects a whole number, found "lots"');
  });
});

describe.runIf(BUILT)('isolab run: bad input is a located message, exit 2', () => {
  let work: string;
  beforeAll(() => {
    work = workDirectory();
  });

  function runFixture(name: string, text: string): CliResult {
    writeFixture(work, name, text);
    return isolab(['run', name], work);
  }

  it('an unknown CLI option', () => {
    const result = isolab(['run', NX, '--bogus']);
    expectBadInput(result, "error[E_OPTION]: unknown option '--bogus'");
    expect(result.stdout).toBe('');
  });

  it('an unknown command, with a suggestion', () => {
    expectBadInput(isolab(['runn', NX]), "error[E_OPTION]: unknown command 'runn'", 'Did you mean run?');
  });

  it('a missing required argument', () => {
    expectBadInput(isolab(['replay']), "error[E_OPTION]: missing required argument 'trace'");
  });

  it('a file that does not exist', () => {
    expectBadInput(isolab(['run', 'nope.isl'], work), 'error[E_READ]: cannot read nope.isl: no such file');
  });

  it('a directory instead of a file', () => {
    mkdirSync(join(work, 'folder'), { recursive: true });
    expectBadInput(isolab(['run', 'folder'], work), 'error[E_READ]: folder is a directory, not a file');
  });

  it('an import that does not exist, located at the import', () => {
    expectLocatedError(runFixture('import.isl', 'scenario "imports"\nimport "nope.isl"\n'), {
      code: 'E_READ',
      at: 'import.isl:2:8',
      source: 'import "nope.isl"',
      caret: '     |        ^^^^^^^^^^',
    });
  });

  it('a syntax error after a misspelled keyword: file:line:col, the source line, carets and "did you mean"', () => {
    const result = runFixture('syntax.isl', 'scenario "bad"\nmachin {\n  cpu x86_64 { smep: on }\n}\n');
    expectBadInput(result);
    expect(result.stderr).toBe(
      [
        'error[E_SYNTAX]: syntax.isl:3:7: expected ":" after "cpu", found "x86_64"',
        '   3 |   cpu x86_64 { smep: on }',
        '     |       ^^^^^^',
        '   = note: "machin" on line 2 is not a keyword, so its braces hold properties; did you mean "machine"?',
        '',
      ].join('\n'),
    );
  });

  it('an unknown process in a step, with a suggestion', () => {
    const result = runFixture('process.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalcie: map 0x400000 size 4 KiB rw user\n');
    expectLocatedError(result, {
      code: 'E_UNKNOWN_PROCESS',
      at: 'process.isl:3:1',
      source: 'alcie: map 0x400000 size 4 KiB rw user',
      caret: '     | ^^^^^',
      notes: ['did you mean "alice"?'],
    });
    expect(result.stderr).toContain('no process is named "alcie"');
  });

  it('a non-canonical map address', () => {
    const result = runFixture('canonical.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalice: map 0x0000900000000000 size 4 KiB rw user\n');
    expectLocatedError(result, {
      code: 'E_NONCANONICAL',
      at: 'canonical.isl:3:12',
      source: 'alice: map 0x0000900000000000 size 4 KiB rw user',
      caret: '     |            ^^^^^^^^^^^^^^^^^^',
    });
    expect(result.stderr).toContain('0x900000000000 is not a canonical address');
  });

  it('an overlapping map', () => {
    const result = runFixture('overlap.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalice: map 0x400000 size 8 KiB rw user\nalice: map 0x401000 size 4 KiB rw user\n');
    expectLocatedError(result, {
      code: 'E_OVERLAP',
      at: 'overlap.isl:4:12',
      source: 'alice: map 0x401000 size 4 KiB rw user',
      caret: '     |            ^^^^^^^^',
    });
    expect(result.stderr).toContain('alice already has 0x400000..0x402000 mapped');
  });

  const RAW_MACHINE = 'scenario "bad"\nmachine {\n  cpu x86_64\n  paging 4-level\n  memory 1 MiB\n}\n';

  it('a raw page-table entry pointing outside physical memory', () => {
    const result = runFixture('entry.isl', `${RAW_MACHINE}raw {\n  phys 0x1000 entry 0x80000007\n  cr3 0x1000\n}\ncpu: read 0x0 cpl 3\n`);
    expectLocatedError(result, {
      code: 'E_OUTSIDE_MEMORY',
      at: 'entry.isl:8:21',
      source: '  phys 0x1000 entry 0x80000007',
      caret: '     |                     ^^^^^^^^^^',
    });
    expect(result.stderr).toContain('0x80000000');
  });

  it('a raw physical write outside memory', () => {
    const result = runFixture('write.isl', `${RAW_MACHINE}raw {\n  phys 0x200000 bytes "hi"\n  cr3 0x1000\n}\n`);
    expectLocatedError(result, {
      code: 'E_OUTSIDE_MEMORY',
      at: 'write.isl:8:8',
      source: '  phys 0x200000 bytes "hi"',
      caret: '     |        ^^^^^^^^^^^^^^',
    });
    expect(result.stderr).toContain('physical address 0x200000 is outside');
  });

  it('a misspelled action, with a suggestion', () => {
    expectLocatedError(runFixture('action.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalice: raed 0x400000\n'), {
      code: 'E_UNKNOWN_ACTION',
      at: 'action.isl:3:8',
      source: 'alice: raed 0x400000',
      caret: '     |        ^^^^',
      notes: ['did you mean "read"?'],
    });
  });

  it('an unknown system call name, with a suggestion', () => {
    const result = runFixture('syscall.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalice: syscall getpdi\n');
    expectLocatedError(result, {
      code: 'E_UNKNOWN_SYSCALL',
      at: 'syscall.isl:3:16',
      source: 'alice: syscall getpdi',
      caret: '     |                ^^^^^^',
      notes: ['did you mean "getpid"?'],
    });
    expect(result.stderr).toContain('"getpdi" is not a system call of the x86_64 table');
  });

  it('a misspelled outcome, with a suggestion', () => {
    expectLocatedError(runFixture('outcome.isl', 'scenario "bad"\nprocess alice { uid: 1000 }\nalice: read 0x400000 expect vlaue 0x1\n'), {
      code: 'E_UNKNOWN_OUTCOME',
      at: 'outcome.isl:3:29',
      source: 'alice: read 0x400000 expect vlaue 0x1',
      caret: '     |                             ^^^^^',
      notes: ['did you mean "value"?'],
    });
  });

  it('an unknown invariant, with a suggestion', () => {
    expectLocatedError(runFixture('invariant.isl', 'scenario "bad"\ninvariant tlb.coherant\n'), {
      code: 'E_UNKNOWN_INVARIANT',
      at: 'invariant.isl:2:11',
      source: 'invariant tlb.coherant',
      caret: '     |           ^^^^^^^^^^^^',
      notes: ['did you mean "tlb.coherent"?'],
    });
  });
});

/** Rewrites a trace's lines and seals them again with a valid hash chain, as a careful forger would. */
function resealTrace(text: string, edit: (line: Record<string, unknown>, index: number) => Record<string, unknown>): string {
  let previous = GENESIS_HASH;
  const lines = text.trimEnd().split('\n').map((line, index) => {
    const { hash: _hash, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const body = lineBody(edit(rest, index));
    previous = chainHash(previous, body);
    return `${body.slice(0, -1)},"hash":"${previous}"}`;
  });
  return lines.join('\n') + '\n';
}

describe.runIf(BUILT)('isolab replay', () => {
  let work: string;
  let traceText: string;
  let traceLines: string[];

  beforeAll(() => {
    work = workDirectory();
    const recorded = isolab(['run', NX, '--variant', 'nx=on', '--trace', 'nx.trace', '--quiet'], work);
    expect(recorded.status).toBe(0);
    traceText = readFileSync(join(work, 'nx.trace'), 'utf8');
    traceLines = traceText.trimEnd().split('\n');
  });

  function replayText(name: string, text: string, ...options: string[]): CliResult {
    writeFixture(work, name, text);
    return isolab(['replay', name, ...options], work);
  }

  it('replays a recorded trace: hash chain, step states and final state, exit 0', () => {
    const result = isolab(['replay', 'nx.trace'], work);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^✓ nx\.trace: \d+ events replay to the recorded final state [0-9a-f]{16}… \(\d+ step states checked\)$/m);
    expect(result.stdout).toContain('  the recorded run passed: 0 failed expectation(s), 0 violation(s)');
  });

  it('--rerun runs the embedded scenario again and reproduces every event, exit 0', () => {
    const events = JSON.parse(traceLines.at(-1)!).events as number;
    const result = isolab(['replay', 'nx.trace', '--rerun'], work);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`✓ re-running "NX stops execution of data" reproduces all ${events} events exactly`);
  });

  it('--rerun works from another directory: the trace embeds the scenario and its imports', () => {
    writeFixture(work, 'common.isl', 'process alice { uid: 1000 }\n');
    writeFixture(work, 'imports.isl', 'scenario "imports"\nimport "common.isl"\nalice: map 0x400000 size 4 KiB rw user\nalice: read 0x400000 expect value 0x0\n');
    expect(isolab(['run', 'imports.isl', '--trace', 'imports.trace', '--quiet'], work).status).toBe(0);
    const result = isolab(['replay', join(work, 'imports.trace'), '--rerun'], ROOT);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('✓ re-running "imports" reproduces all');
  });

  it('--json summarises the replay', () => {
    const footer = JSON.parse(traceLines.at(-1)!);
    const result = isolab(['replay', 'nx.trace', '--rerun', '--json'], work);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      trace: 'nx.trace',
      scenario: 'NX stops execution of data',
      variant: { nx: 'on' },
      events: footer.events,
      finalStateHash: footer.finalStateHash,
      rerun: true,
      passed: true,
    });
  });

  it('replays the trace of a failed run, exit 0, and says the recorded run failed', () => {
    writeFixture(work, 'fails.isl', FAILING);
    expect(isolab(['run', 'fails.isl', '--trace', 'fails.trace', '--quiet'], work).status).toBe(1);
    const result = isolab(['replay', 'fails.trace', '--rerun'], work);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('  the recorded run failed: 1 failed expectation(s), 0 violation(s)');
  });

  it('a flipped byte in an event line: exit 2, naming that line', () => {
    const lines = [...traceLines];
    lines[9] = lines[9]!.replace('"tick":', '"tick":1');
    expect(JSON.parse(lines[9]!).kind).toBe('event');
    const result = replayText('flipped.trace', lines.join('\n') + '\n');
    expectBadInput(result, 'error[E_TRACE]: flipped.trace:10:1: line 10 fails its hash check: it was altered, or a line before it was removed, added or moved');
    expect(result.stdout).toBe('');
  });

  it('a flipped byte that breaks the JSON of a line: exit 2, naming that line', () => {
    const lines = [...traceLines];
    lines[9] = lines[9]!.replace('"kind"', "'kind\"");
    expectBadInput(replayText('broken.trace', lines.join('\n') + '\n'), 'error[E_TRACE]: broken.trace:10:1: line 10 is not valid JSON (the trace is corrupted or truncated)');
  });

  it('a trace truncated after a whole line: exit 2, "truncated"', () => {
    expectBadInput(
      replayText('truncated.trace', traceLines.slice(0, 30).join('\n') + '\n'),
      'error[E_TRACE]: truncated.trace:30:1: the trace is truncated: no footer after line 30',
    );
  });

  it('a trace truncated in the middle of a line: exit 2, naming the cut line', () => {
    const cut = traceLines.slice(0, 10).join('\n').length + 1 + 20;
    expectBadInput(replayText('cut.trace', traceText.slice(0, cut)), 'error[E_TRACE]: cut.trace:11:1: line 11 is not valid JSON (the trace is corrupted or truncated)');
  });

  it('a trace without its footer: exit 2, "truncated"', () => {
    const count = traceLines.length - 1;
    expectBadInput(replayText('footless.trace', traceLines.slice(0, -1).join('\n') + '\n'), `the trace is truncated: no footer after line ${count}`);
  });

  it('a trace with a line removed: exit 2, naming the line where it was', () => {
    const lines = traceLines.filter((_, index) => index !== 20);
    expectBadInput(replayText('removed.trace', lines.join('\n') + '\n'), 'error[E_TRACE]: removed.trace:21:1: line 21 fails its hash check');
  });

  it('a trace with two lines swapped: exit 2, naming the first', () => {
    const lines = [...traceLines];
    [lines[14], lines[15]] = [lines[15]!, lines[14]!];
    expectBadInput(replayText('swapped.trace', lines.join('\n') + '\n'), 'error[E_TRACE]: swapped.trace:15:1: line 15 fails its hash check');
  });

  it('an empty file: exit 2', () => {
    expectBadInput(replayText('empty.trace', ''), 'error[E_TRACE]: empty.trace:1:1: the trace is empty');
  });

  it('a file that is not a trace: exit 2', () => {
    expectBadInput(replayText('scenario.trace', PASSING), 'error[E_TRACE]: scenario.trace:1:1: line 1 is not valid JSON');
  });

  it('an event edited and the chain resealed: the replayed state differs, exit 2', () => {
    const index = traceLines.findIndex((line) => JSON.parse(line).type === 'memory.written' && JSON.parse(line).actor !== 'raw');
    expect(index).toBeGreaterThan(0);
    const forged = resealTrace(traceText, (line, at) => (at === index ? { ...line, data: { ...(line.data as object), bytes: 'ff' } } : line));
    const result = replayText('forged.trace', forged);
    expectBadInput(result, 'error[E_TRACE]: forged.trace:', 'differs from the one');
  });

  it('a trace whose embedded scenario was edited and resealed: the source hash no longer matches, exit 2', () => {
    writeFixture(work, 'fixture.isl', PASSING);
    expect(isolab(['run', 'fixture.isl', '--trace', 'fixture.trace', '--quiet'], work).status).toBe(0);
    const original = readFileSync(join(work, 'fixture.trace'), 'utf8');
    const forged = resealTrace(original, (line, at) => {
      if (at !== 0) return line;
      const scenario = line.scenario as { files: { file: string; text: string }[] };
      const files = scenario.files.map((file) => ({ ...file, text: file.text.replace('expect value 0x0', 'expect value 0x1') }));
      return { ...line, scenario: { ...scenario, files } };
    });
    expectBadInput(replayText('edited.trace', forged), 'error[E_TRACE]: edited.trace:1:1: the scenario embedded in the header does not match its recorded SHA-256');
  });

  it('--rerun of a trace whose embedded scenario and its hash were edited and resealed: the re-run diverges, exit 2', () => {
    writeFixture(work, 'fixture.isl', PASSING);
    expect(isolab(['run', 'fixture.isl', '--trace', 'fixture.trace', '--quiet'], work).status).toBe(0);
    const original = readFileSync(join(work, 'fixture.trace'), 'utf8');
    const forged = resealTrace(original, (line, at) => {
      if (at !== 0) return line;
      const scenario = line.scenario as { files: { file: string; text: string }[]; sourceSha256: string };
      const files = scenario.files.map((file) => ({ ...file, text: file.text.replace('expect value 0x0', 'expect value 0x1') }));
      const sourceSha256 = createHash('sha256').update(files[0]!.text).digest('hex');
      return { ...line, scenario: { ...scenario, files, sourceSha256 } };
    });
    expect(replayText('edited.trace', forged).status).toBe(0);
    const result = isolab(['replay', 'edited.trace', '--rerun'], work);
    expectBadInput(result, 'error[E_TRACE]: edited.trace:', 're-running the scenario diverges at event', '   = note: data.');
  });

  it('a trace that does not exist: exit 2, "cannot read"', () => {
    expectBadInput(isolab(['replay', 'nope.trace'], work), 'error[E_READ]: cannot read nope.trace: no such file');
  });

  it('a directory instead of a trace: exit 2', () => {
    mkdirSync(join(work, 'folder'), { recursive: true });
    expectBadInput(isolab(['replay', 'folder'], work), 'error[E_READ]: folder is a directory, not a file');
  });
});

describe.runIf(BUILT)('isolab translate', () => {
  it('splits 0x000064a32b15e660 into PML4 201, PDPT 140, PD 344, PT 350 and offset 0x660', () => {
    const result = isolab(['translate', '0x000064a32b15e660']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^0x0*64a32b15e660 under 4-level paging$/m);
    expect(result.stdout).toMatch(/^PML4 +47:39 +201 +011001001 *$/m);
    expect(result.stdout).toMatch(/^PDPT +38:30 +140 +010001100 *$/m);
    expect(result.stdout).toMatch(/^PD +29:21 +344 +101011000 *$/m);
    expect(result.stdout).toMatch(/^PT +20:12 +350 +101011110 *$/m);
    expect(result.stdout).toMatch(/^offset +11:0 +0x660 +011001100000 *$/m);
  });

  it('--json gives the same indices and offset', () => {
    const result = isolab(['translate', '0x000064a32b15e660', '--json']);
    expect(result.status).toBe(0);
    const translation = JSON.parse(result.stdout);
    expect(translation.paging).toBe('4-level');
    expect(translation.levels.map((level: { levelName: string; index: number }) => [level.levelName, level.index])).toEqual([
      ['PML4', 201],
      ['PDPT', 140],
      ['PD', 344],
      ['PT', 350],
    ]);
    expect(translation.offset).toBe(0x660);
  });

  it('--paging ostep-15 splits the homework address 0x611c into PD 24, PT 8, offset 0x1c', () => {
    const translation = JSON.parse(isolab(['translate', '0x611c', '--paging', 'ostep-15', '--json']).stdout);
    expect(translation.levels.map((level: { index: number }) => level.index)).toEqual([24, 8]);
    expect(translation.offset).toBe(0x1c);
  });

  it('refuses a non-canonical address, exit 2', () => {
    expectBadInput(
      isolab(['translate', '0x0000900000000000']),
      'error[E_OPTION]: 0x900000000000 is not canonical for 4-level paging',
      '   = note: the CPU raises #GP(0) on such an address before any page walk',
    );
  });

  it('refuses something that is not an address, exit 2', () => {
    expectBadInput(isolab(['translate', 'zz']), 'error[E_OPTION]: "zz" is not an address');
  });

  it('refuses an unknown paging mode with a suggestion, exit 2', () => {
    expectBadInput(isolab(['translate', '0x1000', '--paging', '3-level']), 'error[E_OPTION]: --paging expects one of', '   = note: did you mean "4-level"?');
  });
});

describe.runIf(BUILT)('isolab fmt', () => {
  const MESSY = 'scenario   "x"\nprocess alice {uid:1000}\nalice:  map 0x400000 size 4 KiB rw user   expect ok\n';
  const CANONICAL = 'scenario "x"\nprocess alice { uid: 1000 }\nalice: map 0x400000 size 4 KiB rw user expect ok\n';

  it('prints the canonical text, exit 0', () => {
    const work = workDirectory();
    writeFixture(work, 'messy.isl', MESSY);
    const result = isolab(['fmt', 'messy.isl'], work);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(CANONICAL);
    expect(readFileSync(join(work, 'messy.isl'), 'utf8')).toBe(MESSY);
  });

  it('--check exits 1 on an unformatted file and 0 on a formatted one', () => {
    const work = workDirectory();
    writeFixture(work, 'messy.isl', MESSY);
    writeFixture(work, 'clean.isl', CANONICAL);
    const messy = isolab(['fmt', '--check', 'messy.isl'], work);
    expect(messy.status).toBe(1);
    expect(messy.stdout).toBe('messy.isl is not formatted\n');
    const clean = isolab(['fmt', '--check', 'clean.isl'], work);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toBe('');
  });

  it('--write rewrites the file in place, leaves no temporary file, and --check then passes', () => {
    const work = workDirectory();
    writeFixture(work, 'messy.isl', MESSY);
    const write = isolab(['fmt', '--write', 'messy.isl'], work);
    expect(write.status).toBe(0);
    expect(readFileSync(join(work, 'messy.isl'), 'utf8')).toBe(CANONICAL);
    expect(readdirSync(work)).toEqual(['messy.isl']);
    expect(isolab(['fmt', '--check', 'messy.isl'], work).status).toBe(0);
  });

  it('--check passes on every bundled scenario', () => {
    const files = (JSON.parse(isolabOnce(['list', 'scenarios', '--json']).stdout) as { file: string }[]).map((row) => row.file);
    const result = isolab(['fmt', '--check', ...files]);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses a file with a syntax error, exit 2', () => {
    const work = workDirectory();
    writeFixture(work, 'bad.isl', 'scenario "bad"\nalice read 0x1 expect ok\n');
    expectBadInput(isolab(['fmt', '--check', 'bad.isl'], work), 'error[E_SYNTAX]: bad.isl:2:');
  });
});

describe.runIf(BUILT)('isolab list', () => {
  it('list invariants prints each invariant with its statement and defence', () => {
    const json = isolab(['list', 'invariants', '--json']);
    expect(json.status).toBe(0);
    const invariants = JSON.parse(json.stdout) as { name: string; statement: string; defence: string }[];
    expect(invariants.map((invariant) => invariant.name)).toContain('tlb.coherent');
    const text = isolab(['list', 'invariants']);
    expect(text.status).toBe(0);
    for (const invariant of invariants) {
      expect(text.stdout).toContain(`${invariant.name}\n  ${invariant.statement}\n  defence: ${invariant.defence}\n`);
    }
  });

  it('list scenarios prints every bundled scenario with its title, concepts and variants', () => {
    const json = isolabOnce(['list', 'scenarios', '--json']);
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout) as { file: string; title: string; concepts: string; variants: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.find((row) => row.file === 'scenarios/paging/nx.isl')).toEqual({
      file: 'scenarios/paging/nx.isl',
      title: 'NX stops execution of data',
      concepts: '2',
      variants: 'nx: on|off',
    });
    const text = isolab(['list', 'scenarios']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^file +title +concepts +variants *$/m);
    for (const row of rows) expect(text.stdout).toContain(row.file);
  });

  it('list syscalls prints every simulated call with its numbers in both tables', () => {
    const json = isolab(['list', 'syscalls', '--json']);
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout) as { name: string; x86_64: number | null; i386: number | null; synopsis: string }[];
    expect(rows.find((row) => row.name === 'openat')).toEqual({ name: 'openat', x86_64: 257, i386: 295, synopsis: 'openat(dirfd, pathname, flags[, mode])' });
    expect(rows.find((row) => row.name === 'getpid')).toMatchObject({ x86_64: 39, i386: 20 });
    const text = isolab(['list', 'syscalls']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^setresuid +117 +164 +setresuid\(ruid, euid, suid\)/m);
    expect(text.stdout).toContain(`${rows.length} calls simulated`);
  });

  it('refuses anything else, suggesting the nearest, exit 2', () => {
    expectBadInput(isolab(['list', 'scenaros']), 'error[E_OPTION]: isolab list takes scenarios, invariants, syscalls, not "scenaros"', '   = note: did you mean "scenarios"?');
  });
});

describe.runIf(BUILT)('help and version', () => {
  it('--help describes the program and every command, exit 0', () => {
    const result = isolab(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: isolab [options] [command]');
    for (const command of ['run', 'replay', 'translate', 'fmt', 'list']) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  for (const command of ['run', 'replay', 'translate', 'fmt', 'list']) {
    it(`${command} --help, exit 0`, () => {
      const result = isolab([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Usage: isolab ${command} [options]`);
      if (command === 'run') expect(isolab(['help', command]).stdout).toBe(result.stdout);
    });
  }

  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = isolab(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('no command prints the usage on stderr, exit 2', () => {
    const result = isolab([]);
    expectBadInput(result, 'Usage: isolab [options] [command]');
  });
});
