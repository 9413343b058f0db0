/**
 * The diff of two runs (engine/trace/diff-types.ts): which expectations flip, which
 * secrets leak and which faults happen in one run only, where the event streams part
 * ways (with the common context before), and the changes per actor. Every event links
 * to its place on its own run's timeline.
 */
import type { EventSummary, RunIdentity, StepFact, TraceDiff } from '../../../engine/trace/diff-types.js';
import { h, link, mark, section, table, type Child } from '../dom.js';
import type { DiffPayload } from '../../payload.js';
import { variantLabel } from '../../payload.js';
import type { RunModel } from '../model.js';
import { verdictBadge } from './summary.js';

function identity(label: string, run: number, id: RunIdentity): HTMLElement {
  return h(
    'div',
    { class: 'diff-side' },
    h('h3', null, `${label}: `, link({ view: 'summary', run, event: null }, null, id.title)),
    h('p', null, `${variantLabel(id.variant)} · seed ${id.seed} · ${id.events.toLocaleString('en-US')} events · `, verdictBadge(id.passed)),
    h('p', { class: 'muted' }, id.file),
  );
}

function eventRow(run: number, event: EventSummary, side: string): HTMLElement {
  return h(
    'tr',
    { class: `side-${side}` },
    h('td', null, side),
    h('td', null, link({ view: 'timeline', run, event: event.seq }, null, String(event.seq))),
    h('td', null, event.actor),
    h('td', null, event.type),
    h('td', { class: 'muted' }, event.text),
  );
}

function divergence(payload: DiffPayload, diff: TraceDiff): HTMLElement {
  const d = diff.divergence;
  if (d === null) return h('p', null, 'The two runs produced identical events.');
  const rows: Child[] = [
    ...d.common.map((event) => eventRow(payload.a, event, '=')),
    ...d.onlyA.map((event) => eventRow(payload.a, event, 'A')),
    ...d.onlyB.map((event) => eventRow(payload.b, event, 'B')),
  ];
  return h(
    'div',
    null,
    h(
      'p',
      null,
      'The runs part ways at ',
      link({ view: 'timeline', run: payload.a, event: Math.min(d.seqA, diff.a.events - 1) }, null, `event ${d.seqA} of A`),
      ' and ',
      link({ view: 'timeline', run: payload.b, event: Math.min(d.seqB, diff.b.events - 1) }, null, `event ${d.seqB} of B`),
      '.',
    ),
    h(
      'table',
      { class: 'grid compact divergence' },
      h('caption', null, 'The events before the divergence (=), then each side’s next events'),
      h('thead', null, h('tr', null, ['', 'seq', 'actor', 'type', 'data'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', null, rows),
    ),
  );
}

/** A link to the step at `line` on the run's timeline, or the line number alone when no step has it. */
function stepLink(run: RunModel, line: number): Child {
  const step = run.steps.find((candidate) => candidate.line === line);
  return step === undefined ? String(line) : link({ view: 'timeline', run: run.index, event: step.started }, null, String(line));
}

function facts(title: string, a: RunModel, b: RunModel, only: { readonly onlyA: readonly StepFact[]; readonly onlyB: readonly StepFact[] }, className: string): HTMLElement {
  const rows = [
    ...only.onlyA.map((fact) => ['only in A', stepLink(a, fact.line), h('span', { class: 'mono' }, fact.step), fact.what]),
    ...only.onlyB.map((fact) => ['only in B', stepLink(b, fact.line), h('span', { class: 'mono' }, fact.step), fact.what]),
  ];
  return section(title, 3, rows.length === 0 ? h('p', { class: 'muted' }, 'the same in both runs') : table(['run', 'line', 'step', 'what'], rows, { class: `grid ${className}` }));
}

function flips(diff: TraceDiff): HTMLElement {
  return section(
    'Expectations whose verdict flips',
    3,
    diff.verdictFlips.length === 0
      ? h('p', { class: 'muted' }, 'none: every expectation has the same verdict in both runs')
      : table(
          ['line', 'step', 'expectation', 'A', 'B'],
          diff.verdictFlips.map((flip) => [flip.line === 0 ? '' : String(flip.line), h('span', { class: 'mono' }, flip.step), flip.expectation, mark(flip.a), mark(flip.b)]),
          { class: 'grid flips' },
        ),
  );
}

function changes(payload: DiffPayload, diff: TraceDiff): HTMLElement {
  if (diff.changes.length === 0) return section('Changes per actor', 3, h('p', { class: 'muted' }, 'none'));
  const rows = diff.changes.map((change) => {
    const examples = change.examples.map((example) =>
      h(
        'li',
        null,
        `${example.kind}: `,
        example.a === null ? null : link({ view: 'timeline', run: payload.a, event: example.a.seq }, null, `A ${example.a.seq} ${example.a.type}`),
        example.a !== null && example.b !== null ? ' → ' : null,
        example.b === null ? null : link({ view: 'timeline', run: payload.b, event: example.b.seq }, null, `B ${example.b.seq} ${example.b.type}`),
      ),
    );
    return [change.actor, String(change.inserted), String(change.removed), String(change.changed), examples.length === 0 ? '' : h('ul', { class: 'chain' }, examples)];
  });
  return section('Changes per actor', 3, table(['actor', 'inserted in B', 'removed from A', 'changed', 'examples'], rows, { class: 'grid changes' }));
}

export function diffView(payload: DiffPayload, runs: readonly RunModel[]): HTMLElement {
  const diff = payload.diff;
  const a = runs[payload.a]!;
  const b = runs[payload.b]!;
  return h(
    'div',
    { class: 'diff-view' },
    h('h2', null, 'Differences between two runs'),
    h('div', { class: 'diff-sides' }, identity('A', payload.a, diff.a), identity('B', payload.b, diff.b)),
    diff.approximate ? h('p', { class: 'note' }, 'The runs differ too much to align exactly: events were compared position by position.') : null,
    diff.identical ? h('p', { class: 'ok-text' }, 'The two traces hold the same events.') : null,
    flips(diff),
    facts('Secrets leaked in one run only', a, b, diff.leaks, 'leaks'),
    facts('Faults in one run only', a, b, diff.faults, 'faults'),
    section('Where the runs part ways', 3, divergence(payload, diff)),
    changes(payload, diff),
  );
}
