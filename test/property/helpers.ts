// Shared generators and runners for the property tests: scenario TEXT built from
// fast-check arbitraries (the most realistic way to drive the engine: parse, compile,
// run), a reader that resolves imports against the bundled scenarios, and small
// helpers that run a plan while collecting every event envelope or writing its trace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compileScenario, loadScenario, variantAxes, variantMatrix, type LoadedScenario, type ReadSource } from '../../dsl/compile/index.js';
import { locationOf } from '../../dsl/compile/values.js';
import type { Envelope } from '../../engine/core/decider.js';
import { ScenarioError } from '../../engine/core/errors.js';
import type { Limits } from '../../engine/core/limits.js';
import { initialMachineState } from '../../engine/machine/initial.js';
import { foldMachine } from '../../engine/machine/mechanisms.js';
import type { MachineState } from '../../engine/machine/state.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan, type RunResult } from '../../engine/scenario/run.js';
import { recordRun } from '../../engine/trace/record.js';

// ------------------------------------------------------------------ files and plans

/** The bundled scenario library, resolved from this file so the cwd does not matter. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Small limits for runs of generated or mutated scenarios. */
export const SMALL_LIMITS: Limits = { maxEvents: 50_000, maxCommands: 50_000 };

/** Every bundled scenario (scenarios/**\/*.isl, except the shared setup in scenarios/common), as paths relative to SCENARIOS_DIR. */
export function bundledScenarioFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (relative(SCENARIOS_DIR, full) !== 'common') walk(full);
      } else if (name.endsWith('.isl')) {
        out.push(relative(SCENARIOS_DIR, full));
      }
    }
  };
  walk(SCENARIOS_DIR);
  return out;
}

/**
 * A ReadSource over in-memory texts first, then the bundled scenarios directory; an
 * import names a path relative to SCENARIOS_DIR. A missing file is a located
 * ScenarioError, as the CLI's reader reports it.
 */
export function readerFor(texts: Readonly<Record<string, string>> = {}): ReadSource {
  return (path, from) => {
    const own = texts[path];
    if (own !== undefined) return { file: path, text: own };
    // Relative to the file that names it, as the CLI reads (imports, attached files).
    const file = from === null ? path : join(dirname(from.source), path);
    try {
      return { file, text: readFileSync(join(SCENARIOS_DIR, file), 'utf8') };
    } catch {
      throw new ScenarioError('E_READ', `cannot read ${path}: no such file`, from === null ? null : locationOf(from));
    }
  };
}

/** Loads a scenario text (imports resolved against the bundled scenarios). */
export function loadText(text: string, file = 'generated.isl'): LoadedScenario {
  return loadScenario(file, readerFor({ [file]: text }));
}

/** Every variant combination of a loaded scenario, first value first. */
export function variantsOf(loaded: LoadedScenario): Record<string, string>[] {
  return variantMatrix(variantAxes(loaded));
}

/** Loads and compiles the first variant of a scenario text. */
export function compileText(text: string, file = 'generated.isl'): { loaded: LoadedScenario; plan: RunPlan } {
  const loaded = loadText(text, file);
  return { loaded, plan: compileScenario(loaded, variantsOf(loaded)[0]!) };
}

/** Runs a plan and returns its result together with every envelope the engine published, in order. */
export function runCollecting(plan: RunPlan, limits?: Limits): { result: RunResult; events: Envelope[] } {
  const events: Envelope[] = [];
  const result = runPlan(plan, { limits, onEngine: (engine) => void engine.events$.subscribe((envelope) => events.push(envelope)) });
  return { result, events };
}

/** Runs a plan while recording its trace; returns the whole trace text (one line per record, newline-terminated). */
export function recordText(plan: RunPlan, loaded: LoadedScenario, limits?: Limits): { text: string; result: RunResult } {
  const lines: string[] = [];
  const result = recordRun(plan, loaded.files, (line) => lines.push(line), { limits });
  return { text: lines.map((line) => line + '\n').join(''), result };
}

/**
 * Folds the envelopes from the plan's initial state with the engine's own reducers and
 * calls `visit` with the state before and after each one: how a checker sees the state
 * at the time of an event without trusting the engine's invariants.
 */
