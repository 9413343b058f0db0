// Proves, on small random worlds (TLB size, replacement, PCIDs, the switch's flush policy, shared regions, maps, unmaps, protects, reads and writes with expectations, kernel and raw CPU steps, the timer, assertions), that `isolab explore` calls a world violating exactly when `isolab run` fails some order of its steps — checked against every order, each run with runPlan — that the interleaving it reports is one of those, and that every pair of steps its footprints call independent really commutes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../engine/core/errors.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { explore, threadsOf } from '../../check/explore.js';
import { ordersOf } from './orders.js';

const PAGES = ['0x400000', '0x401000'] as const;

type StepChoice =
  | { readonly kind: 'map'; readonly page: number; readonly shared: boolean }
  | { readonly kind: 'unmap' | 'protect'; readonly page: number }
  | { readonly kind: 'read'; readonly page: number; readonly expectation: number }
  | { readonly kind: 'write'; readonly page: number; readonly value: number }
  | { readonly kind: 'kernelIn'; readonly page: number }
  | { readonly kind: 'getpid' | 'invlpg' };

type SideChoice = 'kernel read' | 'cpu nop' | 'timer' | 'kernel switch';

interface WorldChoice {
  readonly tlbEntries: number;
  readonly replace: 'fifo' | 'lru';
  readonly pcid: boolean;
  readonly flush: boolean;
  readonly pcids: number;
  readonly invariants: string;
  readonly catches: readonly boolean[];
  readonly threads: readonly (readonly StepChoice[])[];
  readonly side: readonly SideChoice[];
  readonly assertion: string;
}

const READ_EXPECTATIONS = ['', ' expect ok', ' expect value 0x0', ' expect tlb miss', ' expect no violation'] as const;

