/**
 * The seccomp settings and process properties of the language (see extensions.ts):
 *
 *     filter NAME from "prog.bpf"        a bpf_asm-style program (bpf/asm.ts)
 *     filter NAME from "prog.json"       an array of {code, jt, jf, k} (bpf/json.ts)
 *     profile NAME from "docker-default.json" { caps: CAP_SYS_ADMIN|…, arch: x86_64 }
 *                                        a Docker/OCI profile as runc would load it
 *     seccomp NAME { default: allow, chmod: EPERM, fchmod: errno(EPERM), arch: unchecked }
 *                                        a rule list compiled to BPF (seccomp/rules.ts)
 *     process p { seccomp: NAME }        a runtime installs NAME (or `strict`) at creation
 *
 * A declared program only registers with the kernel (`seccomp.defineProgram`); it is
 * checked when a process installs it, as the kernel does, so an invalid program is an
 * EINVAL at that call rather than a compile error.
 */
import type { Command } from '../../engine/core/decider.js';
import { assemble } from '../../engine/kernel/seccomp/bpf/asm.js';
import { parseProgramJson } from '../../engine/kernel/seccomp/bpf/json.js';
import type { BpfProgram } from '../../engine/kernel/seccomp/bpf/types.js';
import { SECCOMP_ACTIONS, type SeccompAction } from '../../engine/kernel/seccomp/constants.js';
import { compileRuleList, type RuleAction, type SyscallRule } from '../../engine/kernel/seccomp/rules.js';
import { ERRNO, isErrno } from '../../engine/kernel/syscall/errno.js';
import { CAPABILITIES } from '../../engine/kernel/syscall/constants.js';
import { compileProfile as compileResolvedProfile, parseProfile, resolveProfile } from '../../engine/kernel/seccomp/profile/index.js';
import { syscallNames, syscallNumber } from '../../engine/kernel/syscalls.js';
import type { Property, SettingStatement, Span, Value, WordValue } from '../ast.js';
import { nearest } from '../suggest.js';
import { attachmentAt } from './index.js';
import type { ExtensionContext, ProcessPropertyCompiler, SettingCompiler } from './extensions.js';
import { describe, expectChoice, expectWord, fail, resolve, suggestionNotes, type Bindings } from './values.js';

/** The settings that declare a seccomp program, all in one namespace. */
export const PROGRAM_SETTINGS = ['filter', 'profile', 'seccomp'] as const;

interface Declared {
  readonly name: string;
  readonly loc: Span;
}

function declaredPrograms(context: ExtensionContext): Declared[] {
  const out: Declared[] = [];
  for (const statement of context.loaded.statements) {
    if (statement.kind !== 'setting' || !(PROGRAM_SETTINGS as readonly string[]).includes(statement.name.value)) continue;
    const first = statement.args[0];
    if (first?.kind === 'word') out.push({ name: first.value, loc: first.loc });
  }
  return out;
}

/** The program's name (first argument), refusing a second declaration of it. */
function programName(statement: SettingStatement, context: ExtensionContext): WordValue {
  const what = `a name for the ${statement.name.value} ("${statement.name.value} NAME …")`;
  const name = expectWord(statement.args[0], what, statement.name.loc, context.bindings);
  if (name.value === 'strict') fail('E_RESERVED', '"strict" names seccomp strict mode; choose another name', name.loc);
  const first = declaredPrograms(context).find((d) => d.name === name.value)!;
  if (first.loc.start.offset !== name.loc.start.offset || first.loc.source !== name.loc.source) {
    fail('E_DUPLICATE', `seccomp program ${name.value} is declared twice`, name.loc, [`first declared at line ${first.loc.start.line}`]);
  }
  return name;
}

/** The attached file of `NAME from "path"`. */
function attachedFile(statement: SettingStatement, context: ExtensionContext): { file: string; text: string } {
  const from = statement.args[1];
  const path = statement.args[2];
  if (from?.kind !== 'word' || from.value !== 'from' || path?.kind !== 'string') {
    fail('E_MISSING', `expected from "FILE" after the name: ${statement.name.value} NAME from "FILE"`, (from ?? statement.args[0] ?? statement.name).loc);
  }
  if (statement.args.length > 3) fail('E_ARGUMENTS', `unexpected ${describe(statement.args[3]!)} after the file`, statement.args[3]!.loc);
  const source = attachmentAt(context.loaded, path.loc);
  if (source === null) fail('E_MISSING_FILE', `${path.value} was not loaded`, path.loc);
  return { file: source.file, text: source.text };
}

function defineProgram(name: string, source: string, program: BpfProgram): Command {
  return { type: 'seccomp.defineProgram', actor: 'kernel', data: { name, source, program: program.map(({ code, jt, jf, k }) => ({ code, jt, jf, k })) } };
}

