// Proves that `isolab check --merge` combines shards into the whole search only when they are one search: the same settings, and ranges of runs that cover it exactly once; a gap, an overlap (the same shard twice), mixed settings or a file that is not check output are refused with E_MERGE, naming the runs and files at fault.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../engine/core/errors.js';
import { mergeShards, type CheckResult, type ShardFile } from '../../check/merge.js';
import type { Counterexample } from '../../check/search.js';

const RUNS = 90;

function counterexample(run: number): Counterexample {
  return {
    run,
    runSeed: run * 7,
    path: `${run}:0`,
    shrinks: 1,
    steps: [`attacker: read 0x${run.toString(16)}`],
    violation: { invariant: 'memory.process-isolation', message: `run ${run}`, event: run },
  };
}

/** Shard i of n, as `isolab check --shard i/n --json` writes it (bin/commands/check.ts parseShard). */
function shard(index: number, count: number, failing: number | null = null, overrides: Partial<CheckResult> = {}): CheckResult {
  const from = Math.floor(((index - 1) * RUNS) / count);
  const to = Math.floor((index * RUNS) / count);
  const found = failing !== null && failing >= from && failing < to ? failing : null;
  return {
    file: 'scenarios/check/tlb-world.isl',
    variant: { flush: 'off' },
    seed: 1,
    maxSteps: 30,
    runs: RUNS,
    from,
    to,
    runsChecked: found === null ? to - from : found - from + 1,
    counterexample: found === null ? null : counterexample(found),
    scenario: found === null ? null : `scenario for run ${found}`,
    ...overrides,
  };
}

const file = (path: string, ...results: CheckResult[]): ShardFile => ({ path, results });

function refusal(files: readonly ShardFile[]): ScenarioError {
  try {
    mergeShards(files);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('E_MERGE');
    return error as ScenarioError;
  }
  return expect.unreachable('mergeShards accepted the shards');
}

describe('mergeShards on shards that cover the search once', () => {
  it('gives the unsharded result: every run, the lowest counterexample and its scenario', () => {
    const merged = mergeShards([file('c.json', shard(3, 3, 70)), file('a.json', shard(1, 3)), file('b.json', shard(2, 3, 40))]);
    expect(merged).toEqual([
      { ...shard(3, 3, 70), from: 0, to: RUNS, runsChecked: 41, counterexample: counterexample(40), scenario: 'scenario for run 40' },
    ]);
  });

  it('counts every run when no shard found anything', () => {
    const [merged] = mergeShards([file('a.json', shard(1, 2)), file('b.json', shard(2, 2))]);
    expect(merged).toMatchObject({ from: 0, to: RUNS, runsChecked: RUNS, counterexample: null, scenario: null });
  });

  it('merges each variant of a world on its own', () => {
    const on = { variant: { flush: 'on' } };
    const merged = mergeShards([file('a.json', shard(1, 2), shard(1, 2, null, on)), file('b.json', shard(2, 2, 50), shard(2, 2, null, on))]);
    expect(merged.map((r) => [r.variant, r.counterexample?.run ?? null])).toEqual([
      [{ flush: 'off' }, 50],
      [{ flush: 'on' }, null],
    ]);
  });

  it('accepts any split into contiguous shards, in any order, and finds the lowest failing run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.option(fc.nat({ max: RUNS - 1 }), { nil: null }), fc.nat(), (count, failing, rotation) => {
        const shards = Array.from({ length: count }, (_, i) => file(`${i + 1}.json`, shard(i + 1, count, failing)));
        const rotated = [...shards.slice(rotation % count), ...shards.slice(0, rotation % count)];
        const [merged] = mergeShards(rotated);
        expect(merged!.counterexample?.run ?? null).toBe(failing);
        expect(merged!.runsChecked).toBe(failing === null ? RUNS : failing + 1);
      }),
      { seed: 9, numRuns: 200 },
    );
  });
});

describe('mergeShards refuses what is not one whole search', () => {
  it('refuses a missing shard (1/3 and 3/3), naming the runs left unsearched', () => {
    const error = refusal([file('a.json', shard(1, 3)), file('c.json', shard(3, 3))]);
    expect(error.message).toBe('the shards of scenarios/check/tlb-world.isl [flush=off] leave runs 30..59 of 0..89 unsearched');
  });

  it('refuses a missing last shard', () => {
    expect(refusal([file('a.json', shard(1, 3)), file('b.json', shard(2, 3))]).message).toContain('leave runs 60..89 of 0..89 unsearched');
  });

  it('refuses a missing first shard', () => {
    expect(refusal([file('b.json', shard(2, 2))]).message).toContain('leave runs 0..44 of 0..89 unsearched');
  });

  it('refuses the same shard twice, naming both files', () => {
    const error = refusal([file('a.json', shard(1, 2)), file('b.json', shard(2, 2)), file('b-again.json', shard(2, 2))]);
    expect(error.message).toBe('the shards of scenarios/check/tlb-world.isl [flush=off] overlap: runs 45..89 are in both b.json and b-again.json');
  });

  it('refuses shards of two different splits that overlap (1/2 with 2/3)', () => {
    expect(refusal([file('a.json', shard(1, 2)), file('b.json', shard(2, 3)), file('c.json', shard(3, 3))]).message).toContain('overlap: runs 30..44 are in both a.json and b.json');
  });

  it.each([
    ['seed', { seed: 2 }, '--seed 1 in a.json, --seed 2 in b.json'],
    ['runs', { runs: 100 }, '--runs 90 in a.json, --runs 100 in b.json'],
    ['max steps', { maxSteps: 10 }, '--max-steps 30 in a.json, --max-steps 10 in b.json'],
  ])('refuses shards searched with a different %s', (_name, overrides, names) => {
    const error = refusal([file('a.json', shard(1, 2)), file('b.json', shard(2, 2, null, overrides))]);
    expect(error.message).toBe(`the shards of scenarios/check/tlb-world.isl [flush=off] were searched with different settings: ${names}`);
  });

  it('refuses a file with no results, and results that are not check output', () => {
    expect(refusal([file('a.json', shard(1, 1)), file('empty.json')]).message).toContain('empty.json holds no check results');
    const broken = { ...shard(1, 1), to: RUNS + 1 };
    expect(refusal([file('bad.json', broken)]).message).toContain('bad.json is not the JSON output of isolab check');
    expect(refusal([file('bad.json', { nonsense: true } as unknown as CheckResult)]).message).toContain('is not the JSON output');
  });
});
