/**
 * `isolab check --merge`: the JSON results of shards (`--shard i/n --json`) combined into
 * the result of the whole search. A merge is only as good as its shards, so it refuses
 * (ScenarioError E_MERGE, exit 2) unless, for every world and variant, the shards were
 * searched with the same settings (seed, runs, steps) and their ranges of runs cover
 * 0..runs-1 exactly once: a missing shard would hide its runs' counterexamples, and a
 * shard given twice would count its runs twice.
 */
import { ScenarioError } from '../engine/core/errors.js';
import { mergeSlices, type Counterexample, type SliceResult } from './search.js';

/** One search: a world under one variant, over a range of runs. Plain JSON (for --merge). */
export interface CheckResult {
  readonly file: string;
  readonly variant: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly maxSteps: number;
  readonly runs: number;
  readonly from: number;
  readonly to: number;
  /** Runs up to and including the counterexample, or all of the range. */
  readonly runsChecked: number;
  readonly counterexample: Counterexample | null;
  readonly scenario: string | null;
}

/** A shard's results as read from its JSON file. */
export interface ShardFile {
  readonly path: string;
  readonly results: readonly CheckResult[];
}

interface Located {
  readonly path: string;
  readonly result: CheckResult;
}

/** Merges shards per world and variant, in order of first appearance; refuses gaps, overlaps and mixed settings. */
export function mergeShards(files: readonly ShardFile[]): CheckResult[] {
  const groups = new Map<string, Located[]>();
  for (const file of files) {
    if (file.results.length === 0) throw new ScenarioError('E_MERGE', `${file.path} holds no check results (write them with isolab check … --json)`);
    for (const result of file.results) {
      if (!isCheckResult(result)) throw new ScenarioError('E_MERGE', `${file.path} is not the JSON output of isolab check … --json: a result lacks its file, variant, settings or range of runs`);
      const key = JSON.stringify([result.file, result.variant]);
      groups.set(key, [...(groups.get(key) ?? []), { path: file.path, result }]);
    }
  }
  return [...groups.values()].map((shards) => {
    checkSettings(shards);
    checkCoverage(shards);
    return mergeGroup(shards.map((s) => s.result));
  });
}

function isCheckResult(value: unknown): value is CheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  return (
    typeof r.file === 'string' &&
    typeof r.variant === 'object' &&
    r.variant !== null &&
    [r.seed, r.maxSteps, r.runs, r.from, r.to, r.runsChecked].every(whole) &&
    (r.from as number) <= (r.to as number) &&
    (r.to as number) <= (r.runs as number)
  );
}

function describeGroup(result: CheckResult): string {
  const variant = Object.entries(result.variant).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${result.file} [${variant === '' ? 'default' : variant}]`;
}

function checkSettings(shards: readonly Located[]): void {
  const first = shards[0]!;
  for (const setting of ['seed', 'runs', 'maxSteps'] as const) {
    const other = shards.find((s) => s.result[setting] !== first.result[setting]);
    if (other === undefined) continue;
    const option = setting === 'maxSteps' ? '--max-steps' : `--${setting}`;
    throw new ScenarioError(
      'E_MERGE',
      `the shards of ${describeGroup(first.result)} were searched with different settings: ${option} ${first.result[setting]} in ${first.path}, ${option} ${other.result[setting]} in ${other.path}`,
      null,
      ['merge only the shards of one search: the same file, --seed, --runs and --max-steps, with --shard 1/n … n/n'],
    );
  }
}

function checkCoverage(shards: readonly Located[]): void {
  const runs = shards[0]!.result.runs;
  const sorted = [...shards].sort((a, b) => a.result.from - b.result.from || a.result.to - b.result.to);
  let covered = 0;
  let coveredBy = '';
  for (const shard of sorted) {
    const { from, to } = shard.result;
    if (from < covered) {
      throw new ScenarioError(
        'E_MERGE',
        `the shards of ${describeGroup(shard.result)} overlap: runs ${from}..${Math.min(to, covered) - 1} are in both ${coveredBy} and ${shard.path}`,
        null,
        ['give each shard once: merging the same runs twice would count them twice'],
      );
    }
    if (from > covered) throw missingRuns(shard.result, covered, from);
    covered = to;
    coveredBy = shard.path;
  }
  if (covered < runs) throw missingRuns(sorted[0]!.result, covered, runs);
}

function missingRuns(result: CheckResult, from: number, to: number): ScenarioError {
  return new ScenarioError(
    'E_MERGE',
    `the shards of ${describeGroup(result)} leave runs ${from}..${to - 1} of 0..${result.runs - 1} unsearched`,
    null,
    ['merge every shard of the search (--shard 1/n … n/n): a missing shard could hide a counterexample'],
  );
}

/** Shards that cover the runs exactly once: the counterexample of the lowest run wins. */
function mergeGroup(shards: readonly CheckResult[]): CheckResult {
  const slices: SliceResult[] = shards.map((s) => ({ from: s.from, to: s.to, executed: s.runsChecked, counterexample: s.counterexample }));
  const { counterexample } = mergeSlices(slices);
  const first = shards[0]!;
  const winner = shards.find((s) => s.counterexample !== null && s.counterexample.run === counterexample?.run);
  const runsChecked = counterexample === null ? first.runs : counterexample.run + 1;
  return { ...first, from: 0, to: first.runs, runsChecked, counterexample, scenario: winner?.scenario ?? null };
}
