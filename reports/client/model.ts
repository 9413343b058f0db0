/**
 * One run of the report, ready to show: the event columns as typed arrays (so that a
 * 100,000-event timeline draws from flat memory), the lanes of the timeline (one per
 * actor), the scenario's steps as spans of events, and envelopes rebuilt on demand.
 */
import type { Envelope } from '../../engine/core/decider.js';
import type { Verdict } from '../../engine/scenario/state.js';
import type { TraceFooter, TraceHeader } from '../../engine/trace/format.js';
import { variantLabel, type RunPayload } from '../payload.js';

/** A scenario step: its events run from `started` (scenario.stepStarted) to `checked` (scenario.stepChecked). */
export interface StepSpan {
  readonly index: number;
  readonly line: number;
  readonly text: string;
  readonly actor: string;
  readonly started: number;
  /** Null when the run stopped inside the step. */
  readonly checked: number | null;
  readonly outcome: unknown;
  readonly verdicts: readonly Verdict[];
}

export interface Lane {
  readonly actor: string;
  /** The seqs of the lane's events, ascending. */
  readonly seqs: Int32Array;
}

export interface Leak {
  readonly seq: number;
  readonly actor: string;
  readonly secret: string;
}

/**
 * Lane order: the scenario's steps on top, then the hardware from the CPU down to the
 * TLB, the kernel, the processes (in order of appearance), and the bookkeepers last.
 */
