/**
 * Issue 4, the checker: what a search costs. Figures only (the issue states no targets):
 *
 * - check runs per second: 30-step generated attacks with every invariant on, against
 *   the kernel world with its defences on (SMAP on, no injected bug), so no run stops
 *   early and every run is a full one; with one worker in this process (checkSlice), and
 *   with one and two worker threads (checkInWorkers, timed from the pool's start, so
 *   starting the threads and loading the world in each is counted);
 * - explore interleavings per second: complete interleavings of three processes of four
 *   steps each on one shared page (so partial-order reduction cannot collapse them),
 *   bounded by maxInterleavings;
 * - time to the first counterexample for the stale-TLB world (case (a): flush off), from
 *   reading the file and loading the world to the shrunk counterexample.
 *
 * Section.run is synchronous and a worker pool is not: the pool runs in a child process
 * (this module, started with --check-pool-child) that prints its figures as JSON. The
 * pool's threads run dist/check/worker.js, so this section needs the built dist, which
 * is where `npm run bench` runs it from.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScenario, loadScenario, type LoadedScenario } from '../../dsl/compile/index.js';
import { explore, type ExploreResult } from '../../check/explore.js';
import { checkInWorkers } from '../../check/pool.js';
import { checkSlice, type SearchSettings, type SliceResult } from '../../check/search.js';
import { loadWorld, type World } from '../../check/world.js';
import { medianRun, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';

const CHECK_RUNS = 2000;
const WARM_UP_RUNS = 100;
const SETTINGS: SearchSettings = { seed: 1, maxSteps: 30 };
const DEFENDED = { file: 'scenarios/check/kernel-world.isl', variant: { smap: 'on', bug: 'off' } } as const;
const STALE_TLB = { file: 'scenarios/check/tlb-world.isl', variant: { flush: 'off' } } as const;
/** Runs the first-counterexample search may take; case (a) is found long before. */
const COUNTEREXAMPLE_RUNS = 2000;
const COUNTEREXAMPLE_SEEDS = 10;
const EXPLORE_BOUND = 3000;
const CHILD_FLAG = '--check-pool-child';

/** The repository root: the nearest ancestor of this module with scenarios/check (dist/bench/sections from the build). */
function projectRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'scenarios', 'check'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the scenarios/check directory above the bench module');
    directory = parent;
  }
}

function loadFile(root: string, file: string): LoadedScenario {
  return loadScenario(file, (path, from) => {
    const name = from === null ? path : join(dirname(from.source), path);
    return { file: name, text: readFileSync(join(root, name), 'utf8') };
  });
}

/** Three processes, four steps each, every one of them on the page they share. */
const EXPLORE_WORKLOAD = [
  'scenario "Explore benchmark: three processes on one shared page"',
  'region shm size 4 KiB',
  ...['a', 'b', 'c'].map((name, i) => `process ${name} { uid: ${1000 + i} }`),
  ...['a', 'b', 'c'].flatMap((name, i) => {
    const va = `0x${(0x400000 + i * 0x100000).toString(16)}`;
    const at = (offset: number) => `0x${(0x400000 + i * 0x100000 + offset).toString(16)}`;
    return [
      `${name}: map ${va} size 4 KiB rw user shared shm`,
      `${name}: write ${at(8 * i)} = ${i + 1}`,
      `${name}: read ${at(8 * ((i + 1) % 3))}`,
      `${name}: write ${at(0x18)} = ${i + 4}`,
    ];
  }),
  '',
].join('\n');

interface PoolFigures {
  readonly seconds: number;
  readonly executed: number;
  readonly found: boolean;
}

