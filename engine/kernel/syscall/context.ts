/**
 * What a system-call handler sees and returns. A handler is a pure function from the
 * machine state, the calling process and its arguments to a result: a return value or
 * an errno, plus the events that carry out its effects. Arguments arrive as the
 * scenario gave them — exact 64-bit integers in hex, strings by value, or symbols — and
 * the context reads them with the kernel's types (a signed int, an fd, a path copied
 * from user memory when given as an address).
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import type { Errno } from './errno.js';
import { readUserString } from './user-memory.js';

/** An argument: an integer ("0x…", exact, two's complement for negatives), a string, or a word. */
export type SyscallArg = string | { readonly text: string } | { readonly symbol: string };

export type SyscallAbi = 'x86_64' | 'i386';

export interface SyscallResultOk {
  readonly ret: number;
  /** Bytes the call returns to the caller (read, getcwd, readlink), hex. */
  readonly bytes?: string;
  /** Other results worth showing: stat fields, the fds of a pipe. */
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly events?: readonly EventDraft[];
  readonly note?: string;
  /** The process ends (exit, exit_group): no return to user mode. */
  readonly exits?: { readonly status: number };
}

export interface SyscallResultError {
  readonly errno: Errno;
  readonly note?: string;
  readonly events?: readonly EventDraft[];
}

export type SyscallResult = SyscallResultOk | SyscallResultError;

export class SyscallContext {
  constructor(
    readonly state: MachineState,
    readonly process: Process,
    readonly abi: SyscallAbi,
    readonly name: string,
    readonly args: readonly SyscallArg[],
    /** A name the scenario gave the new process (fork and clone `as NAME`). */
    readonly childName: string | null,
  ) {}

  has(index: number): boolean {
    return index < this.args.length;
  }

  /** The argument as an unsigned 64-bit value (0 when absent). */
  u64(index: number): bigint {
    const arg = this.args[index];
    if (typeof arg === 'string') return BigInt.asUintN(64, BigInt(arg));
    return 0n;
  }

  /** The argument as a signed 64-bit value, as a number (ints, fds, pids, flags). */
  int(index: number, fallback = 0): number {
    const arg = this.args[index];
    if (typeof arg !== 'string') return fallback;
    return Number(BigInt.asIntN(64, BigInt(arg)));
  }

  /** The argument as a C int (32-bit signed): how the kernel reads int parameters. */
  int32(index: number, fallback = 0): number {
    const arg = this.args[index];
    if (typeof arg !== 'string') return fallback;
    return Number(BigInt.asIntN(32, BigInt(arg)));
  }

  /** A string argument: given by value, or copied from the process's memory at an address. */
  text(index: number): string | { readonly errno: 'EFAULT' } {
    const arg = this.args[index];
    if (arg === undefined) return { errno: 'EFAULT' };
    if (typeof arg === 'object' && 'text' in arg) return arg.text;
    if (typeof arg === 'object') return { errno: 'EFAULT' };
    const copied = readUserString(this.state, this.process, BigInt(arg));
    return copied ?? { errno: 'EFAULT' };
  }

  symbol(index: number): string | null {
    const arg = this.args[index];
    return typeof arg === 'object' && 'symbol' in arg ? arg.symbol : null;
  }
}

export type SyscallHandler = (context: SyscallContext) => SyscallResult;

export function ok(ret: number, extra: Omit<SyscallResultOk, 'ret'> = {}): SyscallResultOk {
  return { ret, ...extra };
}

export function fail(errno: Errno, note?: string): SyscallResultError {
  return note === undefined ? { errno } : { errno, note };
}

export function isError(result: SyscallResult): result is SyscallResultError {
  return 'errno' in result;
}
