/**
 * The timeline: a canvas with one lane per actor and one mark per event, x being the
 * event's seq. It draws only the visible range. Zoomed in, each event is a box (with
 * its type when there is room); zoomed out, events are binned per pixel column and each
 * column shows its most severe event, so a 100,000-event run costs one pass over the
 * visible events and one rectangle per run of equal columns. The scenario lane shows
 * each step as a span from its scenario.stepStarted to its scenario.stepChecked.
 *
 * Pointer: drag to pan, wheel to zoom (shift+wheel pans), click to select the nearest
 * event. Keys (canvas focused): ←/→ previous/next event, shift+←/→ in the same lane,
 * PageUp/PageDown previous/next step, Home/End, +/− zoom, 0 fit.
 */
import { button, h } from './dom.js';
import { dataLine, severityOf } from './format.js';
import type { RunModel } from './model.js';

const GUTTER = 112;
const AXIS = 20;
const LANE = 22;
const OVERVIEW = 8;
/** The most zoomed-in view: pixels per event. */
const MAX_PIXELS_PER_EVENT = 80;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const MECHANISM_COLORS: Readonly<Record<string, string>> = {
  scenario: '#64748b',
  cpu: '#2563eb',
  mmu: '#7c3aed',
  tlb: '#0891b2',
  memory: '#4d7c0f',
  kernel: '#b45309',
  observer: '#be185d',
  invariant: '#b91c1c',
  engine: '#475569',
};
const FAULT_COLOR = '#dc2626';
const BREACH_COLOR = '#7f1d1d';

export interface TimelineCallbacks {
  onSelect(seq: number): void;
}

export class Timeline {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly status: HTMLElement;
  private readonly typeColor: readonly string[];
  private readonly typeSeverity: Uint8Array;
  private width = 0;
  private start = 0;
  private perPixel = 1;
  private selected: number | null = null;
  private frame = 0;
  private drag: { x: number; start: number; moved: boolean } | null = null;
  private resizeObserver: ResizeObserver | null = null;

  constructor(
    private readonly run: RunModel,
    private readonly callbacks: TimelineCallbacks,
  ) {
    this.typeSeverity = Uint8Array.from(run.types.map(severityOf));
    this.typeColor = run.types.map((type, i) =>
      this.typeSeverity[i] === 2 ? BREACH_COLOR : this.typeSeverity[i] === 1 ? FAULT_COLOR : (MECHANISM_COLORS[type.split('.')[0]!] ?? '#334155'),
    );
    this.canvas = h('canvas', {
      class: 'timeline-canvas',
      tabindex: 0,
      role: 'img',
      'aria-label': `Timeline of ${run.count} events in ${run.lanes.length} lanes; use the arrow keys to step through the events`,
    });
    this.status = h('p', { class: 'timeline-status', 'aria-live': 'polite' });
    this.element = h('div', { class: 'timeline' }, this.toolbar(), this.canvas, this.status, legend());
    this.listen();
  }

