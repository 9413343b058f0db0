/**
 * `isolab seccomp eval|compile|disasm|explain`: question a Docker/OCI seccomp profile.
 * `eval` decides one call by direct evaluation, names the rule that decided and checks the
 * compiled filter gives the same answer; `compile` writes the classic-BPF filter as JSON;
 * `disasm` lists a filter (bad or invalid programs are located errors, exit 2); `explain`
 * sorts the named calls into allowed, denied and conditional.
 */
import { InternalError, ScenarioError } from '../../engine/core/errors.js';
import { ERRNO } from '../../engine/kernel/syscall/errno.js';
import { CAPABILITIES } from '../../engine/kernel/syscall/constants.js';
import { checkSeccompFilter, disassemble, formatProgramJson, parseProgramJson, runFilter } from '../../engine/kernel/seccomp/bpf/index.js';
import {
  AUDIT_ARCH_OF_ABI, compileProfile, conditionText, decideProfile, describeAction, explainProfile, parseProfile, resolveProfile, SYSCALL_TABLES,
  type Abi, type Decision, type ExplainedCall, type HostArch, type ResolvedProfile,
} from '../../engine/kernel/seccomp/profile/index.js';
import { nearest } from '../../dsl/suggest.js';
import { displayPath, readText, writeAtomically } from '../io.js';

interface ResolveFlags {
  readonly caps?: string;
  readonly kernel?: string;
  readonly json?: boolean;
}

export interface EvalOptions extends ResolveFlags {
  readonly profile: string;
  readonly syscall: string;
  readonly arch?: string;
  readonly machine?: string;
  readonly args?: string;
}

export interface CompileOptions extends ResolveFlags {
  readonly arch?: string;
  readonly output?: string;
}

export interface ExplainOptions extends ResolveFlags {
  readonly arch?: string;
}

const HOST_ARCHES: readonly HostArch[] = ['x86_64', 'i386'];
const ABIS: readonly Abi[] = ['x86_64', 'i386', 'x32'];
const ERRNO_NAMES = new Map<number, string>(Object.entries(ERRNO).map(([name, value]) => [value, name]));
const errnoName = (errno: number): string | null => ERRNO_NAMES.get(errno) ?? null;

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const suggestion = nearest(value, allowed);
  throw new ScenarioError('E_OPTION', `${flag} expects one of ${allowed.join(', ')}, found "${value}"`, null, suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
}

function capsOf(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((word) => {
    const name = word.trim().toUpperCase().startsWith('CAP_') ? word.trim().toUpperCase() : `CAP_${word.trim().toUpperCase()}`;
    return choice('--caps', name, CAPABILITIES);
  });
}

function loadResolved(file: string, machine: HostArch, flags: ResolveFlags): ResolvedProfile {
  const profile = parseProfile(readText(file), displayPath(file));
  return resolveProfile(profile, { arch: machine, caps: capsOf(flags.caps), kernel: flags.kernel });
}

/** "read", "0", "0x40000000": a number in the ABI's table, or a number as given. */
function syscallNumberOf(text: string, abi: Abi): { nr: number; name: string | null } {
  const table = SYSCALL_TABLES[abi];
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) {
    const nr = Number(BigInt(text) & 0xffffffffn);
    // x32 calls arrive under AUDIT_ARCH_X86_64 with the x32 bit: name them from the x32 table.
    const named = abi === 'x86_64' && nr >= 0x40000000 ? SYSCALL_TABLES.x32 : table;
    const name = [...named].find(([, number]) => number === nr)?.[0] ?? null;
    return { nr, name };
  }
  if (/^-[0-9]+$/.test(text) && BigInt(text) >= -(1n << 31n)) return { nr: Number(BigInt(text) & 0xffffffffn), name: null };
  const nr = table.get(text);
  if (nr === undefined) {
    const suggestion = nearest(text, [...table.keys()]);
    throw new ScenarioError('E_OPTION', `--syscall: the ${abi} ABI has no system call "${text}"`, null, suggestion === null ? ['give a name from the kernel table or a number'] : [`did you mean "${suggestion}"?`]);
  }
  return { nr, name: text };
}

/** "0,0x8,-1": up to six 64-bit values; a negative number is its two's complement, as a register holds it. */
function argsOf(text: string | undefined): bigint[] {
  if (text === undefined || text.trim() === '') return [];
  const words = text.split(',').map((word) => word.trim());
  if (words.length > 6) throw new ScenarioError('E_OPTION', `--args: a system call has at most 6 arguments, found ${words.length}`);
  return words.map((word, index) => {
    if (!/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(word)) throw new ScenarioError('E_OPTION', `--args: argument ${index} "${word}" is not a number (decimal or 0x…)`);
    const value = word.startsWith('-') ? -BigInt(word.slice(1)) : BigInt(word);
    if (value >= 1n << 64n || value < -(1n << 63n)) throw new ScenarioError('E_OPTION', `--args: argument ${index} ${word} does not fit in 64 bits`);
    return value & ((1n << 64n) - 1n);
  });
}

function decidedBy(decision: Decision): string {
  const reason = decision.reason;
  if (reason.kind === 'bad-arch') return `bad architecture: ${reason.detail}`;
  if (reason.kind === 'default') return reason.syscall === null ? 'default action: no rule names this call' : "default action: this call's rules did not match";
  const origin = reason.rule.origin;
  const conditions = reason.rule.conditions.map(conditionText);
  const via = origin.multiplexer === null ? '' : ` through ${origin.multiplexer}(2) (libseccomp adds it for ${origin.name} on i386)`;
  return `syscalls[${origin.ruleIndex}] naming ${origin.name}${via}${conditions.length === 0 ? '' : ` when ${conditions.join(' && ')}`}${origin.comment === null || origin.comment === '' ? '' : ` (${origin.comment})`}`;
}

