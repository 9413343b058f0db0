// Proves the search's contracts piece by piece: each run's result depends only on the search seed and the run's index (so slices, workers and shards agree), merging keeps the lowest failing run, hand-written attacks break exactly the worlds whose defence is off, every rendered attack compiles, a counterexample pins its variants, enables exactly the invariants the search checked and ends with its steps, and JUnit output is escaped, counted and well formed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../engine/core/errors.js';
import { runPlan } from '../../engine/scenario/run.js';
import { compileAppendedSteps, compileScenario, loadScenario, variantAxes, type LoadedScenario } from '../../dsl/compile/index.js';
import { actionArbitrary } from '../../check/actions.js';
import { runAttack } from '../../check/attack.js';
import { counterexampleScenario } from '../../check/counterexample.js';
import { junitXml } from '../../check/junit.js';
import { renderActions } from '../../check/render.js';
import { checkRun, checkSlice, mergeSlices, runSeedOf, type Counterexample, type SliceResult } from '../../check/search.js';
import { loadWorld, type World } from '../../check/world.js';
import { elementsNamed, parseWellFormedXml } from './well-formed-xml.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TLB_WORLD = 'scenarios/check/tlb-world.isl';
const KERNEL_WORLD = 'scenarios/check/kernel-world.isl';
const JAIL_WORLD = 'scenarios/check/jail-world.isl';