export function foldEvents(plan: RunPlan, events: readonly Envelope[], visit: (before: MachineState, event: Envelope, after: MachineState) => void): MachineState {
  let state = initialMachineState(plan.config, plan.features);
  for (const event of events) {
    const before = state;
    state = foldMachine(state, event);
    visit(before, event, state);
  }
  return state;
}

/** The virtual address of each piece of an access: the CPU splits it at page boundaries (engine/hw/cpu/access.ts). */
export function accessPieces(va: bigint, size: number): bigint[] {
  const out: bigint[] = [];
  const page = BigInt(PAGE_BYTES);
  for (let at = va; at < va + BigInt(size); at = (at / page + 1n) * page) out.push(at);
  return out;
}

// ------------------------------------------------------------------ scenario generator

/** Process names; none is a keyword or a reserved actor. */
export const PROCESS_NAMES = ['alice', 'bob', 'carol', 'dave'] as const;
export const PAGE_BYTES = 4096;

/**
 * Where mappings go: slots of four pages, so that mappings in different slots never
 * overlap. The first eight share one page table (a process's mappings sit side by
 * side, and other processes use the same addresses); the next four have a page table
 * each, the last four a page directory each, high in user space.
 */
export const SLOT_BASES: readonly bigint[] = [
  ...Array.from({ length: 8 }, (_, i) => 0x400000n + BigInt(i) * 0x4000n),
  ...Array.from({ length: 4 }, (_, i) => 0x10000000n + BigInt(i) * 0x200000n),
  ...Array.from({ length: 4 }, (_, i) => 0x7f0000000000n + BigInt(i) * 0x40000000n),
];
export const SLOT_PAGES = 4;

/** Kernel-half and special addresses a user process must never reach. */
export const KERNEL_ADDRESSES: readonly bigint[] = [
  0xffff888000001000n, // direct map of physical page 1 (reserved low memory)
  0xffff888000100000n, // direct map of 1 MiB: the kernel's first frames, page tables among them
  0xffff888000107000n, // direct map of the first frames user mappings get (an alias of user data)
  0xffff888000300000n, // direct map of the kernel text's frames
  0xffffffff81000000n, // kernel text
  0xffffffff81000ff0n, // kernel text, near a page end
  0x800000000000n, // non-canonical
  0x0n, // the null page
];

export type Perms = 'r' | 'rw' | 'r-x' | 'rwx';
export const PERMS: readonly Perms[] = ['r', 'rw', 'r-x', 'rwx'];
export type AccessKind = 'read' | 'write' | 'jump';

export type Target =
  | { readonly kind: 'own'; readonly which: number; readonly offset: number }
  | { readonly kind: 'other'; readonly other: number; readonly which: number; readonly offset: number }
  | { readonly kind: 'slot'; readonly slot: number; readonly offset: number }
  | { readonly kind: 'kernel'; readonly index: number }
  | { readonly kind: 'pageEnd'; readonly which: number };

/** What a generated step means before it is checked against the mappings that exist at that point. */
export type Intent =
  | { readonly kind: 'map'; readonly proc: number; readonly slot: number; readonly pages: number; readonly perms: Perms; readonly supervisor: boolean; readonly region: number | null }
  | { readonly kind: 'unmap'; readonly proc: number; readonly which: number; readonly first: number; readonly count: number }
  | { readonly kind: 'protect'; readonly proc: number; readonly which: number; readonly first: number; readonly count: number; readonly perms: Perms }
  | { readonly kind: 'access'; readonly proc: number; readonly access: AccessKind; readonly target: Target; readonly size: number; readonly value: number; readonly times: number }
  | { readonly kind: 'raw'; readonly access: AccessKind; readonly target: Target; readonly cpl: number }
  | { readonly kind: 'kernelRead'; readonly proc: number; readonly target: Target }
  | { readonly kind: 'timer' }
  | { readonly kind: 'switch'; readonly proc: number };

export interface MachineChoice {
  readonly pcid: boolean;
  readonly pcids: number;
  readonly flush: boolean;
  readonly tlbEntries: number;
  readonly replacement: 'fifo' | 'lru';
  readonly timer: number | null;
  /** Frame allocation order: lowest free frame first, or drawn from the seeded stream. */
  readonly allocation: 'sequential' | 'random';
}

