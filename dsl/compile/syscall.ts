/**
 * A system call as a scenario writes it — `syscall openat(AT_FDCWD, "/etc/shadow",
 * O_RDONLY)`, `int 0x80 getpid`, `syscall 39`, `syscall fork() as child` — checked
 * against the call's signature where it is written: the name must be in the ABI's table,
 * the argument count and kinds must fit, constants must be known. Numbers travel as
 * exact 64-bit hex, strings by value, and a process's name (for kill and waitpid) turns
 * into its pid when the step runs.
 */
import { hex } from '../../engine/core/u64.js';
import type { SyscallRequest } from '../../engine/hw/cpu/instructions.js';
import { processByName, type KernelState } from '../../engine/kernel/state.js';
import { syscallName, syscallNames, syscallNumber, type SyscallAbi } from '../../engine/kernel/syscalls.js';
import { ALL_CAPS, capabilityNumber, constantNames, constantValue } from '../../engine/kernel/syscall/constants.js';
import { argSpecs, LIBC_ALIASES, LIBC_WRAPPERS, SIGNATURES, type ArgKind, type ArgSpec } from '../../engine/kernel/syscall/signatures.js';
import type { Span, Value } from '../ast.js';
import { nearest } from '../suggest.js';
import { type Bindings, describe, fail, resolve, spanOf, suggestionNotes } from './values.js';

/** Calls that make a process, which the scenario may name: `syscall fork() as child`. */
export const CHILD_MAKING_CALLS: ReadonlySet<string> = new Set(['fork', 'vfork', 'clone']);

/** Larger than any pid Linux hands out (PID_MAX_LIMIT, 2^22): kill gets ESRCH. */
const NO_SUCH_PID = 1n << 22n;

type PlannedArg = string | { readonly text: string } | { readonly symbol: string } | { readonly process: string };

export interface CompiledSyscall {
  readonly nr: number;
  readonly name: string | null;
  readonly childName: string | null;
  /** The request as the CPU sees it, with process names turned into pids now. */
  readonly request: (kernel: KernelState) => SyscallRequest;
}

export interface SyscallCompileContext {
  readonly bindings: Bindings;
  readonly processes: ReadonlySet<string>;
}

const u64hex = (value: bigint) => hex(BigInt.asUintN(64, value));

function kindWords(kind: ArgKind): string {
  switch (kind) {
    case 'int':
      return 'an integer or a constant (O_RDONLY, S_IRWXU, O_RDONLY|O_CLOEXEC)';
    case 'fd':
      return 'a file descriptor (3, STDOUT_FILENO, AT_FDCWD)';
    case 'path':
      return 'a path ("/etc/shadow") or a user address';
    case 'str':
      return 'a "string"';
    case 'buf':
      return 'a buffer (a "string", a user address, or buf)';
    case 'ptr':
      return 'a user address, NULL or a name';
    case 'fn':
      return 'a function name or a code address';
    case 'signal':
      return 'a signal (SIGTERM, 9)';
    case 'caps':
      return 'a capability set (CAP_CHOWN|CAP_KILL, all, none, 0)';
    case 'pid':
      return "a pid or a process's name";
    case 'intOrName':
      return 'a number, a constant or the name of a declared filter';
  }
}

/** A constant, or the OR of several: O_RDONLY|O_CLOEXEC. */
function constantOf(value: Value, what: string, bindings: Bindings): bigint {
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'number') return resolved.value;
  if (resolved.kind === 'union') return resolved.parts.reduce((all, part) => all | BigInt.asUintN(64, constantOf(part, what, bindings)), 0n);
  if (resolved.kind === 'word' && /^-?\d+$/.test(resolved.value)) return BigInt(resolved.value);  // a variant's number
  if (resolved.kind === 'word') {
    const known = constantValue(resolved.value);
    if (known !== null) return BigInt(known);
    return fail('E_UNKNOWN_CONSTANT', `"${resolved.value}" is not a constant isolab knows`, resolved.loc, suggestionNotes(nearest(resolved.value, constantNames())));
  }
  return fail('E_TYPE', `expected ${what}, found ${describe(resolved)}`, value.loc);
}

function capabilityMask(value: Value, bindings: Bindings): bigint {
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'number') return resolved.value;
  if (resolved.kind === 'union') return resolved.parts.reduce((all, part) => all | capabilityMask(part, bindings), 0n);
  if (resolved.kind === 'word' && resolved.value === 'all') return ALL_CAPS;
  if (resolved.kind === 'word' && resolved.value === 'none') return 0n;
  if (resolved.kind === 'word') {
    const number = capabilityNumber(resolved.value);
    if (number !== null) return 1n << BigInt(number);
    return fail('E_UNKNOWN_CONSTANT', `"${resolved.value}" is not a capability`, resolved.loc, suggestionNotes(nearest(resolved.value.toUpperCase(), constantNames().filter((n) => n.startsWith('CAP_')))));
  }
  return fail('E_TYPE', `expected ${kindWords('caps')}, found ${describe(resolved)}`, value.loc);
}