const compileFilter: SettingCompiler = (statement, context) => {
  const name = programName(statement, context);
  if (statement.props !== null) fail('E_ARGUMENTS', 'a filter takes no { … } properties: its program is the file', statement.loc);
  const { file, text } = attachedFile(statement, context);
  const program = file.toLowerCase().endsWith('.json') ? parseProgramJson(text, file) : assemble(text, file);
  return [defineProgram(name.value, `filter ${file}`, program)];
};

/**
 * The bounding set Docker gives a container by default (moby oci/caps/defaults.go,
 * DefaultCapabilities): what the profile's `includes.caps` rules are resolved against.
 */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `caps: default|CAP_SYS_ADMIN`, `caps: CAP_CHOWN|CAP_KILL`, `caps: none`, `caps: all`. */
function profileCaps(value: Value, bindings: Bindings): string[] {
  const resolved = resolve(value, bindings);
  const parts = resolved.kind === 'union' ? resolved.parts.map((part) => resolve(part, bindings)) : [resolved];
  const caps = new Set<string>();
  for (const part of parts) {
    if (part.kind !== 'word') fail('E_TYPE', `expected a capability (CAP_SYS_ADMIN), default, all or none, found ${describe(part)}`, part.loc);
    if (part.value === 'default') DOCKER_DEFAULT_CAPS.forEach((cap) => caps.add(cap));
    else if (part.value === 'all') CAPABILITIES.forEach((cap) => caps.add(cap));
    else if (part.value === 'none') continue;
    else if ((CAPABILITIES as readonly string[]).includes(part.value)) caps.add(part.value);
    else fail('E_UNKNOWN_CONSTANT', `"${part.value}" is not a capability`, part.loc, suggestionNotes(nearest(part.value.toUpperCase(), [...CAPABILITIES, 'default', 'all', 'none'])));
  }
  return CAPABILITIES.filter((cap) => caps.has(cap));
}

/** parse, resolve for the container's bounding set and machine, compile: what runc hands the kernel. */
function profileProgram(statement: SettingStatement, file: string, text: string, bindings: Bindings): BpfProgram {
  let caps = [...DOCKER_DEFAULT_CAPS];
  let arch: 'x86_64' | 'i386' = 'x86_64';
  let kernel: string | undefined;
  for (const prop of statement.props ?? []) {
    if (prop.key.value === 'caps') caps = profileCaps(prop.value, bindings);
    else if (prop.key.value === 'arch') arch = expectChoice(prop.value, ['x86_64', 'i386'] as const, 'the machine (x86_64 or i386)', prop.key.loc, bindings);
    else if (prop.key.value === 'kernel') {
      const version = resolve(prop.value, bindings);
      if (version.kind !== 'string' || !/^\d+\.\d+$/.test(version.value)) fail('E_TYPE', `expected a kernel version such as "6.1", found ${describe(version)}`, version.loc);
      kernel = version.value;
    } else fail('E_UNKNOWN_PROPERTY', `"${prop.key.value}" is not a profile property (caps, arch, kernel)`, prop.key.loc, suggestionNotes(nearest(prop.key.value, ['caps', 'arch', 'kernel'])));
  }
  const resolved = resolveProfile(parseProfile(text, file), kernel === undefined ? { arch, caps } : { arch, caps, kernel });
  return compileResolvedProfile(resolved);
}

const compileProfile: SettingCompiler = (statement, context) => {
  const name = programName(statement, context);
  const { file, text } = attachedFile(statement, context);
  return [defineProgram(name.value, `profile ${file}`, profileProgram(statement, file, text, context.bindings))];
};

// ---------------------------------------------------------------- rule lists

/** Action words of a rule list, lower case as in OCI's SCMP_ACT_* without the prefix. */
const ACTION_WORDS: Readonly<Record<string, SeccompAction>> = {
  allow: 'ALLOW',
  log: 'LOG',
  kill: 'KILL_THREAD',
  kill_thread: 'KILL_THREAD',
  kill_process: 'KILL_PROCESS',
  trap: 'TRAP',
  errno: 'ERRNO',
  trace: 'TRACE',
  notify: 'USER_NOTIF',
};
const ACTION_HELP = 'allow, log, kill, kill_process, trap, notify, errno(EPERM), trace(N) or an errno name (EPERM)';

function dataOf(value: Value | undefined, action: SeccompAction, at: Span, bindings: Bindings): number {
  if (value === undefined) return 0;
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'number' && resolved.value >= 0n && resolved.value <= 0xffffn) return Number(resolved.value);
  if (action === 'ERRNO' && resolved.kind === 'word') {
    if (isErrno(resolved.value)) return ERRNO[resolved.value];
    fail('E_UNKNOWN_ERRNO', `"${resolved.value}" is not an errno name isolab knows`, resolved.loc, suggestionNotes(nearest(resolved.value, Object.keys(ERRNO))));
  }
  return fail('E_TYPE', `expected ${action === 'ERRNO' ? 'an errno (EPERM or a number)' : 'a number 0..65535'}, found ${describe(resolved)}`, resolved.loc ?? at);
}