export interface ScenarioSpec {
  readonly processes: number;
  readonly catches: readonly boolean[];
  /** Region sizes in pages. */
  readonly regions: readonly number[];
  readonly machine: MachineChoice;
  readonly intents: readonly Intent[];
  readonly secrets: readonly { readonly proc: number; readonly which: number }[];
}

/** A mapping as the kernel records it after protect and unmap split it. */
export interface ModelMapping {
  readonly start: bigint;
  readonly pages: number;
  readonly perms: Perms;
  readonly supervisor: boolean;
  readonly region: string | null;
}

export interface GeneratedScenario {
  readonly text: string;
  readonly spec: ScenarioSpec;
  readonly names: readonly string[];
}

/** Which kinds of step a generator may produce. */
export interface GeneratorOptions {
  readonly minProcesses: number;
  readonly maxProcesses: number;
  readonly maxIntents: number;
  /** Mappings with the `kernel` flag (U/S=0) in user space. */
  readonly supervisor: boolean;
  /** `cpu: read … cpl 3` raw accesses through whatever address space is current. */
  readonly raw: boolean;
  /** `kernel in P: read … with ac` steps (kernel-mode reads, which may oops). */
  readonly kernelReads: boolean;
  /** Process secrets (placed when the line is reached). */
  readonly secrets: boolean;
  /** The machine and kernel choices; correct defences unless a test says otherwise. */
  readonly machine: fc.Arbitrary<MachineChoice>;
  /** Relative weights of the step kinds (defaults: map 3, unmap 2, protect 2, access 10, timer 1, switch 1, raw 4, kernelRead 2). */
  readonly weights?: Partial<Record<'map' | 'unmap' | 'protect' | 'access' | 'timer' | 'switch' | 'raw' | 'kernelRead', number>>;
}

/** Correct defences: flush on switch, any PCID setting, SMEP/SMAP/NX on (the cpu line is fixed). */
export const correctMachine: fc.Arbitrary<MachineChoice> = fc.record({
  pcid: fc.boolean(),
  pcids: fc.integer({ min: 1, max: 6 }),
  flush: fc.constant(true),
  tlbEntries: fc.constantFrom(2, 4, 8, 64),
  replacement: fc.constantFrom('fifo' as const, 'lru' as const),
  timer: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  allocation: fc.constantFrom('sequential' as const, 'random' as const),
});

/** Any machine and kernel, broken defences included: for properties that must hold whatever the defences. */
export const anyMachine: fc.Arbitrary<MachineChoice> = fc.record({
  pcid: fc.boolean(),
  pcids: fc.integer({ min: 1, max: 6 }),
  flush: fc.boolean(),
  tlbEntries: fc.constantFrom(1, 2, 8, 64),
  replacement: fc.constantFrom('fifo' as const, 'lru' as const),
  timer: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  allocation: fc.constantFrom('sequential' as const, 'random' as const),
});

const DEFAULT_OPTIONS: GeneratorOptions = {
  minProcesses: 2,
  maxProcesses: 4,
  maxIntents: 30,
  supervisor: false,
  raw: false,
  kernelReads: false,
  secrets: false,
  machine: correctMachine,
};

/** One mapping in three is supervisor-only when a generator allows them. */
const supervisorFlag = fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

function targetArb(options: GeneratorOptions): fc.Arbitrary<Target> {
  const offset = fc.integer({ min: 0, max: SLOT_PAGES * PAGE_BYTES - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('own' as const), which: fc.nat(7), offset }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('other' as const), other: fc.nat(3), which: fc.nat(7), offset }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('slot' as const), slot: fc.nat(SLOT_BASES.length - 1), offset }) },
    { weight: options.supervisor || options.raw ? 2 : 1, arbitrary: fc.record({ kind: fc.constant('kernel' as const), index: fc.nat(KERNEL_ADDRESSES.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('pageEnd' as const), which: fc.nat(7) }) },
  );
}

