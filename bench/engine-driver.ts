/**
 * Drives the workload through the real engine, the way engine/scenario/run.ts drives a
 * scenario: boot, create the processes, map their pages, switch to the first one (all
 * of that is setup, never timed), then one `cpu.access` command per access, the virtual
 * clock advancing one tick per access as it does per scenario step.
 *
 * A context switch preempts the running user process as the scenario runner does it:
 * `kernel.chooseNext`, then the timer interrupt (`cpu.interrupt` vector 0x20), whose
 * kernel handler performs the switch (CR3 load, TLB flush, return to user mode). If the
 * engine reports the interrupt as masked, the driver falls back to `kernel.switchTo`
 * and counts it, so the workload stays the same and the report can say so.
 */
import { credentialsData, credentialsFor } from '../engine/kernel/cred/state.js';
import { Engine } from '../engine/core/engine.js';
import type { Envelope } from '../engine/core/decider.js';
import { defaultCpuFeatures } from '../engine/hw/cpu/state.js';
import { FOUR_LEVEL } from '../engine/hw/mmu/geometry.js';
import type { MachineConfig } from '../engine/machine/config.js';
import { machineEngine } from '../engine/machine/engine.js';
import { initialMachineState } from '../engine/machine/initial.js';
import { INVARIANTS } from '../engine/machine/invariants.js';
import type { MachineState } from '../engine/machine/state.js';
import { PAGE_BYTES, processIndexOf, type Workload, type WorkloadSpec } from './workload.js';

/** x86_64, 4-level paging, a 64-entry FIFO TLB; PCID stays off (defaultCpuFeatures). */
export function benchMachineConfig(spec: WorkloadSpec): MachineConfig {
  return {
    cpu: 'x86_64',
    geometry: FOUR_LEVEL,
    maxPhyAddr: 46,
    memoryBytes: 512 * 1024 * 1024,
    frameBytes: PAGE_BYTES,
    tlbEntries: 64,
    tlbReplacement: 'fifo',
    allocation: 'sequential',
    seed: spec.seed,
  };
}

/** Large enough that only a runaway loop, not the benchmark, reaches them. */
const BENCH_LIMITS = { maxEvents: 1_000_000_000, maxCommands: 1_000_000_000 };

export interface EngineRunOptions {
  /** Enable every isolation invariant of engine/machine/invariants.ts. */
  readonly invariants: boolean;
  readonly keepHistory: boolean;
}

/** An engine booted with the workload's processes mapped and the first one running. */
export interface PreparedEngine {
  readonly engine: Engine<MachineState>;
  readonly pids: readonly number[];
  readonly names: readonly string[];
  /** Events of the setup, excluded from every measurement. */
  readonly setupEvents: number;
}

/** Counts of what a timed run did, beyond the engine's own event count. */
export interface EngineRunResult {
  readonly accesses: number;
  readonly events: number;
  readonly switches: number;
  /** Timer interrupts reported masked, each followed by a direct `kernel.switchTo`. */
  readonly maskedTimerSwitches: number;
}

export function processName(index: number): string {
  return `p${String(index).padStart(3, '0')}`;
}

export function prepareEngine(spec: WorkloadSpec, options: EngineRunOptions): PreparedEngine {
  const config = benchMachineConfig(spec);
  const engine = machineEngine(initialMachineState(config, defaultCpuFeatures('long')), {
    limits: BENCH_LIMITS,
    invariants: options.invariants ? INVARIANTS : [],
    keepHistory: options.keepHistory,
  });
  engine.dispatch({ type: 'kernel.boot', actor: 'kernel', data: { timerPeriodTicks: null, switchPolicy: { flushOnReuse: true, pcidSlots: 6 } } });
  const names: string[] = [];
  for (let i = 0; i < spec.processCount; i++) {
    names.push(processName(i));
    engine.dispatch({ type: 'kernel.createProcess', actor: 'kernel', data: { name: names[i], creds: credentialsData(credentialsFor(1000 + i, 1000 + i)), catches: [] } });
  }
  const pids = names.map((name) => pidOf(engine, name));
  for (const pid of pids) {
    engine.dispatch({
      type: 'kernel.map',
      actor: 'kernel',
      data: {
        pid,
        va: BigInt(spec.baseVa),
        sizeBytes: spec.pagesPerProcess * PAGE_BYTES,
        read: true,
        write: true,
        execute: false,
        user: true,
        global: false,
        pkey: 0,
        region: null,
        pageShift: 12,
      },
    });
  }
  engine.dispatch({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: pids[0], reason: 'benchmark start' } });
  assertSetup(engine, pids, spec);
  return { engine, pids, names, setupEvents: engine.eventCount };
}

