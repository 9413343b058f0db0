// Proves that `isolab check` finds each attack on its own when one defence is off —
// a stale TLB, SMAP, a kernel page wrongly marked user — within 2,000 runs and shrunk
// to at most 6 steps, that the counterexample replays with `isolab run`, and that with
// every defence on 20,000 runs find nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { runPlan } from '../../engine/scenario/run.js';
import { counterexampleScenario } from '../../check/counterexample.js';
import { checkSlice, mergeSlices } from '../../check/search.js';
import { loadWorld } from '../../check/world.js';

const ROOT = join(import.meta.dirname, '..', '..');

function world(file: string, variant: Record<string, string>) {
  const loaded = loadScenario(file, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') }));
  return loadWorld(loaded, variant);
}

const SETTINGS = { seed: 1, maxSteps: 30 };

describe('isolab check finds the attack when a defence is off', () => {
  it.each([
    ['(a) the TLB flush on PCID reuse disabled', 'scenarios/check/tlb-world.isl', { flush: 'off' }],
    ['(b) SMAP off', 'scenarios/check/kernel-world.isl', { smap: 'off', bug: 'off' }],
    ['(c) a supervisor page wrongly marked user', 'scenarios/check/kernel-world.isl', { smap: 'on', bug: 'on' }],
  ])('%s: found within 2,000 runs, shrunk to at most 6 steps, and it replays', (_name, file, variant) => {
    const w = world(file, variant);
    const slice = checkSlice(w, SETTINGS, 0, 2000);
    const counterexample = slice.counterexample;
    expect(counterexample).not.toBeNull();
    expect(counterexample!.run).toBeLessThan(2000);
    expect(counterexample!.steps.length).toBeLessThanOrEqual(6);
    const text = counterexampleScenario(w, counterexample!, 'isolab check …');
    const replay = loadScenario('counterexample.isl', (path) => ({ file: path, text }));
    const result = runPlan(compileScenario(replay, variant));
    expect(result.passed).toBe(false);
    expect(result.violations.map((v) => v.invariant)).toContain(counterexample!.violation.invariant);
  });

  it('gives the same counterexample for the same seed, however the runs are sliced', () => {
    const w = world('scenarios/check/kernel-world.isl', { smap: 'off', bug: 'off' });
    const whole = checkSlice(w, SETTINGS, 0, 200).counterexample;
    const sliced = mergeSlices([checkSlice(w, SETTINGS, 100, 200), checkSlice(w, SETTINGS, 0, 100)]).counterexample;
    expect(sliced).toEqual(whole);
  });
});

describe('isolab check with every defence on', () => {
  it.each([
    ['the TLB world, flush on', 'scenarios/check/tlb-world.isl', { flush: 'on' }],
    ['the kernel world, SMAP on and no bug', 'scenarios/check/kernel-world.isl', { smap: 'on', bug: 'off' }],
  ])('%s: 20,000 runs find nothing', (_name, file, variant) => {
    const slice = checkSlice(world(file, variant), SETTINGS, 0, 20_000);
    expect(slice.counterexample).toBeNull();
    expect(slice.executed).toBe(20_000);
  });
});
