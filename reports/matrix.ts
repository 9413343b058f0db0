/**
 * The variant matrix of a report: one row per scenario, one column per combination of
 * defences, and in each cell whether the attack was blocked or succeeded. An attack
 * succeeded when its run leaked a secret (an `observer.secretLeaked` event) or recorded
 * an invariant violation; otherwise the defences held. Scenarios with the same variant
 * axes share a table. Pure: computed from parsed traces when the report is written.
 */
import type { ParsedTrace } from '../engine/trace/reader.js';
import { variantLabel, type MatrixCell, type MatrixGroup, type MatrixPayload } from './payload.js';

const SECRET_LEAKED = 'observer.secretLeaked';

/** The cell of one run: its outcome, its leaks, violations and verdict counts. */
export function matrixCellOf(trace: ParsedTrace, run: number): MatrixCell {
  const leaks: string[] = [];
  for (const event of trace.events) {
    if (event.type !== SECRET_LEAKED) continue;
    const secret = (event.data as { secret?: unknown } | null)?.secret;
    const name = typeof secret === 'string' ? secret : '?';
    if (!leaks.includes(name)) leaks.push(name);
  }
  const { footer } = trace;
  const violations = footer.violations.length;
  return {
    run,
    outcome: leaks.length > 0 || violations > 0 ? 'succeeded' : 'blocked',
    leaks,
    violations,
    expectationsHeld: footer.expectations - footer.failures.length,
    expectations: footer.expectations,
    assertionsHeld: footer.assertions.filter((verdict) => verdict.holds).length,
    assertions: footer.assertions.length,
    passed: footer.passed,
  };
}

interface Row {
  readonly scenario: string;
  readonly file: string;
  readonly runs: { readonly label: string; readonly cell: MatrixCell }[];
}

interface Group {
  readonly axes: string[];
  readonly rows: Map<string, Row>;
  /** Each axis's values in order of first appearance, to order the columns. */
  readonly values: Map<string, string[]>;
  readonly columns: Map<string, Readonly<Record<string, string>>>;
}

/** The matrix of several runs, or null for a single run (a matrix of one cell says nothing). */
export function matrixOf(traces: readonly ParsedTrace[]): MatrixPayload | null {
  if (traces.length < 2) return null;
  const groups = new Map<string, Group>();
  traces.forEach((trace, run) => {
    const { scenario, variant } = trace.header;
    const axes = Object.keys(variant);
    const groupKey = JSON.stringify(axes);
    let group = groups.get(groupKey);
    if (group === undefined) {
      group = { axes, rows: new Map(), values: new Map(axes.map((axis) => [axis, []])), columns: new Map() };
      groups.set(groupKey, group);
    }
    for (const axis of axes) {
      const seen = group.values.get(axis)!;
      if (!seen.includes(variant[axis]!)) seen.push(variant[axis]!);
    }
    const label = variantLabel(variant);
    group.columns.set(label, variant);
    const rowKey = JSON.stringify([scenario.file, scenario.title]);
    let row = group.rows.get(rowKey);
    if (row === undefined) {
      row = { scenario: scenario.title, file: scenario.file, runs: [] };
      group.rows.set(rowKey, row);
    }
    row.runs.push({ label, cell: matrixCellOf(trace, run) });
  });
  return { groups: [...groups.values()].map(groupPayload) };
}

function groupPayload(group: Group): MatrixGroup {
  const rank = (variant: Readonly<Record<string, string>>) => group.axes.map((axis) => group.values.get(axis)!.indexOf(variant[axis]!));
  const columns = [...group.columns.entries()]
    .map(([label, variant]) => ({ label, variant, rank: rank(variant) }))
    .sort((a, b) => compareRanks(a.rank, b.rank))
    .map(({ label, variant }) => ({ label, variant }));
  const rows = [...group.rows.values()].map((row) => ({
    scenario: row.scenario,
    file: row.file,
    // A scenario given twice with the same variant (two seeds, say) shows its first run.
    cells: columns.map((column) => row.runs.find((run) => run.label === column.label)?.cell ?? null),
  }));
  return { axes: group.axes, columns, rows };
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