const stepChoice: fc.Arbitrary<StepChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('map' as const), page: fc.nat({ max: 1 }), shared: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('unmap' as const, 'protect' as const), page: fc.nat({ max: 1 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), page: fc.nat({ max: 1 }), expectation: fc.nat({ max: READ_EXPECTATIONS.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('write' as const), page: fc.nat({ max: 1 }), value: fc.integer({ min: 1, max: 0xff }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kernelIn' as const), page: fc.nat({ max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('getpid' as const, 'invlpg' as const) }) },
);

const worldChoice: fc.Arbitrary<WorldChoice> = fc
  .record({
    tlbEntries: fc.constantFrom(2, 4, 64),
    replace: fc.constantFrom<'fifo' | 'lru'>('fifo', 'lru'),
    pcid: fc.boolean(),
    flush: fc.boolean(),
    pcids: fc.constantFrom(1, 2, 6),
    invariants: fc.constantFrom('', 'invariant memory.process-isolation', 'invariant memory.process-isolation, tlb.coherent', 'invariant all'),
    catches: fc.array(fc.boolean(), { minLength: 2, maxLength: 3 }),
    side: fc.array(fc.constantFrom<SideChoice>('kernel read', 'cpu nop', 'timer', 'kernel switch'), { maxLength: 2 }),
    assertion: fc.constantFrom('', '', 'assert p0 alive', 'assert no violations'),
  })
  .chain((world) =>
    fc
      .tuple(...world.catches.map(() => fc.array(stepChoice, { minLength: 1, maxLength: 3 })))
      .map((threads) => ({ ...world, threads })),
  )
  // Keep the brute force small: at most six steps (90 orders for three threads of two).
  .filter((world) => world.threads.reduce((n, t) => n + t.length, 0) + world.side.length <= 6);

/**
 * A process's steps as scenario lines. A step that would not compile (a map over a
 * mapping, an unmap of nothing) becomes a read of that page, so every process keeps its
 * steps.
 */
function processLines(name: string, steps: readonly StepChoice[]): string[] {
  const mapped = new Set<number>();
  const lines: string[] = [];
  for (const step of steps) {
    const page = 'page' in step ? PAGES[step.page]! : '';
    switch (step.kind) {
      case 'map':
        if (mapped.has(step.page)) {
          lines.push(`${name}: read ${page}`);
          break;
        }
        mapped.add(step.page);
        lines.push(`${name}: map ${page} size 4 KiB rw user${step.shared ? ` shared shm${step.page}` : ''}`);
        break;
      case 'unmap':
      case 'protect':
        if (!mapped.has(step.page)) {
          lines.push(`${name}: read ${page}`);
          break;
        }
        if (step.kind === 'unmap') mapped.delete(step.page);
        lines.push(`${name}: ${step.kind} ${page} size 4 KiB${step.kind === 'protect' ? ' r' : ''}`);
        break;
      case 'read':
        lines.push(`${name}: read ${page} size 4${READ_EXPECTATIONS[step.expectation]}`);
        break;
      case 'write':
        lines.push(`${name}: write ${page} = ${step.value}`);
        break;
      case 'kernelIn':
        lines.push(`kernel in ${name}: read ${page} with ac`);
        break;
      case 'getpid':
        lines.push(`${name}: syscall getpid`);
        break;
      case 'invlpg':
        lines.push(`${name}: exec invlpg ${PAGES[0]}`);
        break;
    }
  }
  return lines;
}

const SIDE_LINES: Readonly<Record<SideChoice, string>> = {
  'kernel read': 'kernel: read 0xffff888000001000',
  'cpu nop': 'cpu: exec nop',
  timer: 'kernel: timer',
  'kernel switch': 'kernel: switch to p1',
};

export function worldText(world: WorldChoice): string {
  const threads = world.threads.map((steps, i) => processLines(`p${i}`, steps));
  threads.push(world.side.map((side) => SIDE_LINES[side]));
  // Round robin: the file order is one interleaving; explore tries the others.
  const steps: string[] = [];
  for (let round = 0; threads.some((t) => round < t.length); round++) for (const thread of threads) if (round < thread.length) steps.push(thread[round]!);
  return [
    'scenario "random world"',
    world.invariants,
    'machine {',
    `  tlb ${world.tlbEntries} entries { replace: ${world.replace}, pcid: ${world.pcid ? 'on' : 'off'} }`,
    '}',
    'kernel {',
    `  switch { flush: ${world.flush ? 'on' : 'off'}, pcids: ${world.pcids} }`,
    '}',
    'region shm0 size 4 KiB',
    'region shm1 size 4 KiB',
    ...world.catches.map((caught, i) => `process p${i} { uid: ${1000 + i}${caught ? ', catch: SIGSEGV' : ''} }`),
    ...steps,
    world.assertion,
    '',
  ].join('\n');
}

function planOf(text: string): RunPlan {
  return compileScenario(
    loadScenario('random.isl', (path) => {
      if (path !== 'random.isl') throw new ScenarioError('E_READ', `no file ${path}`);
      return { file: path, text };
    }),
    {},
  );
}

/** The oracle: `isolab run` on the scenario with its steps in this order. */
function runPasses(plan: RunPlan, order: readonly number[]): boolean {
  return runPlan({ ...plan, steps: order.map((index) => plan.steps[index]!) }).passed;
}

describe('explore against brute force on small random worlds', () => {
  it('renders worlds that compile, with several threads', () => {
    fc.assert(
      fc.property(worldChoice, (world) => {
        const plan = planOf(worldText(world));
        expect(threadsOf(plan).length).toBeGreaterThanOrEqual(2);
      }),
      { seed: 20240611, numRuns: 200 },
    );
  });

  it('calls a world violating exactly when run fails some order, and reports an order run fails', () => {
    let violatingWorlds = 0;
    let prunedWorlds = 0;
    fc.assert(
      fc.property(worldChoice.map(worldText), (text) => {
        const plan = planOf(text);
        const failing = ordersOf(plan).filter((order) => !runPasses(plan, order));
        const all = explore(plan, { maxInterleavings: 1_000_000, stopAtFirst: false, checkFootprints: true });
        expect(all.complete).toBe(true);
        expect(all.footprintGaps).toBe(0);
        expect(all.violating > 0).toBe(failing.length > 0);
        const first = explore(plan, { maxInterleavings: 1_000_000, stopAtFirst: true });
        expect(first.violating > 0).toBe(failing.length > 0);
        for (const result of [all, first]) {
          if (result.firstViolation !== null) expect(failing).toContainEqual(result.firstViolation.order);
        }
        if (failing.length > 0) violatingWorlds++;
        if (all.pruned > 0) prunedWorlds++;
      }),
      { seed: Number(process.env.SEED ?? 77), numRuns: Number(process.env.RUNS ?? 60) },
    );
    // The worlds exercise both verdicts and the sleep sets (so the checks above can fail).
    expect(violatingWorlds).toBeGreaterThan(5);
    expect(prunedWorlds).toBeGreaterThan(2);
  });
});
