/**
 * Places in the report, as URL fragments: `#view=timeline&run=2&event=1234`. A link
 * works when the file is opened, bookmarked or shared, and tests deep-link with it.
 * Parsing accepts only the known view names and non-negative integers, so a fragment
 * can select but never inject anything.
 */

export const VIEWS = ['summary', 'timeline', 'diff', 'matrix'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  readonly view: View;
  readonly run: number;
  /** The selected event of the run, or null for none. */
  readonly event: number | null;
}

function index(text: string | null): number | null {
  if (text === null || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}

/**
 * The route a fragment names. A fragment with an event but no view opens the timeline;
 * one with neither opens `fallback`.
 */
export function parseRoute(hash: string, fallback: View): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const viewText = params.get('view');
  const event = index(params.get('event'));
  const named = (VIEWS as readonly string[]).includes(viewText ?? '') ? (viewText as View) : null;
  const view = named ?? (event !== null ? 'timeline' : params.has('run') ? 'summary' : fallback);
  return { view, run: index(params.get('run')) ?? 0, event };
}

export function hrefOf(route: Route): string {
  const parts = [`view=${route.view}`, `run=${route.run}`];
  if (route.event !== null) parts.push(`event=${route.event}`);
  return '#' + parts.join('&');
}
