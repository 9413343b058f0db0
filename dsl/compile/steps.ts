/**
 * Steps: `actor: action args… expect …`. A process step runs in that process at CPL 3;
 * `kernel in P:` runs at CPL 0 in P's address space; `kernel:` at CPL 0 wherever the
 * CPU is; `cpu:` is a raw access at a chosen CPL. Mapping steps are checked statically
 * (canonical, aligned, inside user space, no overlap) so that mistakes are reported at
 * their line before anything runs.
 */
import type { Command } from '../../engine/core/decider.js';
import { bytesToHex, littleEndianBytes, utf8Bytes } from '../../engine/core/bytes.js';
import { hex, isCanonical } from '../../engine/core/u64.js';
import type { MachineConfig } from '../../engine/machine/config.js';
import type { MachineState } from '../../engine/machine/state.js';
import { SIMPLE_MNEMONICS, type Instruction } from '../../engine/hw/cpu/instructions.js';
import type { AccessKind } from '../../engine/hw/mmu/types.js';
import { kernelLayoutOf } from '../../engine/kernel/layout.js';
import { processByName } from '../../engine/kernel/state.js';
import type { SyscallAbi } from '../../engine/kernel/syscalls.js';
import { compileSyscall, type CompiledSyscall } from './syscall.js';
import type { PlannedExpectation, PlannedStep } from '../../engine/scenario/plan.js';
import type { Span, StepStatement, Value } from '../ast.js';
import { nearest } from '../suggest.js';
import { compileOutcome, type ExpectationContext } from './expect.js';
import {
  type Bindings,
  describe,
  expectChoice,
  expectInteger,
  expectSize,
  expectSmallInteger,
  expectString,
  expectWord,
  fail,
  resolve,
  spanOf,
  suggestionNotes,
} from './values.js';

export const PROCESS_ACTIONS = ['read', 'write', 'jump', 'exec', 'int', 'syscall', 'map', 'unmap', 'protect', 'resume'] as const;
export const KERNEL_ACTIONS = ['read', 'write', 'jump', 'exec', 'switch', 'timer', 'swapout'] as const;
export const CPU_ACTIONS = ['read', 'write', 'jump', 'exec'] as const;

export interface StepContext {
  readonly config: MachineConfig;
  readonly bindings: Bindings;
  /** Declared processes, and children named by `fork() as NAME` as their steps are reached. */
  readonly processes: Set<string>;
  readonly regions: ReadonlyMap<string, number>;
  readonly kernelBoots: boolean;
  readonly expectations: ExpectationContext;
  /** Static view of each process's mappings, for overlap checks: [start, end). */
  readonly mappings: Map<string, { start: bigint; end: bigint }[]>;
  readonly sourceLines: (file: string) => readonly string[];
}

interface Cursor {
  readonly values: readonly Value[];
  index: number;
  readonly anchor: Span;
}

function next(cursor: Cursor): Value | undefined {
  return cursor.values[cursor.index++];
}

function peekWord(cursor: Cursor, bindings: Bindings): string | null {
  const value = cursor.values[cursor.index];
  if (value === undefined) return null;
  const resolved = resolve(value, bindings);
  return resolved.kind === 'word' ? resolved.value : null;
}

function rest(cursor: Cursor): Value[] {
  const out = cursor.values.slice(cursor.index);
  cursor.index = cursor.values.length;
  return out;
}

function expectEnd(cursor: Cursor, what: string): void {
  if (cursor.index < cursor.values.length) {
    const extra = cursor.values.slice(cursor.index);
    fail('E_EXTRA', `unexpected ${describe(extra[0]!)} after ${what}`, spanOf(extra, cursor.anchor));
  }
}

