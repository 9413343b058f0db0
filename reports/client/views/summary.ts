/**
 * The summary of a run: what was run (scenario, trace, seed, variant, machine), the
 * verdict, each step with its outcome and the verdict of each expectation (with the
 * reason when one fails), the final assertions, invariant violations and leaks, and
 * the scenario's source. With several runs, a table of all of them comes first.
 */
import { describeOutcome, type StepOutcome } from '../../../engine/scenario/outcome.js';
import { definitionList, h, link, mark, section, table, type Child } from '../dom.js';
import { count, valueText } from '../format.js';
import type { RunModel } from '../model.js';

function bytesText(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 2 ** 10 && bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10} KiB`;
  return `${bytes} B`;
}

function outcomeText(outcome: unknown): string {
  try {
    return describeOutcome(outcome as StepOutcome);
  } catch {
    return valueText(outcome, 200);
  }
}

export function verdictBadge(passed: boolean): HTMLElement {
  return h('span', { class: passed ? 'badge pass' : 'badge fail' }, passed ? 'pass' : 'fail');
}

/** Every run of the report, one row each. */
export function runsTable(runs: readonly RunModel[], current: number | null): HTMLElement {
  return table(
    ['#', 'scenario', 'variant', 'events', 'expectations', 'violations', 'leaks', 'verdict'],
    runs.map((run) => [
      String(run.index),
      link({ view: 'summary', run: run.index, event: null }, { 'aria-current': run.index === current ? 'true' : undefined }, run.title),
      run.variant,
      run.count.toLocaleString('en-US'),
      `${run.footer.expectations - run.footer.failures.length}/${run.footer.expectations}`,
      String(run.footer.violations.length),
      run.leaks.length === 0 ? 'none' : [...new Set(run.leaks.map((leak) => leak.secret))].join(', '),
      verdictBadge(run.footer.passed),
    ]),
    { class: 'grid runs' },
    'Runs in this report',
  );
}

function facts(run: RunModel): HTMLElement {
  const { header, footer } = run;
  const config = header.config;
  return definitionList([
    ['scenario file', header.scenario.file],
    ['trace', run.file],
    ['seed', String(header.seed)],
    ['variant', run.variant],
    ['machine', `${config.cpu}, ${config.geometry.name} paging, ${bytesText(config.memoryBytes)} memory, ${config.tlbEntries}-entry TLB (${config.tlbReplacement}), MAXPHYADDR ${config.maxPhyAddr}`],
    ['invariants', header.invariants.length === 0 ? 'none checked' : header.invariants.join(', ')],
    ['events', `${run.count.toLocaleString('en-US')} in ${count(footer.steps, 'step')}`],
    ['engine', header.engine],
    ['verdict', h('span', null, verdictBadge(footer.passed), ` ${footer.expectations - footer.failures.length} of ${count(footer.expectations, 'expectation')} hold, ${count(footer.violations.length, 'invariant violation')}`)],
  ]);
}

function stepsTable(run: RunModel): HTMLElement {
  if (run.steps.length === 0) return h('p', { class: 'muted' }, 'This run has no steps.');
  const shown = run.steps.slice(0, 2000);
  const rows = shown.map((step) => {
    const verdicts = step.verdicts.map((verdict) =>
      h('li', { class: verdict.holds ? '' : 'failed' }, mark(verdict.holds), ` ${verdict.expectation}`, verdict.holds || verdict.reason === '' ? null : h('span', { class: 'reason' }, ` — ${verdict.reason}`)),
    );
    return h(
      'tr',
      { class: step.verdicts.some((verdict) => !verdict.holds) ? 'failed' : '' },
      h('td', null, link({ view: 'timeline', run: run.index, event: step.started }, { title: 'Show this step on the timeline' }, String(step.line))),
      h('td', { class: 'mono step-text' }, step.text),
      h('td', null, step.checked === null ? h('span', { class: 'bad-text' }, 'the run stopped in this step') : outcomeText(step.outcome)),
      h('td', null, verdicts.length === 0 ? null : h('ul', { class: 'verdicts' }, verdicts)),
    );
  });
  return h(
    'div',
    null,
    h(
      'table',
      { class: 'grid steps' },
      h('thead', null, h('tr', null, ['line', 'step', 'outcome', 'expectations'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', null, rows),
    ),
    run.steps.length > shown.length ? h('p', { class: 'muted' }, `… and ${run.steps.length - shown.length} more steps (see the timeline).`) : null,
  );
}

function findings(run: RunModel): Child[] {
  const { footer } = run;
  const out: Child[] = [];
  out.push(
    section(
      'Assertions',
      3,
      footer.assertions.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : h('ul', { class: 'verdicts' }, footer.assertions.map((verdict) => h('li', null, mark(verdict.holds), ` ${verdict.expectation}`, verdict.holds || verdict.reason === '' ? null : h('span', { class: 'reason' }, ` — ${verdict.reason}`)))),
    ),
  );
  out.push(
    section(
      'Invariant violations',
      3,
      footer.violations.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : table(
            ['event', 'invariant', 'what broke'],
            footer.violations.map((violation) => [link({ view: 'timeline', run: run.index, event: violation.event }, null, String(violation.event)), violation.invariant, violation.message]),
            { class: 'grid violations' },
          ),
    ),
  );
  out.push(
    section(
      'Secrets leaked',
      3,
      run.leaks.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : table(
            ['event', 'secret', 'learned by'],
            run.leaks.map((leak) => [link({ view: 'timeline', run: run.index, event: leak.seq }, null, String(leak.seq)), leak.secret, leak.actor]),
            { class: 'grid leaks' },
          ),
    ),
  );
  return out;
}

function source(run: RunModel): HTMLElement {
  return section(
    'Scenario source',
    3,
    run.header.scenario.files.map((file) => h('details', { class: 'source' }, h('summary', null, file.file), h('pre', { class: 'source-text' }, file.text))),
  );
}

export function summaryView(runs: readonly RunModel[], run: RunModel): HTMLElement {
  return h(
    'div',
    { class: 'summary-view' },
    runs.length > 1 ? runsTable(runs, run.index) : null,
    h('h2', { class: 'run-title' }, run.title),
    facts(run),
    h('div', { class: 'findings' }, findings(run)),
    section('Steps, their outcomes and expectations', 3, stepsTable(run)),
    source(run),
  );
}
