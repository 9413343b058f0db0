/**
 * A run plan: everything the runner needs, produced by the scenario compiler (dsl/) for
 * one variant. Steps build their commands against the state they run in (so names
 * resolve to the PIDs the kernel really assigned); expectations and assertions are
 * predicates that return null when they hold, otherwise the reason they fail.
 */
import type { Command, Invariant } from '../core/decider.js';
import type { CpuFeatures } from '../hw/cpu/state.js';
import type { BootData } from '../kernel/boot.js';
import type { MachineConfig } from '../machine/config.js';
import type { MachineState } from '../machine/state.js';
import type { StepOutcome } from './outcome.js';

export interface PlannedExpectation {
  readonly text: string;
  /** The outcome word ("fault", "violation", …); a held "violation" excuses that step's violations. */
  readonly kind: string;
  check(outcome: StepOutcome): string | null;
}

export interface PlannedStep {
  readonly index: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
  /** Who acts: a process name, 'kernel', 'cpu' or 'observer'. */
  readonly actor: string;
  /** The process whose address space must be current, or null. */
  readonly context: string | null;
  /**
   * The thread of control the step belongs to, for `isolab explore`: its process (the
   * actor, or the context of a kernel step, or a secret's owner), else the actor.
   */
  readonly thread: string;
  build(state: MachineState): readonly Command[];
  readonly expectations: readonly PlannedExpectation[];
}

export interface PlannedAssertion {
  readonly text: string;
  readonly line: number;
  check(state: MachineState): string | null;
}

export interface RunPlan {
  readonly title: string;
  readonly file: string;
  readonly source: string;
  readonly seed: number;
  /** This run's value of each variant, in declaration order. */
  readonly variant: Readonly<Record<string, string>>;
  readonly config: MachineConfig;
  readonly features: CpuFeatures;
  readonly boot: BootData | null;
  readonly gates: readonly { readonly vector: number; readonly dpl: number; readonly present: boolean }[];
  /** Commands before the first step: regions, processes, kernel secrets, raw setup. */
  readonly setup: readonly Command[];
  readonly steps: readonly PlannedStep[];
  readonly assertions: readonly PlannedAssertion[];
  /** Built-in invariants enabled by name (engine/machine/invariants.ts). */
  readonly invariants: readonly string[];
  /** Processes that play the attacker for `isolab check` (role: attacker, or named "attacker"). */
  readonly attackers: readonly string[];
  /** The scenario's own invariants (`invariant "label": never attacker knows pin`). */
  readonly customInvariants: readonly Invariant<MachineState>[];
}
