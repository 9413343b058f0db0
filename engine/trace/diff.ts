/**
 * Compares two traces (`isolab diff`, `isolab run --matrix`, later the report's diff
 * view): the same scenario under two variants or two seeds, or two versions of a
 * scenario. It aligns the event lists, finds the first divergence, counts inserted,
 * removed and changed events per actor, and lists the differences a user cares about:
 * expectations whose verdict flips, secrets leaked in one run only, faults in one only.
 *
 * Alignment is two-level, with jsdiff's Myers diff (`diffArrays`) at both levels. Runs
 * are cut into units — the setup, each step (from its `scenario.stepStarted` to its
 * `scenario.stepChecked`), and what follows the steps — and the units are aligned by
 * the step's actor and text. Then the events of each pair of aligned units, and of each
 * run of units present on one side only, are aligned by an event key. Two runs of a
 * long `repeat` that differ a little in every iteration thus align exactly, at a cost
 * that grows with the size of each unit rather than of the whole trace.
 *
 * An event's key is its type, actor and canonical data, leaving out what does not
 * describe behaviour: seq, tick and cause (they shift after any insertion), where a step
 * is written (file, line, index: editing a scenario above a step does not change it),
 * the run's identity in `scenario.started` (file, title, seed, variant: the diff's
 * headline shows them) and the event number an invariant violation points at. Keys are
 * interned as integers, so the diff compares numbers.
 *
 * Myers' cost grows with the edit distance, so each alignment is given up beyond
 * `maxEditLength` edits and that stretch is compared position by position instead; the
 * diff is then marked `approximate`. No time limit is used, so the result never depends
 * on the speed of the machine.
 *
 * Pure: no I/O and nothing from node:, so a browser report can run it too.
 */
import { diffArrays } from 'diff';
import { canonicalJson } from '../core/canonical.js';
import { VECTOR_MNEMONICS } from '../hw/cpu/registers.js';
import { describeOutcome, errorCodeBitsText, type StepOutcome } from '../scenario/outcome.js';
import type { ActorChanges, Divergence, EventSummary, RunIdentity, StepFact, TraceDiff, VerdictFlip } from './diff-types.js';
import type { TraceEventLine } from './format.js';
import type { ParsedTrace } from './reader.js';

export type { ActorChanges, Divergence, EventSummary, RunIdentity, StepFact, TraceDiff, VerdictFlip } from './diff-types.js';

export interface DiffOptions {
  /**
   * The most insertions plus removals one alignment may need before it is given up and
   * that stretch is compared position by position (the diff is then `approximate`).
   * Alignment time grows with (events × this bound) in the worst case. Default 2,000.
   */
  readonly maxEditLength?: number;
  /** Identical events shown before the first divergence. Default 3. */
  readonly contextEvents?: number;
  /** Events of each side shown at the first divergence. Default 5. */
  readonly divergenceEvents?: number;
  /** Examples kept per kind of change and actor. Default 3. */
  readonly examplesPerKind?: number;
}

export const DEFAULT_MAX_EDIT_LENGTH = 2000;

/** Fields of an event's data that say where or which run, not what happened. */
const IGNORED_DATA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'scenario.started': ['file', 'title', 'seed', 'variant'],
  'scenario.stepStarted': ['file', 'line', 'index'],
  'scenario.stepChecked': ['file', 'line', 'index'],
  'invariant.violated': ['event'],
};

type EventLike = Pick<TraceEventLine, 'type' | 'actor' | 'data'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The data an event's key covers: its data without the fields IGNORED_DATA_FIELDS names. */
function keyedData(event: EventLike): unknown {
  const ignored = IGNORED_DATA_FIELDS[event.type];
  if (ignored === undefined || !isRecord(event.data)) return event.data;
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.data)) if (!ignored.includes(name)) data[name] = value;
  return data;
}

/** What two events must share to count as the same event: type, actor and data (less where and which run). */
export function eventKey(event: EventLike): string {
  return `${event.type}\u0000${event.actor}\u0000${canonicalJson(keyedData(event))}`;
}

// ---------------------------------------------------------------------------------
// Alignment

/** A stretch of the alignment: events common to both, or an edit (A's removed, B's inserted). */
type Hunk =
  | { readonly kind: 'common'; readonly aStart: number; readonly bStart: number; readonly count: number }
  | { readonly kind: 'edit'; readonly aStart: number; readonly aEnd: number; readonly bStart: number; readonly bEnd: number };

