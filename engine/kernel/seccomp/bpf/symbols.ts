/**
 * Names for the constants seccomp filters compare against, shared by the assembler
 * (`#ALLOW`, `#ERRNO(EPERM)`, `#SYS_openat`, `#AUDIT_ARCH_X86_64`) and the disassembler.
 * System-call numbers come from the kernel's own tables (data/syscalls/*.tbl, generated
 * into engine/generated/syscall-tables.ts); read directly here so this module does not
 * pull in the kernel's dispatcher.
 */
import { I386_SYSCALLS, X86_64_SYSCALLS, type SyscallRow } from '../../../generated/syscall-tables.js';
import { ERRNO, isErrno } from '../../syscall/errno.js';
import {
  AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_DATA, decodeAction, actionValue,
  type SeccompAction,
} from '../constants.js';

export type SyscallTable = 'x86_64' | 'i386';

function rowsOf(table: SyscallTable): readonly SyscallRow[] {
  return table === 'x86_64' ? X86_64_SYSCALLS : I386_SYSCALLS;
}

export function syscallNumberIn(table: SyscallTable, name: string): number | null {
  return rowsOf(table).find((row) => row[1] === name)?.[0] ?? null;
}

export function syscallNameIn(table: SyscallTable, nr: number): string | null {
  return rowsOf(table).find((row) => row[0] === nr)?.[1] ?? null;
}

export function syscallNamesIn(table: SyscallTable): string[] {
  return rowsOf(table).map((row) => row[1]);
}

export const ARCH_SYMBOLS: Readonly<Record<string, number>> = {
  AUDIT_ARCH_X86_64,
  AUDIT_ARCH_I386,
};

/** The action words `#NAME` accepts; KILL is KILL_THREAD, as in seccomp-tools and the man page's SECCOMP_RET_KILL. */
const ACTION_SYMBOLS: Readonly<Record<string, SeccompAction>> = {
  ALLOW: 'ALLOW',
  KILL: 'KILL_THREAD',
  KILL_THREAD: 'KILL_THREAD',
  KILL_PROCESS: 'KILL_PROCESS',
  TRAP: 'TRAP',
  ERRNO: 'ERRNO',
  USER_NOTIF: 'USER_NOTIF',
  TRACE: 'TRACE',
  LOG: 'LOG',
};

/** Every plain symbol name, for "did you mean" suggestions. */
export const SYMBOL_NAMES: readonly string[] = [...Object.keys(ACTION_SYMBOLS), ...Object.keys(ARCH_SYMBOLS)];

export type SymbolValue = { readonly kind: 'value'; readonly value: number } | { readonly kind: 'error'; readonly message: string };

/** Resolves `NAME` or `NAME(argument)` (an action with its data). Null when the name (or system call) is unknown. */
export function resolveSymbol(name: string, argument: string | null): SymbolValue | null {
  const action = ACTION_SYMBOLS[name];
  if (action !== undefined) return actionSymbol(action, argument);
  if (argument !== null) return null;
  if (Object.prototype.hasOwnProperty.call(ARCH_SYMBOLS, name)) return { kind: 'value', value: ARCH_SYMBOLS[name] >>> 0 };
  const syscall = /^SYS_(?:(i386|x86_64)_)?([a-z0-9_]+)$/.exec(name);
  if (syscall === null) return null;
  const table: SyscallTable = syscall[1] === 'i386' ? 'i386' : 'x86_64';
  const nr = syscallNumberIn(table, syscall[2]);
  return nr === null ? null : { kind: 'value', value: nr };
}

function actionSymbol(action: SeccompAction, argument: string | null): SymbolValue {
  if (argument === null) return { kind: 'value', value: actionValue(action) };
  const data = isErrno(argument) ? ERRNO[argument] : parseSmallNumber(argument);
  if (data === null || data > SECCOMP_RET_DATA) {
    return { kind: 'error', message: `the data of ${action} must be an errno name or a number from 0 to 65535, not "${argument}"` };
  }
  return { kind: 'value', value: actionValue(action, data) };
}

function parseSmallNumber(text: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  return null;
}

/** How a return value is written back: `ALLOW`, `ERRNO(1)`, `KILL_PROCESS`, or hex for unknown actions. */
export function actionSymbolOf(value: number): string {
  const { action, data } = decodeAction(value);
  if ((value & SECCOMP_RET_ACTION_FULL) >>> 0 !== actionValue(action)) return '0x' + (value >>> 0).toString(16).padStart(8, '0');
  const word = action === 'KILL_THREAD' ? 'KILL' : action;
  return data === 0 && action !== 'ERRNO' ? word : `${word}(${data})`;
}
