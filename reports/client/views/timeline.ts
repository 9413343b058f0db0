/**
 * The timeline view: the canvas (timeline.ts) above, and below it the selected event
 * (its data, its step, its cause chain and effects, its neighbours) beside the state
 * of the machine after it, one panel per mechanism (panels/).
 */
import type { MachineState } from '../../../engine/machine/state.js';
import { processByName } from '../../../engine/kernel/state.js';
import { definitionList, fill, h, link, type Child } from '../dom.js';
import { dataLine, valueText } from '../format.js';
import type { RunModel } from '../model.js';
import { statePanels, type Focus, type PanelContext } from '../panels/index.js';
import type { StateIndex } from '../states.js';
import { Timeline } from '../timeline.js';

const CAUSE_CHAIN_LIMIT = 24;
const EFFECTS_SHOWN = 30;
const NEIGHBOURS = 6;
/** How far from the event to look for the address its step walks. */
const VA_SEARCH_LIMIT = 4000;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The virtual address the event's walk or access concerns: its own, or its step's. */
function focusVa(run: RunModel, seq: number): string | null {
  const own = run.vaOf(seq);
  if (own !== null) return own;
  const step = run.stepAt(seq);
  if (step === null) return null;
  const end = Math.min(step.checked ?? run.count - 1, seq + VA_SEARCH_LIMIT);
  for (let at = seq - 1; at >= Math.max(step.started, seq - VA_SEARCH_LIMIT); at--) {
    const va = run.vaOf(at);
    if (va !== null) return va;
  }
  for (let at = seq + 1; at <= end; at++) {
    const va = run.vaOf(at);
    if (va !== null) return va;
  }
  return null;
}

export function focusOf(run: RunModel, seq: number, state: MachineState): Focus {
  const data = record(run.data[seq]);
  const type = run.typeAt(seq);
  const numbers = (value: unknown) => (Array.isArray(value) ? value.filter((n): n is number => typeof n === 'number') : []);
  const byName = run.isProcessActor(run.actorAt(seq)) ? processByName(state.kernel, run.actorAt(seq)) : null;
  const entryAddresses: number[] = [];
  if (typeof data.entryAddress === 'number') entryAddresses.push(data.entryAddress);
  if (type === 'memory.entryWritten' && typeof data.address === 'number') entryAddresses.push(data.address);
  const physical = typeof data.physicalAddress === 'number' ? data.physicalAddress : type.startsWith('memory.') && typeof data.address === 'number' ? data.address : null;
  return {
    va: focusVa(run, seq),
    pid: typeof data.pid === 'number' ? data.pid : (byName?.pid ?? null),
    tlbSlots: type.startsWith('tlb.') ? [...(typeof data.slot === 'number' ? [data.slot] : []), ...numbers(data.slots)] : [],
    entryAddresses,
    physicalAddress: physical,
  };
}