/** A run cut into the pieces alignment pairs first: the setup, each step, what follows the steps. */
interface Unit {
  readonly key: number;
  readonly start: number;
  readonly end: number;
  /** The step this unit runs; null for the setup and for what follows the steps. */
  readonly step: { readonly line: number; readonly text: string } | null;
  /** How a StepFact names the unit: the step's text, "(setup)" or "(after the steps)". */
  readonly label: string;
}

interface Alignment {
  readonly hunks: readonly Hunk[];
  /** Units in alignment order: [A's unit or -1, B's unit or -1]. */
  readonly unitPairs: readonly (readonly [number, number])[];
  readonly approximate: boolean;
}

class Interner {
  private readonly ids = new Map<string, number>();

  id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
}

const SETUP_LABEL = '(setup)';
const AFTER_STEPS_LABEL = '(after the steps)';

/**
 * Cuts a run into units: the setup (before the first step), each step from its
 * stepStarted to its stepChecked, and what comes after a step's check but before the
 * next step (the final assertions and `scenario.finished`). Steps are keyed by actor and
 * text, not line, so a step keeps its identity when lines are added above it.
 */
function unitsOf(events: readonly TraceEventLine[], interner: Interner): Unit[] {
  const units: Unit[] = [];
  let start = 0;
  let current: Omit<Unit, 'start' | 'end'> = { key: interner.id('setup'), step: null, label: SETUP_LABEL };
  let stepChecked = false;
  const close = (end: number) => {
    if (end > start) units.push({ ...current, start, end });
    start = end;
  };
  events.forEach((event, i) => {
    if (event.type === 'scenario.stepStarted' && isRecord(event.data)) {
      close(i);
      const text = String(event.data.text);
      current = { key: interner.id(`step\u0000${event.data.actor}\u0000${text}`), step: { line: Number(event.data.line), text }, label: text };
      stepChecked = false;
    } else if (stepChecked) {
      close(i);
      current = { key: interner.id('after'), step: null, label: AFTER_STEPS_LABEL };
      stepChecked = false;
    }
    if (event.type === 'scenario.stepChecked' && current.step !== null) stepChecked = true;
  });
  close(events.length);
  return units;
}

class HunkList {
  readonly hunks: Hunk[] = [];

  common(aStart: number, bStart: number, count: number): void {
    if (count === 0) return;
    const last = this.hunks.at(-1);
    if (last?.kind === 'common' && last.aStart + last.count === aStart && last.bStart + last.count === bStart) {
      this.hunks[this.hunks.length - 1] = { ...last, count: last.count + count };
    } else this.hunks.push({ kind: 'common', aStart, bStart, count });
  }

  edit(aStart: number, aEnd: number, bStart: number, bEnd: number): void {
    if (aStart === aEnd && bStart === bEnd) return;
    const last = this.hunks.at(-1);
    if (last?.kind === 'edit' && last.aEnd === aStart && last.bEnd === bStart) {
      this.hunks[this.hunks.length - 1] = { ...last, aEnd, bEnd };
    } else this.hunks.push({ kind: 'edit', aStart, aEnd, bStart, bEnd });
  }
}

/** Myers alignment of two key lists; null when it needs more than maxEditLength edits. */
function alignKeys(a: number[], b: number[], maxEditLength: number): { count: number; added: boolean; removed: boolean }[] | null {
  return diffArrays(a, b, { maxEditLength }) ?? null;
}