export function stepText(step: StepStatement, lines: readonly string[]): string {
  const line = lines[step.loc.start.line - 1] ?? '';
  const text = line.slice(step.loc.start.column - 1).replace(/\s+#.*$/, '');
  const expectAt = text.search(/\s+expect\s/);
  return (expectAt >= 0 ? text.slice(0, expectAt) : text).trim();
}

export function compileStep(step: StepStatement, index: number, context: StepContext): PlannedStep {
  const { bindings } = context;
  const actor = expectWord(step.actor, 'an actor', step.loc, bindings).value;
  const action = step.action.value;
  const cursor: Cursor = { values: step.args, index: 0, anchor: step.action.loc };
  let build: (state: MachineState) => Command[];
  let processContext: string | null = null;
  if (actor === 'kernel') {
    checkAction(action, KERNEL_ACTIONS, step);
    if (!context.kernelBoots) fail('E_NO_KERNEL', 'this machine has no kernel (kernel none), so "kernel:" steps cannot run', step.actor.loc);
    if (step.context !== null) processContext = knownProcess(step.context.value, step.context.loc, context);
    build = kernelAction(action, cursor, context, step);
  } else if (actor === 'cpu') {
    checkAction(action, CPU_ACTIONS, step);
    build = cpuAction(action, cursor, context, step);
  } else {
    processContext = knownProcess(actor, step.actor.loc, context);
    if (step.context !== null) fail('E_CONTEXT', '"in PROCESS" goes only with the kernel actor: "kernel in attacker: …"', step.context.loc);
    checkAction(action, PROCESS_ACTIONS, step);
    build = processAction(actor, action, cursor, context, step);
  }
  const expectations: PlannedExpectation[] = [];
  for (const expectation of step.expectations) {
    if (!conditionsHold(expectation.when, context)) continue;
    for (const outcome of expectation.outcomes) expectations.push(compileOutcome(outcome, context.expectations));
  }
  return {
    index,
    file: step.loc.source,
    line: step.loc.start.line,
    column: step.loc.start.column,
    text: stepText(step, context.sourceLines(step.loc.source)),
    actor,
    context: processContext,
    thread: processContext ?? actor,
    build,
    expectations,
  };
}

export function conditionsHold(conditions: readonly { variant: { value: string; loc: Span }; value: { value: string; loc: Span } }[], context: Pick<StepContext, 'bindings'>): boolean {
  for (const condition of conditions) {
    const bound = context.bindings[condition.variant.value];
    if (bound === undefined) {
      fail('E_UNKNOWN_VARIANT', `"${condition.variant.value}" is not a variant of this scenario`, condition.variant.loc, suggestionNotes(nearest(condition.variant.value, Object.keys(context.bindings))));
    }
    if (bound !== condition.value.value) return false;
  }
  return true;
}

function checkAction(action: string, allowed: readonly string[], step: StepStatement): void {
  if (allowed.includes(action)) return;
  fail(
    'E_UNKNOWN_ACTION',
    `"${action}" is not an action of ${step.actor.value === 'kernel' ? 'the kernel' : step.actor.value === 'cpu' ? 'the cpu' : 'a process'} (expected one of: ${allowed.join(', ')})`,
    step.action.loc,
    suggestionNotes(nearest(action, allowed)),
  );
}

function knownProcess(name: string, span: Span, context: StepContext): string {
  if (context.processes.has(name)) return name;
  return fail('E_UNKNOWN_PROCESS', `no process is named "${name}"`, span, suggestionNotes(nearest(name, [...context.processes])));
}

function pidOf(state: MachineState, name: string): number {
  return processByName(state.kernel, name)?.pid ?? -1;
}

// ------------------------------------------------------------------ memory accesses

interface AccessSpec {
  readonly kind: AccessKind;
  readonly va: bigint;
  readonly size: number;
  readonly bytes: string | undefined;
  readonly cpl: number | undefined;
  readonly ac: boolean | undefined;
}

/** read VA [size N] | write VA = VALUE [size N] | write VA "text" | jump VA, then [cpl N] [with ac]. */
function parseAccess(action: string, cursor: Cursor, context: StepContext, allowCpl: boolean): AccessSpec {
  const { bindings } = context;
  const va = expectInteger(next(cursor), 'a virtual address', cursor.anchor, bindings);
  if (va < 0n || va >= 1n << 64n) fail('E_RANGE', 'a virtual address is a 64-bit value', cursor.values[0]!.loc);
  let size = action === 'jump' ? 1 : 1;
  let bytes: string | undefined;
  if (action === 'write') {
    const maybeEquals = cursor.values[cursor.index];
    if (maybeEquals?.kind === 'symbol' && maybeEquals.value === '=') cursor.index++;
    const value = next(cursor);
    const resolved = value === undefined ? undefined : resolve(value, bindings);
    if (resolved?.kind === 'string') {
      const data = utf8Bytes(resolved.value);
      if (data.length === 0) fail('E_RANGE', 'nothing to write: the string is empty', value!.loc);
      bytes = bytesToHex(data);
      size = data.length;
    } else {
      const number = expectInteger(value, 'the value to write (a number or a "string")', cursor.anchor, bindings);
      size = number < 0n ? 8 : number < 0x100n ? 1 : number < 0x10000n ? 2 : number < 0x100000000n ? 4 : 8;
      bytes = bytesToHex(littleEndianBytes(BigInt.asUintN(64, number), size));
    }
  }
  let cpl: number | undefined;
  let ac: boolean | undefined;
  while (cursor.index < cursor.values.length) {
    const word = peekWord(cursor, bindings);
    if (word === 'size' && action !== 'jump') {
      cursor.index++;
      const sizeValue = cursor.values[cursor.index];
      const wanted = expectSize(next(cursor), 'the access size', cursor.anchor, bindings);
      if (wanted > 4096) fail('E_RANGE', 'an access is at most 4096 bytes', sizeValue!.loc);
      if (bytes !== undefined) {
        if (wanted < bytes.length / 2) fail('E_RANGE', `the value needs ${bytes.length / 2} bytes, more than size ${wanted}`, sizeValue!.loc);
        bytes = bytes.padEnd(wanted * 2, '0');
      }
      size = wanted;
    } else if (word === 'cpl' && allowCpl) {
      cursor.index++;
      cpl = expectSmallInteger(next(cursor), 'a CPL', cursor.anchor, bindings, 0, 3);
    } else if (word === 'with') {
      cursor.index++;
      expectChoice(next(cursor), ['ac'] as const, '"ac" (EFLAGS.AC set, as STAC does)', cursor.anchor, bindings);
      ac = true;
    } else {
      const extra = cursor.values[cursor.index]!;
      const options = [action !== 'jump' ? 'size N' : null, allowCpl ? 'cpl N' : null, 'with ac'].filter((o) => o !== null);
      fail('E_EXTRA', `unexpected ${describe(extra)}; after the address come only ${options.join(', ')}`, extra.loc);
    }
  }
  return { kind: action === 'jump' ? 'fetch' : (action as AccessKind), va, size, bytes, cpl, ac };
}

function accessCommand(spec: AccessSpec, by: string, cpl: number | undefined): Command {
  return {
    type: 'cpu.access',
    actor: by,
    data: { va: spec.va, kind: spec.kind, size: spec.size, bytes: spec.bytes, cpl: spec.cpl ?? cpl, ac: spec.ac, by },
  };
}

// ------------------------------------------------------------------ actions

function processAction(actor: string, action: string, cursor: Cursor, context: StepContext, step: StepStatement): (state: MachineState) => Command[] {
  switch (action) {
    case 'read':
    case 'write':
    case 'jump': {
      const spec = parseAccess(action, cursor, context, false);
      if (spec.ac === true) fail('E_CONTEXT', '"with ac" needs kernel mode: STAC is #UD at CPL 3; write "kernel in P:"', step.action.loc);
      return () => [accessCommand(spec, actor, undefined)];
    }
    case 'exec': {
      const instruction = parseInstruction(cursor, context);
      return () => [{ type: 'cpu.instruction', actor, data: { instruction: instruction.instruction, text: instruction.text, by: actor } }];
    }
    case 'int': {
      const vector = expectSmallInteger(next(cursor), 'an interrupt vector', cursor.anchor, context.bindings, 0, 255);
      const syscall = vector === 0x80 ? syscallStep(actor, cursor, context, 'i386') : null;
      if (vector === 0x80 && syscall === null) fail('E_MISSING', 'INT 0x80 needs a system call: "int 0x80 getpid"', step.action.loc);
      expectEnd(cursor, 'the vector');
      const text = `int ${hex(vector)}${syscall === null ? '' : ' ' + (syscall.name ?? syscall.nr)}`;
      return (state) => [
        { type: 'cpu.instruction', actor, data: { instruction: { op: 'int', vector, syscall: syscall?.request(state.kernel) ?? null } satisfies Instruction, text, by: actor } },
      ];
    }
    case 'syscall': {
      const syscall = syscallStep(actor, cursor, context, context.config.cpu === 'i386' ? 'i386' : 'x86_64');
      if (syscall === null) fail('E_MISSING', 'expected a system call: "syscall getpid" or "syscall 39"', step.action.loc);
      const text = `syscall ${syscall.name ?? syscall.nr}`;
      return (state) => [{ type: 'cpu.instruction', actor, data: { instruction: { op: 'syscall', syscall: syscall.request(state.kernel) } satisfies Instruction, text, by: actor } }];
    }
    case 'map':
      return mapAction(actor, cursor, context, step);
    case 'resume':
      // The call a system-call monitor holds stopped at entry goes on (engine/kernel/interpose/resume.ts).
      expectEnd(cursor, 'resume');
      return () => [{ type: 'interpose.resume', actor, data: { process: actor } }];
    case 'unmap':
    case 'protect':
      return rangeAction(actor, action, cursor, context);
    default:
      return fail('E_UNKNOWN_ACTION', `unknown action ${action}`, step.action.loc);
  }
}

function kernelAction(action: string, cursor: Cursor, context: StepContext, step: StepStatement): (state: MachineState) => Command[] {
  switch (action) {
    case 'read':
    case 'write':
    case 'jump': {
      const spec = parseAccess(action, cursor, context, false);
      return () => [accessCommand(spec, 'kernel', 0)];
    }
    case 'exec': {
      const instruction = parseInstruction(cursor, context);
      return () => [{ type: 'cpu.instruction', actor: 'kernel', data: { instruction: instruction.instruction, text: instruction.text, by: 'kernel', cpl: 0 } }];
    }
    case 'switch': {
      const to = expectWord(next(cursor), '"to"', cursor.anchor, context.bindings);
      if (to.value !== 'to') fail('E_SYNTAX', `expected "switch to PROCESS", found "${to.value}"`, to.loc);
      const target = expectWord(next(cursor), 'a process name', cursor.anchor, context.bindings);
      const name = knownProcess(target.value, target.loc, context);
      expectEnd(cursor, 'the process');
      return (state) => {
        const pid = pidOf(state, name);
        if (state.kernel.current === pid) return [];
        if (state.cpu.cpl === 3 && state.kernel.current !== null) {
          return [
            { type: 'kernel.chooseNext', actor: 'kernel', data: { pid, reason: 'switch step' } },
            { type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } },
          ];
        }
        return [{ type: 'kernel.switchTo', actor: 'kernel', data: { pid, reason: 'switch step' } }];
      };
    }
    case 'timer':
      expectEnd(cursor, 'timer');
      return () => [{ type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } }];
    case 'swapout': {
      // kernel: swapout victim 0x400000 — page reclaim evicts that page to swap.
      const target = expectWord(next(cursor), 'a process name', cursor.anchor, context.bindings);
      const name = knownProcess(target.value, target.loc, context);
      const va = expectInteger(next(cursor), 'the address of the page to swap out', target.loc, context.bindings);
      if (va % 4096n !== 0n) fail('E_ALIGN', `${hex(va)} is not the start of a 4 KiB page`, cursor.values[cursor.index - 1]!.loc);
      expectEnd(cursor, 'the address');
      return (state) => [{ type: 'kernel.swapOut', actor: 'kernel', data: { pid: pidOf(state, name), va: hex(va) } }];
    }
    default:
      return fail('E_UNKNOWN_ACTION', `unknown action ${action}`, step.action.loc);
  }
}

