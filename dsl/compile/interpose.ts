/**
 * The language of system-call interposition (see extensions.ts):
 *
 *   monitor janus { allow: "/tmp/*", allow: "/srv/**", deny: "/etc/*", network: off, mode: janus }
 *   process box { uid: 0, monitor: janus }
 *   box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY)   # checked, then stopped
 *   box: resume                                             # the kernel performs it now
 *
 * `monitor NAME { … }` declares a policy (engine/kernel/interpose/policy.ts): `allow` and
 * `deny` patterns (each key may repeat), `network: on|off` (default off), `mode:
 * janus|resolved` (default janus). A process property `monitor: NAME` starts that
 * process under the monitor; its fork/clone children stay under it.
 */
import type { Command } from '../../engine/core/decider.js';
import type { MonitorMode, MonitorPolicy } from '../../engine/kernel/interpose/policy.js';
import type { Property, SettingStatement } from '../ast.js';
import { nearest } from '../suggest.js';
import type { ExtensionContext, ProcessPropertyCompiler, SettingCompiler } from './extensions.js';
import { expectChoice, expectOnOff, expectString, expectWord, fail, suggestionNotes } from './values.js';

const MONITOR_KEYS = ['allow', 'deny', 'network', 'mode'] as const;
const MODES: readonly MonitorMode[] = ['janus', 'resolved'];

function monitorStatements(context: ExtensionContext): SettingStatement[] {
  return context.loaded.statements.filter((s): s is SettingStatement => s.kind === 'setting' && s.name.value === 'monitor');
}

function nameOf(statement: SettingStatement, context: ExtensionContext): string {
  if (statement.args.length !== 1) {
    fail('E_MONITOR', 'a monitor is declared as: monitor NAME { allow: "/tmp/*", deny: "/etc/*", network: off, mode: janus }', statement.loc);
  }
  return expectWord(statement.args[0], 'the monitor\'s name', statement.name.loc, context.bindings).value;
}

function pattern(prop: Property, context: ExtensionContext): string {
  const text = expectString(prop.value, 'a path pattern such as "/tmp/*"', prop.key.loc, context.bindings);
  if (!text.startsWith('/')) fail('E_MONITOR', `a monitor's path pattern is absolute; "${text}" does not start with "/"`, prop.value.loc);
  return text;
}

/** The policy a `monitor NAME { … }` statement declares. */
export function compileMonitorPolicy(statement: SettingStatement, context: ExtensionContext): MonitorPolicy {
  const name = nameOf(statement, context);
  const allow: string[] = [];
  const deny: string[] = [];
  let network = false;
  let mode: MonitorMode = 'janus';
  for (const prop of statement.props ?? []) {
    switch (prop.key.value) {
      case 'allow':
        allow.push(pattern(prop, context));
        break;
      case 'deny':
        deny.push(pattern(prop, context));
        break;
      case 'network':
        network = expectOnOff(prop.value, 'network', prop.key.loc, context.bindings);
        break;
      case 'mode':
        mode = expectChoice(prop.value, MODES, 'the monitor\'s mode', prop.key.loc, context.bindings);
        break;
      default:
        fail('E_UNKNOWN_PROPERTY', `"${prop.key.value}" is not a property of a monitor (expected one of: ${MONITOR_KEYS.join(', ')})`, prop.key.loc, suggestionNotes(nearest(prop.key.value, MONITOR_KEYS)));
    }
  }
  return { name, allow, deny, network, mode };
}

/** `monitor NAME { … }`: checked here; its policy travels with each process that uses it. */
const compileMonitorSetting: SettingCompiler = (statement, context) => {
  const name = nameOf(statement, context);
  const same = monitorStatements(context).filter((other) => nameOf(other, context) === name);
  if (same[0] !== statement) fail('E_DUPLICATE', `monitor ${name} is declared twice`, statement.loc);
  compileMonitorPolicy(statement, context);
  return [];
};

/** `process P { monitor: NAME }`: P starts under that monitor. */
const compileMonitorProperty: ProcessPropertyCompiler = (prop, processName, context) => {
  const word = expectWord(prop.value, 'the name of a monitor declared with "monitor NAME { … }"', prop.key.loc, context.bindings);
  const statements = monitorStatements(context);
  const statement = statements.find((s) => nameOf(s, context) === word.value);
  if (statement === undefined) {
    const names = statements.map((s) => nameOf(s, context));
    fail('E_UNKNOWN_MONITOR', `no monitor is named "${word.value}"`, word.loc, [
      ...suggestionNotes(nearest(word.value, names)),
      ...(names.length === 0 ? ['declare one: monitor NAME { allow: "/tmp/*", deny: "/etc/*" }'] : []),
    ]);
  }
  const command: Command = { type: 'interpose.attach', actor: 'interpose', data: { process: processName, policy: compileMonitorPolicy(statement, context) } };
  return [command];
};

/**
 * `process keeper { supervises: target(PROGRAM) }`: the target (declared before) installs
 * the seccomp program PROGRAM with SECCOMP_FILTER_FLAG_NEW_LISTENER and keeper holds the
 * listener fd (as pidfd_getfd(2) gives it), as a runtime sets a supervised container up.
 */
const compileSupervisesProperty: ProcessPropertyCompiler = (prop, processName, context) => {
  const usage = 'expected "supervises: TARGET(PROGRAM)": a process declared before this one and a declared seccomp program';
  if (prop.value.kind !== 'call' || prop.value.args.length !== 1) return fail('E_SUPERVISES', usage, prop.value.loc);
  const target = prop.value.name;
  const program = expectWord(prop.value.args[0], 'a declared seccomp program', prop.value.loc, context.bindings).value;
  const order = context.loaded.statements.filter((s) => s.kind === 'process').map((s) => (s.kind === 'process' ? s.name.value : ''));
  if (!context.processes.has(target)) fail('E_UNKNOWN_PROCESS', `no process is named "${target}"`, prop.value.loc, suggestionNotes(nearest(target, [...context.processes])));
  if (order.indexOf(target) > order.indexOf(processName)) fail('E_SUPERVISES', `${target} must be declared before ${processName}, which supervises it`, prop.value.loc);
  if (target === processName) fail('E_SUPERVISES', 'a process cannot supervise itself: its own calls would wait for its own answer', prop.value.loc);
  return [{ type: 'interpose.supervise', actor: 'interpose', data: { supervisor: processName, target, program } }];
};

export const INTERPOSE_SETTINGS: Readonly<Record<string, SettingCompiler>> = { monitor: compileMonitorSetting };

export const INTERPOSE_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = { monitor: compileMonitorProperty, supervises: compileSupervisesProperty };
