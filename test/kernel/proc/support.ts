// Test support for the process mechanism: system calls by name through SYSCALL, and the
// pieces of their results tests look at.
import type { Envelope } from '../../../engine/core/decider.js';
import type { SyscallRequest } from '../../../engine/hw/cpu/instructions.js';
import { syscallNumber } from '../../../engine/kernel/syscalls.js';
import { procInfoOf, procStateOf } from '../../../engine/kernel/proc/state.js';
import type { Machine } from '../../helpers/machine.js';
import { dataOf } from '../../helpers/machine.js';

export type Arg = SyscallRequest['args'][number];

/** A 64-bit argument as the scenario compiler passes numbers: exact hex, two's complement. */
export function n(value: number | bigint): string {
  return '0x' + BigInt.asUintN(64, BigInt(value)).toString(16);
}

export interface Returned {
  readonly name: string;
  readonly ret: number;
  readonly errno: string | null;
  readonly note: string | null;
  readonly detail?: Record<string, unknown>;
}

/** `who: syscall name(args) [as child]`: switches to who, returns the events of the call. */
export function sys(machine: Machine, who: string, name: string, args: readonly Arg[] = [], as?: string): Envelope[] {
  const nr = syscallNumber('x86_64', name);
  if (nr === null) throw new Error(`no system call ${name}`);
  return machine.exec(who, { op: 'syscall', syscall: { nr, name, args: [...args], ...(as === undefined ? {} : { as }) } });
}

/** The syscallReturned of a call's events (the last one). */
export function returnedOf(events: readonly Envelope[]): Returned {
  const all = dataOf<Returned>(events, 'kernel.syscallReturned');
  if (all.length === 0) throw new Error(`no kernel.syscallReturned in ${events.map((e) => e.type).join(', ')}`);
  return all.at(-1)!;
}

export function infoOf(machine: Machine, name: string) {
  return procInfoOf(machine.state.kernel, machine.process(name).pid);
}

export function swapOf(machine: Machine) {
  return procStateOf(machine.state.kernel).swap;
}

/** The frame behind a page of a process, from its VMA records. */
export function frameAt(machine: Machine, name: string, va: bigint): number {
  const process = machine.process(name);
  const vma = process.vmas.find((v) => va >= v.start && va < v.start + BigInt(v.sizeBytes))!;
  return vma.frames[Number((va - vma.start) / 4096n)]!;
}

/** The bytes `who` reads at va (after any fault the kernel resolves), hex. */
export function readBytes(machine: Machine, who: string, va: bigint, size: number): string | null {
  const reads = dataOf<{ bytes: string; by: string }>(machine.read(who, va, size), 'memory.read').filter((r) => r.by === who);
  return reads.length === 0 ? null : reads.map((r) => r.bytes).join('');
}

export function violationsOf(machine: Machine): string[] {
  return machine.state.scenario.violations.map((v) => `${v.invariant}: ${v.message}`);
}

export function ascii(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}