function intentArb(options: GeneratorOptions): fc.Arbitrary<Intent> {
  const proc = fc.nat(3);
  const w = { map: 3, unmap: 2, protect: 2, access: 10, timer: 1, switch: 1, raw: options.raw ? 4 : 0, kernelRead: options.kernelReads ? 2 : 0, ...options.weights };
  const target = targetArb(options);
  const arbs: { weight: number; arbitrary: fc.Arbitrary<Intent> }[] = [
    {
      weight: w.map,
      arbitrary: fc.record({
        kind: fc.constant('map' as const),
        proc,
        slot: fc.nat(SLOT_BASES.length - 1),
        pages: fc.integer({ min: 1, max: SLOT_PAGES }),
        perms: fc.constantFrom(...PERMS),
        supervisor: options.supervisor ? supervisorFlag : fc.constant(false),
        region: fc.option(fc.nat(3), { nil: null, freq: 3 }),
      }),
    },
    { weight: w.unmap, arbitrary: fc.record({ kind: fc.constant('unmap' as const), proc, which: fc.nat(7), first: fc.nat(3), count: fc.integer({ min: 1, max: 4 }) }) },
    {
      weight: w.protect,
      arbitrary: fc.record({ kind: fc.constant('protect' as const), proc, which: fc.nat(7), first: fc.nat(3), count: fc.integer({ min: 1, max: 4 }), perms: fc.constantFrom(...PERMS) }),
    },
    {
      weight: w.access,
      arbitrary: fc.record({
        kind: fc.constant('access' as const),
        proc,
        access: fc.constantFrom('read' as const, 'read' as const, 'write' as const, 'jump' as const),
        target,
        size: fc.constantFrom(1, 2, 4, 8),
        value: fc.nat(255),
        // The same access again at once: a TLB hit unless something intervened.
        times: fc.constantFrom(1, 1, 2, 3),
      }),
    },
    { weight: w.timer, arbitrary: fc.constant({ kind: 'timer' as const }) },
    { weight: w.switch, arbitrary: fc.record({ kind: fc.constant('switch' as const), proc }) },
    { weight: w.raw, arbitrary: fc.record({ kind: fc.constant('raw' as const), access: fc.constantFrom('read' as const, 'write' as const, 'jump' as const), target, cpl: fc.constantFrom(3, 3, 3, 0) }) },
    { weight: w.kernelRead, arbitrary: fc.record({ kind: fc.constant('kernelRead' as const), proc, target }) },
  ];
  return fc.oneof(...arbs.filter((a) => a.weight > 0));
}

