/**
 * `isolab run … --report OUT`: an HTML report per scenario (all its variant runs in one
 * report, with the matrix and, for two runs, the diff) and an index page linking them.
 * With a single scenario and OUT not a directory, OUT is that scenario's report.
 * Everything goes through temporary files renamed at the end.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readTrace } from '../../engine/trace/reader.js';
import { buildReportHtml } from '../../reports/build.js';
import { buildIndexHtml, type IndexEntry } from '../../reports/index-page.js';
import { displayPath, writeAtomically } from '../io.js';
import type { CompletedRun } from './run.js';

function reportName(file: string): string {
  const parent = basename(dirname(file));
  const prefix = parent === '.' || parent === '' || parent === '..' ? '' : `${parent}--`;
  return `${prefix}${basename(file, '.isl')}.html`;
}

function groupsOf(runs: readonly CompletedRun[]): CompletedRun[][] {
  const groups = new Map<string, CompletedRun[]>();
  for (const run of runs) groups.set(run.plan.file, [...(groups.get(run.plan.file) ?? []), run]);
  return [...groups.values()];
}

function reportOf(group: readonly CompletedRun[]): string {
  const inputs = group.map((run) => ({ file: run.tracePath ?? `${run.plan.file}`, trace: readTrace(run.traceText!, run.plan.file) }));
  return buildReportHtml(inputs, { title: group[0]!.plan.title });
}

function conceptsOf(run: CompletedRun): number[] {
  const teaches = run.loaded.statements.find((s) => s.kind === 'teaches');
  return teaches?.kind === 'teaches' ? teaches.concepts.map((c) => Number(c.value)) : [];
}

/** Writes the reports; returns the path a person should open. */
export function writeRunReports(runs: readonly CompletedRun[], out: string): string {
  const groups = groupsOf(runs);
  const isDirectory = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());
  if (groups.length === 1 && !isDirectory) {
    writeAtomically(out, reportOf(groups[0]!));
    return out;
  }
  mkdirSync(out, { recursive: true });
  const entries: IndexEntry[] = groups.map((group) => {
    const report = reportName(group[0]!.plan.file);
    writeAtomically(join(out, report), reportOf(group));
    return {
      title: group[0]!.plan.title,
      file: group[0]!.plan.file,
      report,
      concepts: conceptsOf(group[0]!),
      runs: group.map((run) => {
        const verdicts = [...run.result.steps.flatMap((s) => s.verdicts), ...run.result.assertions];
        const variant = Object.entries(run.plan.variant).map(([k, v]) => `${k}=${v}`).join(' ') || 'default';
        return { variant, passed: run.result.passed, expectations: `${verdicts.filter((v) => v.holds).length}/${verdicts.length}`, violations: run.result.violations.length };
      }),
    };
  });
  const index = join(out, 'index.html');
  writeAtomically(index, buildIndexHtml(entries));
  return displayPath(index);
}
