/**
 * The scenario compiler: resolves imports, expands variants into a matrix, and turns
 * one variant of a scenario into a RunPlan for the engine. Every semantic mistake —
 * unknown process, non-canonical address, overlapping map, a mapping or a raw entry
 * outside physical memory, an unknown variant — is a ScenarioError located at the
 * offending text, with a suggestion where a near word exists.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import type { Command } from '../../engine/core/decider.js';
import { bytesToHex, utf8Bytes } from '../../engine/core/bytes.js';
import { hex } from '../../engine/core/u64.js';
import { INVARIANTS } from '../../engine/machine/invariants.js';
import { directMapPhysical, kernelLayoutOf, minimumMemoryBytes } from '../../engine/kernel/layout.js';
import type { PlannedAssertion, PlannedStep, RunPlan } from '../../engine/scenario/plan.js';
import type {
  AssertStatement,
  BlockStatement,
  CustomInvariantStatement,
  Document,
  ProcessStatement,
  RepeatStatement,
  SettingStatement,
  Span,
  Statement,
  StepStatement,
  VariantStatement,
} from '../ast.js';
import { STATEMENT_KEYWORDS, parseScenario } from '../parse.js';
import { nearest } from '../suggest.js';
import { compileAssertion, compileCustomInvariant } from './expect.js';
import { compileFs, compileProcess } from './world.js';
import { SETTING_EXTENSIONS, type ExtensionContext } from './extensions.js';
import { compileKernel, compileMachine, compileRaw, zeroSpan } from './machine.js';
import { compileStep, conditionsHold, type StepContext } from './steps.js';
import {
  type Bindings,
  describe,
  expectInteger,
  expectSize,
  expectSmallInteger,
  expectString,
  expectWord,
  fail,
  suggestionNotes,
} from './values.js';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

/** A scenario with its imports spliced in, ready to compile under any variant. */
export interface LoadedScenario {
  readonly file: string;
  readonly source: string;
  /** The scenario, its imports and the files its settings attach (`… from "path"`). */
  readonly files: readonly SourceFile[];
  readonly statements: readonly Statement[];
  /** Each attached file, by the location of the string that names it. */
  readonly attachments: readonly Attachment[];
}

/** A data file a setting names with `from "path"` (a seccomp profile, a BPF program…). */
export interface Attachment {
  readonly at: Span;
  readonly file: SourceFile;
}

export type ReadSource = (path: string, from: Span | null) => SourceFile;

const HEADER_ONLY = new Set(['scenario', 'about', 'teaches', 'seed']);
export const MAX_STEPS = 1_000_000;

/** Parses a scenario and its imports (depth first, each file once, cycles refused). */
export function loadScenario(file: string, read: ReadSource): LoadedScenario {
  const files: SourceFile[] = [];
  const main = read(file, null);
  const statements = loadFile(main, read, files, [main.file]);
  const attachments = attachedFiles(statements, read);
  for (const { file: attached } of attachments) if (!files.some((f) => f.file === attached.file)) files.push(attached);
  return { file: main.file, source: main.text, files, statements, attachments };
}

/** Reads the files that settings attach: a `from` word followed by a "path" (relative to the file it is written in). */
function attachedFiles(statements: readonly Statement[], read: ReadSource): Attachment[] {
  const attachments: Attachment[] = [];
  for (const statement of statements) {
    if (statement.kind !== 'setting') continue;
    statement.args.forEach((arg, index) => {
      const path = statement.args[index + 1];
      if (arg.kind === 'word' && arg.value === 'from' && path?.kind === 'string') attachments.push({ at: path.loc, file: read(path.value, path.loc) });
    });
  }
  return attachments;
}

/** The file attached at a string's location (see attachedFiles). */
export function attachmentAt(loaded: LoadedScenario, at: Span): SourceFile | null {
  return loaded.attachments.find((a) => a.at.source === at.source && a.at.start.offset === at.start.offset)?.file ?? null;
}

