// Proves that isolab's simulated kernel answers every case of conformance/cases.ts as the
// machine's real Linux kernel does: same return values and errnos, same bytes and
// stat results, same credentials afterwards.
//
// Each case gives two tests: the real kernel against what the case says Linux does (so a
// case that tests the wrong thing, or a broken helper, is caught), and the simulator
// against the real kernel. Whatever the machine cannot run is skipped with its reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CAPS } from '../../engine/kernel/syscall/constants.js';
import { parseCallLine, type ConformanceCase } from '../../conformance/case.js';
import { CASES, tableProblems } from '../../conformance/cases.js';
import { canonicalErrno, outcomeDifferences, pinnedOutcome, type CaseOutcome } from '../../conformance/outcome.js';
import { probeMachine, runRealCase, type Available, type Machine } from '../../conformance/real.js';
import { compileSimulatedCase, runSimulatedCase, scenarioText } from '../../conformance/simulated.js';
import { capsMask, exactWorld } from '../../conformance/world.js';

let machine: Available<Machine> = { ok: false, reason: 'the machine was not probed' };
const realOutcomes = new Map<string, Available<CaseOutcome>>();

function realOutcome(conformanceCase: ConformanceCase): Available<CaseOutcome> {
  if (!machine.ok) return machine;
  let outcome = realOutcomes.get(conformanceCase.id);
  if (outcome === undefined) {
    outcome = runRealCase(conformanceCase, machine.value);
    realOutcomes.set(conformanceCase.id, outcome);
  }
  return outcome;
}

beforeAll(() => {
  machine = probeMachine();
});

describe('the case table', () => {
  it('holds at least 60 sound cases covering every area', () => {
    expect(tableProblems(CASES)).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const areas = new Set(CASES.map((c) => c.area));
    expect([...areas].sort()).toEqual(['capabilities', 'chroot', 'credentials', 'dac', 'exec', 'path', 'pivot_root']);
  });

  it('writes every case as a scenario the language accepts', () => {
    const failures = CASES.flatMap((c) => {
      const world = exactWorld(c, ALL_CAPS);
      if (!world.ok) return [`${c.id}: ${world.reason}`];
      try {
        compileSimulatedCase(c, world.value);
        return [];
      } catch (error) {
        return [`${c.id}: ${error instanceof Error ? error.message : String(error)}\n${scenarioText(c, world.value)}`];
      }
    });
    expect(failures).toEqual([]);
  });
});

/** The real outcome's call results in the case's own notation, for comparing with what the case says. */
function observed(conformanceCase: ConformanceCase, outcome: CaseOutcome) {
  return conformanceCase.calls.map((line, i) => {
    const expected = parseCallLine(line).expected;
    const got = outcome.calls[i]!;
    const result = got.ret === null ? `not run (${got.missing})` : got.errno ?? String(got.ret);
    const wanted = expected.kind === 'any' ? result : expected.kind === 'errno' ? canonicalErrno(expected.name) : String(expected.value);
    const bytes = parseCallLine(line).bytes;
    return { call: got.call, result, ...(bytes === null ? {} : { bytes: got.bytes }), wanted, ...(bytes === null ? {} : { wantedBytes: bytes }) };
  });
}

describe('the real kernel does what each case says', () => {
  for (const conformanceCase of CASES) {
    it(conformanceCase.id, (context) => {
      const real = realOutcome(conformanceCase);
      if (!real.ok) return context.skip(real.reason);
      const rows = observed(conformanceCase, real.value);
      expect(rows.map((row) => ({ call: row.call, result: row.result, bytes: row.bytes }))).toEqual(
        rows.map((row) => ({ call: row.call, result: row.wanted, bytes: row.wantedBytes })),
      );
      if (conformanceCase.after !== undefined && machine.ok) {
        const caps = machine.value.caps;
        const pinned = pinnedOutcome(conformanceCase.after, caps, (set) => capsMask(set, caps));
        const actual = Object.fromEntries(Object.keys(pinned).map((key) => [key, real.value.credentials[key as keyof typeof real.value.credentials]]));
        expect(actual).toEqual(pinned);
      }
    });
  }
});

describe('the simulator matches the real kernel', () => {
  for (const conformanceCase of CASES) {
    it(conformanceCase.id, (context) => {
      const real = realOutcome(conformanceCase);
      if (!real.ok) return context.skip(real.reason);
      const caps = machine.ok ? machine.value.caps : ALL_CAPS;
      const simulated = runSimulatedCase(conformanceCase, caps);
      if (!simulated.ok) expect.fail(`the simulator could not run the case: ${simulated.error}\n--- scenario ---\n${simulated.text}`);
      const differences = outcomeDifferences(real.value, simulated.outcome).join('\n');
      expect(simulated.outcome, `${conformanceCase.rule}\n${differences}\n--- scenario ---\n${simulated.text}`).toEqual(real.value);
    });
  }
});