function cpuAction(action: string, cursor: Cursor, context: StepContext, step: StepStatement): (state: MachineState) => Command[] {
  if (action === 'exec') {
    const instruction = parseInstruction(cursor, context);
    return () => [{ type: 'cpu.instruction', actor: 'cpu', data: { instruction: instruction.instruction, text: instruction.text, by: 'cpu' } }];
  }
  if (action === 'read' || action === 'write' || action === 'jump') {
    const spec = parseAccess(action, cursor, context, true);
    return () => [accessCommand(spec, 'cpu', undefined)];
  }
  return fail('E_UNKNOWN_ACTION', `unknown action ${action}`, step.action.loc);
}

// ------------------------------------------------------------------ mappings

interface Perms {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

function parsePerms(value: Value | undefined, cursor: Cursor, bindings: Bindings): Perms {
  const word = expectWord(value, 'permissions such as rw, r-x or rwx', cursor.anchor, bindings);
  const text = word.value;
  if (!/^[rwx-]{1,3}$/.test(text) || /(.).*\1/.test(text.replace(/-/g, ''))) {
    fail('E_PERMS', `expected permissions such as r, rw, r-x or rwx, found "${text}"`, word.loc);
  }
  return { read: text.includes('r'), write: text.includes('w'), execute: text.includes('x') };
}

/**
 * A process maps pages in its own half of the address space: the kernel half is shared
 * by every process (its tables too), so a process's `map` never goes there — even a
 * supervisor-only (`kernel`) page, which is how a wrongly protected page is modelled.
 */
function checkRange(va: bigint, sizeBytes: number, span: Span, sizeSpan: Span, context: StepContext): void {
  const { config } = context;
  const geometry = config.geometry;
  if (geometry.canonical && !isCanonical(va, geometry.linearBits)) {
    fail('E_NONCANONICAL', `${hex(va)} is not a canonical address (bits 63:${geometry.linearBits - 1} must all equal bit ${geometry.linearBits - 1})`, span);
  }
  const pageBytes = BigInt(config.frameBytes);
  if (va % pageBytes !== 0n) fail('E_ALIGN', `${hex(va)} is not aligned to a ${config.frameBytes}-byte page`, span);
  if (BigInt(sizeBytes) % pageBytes !== 0n) fail('E_ALIGN', `the size ${sizeBytes} is not a whole number of ${config.frameBytes}-byte pages`, sizeSpan);
  const top = kernelLayoutOf(config).userTop;
  if (va + BigInt(sizeBytes) > top) {
    fail('E_USER_SPACE', `a process maps memory below ${hex(top)} (the top of user space); the kernel half above it is shared by every process`, span);
  }
}

function mapAction(actor: string, cursor: Cursor, context: StepContext, step: StepStatement): (state: MachineState) => Command[] {
  const { bindings } = context;
  const vaValue = cursor.values[0];
  const va = expectInteger(next(cursor), 'the address to map', cursor.anchor, bindings);
  let sizeBytes: number | null = null;
  let sizeSpan: Span | null = null;
  let perms: Perms = { read: true, write: true, execute: false };
  let user = true;
  let global = false;
  let pkey = 0;
  let region: string | null = null;
  while (cursor.index < cursor.values.length) {
    const value = cursor.values[cursor.index]!;
    const word = peekWord(cursor, bindings);
    cursor.index++;
    if (word === 'size') {
      sizeSpan = cursor.values[cursor.index]?.loc ?? null;
      sizeBytes = expectSize(next(cursor), 'the mapping size', cursor.anchor, bindings);
    }
    else if (word === 'user') user = true;
    else if (word === 'kernel' || word === 'supervisor') user = false;
    else if (word === 'global') global = true;
    else if (word === 'pkey') pkey = expectSmallInteger(next(cursor), 'a protection key', cursor.anchor, bindings, 0, 15);
    else if (word === 'shared') {
      const name = expectWord(next(cursor), 'a region name', cursor.anchor, bindings);
      if (!context.regions.has(name.value)) fail('E_UNKNOWN_REGION', `no region is named "${name.value}"`, name.loc, suggestionNotes(nearest(name.value, [...context.regions.keys()])));
      region = name.value;
    } else if (word !== null && /^[rwx-]{1,3}$/.test(word)) perms = parsePerms(value, cursor, bindings);
    else {
      const choices = ['size', 'user', 'kernel', 'global', 'pkey', 'shared', 'r', 'rw', 'r-x', 'rwx', 'rx'];
      fail('E_EXTRA', `unexpected "${describe(value)}" in a map step (expected size N, permissions such as rw or r-x, user, kernel, global, pkey N or shared REGION)`, value.loc, suggestionNotes(word === null ? null : nearest(word, choices)));
    }
  }
  if (region !== null) sizeBytes ??= context.regions.get(region)!;
  if (sizeBytes === null) fail('E_MISSING', 'a map step needs a size: "map 0x400000 size 4 KiB rw"', step.action.loc);
  if (region !== null && sizeBytes > context.regions.get(region)!) fail('E_RANGE', `region ${region} has only ${context.regions.get(region)} bytes`, step.action.loc);
  if (pkey !== 0 && context.config.geometry.format !== 'x86-64') fail('E_PKEY', 'protection keys exist only with 4-level and 5-level paging', step.action.loc);
  checkRange(va, sizeBytes, vaValue!.loc, sizeSpan ?? vaValue!.loc, context);
  staticMap(actor, va, sizeBytes, vaValue!.loc, context);
  const size = sizeBytes;
  return (state) => [
    {
      type: 'kernel.map',
      actor,
      data: { pid: pidOf(state, actor), va, sizeBytes: size, ...perms, user, global, pkey, region, pageShift: context.config.geometry.offsetBits },
    },
  ];
}

function staticMap(actor: string, va: bigint, sizeBytes: number, span: Span, context: StepContext): void {
  const list = context.mappings.get(actor) ?? [];
  const end = va + BigInt(sizeBytes);
  for (const mapping of list) {
    if (va < mapping.end && end > mapping.start) {
      fail('E_OVERLAP', `${actor} already has ${hex(mapping.start)}..${hex(mapping.end)} mapped; this mapping overlaps it`, span, ['unmap the old range first, or pick another address']);
    }
  }
  list.push({ start: va, end });
  context.mappings.set(actor, list);
}

function rangeAction(actor: string, action: 'unmap' | 'protect', cursor: Cursor, context: StepContext): (state: MachineState) => Command[] {
  const { bindings } = context;
  const vaValue = cursor.values[0];
  const va = expectInteger(next(cursor), `the address to ${action}`, cursor.anchor, bindings);
  const sizeWord = expectWord(next(cursor), '"size"', cursor.anchor, bindings);
  if (sizeWord.value !== 'size') fail('E_SYNTAX', `expected "size", found "${sizeWord.value}"`, sizeWord.loc);
  const sizeSpan = cursor.values[cursor.index]?.loc ?? vaValue!.loc;
  const sizeBytes = expectSize(next(cursor), 'the size', cursor.anchor, bindings);
  checkRange(va, sizeBytes, vaValue!.loc, sizeSpan, context);
  const list = context.mappings.get(actor) ?? [];
  const end = va + BigInt(sizeBytes);
  const hole = firstUnmapped(list, va, end);
  if (hole !== null) fail('E_NOT_MAPPED', `${actor} has nothing mapped at ${hex(hole)} (in ${hex(va)}..${hex(end)})`, vaValue!.loc);
  let perms: Perms | null = null;
  if (action === 'protect') perms = parsePerms(next(cursor), cursor, bindings);
  expectEnd(cursor, action === 'protect' ? 'the permissions' : 'the size');
  if (action === 'unmap') context.mappings.set(actor, list.flatMap((m) => subtract(m, va, end)));
  return (state) => [
    {
      type: action === 'unmap' ? 'kernel.unmap' : 'kernel.protect',
      actor,
      data: { pid: pidOf(state, actor), va, sizeBytes, ...(perms ?? {}) },
    },
  ];
}

/** The first address in [start, end) that no mapping covers, or null. */
function firstUnmapped(mappings: readonly { start: bigint; end: bigint }[], start: bigint, end: bigint): bigint | null {
  let at = start;
  while (at < end) {
    const covering = mappings.find((m) => at >= m.start && at < m.end);
    if (covering === undefined) return at;
    at = covering.end;
  }
  return null;
}

function subtract(mapping: { start: bigint; end: bigint }, start: bigint, end: bigint): { start: bigint; end: bigint }[] {
  if (end <= mapping.start || start >= mapping.end) return [mapping];
  const out: { start: bigint; end: bigint }[] = [];
  if (mapping.start < start) out.push({ start: mapping.start, end: start });
  if (end < mapping.end) out.push({ start: end, end: mapping.end });
  return out;
}

// ------------------------------------------------------------------ instructions and system calls

/**
 * The system call after `syscall` or `int 0x80`. A child named with `as` becomes a
 * process the following steps may use, starting with its parent's mappings (fork copies
 * the address space).
 */
function syscallStep(actor: string, cursor: Cursor, context: StepContext, abi: SyscallAbi): CompiledSyscall | null {
  const compiled = compileSyscall(rest(cursor), cursor.anchor, abi, context);
  if (compiled?.childName != null) {
    context.processes.add(compiled.childName);
    context.mappings.set(compiled.childName, [...(context.mappings.get(actor) ?? [])]);
  }
  return compiled;
}

interface ParsedInstruction {
  readonly instruction: Instruction;
  readonly text: string;
}

const INSTRUCTION_WORDS = [...SIMPLE_MNEMONICS, 'mov', 'wrmsr', 'rdmsr', 'in', 'out', 'invlpg', 'int', 'sysret', 'iret', 'ljmp', 'wrpkru'];

function parseInstruction(cursor: Cursor, context: StepContext): ParsedInstruction {
  const { bindings } = context;
  const all = rest(cursor);
  const text = all.map(describe).join(' ').replace(/ ,/g, ',');
  const operands = all.slice(1).filter((value) => !(value.kind === 'symbol' && value.value === ','));
  const mnemonicWord = expectWord(all[0], 'an instruction', cursor.anchor, bindings);
  const mnemonic = mnemonicWord.value.toLowerCase();
  const operandWord = (i: number) => {
    const value = operands[i] === undefined ? undefined : resolve(operands[i]!, bindings);
    return value?.kind === 'word' ? value.value.toLowerCase() : null;
  };
  const none = (instruction: Instruction): ParsedInstruction => {
    if (operands.length > 0) fail('E_EXTRA', `${mnemonic} takes no operand`, spanOf(operands, cursor.anchor));
    return { instruction, text };
  };
  if ((SIMPLE_MNEMONICS as readonly string[]).includes(mnemonic)) return none({ op: 'simple', mnemonic: mnemonic as (typeof SIMPLE_MNEMONICS)[number] });
  switch (mnemonic) {
    case 'mov': {
      const destination = operandWord(0);
      const source = operandWord(1);
      if (destination === 'cr0' || destination === 'cr3' || destination === 'cr4') {
        const value = expectInteger(operands[1], `the value to load into ${destination}`, mnemonicWord.loc, bindings);
        return { instruction: { op: 'mov-to-cr', cr: Number(destination.slice(2)) as 0 | 3 | 4, value }, text };
      }
      if (destination === 'cs') {
        const selector = expectSmallInteger(operands[1], 'a segment selector', mnemonicWord.loc, bindings, 0, 0xffff);
        return { instruction: { op: 'mov-to-cs', selector }, text };
      }
      if (source === 'cr0' || source === 'cr2' || source === 'cr3' || source === 'cr4') {
        return { instruction: { op: 'mov-from-cr', cr: Number(source.slice(2)) as 0 | 2 | 3 | 4 }, text };
      }
      return fail('E_INSTRUCTION', 'the simulator models MOV to/from CR0, CR2, CR3, CR4 and MOV to CS: "mov cr3, 0x1000", "mov rax, cr3"', spanOf(all, cursor.anchor));
    }
    case 'wrmsr':
    case 'rdmsr': {
      const msr = operands[0] === undefined ? 0 : expectSmallInteger(operands[0], 'an MSR number', mnemonicWord.loc, bindings, 0, 0xffffffff);
      const value = operands[1] === undefined ? 0n : expectInteger(operands[1], 'a value', mnemonicWord.loc, bindings);
      return { instruction: { op: mnemonic, msr, value }, text };
    }
    case 'in':
    case 'out': {
      const port = operands[0] === undefined ? 0 : expectSmallInteger(operands[0], 'a port', mnemonicWord.loc, bindings, 0, 0xffff);
      return { instruction: { op: mnemonic, port }, text };
    }
    case 'invlpg':
      return { instruction: { op: 'invlpg', va: expectInteger(operands[0], 'an address', mnemonicWord.loc, bindings) }, text };
    case 'int': {
      const vector = expectSmallInteger(operands[0], 'a vector', mnemonicWord.loc, bindings, 0, 255);
      return { instruction: { op: 'int', vector, syscall: null }, text };
    }
    case 'sysret':
      return none({ op: 'sysret' });
    case 'iret': {
      const target = operands[0] === undefined ? undefined : resolve(operands[0], bindings);
      if (target === undefined) return { instruction: { op: 'iret', selector: null }, text };
      if (target.kind !== 'far') fail('E_TYPE', 'IRET takes an optional forged frame target such as 0x10:0xffffffff81000000', operands[0]!.loc);
      return { instruction: { op: 'iret', selector: Number(target.selector.value) }, text };
    }
    case 'ljmp': {
      const target = operands[0] === undefined ? undefined : resolve(operands[0], bindings);
      if (target?.kind !== 'far') fail('E_TYPE', 'a far jump needs SELECTOR:OFFSET, such as 0x10:0xffffffff81000000', operands[0]?.loc ?? mnemonicWord.loc);
      return { instruction: { op: 'ljmp', selector: Number(target.selector.value), offset: target.offset.value }, text };
    }
    case 'wrpkru':
      return { instruction: { op: 'wrpkru', value: expectSmallInteger(operands[0], 'a PKRU value', mnemonicWord.loc, bindings, 0, 0xffffffff) }, text };
    default:
      return fail(
        'E_UNKNOWN_INSTRUCTION',
        `"${mnemonicWord.value}" is not an instruction the simulator models`,
        mnemonicWord.loc,
        [...suggestionNotes(nearest(mnemonic, INSTRUCTION_WORDS)), `modelled: ${INSTRUCTION_WORDS.join(', ')}`],
      );
  }
}

export function expectStringValue(value: Value | undefined, anchor: Span, bindings: Bindings): string {
  return expectString(value, 'a string', anchor, bindings);
}
