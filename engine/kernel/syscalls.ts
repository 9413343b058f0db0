/**
 * System-call dispatch by number (concept 20): the x86-64 table through SYSCALL and the
 * i386 table through INT 0x80, both the kernel's own (data/syscalls/*.tbl). The calls
 * this simulator implements are handled here; any other known call returns -ENOSYS and
 * says so in the trace. Return convention as the kernel's: a value, or -errno.
 *
 * Implemented so far: getpid, getppid, gettid, getuid, geteuid, getgid, getegid,
 * sched_yield, exit, exit_group, write to fd 1 and 2 (with the buffer given by value).
 */
import type { Command, EventDraft } from '../core/decider.js';
import type { MachineState } from '../machine/state.js';
import type { SyscallRequest } from '../hw/cpu/instructions.js';
import { I386_SYSCALLS, X86_64_SYSCALLS, type SyscallRow } from '../generated/syscall-tables.js';
import { processOf, type Process } from './state.js';
import { terminate } from './traps.js';

export type SyscallAbi = 'x86_64' | 'i386';

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

interface Result {
  readonly ret: number;
  readonly errno: string | null;
  readonly note: string | null;
  readonly extra: EventDraft[];
  readonly exits?: boolean;
}

const ok = (ret: number, extra: EventDraft[] = []): Result => ({ ret, errno: null, note: null, extra });

function handle(state: MachineState, process: Process, name: string, request: SyscallRequest): Result {
  switch (name) {
    case 'getpid':
    case 'gettid':
      return ok(process.pid);
    case 'getppid':
      return ok(process.ppid);
    case 'getuid':
    case 'geteuid':
    case 'getuid32':
    case 'geteuid32':
      return ok(process.uid);
    case 'getgid':
    case 'getegid':
    case 'getgid32':
    case 'getegid32':
      return ok(process.gid);
    case 'sched_yield':
      return ok(0);
    case 'exit':
    case 'exit_group':
      return { ...ok(0), exits: true };
    case 'write':
      return write(process, request);
    default:
      return { ret: -38, errno: 'ENOSYS', note: `${name} is not simulated yet`, extra: [] };
  }
}

function write(process: Process, request: SyscallRequest): Result {
  const [fdArg, buffer, countArg] = request.args;
  const fd = typeof fdArg === 'string' ? Number(BigInt(fdArg)) : NaN;
  if (fd !== 1 && fd !== 2) return { ret: -9, errno: 'EBADF', note: 'only fds 1 and 2 exist so far', extra: [] };
  const text = typeof buffer === 'object' ? buffer.text : '';
  const count = typeof countArg === 'string' ? Number(BigInt(countArg)) : text.length;
  const written = text.slice(0, count);
  return ok(written.length, [{ type: 'kernel.consoleWritten', actor: process.name, data: { pid: process.pid, fd, text: written } }]);
}

export function decideSyscall(state: MachineState, command: Command): EventDraft[] {
  const { abi, request } = (command as Command<'kernel.syscall', SyscallData>).data;
  const process = processOf(state.kernel, state.kernel.current);
  const name = syscallName(abi, request.nr);
  const via = abi === 'x86_64' ? 'sysret' : 'iret';
  const entered: EventDraft = {
    type: 'kernel.syscallEntered',
    actor: process?.name ?? 'kernel',
    data: { pid: process?.pid ?? null, abi, nr: request.nr, name, args: request.args },
  };
  if (process === null) return [entered, { type: 'cpu.returned', actor: 'cpu', data: { via, toCpl: 3 } }];
  const result: Result =
    name === null
      ? { ret: -38, errno: 'ENOSYS', note: `no system call ${request.nr} in the ${abi} table`, extra: [] }
      : handle(state, process, name, request);
  const drafts: EventDraft[] = [entered, ...result.extra];
  drafts.push({
    type: 'kernel.syscallReturned',
    actor: process.name,
    data: { pid: process.pid, abi, nr: request.nr, name, ret: result.ret, errno: result.errno, note: result.note },
  });
  if (result.exits === true) return [...drafts, ...terminate(state, process, null, `exit(${request.args[0] ?? 0})`)];
  drafts.push({ type: 'cpu.returned', actor: 'cpu', data: { via, toCpl: 3 } });
  return drafts;
}
