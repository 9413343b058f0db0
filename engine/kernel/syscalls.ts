/**
 * System-call dispatch by number (concept 20): the x86-64 table through SYSCALL and the
 * i386 table through INT 0x80, both the kernel's own (data/syscalls/*.tbl). The calls
 * this simulator implements are handled here; any other known call returns -ENOSYS and
 * says so in the trace. Return convention as the kernel's: a value, or -errno.
 *
 * Handlers live with their mechanism (syscall/registry.ts gathers them).
 */
import type { Command, EventDraft } from '../core/decider.js';
import type { MachineState } from '../machine/state.js';
import type { SyscallRequest } from '../hw/cpu/instructions.js';
import { I386_SYSCALLS, X86_64_SYSCALLS, type SyscallRow } from '../generated/syscall-tables.js';
import { processOf, type Process } from './state.js';
import { exitProcess, terminate } from './traps.js';
import { fail, isError, SyscallContext, type SyscallAbi, type SyscallResult } from './syscall/context.js';
import { errnoNumber } from './syscall/errno.js';
import { ENTRY_GATES, SYSCALL_HANDLERS } from './syscall/registry.js';

export type { SyscallAbi };

function tableOf(abi: SyscallAbi): readonly SyscallRow[] {
  return abi === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS;
}

export function syscallNumber(abi: SyscallAbi, name: string): number | null {
  return tableOf(abi).find((row) => row[1] === name)?.[0] ?? null;
}

export function syscallName(abi: SyscallAbi, nr: number): string | null {
  return tableOf(abi).find((row) => row[0] === nr)?.[1] ?? null;
}

export function syscallNames(abi: SyscallAbi): string[] {
  return tableOf(abi).map((row) => row[1]);
}

export interface SyscallData {
  readonly abi: SyscallAbi;
  readonly request: SyscallRequest;
}

/** The kernel's return value: a result, or -errno (as the raw system call returns it). */
function returned(result: SyscallResult): { ret: number; errno: string | null } {
  return isError(result) ? { ret: -errnoNumber(result.errno), errno: result.errno } : { ret: result.ret, errno: null };
}

function run(state: MachineState, process: Process, abi: SyscallAbi, name: string | null, request: SyscallRequest): SyscallResult {
  if (name === null) return fail('ENOSYS', `no system call ${request.nr} in the ${abi} table`);
  const handler = SYSCALL_HANDLERS[name];
  if (handler === undefined) return fail('ENOSYS', `${name} is not simulated yet`);
  return handler(new SyscallContext(state, process, abi, name, request.args, request.as ?? null));
}

export function decideSyscall(state: MachineState, command: Command): EventDraft[] {
  const { abi, request } = (command as Command<'kernel.syscall', SyscallData>).data;
  const process = processOf(state.kernel, state.kernel.current);
  const name = syscallName(abi, request.nr);
  const entered: EventDraft = {
    type: 'kernel.syscallEntered',
    actor: process?.name ?? 'kernel',
    data: { pid: process?.pid ?? null, abi, nr: request.nr, name, args: request.args },
  };
  if (process === null) return [entered, { type: 'cpu.returned', actor: 'cpu', data: { via: returnPath(abi), toCpl: 3 } }];
  const drafts: EventDraft[] = [entered];
  for (const gate of ENTRY_GATES) {
    const outcome = gate({ state, process, abi, name, request });
    switch (outcome.kind) {
      case 'pass':
        drafts.push(...outcome.events);
        continue;
      case 'end':
        return [...drafts, ...completeSyscall(state, process, abi, request, outcome.result)];
      case 'kill':
        return [...drafts, ...outcome.events, ...terminate(state, process, outcome.signal, outcome.how)];
      case 'suspend':
        return [...drafts, ...outcome.events];
    }
  }
  return [...drafts, ...completeSyscall(state, process, abi, request, run(state, process, abi, name, request))];
}

function returnPath(abi: SyscallAbi): 'sysret' | 'iret' {
  return abi === 'x86_64' ? 'sysret' : 'iret';
}

/** Runs the handler of a call that was let through (after a supervisor's answer, say). */
export function runSyscall(state: MachineState, process: Process, abi: SyscallAbi, request: SyscallRequest): SyscallResult {
  return run(state, process, abi, syscallName(abi, request.nr), request);
}

/**
 * The end of a call: its effects, kernel.syscallReturned, and the return to user mode
 * (or the process's end, for exit). Also how a suspended call completes.
 */
export function completeSyscall(state: MachineState, process: Process, abi: SyscallAbi, request: SyscallRequest, result: SyscallResult): EventDraft[] {
  const name = syscallName(abi, request.nr);
  const { ret, errno } = returned(result);
  const ok = isError(result) ? null : result;
  const drafts: EventDraft[] = [...(result.events ?? [])];
  drafts.push({
    type: 'kernel.syscallReturned',
    actor: process.name,
    data: {
      pid: process.pid,
      abi,
      nr: request.nr,
      name,
      ret,
      errno,
      note: result.note ?? null,
      ...(ok?.bytes === undefined ? {} : { bytes: ok.bytes }),
      ...(ok?.detail === undefined ? {} : { detail: ok.detail }),
    },
  });
  if (ok?.exits !== undefined) return [...drafts, ...exitProcess(state, process, ok.exits.status)];
  drafts.push({ type: 'cpu.returned', actor: 'cpu', data: { via: returnPath(abi), toCpl: 3 } });
  return drafts;
}