function loadFile(source: SourceFile, read: ReadSource, files: SourceFile[], stack: string[]): Statement[] {
  files.push(source);
  const document: Document = parseScenario(source.text, source.file);
  const out: Statement[] = [];
  for (const statement of document.statements) {
    if (statement.kind !== 'import') {
      if (stack.length > 1 && HEADER_ONLY.has(statement.kind)) {
        fail('E_IMPORT', `"${statement.kind}" belongs in the main scenario file, not in an imported one`, statement.loc);
      }
      out.push(statement);
      continue;
    }
    const imported = read(statement.path.value, statement.path.loc);
    if (stack.includes(imported.file)) {
      fail('E_IMPORT_CYCLE', `importing ${imported.file} again would loop: ${[...stack, imported.file].join(' -> ')}`, statement.path.loc);
    }
    if (files.some((f) => f.file === imported.file)) continue;
    out.push(...loadFile(imported, read, files, [...stack, imported.file]));
  }
  return out;
}

export interface VariantAxis {
  readonly name: string;
  readonly values: readonly string[];
}

export function variantAxes(loaded: LoadedScenario): VariantAxis[] {
  const axes: VariantAxis[] = [];
  for (const statement of loaded.statements) {
    if (statement.kind !== 'variant') continue;
    if (axes.some((axis) => axis.name === statement.name.value)) {
      fail('E_DUPLICATE', `variant ${statement.name.value} is declared twice`, statement.name.loc);
    }
    const values = statement.values.map((value) => value.value);
    if (new Set(values).size !== values.length) fail('E_DUPLICATE', `variant ${statement.name.value} lists a value twice`, statement.loc);
    axes.push({ name: statement.name.value, values });
  }
  return axes;
}

/**
 * Every combination of variant values, first value first, fixing the ones given
 * (`--variant flush=off`). An unknown name or value is a ScenarioError.
 */
export function variantMatrix(axes: readonly VariantAxis[], fixed: Readonly<Record<string, string>> = {}): Record<string, string>[] {
  for (const [name, value] of Object.entries(fixed)) {
    const axis = axes.find((a) => a.name === name);
    if (axis === undefined) {
      throw new ScenarioError('E_UNKNOWN_VARIANT', `the scenario has no variant "${name}"`, null, [
        ...suggestionNotes(nearest(name, axes.map((a) => a.name))),
        axes.length === 0 ? 'it declares no variants' : `its variants: ${axes.map((a) => `${a.name} (${a.values.join('|')})`).join(', ')}`,
      ]);
    }
    if (!axis.values.includes(value)) {
      throw new ScenarioError('E_UNKNOWN_VARIANT', `variant ${name} has no value "${value}"`, null, [
        ...suggestionNotes(nearest(value, axis.values)),
        `its values: ${axis.values.join(', ')}`,
      ]);
    }
  }
  let combos: Record<string, string>[] = [{}];
  for (const axis of axes) {
    const values = fixed[axis.name] !== undefined ? [fixed[axis.name]!] : axis.values;
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [axis.name]: value })));
  }
  return combos;
}

interface Header {
  title: string;
  about: string | null;
  teaches: number[];
  seed: number;
  invariants: string[];
}