/** Aligns events [aFrom, aTo) of A with [bFrom, bTo) of B into `out`; returns false when it fell back to positions. */
function alignSegment(keysA: readonly number[], keysB: readonly number[], range: readonly [number, number, number, number], maxEditLength: number, out: HunkList): boolean {
  let [aFrom, aTo, bFrom, bTo] = range;
  let prefix = 0;
  while (aFrom + prefix < aTo && bFrom + prefix < bTo && keysA[aFrom + prefix] === keysB[bFrom + prefix]) prefix++;
  out.common(aFrom, bFrom, prefix);
  aFrom += prefix;
  bFrom += prefix;
  let suffix = 0;
  while (aTo - suffix > aFrom && bTo - suffix > bFrom && keysA[aTo - suffix - 1] === keysB[bTo - suffix - 1]) suffix++;
  aTo -= suffix;
  bTo -= suffix;
  let exact = true;
  if (aFrom === aTo || bFrom === bTo) {
    out.edit(aFrom, aTo, bFrom, bTo);
  } else {
    const changes = alignKeys(keysA.slice(aFrom, aTo), keysB.slice(bFrom, bTo), maxEditLength);
    if (changes === null) {
      exact = false;
      alignByPosition(keysA, keysB, [aFrom, aTo, bFrom, bTo], out);
    } else {
      let a = aFrom;
      let b = bFrom;
      for (const change of changes) {
        if (change.removed) {
          out.edit(a, a + change.count, b, b);
          a += change.count;
        } else if (change.added) {
          out.edit(a, a, b, b + change.count);
          b += change.count;
        } else {
          out.common(a, b, change.count);
          a += change.count;
          b += change.count;
        }
      }
    }
  }
  out.common(aTo, bTo, suffix);
  return exact;
}

/** The fallback: event i of A against event i of B; equal keys are common, others an edit. */
function alignByPosition(keysA: readonly number[], keysB: readonly number[], range: readonly [number, number, number, number], out: HunkList): void {
  const [aFrom, aTo, bFrom, bTo] = range;
  const shared = Math.min(aTo - aFrom, bTo - bFrom);
  for (let i = 0; i < shared; i++) {
    if (keysA[aFrom + i] === keysB[bFrom + i]) out.common(aFrom + i, bFrom + i, 1);
    else out.edit(aFrom + i, aFrom + i + 1, bFrom + i, bFrom + i + 1);
  }
  out.edit(aFrom + shared, aTo, bFrom + shared, bTo);
}

interface AlignmentInput {
  readonly keysA: readonly number[];
  readonly keysB: readonly number[];
  readonly unitsA: readonly Unit[];
  readonly unitsB: readonly Unit[];
  readonly maxEditLength: number;
}

function align(a: ParsedTrace, b: ParsedTrace, maxEditLength: number): Alignment & { unitsA: Unit[]; unitsB: Unit[] } {
  const interner = new Interner();
  const input = {
    keysA: a.events.map((event) => interner.id(eventKey(event))),
    keysB: b.events.map((event) => interner.id(eventKey(event))),
    unitsA: unitsOf(a.events, interner),
    unitsB: unitsOf(b.events, interner),
    maxEditLength,
  };
  const unitChanges = alignKeys(input.unitsA.map((u) => u.key), input.unitsB.map((u) => u.key), maxEditLength);
  const alignment = unitChanges === null ? alignAsOneStretch(input) : alignUnitByUnit(input, unitChanges);
  return { ...alignment, unitsA: input.unitsA, unitsB: input.unitsB };
}

/** The runs' steps differ too much to pair: align all events at once, and pair units that sit at the same place with the same key. */
function alignAsOneStretch({ keysA, keysB, unitsA, unitsB, maxEditLength }: AlignmentInput): Alignment {
  const out = new HunkList();
  const exact = alignSegment(keysA, keysB, [0, keysA.length, 0, keysB.length], maxEditLength, out);
  const unitPairs: [number, number][] = [];
  for (let i = 0; i < Math.max(unitsA.length, unitsB.length); i++) {
    if (i < unitsA.length && i < unitsB.length && unitsA[i]!.key === unitsB[i]!.key) unitPairs.push([i, i]);
    else {
      if (i < unitsA.length) unitPairs.push([i, -1]);
      if (i < unitsB.length) unitPairs.push([-1, i]);
    }
  }
  return { hunks: out.hunks, unitPairs, approximate: !exact };
}

/**
 * Each pair of aligned units is aligned on its own; each run of units on one side only
 * (removed, inserted, or both, as when a step's text was edited) is aligned as one stretch.
 */
