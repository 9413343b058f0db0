// Test support for the credential mechanism: credentials built from a uid and overrides,
// a booted machine with one process whose credentials a test sets, and system calls run
// straight through the credential handlers (no engine), with their events folded back.
import type { Envelope, EventDraft } from '../../../engine/core/decider.js';
import { capabilityBit } from '../../../engine/kernel/syscall/constants.js';
import { SyscallContext, isError, type SyscallArg, type SyscallResult } from '../../../engine/kernel/syscall/context.js';
import { errnoNumber } from '../../../engine/kernel/syscall/errno.js';
import { readUserBytes, writeUserBytes } from '../../../engine/kernel/syscall/user-memory.js';
import { CRED_HANDLERS } from '../../../engine/kernel/cred/syscalls.js';
import { credentialsChanged } from '../../../engine/kernel/cred/events.js';
import { credentialsFor, type CapabilitySets, type Credentials } from '../../../engine/kernel/cred/state.js';
import { CRED_INVARIANTS } from '../../../engine/kernel/cred/invariants.js';
import { processByName, type Process } from '../../../engine/kernel/state.js';
import type { MachineState } from '../../../engine/machine/state.js';
import { Machine, foldEvents } from '../../helpers/machine.js';

/** A mask of named capabilities: caps('CAP_SETUID', 'CAP_KILL'). */
export function caps(...names: string[]): bigint {
  return names.reduce((mask, name) => mask | capabilityBit(name), 0n);
}

export interface CredentialsShape extends Partial<Omit<Credentials, 'caps'>> {
  readonly caps?: Partial<CapabilitySets>;
}

/** Credentials of a process logged in as `uid` (root: every capability), with overrides. */
export function credsOf(uid: number, overrides: CredentialsShape = {}): Credentials {
  const base = credentialsFor(uid, uid);
  return { ...base, ...overrides, caps: { ...base.caps, ...overrides.caps } };
}

/** Where p has a writable user page, and a read-only one after it. */
export const USER_PAGE = 0x400000n;
export const READ_ONLY_PAGE = 0x401000n;

/** A booted machine with one process "p" (pid 1) and its two pages; built once, states derive from it. */
const BASE: MachineState = (() => {
  const machine = new Machine({ invariants: [] });
  machine.createProcess('p', [], 0);
  machine.map('p', USER_PAGE);
  machine.map('p', READ_ONLY_PAGE, { write: false });
  return machine.state;
})();

/** Bytes of p's memory (null when unreadable). */
export function userBytes(state: MachineState, va: bigint, length: number): Uint8Array | null {
  return readUserBytes(state, processOf(state), va, length);
}

/** The state after p's memory at va holds these bytes (as a kernel copy would leave it). */
export function withUserBytes(state: MachineState, va: bigint, bytes: Uint8Array): MachineState {
  const events = writeUserBytes(state, processOf(state), va, bytes);
  if (events === null) throw new Error(`cannot write at 0x${va.toString(16)}`);
  return foldEvents(state, events);
}

export function processOf(state: MachineState): Process {
  const process = processByName(state.kernel, 'p');
  if (process === null) throw new Error('no process p');
  return process;
}

/** The base machine with p's credentials replaced. */
export function stateWith(creds: Credentials): MachineState {
  return foldEvents(BASE, [credentialsChanged(processOf(BASE), creds, 'given')]);
}

/** A number as a system-call argument: "0x…", two's complement for negatives. */
export function arg(value: number | bigint): SyscallArg {
  return '0x' + BigInt.asUintN(64, BigInt(value)).toString(16);
}

export interface CallResult {
  readonly result: SyscallResult;
  readonly before: MachineState;
  readonly after: MachineState;
  readonly creds: Credentials;
  readonly events: readonly EventDraft[];
  /** The return value as the raw system call gives it (-errno on failure). */
  readonly ret: number;
  readonly errno: string | null;
}

/** Runs a credential system call for p on a state and folds the events it decided. */
export function call(state: MachineState, name: string, args: readonly (number | bigint | SyscallArg)[] = []): CallResult {
  const handler = CRED_HANDLERS[name];
  if (handler === undefined) throw new Error(`no credential handler ${name}`);
  const process = processOf(state);
  const encoded = args.map((value) => (typeof value === 'number' || typeof value === 'bigint' ? arg(value) : value));
  const result = handler(new SyscallContext(state, process, 'x86_64', name, encoded, null));
  const events = result.events ?? [];
  const after = foldEvents(state, events);
  return { result, before: state, after, creds: processOf(after).creds, events, ret: isError(result) ? -errnoNumber(result.errno) : result.ret, errno: isError(result) ? result.errno : null };
}

/** Credentials after one call from the given credentials. */
export function callWith(creds: Credentials, name: string, args: readonly (number | bigint | SyscallArg)[] = []): CallResult {
  return call(stateWith(creds), name, args);
}

/** Every cred invariant's complaint about each event of a call (empty when they hold). */
export function invariantComplaints(before: MachineState, events: readonly EventDraft[]): string[] {
  const complaints: string[] = [];
  let state = before;
  events.forEach((draft, seq) => {
    const envelope: Envelope = { seq, tick: 0, type: draft.type, actor: draft.actor, data: draft.data, cause: null };
    const next = foldEvents(state, [envelope]);
    for (const invariant of CRED_INVARIANTS) {
      if (invariant.on !== undefined && !invariant.on.includes(draft.type)) continue;
      const problem = invariant.check(state, envelope, next);
      if (problem !== null) complaints.push(`${invariant.name}: ${problem}`);
    }
    state = next;
  });
  return complaints;
}
