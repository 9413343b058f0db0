/**
 * The engine: a loop over a command queue. Each command goes to the decider registered
 * for its type; each event it decides is numbered into an envelope, folded into the
 * owning slice by that slice's reducer, checked by the enabled invariants, published on
 * the rxjs stream and offered to the reactors registered for its type, whose commands
 * join the queue. `dispatch` runs one command and every follow-up to completion.
 *
 * The hot path is deliberately plain: maps from type to handler built once, no
 * per-event allocation besides the envelope, publication only when someone listens.
 */
import { Observable, Subject } from 'rxjs';
import type { Command, Envelope, EventDraft, Invariant } from './decider.js';
import { InternalError } from './errors.js';
import { DEFAULT_LIMITS, LimitExceeded, type Limits } from './limits.js';

export interface DecideContext {
  /** The virtual clock when the command runs. */
  readonly tick: number;
}

export type Decider<S> = (state: S, command: Command, context: DecideContext) => readonly EventDraft[];
export type SliceReducer<S, K extends keyof S> = (slice: S[K], event: Envelope, state: S) => S[K];
export type Reactor<S> = (state: S, event: Envelope) => readonly Command[];

/** One mechanism as the engine sees it: what it decides, folds and reacts to. */
export interface MechanismDefinition<S, K extends keyof S = keyof S> {
  readonly name: string;
  /** The slice of the state this mechanism owns; null for stateless ones (the MMU). */
  readonly slice: K | null;
  readonly decide: Readonly<Record<string, Decider<S>>>;
  /** Reducers by event type; an event type with no reducer changes no state. */
  readonly evolve: Readonly<Record<string, SliceReducer<S, K>>>;
  readonly react?: Readonly<Record<string, Reactor<S>>>;
  readonly invariants?: readonly Invariant<S>[];
}

/** Returns a state with one slice replaced; the machine supplies a hand-written one (fast). */
export type ReplaceSlice<S> = (state: S, slice: keyof S, value: unknown) => S;

export function spreadSlice<S extends object>(state: S, slice: keyof S, value: unknown): S {
  return { ...state, [slice]: value };
}

export interface EngineOptions<S> {
  readonly replaceSlice?: ReplaceSlice<S>;
  readonly limits?: Limits;
  readonly invariants?: readonly Invariant<S>[];
  /** Keep every intermediate state (for memory measurement and debugging). */
  readonly keepHistory?: boolean;
  /** Continue the numbering of an earlier run whose final state is `initial`. */
  readonly resume?: { readonly seq: number; readonly tick: number };
}

export const INVARIANT_VIOLATED = 'invariant.violated';

interface Folder<S> {
  readonly slice: keyof S;
  readonly reduce: (slice: unknown, event: Envelope, state: S) => unknown;
}

interface Queued {
  readonly command: Command;
  readonly cause: number | null;
}

export class Engine<S extends object> {
  private stateValue: S;
  private seq = 0;
  private commandsRun = 0;
  private tickValue = 0;
  private readonly subject = new Subject<Envelope>();
  private readonly deciders = new Map<string, Decider<S>>();
  private readonly folders = new Map<string, Folder<S>>();
  private readonly reactors = new Map<string, Reactor<S>[]>();
  private readonly invariantsByType = new Map<string, Invariant<S>[]>();
  private readonly invariantsForAll: Invariant<S>[] = [];
  private readonly limits: Limits;
  private readonly replaceSlice: ReplaceSlice<S>;
  readonly history: S[] | null;
  /** Every envelope, as published. */
  readonly events$: Observable<Envelope>;

  constructor(mechanisms: readonly MechanismDefinition<S>[], initial: S, options: EngineOptions<S> = {}) {
    this.stateValue = initial;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.replaceSlice = options.replaceSlice ?? spreadSlice;
    this.seq = options.resume?.seq ?? 0;
    this.tickValue = options.resume?.tick ?? 0;
    this.history = options.keepHistory ? [initial] : null;
    this.events$ = this.subject.asObservable();
    for (const mechanism of mechanisms) this.register(mechanism);
    for (const invariant of options.invariants ?? []) this.enable(invariant);
  }

  get state(): S {
    return this.stateValue;
  }

  get tick(): number {
    return this.tickValue;
  }

  get eventCount(): number {
    return this.seq;
  }

  private contextValue: DecideContext = { tick: 0 };

  /** The decide context, rebuilt only when the clock has moved. */
  private context(): DecideContext {
    if (this.contextValue.tick !== this.tickValue) this.contextValue = { tick: this.tickValue };
    return this.contextValue;
  }

  /** Moves the virtual clock forward; the clock never goes back. */
  advanceClock(ticks: number): void {
    if (ticks < 0) throw new InternalError('the clock cannot go back');
    this.tickValue += ticks;
  }