/** Initial mappings of process `proc`: one to three map steps before anything else. */
function initialMapsArb(options: GeneratorOptions, proc: number): fc.Arbitrary<Intent[]> {
  return fc.array(
    fc.record({
      kind: fc.constant('map' as const),
      proc: fc.constant(proc),
      slot: fc.nat(SLOT_BASES.length - 1),
      pages: fc.integer({ min: 1, max: SLOT_PAGES }),
      perms: fc.constantFrom(...PERMS),
      supervisor: options.supervisor ? supervisorFlag : fc.constant(false),
      region: fc.option(fc.nat(3), { nil: null, freq: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

/** Random scenario specs: processes, regions, a machine, initial mappings and a sequence of step intents. */
export function scenarioSpecArb(partial: Partial<GeneratorOptions> = {}): fc.Arbitrary<ScenarioSpec> {
  const options: GeneratorOptions = { ...DEFAULT_OPTIONS, ...partial };
  return fc.integer({ min: options.minProcesses, max: options.maxProcesses }).chain((processes) =>
    fc.record({
      processes: fc.constant(processes),
      catches: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { minLength: processes, maxLength: processes }),
      regions: fc.array(fc.integer({ min: 1, max: SLOT_PAGES }), { maxLength: 2 }),
      machine: options.machine,
      intents: fc
        .tuple(
          fc.tuple(...Array.from({ length: processes }, (_, proc) => initialMapsArb(options, proc))),
          fc.array(intentArb(options), { maxLength: options.maxIntents, size: 'max' }),
        )
        .map(([initial, rest]): Intent[] => [...initial.flat(), ...rest]),
      secrets: options.secrets ? fc.array(fc.record({ proc: fc.nat(3), which: fc.nat(7) }), { maxLength: 2 }) : fc.constant([]),
    }),
  );
}

/** Random scenario texts that always compile (see renderScenario), with the spec they came from. */
export function scenarioArb(partial: Partial<GeneratorOptions> = {}): fc.Arbitrary<GeneratedScenario> {
  return scenarioSpecArb(partial).map(renderScenario);
}

const hexOf = (value: bigint | number): string => '0x' + value.toString(16);

function machineText(machine: MachineChoice): string[] {
  const lines = [
    'machine {',
    '  cpu x86_64 { smep: on, smap: on, nx: on }',
    `  tlb ${machine.tlbEntries} entries { pcid: ${machine.pcid ? 'on' : 'off'}, replace: ${machine.replacement} }`,
    `  alloc ${machine.allocation}`,
    '}',
    '',
    'kernel {',
    `  switch { flush: ${machine.flush ? 'on' : 'off'}, pcids: ${machine.pcids} }`,
  ];
  if (machine.timer !== null) lines.push(`  timer every ${machine.timer} ticks`);
  lines.push('}', '');
  return lines;
}

/**
 * Renders a spec as scenario text, checking each intent against a model of the
 * mappings that exist at that point (as the kernel records them), so that every step
 * compiles: a map that would overlap is dropped, an unmap or protect picks a range
 * inside one existing mapping, an access picks its address from the mappings.
 *
 * The model splits a mapping when protect or a partial unmap cuts it, as the kernel's
 * VMAs do; unmap/protect ranges stay inside one piece.
 */
export function renderScenario(spec: ScenarioSpec): GeneratedScenario {
  const names = PROCESS_NAMES.slice(0, spec.processes);
  const regionNames = spec.regions.map((_, i) => `shm${i}`);
  const lines: string[] = ['scenario "generated"', 'seed 1', 'invariant all', '', ...machineText(spec.machine)];
  spec.regions.forEach((pages, i) => lines.push(`region ${regionNames[i]} size ${pages * 4} KiB`));
  names.forEach((name, i) => lines.push(`process ${name} { uid: ${1000 + i}${spec.catches[i] ? ', catch: SIGSEGV' : ''} }`));
  lines.push('');
  const mappings: ModelMapping[][] = names.map(() => []);
  let secretIndex = 0;
  let stepsSoFar = 0;
  const pendingSecrets = [...spec.secrets];
  for (const intent of spec.intents) {
    const line = renderIntent(intent, names, regionNames, spec.regions, mappings, stepsSoFar > 0);
    if (line === null) continue;
    lines.push(line);
    stepsSoFar++;
    if (intent.kind === 'map' && pendingSecrets.length > 0) {
      const secret = pendingSecrets[0]!;
      const name = names[secret.proc % names.length]!;
      const own = mappings[names.indexOf(name)]!;
      if (own.length > 0) {
        const mapping = own[secret.which % own.length]!;
        const id = secretIndex++;
        lines.push(`secret s${id} "key${id}" at ${hexOf(mapping.start + 8n)} in ${name}`);
        pendingSecrets.shift();
      }
    }
  }
  return printableScenario({ text: lines.join('\n') + '\n', spec, names });
}

/**
 * Makes a counterexample print as the scenario file that replays it (fast-check prints
 * a value through its toStringMethod), preceded by `label` when given.
 */
export function printableScenario<T extends { readonly text: string }>(value: T, label = ''): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => `${label}scenario text:\n${value.text}`, enumerable: false });
  return value;
}

function overlaps(list: readonly ModelMapping[], start: bigint, pages: number): boolean {
  const end = start + BigInt(pages * PAGE_BYTES);
  return list.some((m) => start < m.start + BigInt(m.pages * PAGE_BYTES) && end > m.start);
}

/** Cuts pages [first, first+count) of mapping `index` out of `list`, replacing them with `middle` (or nothing). */
function cutMapping(list: ModelMapping[], index: number, first: number, count: number, middle: ((piece: ModelMapping) => ModelMapping) | null): void {
  const m = list[index]!;
  const pieces: ModelMapping[] = [];
  const at = (page: number) => m.start + BigInt(page * PAGE_BYTES);
  if (first > 0) pieces.push({ ...m, pages: first });
  if (middle !== null) pieces.push(middle({ ...m, start: at(first), pages: count }));
  if (first + count < m.pages) pieces.push({ ...m, start: at(first + count), pages: m.pages - first - count });
  list.splice(index, 1, ...pieces);
  list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

function targetAddress(target: Target, self: number, mappings: readonly ModelMapping[][]): bigint | null {
  switch (target.kind) {
    case 'own':
    case 'other': {
      const owner = target.kind === 'own' ? self : target.other % mappings.length;
      const list = mappings[owner]!;
      if (list.length === 0) return SLOT_BASES[target.which % SLOT_BASES.length]! + BigInt(target.offset);
      const m = list[target.which % list.length]!;
      return m.start + BigInt(target.offset % (m.pages * PAGE_BYTES));
    }
    case 'slot':
      return SLOT_BASES[target.slot % SLOT_BASES.length]! + BigInt(target.offset);
    case 'kernel':
      return KERNEL_ADDRESSES[target.index % KERNEL_ADDRESSES.length]!;
    case 'pageEnd': {
      const list = mappings[self]!;
      if (list.length === 0) return null;
      const m = list[target.which % list.length]!;
      return m.start + BigInt(m.pages * PAGE_BYTES - 2);
    }
  }
}

function accessText(access: AccessKind, address: bigint, size: number, value: number): string {
  if (access === 'jump') return `jump ${hexOf(address)}`;
  if (access === 'read') return `read ${hexOf(address)}${size === 1 ? '' : ` size ${size}`}`;
  return `write ${hexOf(address)} = ${hexOf(value)}${size === 1 ? '' : ` size ${size}`}`;
}

function renderIntent(
  intent: Intent,
  names: readonly string[],
  regionNames: readonly string[],
  regionPages: readonly number[],
  mappings: ModelMapping[][],
  anyStepBefore: boolean,
): string | null {
  switch (intent.kind) {
    case 'map': {
      const self = intent.proc % names.length;
      const start = SLOT_BASES[intent.slot % SLOT_BASES.length]!;
      const region = intent.region === null || regionNames.length === 0 ? null : intent.region % regionNames.length;
      const pages = region === null ? intent.pages : Math.min(intent.pages, regionPages[region]!);
      if (overlaps(mappings[self]!, start, pages)) return null;
      mappings[self]!.push({ start, pages, perms: intent.perms, supervisor: intent.supervisor, region: region === null ? null : regionNames[region]! });
      mappings[self]!.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      const shared = region === null ? '' : ` shared ${regionNames[region]}`;
      return `${names[self]}: map ${hexOf(start)} size ${pages * 4} KiB ${intent.perms} ${intent.supervisor ? 'kernel' : 'user'}${shared}`;
    }
    case 'unmap':
    case 'protect': {
      const self = intent.proc % names.length;
      const list = mappings[self]!;
      if (list.length === 0) return null;
      const index = intent.which % list.length;
      const m = list[index]!;
      const first = intent.first % m.pages;
      const count = Math.min(intent.count, m.pages - first);
      const start = m.start + BigInt(first * PAGE_BYTES);
      if (intent.kind === 'unmap') {
        cutMapping(list, index, first, count, null);
        return `${names[self]}: unmap ${hexOf(start)} size ${count * 4} KiB`;
      }
      const perms = intent.perms;
      cutMapping(list, index, first, count, (piece) => ({ ...piece, perms }));
      return `${names[self]}: protect ${hexOf(start)} size ${count * 4} KiB ${perms}`;
    }
    case 'access': {
      const self = intent.proc % names.length;
      const address = targetAddress(intent.target, self, mappings);
      if (address === null) return null;
      const line = `${names[self]}: ${accessText(intent.access, address, intent.size, intent.value)}`;
      return Array.from({ length: intent.times }, () => line).join('\n');
    }
    case 'raw': {
      if (!anyStepBefore) return null;
      const address = targetAddress(intent.target, 0, mappings);
      if (address === null) return null;
      const text = accessText(intent.access, address, intent.access === 'jump' ? 1 : 4, 0x5a);
      // Supervisor-mode raw writes and fetches could rewrite page tables through the
      // direct map: a power outside every threat model these properties state.
      return `cpu: ${text} cpl ${intent.access === 'read' ? intent.cpl : 3}`;
    }
    case 'kernelRead': {
      const self = intent.proc % names.length;
      const address = targetAddress(intent.target, self, mappings);
      if (address === null) return null;
      return `kernel in ${names[self]}: read ${hexOf(address)} with ac`;
    }
    case 'timer':
      return 'kernel: timer';
    case 'switch':
      return `kernel: switch to ${names[intent.proc % names.length]}`;
  }
}