export function ruleAction(value: Value, bindings: Bindings): RuleAction {
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'word' && isErrno(resolved.value)) return { action: 'ERRNO', data: ERRNO[resolved.value] };
  const word = resolved.kind === 'word' ? resolved.value : resolved.kind === 'call' ? resolved.name : null;
  if (word === null) return fail('E_TYPE', `expected a seccomp action (${ACTION_HELP}), found ${describe(resolved)}`, resolved.loc);
  const action = ACTION_WORDS[word];
  if (action === undefined) {
    return fail('E_UNKNOWN_WORD', `"${word}" is not a seccomp action (${ACTION_HELP})`, resolved.loc, suggestionNotes(nearest(word, [...Object.keys(ACTION_WORDS), ...Object.keys(ERRNO)])));
  }
  const args = resolved.kind === 'call' ? resolved.args : [];
  if (args.length > 1 || (args.length === 1 && !['ERRNO', 'TRACE', 'TRAP'].includes(action))) fail('E_ARGUMENTS', `${word} takes ${action === 'ERRNO' || action === 'TRACE' || action === 'TRAP' ? 'at most one argument' : 'no argument'}`, resolved.loc);
  if (action === 'ERRNO' && args.length === 0) fail('E_MISSING', 'errno needs an errno: errno(EPERM)', resolved.loc);
  return { action, data: dataOf(args[0], action, resolved.loc, bindings) };
}

function syscallRule(prop: Property, bindings: Bindings): SyscallRule {
  const name = prop.key.value;
  const nr = syscallNumber('x86_64', name);
  if (nr === null) {
    fail('E_UNKNOWN_SYSCALL', `"${name}" is not an x86-64 system call`, prop.key.loc, suggestionNotes(nearest(name, [...syscallNames('x86_64'), 'default', 'arch'])));
  }
  return { name, nr, action: ruleAction(prop.value, bindings) };
}

const compileRules: SettingCompiler = (statement, context) => {
  const name = programName(statement, context);
  if (statement.args.length > 1) fail('E_ARGUMENTS', `unexpected ${describe(statement.args[1]!)}: seccomp NAME { default: allow, chmod: EPERM, … }`, statement.args[1]!.loc);
  const props = statement.props ?? [];
  let defaultAction: RuleAction | null = null;
  let archChecked = true;
  const rules: SyscallRule[] = [];
  for (const prop of props) {
    if (prop.key.value === 'default') defaultAction = ruleAction(prop.value, context.bindings);
    else if (prop.key.value === 'arch') archChecked = expectChoice(prop.value, ['checked', 'unchecked'] as const, 'checked or unchecked', prop.key.loc, context.bindings) === 'checked';
    else {
      const rule = syscallRule(prop, context.bindings);
      if (rules.some((r) => r.name === rule.name)) fail('E_DUPLICATE', `${rule.name} has two rules`, prop.key.loc);
      rules.push(rule);
    }
  }
  if (defaultAction === null) fail('E_MISSING', 'a rule list needs a default action: { default: allow, … }', statement.name.loc);
  const program = compileRuleList({ defaultAction, rules, archChecked });
  return [defineProgram(name.value, `rules${archChecked ? '' : ' (arch unchecked)'}`, program)];
};

// ---------------------------------------------------------------- process property

const installProperty: ProcessPropertyCompiler = (prop, processName, context) => {
  const word = expectWord(prop.value, 'a declared seccomp program or strict', prop.key.loc, context.bindings);
  if (word.value !== 'strict') {
    const names = declaredPrograms(context).map((d) => d.name);
    if (!names.includes(word.value)) {
      fail('E_UNKNOWN_NAME', `no seccomp program named ${word.value} is declared (filter, profile or seccomp)`, word.loc, suggestionNotes(nearest(word.value, [...names, 'strict'])));
    }
  }
  return [{ type: 'seccomp.install', actor: 'kernel', data: { process: processName, program: word.value } }];
};

export const SECCOMP_SETTINGS: Readonly<Record<string, SettingCompiler>> = {
  filter: compileFilter,
  profile: compileProfile,
  seccomp: compileRules,
};

export const SECCOMP_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = {
  seccomp: installProperty,
};

/** Every action word a rule list accepts, for documentation and tests. */
export const RULE_ACTION_WORDS: readonly string[] = Object.keys(ACTION_WORDS);
export { SECCOMP_ACTIONS };
