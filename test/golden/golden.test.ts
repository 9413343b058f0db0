// Proves that every bundled scenario, under every variant, records byte for byte the trace kept in test/golden/traces/, that each kept trace replays to a passing run, and that the CLI writes the same bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileScenario, loadScenario, variantAxes, variantMatrix, type ReadSource } from '../../dsl/compile/index.js';
import { readTrace } from '../../engine/trace/reader.js';
import { recordRun } from '../../engine/trace/record.js';
import { replayTrace } from '../../engine/trace/replay.js';

/** The repository root: every scenario path below is relative to it, so traces are the same on every machine. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN_DIRECTORY = 'test/golden/traces';
const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const UPDATE_COMMAND = 'UPDATE_GOLDEN=1 npx vitest run test/golden';

interface GoldenCase {
  /** Golden file name without the directory: paging--worked-walk--wp=on.trace */
  readonly traceName: string;
  /** Scenario path relative to the root, with forward slashes: scenarios/paging/worked-walk.isl */
  readonly scenario: string;
  readonly variant: Readonly<Record<string, string>>;
}

/** Reads scenarios and their imports relative to the root, naming them the way the CLI does when run from the root. */
const readFromRoot: ReadSource = (path, from) => {
  const file = from === null ? path : posix.normalize(posix.join(posix.dirname(from.source), path));
  return { file, text: readFileSync(join(ROOT, file), 'utf8') };
};

/** Every .isl below scenarios/, except the shared imports in scenarios/common/, in sorted order. */
function bundledScenarios(directory = 'scenarios'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, directory)).sort()) {
    const path = posix.join(directory, name);
    if (statSync(join(ROOT, path)).isDirectory()) {
      if (path !== 'scenarios/common') out.push(...bundledScenarios(path));
    } else if (name.endsWith('.isl')) {
      out.push(path);
    }
  }
  return out;
}

function traceNameOf(scenario: string, variant: Readonly<Record<string, string>>): string {
  const directory = posix.dirname(posix.relative('scenarios', scenario)).split('/').join('-');
  const name = posix.basename(scenario, '.isl');
  const suffix = Object.entries(variant).map(([key, value]) => `${key}=${value}`).join(',');
  return `${directory}--${name}${suffix === '' ? '' : `--${suffix}`}.trace`;
}

function goldenCases(): GoldenCase[] {
  return bundledScenarios().flatMap((scenario) => {
    const loaded = loadScenario(scenario, readFromRoot);
    return variantMatrix(variantAxes(loaded)).map((variant) => ({ traceName: traceNameOf(scenario, variant), scenario, variant }));
  });
}

function recordTrace(golden: GoldenCase): string {
  const loaded = loadScenario(golden.scenario, readFromRoot);
  const plan = compileScenario(loaded, golden.variant);
  const lines: string[] = [];
  recordRun(plan, loaded.files, (line) => lines.push(line));
  return lines.map((line) => line + '\n').join('');
}

