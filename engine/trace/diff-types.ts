/**
 * The result of comparing two traces (isolab diff, the report's diff view): what a user
 * needs to see — where the runs part ways, which events were inserted, removed or
 * changed (grouped by actor), and the differences that matter: expectations whose
 * verdict flips, secrets that leaked in one run only, faults that happen in one only.
 * Plain JSON; events appear as compact summaries, not whole envelopes.
 */

export interface RunIdentity {
  readonly file: string;
  readonly title: string;
  readonly seed: number;
  readonly variant: Readonly<Record<string, string>>;
  readonly events: number;
  readonly passed: boolean;
}

/** An event as the diff shows it. */
export interface EventSummary {
  readonly seq: number;
  readonly tick: number;
  readonly type: string;
  readonly actor: string;
  /** A one-line description of the data, e.g. "va=0x400000 slot=3". */
  readonly text: string;
}

export interface Divergence {
  /** Index (seq) of the first event that differs in A and in B; one may be past the end. */
  readonly seqA: number;
  readonly seqB: number;
  /** The few events before the divergence (identical in both), then each side's next events. */
  readonly common: readonly EventSummary[];
  readonly onlyA: readonly EventSummary[];
  readonly onlyB: readonly EventSummary[];
}

export interface ActorChanges {
  readonly actor: string;
  readonly inserted: number;
  readonly removed: number;
  /** A removed event replaced by one of the same type and actor with other data. */
  readonly changed: number;
  /** The first few of each, for display. */
  readonly examples: readonly { readonly kind: 'inserted' | 'removed' | 'changed'; readonly a: EventSummary | null; readonly b: EventSummary | null }[];
}

export interface VerdictFlip {
  readonly line: number;
  readonly step: string;
  readonly expectation: string;
  /** null when the expectation does not apply in that run (a `when` guard). */
  readonly a: boolean | null;
  readonly b: boolean | null;
}

export interface StepFact {
  readonly line: number;
  readonly step: string;
  /** "SIGSEGV after #PF(present, user)", "pin" (a secret), … */
  readonly what: string;
}

export interface TraceDiff {
  readonly a: RunIdentity;
  readonly b: RunIdentity;
  readonly identical: boolean;
  /** Null when the traces are identical. */
  readonly divergence: Divergence | null;
  readonly changes: readonly ActorChanges[];
  readonly verdictFlips: readonly VerdictFlip[];
  readonly leaks: { readonly onlyA: readonly StepFact[]; readonly onlyB: readonly StepFact[] };
  readonly faults: { readonly onlyA: readonly StepFact[]; readonly onlyB: readonly StepFact[] };
  /** Whether alignment gave up on a very different pair and fell back to position-by-position. */
  readonly approximate: boolean;
}