const LANE_ORDER_TOP = ['scenario', 'raw', 'cpu', 'mmu', 'tlb', 'kernel'];
const LANE_ORDER_BOTTOM = ['observer', 'engine'];

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export class RunModel {
  readonly count: number;
  readonly file: string;
  readonly header: TraceHeader;
  readonly footer: TraceFooter;
  readonly types: readonly string[];
  readonly actors: readonly string[];
  readonly typeOf: Int32Array;
  readonly actorOf: Int32Array;
  readonly tickOf: Float64Array;
  /** The cause's seq, or -1 for none. */
  readonly causeOf: Int32Array;
  readonly data: readonly unknown[];
  readonly lanes: readonly Lane[];
  /** Lane index of each actor index. */
  readonly laneOfActor: Int32Array;
  readonly steps: readonly StepSpan[];
  readonly leaks: readonly Leak[];
  private effectsIndex: { readonly starts: Int32Array; readonly seqs: Int32Array } | null = null;

  constructor(
    readonly index: number,
    payload: RunPayload,
  ) {
    const events = payload.events;
    this.count = events.count;
    this.file = payload.file;
    this.header = payload.header;
    this.footer = payload.footer;
    this.types = events.types;
    this.actors = events.actors;
    this.data = events.data;
    this.typeOf = Int32Array.from(events.type);
    this.actorOf = Int32Array.from(events.actor);
    this.tickOf = new Float64Array(this.count);
    this.causeOf = new Int32Array(this.count);
    let tick = 0;
    for (let seq = 0; seq < this.count; seq++) {
      tick += events.tickDelta[seq]!;
      this.tickOf[seq] = tick;
      const distance = events.causeDistance[seq]!;
      this.causeOf[seq] = distance === 0 ? -1 : seq - distance;
    }
    const lanes = this.buildLanes();
    this.lanes = lanes.lanes;
    this.laneOfActor = lanes.laneOfActor;
    this.steps = this.buildSteps();
    this.leaks = this.buildLeaks();
  }

  get title(): string {
    return this.header.scenario.title;
  }

  get variant(): string {
    return variantLabel(this.header.variant);
  }

  typeAt(seq: number): string {
    return this.types[this.typeOf[seq]!]!;
  }

  actorAt(seq: number): string {
    return this.actors[this.actorOf[seq]!]!;
  }

  envelope(seq: number): Envelope {
    const cause = this.causeOf[seq]!;
    return { seq, tick: this.tickOf[seq]!, type: this.typeAt(seq), actor: this.actorAt(seq), data: this.data[seq], cause: cause < 0 ? null : cause };
  }

  /** Whether a name is a process of this run (it appears as a process in kernel.processCreated). */
  isProcessActor(actor: string): boolean {
    return !LANE_ORDER_TOP.includes(actor) && !LANE_ORDER_BOTTOM.includes(actor);
  }

  private buildLanes(): { lanes: Lane[]; laneOfActor: Int32Array } {
    const rank = (actor: string, firstSeen: number) => {
      const top = LANE_ORDER_TOP.indexOf(actor);
      if (top >= 0) return top;
      const bottom = LANE_ORDER_BOTTOM.indexOf(actor);
      if (bottom >= 0) return 1e9 + bottom;
      return LANE_ORDER_TOP.length + firstSeen;
    };
    // Actors are numbered in order of first appearance, so the index is that order.
    const order = this.actors.map((actor, i) => ({ actor, i, rank: rank(actor, i) })).sort((a, b) => a.rank - b.rank);
    const laneOfActor = new Int32Array(this.actors.length);
    order.forEach((entry, lane) => (laneOfActor[entry.i] = lane));
    const counts = new Int32Array(order.length);
    for (let seq = 0; seq < this.count; seq++) counts[laneOfActor[this.actorOf[seq]!]!]++;
    const seqs = order.map((_, lane) => new Int32Array(counts[lane]!));
    const filled = new Int32Array(order.length);
    for (let seq = 0; seq < this.count; seq++) {
      const lane = laneOfActor[this.actorOf[seq]!]!;
      seqs[lane]![filled[lane]++] = seq;
    }
    return { lanes: order.map((entry, lane) => ({ actor: entry.actor, seqs: seqs[lane]! })), laneOfActor };
  }

  private buildSteps(): StepSpan[] {
    const started = this.types.indexOf('scenario.stepStarted');
    const checked = this.types.indexOf('scenario.stepChecked');
    if (started < 0) return [];
    const steps: StepSpan[] = [];
    let open: { seq: number; data: Record<string, unknown> } | null = null;
    const close = (checkedSeq: number | null, data: Record<string, unknown>) => {
      if (open === null) return;
      steps.push({
        index: typeof open.data.index === 'number' ? open.data.index : steps.length,
        line: typeof open.data.line === 'number' ? open.data.line : 0,
        text: String(open.data.text ?? ''),
        actor: String(open.data.actor ?? ''),
        started: open.seq,
        checked: checkedSeq,
        outcome: data.outcome ?? null,
        verdicts: Array.isArray(data.verdicts) ? (data.verdicts as Verdict[]) : [],
      });
      open = null;
    };
    for (let seq = 0; seq < this.count; seq++) {
      const type = this.typeOf[seq]!;
      if (type === started) {
        close(null, {});
        open = { seq, data: record(this.data[seq]) };
      } else if (type === checked) {
        close(seq, record(this.data[seq]));
      }
    }
    close(null, {});
    return steps;
  }

  private buildLeaks(): Leak[] {
    const leaked = this.types.indexOf('observer.secretLeaked');
    const out: Leak[] = [];
    if (leaked < 0) return out;
    for (let seq = 0; seq < this.count; seq++) {
      if (this.typeOf[seq] !== leaked) continue;
      const data = record(this.data[seq]);
      out.push({ seq, actor: String(data.actor ?? this.actorAt(seq)), secret: String(data.secret ?? '?') });
    }
    return out;
  }

  /** The step whose span holds the event, or null (setup before the first step, the final assertions). */
  stepAt(seq: number): StepSpan | null {
    let low = 0;
    let high = this.steps.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.steps[middle]!.started <= seq) low = middle + 1;
      else high = middle - 1;
    }
    const step = this.steps[high];
    if (step === undefined) return null;
    const end = step.checked ?? (this.steps[high + 1]?.started ?? this.count) - 1;
    return seq <= end ? step : null;
  }

  /** The events this event caused directly, in order. */
  effects(seq: number): number[] {
    if (this.effectsIndex === null) this.effectsIndex = this.buildEffectsIndex();
    const { starts, seqs } = this.effectsIndex;
    return Array.from(seqs.subarray(starts[seq]!, starts[seq + 1]!));
  }

  private buildEffectsIndex(): { starts: Int32Array; seqs: Int32Array } {
    const starts = new Int32Array(this.count + 1);
    for (let seq = 0; seq < this.count; seq++) {
      const cause = this.causeOf[seq]!;
      if (cause >= 0) starts[cause + 1]++;
    }
    for (let i = 0; i < this.count; i++) starts[i + 1] += starts[i]!;
    const filled = starts.slice(0, this.count);
    const seqs = new Int32Array(starts[this.count]!);
    for (let seq = 0; seq < this.count; seq++) {
      const cause = this.causeOf[seq]!;
      if (cause >= 0) seqs[filled[cause]++] = seq;
    }
    return { starts, seqs };
  }

  /** The event's first string field `va`, if any. */
  vaOf(seq: number): string | null {
    const va = record(this.data[seq]).va;
    return typeof va === 'string' ? va : null;
  }
}