function argument(value: Value, spec: ArgSpec, context: SyscallCompileContext): PlannedArg {
  const resolved = resolve(value, context.bindings);
  const what = kindWords(spec.kind);
  const wrong = (): never => fail('E_TYPE', `expected ${what}, found ${describe(resolved)}`, value.loc);
  switch (spec.kind) {
    case 'int':
    case 'fd':
    case 'signal':
      return u64hex(constantOf(resolved, what, context.bindings));
    case 'caps':
      return u64hex(capabilityMask(resolved, context.bindings));
    case 'pid':
      if (resolved.kind === 'word' && context.processes.has(resolved.value)) return { process: resolved.value };
      return u64hex(constantOf(resolved, what, context.bindings));
    case 'intOrName':
      if (resolved.kind === 'word' && resolved.value !== 'NULL' && !/^-?\d+$/.test(resolved.value) && constantValue(resolved.value) === null) return { symbol: resolved.value };
      return resolved.kind === 'word' && resolved.value === 'NULL' ? '0x0' : u64hex(constantOf(resolved, what, context.bindings));
    case 'path':
    case 'str':
      if (resolved.kind === 'string') return { text: resolved.value };
      if (spec.kind === 'path' && resolved.kind === 'number') return u64hex(resolved.value);
      return wrong();
    case 'buf':
    case 'ptr':
    case 'fn':
      if (resolved.kind === 'string' && spec.kind === 'buf') return { text: resolved.value };
      if (resolved.kind === 'number') return u64hex(resolved.value);
      if (resolved.kind === 'word') return resolved.value === 'NULL' ? '0x0' : { symbol: resolved.value };
      return wrong();
  }
}

/** Arguments checked against the call's signature; a call isolab does not model takes numbers and strings. */
function compileArguments(name: string, values: readonly Value[], span: Span, context: SyscallCompileContext): PlannedArg[] {
  const signature = SIGNATURES[name];
  if (signature === undefined) {
    return values.map((value) => {
      const resolved = resolve(value, context.bindings);
      if (resolved.kind === 'string') return { text: resolved.value };
      return u64hex(constantOf(resolved, 'a number, a constant or a "string"', context.bindings));
    });
  }
  const specs = argSpecs(signature);
  const required = specs.filter((spec) => !spec.optional).length;
  const repeating = specs.some((spec) => spec.repeats);
  if (values.length < required || (!repeating && values.length > specs.length)) {
    const count = required === specs.length ? `${required}` : repeating ? `at least ${required}` : `${required} to ${specs.length}`;
    fail('E_ARGUMENTS', `${name} takes ${count} argument${specs.length === 1 ? '' : 's'}, found ${values.length}`, values.length === 0 ? span : spanOf(values, span), [
      `synopsis: ${signature.synopsis}`,
    ]);
  }
  return values.map((value, i) => argument(value, specs[Math.min(i, specs.length - 1)]!, context));
}

function numberOf(abi: SyscallAbi, name: string, span: Span): { nr: number; name: string } {
  const alias = abi === 'x86_64' ? LIBC_ALIASES[name] : undefined;
  const wrapper = LIBC_WRAPPERS[name];
  if (wrapper !== undefined && syscallNumber(abi, name) === null) return numberOf(abi, wrapper.call, span);
  const called = syscallNumber(abi, name) === null && alias !== undefined ? alias : name;
  const nr = syscallNumber(abi, called);
  if (nr === null) {
    return fail('E_UNKNOWN_SYSCALL', `"${name}" is not a system call of the ${abi} table`, span, suggestionNotes(nearest(name, syscallNames(abi))));
  }
  return { nr, name: called };
}

function childNameOf(values: readonly Value[], call: string | null, callSpan: Span, context: SyscallCompileContext): string | null {
  if (values.length === 0) return null;
  const [as, name, ...extra] = values.map((value) => resolve(value, context.bindings));
  if (as!.kind !== 'word' || as!.value !== 'as') fail('E_EXTRA', `unexpected ${describe(as!)} after the system call`, spanOf(values, callSpan));
  if (call === null || !CHILD_MAKING_CALLS.has(call)) fail('E_CONTEXT', `only fork, vfork and clone make a process to name with "as"`, as!.loc);
  if (name === undefined || name.kind !== 'word') return fail('E_MISSING', 'expected a name for the new process after "as"', name?.loc ?? as!.loc);
  if (extra.length > 0) fail('E_EXTRA', `unexpected ${describe(extra[0]!)} after the process name`, spanOf(extra, name.loc));
  if (context.processes.has(name.value)) fail('E_DUPLICATE', `a process is already named "${name.value}"`, name.loc);
  return name.value;
}

/**
 * The call named by `values[0]` (a name, a number, or name(args…)), then optionally
 * `as NAME`. Null when nothing follows the instruction.
 */
export function compileSyscall(values: readonly Value[], anchor: Span, abi: SyscallAbi, context: SyscallCompileContext): CompiledSyscall | null {
  const [first, ...after] = values;
  if (first === undefined) return null;
  const resolved = resolve(first, context.bindings);
  let nr: number;
  let name: string | null;
  let args: PlannedArg[] = [];
  if (resolved.kind === 'number') {
    nr = Number(resolved.value);
    name = syscallName(abi, nr);
  } else if (resolved.kind === 'word' || resolved.kind === 'call') {
    const called = resolved.kind === 'word' ? resolved.value : resolved.name;
    ({ nr, name } = numberOf(abi, called, resolved.loc));
    const given = resolved.kind === 'call' ? resolved.args : [];
    const wrapper = name === called ? undefined : LIBC_WRAPPERS[called];
    args = compileArguments(SIGNATURES[called] !== undefined ? called : name, given, resolved.loc, context);
    if (wrapper !== undefined) args = wrapper.args.map((arg) => (typeof arg === 'number' ? args[arg]! : arg));
  } else {
    return fail('E_TYPE', `expected a system call name or number, found ${describe(resolved)}`, first.loc);
  }
  const childName = childNameOf(after, name, anchor, context);
  const request = (kernel: KernelState): SyscallRequest => ({
    nr,
    name,
    args: args.map((arg) => {
      if (typeof arg === 'object' && 'process' in arg) {
        const process = processByName(kernel, arg.process);
        return process === null ? hex(NO_SUCH_PID) : hex(BigInt(process.pid));
      }
      return arg;
    }),
    ...(childName === null ? {} : { as: childName }),
  });
  return { nr, name, childName, request };
}
