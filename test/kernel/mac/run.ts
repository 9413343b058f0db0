// Test support for the MAC tests: runs a scenario text and keeps its events.
import type { Envelope } from '../../../engine/core/decider.js';
import type { RunResult } from '../../../engine/scenario/run.js';
import { runText } from '../../helpers/scenario.js';

export interface Observed {
  readonly result: RunResult;
  readonly events: readonly Envelope[];
}

export function observe(text: string, variant: Readonly<Record<string, string>> = {}): Observed {
  const events: Envelope[] = [];
  const result = runText(text, variant, { onEngine: (engine) => void engine.events$.subscribe((event) => events.push(event)) });
  return { result, events };
}

/** The ret/errno of each system call, in order, as "name ret" or "name ERRNO". */
export function outcomes(events: readonly Envelope[]): string[] {
  return events
    .filter((event) => event.type === 'kernel.syscallReturned')
    .map((event) => {
      const data = event.data as { name: string; ret: number; errno: string | null };
      return `${data.name} ${data.errno ?? data.ret}`;
    });
}

export function decisions(events: readonly Envelope[]): { operation: string; path: string | null; family: string | null; verdict: string; rule: string }[] {
  return events.filter((event) => event.type === 'mac.decided').map((event) => {
    const { operation, path, family, verdict, rule } = event.data as { operation: string; path: string | null; family: string | null; verdict: string; rule: string };
    return { operation, path, family, verdict, rule };
  });
}
