// Proves that replaying any run's trace rebuilds its final state (readTrace and replayTrace succeed and the replayed state hashes to stateHash of the run's state), and that flipping a byte, deleting, duplicating or swapping lines, or cutting the trace short makes reading or replaying it fail with a TraceError located between the damaged line and the end — never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { TraceError, readTrace } from '../../engine/trace/reader.js';
import { replayTrace, stateHash } from '../../engine/trace/replay.js';
import { STATE_HASH_EVERY } from '../../engine/trace/record.js';
import type { MachineState } from '../../engine/machine/state.js';
import { SMALL_LIMITS, anyMachine, bundledScenarioFiles, compileText, readerFor, recordText, scenarioArb, variantsOf } from './helpers.js';

const smallScenarios = scenarioArb({ minProcesses: 1, maxProcesses: 3, maxIntents: 12, supervisor: true, raw: true, kernelReads: true, secrets: true, machine: anyMachine });

/** Replays a trace and checks it against the run that wrote it. */
function expectReplayMatches(text: string, state: MachineState, eventCount: number, steps: number): void {
  const trace = readTrace(text, 'run.trace');
  const replayed = replayTrace(trace, 'run.trace');
  expect(stateHash(replayed.state)).toBe(stateHash(state));
  expect(trace.footer.finalStateHash).toBe(stateHash(state));
  expect(replayed.events).toBe(eventCount);
  expect(replayed.stateChecks).toBe(Math.ceil(steps / STATE_HASH_EVERY));
}

const bundled = bundledScenarioFiles().flatMap((file) => variantsOf(loadScenario(file, readerFor())).map((variant) => ({ file, variant })));

function bundledTrace(file: string, variant: Record<string, string>): string {
  const loaded = loadScenario(file, readerFor());
  return recordText(compileScenario(loaded, variant), loaded).text;
}

describe('replay reproduces the run', () => {
  it('random scenarios: the replayed final state hash equals the run\'s', () => {
    fc.assert(
      fc.property(smallScenarios, (scenario) => {
        const { loaded, plan } = compileText(scenario.text);
        const { text, result } = recordText(plan, loaded, SMALL_LIMITS);
        expectReplayMatches(text, result.state, result.eventCount, result.steps.length);
      }),
      { numRuns: 50 },
    );
  }, 60_000);

  it.each(bundled)('bundled $file $variant: the replayed final state hash equals the run\'s', ({ file, variant }) => {
    const loaded = loadScenario(file, readerFor());
    const { text, result } = recordText(compileScenario(loaded, variant), loaded);
    expectReplayMatches(text, result.state, result.eventCount, result.steps.length);
  });
});

// ---------------------------------------------------------------- damage

type Damage =
  | { readonly kind: 'flip'; readonly line: number; readonly byte: number; readonly mask: number }
  | { readonly kind: 'delete'; readonly line: number }
  | { readonly kind: 'duplicate'; readonly line: number }
  | { readonly kind: 'swap'; readonly line: number; readonly other: number }
  | { readonly kind: 'cut'; readonly at: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), line: fc.nat(), byte: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
);

interface Damaged {
  readonly text: string;
  /** 1-based line number of the first damaged line in the damaged text (clamped to its last line). */
  readonly firstBad: number;
}

/** Applies the damage; null when it is not applicable (a swap of a line with itself, a cut of the final newline only). */
function damage(text: string, change: Damage): Damaged | null {
  const lines = text.split('\n');
  lines.pop(); // the text ends with a newline
  const n = lines.length;
  const joined = (out: readonly string[]) => out.map((line) => line + '\n').join('');
  switch (change.kind) {
    case 'flip': {
      const i = change.line % n;
      const bytes = Buffer.from(lines[i]!, 'utf8');
      const at = change.byte % bytes.length;
      const flipped = bytes[at]! ^ change.mask;
      bytes[at] = flipped;
      const out = lines.slice();
      out[i] = bytes.toString('utf8');
      return { text: joined(out), firstBad: i + 1 };
    }
    case 'delete': {
      const i = change.line % n;
      const out = lines.filter((_, k) => k !== i);
      return { text: joined(out), firstBad: Math.min(i + 1, out.length) };
    }
    case 'duplicate': {
      const i = change.line % n;
      const out = [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)];
      return { text: joined(out), firstBad: i + 2 };
    }
    case 'swap': {
      const i = Math.min(change.line % n, change.other % n);
      const j = Math.max(change.line % n, change.other % n);
      if (i === j) return null;
      const out = lines.slice();
      [out[i], out[j]] = [out[j]!, out[i]!];
      return { text: joined(out), firstBad: i + 1 };
    }
    case 'cut': {
      const at = change.at % text.length;
      if (at === 0) return { text: '', firstBad: 1 };
      if (at === text.length - 1) return null; // only the final newline goes: the trace is still whole
      const kept = text.slice(0, at);
      const keptLines = kept.split('\n');
      if (keptLines[keptLines.length - 1] === '') keptLines.pop();
      return { text: kept, firstBad: keptLines.length };
    }
  }
}

describe('a damaged trace is refused at the damage', () => {
  const pool = [
    bundledTrace('processes/same-address.isl', {}),
    bundledTrace('tlb/missing-flush.isl', { flush: 'off', pcid: 'on' }),
    bundledTrace('paging/readonly-library.isl', {}),
    bundledTrace('paging/ostep-15bit.isl', {}),
  ];

  it('flip a byte, delete, duplicate or swap lines, or cut short: TraceError between the damage and the end', () => {
    fc.assert(
      fc.property(fc.nat(pool.length - 1), damageArb, (which, change) => {
        const damaged = damage(pool[which]!, change);
        fc.pre(damaged !== null);
        const lineCount = damaged.text.split('\n').filter((_, k, all) => k < all.length - 1 || all[k] !== '').length;
        let thrown: unknown = null;
        try {
          replayTrace(readTrace(damaged.text, 'damaged.trace'), 'damaged.trace');
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TraceError);
        const error = thrown as TraceError;
        expect(error.location?.file).toBe('damaged.trace');
        expect(error.lineNumber).toBeGreaterThanOrEqual(damaged.firstBad);
        expect(error.lineNumber).toBeLessThanOrEqual(Math.max(1, lineCount));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
