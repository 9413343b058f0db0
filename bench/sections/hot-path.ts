/**
 * Issue 2, speed: the synthetic workload through the engine (isolation invariants off,
 * then all of them on) and through the mutable baseline, in the same process. Each side
 * is warmed up once on a smaller run, then timed `repeats` times from a fresh machine;
 * the median is reported. Setup (boot, processes, mappings) is never timed.
 *
 * The ratio is engine seconds ÷ baseline seconds for the same accesses, i.e. the ratio
 * of accesses per second. Events per second are comparable too: the baseline counts the
 * events the engine emits for the same work (verified on the warm-up run, type by type).
 */
import type { BaselineTally } from '../mutable-baseline.js';
import { EVENTS_PER_SWITCH, prepareBaseline, runBaseline } from '../mutable-baseline.js';
import {
  prepareEngine,
  runEngineAccesses,
  tallyEvents,
  violationCount,
  type EngineRunResult,
  type EngineTally,
  type PreparedEngine,
} from '../engine-driver.js';
import { medianRun, type BenchContext, type Row, type Section, type SectionReport, type Timed } from '../report.js';
import { describeWorkload, generateWorkload, ISSUE_2_WORKLOAD, type Workload, type WorkloadSpec } from '../workload.js';

const TARGET_INVARIANTS_OFF = 4;
const TARGET_INVARIANTS_ON = 8;
const WARM_UP_ACCESSES = 100_000;
/** The baseline's runs are short, so one preemption skews one; it gets more runs (they are cheap). */
const BASELINE_MIN_REPEATS = 5;

function specFor(context: BenchContext): WorkloadSpec {
  return context.accesses === null ? ISSUE_2_WORKLOAD : { ...ISSUE_2_WORKLOAD, accessCount: context.accesses };
}

/** The engine's counts for what the baseline tallies; disagreements as sentences. */
function crossCheck(engine: EngineTally, baseline: BaselineTally, engineRun: EngineRunResult): string[] {
  const count = (type: string) => engine.byType.get(type) ?? 0;
  const pairs: [string, number, number][] = [
    ['TLB hits', count('tlb.hit'), baseline.hits],
    ['TLB misses', count('tlb.missed'), baseline.misses],
    ['walk steps', count('mmu.walkStepped'), baseline.walkSteps],
    ['TLB fills', count('tlb.filled'), baseline.misses - baseline.faults],
    ['paging-entry writes (A/D)', count('memory.entryWritten'), baseline.entryWrites],
    ['D set through the TLB', count('tlb.dirtied'), baseline.dirtied],
    ['data reads', count('memory.read'), baseline.reads],
    ['data writes', count('memory.written'), baseline.writes],
    ['faults', count('cpu.exceptionRaised'), baseline.faults],
    ['context switches', count('kernel.switched'), baseline.switches],
    ['XOR of values read (low half)', engine.readXorLow, baseline.readXorLow],
    ['XOR of values read (high half)', engine.readXorHigh, baseline.readXorHigh],
    ['accesses', engineRun.accesses, baseline.accesses],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([what, a, b]) => `${what}: engine ${a}, baseline ${b}`);
}

interface WarmUp {
  readonly notes: string[];
  readonly baseline: BaselineTally;
}

/** One smaller run of each side, which also checks that both did the same work. */
function warmUp(workload: Workload, context: BenchContext): WarmUp {
  const accesses = Math.min(WARM_UP_ACCESSES, workload.spec.accessCount);
  context.log(`warm-up: ${accesses.toLocaleString('en-US')} accesses on each side`);
  const baseline = runBaseline(prepareBaseline(workload.spec), workload, 0, accesses);
  const prepared = prepareEngine(workload.spec, { invariants: false, keepHistory: false });
  const counter = tallyEvents(prepared.engine);
  const engineRun = runEngineAccesses(prepared, workload, 0, accesses);
  counter.stop();
  const checked = prepareEngine(workload.spec, { invariants: true, keepHistory: false });
  runEngineAccesses(checked, workload, 0, Math.ceil(accesses / 4));
  const disagreements = crossCheck(counter.tally(), baseline, engineRun);
  const switchEvents = engineRun.events - (baseline.events - baseline.switches * EVENTS_PER_SWITCH);
  const notes = [
    disagreements.length === 0
      ? `Cross-check on the warm-up (${accesses.toLocaleString('en-US')} accesses): the engine and the baseline agree on TLB hits ` +
        `(${baseline.hits}), misses (${baseline.misses}), walk steps, A/D entry writes (${baseline.entryWrites}), reads, writes, ` +
        `switches and the XOR of every value read.`
      : `CROSS-CHECK FAILED on the warm-up: ${disagreements.join('; ')}. The baseline does not do the engine's work; the ratio is not meaningful.`,
    `Engine events per context switch on the warm-up: ${(switchEvents / Math.max(1, engineRun.switches)).toFixed(2)} ` +
      `(the baseline counts ${EVENTS_PER_SWITCH}, the timer-preemption path).`,
  ];
  if (engineRun.maskedTimerSwitches > 0) {
    notes.push(
      `${engineRun.maskedTimerSwitches} of ${engineRun.switches} timer preemptions were reported masked (cpu.interruptMasked) and ` +
        `the driver fell back to kernel.switchTo: after a timer-driven switch, cpu.contextEntered leaves RFLAGS.IF clear, so the ` +
        `next timer interrupt is masked (an engine bug: returning to user mode must set IF). It changes one event per switch, ` +
        'not the timing.',
    );
  }
  return { notes, baseline };
}

