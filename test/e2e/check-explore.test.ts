// Proves `isolab check` and `isolab explore` end to end through the built CLI: a counterexample is found, printed with what reproduces the search, written as a scenario that `isolab run` fails (also for a world that enables no invariant), and is the same with one worker, two workers or two merged shards; merging shards that leave a gap, overlap or were searched differently exits 2; bad input exits 2; explore finds the race and the stale-TLB interleaving, counts a failed assertion as violating, writes a scenario and a trace that replay, says whether the first violation or the bound stopped it, and exits 0 when no interleaving violates.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { elementsNamed, parseWellFormedXml } from '../check/well-formed-xml.js';
import { isolab, type CliResult } from '../helpers/cli.js';

// Each test starts the CLI a few times (~0.5 s each); the default 5 s is too tight on a busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const BUILT = existsSync(CLI) && existsSync(join(ROOT, 'dist', 'check', 'worker.js'));
const TLB_WORLD = 'scenarios/check/tlb-world.isl';
const KERNEL_WORLD = 'scenarios/check/kernel-world.isl';
const SHARED_RACE = 'scenarios/check/shared-race.isl';
/** Seed 36 first fails at run 70 of the kernel world with SMAP off: in the third slice a worker pool hands out, and in the second of two shards of 100 runs. */
const KERNEL_SEARCH = [KERNEL_WORLD, '--variant', 'smap=off', '--variant', 'bug=off', '--seed', '36', '--runs', '100'];

const once = new Map<string, CliResult>();
/** A command that writes no file, run once and shared by the tests that read its output. */
function isolabOnce(args: readonly string[]): CliResult {
  const key = JSON.stringify(args);
  if (!once.has(key)) once.set(key, isolab(args));
  return once.get(key)!;
}

function expectStatus(result: CliResult, status: number): void {
  expect(result.status, `exit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(status);
}

/** Bad input: exit 2, the message on stderr, no stack trace. */
function expectBadInput(result: CliResult, ...fragments: readonly string[]): void {
  expectStatus(result, 2);
  expect(result.stderr).not.toContain('    at ');
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
}

interface CheckJson {
  readonly found: boolean;
  readonly results: readonly {
    readonly file: string;
    readonly variant: Record<string, string>;
    readonly from: number;
    readonly to: number;
    readonly runsChecked: number;
    readonly counterexample: { readonly run: number; readonly steps: readonly string[]; readonly violation: { readonly invariant: string } } | null;
    readonly scenario: string | null;
  }[];
}

function checkJson(result: CliResult): CheckJson {
  return JSON.parse(result.stdout) as CheckJson;
}

const scratch: string[] = [];
function workDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'isolab-check-e2e-'));
  scratch.push(directory);
  return directory;
}

afterAll(() => {
  for (const directory of scratch) rmSync(directory, { recursive: true, force: true });
});

it('has a built CLI and worker to test', () => {
  expect(BUILT, `${CLI} or dist/check/worker.js is missing: build with \`node scripts/build.mjs\``).toBe(true);
});