function compileHeader(loaded: LoadedScenario, bindings: Bindings): Header {
  const header: Header = { title: loaded.file, about: null, teaches: [], seed: 0, invariants: [] };
  const known = INVARIANTS.map((invariant) => invariant.name);
  for (const statement of loaded.statements) {
    switch (statement.kind) {
      case 'scenario':
        header.title = statement.title.value;
        break;
      case 'about':
        header.about = statement.text.value;
        break;
      case 'teaches':
        header.teaches = statement.concepts.map((value) => expectSmallInteger(value, 'a concept number', statement.loc, bindings, 1, 60));
        break;
      case 'seed':
        header.seed = expectSmallInteger(statement.seed, 'a seed', statement.loc, bindings, 0, Number.MAX_SAFE_INTEGER);
        break;
      case 'invariant':
        for (const name of statement.names) {
          if (name.value === 'all') header.invariants.push(...known);
          else if (known.includes(name.value)) header.invariants.push(name.value);
          else fail('E_UNKNOWN_INVARIANT', `no invariant is named "${name.value}" (isolab list invariants shows them)`, name.loc, suggestionNotes(nearest(name.value, known)));
        }
        break;
    }
  }
  header.invariants = [...new Set(header.invariants)];
  return header;
}

function singleBlock(loaded: LoadedScenario, name: string): BlockStatement | null {
  const blocks = loaded.statements.filter((s): s is BlockStatement => s.kind === 'block' && s.name.value === name);
  if (blocks.length > 1) fail('E_DUPLICATE', `only one ${name} block is allowed (the first is at line ${blocks[0]!.loc.start.line})`, blocks[1]!.name.loc);
  return blocks[0] ?? null;
}


function compileRegion(statement: SettingStatement, bindings: Bindings): { command: Command; name: string; sizeBytes: number } {
  const name = expectWord(statement.args[0], 'a region name', statement.name.loc, bindings).value;
  const sizeWord = expectWord(statement.args[1], '"size"', statement.name.loc, bindings);
  if (sizeWord.value !== 'size') fail('E_SYNTAX', `expected "region NAME size SIZE", found "${sizeWord.value}"`, sizeWord.loc);
  const sizeBytes = expectSize(statement.args[2], 'the region size', statement.name.loc, bindings);
  let content = '';
  if (statement.args[3] !== undefined) {
    const word = expectWord(statement.args[3], '"content"', statement.name.loc, bindings);
    if (word.value !== 'content') fail('E_SYNTAX', `expected content "…", found "${word.value}"`, word.loc);
    content = expectString(statement.args[4], 'the content', statement.name.loc, bindings);
  }
  for (const prop of statement.props ?? []) {
    if (prop.key.value !== 'content') fail('E_UNKNOWN_PROPERTY', `"${prop.key.value}" is not a property of a region (content)`, prop.key.loc);
    content = expectString(prop.value, 'the content', prop.key.loc, bindings);
  }
  const bytes = utf8Bytes(content);
  if (bytes.length > sizeBytes) fail('E_RANGE', `the content (${bytes.length} bytes) is larger than the region (${sizeBytes} bytes)`, statement.loc);
  return { command: { type: 'kernel.createRegion', actor: 'kernel', data: { name, sizeBytes, content: bytesToHex(bytes) } }, name, sizeBytes };
}

interface SecretSpec {
  readonly name: string;
  readonly value: string;
  readonly va: bigint;
  readonly owner: string;
  readonly statement: SettingStatement;
}

function parseSecret(statement: SettingStatement, bindings: Bindings, processes: ReadonlySet<string>): SecretSpec {
  const anchor = statement.name.loc;
  const name = expectWord(statement.args[0], 'a secret name', anchor, bindings).value;
  const value = expectString(statement.args[1], 'the secret value', anchor, bindings);
  if (value.length === 0) fail('E_RANGE', 'a secret needs at least one byte', statement.args[1]!.loc);
  const at = expectWord(statement.args[2], '"at"', anchor, bindings);
  if (at.value !== 'at') fail('E_SYNTAX', `expected secret NAME "VALUE" at ADDRESS [in PROCESS], found "${at.value}"`, at.loc);
  const va = expectInteger(statement.args[3], 'the secret address', anchor, bindings);
  let owner = 'kernel';
  if (statement.args[4] !== undefined) {
    const inWord = expectWord(statement.args[4], '"in"', anchor, bindings);
    if (inWord.value !== 'in') fail('E_SYNTAX', `expected "in PROCESS", found "${inWord.value}"`, inWord.loc);
    const process = expectWord(statement.args[5], 'a process name', anchor, bindings);
    if (!processes.has(process.value)) fail('E_UNKNOWN_PROCESS', `no process is named "${process.value}"`, process.loc, suggestionNotes(nearest(process.value, [...processes])));
    owner = process.value;
  }
  return { name, value, va, owner, statement };
}