export function seccompEvalCommand(options: EvalOptions): number {
  const abi = choice('--arch', options.arch ?? 'x86_64', ABIS);
  const machine = choice('--machine', options.machine ?? 'x86_64', HOST_ARCHES);
  const resolved = loadResolved(options.profile, machine, options);
  const { nr, name } = syscallNumberOf(options.syscall, abi);
  const args = argsOf(options.args);
  const arch = AUDIT_ARCH_OF_ABI[abi];
  const decision = decideProfile(resolved, { arch, nr, args });
  const program = compileProfile(resolved);
  const run = runFilter(program, { arch, nr, instructionPointer: 0n, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) });
  if (run.ret !== decision.ret) {
    throw new InternalError(`the compiled filter returns 0x${run.ret.toString(16)} but direct evaluation gives 0x${decision.ret.toString(16)} for ${abi} call ${nr}`);
  }
  const action = describeAction(decision.ret, errnoName);
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ abi, nr, name, args: args.map((value) => `0x${value.toString(16)}`), ret: `0x${decision.ret.toString(16).padStart(8, '0')}`, action, decidedBy: decidedBy(decision), bpf: { ret: `0x${run.ret.toString(16).padStart(8, '0')}`, executed: run.executed, instructions: program.length } }, null, 2) + '\n');
    return 0;
  }
  const call = `${name ?? `#${nr}`}(${args.map((value) => `0x${value.toString(16)}`).join(', ')})`;
  process.stdout.write(`${action}\n  call: ${abi} ${call}, nr ${nr}\n  decided by: ${decidedBy(decision)}\n  compiled filter agrees: ret 0x${run.ret.toString(16).padStart(8, '0')} after ${run.executed} of ${program.length} instructions\n`);
  return 0;
}

export function seccompCompileCommand(file: string, options: CompileOptions): number {
  const machine = choice('--arch', options.arch ?? 'x86_64', HOST_ARCHES);
  const program = compileProfile(loadResolved(file, machine, options));
  const rejection = checkSeccompFilter(program);
  if (rejection !== null) throw new InternalError(`the compiled filter fails the kernel's checks: ${rejection.message}`);
  const text = formatProgramJson(program);
  if (options.output === undefined) process.stdout.write(text);
  else {
    writeAtomically(options.output, text);
    process.stderr.write(`wrote ${program.length} instructions to ${displayPath(options.output)}\n`);
  }
  return 0;
}

export function seccompDisasmCommand(file: string): number {
  const program = parseProgramJson(readText(file), displayPath(file));
  const rejection = checkSeccompFilter(program);
  if (rejection !== null) {
    // The checker's message already names the instruction ("instruction 3: …").
    throw new ScenarioError('E_BPF', `${displayPath(file)}: the kernel would refuse this filter (EINVAL): ${rejection.message}`);
  }
  process.stdout.write(disassemble(program));
  return 0;
}

function callList(calls: readonly ExplainedCall[]): string {
  return calls.map((call) => call.name).join(' ');
}

export function seccompExplainCommand(file: string, options: ExplainOptions): number {
  const machine = choice('--arch', options.arch ?? 'x86_64', HOST_ARCHES);
  const resolved = loadResolved(file, machine, options);
  const explanation = explainProfile(resolved);
  const action = (ret: number) => describeAction(ret, errnoName);
  if (options.json === true) {
    const calls = (list: readonly ExplainedCall[]) => list.map((call) => ({ abi: call.abi, nr: call.nr, name: call.name, rules: call.actions.map((ret, index) => ({ action: action(ret), conditions: call.conditions[index] })) }));
    process.stdout.write(JSON.stringify({ machine, caps: resolved.caps, kernel: resolved.kernel, defaultAction: action(resolved.defaultAction), badArchAction: action(resolved.badArchAction), abis: resolved.sections.map((section) => section.abi), ignoredArchitectures: resolved.ignoredArchitectures, allowed: calls(explanation.allowed), denied: calls(explanation.denied), conditional: calls(explanation.conditional), skipped: resolved.skipped }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `${displayPath(file)} on ${machine}, caps: ${resolved.caps.length === 0 ? '(none)' : resolved.caps.join(',')}, kernel ${resolved.kernel}`,
    `default: ${action(resolved.defaultAction)}; other architectures: ${action(resolved.badArchAction)}`,
    `ABIs: ${resolved.sections.map((section) => section.abi).join(', ')}${resolved.ignoredArchitectures.length === 0 ? '' : ` (not simulated: ${resolved.ignoredArchitectures.join(', ')})`}`,
  ];
  for (const section of resolved.sections) {
    const of = (list: readonly ExplainedCall[]) => list.filter((call) => call.abi === section.abi);
    lines.push('', `${section.abi}:`);
    lines.push(`  allowed (${of(explanation.allowed).length}): ${callList(of(explanation.allowed))}`);
    lines.push(`  denied (${of(explanation.denied).length}):${of(explanation.denied).map((call) => `\n    ${call.name}: ${action(call.actions[0])}`).join('')}`);
    lines.push(`  conditional (${of(explanation.conditional).length}):`);
    for (const call of of(explanation.conditional)) {
      const rules = call.actions.map((ret, index) => `${action(ret)} if ${call.conditions[index].join(' && ')}`);
      lines.push(`    ${call.name}: ${rules.join('; ')}; else ${action(resolved.defaultAction)}`);
    }
  }
  if (resolved.skipped.length > 0) {
    lines.push('', `rules left out (${resolved.skipped.length}):`);
    for (const skipped of resolved.skipped) lines.push(`  syscalls[${skipped.ruleIndex}]: ${skipped.reason}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