function alignUnitByUnit({ keysA, keysB, unitsA, unitsB, maxEditLength }: AlignmentInput, unitChanges: readonly { count: number; added: boolean; removed: boolean }[]): Alignment {
  const out = new HunkList();
  const unitPairs: [number, number][] = [];
  let approximate = false;
  // Units cover their run without gaps, so an empty run of units sits at the next unit's start.
  const eventsFrom = (units: readonly Unit[], first: number, last: number, total: number): [number, number] => {
    const start = first < units.length ? units[first]!.start : total;
    return [start, first < last ? units[last - 1]!.end : start];
  };
  let ua = 0;
  let ub = 0;
  for (let c = 0; c < unitChanges.length; c++) {
    if (!unitChanges[c]!.added && !unitChanges[c]!.removed) {
      for (let k = 0; k < unitChanges[c]!.count; k++, ua++, ub++) {
        const [x, y] = [unitsA[ua]!, unitsB[ub]!];
        if (!alignSegment(keysA, keysB, [x.start, x.end, y.start, y.end], maxEditLength, out)) approximate = true;
        unitPairs.push([ua, ub]);
      }
      continue;
    }
    let removed = 0;
    let added = 0;
    for (; c < unitChanges.length && (unitChanges[c]!.added || unitChanges[c]!.removed); c++) {
      if (unitChanges[c]!.removed) removed += unitChanges[c]!.count;
      else added += unitChanges[c]!.count;
    }
    c--;
    const [aFrom, aTo] = eventsFrom(unitsA, ua, ua + removed, keysA.length);
    const [bFrom, bTo] = eventsFrom(unitsB, ub, ub + added, keysB.length);
    if (!alignSegment(keysA, keysB, [aFrom, aTo, bFrom, bTo], maxEditLength, out)) approximate = true;
    for (let k = 0; k < removed; k++) unitPairs.push([ua + k, -1]);
    for (let k = 0; k < added; k++) unitPairs.push([-1, ub + k]);
    ua += removed;
    ub += added;
  }
  return { hunks: out.hunks, unitPairs, approximate };
}

// ---------------------------------------------------------------------------------
// The diff

/**
 * Compares two traces. A is the reference ("before"), B the other run: events only in
 * A are "removed", only in B "inserted".
 */
export function diffTraces(a: ParsedTrace, b: ParsedTrace, options: DiffOptions = {}): TraceDiff {
  const maxEditLength = options.maxEditLength ?? DEFAULT_MAX_EDIT_LENGTH;
  const alignment = align(a, b, maxEditLength);
  const edits = alignment.hunks.filter((hunk): hunk is Extract<Hunk, { kind: 'edit' }> => hunk.kind === 'edit');
  const factsA = alignment.unitsA.map((unit) => unitFacts(a.events, unit));
  const factsB = alignment.unitsB.map((unit) => unitFacts(b.events, unit));
  const compared = compareFacts(alignment.unitPairs, factsA, factsB);
  return {
    a: identityOf(a),
    b: identityOf(b),
    identical: edits.length === 0,
    divergence: edits.length === 0 ? null : divergenceAt(a, b, edits[0]!, options),
    changes: changesByActor(a, b, edits, options.examplesPerKind ?? 3),
    verdictFlips: compared.verdictFlips,
    leaks: compared.leaks,
    faults: compared.faults,
    approximate: alignment.approximate,
  };
}

function identityOf(trace: ParsedTrace): RunIdentity {
  const { header, footer } = trace;
  return {
    file: header.scenario.file,
    title: header.scenario.title,
    seed: header.seed,
    variant: header.variant,
    events: trace.events.length,
    passed: footer.passed,
  };
}

function divergenceAt(a: ParsedTrace, b: ParsedTrace, first: Extract<Hunk, { kind: 'edit' }>, options: DiffOptions): Divergence {
  const context = options.contextEvents ?? 3;
  const shown = options.divergenceEvents ?? 5;
  return {
    seqA: first.aStart,
    seqB: first.bStart,
    common: a.events.slice(Math.max(0, first.aStart - context), first.aStart).map(summariseEvent),
    onlyA: a.events.slice(first.aStart, Math.min(first.aEnd, first.aStart + shown)).map(summariseEvent),
    onlyB: b.events.slice(first.bStart, Math.min(first.bEnd, first.bStart + shown)).map(summariseEvent),
  };
}

type Example = ActorChanges['examples'][number];

interface ActorTally {
  inserted: number;
  removed: number;
  changed: number;
  readonly examples: Example[];
}

/**
 * Within each edit, a removed event and an inserted one of the same type and actor are
 * one changed event (paired in order); the rest are removed or inserted.
 */