function secretCommand(spec: SecretSpec): Command {
  return { type: 'observer.placeSecret', actor: 'observer', data: { name: spec.name, owner: spec.owner, va: spec.va, bytes: bytesToHex(utf8Bytes(spec.value)) } };
}

/** Compiles one variant of a loaded scenario into a run plan. */
export function compileScenario(loaded: LoadedScenario, variant: Readonly<Record<string, string>>): RunPlan {
  return compileScenarioWithContext(loaded, variant).plan;
}

/** A compiled scenario and the compiler's view after its last step (for appending steps). */
export interface CompiledWorld {
  readonly plan: RunPlan;
  readonly context: StepContext;
}

export function compileScenarioWithContext(loaded: LoadedScenario, variant: Readonly<Record<string, string>>): CompiledWorld {
  const axes = variantAxes(loaded);
  const bindings: Bindings = { ...variant };
  for (const axis of axes) if (bindings[axis.name] === undefined) throw new ScenarioError('E_INTERNAL_VARIANT', `no value for variant ${axis.name}`);
  const header = compileHeader(loaded, bindings);
  const processStatements = loaded.statements.filter((s): s is ProcessStatement => s.kind === 'process');
  const processes = new Set<string>();
  for (const statement of processStatements) {
    if (processes.has(statement.name.value)) fail('E_DUPLICATE', `process ${statement.name.value} is declared twice`, statement.name.loc);
    processes.add(statement.name.value);
  }
  const machine = compileMachine(singleBlock(loaded, 'machine'), header.seed, bindings);
  const kernel = compileKernel(singleBlock(loaded, 'kernel'), processes.size > 0, bindings);
  if (!kernel.boots && processes.size > 0) fail('E_NO_KERNEL', 'processes need a kernel; remove "none" from the kernel block', processStatements[0]!.loc);
  const layout = kernelLayoutOf(machine.config);
  if (kernel.boots && machine.config.memoryBytes < minimumMemoryBytes(layout)) {
    fail('E_RANGE', `a machine with a kernel needs at least ${minimumMemoryBytes(layout) / 1024 / 1024} MiB of memory`, singleBlock(loaded, 'machine')?.loc ?? zeroSpan(loaded.file));
  }
  const setup: Command[] = [];
  const fsBlock = singleBlock(loaded, 'fs');
  if (fsBlock !== null && !kernel.boots) fail('E_NO_KERNEL', 'a file system needs a kernel; remove "none" from the kernel block', fsBlock.loc);
  if (kernel.boots) setup.push({ type: 'vfs.setup', actor: 'kernel', data: compileFs(fsBlock, bindings) });
  for (const statement of loaded.statements) {
    if (statement.kind === 'block' && statement.name.value === 'raw') setup.push(...compileRaw(statement, machine.config, bindings));
  }
  const regions = new Map<string, number>();
  const secrets: SecretSpec[] = [];
  const extensionContext: ExtensionContext = { loaded, bindings, processes };
  for (const statement of loaded.statements) {
    if (statement.kind !== 'setting') continue;
    if (statement.name.value === 'region') {
      const region = compileRegion(statement, bindings);
      if (regions.has(region.name)) fail('E_DUPLICATE', `region ${region.name} is declared twice`, statement.loc);
      regions.set(region.name, region.sizeBytes);
      setup.push(region.command);
    } else if (statement.name.value === 'secret') {
      secrets.push(parseSecret(statement, bindings, processes));
    } else if (Object.prototype.hasOwnProperty.call(SETTING_EXTENSIONS, statement.name.value)) {
      setup.push(...SETTING_EXTENSIONS[statement.name.value]!(statement, extensionContext));
    } else {
      const suggestion = nearest(statement.name.value, STATEMENT_KEYWORDS);
      fail(
        'E_UNKNOWN_STATEMENT',
        `"${statement.name.value}" is not a statement`,
        statement.name.loc,
        suggestion === null ? ['a step needs its actor first: "attacker: read 0x400000"'] : suggestionNotes(suggestion),
      );
    }
  }
  const secretNames = new Set<string>();
  for (const secret of secrets) {
    if (secretNames.has(secret.name)) fail('E_DUPLICATE', `secret ${secret.name} is declared twice`, secret.statement.loc);
    secretNames.add(secret.name);
  }
  const compiledProcesses = processStatements.map((statement) => compileProcess(statement, bindings, extensionContext));
  for (const process of compiledProcesses) setup.push(process.command, ...process.then);
  for (const secret of secrets.filter((s) => s.owner === 'kernel')) {
    if (!kernel.boots) fail('E_NO_KERNEL', 'a kernel secret needs a kernel', secret.statement.loc);
    const physical = directMapPhysical(layout, secret.va);
    if (physical === null || physical + utf8Bytes(secret.value).length > machine.config.memoryBytes) {
      fail('E_OUTSIDE_MEMORY', `${hex(secret.va)} is not a kernel direct-map address of this machine's memory`, secret.statement.args[3]!.loc, [
        layout.directMap === null ? 'this machine has no kernel direct map' : `the direct map covers ${hex(layout.directMap.base)}..${hex(layout.directMap.base + BigInt(layout.directMap.bytes))}`,
      ]);
    }
    setup.push(secretCommand(secret));
  }
  const context: StepContext = {
    config: machine.config,
    bindings,
    processes,
    regions,
    kernelBoots: kernel.boots,
    expectations: { bindings, secrets: secretNames },
    mappings: new Map(),
    sourceLines: (file) => (loaded.files.find((f) => f.file === file)?.text ?? '').split(/\r?\n/),
  };
  const steps: PlannedStep[] = [];
  const assertions: PlannedAssertion[] = [];
  compileBody(loaded.statements, context, steps, assertions, secrets);
  const plan: RunPlan = {
    title: header.title,
    file: loaded.file,
    source: loaded.source,
    seed: header.seed,
    variant,
    config: machine.config,
    features: machine.features,
    boot: kernel.boots
      ? {
          timerPeriodTicks: kernel.timerPeriodTicks,
          switchPolicy: { flushOnReuse: kernel.flushOnReuse, pcidSlots: kernel.pcidSlots },
          ...(kernel.userPages.length === 0 ? {} : { userPages: kernel.userPages.map((va) => hex(va)) }),
        }
      : null,
    gates: kernel.gates,
    setup,
    steps,
    assertions,
    invariants: header.invariants,
    attackers: processStatements.filter((_, i) => compiledProcesses[i]!.attacker).map((statement) => statement.name.value),
    customInvariants: loaded.statements
      .filter((statement): statement is CustomInvariantStatement => statement.kind === 'customInvariant')
      .map((statement) => compileCustomInvariant(statement, context.expectations, processes)),
  };
  return { plan, context };
}

