/**
 * seccomp's setup commands, run before a scenario's steps:
 * - `seccomp.defineProgram` {name, source, program}: a program the scenario declared by
 *   name (a `filter`, `profile` or `seccomp` setting), which a process may then install;
 * - `seccomp.install` {process, program}: a container runtime installs the named program
 *   (or strict mode, program "strict") in a process it just created, through the kernel's
 *   own rules (install.ts), before the process runs anything.
 * A failed installation is a refused request with the kernel's errno and reason.
 */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { isError } from '../syscall/context.js';
import { processByName } from '../state.js';
import type { BpfInstruction } from './bpf/types.js';
import { seccompEvents } from './events.js';
import { setModeFilter, setModeStrict } from './install.js';
import { namedProgram } from './state.js';

export interface DefineProgramData {
  readonly name: string;
  readonly source: string;
  readonly program: readonly BpfInstruction[];
}

export interface InstallData {
  readonly process: string;
  /** A declared program's name, or "strict". */
  readonly program: string;
}

function refused(reason: string, errno = 'EINVAL'): EventDraft {
  return { type: 'kernel.requestRefused', actor: 'kernel', data: { operation: 'seccomp.install', errno, reason } };
}

function decideDefineProgram(_state: MachineState, command: Command): EventDraft[] {
  const { name, source, program } = (command as Command<string, DefineProgramData>).data;
  return [seccompEvents.programDefined({ name, source, program: program.map(({ code, jt, jf, k }) => ({ code, jt, jf, k })) })];
}

function decideInstall(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<string, InstallData>).data;
  const process = processByName(state.kernel, data.process);
  if (process === null) return [refused(`no process named ${data.process}`, 'ESRCH')];
  if (data.program === 'strict') {
    const result = setModeStrict(process, 'runtime');
    return isError(result) ? [refused(result.note ?? result.errno, result.errno)] : [...(result.events ?? [])];
  }
  const named = namedProgram(state.kernel, data.program);
  if (named === null) return [refused(`no seccomp program named ${data.program}`, 'ENOENT')];
  const result = setModeFilter(state, process, { flags: 0, argument: { program: named.program, label: data.program }, via: 'runtime' });
  return isError(result) ? [refused(result.note ?? result.errno, result.errno)] : [...(result.events ?? [])];
}

export const SECCOMP_DECIDERS: Readonly<Record<string, (state: MachineState, command: Command) => EventDraft[]>> = {
  'seccomp.defineProgram': decideDefineProgram,
  'seccomp.install': decideInstall,
};