function loadFile(file: string): LoadedScenario {
  return loadScenario(file, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') }));
}

function loadText(file: string, text: string): LoadedScenario {
  return loadScenario(file, (path) => {
    if (path !== file) throw new ScenarioError('E_READ', `no in-memory file ${path}`);
    return { file: path, text };
  });
}

const worlds = new Map<string, World>();
function world(file: string, variant: Record<string, string>): World {
  const key = JSON.stringify([file, variant]);
  if (!worlds.has(key)) worlds.set(key, loadWorld(loadFile(file), variant));
  return worlds.get(key)!;
}

describe('per-run seeds', () => {
  // Seed 36 on the kernel world with SMAP off first fails at run 70: past the first two
  // slices of 25 a worker pool hands out, so slicing has something to get wrong.
  const SETTINGS = { seed: 36, maxSteps: 30 };
  const FIRST_FAILURE = 70;
  const smapOff = () => world(KERNEL_WORLD, { smap: 'off', bug: 'off' });

  it('gives each run its own seed, a function of the search seed and the run index only', () => {
    const seeds = Array.from({ length: 100 }, (_, run) => runSeedOf(SETTINGS.seed, run));
    expect(new Set(seeds).size).toBe(seeds.length);
    expect(runSeedOf(SETTINGS.seed, 70)).toBe(seeds[70]);
    expect(runSeedOf(SETTINGS.seed + 1, 70)).not.toBe(seeds[70]);
  });

  it('finds the same counterexample at the same run however the runs are sliced', () => {
    const w = smapOff();
    const alone = checkRun(w, SETTINGS, FIRST_FAILURE);
    expect(alone).not.toBeNull();
    expect(alone!.run).toBe(FIRST_FAILURE);
    expect(alone!.runSeed).toBe(runSeedOf(SETTINGS.seed, FIRST_FAILURE));
    for (const [from, to] of [
      [0, 100],
      [50, 100],
      [FIRST_FAILURE, FIRST_FAILURE + 1],
      [60, 75],
    ] as const) {
      expect(checkSlice(w, SETTINGS, from, to).counterexample, `slice ${from}..${to}`).toEqual(alone);
    }
    const whole = checkSlice(w, SETTINGS, 0, 100);
    expect(whole.executed).toBe(FIRST_FAILURE + 1);
  });

  it('gives every run before the first failure no counterexample, run by run as in a slice', () => {
    const w = smapOff();
    for (let run = 0; run < FIRST_FAILURE; run++) expect(checkRun(w, SETTINGS, run), `run ${run}`).toBeNull();
  });

  it('gives a later slice the counterexample of its own first failing run', () => {
    const w = smapOff();
    const later = checkSlice(w, SETTINGS, FIRST_FAILURE + 1, FIRST_FAILURE + 400).counterexample;
    expect(later).not.toBeNull();
    expect(later!.run).toBeGreaterThan(FIRST_FAILURE);
    expect(checkRun(w, SETTINGS, later!.run)).toEqual(later);
  });

  it('does not depend on the world object: a freshly loaded world gives the same run', () => {
    const fresh = loadWorld(loadFile(KERNEL_WORLD), { smap: 'off', bug: 'off' });
    expect(checkRun(fresh, SETTINGS, FIRST_FAILURE)).toEqual(checkRun(smapOff(), SETTINGS, FIRST_FAILURE));
  });
});

describe('mergeSlices', () => {
  const counterexample = (run: number): Counterexample => ({
    run,
    runSeed: run * 7,
    path: `${run}:0`,
    shrinks: 1,
    steps: [`attacker: read 0x${run.toString(16)}`],
    violation: { invariant: 'memory.process-isolation', message: `run ${run}`, event: run },
  });
  const slice = (from: number, to: number, failing: number | null): SliceResult => ({
    from,
    to,
    executed: failing === null ? to - from : failing - from + 1,
    counterexample: failing === null ? null : counterexample(failing),
  });

  it('picks the counterexample of the lowest run, in whatever order the slices arrive', () => {
    const slices = [slice(50, 75, 60), slice(0, 25, null), slice(25, 50, 40), slice(75, 100, 80)];
    const orders = [slices, [...slices].reverse(), [slices[2]!, slices[0]!, slices[3]!, slices[1]!]];
    for (const order of orders) {
      const merged = mergeSlices(order);
      expect(merged.counterexample).toEqual(counterexample(40));
      expect(merged.executed).toBe(25 + 16 + 11 + 6);
    }
  });

  it('has no counterexample when no slice has one, and counts every run', () => {
    expect(mergeSlices([slice(0, 10, null), slice(10, 30, null)])).toEqual({ executed: 30, counterexample: null });
    expect(mergeSlices([])).toEqual({ executed: 0, counterexample: null });
  });
});

describe('runAttack on hand-written attacks', () => {
  it('breaks process isolation in the TLB world when the flush is off: the stale entry reaches the victim’s frame', () => {
    const outcome = runAttack(world(TLB_WORLD, { flush: 'off' }), ['attacker: read 0x400000 size 4']);
    expect(outcome.stoppedByLimit).toBe(false);
    expect(outcome.stepsRun).toBe(1);
    expect(outcome.violation?.invariant).toBe('memory.process-isolation');
    expect(outcome.violation?.message).toContain('belongs to victim');
  });

  it('breaks nothing in the TLB world when the flush is on', () => {
    const outcome = runAttack(world(TLB_WORLD, { flush: 'on' }), ['attacker: read 0x400000 size 4', 'attacker: read 0x401000 size 4']);
    expect(outcome).toEqual({ stepsRun: 2, violation: null, stoppedByLimit: false });
  });

  it('stops at the first violation and reports the steps run up to it', () => {
    const outcome = runAttack(world(TLB_WORLD, { flush: 'off' }), ['attacker: syscall getpid', 'attacker: read 0x400000 size 4', 'attacker: read 0x400000 size 4']);
    expect(outcome.stepsRun).toBe(2);
    expect(outcome.violation).not.toBeNull();
  });

  it('finds the SMAP attack only with SMAP off', () => {
    const attack = ['kernel in attacker: read 0x400000'];
    expect(runAttack(world(KERNEL_WORLD, { smap: 'off', bug: 'off' }), attack).violation?.invariant).toBe('cpu.supervisor-avoids-user-pages');
    expect(runAttack(world(KERNEL_WORLD, { smap: 'on', bug: 'off' }), attack).violation).toBeNull();
  });

  it('starts every attack from the world’s state: one attack does not change the next', () => {
    const w = world(TLB_WORLD, { flush: 'on' });
    const before = w.base;
    runAttack(w, ['attacker: map 0x10000000 size 4 KiB rw user', 'attacker: write 0x10000000 = 0x41']);
    expect(w.base).toBe(before);
    expect(runAttack(w, ['attacker: map 0x10000000 size 4 KiB rw user']).violation).toBeNull();
  });

  it('runs nothing for an empty attack, and rejects a line that does not compile with a located ScenarioError', () => {
    const w = world(TLB_WORLD, { flush: 'off' });
    expect(runAttack(w, [])).toEqual({ stepsRun: 0, violation: null, stoppedByLimit: false });
    expect(() => runAttack(w, ['attacker: raed 0x400000'])).toThrow(ScenarioError);
  });
});

describe('renderActions', () => {
  const WORLDS: [string, Record<string, string>][] = [
    [TLB_WORLD, { flush: 'on' }],
    [TLB_WORLD, { flush: 'off' }],
    [KERNEL_WORLD, { smap: 'on', bug: 'off' }],
    [KERNEL_WORLD, { smap: 'off', bug: 'on' }],
    [JAIL_WORLD, {}],
  ];

  it.each(WORLDS)('never renders a line that fails to compile: %s %o', (file, variant) => {
    const w = world(file, variant);
    const files = w.files.paths.length > 0;
    const mappingsBefore = JSON.stringify([...w.compiled.context.mappings], (_key, value: unknown) => (typeof value === 'bigint' ? value.toString(16) : value));
    fc.assert(
      fc.property(fc.array(actionArbitrary(w.attackers.length, w.others.length, files), { maxLength: 40 }), (actions) => {
        const lines = renderActions(w, actions);
        expect(lines.length).toBeLessThanOrEqual(actions.length);
        const steps = compileAppendedSteps(w.compiled, lines.join('\n') + '\n', 'rendered.isl');
        expect(steps.map((step) => step.text)).toEqual(lines);
      }),
      { seed: 4242, numRuns: 300 },
    );
    const mappingsAfter = JSON.stringify([...w.compiled.context.mappings], (_key, value: unknown) => (typeof value === 'bigint' ? value.toString(16) : value));
    expect(mappingsAfter).toBe(mappingsBefore);
  });

  it('draws file and credential calls from the world: its paths, ids and processes, and none without a file system', () => {
    const open = { kind: 'file', actor: 1, call: 0, a: 0, b: 0 } as const;
    const chown = { kind: 'file', actor: 0, call: 11, a: 4, b: 1 } as const;
    const kill = { kind: 'file', actor: 0, call: 26, a: 0, b: 2 } as const;
    const jail = world(JAIL_WORLD, {});
    expect(jail.files.paths.slice(0, 3)).toEqual(['/jail', '/jail/etc', '/jail/etc/passwd']);
    expect(jail.files.paths).toContain('../../etc/shadow');
    expect(jail.files.ids).toEqual([0, 1000, 1001, 65534]);
    expect(renderActions(jail, [open, chown, kill])).toEqual([
      'user: syscall openat(AT_FDCWD, "/jail", O_RDONLY)',
      'attacker: syscall chown("/home/alice", 1000, 1000)',
      'attacker: syscall kill(victim, SIGKILL)',
    ]);
    expect(renderActions(world(KERNEL_WORLD, { smap: 'on', bug: 'off' }), [open])).toEqual([]);
  });

  it('draws the victim as a bystander only in a world that has one', () => {
    const action = { kind: 'bystander', process: 0, op: 'write', which: 0 } as const;
    expect(renderActions(world(TLB_WORLD, { flush: 'on' }), [action])).toEqual(['victim: write 0x400000 = 0x5a']);
    expect(renderActions(world(KERNEL_WORLD, { smap: 'on', bug: 'off' }), [action])).toEqual([]);
  });

  it('drops a map that would overlap a mapping the attacker already has', () => {
    const map = { kind: 'map', actor: 0, slot: 0, pages: 1, perms: 1, user: true } as const;
    expect(renderActions(world(TLB_WORLD, { flush: 'on' }), [map, map])).toEqual(['attacker: map 0x10000000 size 4 KiB rw user']);
  });
});

describe('counterexampleScenario', () => {
  const found: Counterexample = {
    run: 3,
    runSeed: 123,
    path: '0:1',
    shrinks: 2,
    steps: ['attacker: syscall getpid', 'attacker: read 0x400000 size 4'],
    violation: { invariant: 'memory.process-isolation', message: 'attacker touched frame 263', event: 101 },
  };

  it('pins the variants to the values searched and ends with the steps', () => {
    const w = world(TLB_WORLD, { flush: 'off' });
    const text = counterexampleScenario(w, found, 'isolab check tlb-world.isl --variant flush=off --seed 1');
    const lines = text.trimEnd().split('\n');
    expect(lines).toContain('variant flush: off');
    expect(text).not.toContain('variant flush: on | off');
    expect(lines.slice(-2)).toEqual(found.steps);
    expect(text).toContain('# It violates memory.process-isolation: attacker touched frame 263');
    expect(text).toContain('# Reproduce the search: isolab check tlb-world.isl --variant flush=off --seed 1');
    expect(text.endsWith('\n')).toBe(true);
    const replay = loadText('counterexample.isl', text);
    expect(variantAxes(replay)).toEqual([{ name: 'flush', values: ['off'] }]);
  });

  it('pins every variant of a world with two', () => {
    const w = world(KERNEL_WORLD, { smap: 'off', bug: 'on' });
    const text = counterexampleScenario(w, { ...found, steps: ['kernel in attacker: read 0x400000'] }, 'isolab check …');
    expect(variantAxes(loadText('counterexample.isl', text))).toEqual([
      { name: 'smap', values: ['off'] },
      { name: 'bug', values: ['on'] },
    ]);
  });

  it('replays a real counterexample with runPlan, breaking the same invariant', () => {
    const w = world(TLB_WORLD, { flush: 'off' });
    const real = checkSlice(w, { seed: 1, maxSteps: 30 }, 0, 100).counterexample!;
    const result = runPlan(compileScenario(loadText('counterexample.isl', counterexampleScenario(w, real, 'isolab check …')), { flush: 'off' }));
    expect(result.passed).toBe(false);
    expect(result.violations.map((v) => v.invariant)).toContain(real.violation.invariant);
  });

  // A world that enables no invariant is searched with every built-in one (loadWorld);
  // its counterexample must enable them too, or `isolab run` on it passes.
  it('replays the violation of a world that declares no invariant line', () => {
    const text = readFileSync(join(ROOT, TLB_WORLD), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('invariant '))
      .join('\n');
    const w = loadWorld(loadText('no-invariant-world.isl', text), { flush: 'off' });
    expect(w.compiled.plan.invariants).toEqual([]);
    const real = checkSlice(w, { seed: 1, maxSteps: 30 }, 0, 100).counterexample!;
    expect(real).not.toBeNull();
    const scenario = counterexampleScenario(w, real, 'isolab check …');
    const replayedPlan = compileScenario(loadText('counterexample.isl', scenario), { flush: 'off' });
    expect(replayedPlan.invariants).toEqual(w.plan.invariants);
    const result = runPlan(replayedPlan);
    expect(result.passed).toBe(false);
    expect(result.violations.map((v) => v.invariant)).toContain(real.violation.invariant);
  });

  it('adds no invariant line to a world that enables its own', () => {
    const w = world(TLB_WORLD, { flush: 'off' });
    const text = counterexampleScenario(w, found, 'isolab check …');
    expect(text.split('\n').filter((line) => line.startsWith('invariant '))).toEqual(['invariant memory.process-isolation, secret.no-leak']);
    expect(compileScenario(loadText('counterexample.isl', text), { flush: 'off' }).invariants).toEqual(w.plan.invariants);
  });
});

describe('loadWorld', () => {
  it('refuses a scenario that declares no attacker (E_CHECK)', () => {
    expect(() => loadWorld(loadFile('scenarios/check/shared-race.isl'), {})).toThrow(
      expect.objectContaining({ code: 'E_CHECK', message: expect.stringContaining('declares no attacker') }),
    );
  });
});

describe('junitXml', () => {
  const NASTY = `a<b & "c" 'd' > e`;

  it('escapes names, messages and texts, and counts tests and failures', () => {
    const xml = junitXml([
      { name: `world ${NASTY}`, runs: 10, failure: { message: `broke ${NASTY}`, text: `steps\n${NASTY}\n` } },
      { name: 'safe world', runs: 1000, failure: null },
      { name: 'another', runs: 5, failure: { message: 'm', text: 't' } },
    ]);
    expect(xml).not.toContain(NASTY);
    const root = parseWellFormedXml(xml);
    expect(root.name).toBe('testsuite');
    expect(root.attributes).toMatchObject({ tests: '3', failures: '2', errors: '0' });
    const cases = elementsNamed(root, 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual([`world ${NASTY}`, 'safe world', 'another']);
    const failures = elementsNamed(root, 'failure');
    expect(failures.map((f) => f.attributes.message)).toEqual([`broke ${NASTY}`, 'm']);
    expect(failures[0]!.text).toBe(`steps\n${NASTY}\n`);
    expect(elementsNamed(root, 'system-out').map((s) => s.text)).toEqual(['10 runs', '1000 runs', '5 runs']);
  });

  it('writes an empty suite for no cases', () => {
    const root = parseWellFormedXml(junitXml([]));
    expect(root.attributes).toMatchObject({ tests: '0', failures: '0' });
    expect(root.children).toEqual([]);
  });

  it('the well-formedness reader rejects what it should (so the checks above can fail)', () => {
    expect(() => parseWellFormedXml('<a>x & y</a>')).toThrow();
    expect(() => parseWellFormedXml('<a b="<"></a>')).toThrow();
    expect(() => parseWellFormedXml('<a><b></a></b>')).toThrow();
    expect(() => parseWellFormedXml('<a></a><a></a>')).toThrow();
    expect(parseWellFormedXml('<a b="&quot;&#65;">&lt;</a>')).toEqual({ name: 'a', attributes: { b: '"A' }, children: [], text: '<' });
  });
});