function compileBody(
  statements: readonly Statement[],
  context: StepContext,
  steps: PlannedStep[],
  assertions: PlannedAssertion[],
  secrets: readonly SecretSpec[],
): void {
  for (const statement of statements) {
    if (statement.kind === 'step') addStep(statement, context, steps);
    else if (statement.kind === 'repeat') expandRepeat(statement, context, steps);
    else if (statement.kind === 'assert') addAssertion(statement, context, assertions);
    else if (statement.kind === 'setting' && statement.name.value === 'secret') {
      const secret = secrets.find((s) => s.statement === statement)!;
      if (secret.owner !== 'kernel') steps.push(processSecretStep(secret, context, steps.length));
    }
  }
}

function addStep(statement: StepStatement, context: StepContext, steps: PlannedStep[]): void {
  if (steps.length >= MAX_STEPS) fail('E_LIMIT', `the scenario has more than ${MAX_STEPS} steps`, statement.loc);
  steps.push(compileStep(statement, steps.length, context));
}

function expandRepeat(statement: RepeatStatement, context: StepContext, steps: PlannedStep[]): void {
  const count = expectSmallInteger(statement.count, 'a repeat count', statement.loc, context.bindings, 0, MAX_STEPS);
  const bodySteps = countSteps(statement.body);
  if (bodySteps * count + steps.length > MAX_STEPS) {
    fail('E_LIMIT', `repeat ${count} expands to ${bodySteps * count} steps, over the limit of ${MAX_STEPS}`, statement.count.loc);
  }
  for (let i = 0; i < count; i++) {
    for (const item of statement.body) {
      if (item.kind === 'step') addStep(item, context, steps);
      else if (item.kind === 'repeat') expandRepeat(item, context, steps);
    }
  }
}