describe.runIf(BUILT)('isolab check', () => {
  const flushOff = () => isolabOnce(['check', TLB_WORLD, '--variant', 'flush=off']);

  it('finds the stale-TLB attack with the flush off: exit 1, the invariant, the run, how to reproduce, the scenario', () => {
    const result = flushOff();
    expectStatus(result, 1);
    const out = result.stdout;
    expect(out).toContain('✗ scenarios/check/tlb-world.isl [flush=off], seed 1, runs 0..999, up to 30 steps each');
    expect(out).toMatch(/run \d+ broke memory\.process-isolation: attacker touched frame \d+ \(0x[0-9a-f]+\), which belongs to victim/);
    expect(out).toMatch(/shrunk \d+ times to \d step\(s\); run seed -?\d+, path "[\d:]*"/);
    expect(out).toContain('reproduce the search: isolab check scenarios/check/tlb-world.isl --variant flush=off --seed 1 --runs 1000 --max-steps 30');
    expect(out).toContain('    variant flush: off');
    expect(out).toContain('    # It violates memory.process-isolation');
    expect(out).toMatch(/\n {4}attacker: read 0x40[01]\w* size \d\n/);
  });

  it('reproduces the search with the command it prints', () => {
    const printed = /reproduce the search: isolab (.*)/.exec(flushOff().stdout)![1]!.split(' ');
    const again = isolab(printed);
    expectStatus(again, 1);
    expect(again.stdout).toBe(flushOff().stdout);
  });

  it('finds nothing with the flush on: exit 0', () => {
    const result = isolabOnce(['check', TLB_WORLD, '--variant', 'flush=on', '--runs', '300']);
    expectStatus(result, 0);
    expect(result.stdout).toContain('✓ scenarios/check/tlb-world.isl [flush=on], seed 1, runs 0..299, up to 30 steps each: 300 runs, no invariant broke');
  });

  it('writes the counterexample with --out, and isolab run on it fails with the violation', () => {
    const directory = workDirectory();
    const out = join(directory, 'attack.isl');
    const check = isolab(['check', TLB_WORLD, '--variant', 'flush=off', '--out', out]);
    expectStatus(check, 1);
    expect(check.stdout).toContain(`the attack is in ${out}; replay it with: isolab run ${out}`);
    const json = checkJson(isolabOnce(['check', TLB_WORLD, '--variant', 'flush=off', '--json']));
    expect(readFileSync(out, 'utf8')).toBe(json.results[0]!.scenario);
    const run = isolab(['run', out]);
    expectStatus(run, 1);
    expect(run.stdout).toContain('memory.process-isolation');
    expect(run.stdout).toMatch(/[1-9]\d*\s+FAIL/);
  });

  it('prints machine-readable results with --json', () => {
    const result = isolabOnce(['check', TLB_WORLD, '--variant', 'flush=off', '--json']);
    expectStatus(result, 1);
    const json = checkJson(result);
    expect(json.found).toBe(true);
    expect(json.results).toHaveLength(1);
    const [only] = json.results;
    expect(only!.variant).toEqual({ flush: 'off' });
    expect(only!.counterexample!.violation.invariant).toBe('memory.process-isolation');
    expect(only!.runsChecked).toBe(only!.counterexample!.run + 1);
    expect(only!.scenario!.trimEnd().split('\n').slice(-only!.counterexample!.steps.length)).toEqual(only!.counterexample!.steps);
  });

  it('writes JUnit XML with one test case per variant and one failure', () => {
    const directory = workDirectory();
    const junit = join(directory, 'check.xml');
    const result = isolab(['check', TLB_WORLD, '--runs', '200', '--junit', junit]);
    expectStatus(result, 1);
    const root = parseWellFormedXml(readFileSync(junit, 'utf8'));
    expect(root.attributes).toMatchObject({ tests: '2', failures: '1', errors: '0' });
    const cases = elementsNamed(root, 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual(['scenarios/check/tlb-world.isl [flush=on]', 'scenarios/check/tlb-world.isl [flush=off]']);
    const failures = elementsNamed(root, 'failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.attributes.message).toMatch(/^memory\.process-isolation: /);
    expect(failures[0]!.text).toContain('variant flush: off');
    expect(elementsNamed(cases[0]!, 'failure')).toEqual([]);
  });

  it.each([
    ['the TLB world (first failure in the first slice)', [TLB_WORLD, '--variant', 'flush=off', '--seed', '22']],
    ['the kernel world, seed 36 (first failure at run 70, in the third slice)', KERNEL_SEARCH],
  ])('gives the same counterexample with two workers as with one: %s', (_name, search) => {
    const one = isolabOnce(['check', ...search, '--json']);
    const two = isolab(['check', ...search, '--json', '--workers', '2']);
    expectStatus(one, 1);
    expectStatus(two, 1);
    const [a, b] = [checkJson(one).results[0]!, checkJson(two).results[0]!];
    expect(b.counterexample!.run).toBe(a.counterexample!.run);
    expect(b.counterexample!.steps).toEqual(a.counterexample!.steps);
    expect(b).toEqual(a);
  });

  it('finds run 70 in the kernel world with seed 36 (the premise of the worker and shard tests)', () => {
    expect(checkJson(isolabOnce(['check', ...KERNEL_SEARCH, '--json'])).results[0]!.counterexample!.run).toBe(70);
  });

  it('merges two shards into the unsharded result', () => {
    const directory = workDirectory();
    const files = [1, 2].map((index) => {
      const result = isolab(['check', ...KERNEL_SEARCH, '--shard', `${index}/2`, '--json']);
      const file = join(directory, `shard-${index}.json`);
      writeFileSync(file, result.stdout);
      return { result, file, json: checkJson(result) };
    });
    expectStatus(files[0]!.result, 0);
    expect(files[0]!.json.results[0]).toMatchObject({ from: 0, to: 50, runsChecked: 50, counterexample: null });
    expectStatus(files[1]!.result, 1);
    expect(files[1]!.json.results[0]).toMatchObject({ from: 50, to: 100 });
    const merged = isolab(['check', '--merge', files[1]!.file, files[0]!.file, '--json']);
    expectStatus(merged, 1);
    const whole = isolabOnce(['check', ...KERNEL_SEARCH, '--json']);
    expect(checkJson(merged)).toEqual(checkJson(whole));
    const text = isolab(['check', '--merge', files[0]!.file, files[1]!.file]);
    expectStatus(text, 1);
    expect(text.stdout).toContain('runs 0..99');
    expect(text.stdout).toContain('run 70 broke cpu.supervisor-avoids-user-pages');
  });

  it('refuses a world with no attacker: exit 2 and a message', () => {
    expectBadInput(isolab(['check', SHARED_RACE]), 'error[E_CHECK]', 'declares no attacker', 'role: attacker');
  });

  it.each([
    ['3/2', '--shard expects i/n with 1 <= i <= n, found "3/2"'],
    ['0/2', 'found "0/2"'],
    ['half', 'found "half"'],
  ])('refuses --shard %s: exit 2', (shard, message) => {
    expectBadInput(isolab(['check', TLB_WORLD, '--shard', shard]), message);
  });

  it('refuses an unknown variant or value: exit 2', () => {
    expectBadInput(isolab(['check', TLB_WORLD, '--variant', 'flsh=off']), 'error[E_UNKNOWN_VARIANT]', 'no variant "flsh"');
    expectBadInput(isolab(['check', TLB_WORLD, '--variant', 'flush=maybe']), 'variant flush has no value "maybe"');
  });

  it('refuses --merge with an unreadable file: exit 2', () => {
    expectBadInput(isolab(['check', '--merge', join(workDirectory(), 'missing.json')]), 'error[E_READ]', 'cannot read shard results');
  });

  describe('--merge refuses shards that are not one whole search', () => {
    const shardFile = (directory: string, name: string, args: readonly string[]) => {
      const result = isolab(['check', TLB_WORLD, '--variant', 'flush=on', '--runs', '30', ...args, '--json']);
      expectStatus(result, 0);
      const file = join(directory, name);
      writeFileSync(file, result.stdout);
      return file;
    };

    it('refuses a missing shard (1/3 and 3/3): exit 2, naming the runs left unsearched', () => {
      const directory = workDirectory();
      const files = [shardFile(directory, 'one.json', ['--shard', '1/3']), shardFile(directory, 'three.json', ['--shard', '3/3'])];
      expectBadInput(isolab(['check', '--merge', ...files]), 'error[E_MERGE]', 'leave runs 10..19 of 0..29 unsearched');
    });

    it('refuses the same shard twice: exit 2, naming both files', () => {
      const directory = workDirectory();
      const one = shardFile(directory, 'one.json', ['--shard', '1/2']);
      const two = shardFile(directory, 'two.json', ['--shard', '2/2']);
      const again = join(directory, 'two-again.json');
      writeFileSync(again, readFileSync(two, 'utf8'));
      expectBadInput(isolab(['check', '--merge', one, two, again]), 'error[E_MERGE]', 'overlap: runs 15..29 are in both', 'two-again.json');
    });

    it('refuses shards searched with different seeds: exit 2', () => {
      const directory = workDirectory();
      const files = [shardFile(directory, 'one.json', ['--shard', '1/2', '--seed', '1']), shardFile(directory, 'two.json', ['--shard', '2/2', '--seed', '2'])];
      expectBadInput(isolab(['check', '--merge', ...files]), 'error[E_MERGE]', 'were searched with different settings: --seed 1 in', '--seed 2 in');
    });
  });

  it('writes a counterexample that replays for a world that enables no invariant', () => {
    const directory = workDirectory();
    const world = join(directory, 'no-invariant-world.isl');
    writeFileSync(
      world,
      readFileSync(join(ROOT, TLB_WORLD), 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith('invariant '))
        .join('\n'),
    );
    const out = join(directory, 'attack.isl');
    expectStatus(isolab(['check', world, '--variant', 'flush=off', '--out', out]), 1);
    const attack = readFileSync(out, 'utf8');
    expect(attack).toMatch(/\ninvariant memory\.process-isolation, /);
    const violated = /# It violates ([\w.-]+):/.exec(attack)![1]!;
    const run = isolab(['run', out]);
    expectStatus(run, 1);
    expect(run.stdout).toContain(`violated ${violated}`);
  });
});

describe.runIf(BUILT)('isolab explore', () => {
  const race = () => isolabOnce(['explore', SHARED_RACE]);

  it('finds the race: exit 1, the threads, the counts, the failed expectation and the scenario', () => {
    const result = race();
    expectStatus(result, 1);
    const out = result.stdout;
    expect(out).toContain('✗ scenarios/check/shared-race.isl [default]: threads producer (2), consumer (2), bystander (3)');
    expect(out).toMatch(/\n {2}stopped at the first violating interleaving: ran \d+ of 210 to the end; \d+ reached a state already explored, sleep sets pruned \d+ transitions; 1 violating \(--all explores them all\)\n/);
    expect(out).not.toContain('bounded');
    expect(out).toContain('consumer: read 0x20000000 size 5: expected value "ready"');
    const shown = out.split('\n').filter((line) => /^ {4}\w+: /.test(line)).map((line) => line.trim());
    expect(shown.indexOf('consumer: read 0x20000000 size 5 expect value "ready"')).toBeLessThan(shown.indexOf('producer: write 0x10000000 "ready"'));
  });

  it('counts every violating interleaving with --all, and reports them as JSON', () => {
    const text = isolabOnce(['explore', SHARED_RACE, '--all']);
    expectStatus(text, 1);
    expect(text.stdout).toMatch(/explored all interleavings: ran (\d+) of 210 to the end; \d+ reached a state already explored, sleep sets pruned \d+ transitions; (\d+) violating\n/);
    const json = isolab(['explore', SHARED_RACE, '--all', '--json']);
    expectStatus(json, 1);
    const [only] = (JSON.parse(json.stdout) as { results: { result: { explored: number; violating: number; complete: boolean } }[] }).results;
    const [, explored, violating] = /explored all interleavings: ran (\d+) of 210 to the end; \d+ reached a state already explored, sleep sets pruned \d+ transitions; (\d+) violating/.exec(text.stdout)!;
    expect(only!.result).toMatchObject({ explored: Number(explored), violating: Number(violating), complete: true, stoppedBy: null });
    expect(only!.result.violating).toBeGreaterThan(0);
    expect(only!.result.violating).toBeLessThan(only!.result.explored);
  });

  it('writes the interleaving with --out and its trace with --trace; the trace replays and the scenario fails as found', () => {
    const directory = workDirectory();
    const out = join(directory, 'race.isl');
    const trace = join(directory, 'race.trace');
    const result = isolab(['explore', SHARED_RACE, '--out', out, '--trace', trace]);
    expectStatus(result, 1);
    expect(result.stdout).toContain(`written to ${out} and ${trace}`);
    const scenario = readFileSync(out, 'utf8');
    const steps = scenario.split('\n').filter((line) => /^\w+: /.test(line));
    expect(steps.indexOf('consumer: read 0x20000000 size 5 expect value "ready"')).toBeLessThan(steps.indexOf('producer: write 0x10000000 "ready"'));
    const replay = isolab(['replay', '--rerun', trace]);
    expectStatus(replay, 0);
    expect(replay.stdout).toContain('reproduces all');
    expect(replay.stdout).toContain('1 failed expectation(s)');
    const run = isolab(['run', out]);
    expectStatus(run, 1);
    expect(run.stdout).toContain('✗ value "ready"');
  });

  it('stops at --max-interleavings 1 and says the bound stopped it', () => {
    const result = isolab(['explore', SHARED_RACE, '--max-interleavings', '1']);
    expectStatus(result, 0);
    expect(result.stdout).toContain('stopped at --max-interleavings 1: ran 1 of 210 to the end, the search is incomplete;');
    expect(result.stdout).toContain('0 violating');
  });

  it('finds the stale-TLB interleaving although the attacker’s step is written first: exit 1', () => {
    const file = join(workDirectory(), 'stale-tlb.isl');
    writeFileSync(
      file,
      `scenario "stale TLB race"
invariant memory.process-isolation
machine {
  tlb 64 entries { pcid: on }
}
kernel {
  switch { flush: off, pcids: 1 }
}
process victim { uid: 1000 }
process attacker { uid: 1001, catch: SIGSEGV }
attacker: read 0x400000 size 4
victim: map 0x400000 size 8 KiB rw user
victim: read 0x400000 size 4
`,
    );
    const result = isolab(['explore', file, '--all']);
    expectStatus(result, 1);
    expect(result.stdout).toMatch(/explored all interleavings: ran \d+ of 3 to the end; .*; 1 violating\n/);
    expect(result.stdout).toContain('attacker: read 0x400000 size 4: memory.process-isolation');
  });

  it('counts an interleaving that fails only an assertion as violating, as isolab run does: exit 1', () => {
    const file = join(workDirectory(), 'assertion.isl');
    writeFileSync(
      file,
      `scenario "a wrong assertion"
process a { uid: 1000 }
process b { uid: 1001 }
a: syscall getpid
b: syscall getpid
assert a exited
`,
    );
    expectStatus(isolab(['run', file]), 1);
    const result = isolab(['explore', file]);
    expectStatus(result, 1);
    expect(result.stdout).toContain('assert a exited (line 6): a is alive');
    expect(result.stdout).toContain('stopped at the first violating interleaving');
  });

  it('exits 0 when no interleaving violates, and writes nothing', () => {
    const directory = workDirectory();
    const file = join(directory, 'calm.isl');
    writeFileSync(
      file,
      `scenario "two processes, own pages"
process a { uid: 1000 }
process b { uid: 1001 }
a: map 0x400000 size 4 KiB rw user
b: map 0x400000 size 4 KiB rw user
a: write 0x400000 = 0x1
b: write 0x400000 = 0x2
a: read 0x400000 expect value 0x1
b: read 0x400000 expect value 0x2
`,
    );
    const out = join(directory, 'calm.out.isl');
    const result = isolab(['explore', file, '--out', out]);
    expectStatus(result, 0);
    expect(result.stdout).toMatch(/explored all interleavings: ran \d+ of 20 to the end; /);
    expect(result.stdout).toContain('0 violating');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a scenario with repeat: exit 2, E_EXPLORE', () => {
    const file = join(workDirectory(), 'repeat.isl');
    writeFileSync(
      file,
      `scenario "repeats"
process a { uid: 1000 }
a: map 0x400000 size 4 KiB rw user
repeat 2 {
  a: read 0x400000
}
`,
    );
    expectBadInput(isolab(['explore', file]), 'error[E_EXPLORE]', 'uses repeat');
  });
});