function changesByActor(a: ParsedTrace, b: ParsedTrace, edits: readonly Extract<Hunk, { kind: 'edit' }>[], examplesPerKind: number): ActorChanges[] {
  const tallies = new Map<string, ActorTally>();
  const tally = (actor: string) => {
    let entry = tallies.get(actor);
    if (entry === undefined) {
      entry = { inserted: 0, removed: 0, changed: 0, examples: [] };
      tallies.set(actor, entry);
    }
    return entry;
  };
  const note = (actor: string, kind: Example['kind'], x: TraceEventLine | null, y: TraceEventLine | null) => {
    const entry = tally(actor);
    entry[kind]++;
    if (entry[kind] <= examplesPerKind) {
      entry.examples.push({ kind, a: x === null ? null : summariseEvent(x), b: y === null ? null : summariseEvent(y) });
    }
  };
  for (const edit of edits) {
    // B's events of the edit by type and actor, each group consumed in order.
    const inserted = new Map<string, { readonly seqs: number[]; next: number }>();
    for (let j = edit.bStart; j < edit.bEnd; j++) {
      const event = b.events[j]!;
      const group = `${event.type}\u0000${event.actor}`;
      const entry = inserted.get(group);
      if (entry === undefined) inserted.set(group, { seqs: [j], next: 0 });
      else entry.seqs.push(j);
    }
    const paired = new Set<number>();
    for (let i = edit.aStart; i < edit.aEnd; i++) {
      const event = a.events[i]!;
      const entry = inserted.get(`${event.type}\u0000${event.actor}`);
      const partner = entry === undefined || entry.next === entry.seqs.length ? undefined : entry.seqs[entry.next++];
      if (partner === undefined) note(event.actor, 'removed', event, null);
      else {
        paired.add(partner);
        note(event.actor, 'changed', event, b.events[partner]!);
      }
    }
    for (let j = edit.bStart; j < edit.bEnd; j++) if (!paired.has(j)) note(b.events[j]!.actor, 'inserted', null, b.events[j]!);
  }
  const processes = new Set([...processNames(a.events), ...processNames(b.events)]);
  return orderActors([...tallies.keys()], processes).map((actor) => {
    const { inserted, removed, changed, examples } = tallies.get(actor)!;
    return { actor, inserted, removed, changed, examples };
  });
}

// ---------------------------------------------------------------------------------
// What changes for the user: verdicts, leaks, faults, per aligned step

interface UnitFacts {
  readonly line: number;
  readonly step: string;
  /** Each expectation as "text", with its verdict; assertions after the steps too. */
  readonly verdicts: readonly { readonly line: number; readonly step: string; readonly expectation: string; readonly holds: boolean }[];
  readonly leaks: readonly string[];
  readonly faults: readonly string[];
}

function unitFacts(events: readonly TraceEventLine[], unit: Unit): UnitFacts {
  const line = unit.step?.line ?? 0;
  const verdicts: { line: number; step: string; expectation: string; holds: boolean }[] = [];
  const leaks: string[] = [];
  const faults: string[] = [];
  let openFault = -1;
  for (let i = unit.start; i < unit.end; i++) {
    const event = events[i]!;
    if (!isRecord(event.data)) continue;
    const data = event.data;
    switch (event.type) {
      case 'scenario.stepChecked':
        for (const verdict of Array.isArray(data.verdicts) ? data.verdicts : []) {
          if (isRecord(verdict)) verdicts.push({ line, step: unit.label, expectation: String(verdict.expectation), holds: verdict.holds === true });
        }
        break;
      case 'scenario.assertChecked':
        verdicts.push({ line: typeof data.line === 'number' ? data.line : 0, step: 'assert', expectation: String(data.expectation), holds: data.holds === true });
        break;
      case 'observer.secretLeaked':
        if (!leaks.includes(String(data.secret))) leaks.push(String(data.secret));
        break;
      case 'cpu.exceptionRaised':
        faults.push(exceptionText(data));
        openFault = faults.length - 1;
        break;
      case 'kernel.signalDelivered':
        if (openFault >= 0) faults[openFault] += ` → ${String(data.signal)}`;
        else faults.push(String(data.signal));
        openFault = -1;
        break;
      case 'kernel.oopsed':
        if (openFault >= 0) faults[openFault] += ' → oops';
        openFault = -1;
        break;
    }
  }
  return { line, step: unit.label, verdicts, leaks, faults };
}