/** A window of `line` around `column` (0-based), so a difference deep in a long header line stays visible. */
function excerptAround(line: string | undefined, column: number): string {
  if (line === undefined) return '(no such line: the text ends before it)';
  const start = Math.max(0, column - 60);
  const end = Math.min(line.length, column + 100);
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

/** Null when the texts are equal, else a message naming the first differing line and showing both. */
function describeFirstDifference(goldenPath: string, golden: string, recorded: string): string | null {
  if (golden === recorded) return null;
  const goldenLines = golden.split('\n');
  const recordedLines = recorded.split('\n');
  let index = 0;
  while (index < goldenLines.length && index < recordedLines.length && goldenLines[index] === recordedLines[index]) index++;
  const goldenLine = goldenLines[index];
  const recordedLine = recordedLines[index];
  let column = 0;
  while (goldenLine !== undefined && recordedLine !== undefined && column < goldenLine.length && goldenLine[column] === recordedLine[column]) column++;
  return [
    `${goldenPath} differs from the recorded run at line ${index + 1}, column ${column + 1}` +
      ` (golden: ${goldenLines.length - 1} lines, recorded: ${recordedLines.length - 1} lines)`,
    `  golden:   ${excerptAround(goldenLine, column)}`,
    `  recorded: ${excerptAround(recordedLine, column)}`,
    `If the change is intended, regenerate with \`${UPDATE_COMMAND}\` and review the diff (test/golden/README.md).`,
  ].join('\n');
}

const CASES = goldenCases();
const updated: string[] = [];

describe('golden traces of the bundled scenarios', () => {
  afterAll(() => {
    if (UPDATE) process.stdout.write(`UPDATE_GOLDEN=1: rewrote ${updated.length} golden trace(s) in ${GOLDEN_DIRECTORY}${updated.length === 0 ? '' : ':\n  ' + updated.join('\n  ')}\n`);
  });

  it('finds bundled scenarios to check', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  for (const golden of CASES) {
    const goldenPath = posix.join(GOLDEN_DIRECTORY, golden.traceName);
    const absolute = join(ROOT, goldenPath);

    it(`${golden.traceName}: the run records the golden trace byte for byte`, () => {
      const recorded = recordTrace(golden);
      if (UPDATE) {
        mkdirSync(join(ROOT, GOLDEN_DIRECTORY), { recursive: true });
        if (!existsSync(absolute) || readFileSync(absolute, 'utf8') !== recorded) {
          writeFileSync(absolute, recorded);
          updated.push(golden.traceName);
        }
        return;
      }
      if (!existsSync(absolute)) expect.fail(`${goldenPath} is missing: generate it with \`${UPDATE_COMMAND}\``);
      const difference = describeFirstDifference(goldenPath, readFileSync(absolute, 'utf8'), recorded);
      if (difference !== null) expect.fail(difference);
    });

    it(`${golden.traceName}: the golden trace replays and records a passing run`, () => {
      const trace = readTrace(readFileSync(absolute, 'utf8'), goldenPath);
      const replayed = replayTrace(trace, goldenPath);
      expect(replayed.events).toBe(trace.footer.events);
      expect(trace.header.scenario.file).toBe(golden.scenario);
      expect(trace.header.variant).toEqual(golden.variant);
      expect(trace.footer.passed, `${goldenPath} records a failing run: ${JSON.stringify(trace.footer.failures)}`).toBe(true);
    });
  }

  it('keeps no golden trace without a scenario and variant behind it', () => {
    const wanted = new Set(CASES.map((golden) => golden.traceName));
    const present = existsSync(join(ROOT, GOLDEN_DIRECTORY)) ? readdirSync(join(ROOT, GOLDEN_DIRECTORY)).filter((name) => name.endsWith('.trace')) : [];
    const orphans = present.filter((name) => !wanted.has(name));
    if (UPDATE) {
      for (const name of orphans) unlinkSync(join(ROOT, GOLDEN_DIRECTORY, name));
      updated.push(...orphans.map((name) => `${name} (removed)`));
      return;
    }
    expect(orphans, `golden traces with no bundled scenario or variant; remove them with \`${UPDATE_COMMAND}\``).toEqual([]);
  });
});

describe.runIf(existsSync(CLI))('the CLI writes the golden traces', () => {
  it('isolab run --all --trace DIR/ writes the same bytes as the library, run by run', () => {
    const out = mkdtempSync(join(tmpdir(), 'isolab-golden-'));
    try {
      const result = spawnSync(process.execPath, [CLI, 'run', '--all', '--quiet', '--trace', out + '/'], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const written = readdirSync(out).sort();
      // The CLI names a trace <directory>--<file>[--variant], as the golden files are named.
      const expected = CASES.map((golden) => golden.traceName).sort();
      expect(written).toEqual(expected);
      for (const golden of CASES) {
        const cliName = golden.traceName;
        const goldenPath = posix.join(GOLDEN_DIRECTORY, golden.traceName);
        if (!existsSync(join(ROOT, goldenPath))) continue; // reported by the golden test of this case
        const difference = describeFirstDifference(goldenPath, readFileSync(join(ROOT, goldenPath), 'utf8'), readFileSync(join(out, cliName), 'utf8'));
        if (difference !== null) expect.fail(`isolab run --all --trace (dist/, rebuild it with \`node scripts/build.mjs\` if it may be stale): ${difference}`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
