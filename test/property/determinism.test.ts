// Proves that the same scenario text and seed give a byte-identical trace: for random scenarios and for every bundled scenario and variant, two runs from scratch (the second under another wall clock, time zone and Math.random) write the same text, and no trace carries a wall-clock value.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { SMALL_LIMITS, anyMachine, bundledScenarioFiles, loadText, readerFor, recordText, scenarioArb, variantsOf } from './helpers.js';

const realNow = Date.now();
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ISO_DATE_TIME = /\b(19|20)\d\d-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d/;

/** Values in a trace that look like a wall-clock reading: an ISO date-time, or epoch milliseconds within ten years of now. */
function wallClockValues(trace: string): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string' && ISO_DATE_TIME.test(value)) found.push(`${path} = ${JSON.stringify(value)}`);
    else if (typeof value === 'number' && Math.abs(value - realNow) < TEN_YEARS_MS) found.push(`${path} = ${value}`);
    else if (value !== null && typeof value === 'object') for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`);
  };
  trace.split('\n').forEach((line, i) => {
    if (line !== '') visit(JSON.parse(line), `line ${i + 1}`);
  });
  return found;
}

/** Runs `record` once normally and once under a different clock, time zone and Math.random. */
function twice(record: () => string): [string, string] {
  const first = record();
  const zone = process.env.TZ;
  vi.useFakeTimers({ now: new Date('2041-07-13T23:59:58.999+13:45'), toFake: ['Date', 'performance'] });
  vi.spyOn(Math, 'random').mockImplementation(() => 0.123456789);
  process.env.TZ = 'Pacific/Chatham';
  try {
    return [first, record()];
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
    vi.useRealTimers();
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('determinism', () => {
  it('random scenarios: same text and seed, byte-identical traces', () => {
    const generated = scenarioArb({ minProcesses: 1, maxProcesses: 3, maxIntents: 12, supervisor: true, raw: true, kernelReads: true, secrets: true, machine: anyMachine });
    fc.assert(
      fc.property(generated, fc.nat({ max: 2 ** 31 }), (scenario, seed) => {
        const text = scenario.text.replace(/^seed 1$/m, `seed ${seed}`);
        // Fresh parse, compile and engine for each run: nothing is shared but the text.
        const record = () => {
          const loaded = loadText(text);
          return recordText(compileScenario(loaded, variantsOf(loaded)[0]!), loaded, SMALL_LIMITS).text;
        };
        const [first, second] = twice(record);
        expect(second).toBe(first);
        expect(wallClockValues(first)).toEqual([]);
      }),
      // Recording hashes the whole state after every step, so a run costs ~100 ms: few, varied runs.
      { numRuns: 50 },
    );
  }, 60_000);

  const bundled = bundledScenarioFiles().flatMap((file) => variantsOf(loadScenario(file, readerFor())).map((variant) => ({ file, variant })));

  it('the bundled library is all there', () => {
    expect(bundled.length).toBeGreaterThanOrEqual(14);
  });

  it.each(bundled)('bundled $file $variant: byte-identical traces', ({ file, variant }) => {
    const record = () => {
      const loaded = loadScenario(file, readerFor());
      return recordText(compileScenario(loaded, variant), loaded).text;
    };
    const [first, second] = twice(record);
    expect(second).toBe(first);
    expect(wallClockValues(first)).toEqual([]);
  });
});
