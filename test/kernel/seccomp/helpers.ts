// Test support for seccomp: run a scenario with attached files and keep every event.
import type { Envelope } from '../../../engine/core/decider.js';
import { runPlan, type RunResult } from '../../../engine/scenario/run.js';
import { compileText } from '../../helpers/scenario.js';

export interface RunWithEvents {
  readonly result: RunResult;
  readonly events: readonly Envelope[];
}

export function runSeccomp(text: string, files: Readonly<Record<string, string>> = {}, variant: Readonly<Record<string, string>> = {}): RunWithEvents {
  const events: Envelope[] = [];
  const result = runPlan(compileText(text, variant, files), { onEngine: (engine) => void engine.events$.subscribe((event) => events.push(event)) });
  return { result, events };
}

export function eventsOfType(events: readonly Envelope[], type: string): Record<string, unknown>[] {
  return events.filter((event) => event.type === type).map((event) => event.data as Record<string, unknown>);
}

/** A JSON program returning one constant: `ret #k`. */
export function retProgram(k: number): string {
  return JSON.stringify([{ code: 6, jt: 0, jf: 0, k: k >>> 0 }]);
}

/** A JSON program that returns `k` for one x86-64 call number and ALLOW for the others. */
export function onlyProgram(nr: number, k: number): string {
  return JSON.stringify([
    { code: 0x20, jt: 0, jf: 0, k: 0 },
    { code: 0x15, jt: 0, jf: 1, k: nr },
    { code: 6, jt: 0, jf: 0, k: k >>> 0 },
    { code: 6, jt: 0, jf: 0, k: 0x7fff0000 },
  ]);
}
