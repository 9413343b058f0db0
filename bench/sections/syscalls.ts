/**
 * Issue 6, speed: simulated system calls per second through the whole engine — the CPU
 * executes SYSCALL, the kernel dispatches by number, the handler decides its events, every
 * reducer applies them, SYSRET returns to ring 3 — with the isolation invariants off, then
 * all on. Three workloads: getpid-class calls; open/read/close of a file on the VFS; fork
 * with copy-on-write, a write in the child, its exit and the parent's wait4.
 *
 * The baseline is the same getpid work done the way a plain mutable simulator would: a
 * table lookup from number to handler, a field read, a mode flip in and out of ring 0 —
 * no events, no immutability. It is measured in the same run, so the ratio says what the
 * event-sourced design costs per call.
 *
 * Setup (boot, file system, processes) is never timed; each timed run starts from a
 * fresh engine and the median of `repeats` runs is reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../../engine/core/decider.js';
import type { Engine } from '../../engine/core/engine.js';
import type { MachineState } from '../../engine/machine/state.js';
import { INVARIANTS } from '../../engine/machine/invariants.js';
import { syscallNumber } from '../../engine/kernel/syscalls.js';
import type { SyscallRequest } from '../../engine/hw/cpu/instructions.js';
import { createEngine, executeStep, startPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { medianRun, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';

const TARGET_GETPID_PER_SECOND = 100_000;
const GETPID_CALLS = 200_000;
const FILE_CYCLES = 20_000;
const FORK_CYCLES = 2_000;
const LIMITS = { maxEvents: 1_000_000_000, maxCommands: 1_000_000_000 };

const WORLD = `scenario "syscall bench"
fs {
  file "/tmp/data" "0123456789abcdef" { mode: 0644, owner: 1000 }
}
process app { uid: 1000 }
app: map 0x400000 size 4 KiB rw user
app: write 0x400000 = 0x41
`;

function hexArg(value: number | bigint): string {
  return '0x' + BigInt.asUintN(64, BigInt(value)).toString(16);
}

function request(name: string, args: SyscallRequest['args'] = [], as?: string): SyscallRequest {
  const nr = syscallNumber('x86_64', name);
  if (nr === null) throw new Error(`bench: no system call ${name}`);
  return as === undefined ? { nr, name, args } : { nr, name, args, as };
}

function syscallCommand(by: string, syscall: SyscallRequest): Command {
  return { type: 'cpu.instruction', actor: by, data: { instruction: { op: 'syscall', syscall }, text: `syscall ${syscall.name}`, by } };
}

const PROFILE = join(import.meta.dirname, '..', '..', '..', 'data', 'seccomp', 'docker-default.json');

/** The same world with `app` under Docker's default seccomp profile, as a container runtime installs it. */
const CONFINED_WORLD = WORLD.replace('process app { uid: 1000 }', 'profile docker from "docker-default.json"\nprocess app { uid: 1000, seccomp: docker }');

/** The world booted, its file system set up, `app` mapped and running in ring 3. */
function prepare(invariants: boolean, confined = false): Engine<MachineState> {
  const text = confined ? CONFINED_WORLD : WORLD;
  const read = (path: string) => (path === 'bench.isl' ? { file: path, text } : { file: path, text: readFileSync(PROFILE, 'utf8') });
  const compiled = compileScenario(loadScenario('bench.isl', read), {});
  const plan = { ...compiled, invariants: invariants ? INVARIANTS.map((invariant) => invariant.name) : [] };
  const engine = createEngine(plan, { limits: LIMITS });
  startPlan(engine, plan);
  for (const step of plan.steps) executeStep(engine, step);
  if (engine.state.kernel.current === null || engine.state.cpu.cpl !== 3) throw new Error('bench: app is not running in user mode after setup');
  return engine;
}

interface Work {
  readonly calls: number;
  readonly events: number;
}

function runGetpid(engine: Engine<MachineState>, calls: number): Work {
  const before = engine.eventCount;
  const command = syscallCommand('app', request('getpid'));
  for (let i = 0; i < calls; i++) engine.dispatch(command);
  return { calls, events: engine.eventCount - before };
}

function returnsOf(engine: Engine<MachineState>, run: () => void): { ret: number; errno: string | null }[] {
  const returned: { ret: number; errno: string | null }[] = [];
  const subscription = engine.events$.subscribe((envelope) => {
    if (envelope.type === 'kernel.syscallReturned') {
      const data = envelope.data as { ret: number; errno: string | null };
      returned.push({ ret: data.ret, errno: data.errno });
    }
  });
  try {
    run();
  } finally {
    subscription.unsubscribe();
  }
  return returned;
}

function runFiles(engine: Engine<MachineState>, cycles: number): Work {
  const before = engine.eventCount;
  const open = syscallCommand('app', request('openat', [hexArg(-100), { text: '/tmp/data' }, hexArg(0)]));
  for (let i = 0; i < cycles; i++) {
    const [opened] = returnsOf(engine, () => engine.dispatch(open));
    if (opened === undefined || opened.errno !== null) throw new Error(`bench: openat failed (${opened?.errno ?? 'no return'})`);
    engine.dispatch(syscallCommand('app', request('read', [hexArg(opened.ret), { symbol: 'buf' }, hexArg(16)])));
    engine.dispatch(syscallCommand('app', request('close', [hexArg(opened.ret)])));
  }
  return { calls: cycles * 3, events: engine.eventCount - before };
}

