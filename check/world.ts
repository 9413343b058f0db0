/**
 * A world for `isolab check`: a scenario's machine, kernel, processes and its own steps,
 * compiled for one variant and run once, so every generated attack starts from the same
 * state. Its attackers are the processes with `role: attacker` (or named "attacker").
 */
import type { MachineState } from '../engine/machine/state.js';
import { ScenarioError } from '../engine/core/errors.js';
import { hex } from '../engine/core/u64.js';
import { INVARIANTS } from '../engine/machine/invariants.js';
import { kernelLayoutOf } from '../engine/kernel/layout.js';
import { createEngine, executeStep, startPlan } from '../engine/scenario/run.js';
import type { RunPlan } from '../engine/scenario/plan.js';
import { compileScenarioWithContext, type CompiledWorld, type LoadedScenario } from '../dsl/compile/index.js';

export interface World {
  readonly loaded: LoadedScenario;
  readonly compiled: CompiledWorld;
  readonly variant: Readonly<Record<string, string>>;
  /** The plan as the checker runs it: every built-in invariant when the scenario enables none. */
  readonly plan: RunPlan;
  /** The state after the scenario's own steps, and the numbering to continue from. */
  readonly base: MachineState;
  readonly resume: { readonly seq: number; readonly tick: number };
  readonly violationsBefore: number;
  readonly attackers: readonly string[];
  readonly others: readonly string[];
  readonly pools: AddressPools;
  readonly files: FilePools;
}

/** What file and credential calls draw from; no paths when the world declares no file system. */
export interface FilePools {
  /** The paths the world's fs block declares, then the classic targets of an escape. */
  readonly paths: readonly string[];
  /** Every uid and gid the world's processes hold, then 0 and 65534. */
  readonly ids: readonly number[];
  /** Every process of the world, by name (a pid for kill). */
  readonly processes: readonly string[];
}

/** Addresses the generated steps draw from, all drawn from the world itself. */
export interface AddressPools {
  /** Pages each process has mapped, by process. */
  readonly mapped: Readonly<Record<string, readonly bigint[]>>;
  /** Kernel addresses: secrets, kernel text, the start of the direct map. */
  readonly kernel: readonly bigint[];
  /** Free, page-aligned user addresses where an attacker may map. */
  readonly free: readonly bigint[];
  readonly userTop: bigint;
}

export function loadWorld(loaded: LoadedScenario, variant: Readonly<Record<string, string>>): World {
  const compiled = compileScenarioWithContext(loaded, variant);
  const invariants = compiled.plan.invariants.length === 0 && compiled.plan.customInvariants.length === 0 ? INVARIANTS.map((i) => i.name) : compiled.plan.invariants;
  const plan: RunPlan = { ...compiled.plan, invariants };
  if (plan.attackers.length === 0) {
    throw new ScenarioError('E_CHECK', `${loaded.file} declares no attacker`, null, [
      'give a process `role: attacker` (or name it "attacker"): the checker generates its steps',
    ]);
  }
  const engine = createEngine(plan);
  startPlan(engine, plan);
  for (const step of plan.steps) executeStep(engine, step);
  const state = engine.state;
  const processes = state.kernel.processes.ids.map((pid) => state.kernel.processes.byId[pid]!.name);
  return {
    loaded,
    compiled,
    variant,
    plan,
    base: state,
    resume: { seq: engine.eventCount, tick: engine.tick },
    violationsBefore: state.scenario.violations.length,
    attackers: plan.attackers,
    others: processes.filter((name) => !plan.attackers.includes(name)),
    pools: poolsOf(compiled, state),
    files: filePoolsOf(plan, state, processes),
  };
}

function poolsOf(compiled: CompiledWorld, state: MachineState): AddressPools {
  const mapped: Record<string, bigint[]> = {};
  for (const [name, list] of compiled.context.mappings) {
    mapped[name] = list.flatMap((m) => pagesOf(m.start, m.end));
  }
  const layout = kernelLayoutOf(compiled.plan.config);
  const kernel: bigint[] = [];
  for (const name of state.observer.secrets.ids) {
    const secret = state.observer.secrets.byName[name]!;
    if (secret.owner === 'kernel') kernel.push(BigInt(secret.va));
  }
  if (layout.directMap !== null) kernel.push(layout.directMap.base, layout.directMap.base + 0x200000n);
  if (layout.text !== null) kernel.push(layout.text.va);
  const used = new Set(Object.values(mapped).flat().map((va) => hex(va)));
  const free = [0x10000000n, 0x20000000n, 0x30000000n, 0x7f0000000000n].filter((va) => va < layout.userTop && !used.has(hex(va)));
  return { mapped, kernel, free, userTop: layout.userTop };
}

const ESCAPE_PATHS = ['/', '/etc/shadow', '/etc/passwd', '/tmp', '/tmp/x', '.', '..', '../..', '../../etc/shadow'];

function filePoolsOf(plan: RunPlan, state: MachineState, processes: readonly string[]): FilePools {
  const setup = plan.setup.find((command) => command.type === 'vfs.setup');
  const declared = ((setup?.data as { entries?: readonly { path: string }[] } | undefined)?.entries ?? []).map((entry) => entry.path);
  if (declared.length === 0) return { paths: [], ids: [], processes };
  const ids = new Set<number>();
  for (const pid of state.kernel.processes.ids) {
    const creds = state.kernel.processes.byId[pid]!.creds;
    for (const id of [creds.ruid, creds.euid, creds.suid, creds.rgid, creds.egid, creds.sgid]) ids.add(id);
  }
  ids.add(0);
  ids.add(65534);
  return { paths: [...new Set([...declared, ...ESCAPE_PATHS])], ids: [...ids].sort((a, b) => a - b), processes };
}

function pagesOf(start: bigint, end: bigint): bigint[] {
  const out: bigint[] = [];
  for (let va = start; va < end && out.length < 16; va += 0x1000n) out.push(va);
  return out;
}
