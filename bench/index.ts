/**
 * `npm run bench`: runs every benchmark section and prints one table per section.
 * A later issue adds a section by writing a module that exports a `Section` and
 * listing it in SECTIONS; printing and the command line are shared.
 *
 * Options: `--only NAME[,NAME]` runs some sections, `--accesses N` shrinks the hot-path
 * workload for a quick look (the targets are stated for the size), `--repeats N`
 * sets the timed runs per measurement (median reported, default 3), `--json` prints
 * machine-readable rows. Progress goes to stderr.
 *
 * Exit code 0 whatever the verdicts (benchmarks report, they do not fail); a crash or
 * bad arguments exit non-zero.
 */
import { availableParallelism, loadavg } from 'node:os';
import { formatSection, gcFunction, sectionJson, type BenchContext, type Section, type SectionReport } from './report.js';
import { checkSection } from './sections/check.js';
import { historyMemorySection } from './sections/history-memory.js';
import { hotPathSection } from './sections/hot-path.js';
import { reportSection } from './sections/report.js';
import { syscallsSection } from './sections/syscalls.js';
import { seccompSection } from './sections/seccomp.js';

export const SECTIONS: readonly Section[] = [hotPathSection, historyMemorySection, reportSection, checkSection, syscallsSection, seccompSection];

interface Options {
  readonly only: readonly string[] | null;
  readonly accesses: number | null;
  readonly repeats: number;
  readonly json: boolean;
}

class UsageError extends Error {}

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`${flag} needs a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function parseOptions(argv: readonly string[]): Options {
  let only: string[] | null = null;
  let accesses: number | null = null;
  let repeats = 3;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--only') only = (argv[++i] ?? '').split(',').filter((name) => name !== '');
    else if (flag === '--accesses') accesses = positiveInteger(flag, argv[++i]);
    else if (flag === '--repeats') repeats = positiveInteger(flag, argv[++i]);
    else if (flag === '--json') json = true;
    else throw new UsageError(`unknown option ${flag} (known: --only, --accesses, --repeats, --json)`);
  }
  const unknown = (only ?? []).filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown section ${unknown.join(', ')}; sections are ${SECTIONS.map((s) => s.name).join(', ')}`);
  }
  return { only, accesses, repeats, json };
}

/** The load average and CPU count: wall-clock figures mean little on a busy machine. */
function describeLoad(): string {
  const [oneMinute] = loadavg();
  const cpus = availableParallelism();
  const busy = oneMinute! > 0.5 ? ' (other work was running: expect noisy timings)' : '';
  return `load average ${oneMinute!.toFixed(2)} on ${cpus} CPU(s)${busy}`;
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const context: BenchContext = {
    accesses: options.accesses,
    repeats: options.repeats,
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  };
  if (gcFunction() === null) context.log('global.gc is not available: run node with --expose-gc for clean timings and memory figures');
  const selected = SECTIONS.filter((section) => options.only === null || options.only.includes(section.name));
  const reports: SectionReport[] = [];
  if (!options.json) {
    process.stdout.write(`isolab bench — node ${process.version}, ${process.platform}/${process.arch}, ${describeLoad()}\n\n`);
  }
  for (const section of selected) {
    const report = section.run(context);
    reports.push(report);
    if (!options.json) process.stdout.write(formatSection(report) + '\n');
  }
  if (!options.json) process.stdout.write(`Finished; ${describeLoad()}.\n`);
  if (options.json) process.stdout.write(JSON.stringify({ node: process.version, sections: reports.map(sectionJson) }, null, 2) + '\n');
}

try {
  main();
} catch (error) {
  const usage = error instanceof UsageError;
  process.stderr.write(`bench: ${usage ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
}
