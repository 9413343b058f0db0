/**
 * The report's page: a header with the views (summary, timeline, diff, matrix) and a
 * run picker, and the current view below. The URL fragment is the state of the page
 * (route.ts): links change it, and the page follows; selecting an event on the
 * timeline rewrites it in place so that the address always names what is shown.
 */
import type { ReportPayload } from '../payload.js';
import { fill, h, link } from './dom.js';
import { RunModel } from './model.js';
import { hrefOf, parseRoute, type Route, type View } from './route.js';
import { StateIndex } from './states.js';
import { diffView } from './views/diff.js';
import { matrixView } from './views/matrix.js';
import { summaryView } from './views/summary.js';
import { TimelineView } from './views/timeline.js';

/** What tests and tools may read from the page (window.__isolab). */
export interface ReportHook {
  route(): Route;
  /** Client coordinates of an event's mark on the timeline, or null when it is not drawn. */
  pointOf(seq: number): { x: number; y: number } | null;
  selected(): number | null;
  /** Whether every snapshot of the run has been built. */
  snapshotsReady(run: number): boolean;
}

declare global {
  interface Window {
    __isolab?: ReportHook;
    __isolabFirstRender?: number;
  }
}

const VIEW_TITLES: Readonly<Record<View, string>> = { summary: 'Summary', timeline: 'Timeline', diff: 'Diff', matrix: 'Matrix' };

export class App {
  private readonly runs: RunModel[];
  private readonly states = new Map<number, StateIndex>();
  private readonly nav: HTMLElement;
  private readonly main: HTMLElement;
  private route: Route;
  private current: { readonly key: string; readonly timeline: TimelineView | null } | null = null;
  private firstRenderMarked = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly payload: ReportPayload,
  ) {
    this.runs = payload.runs.map((run, index) => new RunModel(index, run));
    this.nav = h('nav', { class: 'views', 'aria-label': 'Views' });
    this.main = h('main', { id: 'main' });
    this.route = this.normalise(parseRoute(location.hash, this.defaultView()));
  }

  private defaultView(): View {
    if (this.payload.diffs.length > 0) return 'diff';
    if (this.payload.matrix !== null && this.runs.length > 2) return 'matrix';
    return 'summary';
  }

  private get title(): string {
    if (this.payload.title !== null) return this.payload.title;
    const titles = [...new Set(this.runs.map((run) => run.title))];
    return titles.length === 1 ? titles[0]! : `${titles.length} scenarios`;
  }

  start(): void {
    document.title = `${this.title} — isolab report`;
    fill(
      this.root,
      h(
        'header',
        { class: 'page-header' },
        h('p', { class: 'brand' }, 'isolab report'),
        h('h1', null, this.title),
        h('p', { class: 'muted' }, `${this.runs.length} run${this.runs.length === 1 ? '' : 's'} · written by isolab ${this.payload.engine}`),
        this.nav,
      ),
      this.main,
    );
    window.addEventListener('hashchange', () => this.go(parseRoute(location.hash, this.defaultView())));
    window.__isolab = {
      route: () => this.route,
      pointOf: (seq) => this.current?.timeline?.pointOf(seq) ?? null,
      selected: () => this.current?.timeline?.selectedEvent ?? null,
      snapshotsReady: (run) => this.states.get(run)?.complete ?? false,
    };
    this.go(this.route);
  }

  private normalise(route: Route): Route {
    const run = Math.min(route.run, this.runs.length - 1);
    let view = route.view;
    if (view === 'diff' && this.payload.diffs.length === 0) view = 'summary';
    if (view === 'matrix' && this.payload.matrix === null) view = 'summary';
    const count = this.runs[run]!.count;
    const event = route.event === null ? null : Math.min(route.event, Math.max(0, count - 1));
    return { view, run, event };
  }

  private statesOf(run: number): StateIndex {
    let states = this.states.get(run);
    if (states === undefined) {
      states = new StateIndex(this.runs[run]!);
      this.states.set(run, states);
    }
    return states;
  }

  private go(requested: Route): void {
    const route = this.normalise(requested);
    this.route = route;
    const key = route.view === 'timeline' ? `timeline:${route.run}` : `${route.view}:${route.run}`;
    if (this.current !== null && this.current.key === key && this.current.timeline !== null) {
      this.current.timeline.select(route.event ?? this.current.timeline.selectedEvent);
      return;
    }
    this.current?.timeline?.unmount();
    this.renderNav();
    const timeline = route.view === 'timeline' ? this.timelineView(route) : null;
    fill(this.main, timeline?.element ?? this.staticView(route));
    if (timeline !== null) {
      timeline.mount();
      timeline.select(route.event ?? this.defaultEvent(route.run));
    }
    this.current = { key, timeline };
    this.markFirstRender(route.run);
  }

  private timelineView(route: Route): TimelineView {
    return new TimelineView(this.runs[route.run]!, this.statesOf(route.run), (seq) => {
      const next: Route = { view: 'timeline', run: route.run, event: seq };
      this.route = next;
      history.replaceState(null, '', hrefOf(next));
      this.current?.timeline?.select(seq);
    });
  }

  private staticView(route: Route): HTMLElement {
    switch (route.view) {
      case 'summary':
      case 'timeline':
        return summaryView(this.runs, this.runs[route.run]!);
      case 'diff':
        return diffView(this.payload.diffs[0]!, this.runs);
      case 'matrix':
        return matrixView(this.payload.matrix!);
    }
  }

  /** The first step's first event: where a reader wants to start. */
  private defaultEvent(run: number): number {
    return this.runs[run]!.steps[0]?.started ?? 0;
  }

  private renderNav(): void {
    const views: View[] = ['summary', 'timeline'];
    if (this.payload.diffs.length > 0) views.push('diff');
    if (this.payload.matrix !== null) views.push('matrix');
    const tabs = views.map((view) =>
      h(
        'li',
        null,
        link({ view, run: this.route.run, event: view === 'timeline' ? this.route.event : null }, { 'aria-current': view === this.route.view ? 'page' : undefined, class: 'tab' }, VIEW_TITLES[view]),
      ),
    );
    fill(this.nav, h('ul', { class: 'tabs' }, tabs), this.runs.length > 1 ? this.runPicker() : null);
  }

  private runPicker(): HTMLElement {
    const select = h('select', { 'aria-label': 'Run to show', id: 'run-picker' });
    for (const run of this.runs) select.appendChild(new Option(`#${run.index} ${run.title} [${run.variant}]`, String(run.index), false, run.index === this.route.run));
    select.addEventListener('change', () => {
      const view = this.route.view === 'timeline' ? 'timeline' : 'summary';
      location.hash = hrefOf({ view, run: Number(select.value), event: null });
    });
    return h('label', { class: 'picker', for: 'run-picker' }, 'Run ', select);
  }

  /** Marks the first paint for tests and the benchmark, then starts building snapshots. */
  private markFirstRender(run: number): void {
    if (this.firstRenderMarked) return;
    this.firstRenderMarked = true;
    requestAnimationFrame(() => {
      window.__isolabFirstRender = performance.now();
      document.documentElement.dataset.rendered = 'true';
      this.statesOf(run).buildInBackground();
    });
  }
}