interface EngineMeasurement {
  readonly timed: Timed<EngineRunResult>;
  readonly violations: number;
}

function measureEngine(workload: Workload, context: BenchContext, invariants: boolean): EngineMeasurement {
  const label = invariants ? 'engine, invariants on' : 'engine, invariants off';
  let violations = 0;
  const timed = medianRun(
    context.repeats,
    () => prepareEngine(workload.spec, { invariants, keepHistory: false }),
    (prepared: PreparedEngine) => {
      const result = runEngineAccesses(prepared, workload, 0, workload.spec.accessCount);
      violations = Math.max(violations, violationCount(prepared.engine));
      return result;
    },
    (run) => context.log(`${label}: ${run.seconds.toFixed(2)} s`),
  );
  return { timed, violations };
}

function engineRow(measurement: string, timed: Timed<EngineRunResult>, baselineSeconds: number, target: number): Row {
  const ratio = timed.seconds / baselineSeconds;
  return {
    measurement,
    events: timed.result.events,
    accesses: timed.result.accesses,
    seconds: timed.seconds,
    figure: `${ratio.toFixed(2)}× baseline time`,
    target: `≤ ${target}×`,
    verdict: ratio <= target ? 'PASS' : 'MISS',
  };
}

function runHotPath(context: BenchContext): SectionReport {
  const spec = specFor(context);
  context.log(`generating the workload (${spec.accessCount.toLocaleString('en-US')} accesses)`);
  const workload = generateWorkload(spec);
  const warm = warmUp(workload, context);
  const baseline = medianRun(
    Math.max(context.repeats, BASELINE_MIN_REPEATS),
    () => prepareBaseline(spec),
    (machine) => ({ ...runBaseline(machine, workload, 0, spec.accessCount) }),
    (run) => context.log(`baseline: ${run.seconds.toFixed(3)} s`),
  );
  const off = measureEngine(workload, context, false);
  const on = measureEngine(workload, context, true);
  const b = baseline.result;
  const rows: Row[] = [
    {
      measurement: 'mutable baseline',
      events: b.events,
      accesses: b.accesses,
      seconds: baseline.seconds,
      figure: '1.00× (reference)',
      target: '',
      verdict: 'info',
    },
    engineRow('engine, invariants off', off.timed, baseline.seconds, TARGET_INVARIANTS_OFF),
    engineRow('engine, all invariants on', on.timed, baseline.seconds, TARGET_INVARIANTS_ON),
  ];
  const notes = [
    'Ratio = engine seconds ÷ baseline seconds on the same accesses (the inverse ratio of accesses/s). ' +
      `Median of ${context.repeats} timed run(s) per engine row and ${Math.max(context.repeats, BASELINE_MIN_REPEATS)} for the ` +
      'baseline, each from a freshly set-up machine (setup not timed), garbage collected before each run.',
    `Events: the engine's own count (engine.eventCount); the baseline's is the number of events the engine emits for the same ` +
      `work, counted as it goes (${(b.events / b.accesses).toFixed(2)} events per access: ` +
      `${((100 * b.misses) / b.accesses).toFixed(2)}% TLB misses, ${b.switches} switches).`,
    'The engine side includes building each cpu.access command (a BigInt address and the command object; the hex bytes of each write are precomputed, outside the timing, as the baseline\'s values are).',
    ...warm.notes,
    `Invariant violations recorded: ${off.violations} with invariants off, ${on.violations} with all on (none expected).`,
  ];
  return {
    title: 'Hot path: memory accesses through the engine vs a mutable loop (issue 2)',
    description: [
      `Workload: ${describeWorkload(spec)}.`,
      'Machine: x86_64, 4-level paging, 64-entry FIFO TLB, PCID off (every switch flushes), 512 MiB, MAXPHYADDR 46.',
    ],
    rows,
    notes,
  };
}

export const hotPathSection: Section = { name: 'hot-path', run: runHotPath };
