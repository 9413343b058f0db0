/**
 * The variant matrix: rows are scenarios, columns the combinations of defences, and each
 * cell says whether the attack was blocked or succeeded (a secret leaked or an invariant
 * broke), with the expectations that held, linking to that run.
 */
import { h, link } from '../dom.js';
import type { MatrixCell, MatrixGroup, MatrixPayload } from '../../payload.js';

function cellContent(cell: MatrixCell | null): HTMLElement {
  if (cell === null) return h('td', { class: 'cell none' }, h('span', { class: 'muted' }, 'not run'));
  const succeeded = cell.outcome === 'succeeded';
  const details: string[] = [];
  if (cell.leaks.length > 0) details.push(`leaked ${cell.leaks.join(', ')}`);
  if (cell.violations > 0) details.push(`${cell.violations} violation${cell.violations === 1 ? '' : 's'}`);
  details.push(`expectations ${cell.expectationsHeld}/${cell.expectations}`);
  if (cell.assertions > 0) details.push(`assertions ${cell.assertionsHeld}/${cell.assertions}`);
  return h(
    'td',
    { class: succeeded ? 'cell succeeded' : 'cell blocked', 'data-run': cell.run },
    link(
      { view: 'summary', run: cell.run, event: null },
      { 'aria-label': `run ${cell.run}: attack ${cell.outcome}; ${details.join('; ')}` },
      h('strong', null, succeeded ? 'attack succeeded' : 'attack blocked'),
      h('span', { class: 'cell-detail' }, details.join(' · ')),
      cell.passed ? null : h('span', { class: 'cell-detail bad-text' }, 'run failed'),
    ),
  );
}

function groupTable(group: MatrixGroup): HTMLElement {
  return h(
    'table',
    { class: 'grid matrix' },
    h('caption', null, group.axes.length === 0 ? 'Scenarios without variants' : `Defences: ${group.axes.join(' × ')}`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'scenario'), group.columns.map((column) => h('th', { scope: 'col' }, column.label)))),
    h(
      'tbody',
      null,
      group.rows.map((row) => h('tr', null, h('th', { scope: 'row' }, row.scenario, h('span', { class: 'cell-detail muted' }, row.file)), row.cells.map(cellContent))),
    ),
  );
}

export function matrixView(matrix: MatrixPayload): HTMLElement {
  return h(
    'div',
    { class: 'matrix-view' },
    h('h2', null, 'Defences × scenarios'),
    h('p', { class: 'muted' }, 'An attack succeeded when its run leaked a secret or broke an isolation invariant. Each cell links to its run.'),
    matrix.groups.map(groupTable),
  );
}
