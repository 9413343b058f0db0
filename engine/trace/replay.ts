/**
 * Replay: fold a trace's events from the initial state its header describes, with the
 * engine's own reducers and no decider, checking each recorded state hash and the final
 * one. Re-run: execute the embedded scenario again and compare event by event.
 */
import type { Envelope } from '../core/decider.js';
import { canonicalJson } from '../core/canonical.js';
import { hashOf, sha256Hex } from '../core/hash.js';
import { initialMachineState } from '../machine/initial.js';
import { foldMachine } from '../machine/mechanisms.js';
import type { MachineState } from '../machine/state.js';
import type { ParsedTrace } from './reader.js';
import { TraceError } from './reader.js';

/** The embedded main file must be the one whose hash the header records. */
export function checkEmbeddedSource(trace: ParsedTrace, file: string): void {
  const main = trace.header.scenario.files.find((f) => f.file === trace.header.scenario.file);
  if (main === undefined || sha256Hex(main.text) !== trace.header.scenario.sourceSha256) {
    throw new TraceError(file, 1, 'the scenario embedded in the header does not match its recorded SHA-256', [
      'the header was edited and its hash chain rebuilt',
    ]);
  }
}

export function stateHash(state: MachineState): string {
  return hashOf(state);
}

export function initialStateOf(trace: ParsedTrace): MachineState {
  return initialMachineState(trace.header.config, trace.header.features);
}

export function envelopeOf(line: ParsedTrace['events'][number]): Envelope {
  return { seq: line.seq, tick: line.tick, type: line.type, actor: line.actor, data: line.data, cause: line.cause };
}

export interface ReplayResult {
  readonly state: MachineState;
  readonly events: number;
  readonly stateChecks: number;
}

/** Folds the whole trace; throws TraceError at the first state that differs from the record. */
export function replayTrace(trace: ParsedTrace, file: string): ReplayResult {
  let state = initialStateOf(trace);
  let checks = 0;
  trace.events.forEach((line, i) => {
    state = foldMachine(state, envelopeOf(line));
    if (line.state !== undefined) {
      checks++;
      const actual = stateHash(state);
      if (actual !== line.state) {
        throw new TraceError(file, trace.eventLines[i]!, `the state after event ${line.seq} (line ${trace.eventLines[i]}) differs from the one recorded`, [
          'the trace was produced by a different engine version, or its events were edited consistently with their hashes',
        ]);
      }
    }
  });
  const final = stateHash(state);
  if (final !== trace.footer.finalStateHash) {
    throw new TraceError(file, trace.eventLines.length + 2, 'the final state differs from the one the footer records', [
      `recorded ${trace.footer.finalStateHash.slice(0, 16)}…, rebuilt ${final.slice(0, 16)}…`,
    ]);
  }
  return { state, events: trace.events.length, stateChecks: checks };
}

/** Index of the first event that differs between two event lists, or -1. */
export function firstDivergence(recorded: readonly ParsedTrace['events'][number][], rerun: readonly Envelope[]): number {
  const length = Math.max(recorded.length, rerun.length);
  for (let i = 0; i < length; i++) {
    const a = recorded[i];
    const b = rerun[i];
    if (a === undefined || b === undefined) return i;
    if (canonicalJson(envelopeOf(a)) !== canonicalJson(b)) return i;
  }
  return -1;
}