function pidOf(engine: Engine<MachineState>, name: string): number {
  const kernel = engine.state.kernel;
  const pid = kernel.processes.ids.find((id) => kernel.processes.byId[id]!.name === name);
  if (pid === undefined) throw new Error(`benchmark setup: process ${name} was not created`);
  return pid;
}

/** The setup must leave every process mapped and the first one running in user mode. */
function assertSetup(engine: Engine<MachineState>, pids: readonly number[], spec: WorkloadSpec): void {
  const { kernel, cpu } = engine.state;
  for (const pid of pids) {
    const mapped = kernel.processes.byId[pid]!.vmas.reduce((sum, vma) => sum + vma.sizeBytes, 0);
    if (mapped !== spec.pagesPerProcess * PAGE_BYTES) throw new Error(`benchmark setup: pid ${pid} mapped ${mapped} bytes`);
  }
  if (kernel.current !== pids[0] || cpu.cpl !== 3) throw new Error('benchmark setup: the first process is not running in user mode');
}

/** Preempts the running process for `pid`, as the scenario runner does. */
function switchTo(engine: Engine<MachineState>, pid: number): boolean {
  engine.dispatch({ type: 'kernel.chooseNext', actor: 'scenario', data: { pid, reason: 'round robin' } });
  engine.dispatch({ type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } });
  if (engine.state.kernel.current === pid) return false;
  engine.dispatch({ type: 'kernel.switchTo', actor: 'scenario', data: { pid, reason: 'round robin (timer masked)' } });
  if (engine.state.kernel.current !== pid) throw new Error(`benchmark: could not switch to pid ${pid}`);
  return true;
}

/**
 * Runs accesses [from, to) of the workload, switching process every `switchEvery`
 * accesses. Stops early once `maxEvents` events have been produced (for the memory
 * measurement); the access in progress always completes.
 */
export function runEngineAccesses(
  prepared: PreparedEngine,
  workload: Workload,
  from: number,
  to: number,
  maxEvents = Infinity,
): EngineRunResult {
  const { engine, pids, names } = prepared;
  const spec = workload.spec;
  const { page, offset, isWrite, writeHex } = workload;
  const startEvents = engine.eventCount;
  let current = processIndexOf(spec, from);
  let switches = 0;
  let masked = 0;
  let done = from;
  for (let i = from; i < to; i++) {
    const wanted = processIndexOf(spec, i);
    if (wanted !== current) {
      if (switchTo(engine, pids[wanted]!)) masked++;
      switches++;
      current = wanted;
    }
    engine.advanceClock(1);
    const by = names[current]!;
    const va = BigInt(spec.baseVa + page[i]! * PAGE_BYTES + offset[i]!);
    const data = isWrite[i] === 1
      ? { va, kind: 'write', size: spec.accessBytes, bytes: writeHex[i], by }
      : { va, kind: 'read', size: spec.accessBytes, by };
    engine.dispatch({ type: 'cpu.access', actor: by, data });
    done = i + 1;
    if (engine.eventCount - startEvents >= maxEvents) break;
  }
  return { accesses: done - from, events: engine.eventCount - startEvents, switches, maskedTimerSwitches: masked };
}

/** What the verification run saw, to compare with the baseline's own counts. */
export interface EngineTally {
  readonly byType: ReadonlyMap<string, number>;
  /** XOR of every value read, as halves: the data path agrees when these do. */
  readonly readXorLow: number;
  readonly readXorHigh: number;
}

/** Subscribes a counter of event types and read values; returns it and its stop function. */
export function tallyEvents(engine: Engine<MachineState>): { tally: () => EngineTally; stop: () => void } {
  const byType = new Map<string, number>();
  let readXorLow = 0;
  let readXorHigh = 0;
  const subscription = engine.events$.subscribe((envelope: Envelope) => {
    byType.set(envelope.type, (byType.get(envelope.type) ?? 0) + 1);
    if (envelope.type === 'memory.read') {
      const value = BigInt((envelope.data as { value: string }).value);
      readXorLow = (readXorLow ^ Number(value & 0xffffffffn)) >>> 0;
      readXorHigh = (readXorHigh ^ Number(value >> 32n)) >>> 0;
    }
  });
  return { tally: () => ({ byType, readXorLow, readXorHigh }), stop: () => subscription.unsubscribe() };
}

/** Violations the enabled invariants recorded (none are expected). */
export function violationCount(engine: Engine<MachineState>): number {
  return engine.state.scenario.violations.length;
}
