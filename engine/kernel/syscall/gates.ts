/**
 * What stands between a system call's entry and its handler, in the kernel's order.
 * syscall_trace_enter (kernel/entry/common.c) first reports the call to a tracer — where
 * a Janus-style monitor interposes (ptrace(2), PTRACE_SYSCALL) — and then runs the seccomp
 * filters (seccomp(2)); the handler itself calls the LSM hooks of a MAC profile before any
 * effect (e.g. security_file_open in do_dentry_open). isolab consults a MAC profile just
 * before the handler, the same point for every call it simulates.
 *
 * A gate lets the call go on (recording what it decided), ends it with a result of its
 * own (the handler never runs), kills the caller, or suspends it until a supervisor
 * answers (the call completes later through `completeSyscall`).
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { SyscallRequest } from '../../hw/cpu/instructions.js';
import type { Process } from '../state.js';
import type { SyscallAbi, SyscallResult } from './context.js';

export interface GateInput {
  readonly state: MachineState;
  readonly process: Process;
  readonly abi: SyscallAbi;
  /** The name in the ABI's table, or null for a number the table does not have. */
  readonly name: string | null;
  readonly request: SyscallRequest;
}

export type GateOutcome =
  /** The call goes on to the next gate and then the handler. */
  | { readonly kind: 'pass'; readonly events: readonly EventDraft[] }
  /** The call ends here with this result (its events included); the handler never runs. */
  | { readonly kind: 'end'; readonly result: SyscallResult }
  /** The caller dies by this signal (e.g. SIGSYS for SECCOMP_RET_KILL_PROCESS); `how` says why. */
  | { readonly kind: 'kill'; readonly events: readonly EventDraft[]; readonly signal: string; readonly how: string }
  /** The caller blocks in the call until a supervisor answers; nothing returns now. */
  | { readonly kind: 'suspend'; readonly events: readonly EventDraft[] };

export type EntryGate = (input: GateInput) => GateOutcome;

export const PASS: GateOutcome = { kind: 'pass', events: [] };
