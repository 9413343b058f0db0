/**
 * The only way the report builds its page: elements created with the DOM API, text set
 * as text nodes, attributes from a fixed list, links built from routes. Nothing here
 * parses HTML, so no scenario string — a title, a secret, a step's text — can become
 * markup or script, and no link target ever comes from the data (`href` is always a
 * `#…` fragment built by route.ts from numbers and fixed view names).
 */
import { hrefOf, type Route } from './route.js';

export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes an element may receive; `href`, `src`, `style` and `on…` are deliberately absent. */
export interface Props {
  readonly class?: string;
  readonly id?: string;
  readonly title?: string;
  readonly role?: string;
  readonly tabindex?: number;
  readonly colspan?: number;
  readonly scope?: 'row' | 'col';
  readonly for?: string;
  readonly type?: string;
  readonly value?: string;
  readonly open?: boolean;
  readonly 'aria-label'?: string;
  readonly 'aria-current'?: string;
  readonly 'aria-selected'?: string;
  readonly 'aria-expanded'?: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-live'?: 'polite' | 'off';
  readonly 'aria-hidden'?: 'true';
  readonly [data: `data-${string}`]: string | number | undefined;
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const item of child as readonly Child[]) append(parent, item);
  } else if (typeof child === 'string' || typeof child === 'number') {
    parent.appendChild(document.createTextNode(String(child)));
  } else {
    parent.appendChild(child as Node);
  }
}

/** An element with attributes and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === false) continue;
      if (name === 'open') (element as unknown as HTMLDetailsElement).open = value === true;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A link to a place in the report. */
export function link(route: Route, props: Props | null, ...children: Child[]): HTMLAnchorElement {
  const anchor = h('a', props, ...children);
  anchor.href = hrefOf(route);
  return anchor;
}

/** A button that runs `action` when pressed. */
export function button(label: Child, action: () => void, props: Props = {}): HTMLButtonElement {
  const element = h('button', { type: 'button', ...props }, label);
  element.addEventListener('click', action);
  return element;
}

/** A two-column table of label → value. */
export function definitionList(rows: readonly (readonly [string, Child] | null)[], props: Props = {}): HTMLDListElement {
  return h(
    'dl',
    { class: 'facts', ...props },
    rows.filter((row): row is readonly [string, Child] => row !== null).map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
  );
}

/** A table with a header row; each cell is a Child (or a ready-made cell). */
export function table(headers: readonly string[], rows: readonly (readonly Child[])[], props: Props = {}, caption?: string): HTMLTableElement {
  return h(
    'table',
    props,
    caption === undefined ? null : h('caption', null, caption),
    h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
    h(
      'tbody',
      null,
      rows.map((cells) => h('tr', null, cells.map((cell) => (cell instanceof HTMLTableCellElement ? cell : h('td', null, cell))))),
    ),
  );
}

/** A mark for a verdict: ✓ or ✗ with a text alternative. */
export function mark(holds: boolean | null): HTMLSpanElement {
  if (holds === null) return h('span', { class: 'mark na', title: 'does not apply' }, '–');
  return h('span', { class: holds ? 'mark ok' : 'mark bad', 'aria-label': holds ? 'holds' : 'fails' }, holds ? '✓' : '✗');
}

/** A section with a heading; the heading level is fixed by the caller. */
export function section(title: string, level: 2 | 3 | 4, ...children: Child[]): HTMLElement {
  return h('section', null, h(`h${level}`, null, title), ...children);
}

/** Flag names as chips, separated by spaces so that they read (and copy) as words. */
export function flagList(names: readonly string[]): Child[] {
  return names.flatMap((name, i) => [i === 0 ? null : ' ', h('span', { class: 'flag' }, name)]);
}
