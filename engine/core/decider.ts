/**
 * The decider model every mechanism follows (DESIGN.md, "The model"):
 * `decide(state, command) -> events`, `evolve(slice, event) -> slice`,
 * `react(state, event) -> commands`, invariants over (before, event, after).
 * Events travel in envelopes that the engine numbers and stamps.
 */

/** An intent: a scenario step or a follow-up asked for by a reactor. */
export interface Command<T extends string = string, D = unknown> {
  readonly type: T;
  readonly actor: string;
  readonly data: D;
}

/** A fact decided by a mechanism, before the engine numbers it. */
export interface EventDraft<T extends string = string, D = unknown> {
  readonly type: T;
  readonly actor: string;
  readonly data: D;
}

/**
 * An event as it appears on the stream and in the trace: `seq` its index, `tick` the
 * virtual clock, `cause` the seq of the event that led to it (null for a scenario's
 * first event).
 */
export interface Envelope<T extends string = string, D = unknown> {
  readonly seq: number;
  readonly tick: number;
  readonly type: T;
  readonly actor: string;
  readonly data: D;
  readonly cause: number | null;
}

/** Context a decider may read besides the state: only the draw function of the PRNG. */
export type Decide<S, C extends Command = Command> = (state: S, command: C) => readonly EventDraft[];
export type React<S> = (state: S, event: Envelope) => readonly Command[];

/**
 * A pure predicate over one transition. Returns null when it holds, otherwise a
 * sentence that says what broke. `on` limits the event types it needs to see.
 */
export interface Invariant<S> {
  readonly name: string;
  readonly statement: string;
  /** The defence this invariant depends on, e.g. "TLB flush on context switch". */
  readonly defence: string;
  readonly on?: readonly string[];
  check(before: S, event: Envelope, after: S): string | null;
}