export class TimelineView {
  readonly element: HTMLElement;
  private readonly timeline: Timeline;
  private readonly eventSection: HTMLElement;
  private readonly stateSection: HTMLElement;
  private readonly open = new Map<string, boolean>();
  private selected: number | null = null;
  /** ← and → step through the events from anywhere in the view but a control (the canvas handles its own keys). */
  private readonly onDocumentKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const target = event.target as HTMLElement | null;
    if (target !== null && target.closest('input, select, textarea, button, a, summary, canvas') !== null) return;
    this.timeline.onKey(event);
  };

  constructor(
    private readonly run: RunModel,
    private readonly states: StateIndex,
    private readonly onSelect: (seq: number) => void,
  ) {
    this.timeline = new Timeline(run, { onSelect: (seq) => this.onSelect(seq) });
    this.eventSection = h('section', { class: 'event-detail', 'aria-label': 'Selected event' });
    this.stateSection = h('section', { class: 'state-panels', 'aria-label': 'Machine state after the selected event' });
    this.element = h(
      'div',
      { class: 'timeline-view' },
      h('h2', { class: 'visually-hidden' }, 'Timeline'),
      this.timeline.element,
      h('div', { class: 'split' }, this.eventSection, this.stateSection),
    );
  }

  mount(): void {
    this.timeline.mount();
    document.addEventListener('keydown', this.onDocumentKey);
  }

  unmount(): void {
    this.timeline.unmount();
    document.removeEventListener('keydown', this.onDocumentKey);
  }

  /** Where an event is drawn, for tests: client coordinates of its mark. */
  pointOf(seq: number): { x: number; y: number } | null {
    return this.timeline.pointOf(seq);
  }

  get selectedEvent(): number | null {
    return this.selected;
  }

  select(seq: number | null): void {
    const target = seq === null ? null : Math.min(Math.max(0, seq), this.run.count - 1);
    this.selected = target;
    this.timeline.setSelected(target);
    if (target === null) {
      fill(this.eventSection, h('p', { class: 'muted' }, 'Select an event on the timeline to see it and the machine state after it.'));
      fill(this.stateSection);
      return;
    }
    const previous = this.states.stateBefore(target);
    const state = this.states.stateAfter(target);
    this.renderEvent(target);
    this.renderState(target, state, previous);
  }

  private eventLink(seq: number, text?: string): HTMLAnchorElement {
    return link({ view: 'timeline', run: this.run.index, event: seq }, null, text ?? `${seq} ${this.run.typeAt(seq)}`);
  }

  private renderEvent(seq: number): void {
    const run = this.run;
    const envelope = run.envelope(seq);
    const step = run.stepAt(seq);
    const data = record(envelope.data);
    const dataRows = Object.keys(data).map((key) => h('tr', null, h('th', { scope: 'row' }, key), h('td', { class: 'value' }, valueText(data[key], 2000))));
    fill(
      this.eventSection,
      h('h3', null, `Event ${seq}: ${envelope.type}`),
      definitionList([
        ['actor', envelope.actor],
        ['tick', String(envelope.tick)],
        ['step', step === null ? 'none (setup or final checks)' : this.eventLink(step.started, `line ${step.line}: ${step.text}`)],
      ]),
      dataRows.length === 0 ? h('p', { class: 'muted' }, 'no data') : h('table', { class: 'grid data' }, h('caption', null, 'Data'), h('tbody', null, dataRows)),
      this.causeChain(seq),
      this.effectsList(seq),
      this.neighbours(seq),
    );
  }

  private causeChain(seq: number): HTMLElement {
    const items: Child[] = [];
    let cause = this.run.causeOf[seq]!;
    while (cause >= 0 && items.length < CAUSE_CHAIN_LIMIT) {
      items.push(h('li', null, this.eventLink(cause), h('span', { class: 'muted' }, ` ${this.run.actorAt(cause)} · ${dataLine(this.run.data[cause], 80)}`)));
      cause = this.run.causeOf[cause]!;
    }
    return h('div', null, h('h4', null, 'Caused by'), items.length === 0 ? h('p', { class: 'muted' }, 'nothing: a root event') : h('ol', { class: 'chain' }, items));
  }

  private effectsList(seq: number): HTMLElement {
    const effects = this.run.effects(seq);
    const shown = effects.slice(0, EFFECTS_SHOWN).map((effect) => h('li', null, this.eventLink(effect)));
    return h(
      'div',
      null,
      h('h4', null, `Led to ${effects.length} event${effects.length === 1 ? '' : 's'}`),
      shown.length === 0 ? null : h('ul', { class: 'chain' }, shown, effects.length > EFFECTS_SHOWN ? h('li', { class: 'muted' }, `… and ${effects.length - EFFECTS_SHOWN} more`) : null),
    );
  }

  private neighbours(seq: number): HTMLElement {
    const rows: Child[] = [];
    for (let at = Math.max(0, seq - NEIGHBOURS); at <= Math.min(this.run.count - 1, seq + NEIGHBOURS); at++) {
      rows.push(
        h(
          'tr',
          { class: at === seq ? 'current' : '', 'aria-current': at === seq ? 'true' : undefined },
          h('td', null, this.eventLink(at, String(at))),
          h('td', null, String(this.run.tickOf[at])),
          h('td', null, this.run.actorAt(at)),
          h('td', null, this.run.typeAt(at)),
          h('td', { class: 'muted' }, dataLine(this.run.data[at], 90)),
        ),
      );
    }
    return h(
      'table',
      { class: 'grid compact neighbours' },
      h('caption', null, 'Nearby events'),
      h('thead', null, h('tr', null, ['seq', 'tick', 'actor', 'type', 'data'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', null, rows),
    );
  }

  private renderState(seq: number, state: MachineState, previous: MachineState): void {
    const context: PanelContext = { run: this.run, seq, event: this.run.envelope(seq), state, previous, focus: focusOf(this.run, seq, state) };
    const sections: Child[] = [h('h3', null, `State after event ${seq}`)];
    for (const panel of statePanels()) {
      let content: Node | null;
      try {
        content = panel.render(context);
      } catch (error) {
        console.error(`isolab report: the ${panel.title} panel failed on event ${seq}`, error);
        content = h('p', { class: 'bad-text' }, `This panel could not be drawn: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (content === null) continue;
      const details = h('details', { class: 'panel', open: this.open.get(panel.id) ?? panel.open, 'data-panel': panel.id }, h('summary', null, panel.title), content);
      details.addEventListener('toggle', () => this.open.set(panel.id, details.open));
      sections.push(details);
    }
    fill(this.stateSection, sections);
  }
}