  private toolbar(): HTMLElement {
    const goTo = h('input', { type: 'number', class: 'goto', 'aria-label': 'Go to event number', title: 'Go to event number' });
    goTo.min = '0';
    goTo.max = String(Math.max(0, this.run.count - 1));
    goTo.placeholder = 'event #';
    goTo.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      const seq = Number(goTo.value);
      if (Number.isInteger(seq) && seq >= 0 && seq < this.run.count) this.callbacks.onSelect(seq);
    });
    return h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline controls' },
      button('◀ step', () => this.stepBy(-1), { title: 'Previous step (PageUp)' }),
      button('◀ event', () => this.moveBy(-1, false), { title: 'Previous event (←)' }),
      button('event ▶', () => this.moveBy(1, false), { title: 'Next event (→)' }),
      button('step ▶', () => this.stepBy(1), { title: 'Next step (PageDown)' }),
      h('span', { class: 'spacer' }),
      button('−', () => this.zoomAround(2, null), { title: 'Zoom out (−)', 'aria-label': 'Zoom out' }),
      button('+', () => this.zoomAround(0.5, null), { title: 'Zoom in (+)', 'aria-label': 'Zoom in' }),
      button('fit', () => this.fit(), { title: 'Show every event (0)' }),
      goTo,
    );
  }

  /** Measures the canvas and draws; call once the element is in the document. */
  mount(): void {
    this.measure();
    this.fit(false);
    if (this.selected !== null) this.reveal(this.selected);
    this.drawNow();
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.measure()) this.drawNow();
      });
      this.resizeObserver.observe(this.element);
    }
  }

  unmount(): void {
    this.resizeObserver?.disconnect();
    cancelAnimationFrame(this.frame);
  }

  /** Sizes the canvas to its container; returns whether the size changed (which clears the canvas). */
  private measure(): boolean {
    const width = Math.max(GUTTER + 100, Math.floor(this.element.clientWidth || 800));
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(this.height * ratio);
    if (width === this.width && this.canvas.width === pixelWidth && this.canvas.height === pixelHeight) return false;
    const span = this.plotWidth > 0 ? this.plotWidth * this.perPixel : 0;
    this.width = width;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.canvas.width = pixelWidth;
    this.canvas.height = pixelHeight;
    // Keep showing the same events at the new width.
    if (span > 0) this.perPixel = span / this.plotWidth;
    this.clampView();
    return true;
  }

  private get plotWidth(): number {
    return this.width - GUTTER;
  }

  private get height(): number {
    return AXIS + this.run.lanes.length * LANE + OVERVIEW + 4;
  }

  private get fitPerPixel(): number {
    return Math.max(this.run.count, 1) / this.plotWidth;
  }

  private clampView(): void {
    const fit = this.fitPerPixel;
    this.perPixel = Math.min(Math.max(this.perPixel, Math.min(1 / MAX_PIXELS_PER_EVENT, fit)), fit);
    const span = this.plotWidth * this.perPixel;
    this.start = Math.min(Math.max(this.start, 0), Math.max(0, this.run.count - span));
  }

  fit(draw = true): void {
    this.perPixel = this.fitPerPixel;
    this.start = 0;
    this.clampView();
    if (draw) this.schedule();
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the seq under `x` (or the centre) in place. */
  private zoomAround(factor: number, x: number | null): void {
    const anchorX = x ?? (this.selected !== null && this.isVisible(this.selected) ? this.xOf(this.selected + 0.5) : GUTTER + this.plotWidth / 2);
    const anchorSeq = this.seqAtX(anchorX);
    this.perPixel *= factor;
    this.clampView();
    this.start = anchorSeq - (anchorX - GUTTER) * this.perPixel;
    this.clampView();
    this.schedule();
  }

  private xOf(seq: number): number {
    return GUTTER + (seq - this.start) / this.perPixel;
  }

  private seqAtX(x: number): number {
    return this.start + (x - GUTTER) * this.perPixel;
  }

  private isVisible(seq: number): boolean {
    return seq >= this.start && seq + 1 <= this.start + this.plotWidth * this.perPixel;
  }

  /** Pans (keeping the zoom) so the event is in view. */
  reveal(seq: number): void {
    if (this.isVisible(seq)) return;
    this.start = seq + 0.5 - (this.plotWidth * this.perPixel) / 2;
    this.clampView();
  }

  setSelected(seq: number | null): void {
    this.selected = seq;
    if (seq !== null) {
      this.reveal(seq);
      this.status.textContent = this.describe(seq);
    }
    this.schedule();
  }

  private describe(seq: number): string {
    const line = dataLine(this.run.data[seq], 100);
    return `event ${seq} · tick ${this.run.tickOf[seq]} · ${this.run.actorAt(seq)} · ${this.run.typeAt(seq)}${line === '' ? '' : ' · ' + line}`;
  }

  /** Where the event's mark is drawn, in client coordinates (for tests and tooling); null when off screen. */
  pointOf(seq: number): { x: number; y: number } | null {
    if (seq < 0 || seq >= this.run.count || !this.isVisible(seq)) return null;
    const rect = this.canvas.getBoundingClientRect();
    const lane = this.run.laneOfActor[this.run.actorOf[seq]!]!;
    return { x: rect.left + this.xOf(seq + 0.5), y: rect.top + AXIS + lane * LANE + LANE / 2 };
  }

  private moveBy(delta: number, sameLane: boolean): void {
    const from = this.selected ?? (delta > 0 ? -1 : this.run.count);
    if (!sameLane || this.selected === null) {
      const next = Math.min(this.run.count - 1, Math.max(0, from + delta));
      this.callbacks.onSelect(next);
      return;
    }
    const lane = this.run.lanes[this.run.laneOfActor[this.run.actorOf[from]!]!]!;
    const at = lowerBound(lane.seqs, from) + delta;
    if (at >= 0 && at < lane.seqs.length) this.callbacks.onSelect(lane.seqs[at]!);
  }

  private stepBy(delta: number): void {
    const steps = this.run.steps;
    if (steps.length === 0) return;
    const from = this.selected ?? -1;
    const target =
      delta > 0 ? steps.find((step) => step.started > from) : [...steps].reverse().find((step) => step.started < from);
    if (target !== undefined) this.callbacks.onSelect(target.started);
  }

  /** The event nearest a point: in the lane under the pointer if one is close, else the one under x. */
  private hit(x: number, y: number): number | null {
    if (x < GUTTER || this.run.count === 0) return null;
    const seqF = this.seqAtX(x);
    const lane = this.run.lanes[Math.floor((y - AXIS) / LANE)];
    const tolerance = Math.max(this.perPixel * 6, 0.5);
    if (lane !== undefined && lane.seqs.length > 0) {
      const at = lowerBound(lane.seqs, Math.floor(seqF));
      let best = -1;
      let distance = Infinity;
      for (const candidate of [at - 1, at, at + 1]) {
        const seq = lane.seqs[candidate];
        if (seq === undefined) continue;
        const d = Math.abs(seq + 0.5 - seqF);
        if (d < distance) {
          best = seq;
          distance = d;
        }
      }
      if (best >= 0 && distance <= tolerance + 0.5) return best;
    }
    return Math.min(this.run.count - 1, Math.max(0, Math.floor(seqF)));
  }

  private listen(): void {
    const canvas = this.canvas;
    canvas.addEventListener('pointerdown', (event) => {
      canvas.setPointerCapture(event.pointerId);
      this.drag = { x: event.clientX, start: this.start, moved: false };
    });
    canvas.addEventListener('pointermove', (event) => {
      const local = this.local(event);
      if (this.drag !== null) {
        const dx = event.clientX - this.drag.x;
        if (Math.abs(dx) > 3) this.drag.moved = true;
        if (this.drag.moved) {
          this.start = this.drag.start - dx * this.perPixel;
          this.clampView();
          this.schedule();
        }
        return;
      }
      const seq = this.hit(local.x, local.y);
      this.status.textContent = seq === null ? (this.selected === null ? '' : this.describe(this.selected)) : this.describe(seq);
    });
    canvas.addEventListener('pointerup', (event) => {
      const drag = this.drag;
      this.drag = null;
      if (drag === null || drag.moved) return;
      const local = this.local(event);
      const seq = this.hit(local.x, local.y);
      if (seq !== null) this.callbacks.onSelect(seq);
    });
    canvas.addEventListener('pointercancel', () => (this.drag = null));
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const local = this.local(event);
        if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
          this.start += (event.shiftKey ? event.deltaY : event.deltaX) * this.perPixel;
          this.clampView();
          this.schedule();
        } else {
          this.zoomAround(Math.exp(event.deltaY * 0.002), local.x);
        }
      },
      { passive: false },
    );
    canvas.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Handles a key; returns whether it was the timeline's. Also used by the view for keys outside the canvas. */
  onKey(event: KeyboardEvent): boolean {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => this.moveBy(-1, event.shiftKey),
      ArrowRight: () => this.moveBy(1, event.shiftKey),
      PageUp: () => this.stepBy(-1),
      PageDown: () => this.stepBy(1),
      Home: () => this.callbacks.onSelect(0),
      End: () => this.callbacks.onSelect(this.run.count - 1),
      '+': () => this.zoomAround(0.5, null),
      '=': () => this.zoomAround(0.5, null),
      '-': () => this.zoomAround(2, null),
      '0': () => this.fit(),
    };
    const action = keys[event.key];
    if (action === undefined || event.altKey || event.ctrlKey || event.metaKey) return false;
    event.preventDefault();
    action();
    return true;
  }

  private local(event: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  /** Draws the visible range now. */
  drawNow(): void {
    const context = this.canvas.getContext('2d');
    if (context === null) return;
    const ratio = this.canvas.width / this.width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, this.width, this.height);
    context.font = FONT;
    context.textBaseline = 'middle';
    this.drawLanes(context);
    this.drawSteps(context);
    if (this.perPixel < 0.5) this.drawEvents(context);
    else this.drawBinned(context);
    this.drawSelection(context);
    this.drawAxis(context);
    this.drawOverview(context);
  }

  private visibleRange(): { first: number; last: number } {
    const first = Math.max(0, Math.floor(this.start));
    const last = Math.min(this.run.count - 1, Math.ceil(this.start + this.plotWidth * this.perPixel));
    return { first, last };
  }

  private drawLanes(context: CanvasRenderingContext2D): void {
    this.run.lanes.forEach((lane, i) => {
      const y = AXIS + i * LANE;
      context.fillStyle = i % 2 === 0 ? '#f8fafc' : '#eef2f7';
      context.fillRect(0, y, this.width, LANE);
      context.fillStyle = this.run.isProcessActor(lane.actor) ? '#0f172a' : '#334155';
      context.fillText(clip(context, lane.actor, GUTTER - 12), 6, y + LANE / 2);
    });
    context.fillStyle = '#cbd5e1';
    context.fillRect(GUTTER - 1, AXIS, 1, this.run.lanes.length * LANE);
  }

  private drawSteps(context: CanvasRenderingContext2D): void {
    const laneIndex = this.run.lanes.findIndex((lane) => lane.actor === 'scenario');
    const steps = this.run.steps;
    const { first, last } = this.visibleRange();
    if (laneIndex < 0 || steps.length === 0) return;
    // Steps narrower than two pixels on average: the events alone say enough.
    if (this.run.count / steps.length / this.perPixel < 2) return;
    const y = AXIS + laneIndex * LANE;
    let i = Math.max(0, lowerBoundBy(steps.length, (k) => steps[k]!.started, first) - 1);
    for (; i < steps.length && steps[i]!.started <= last; i++) {
      const step = steps[i]!;
      const end = (step.checked ?? (steps[i + 1]?.started ?? this.run.count) - 1) + 1;
      const x0 = Math.max(GUTTER, this.xOf(step.started));
      const x1 = Math.min(this.width, this.xOf(end));
      if (x1 - x0 < 2) continue;
      context.fillStyle = i % 2 === 0 ? 'rgba(100,116,139,0.16)' : 'rgba(100,116,139,0.28)';
      context.fillRect(x0, y + 2, x1 - x0 - 1, LANE - 4);
      if (x1 - x0 > 60) {
        context.fillStyle = '#1e293b';
        context.fillText(clip(context, `${step.line}: ${step.text}`, x1 - x0 - 8), x0 + 4, y + LANE / 2);
      }
    }
  }

  private drawEvents(context: CanvasRenderingContext2D): void {
    const { first, last } = this.visibleRange();
    const width = 1 / this.perPixel;
    for (let seq = first; seq <= last; seq++) {
      const lane = this.run.laneOfActor[this.run.actorOf[seq]!]!;
      const type = this.run.typeOf[seq]!;
      const x = this.xOf(seq);
      const y = AXIS + lane * LANE;
      context.fillStyle = this.typeColor[type]!;
      context.fillRect(Math.max(GUTTER, x), y + 4, Math.max(1, width - 1), LANE - 8);
      if (width > 56) {
        context.fillStyle = '#ffffff';
        const name = this.run.types[type]!;
        context.fillText(clip(context, name.slice(name.indexOf('.') + 1), width - 8), x + 4, y + LANE / 2);
      }
    }
  }

  /**
   * One mark per lane and pixel column. A column holding many events cannot show each
   * type, so it takes the lane's colour, or the fault or breach colour when one of its
   * events is a fault or a breach (those must never disappear when zoomed out).
   */
  private drawBinned(context: CanvasRenderingContext2D): void {
    const { first, last } = this.visibleRange();
    const columns = Math.ceil(this.plotWidth);
    const lanes = this.run.lanes.length;
    // 0: no event; 1 + severity otherwise.
    const grid = new Uint8Array(lanes * columns);
    const { actorOf, typeOf, laneOfActor } = this.run;
    const severity = this.typeSeverity;
    for (let seq = first; seq <= last; seq++) {
      const column = Math.floor((seq - this.start) / this.perPixel);
      if (column < 0 || column >= columns) continue;
      const cell = laneOfActor[actorOf[seq]!]! * columns + column;
      const code = 1 + severity[typeOf[seq]!]!;
      if (code > grid[cell]!) grid[cell] = code;
    }
    const colors = ['', '', FAULT_COLOR, BREACH_COLOR];
    for (let lane = 0; lane < lanes; lane++) {
      const y = AXIS + lane * LANE;
      colors[1] = this.laneColor(lane);
      let column = 0;
      while (column < columns) {
        const code = grid[lane * columns + column]!;
        let end = column + 1;
        while (end < columns && grid[lane * columns + end] === code) end++;
        if (code !== 0) {
          context.fillStyle = colors[code]!;
          context.fillRect(GUTTER + column, y + 4, end - column, LANE - 8);
        }
        column = end;
      }
    }
  }

  /** A lane's colour when zoomed out: its mechanism's, or a neutral one for a process. */
  private laneColor(lane: number): string {
    const actor = this.run.lanes[lane]!.actor;
    return MECHANISM_COLORS[actor] ?? (actor === 'raw' ? MECHANISM_COLORS.memory! : '#334155');
  }

  private drawSelection(context: CanvasRenderingContext2D): void {
    if (this.selected === null || !this.isVisible(this.selected)) return;
    const seq = this.selected;
    const lane = this.run.laneOfActor[this.run.actorOf[seq]!]!;
    const x = this.xOf(seq);
    const width = Math.max(2, 1 / this.perPixel);
    context.fillStyle = 'rgba(234,88,12,0.85)';
    context.fillRect(x + width / 2 - 1, AXIS, 2, this.run.lanes.length * LANE);
    context.strokeStyle = '#ea580c';
    context.lineWidth = 2;
    context.strokeRect(x - 1, AXIS + lane * LANE + 2, width + 1, LANE - 4);
  }

  private drawAxis(context: CanvasRenderingContext2D): void {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, this.width, AXIS);
    context.fillStyle = '#475569';
    context.fillText('event', 6, AXIS / 2);
    const every = niceStep(90 * this.perPixel);
    const { first, last } = this.visibleRange();
    for (let seq = Math.ceil(first / every) * every; seq <= last + 1; seq += every) {
      const x = this.xOf(seq);
      if (x < GUTTER) continue;
      context.fillRect(x, AXIS - 5, 1, 5);
      context.fillText(seq.toLocaleString('en-US'), x + 3, AXIS / 2);
    }
  }

  /** A strip under the lanes showing which part of the run is in view. */
  private drawOverview(context: CanvasRenderingContext2D): void {
    const y = AXIS + this.run.lanes.length * LANE + 2;
    context.fillStyle = '#e2e8f0';
    context.fillRect(GUTTER, y, this.plotWidth, OVERVIEW - 2);
    const total = Math.max(1, this.run.count);
    const x0 = GUTTER + (this.start / total) * this.plotWidth;
    const x1 = GUTTER + Math.min(1, (this.start + this.plotWidth * this.perPixel) / total) * this.plotWidth;
    context.fillStyle = '#64748b';
    context.fillRect(x0, y, Math.max(2, x1 - x0), OVERVIEW - 2);
  }
}

