/**
 * The machine state after any event of a run, rebuilt by folding the events with the
 * engine's own reducers (foldMachine) from the initial state the trace's header
 * describes — exactly what `isolab replay` does, without the hashes.
 *
 * Snapshots every SNAPSHOT_INTERVAL events make a jump anywhere cheap: the state after
 * event k is the snapshot before it plus at most SNAPSHOT_INTERVAL − 1 folds. States
 * share structure (persistent slices, a persistent physical store), so a snapshot costs
 * little more than the slices that changed. Snapshots are built on demand and, after
 * the first render, in the background in small slices of work that keep the page
 * responsive.
 */
import { initialMachineState } from '../../engine/machine/initial.js';
import { foldMachine } from '../../engine/machine/mechanisms.js';
import type { MachineState } from '../../engine/machine/state.js';
import type { RunModel } from './model.js';

export const SNAPSHOT_INTERVAL = 1000;
/** Events folded per background slice: a few milliseconds of work. */
const BACKGROUND_SLICE = 8000;

export class StateIndex {
  /** snapshots[j] is the state before event j × SNAPSHOT_INTERVAL. */
  private readonly snapshots: MachineState[];
  /** The last state computed, to step forward one event at a time without refolding. */
  private last: { seq: number; state: MachineState } | null = null;
  private backgroundStarted = false;

  constructor(private readonly run: RunModel) {
    this.snapshots = [initialMachineState(run.header.config, run.header.features)];
  }

  get initial(): MachineState {
    return this.snapshots[0]!;
  }

  /** How many events the snapshots cover so far. */
  get coveredEvents(): number {
    return Math.min(this.run.count, (this.snapshots.length - 1) * SNAPSHOT_INTERVAL);
  }

  /** Whether every snapshot exists: a jump anywhere folds fewer than SNAPSHOT_INTERVAL events. */
  get complete(): boolean {
    return this.snapshots.length - 1 >= Math.floor(this.run.count / SNAPSHOT_INTERVAL);
  }

  private fold(state: MachineState, from: number, to: number): MachineState {
    let folded = state;
    for (let seq = from; seq < to; seq++) folded = foldMachine(folded, this.run.envelope(seq));
    return folded;
  }

  /** Builds snapshots up to and including snapshot j. */
  private ensureSnapshot(j: number): void {
    while (this.snapshots.length <= j) {
      const previous = this.snapshots.length - 1;
      const from = previous * SNAPSHOT_INTERVAL;
      this.snapshots.push(this.fold(this.snapshots[previous]!, from, Math.min(this.run.count, from + SNAPSHOT_INTERVAL)));
    }
  }

  /** The state after event `seq` (before any event when seq is −1). */
  stateAfter(seq: number): MachineState {
    const target = Math.max(-1, Math.min(seq, this.run.count - 1));
    if (target < 0) return this.initial;
    const j = Math.floor((target + 1) / SNAPSHOT_INTERVAL);
    this.ensureSnapshot(j);
    const base = j * SNAPSHOT_INTERVAL;
    let state: MachineState;
    if (this.last !== null && this.last.seq <= target && this.last.seq >= base - 1) {
      state = this.fold(this.last.state, this.last.seq + 1, target + 1);
    } else {
      state = this.fold(this.snapshots[j]!, base, target + 1);
    }
    this.last = { seq: target, state };
    return state;
  }

  /** The state before event `seq`. */
  stateBefore(seq: number): MachineState {
    return this.stateAfter(seq - 1);
  }

  /** Builds every snapshot in slices scheduled with setTimeout, then calls `done`. */
  buildInBackground(done?: () => void): void {
    if (this.backgroundStarted) return;
    this.backgroundStarted = true;
    const last = Math.floor(this.run.count / SNAPSHOT_INTERVAL);
    const work = () => {
      const target = Math.min(last, this.snapshots.length - 1 + Math.ceil(BACKGROUND_SLICE / SNAPSHOT_INTERVAL));
      this.ensureSnapshot(target);
      if (target < last) setTimeout(work, 0);
      else done?.();
    };
    setTimeout(work, 0);
  }
}