/** "#PF(present, user)", "#GP(0)", "#UD": as scenarios write a fault. */
function exceptionText(data: Record<string, unknown>): string {
  const vector = Number(data.vector);
  const name = VECTOR_MNEMONICS[vector] ?? `#${vector}`;
  const code = data.errorCode;
  if (typeof code !== 'number') return name;
  if (vector === 14) return `${name}(${errorCodeBitsText(code)})`;
  return `${name}(${code === 0 ? '0' : '0x' + code.toString(16)})`;
}

const NO_FACTS: UnitFacts = { line: 0, step: '', verdicts: [], leaks: [], faults: [] };

function compareFacts(pairs: readonly (readonly [number, number])[], factsA: readonly UnitFacts[], factsB: readonly UnitFacts[]): Pick<TraceDiff, 'verdictFlips' | 'leaks' | 'faults'> {
  const verdictFlips: VerdictFlip[] = [];
  const leaks = { onlyA: [] as StepFact[], onlyB: [] as StepFact[] };
  const faults = { onlyA: [] as StepFact[], onlyB: [] as StepFact[] };
  for (const [ia, ib] of pairs) {
    const x = ia < 0 ? NO_FACTS : factsA[ia]!;
    const y = ib < 0 ? NO_FACTS : factsB[ib]!;
    verdictFlips.push(...flipsBetween(x, y));
    const at = (facts: UnitFacts) => (what: string): StepFact => ({ line: facts.line, step: facts.step, what });
    leaks.onlyA.push(...without(x.leaks, y.leaks).map(at(x)));
    leaks.onlyB.push(...without(y.leaks, x.leaks).map(at(y)));
    faults.onlyA.push(...without(x.faults, y.faults).map(at(x)));
    faults.onlyB.push(...without(y.faults, x.faults).map(at(y)));
  }
  return { verdictFlips, leaks, faults };
}

/** Expectations matched by text (the nth "tlb miss" of a step with the nth); null where one run has none. */
function flipsBetween(x: UnitFacts, y: UnitFacts): VerdictFlip[] {
  const keyed = (facts: UnitFacts) => {
    const seen = new Map<string, number>();
    return facts.verdicts.map((verdict) => {
      const base = `${verdict.step}\u0000${verdict.expectation}`;
      const nth = seen.get(base) ?? 0;
      seen.set(base, nth + 1);
      return { key: `${base}\u0000${nth}`, verdict };
    });
  };
  const inB = new Map(keyed(y).map(({ key, verdict }) => [key, verdict]));
  const flips: VerdictFlip[] = [];
  const matched = new Set<string>();
  for (const { key, verdict } of keyed(x)) {
    const other = inB.get(key);
    matched.add(key);
    if (other === undefined || other.holds !== verdict.holds) {
      flips.push({ line: verdict.line, step: verdict.step, expectation: verdict.expectation, a: verdict.holds, b: other?.holds ?? null });
    }
  }
  for (const [key, verdict] of inB) {
    if (!matched.has(key)) flips.push({ line: verdict.line, step: verdict.step, expectation: verdict.expectation, a: null, b: verdict.holds });
  }
  return flips;
}

/** The items of `these` not in `those`, counting repeats (a multiset difference), in order. */
function without(these: readonly string[], those: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const item of those) left.set(item, (left.get(item) ?? 0) + 1);
  return these.filter((item) => {
    const count = left.get(item) ?? 0;
    if (count === 0) return true;
    left.set(item, count - 1);
    return false;
  });
}

// ---------------------------------------------------------------------------------
// Actors and event summaries, shared with the exporters

const HARDWARE_LANES: readonly string[] = ['cpu', 'mmu', 'tlb', 'kernel'];

/** Names of the processes a trace creates, in creation order. */
export function processNames(events: readonly EventLike[]): string[] {
  const names: string[] = [];
  for (const event of events) {
    if (event.type === 'kernel.processCreated' && isRecord(event.data) && typeof event.data.name === 'string' && !names.includes(event.data.name)) {
      names.push(event.data.name);
    }
  }
  return names;
}

/**
 * The lane order of a report: cpu, mmu, tlb, kernel, then the processes, then every
 * other actor (scenario, observer, engine, raw…); within a group, the order given.
 */