  /** Runs a command and every follow-up to completion. */
  dispatch(command: Command, cause: number | null = null): void {
    const queue: Queued[] = [{ command, cause }];
    for (let head = 0; head < queue.length; head++) {
      const { command: next, cause: nextCause } = queue[head]!;
      if (++this.commandsRun > this.limits.maxCommands) throw new LimitExceeded('commands', this.limits.maxCommands);
      const decide = this.deciders.get(next.type);
      if (decide === undefined) throw new InternalError(`no decider for command ${next.type}`);
      const drafts = decide(this.stateValue, next, this.context());
      for (let i = 0; i < drafts.length; i++) this.apply(drafts[i]!, nextCause, queue);
    }
  }

  /** Records an event decided outside a command (the scenario runner's verdicts). */
  record(draft: EventDraft, cause: number | null = null): Envelope {
    const queue: Queued[] = [];
    const envelope = this.apply(draft, cause, queue);
    for (const queued of queue) this.dispatch(queued.command, queued.cause);
    return envelope;
  }

  /** Ends the stream: subscribers see `complete`. */
  complete(): void {
    this.subject.complete();
  }

  private apply(draft: EventDraft, cause: number | null, queue: Queued[]): Envelope {
    if (this.seq >= this.limits.maxEvents) throw new LimitExceeded('events', this.limits.maxEvents);
    const envelope: Envelope = {
      seq: this.seq++,
      tick: this.tickValue,
      type: draft.type,
      actor: draft.actor,
      data: draft.data,
      cause,
    };
    const before = this.stateValue;
    const folder = this.folders.get(envelope.type);
    if (folder !== undefined) {
      const slice = before[folder.slice];
      const nextSlice = folder.reduce(slice, envelope, before);
      if (nextSlice !== slice) this.stateValue = this.replaceSlice(before, folder.slice, nextSlice);
    }
    const after = this.stateValue;
    if (this.history !== null && after !== before) this.history.push(after);
    if (this.subject.observed) this.subject.next(envelope);
    this.checkInvariants(before, envelope, after, queue);
    const reactors = this.reactors.get(envelope.type);
    if (reactors !== undefined) {
      for (const react of reactors) {
        for (const command of react(after, envelope)) queue.push({ command, cause: envelope.seq });
      }
    }
    return envelope;
  }

  private checkInvariants(before: S, envelope: Envelope, after: S, queue: Queued[]): void {
    if (envelope.type === INVARIANT_VIOLATED) return;
    if (this.invariantsForAll.length > 0) this.checkList(this.invariantsForAll, before, envelope, after, queue);
    const specific = this.invariantsByType.get(envelope.type);
    if (specific !== undefined) this.checkList(specific, before, envelope, after, queue);
  }

  private checkList(list: readonly Invariant<S>[], before: S, envelope: Envelope, after: S, queue: Queued[]): void {
    for (const invariant of list) {
      const message = invariant.check(before, envelope, after);
      if (message !== null) {
        this.apply(
          { type: INVARIANT_VIOLATED, actor: 'engine', data: { invariant: invariant.name, message, event: envelope.seq } },
          envelope.seq,
          queue,
        );
      }
    }
  }

  private register(mechanism: MechanismDefinition<S>): void {
    for (const [type, decide] of Object.entries(mechanism.decide)) {
      if (this.deciders.has(type)) throw new InternalError(`two deciders for command ${type}`);
      this.deciders.set(type, decide);
    }
    for (const [type, reduce] of Object.entries(mechanism.evolve)) {
      if (mechanism.slice === null) throw new InternalError(`${mechanism.name} has reducers but owns no slice`);
      if (this.folders.has(type)) throw new InternalError(`two reducers for event ${type}`);
      this.folders.set(type, { slice: mechanism.slice, reduce: reduce as Folder<S>['reduce'] });
    }
    for (const [type, react] of Object.entries(mechanism.react ?? {})) {
      const list = this.reactors.get(type) ?? [];
      list.push(react);
      this.reactors.set(type, list);
    }
  }

  private enable(invariant: Invariant<S>): void {
    if (invariant.on === undefined) {
      this.invariantsForAll.push(invariant);
      return;
    }
    for (const type of invariant.on) {
      const list = this.invariantsByType.get(type) ?? [];
      list.push(invariant);
      this.invariantsByType.set(type, list);
    }
  }
}

/**
 * Folds envelopes into a state with the reducers the engine uses: how replay and
 * reports rebuild the state at any point without running a decider.
 */
export function makeFold<S extends object>(
  mechanisms: readonly MechanismDefinition<S>[],
  replaceSlice: ReplaceSlice<S> = spreadSlice,
): (state: S, envelope: Envelope) => S {
  const folders = new Map<string, Folder<S>>();
  for (const mechanism of mechanisms) {
    for (const [type, reduce] of Object.entries(mechanism.evolve)) {
      if (mechanism.slice !== null) folders.set(type, { slice: mechanism.slice, reduce: reduce as Folder<S>['reduce'] });
    }
  }
  return (state, envelope) => {
    const folder = folders.get(envelope.type);
    if (folder === undefined) return state;
    const slice = state[folder.slice];
    const nextSlice = folder.reduce(slice, envelope, state);
    return nextSlice === slice ? state : replaceSlice(state, folder.slice, nextSlice);
  };
}
