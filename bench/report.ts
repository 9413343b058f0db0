/**
 * What every benchmark section shares: the row shape, timing with
 * `process.hrtime.bigint()` (median of repeated runs), heap measurement, and the one
 * table printer. A section returns rows; it never prints them itself, so all sections
 * read the same and `--json` gets the same figures.
 *
 * Benchmarks report, they do not fail: a missed target is a MISS row, not an exit code.
 */

/** PASS/MISS against a stated target, or info for a row that has none (the baseline). */
export type Verdict = 'PASS' | 'MISS' | 'info';

export interface Row {
  readonly measurement: string;
  readonly events: number | null;
  readonly accesses: number | null;
  /** Median wall-clock seconds of the timed runs. */
  readonly seconds: number | null;
  /** The figure the target is about, already formatted: "3.41× baseline", "812 B/event". */
  readonly figure: string;
  readonly target: string;
  readonly verdict: Verdict;
}

export interface SectionReport {
  readonly title: string;
  /** Lines printed above the table: the workload and the machine. */
  readonly description: readonly string[];
  readonly rows: readonly Row[];
  /** Lines printed below the table: how figures were derived, cross-checks, caveats. */
  readonly notes: readonly string[];
}

/** Options every section receives from the command line. */
export interface BenchContext {
  /** Overrides the workload's access count (for quick runs); null keeps the size. */
  readonly accesses: number | null;
  /** Timed runs per measurement; the median is reported. */
  readonly repeats: number;
  /** Progress messages, on stderr. */
  log(message: string): void;
}

export interface Section {
  readonly name: string;
  run(context: BenchContext): SectionReport;
}

type Gc = () => void;

/** `global.gc` when node runs with --expose-gc, else null. */
export function gcFunction(): Gc | null {
  const gc = (globalThis as { gc?: Gc }).gc;
  return typeof gc === 'function' ? gc : null;
}

/** Collects garbage twice (weak references and finalisers settle on the second pass). */
export function collectGarbage(): void {
  const gc = gcFunction();
  if (gc === null) return;
  gc();
  gc();
}

export interface Timed<T> {
  readonly seconds: number;
  readonly result: T;
}

/** Runs `prepare` untimed, then `work` timed; garbage is collected before timing starts. */
export function timeOnce<S, T>(prepare: () => S, work: (subject: S) => T): Timed<T> {
  const subject = prepare();
  collectGarbage();
  const start = process.hrtime.bigint();
  const result = work(subject);
  const end = process.hrtime.bigint();
  return { seconds: Number(end - start) / 1e9, result };
}

/** The run with the median time of `repeats` runs (the lower median for an even count). */
export function medianRun<S, T>(repeats: number, prepare: () => S, work: (subject: S) => T, onRun?: (run: Timed<T>) => void): Timed<T> {
  const runs: Timed<T>[] = [];
  for (let i = 0; i < repeats; i++) {
    const run = timeOnce(prepare, work);
    onRun?.(run);
    runs.push(run);
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[Math.floor((runs.length - 1) / 2)]!;
}

export interface MemorySnapshot {
  /** Bytes of live JS objects (after a GC). */
  readonly heapUsed: number;
  /** Bytes outside the JS heap: ArrayBuffer backing stores and the like. */
  readonly external: number;
}

export function memorySnapshot(): MemorySnapshot {
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, external: usage.external };
}

const COLUMNS = ['measurement', 'events', 'seconds', 'events/s', 'accesses/s', 'figure', 'target', 'result'] as const;

function integer(value: number | null): string {
  return value === null ? '—' : Math.round(value).toLocaleString('en-US');
}

function cellsOf(row: Row): string[] {
  const perSecond = (count: number | null) => (count === null || row.seconds === null || row.seconds === 0 ? '—' : integer(count / row.seconds));
  return [
    row.measurement,
    integer(row.events),
    row.seconds === null ? '—' : row.seconds.toFixed(3),
    perSecond(row.events),
    perSecond(row.accesses),
    row.figure,
    row.target,
    row.verdict === 'info' ? '' : row.verdict,
  ];
}

/** Numbers right-aligned, text left-aligned, one space-padded table per section. */
export function formatSection(report: SectionReport): string {
  const table = [Array.from(COLUMNS), ...report.rows.map(cellsOf)];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const numeric = new Set([1, 2, 3, 4]);
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    `== ${report.title} ==`,
    ...report.description,
    '',
    line(table[0]!),
    rule,
    ...table.slice(1).map(line),
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

/** The rows as JSON, with per-second figures computed, for machine consumption. */
export function sectionJson(report: SectionReport): unknown {
  return {
    ...report,
    rows: report.rows.map((row) => ({
      ...row,
      eventsPerSecond: row.events === null || row.seconds === null ? null : row.events / row.seconds,
      accessesPerSecond: row.accesses === null || row.seconds === null ? null : row.accesses / row.seconds,
    })),
  };
}