export function orderActors(actors: readonly string[], processes: ReadonlySet<string>): string[] {
  const group = (actor: string) => {
    const lane = HARDWARE_LANES.indexOf(actor);
    return lane >= 0 ? lane : processes.has(actor) ? HARDWARE_LANES.length : HARDWARE_LANES.length + 1;
  };
  return actors
    .map((actor, position) => ({ actor, position, group: group(actor) }))
    .sort((x, y) => x.group - y.group || x.position - y.position)
    .map(({ actor }) => actor);
}

export function summariseEvent(event: TraceEventLine): EventSummary {
  return { seq: event.seq, tick: event.tick, type: event.type, actor: event.actor, text: describeEventData(event) };
}

const TEXT_LIMIT = 140;
const VALUE_LIMIT = 48;

function clip(text: string, limit: number): string {
  return text.length > limit ? text.slice(0, limit - 1) + '…' : text;
}

/** One line for an event's data: a sentence for the scenario's and the fault path's events, else "key=value …". */
export function describeEventData(event: EventLike): string {
  const data = event.data;
  if (!isRecord(data)) return clip(describeValue(data), TEXT_LIMIT);
  const special = describeKnownEvent(event.type, data);
  return clip(special ?? Object.keys(data).sort().map((key) => `${key}=${describeValue(data[key])}`).join(' '), TEXT_LIMIT);
}

function describeKnownEvent(type: string, data: Record<string, unknown>): string | null {
  switch (type) {
    case 'scenario.started':
      return JSON.stringify(data.title);
    case 'scenario.stepStarted':
      return `line ${String(data.line)}: ${String(data.text)}`;
    case 'scenario.stepChecked': {
      const verdicts = (Array.isArray(data.verdicts) ? data.verdicts : []).filter(isRecord);
      const marks = verdicts.map((v) => `${v.holds === true ? '✓' : '✗'} ${String(v.expectation)}`).join('  ');
      return `line ${String(data.line)}: ${outcomeText(data.outcome)}${marks === '' ? '' : `  ${marks}`}`;
    }
    case 'scenario.assertChecked':
      return `assert ${String(data.expectation)} ${data.holds === true ? '✓' : '✗'}`;
    case 'cpu.exceptionRaised':
      return `${exceptionText(data)}${data.address === null ? '' : ` at ${String(data.address)}`}, cpl ${String(data.cpl)}: ${String(data.reason)}`;
    case 'kernel.signalDelivered':
      return `${String(data.signal)} to ${String(data.name)} (${String(data.code)}, ${String(data.action)})`;
    case 'observer.secretLeaked':
      return `${String(data.actor)} learns ${String(data.secret)} (${String(data.bytes)} of ${String(data.of)} bytes)`;
    default:
      return null;
  }
}

/** describeOutcome, guarded: a trace from another engine version may carry another outcome shape. */
function outcomeText(outcome: unknown): string {
  if (!isRecord(outcome) || !Array.isArray(outcome.leaks) || !Array.isArray(outcome.switches) || !Array.isArray(outcome.violations)) {
    return describeValue(outcome);
  }
  return describeOutcome(outcome as unknown as StepOutcome);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:/@+-]{1,48}$/.test(value) ? value : clip(JSON.stringify(value), VALUE_LIMIT);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return clip(`[${value.map(describeValue).join(',')}]`, VALUE_LIMIT);
  return clip(canonicalJson(value), VALUE_LIMIT);
}

/** Where two events differ, field by field: `data.switchPolicy.flushOnReuse: false → true`. */
export function eventDifferences(a: EventLike, b: EventLike, limit = 6): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= limit || canonicalJson(x ?? null) === canonicalJson(y ?? null)) return;
    const bothRecords = isRecord(x) && isRecord(y);
    const bothArrays = Array.isArray(x) && Array.isArray(y) && x.length === y.length;
    if (bothRecords) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[key], y[key], `${path}.${key}`);
    } else if (bothArrays) {
      x.forEach((item, i) => walk(item, y[i], `${path}[${i}]`));
    } else {
      out.push(`${path}: ${x === undefined ? '(none)' : describeValue(x)} → ${y === undefined ? '(none)' : describeValue(y)}`);
    }
  };
  if (a.type !== b.type) out.push(`type: ${a.type} → ${b.type}`);
  if (a.actor !== b.actor) out.push(`actor: ${a.actor} → ${b.actor}`);
  walk(keyedData(a), keyedData(b), 'data');
  return out;
}