function switchTo(engine: Engine<MachineState>, pid: number): void {
  engine.dispatch({ type: 'kernel.switchTo', actor: 'scenario', data: { pid, reason: 'bench' } });
}

function runForks(engine: Engine<MachineState>, cycles: number): Work {
  const before = engine.eventCount;
  const parent = engine.state.kernel.current!;
  for (let i = 0; i < cycles; i++) {
    const [forked] = returnsOf(engine, () => engine.dispatch(syscallCommand('app', request('fork', [], `child${i}`))));
    if (forked === undefined || forked.errno !== null) throw new Error(`bench: fork failed (${forked?.errno ?? 'no return'})`);
    const child = forked.ret;
    switchTo(engine, child);
    // The child's first write copies the shared page (copy-on-write).
    engine.dispatch({ type: 'cpu.access', actor: `child${i}`, data: { kind: 'write', va: 0x400000n, size: 1, bytes: '42', cpl: undefined, ac: undefined, by: `child${i}` } });
    engine.dispatch(syscallCommand(`child${i}`, request('exit', [hexArg(0)])));
    switchTo(engine, parent);
    const [waited] = returnsOf(engine, () => engine.dispatch(syscallCommand('app', request('wait4', [hexArg(child)]))));
    if (waited === undefined || waited.ret !== child) throw new Error(`bench: wait4 returned ${waited?.ret} (${waited?.errno ?? ''}), not the child ${child}`);
  }
  return { calls: cycles * 3, events: engine.eventCount - before };
}

/** getpid as a plain mutable simulator would do it: the honest lower bound. */
function runBaseline(calls: number): Work {
  const handlers = new Map<number, (process: { pid: number }) => number>([[39, (process) => process.pid]]);
  const cpu = { cpl: 3, rax: 0 };
  const current = { pid: 1 };
  let checksum = 0;
  for (let i = 0; i < calls; i++) {
    cpu.cpl = 0;
    const handler = handlers.get(39)!;
    cpu.rax = handler(current);
    cpu.cpl = 3;
    checksum += cpu.rax;
  }
  if (checksum !== calls) throw new Error('baseline: wrong result');
  return { calls, events: 0 };
}

function row(measurement: string, timed: { seconds: number; result: Work }, target: number | null, baselineSeconds: number | null): Row {
  const perSecond = timed.result.calls / timed.seconds;
  const ratio = baselineSeconds === null ? '' : ` (${(timed.seconds / timed.result.calls / (baselineSeconds / GETPID_CALLS)).toFixed(0)}× baseline per call)`;
  return {
    measurement,
    events: timed.result.events,
    accesses: null,
    seconds: timed.seconds,
    figure: `${Math.round(perSecond).toLocaleString('en-US')} calls/s${ratio}`,
    target: target === null ? '' : `≥ ${target.toLocaleString('en-US')} calls/s`,
    verdict: target === null ? 'info' : perSecond >= target ? 'PASS' : 'MISS',
  };
}

function runSyscalls(context: BenchContext): SectionReport {
  const repeats = context.repeats;
  context.log('syscalls: baseline');
  const baseline = medianRun(Math.max(5, repeats), () => null, () => runBaseline(GETPID_CALLS));
  const rows: Row[] = [row('baseline: getpid in a plain mutable model', baseline, null, null)];
  for (const invariants of [false, true]) {
    const label = invariants ? 'invariants on' : 'invariants off';
    context.log(`syscalls: getpid, ${label}`);
    const getpid = medianRun(repeats, () => prepare(invariants), (engine) => runGetpid(engine, GETPID_CALLS));
    rows.push(row(`getpid through the engine, ${label}`, getpid, invariants ? null : TARGET_GETPID_PER_SECOND, baseline.seconds));
    context.log(`syscalls: getpid under docker-default, ${label}`);
    const confined = medianRun(repeats, () => prepare(invariants, true), (engine) => runGetpid(engine, GETPID_CALLS / 4));
    rows.push(row(`getpid under Docker's default seccomp profile, ${label}`, confined, null, null));
    context.log(`syscalls: open/read/close, ${label}`);
    const files = medianRun(repeats, () => prepare(invariants), (engine) => runFiles(engine, FILE_CYCLES));
    rows.push(row(`open/read/close on the VFS, ${label}`, files, null, null));
    context.log(`syscalls: fork/exit/wait4, ${label}`);
    const forks = medianRun(repeats, () => prepare(invariants), (engine) => runForks(engine, FORK_CYCLES));
    rows.push(row(`fork (COW) + child write + exit + wait4, ${label}`, forks, null, null));
  }
  return {
    title: 'System calls (issue 6)',
    description: [
      `getpid: ${GETPID_CALLS.toLocaleString('en-US')} calls; files: ${FILE_CYCLES.toLocaleString('en-US')} × openat+read+close of /tmp/data; ` +
        `fork: ${FORK_CYCLES.toLocaleString('en-US')} × fork, a write in the child (copies the page), exit, wait4 (3 calls counted per cycle).`,
      `Median of ${repeats} timed run(s), each on a fresh engine; setup untimed.`,
    ],
    rows,
    notes: [
      'Each call runs the whole path: cpu.instruction SYSCALL → trap → kernel dispatch by number → handler → reducers → SYSRET.',
      'Baseline: the same getpid work in a plain mutable model (table lookup, field read, ring flip), measured in this run.',
      'Under docker-default every call also builds seccomp_data and runs the compiled 1,132-instruction filter, recording the seccomp.evaluated and seccomp.decided events.',
    ],
  };
}

export const syscallsSection: Section = { name: 'syscalls', run: runSyscalls };