/** The colour key; the swatches' colours are in style.css (.swatch-…), matching MECHANISM_COLORS. */
function legend(): HTMLElement {
  const items: [string, string][] = [
    ['scenario', 'scenario step'],
    ['cpu', 'CPU'],
    ['mmu', 'MMU walk'],
    ['tlb', 'TLB'],
    ['memory', 'memory'],
    ['kernel', 'kernel'],
    ['observer', 'observer'],
    ['process', 'process (zoomed out)'],
    ['fault', 'fault, signal'],
    ['breach', 'leak, violation'],
  ];
  return h(
    'ul',
    { class: 'legend-list', 'aria-label': 'Colour key' },
    items.map(([key, label]) => h('li', null, h('span', { class: `swatch swatch-${key}`, 'aria-hidden': 'true' }), label)),
  );
}

/** The first index whose value is ≥ target, in an ascending array. */
export function lowerBound(values: Int32Array, target: number): number {
  return lowerBoundBy(values.length, (i) => values[i]!, target);
}

function lowerBoundBy(length: number, valueAt: (i: number) => number, target: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (valueAt(middle) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** 1, 2 or 5 × 10^k, at least `minimum` and at least 1. */
function niceStep(minimum: number): number {
  let step = 1;
  while (step < minimum) {
    if (step * 2 >= minimum) return step * 2;
    if (step * 5 >= minimum) return step * 5;
    step *= 10;
  }
  return step;
}

/** The text, cut with an ellipsis to fit `width` pixels. */
function clip(context: CanvasRenderingContext2D, text: string, width: number): string {
  if (width <= 8) return '';
  if (context.measureText(text).width <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (context.measureText(text.slice(0, middle) + '…').width <= width) low = middle;
    else high = middle - 1;
  }
  return low === 0 ? '' : text.slice(0, low) + '…';
}