function runPoolChild(file: string, workers: number, runs: number, context: BenchContext): PoolFigures {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, file, String(workers), String(runs)], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the worker-pool measurement failed (exit ${child.status}): ${child.stderr.slice(0, 2000)}`);
  const figures = JSON.parse(child.stdout) as PoolFigures;
  context.log(`check: ${workers} worker thread(s), ${figures.executed} runs in ${figures.seconds.toFixed(3)} s`);
  return figures;
}

function medianOf(runs: readonly PoolFigures[]): PoolFigures {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)]!;
}

/** A row with no target: the issue asks for the figure only. */
function infoRow(measurement: string, seconds: number, figure: string): Row {
  return { measurement, events: null, accesses: null, seconds, figure, target: '', verdict: 'info' };
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}

function checkRows(root: string, context: BenchContext): { rows: Row[]; notes: string[] } {
  const world = loadWorld(loadFile(root, DEFENDED.file), DEFENDED.variant);
  context.log(`check: warming up (${WARM_UP_RUNS} runs)`);
  checkSlice(world, SETTINGS, 0, WARM_UP_RUNS);
  const inProcess = medianRun<World, SliceResult>(
    context.repeats,
    () => world,
    (w) => checkSlice(w, SETTINGS, 0, CHECK_RUNS),
    (run) => context.log(`check: in-process, ${run.result.executed} runs in ${run.seconds.toFixed(3)} s`),
  );
  const file = join(root, DEFENDED.file);
  const pool = (workers: number, runs: number) => medianOf(Array.from({ length: context.repeats }, () => runPoolChild(file, workers, runs, context)));
  const [one, two] = [pool(1, CHECK_RUNS), pool(2, CHECK_RUNS)];
  const [startOne, startTwo] = [pool(1, 0), pool(2, 0)];
  /** Runs per second once the pool has started: the runs over the time beyond a pool given none. */
  const afterStart = (figures: PoolFigures, start: PoolFigures) =>
    figures.seconds > start.seconds ? `${rate(figures.executed, figures.seconds - start.seconds)} runs/s after start-up` : 'start-up dominates';
  const row = (measurement: string, executed: number, seconds: number, extra = '') => infoRow(measurement, seconds, `${rate(executed, seconds)} runs/s${extra}`);
  const startRow = (measurement: string, seconds: number) => infoRow(measurement, seconds, `${(seconds * 1000).toFixed(0)} ms (threads started, world loaded in each)`);
  const rows = [
    row('check, 1 worker (in process, checkSlice)', inProcess.result.executed, inProcess.seconds),
    row('check, 1 worker thread (checkInWorkers)', one.executed, one.seconds, ` (${afterStart(one, startOne)})`),
    row('check, 2 worker threads (checkInWorkers)', two.executed, two.seconds, ` (${(one.seconds / two.seconds).toFixed(2)}× 1 thread; ${afterStart(two, startTwo)})`),
    startRow('worker pool start-up, 1 thread, 0 runs', startOne.seconds),
    startRow('worker pool start-up, 2 threads, 0 runs', startTwo.seconds),
  ];
  const found = [inProcess.result.counterexample !== null, one.found, two.found];
  const executed = [inProcess.result.executed, one.executed, two.executed];
  if (startOne.executed !== 0 || startTwo.executed !== 0) throw new Error('a pool given no runs ran some');
  const notes = [
    `Check: ${CHECK_RUNS.toLocaleString('en-US')} runs of up to ${SETTINGS.maxSteps} generated steps (seed ${SETTINGS.seed}) against ${DEFENDED.file} ` +
      `[smap=on bug=off] with every invariant on; median of ${context.repeats} timed search(es) per row. The in-process row is warmed up ` +
      `with ${WARM_UP_RUNS} runs and excludes loading the world; the worker rows include starting the threads and loading the world in each (the start-up rows time that alone, a pool given no runs; ` +
      `"after start-up" divides the runs by the difference). A machine with other work running, or fewer than two free CPUs, gets no speed-up from two threads.`,
    found.some((f) => f) || executed.some((n) => n !== CHECK_RUNS)
      ? `UNEXPECTED: with every defence on, a search stopped early (runs executed ${executed.join(', ')}; counterexample found ${found.join(', ')}).`
      : `Every search ran all ${CHECK_RUNS.toLocaleString('en-US')} runs and found nothing, as the defended world should.`,
  ];
  return { rows, notes };
}

function exploreRow(context: BenchContext): { row: Row; note: string } {
  const plan = compileScenario(
    loadScenario('explore-bench.isl', () => ({ file: 'explore-bench.isl', text: EXPLORE_WORKLOAD })),
    {},
  );
  const options = { maxInterleavings: EXPLORE_BOUND, stopAtFirst: false };
  explore(plan, { ...options, maxInterleavings: 100 });
  const timed = medianRun<null, ExploreResult>(
    context.repeats,
    () => null,
    () => explore(plan, options),
    (run) => context.log(`explore: ${run.result.explored} interleavings in ${run.seconds.toFixed(3)} s`),
  );
  const result = timed.result;
  return {
    row: infoRow(
      'explore, 3 processes × 4 steps, one shared page',
      timed.seconds,
      `${result.complete ? 'complete search' : 'incomplete (bound)'} in ${(timed.seconds * 1000).toFixed(0)} ms: ${result.explored.toLocaleString('en-US')} run to the end, ${result.merged.toLocaleString('en-US')} merged`,
    ),
    note:
      `Explore: of 12!/(4!·4!·4!) = 34,650 orders, ${result.explored.toLocaleString('en-US')} were run to the end and ` +
      `${result.merged.toLocaleString('en-US')} times the search reached a state it had already explored from (state matching); sleep sets pruned ` +
      `${result.pruned.toLocaleString('en-US')} transitions; ${result.complete ? 'the search completed' : `the bound of ${EXPLORE_BOUND.toLocaleString('en-US')} stopped it`}` +
      `${result.footprintGaps > 0 ? `; UNEXPECTED: ${result.footprintGaps} footprint gap(s)` : ''}.`,
  };
}

function counterexampleRows(root: string, context: BenchContext): { rows: Row[]; note: string } {
  const search = (seed: number) => {
    const world = loadWorld(loadFile(root, STALE_TLB.file), STALE_TLB.variant);
    const counterexample = checkSlice(world, { ...SETTINGS, seed }, 0, COUNTEREXAMPLE_RUNS).counterexample;
    if (counterexample === null) throw new Error(`case (a) found no counterexample in ${COUNTEREXAMPLE_RUNS} runs with seed ${seed}`);
    return counterexample;
  };
  const first = medianRun(
    context.repeats,
    () => SETTINGS.seed,
    search,
    (run) => context.log(`first counterexample: run ${run.result.run} in ${run.seconds.toFixed(3)} s`),
  );
  const seeds: number[] = [];
  const runs: number[] = [];
  for (let seed = 1; seed <= COUNTEREXAMPLE_SEEDS; seed++) {
    const timed = medianRun(1, () => seed, search);
    seeds.push(timed.seconds);
    runs.push(timed.result.run);
  }
  const mean = seeds.reduce((a, b) => a + b, 0) / seeds.length;
  const c = first.result;
  return {
    rows: [
      infoRow(
        `first counterexample, case (a) stale TLB, seed ${SETTINGS.seed}`,
        first.seconds,
        `${(first.seconds * 1000).toFixed(0)} ms (run ${c.run}, ${c.shrinks} shrinks, ${c.steps.length} step(s))`,
      ),
      infoRow(
        `first counterexample, case (a), seeds 1–${COUNTEREXAMPLE_SEEDS}`,
        mean,
        `${(mean * 1000).toFixed(0)} ms mean, ${(Math.max(...seeds) * 1000).toFixed(0)} ms max`,
      ),
    ],
    note:
      `First counterexample: ${STALE_TLB.file} [flush=off], timed from reading the file and loading the world to the shrunk ` +
      `counterexample (median of ${context.repeats} for seed ${SETTINGS.seed}; one search per seed for the mean). ` +
      `The first failing run was ${runs.map((run, i) => `${run} (seed ${i + 1})`).join(', ')}.`,
  };
}

function runCheckSection(context: BenchContext): SectionReport {
  const root = projectRoot();
  const check = checkRows(root, context);
  const exploring = exploreRow(context);
  const counterexample = counterexampleRows(root, context);
  return {
    title: 'Checker: search, exploration and time to a counterexample (issue 4)',
    description: [
      'Figures only: the issue asks for them and states no targets. Runs, interleavings and times are in the figure column.',
    ],
    rows: [...check.rows, exploring.row, ...counterexample.rows],
    notes: [...check.notes, exploring.note, counterexample.note],
  };
}

export const checkSection: Section = { name: 'check', run: runCheckSection };

/** The child: one pool search over the defended world, timed, printed as JSON. */
async function poolChild(file: string, workers: number, runs: number): Promise<PoolFigures> {
  const start = process.hrtime.bigint();
  const result = await checkInWorkers({ file, variant: DEFENDED.variant, settings: SETTINGS, from: 0, to: runs, workers });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, executed: result.executed, found: result.counterexample !== null };
}

if (process.argv[2] === CHILD_FLAG && process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  poolChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])).then(
    (figures) => process.stdout.write(JSON.stringify(figures) + '\n'),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