function countSteps(body: RepeatStatement['body']): number {
  let count = 0;
  for (const item of body) {
    if (item.kind === 'step') count++;
    else if (item.kind === 'repeat') count += Number(item.count.value) * countSteps(item.body);
  }
  return count;
}

function addAssertion(statement: AssertStatement, context: StepContext, assertions: PlannedAssertion[]): void {
  if (!conditionsHold(statement.when, context)) return;
  assertions.push(compileAssertion(statement, context.expectations, context.processes));
}

/** A process secret is written when its line is reached: the mapping must exist by then. */
function processSecretStep(secret: SecretSpec, context: StepContext, index: number): PlannedStep {
  const mapped = context.mappings.get(secret.owner) ?? [];
  const end = secret.va + BigInt(utf8Bytes(secret.value).length);
  if (!mapped.some((m) => secret.va >= m.start && end <= m.end)) {
    fail('E_NOT_MAPPED', `${secret.owner} has nothing mapped at ${hex(secret.va)} at this point; map it before placing the secret`, secret.statement.args[3]!.loc);
  }
  const command = secretCommand(secret);
  return {
    index,
    file: secret.statement.loc.source,
    line: secret.statement.loc.start.line,
    column: secret.statement.loc.start.column,
    text: `secret ${secret.name} ${JSON.stringify(secret.value)} at ${hex(secret.va)} in ${secret.owner}`,
    actor: 'observer',
    context: null,
    thread: secret.owner,
    build: () => [command],
    expectations: [],
  };
}

export function describeValueForDocs(statement: VariantStatement): string {
  return `${statement.name.value}: ${statement.values.map(describe).join(' | ')}`;
}

/**
 * Compiles steps written after a compiled scenario, as if they were appended to its
 * file (the checker's generated attacks). `file` names them in errors and traces. The
 * world's static view of mappings is copied, so the world itself is not changed.
 */
export function compileAppendedSteps(world: CompiledWorld, text: string, file: string): PlannedStep[] {
  const document = parseScenario(text, file);
  const mappings = new Map([...world.context.mappings].map(([name, list]) => [name, [...list]]));
  const context: StepContext = {
    ...world.context,
    processes: new Set(world.context.processes),
    mappings,
    sourceLines: (source) => (source === file ? text.split(/\r?\n/) : world.context.sourceLines(source)),
  };
  const steps: PlannedStep[] = [];
  for (const statement of document.statements) {
    if (statement.kind !== 'step') fail('E_CHECK', `only steps can be appended to a world, not a ${statement.kind} statement`, statement.loc);
    steps.push(compileStep(statement, world.plan.steps.length + steps.length, context));
  }
  return steps;
}
