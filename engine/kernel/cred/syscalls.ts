/**
 * The credential system calls: the set*id family, setgroups/getgroups, getresuid/getresgid,
 * capget/capset and prctl's credential options. The rules live in setid.ts, capset.ts and
 * prctl.ts as pure functions of the credentials; this file reads the arguments as the
 * kernel types them (uid_t is the low 32 bits of the register), installs new credentials
 * through commit_creds's rules and copies results to user memory when the scenario gives
 * addresses.
 */
import { littleEndianBytes, littleEndianValue } from '../../core/bytes.js';
import { hex } from '../../core/u64.js';
import type { EventDraft } from '../../core/decider.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../syscall/context.js';
import { readUserBytes, writeUserBytes } from '../syscall/user-memory.js';
import { capabilityDataBytes, capgetDetail, capsetRule, CAPABILITY_VERSIONS, KERNEL_CAPABILITY_VERSION } from './capset.js';
import { maskText } from './capabilities.js';
import { commitCredentials, dumpableNote } from './commit.js';
import { credentialsChanged } from './events.js';
import type { CredentialsOutcome } from './outcome.js';
import { prctlOptionName, prctlRule } from './prctl.js';
import { NO_ID, setfsgidRule, setfsuidRule, setgidRule, setgroupsRule, setregidRule, setresgidRule, setresuidRule, setreuidRule, setuidRule } from './setid.js';
import { sameCredentials } from './state.js';
import { prctlGetSeccomp, prctlSetSeccomp } from '../seccomp/syscalls.js';
import { constantValue } from '../syscall/constants.js';

const PR_SET_SECCOMP = constantValue('PR_SET_SECCOMP');
const PR_GET_SECCOMP = constantValue('PR_GET_SECCOMP');

/** A uid_t or gid_t argument: the low 32 bits, so -1 is 4294967295 ((uid_t)-1). */
const idArg = (c: SyscallContext, index: number) => c.int32(index) >>> 0;
const shownId = (id: number) => (id === NO_ID ? '-1' : String(id));

/** Installs the outcome's credentials (commit_creds), or answers its refusal. */
function commit(c: SyscallContext, outcome: CredentialsOutcome, why: string): SyscallResult {
  if (outcome.kind === 'refused') return fail(outcome.errno, outcome.note);
  if (outcome.kind === 'kept') return ok(outcome.ret, { note: outcome.note });
  const old = c.process.creds;
  const committed = commitCredentials(old, outcome.creds);
  if (sameCredentials(old, committed)) return ok(outcome.ret, { note: outcome.note });
  const dumpable = dumpableNote(outcome.creds, committed);
  const note = dumpable === null ? outcome.note : `${outcome.note}; ${dumpable}`;
  return ok(outcome.ret, { note, events: [credentialsChanged(c.process, committed, why)] });
}

function idCall(rule: (creds: SyscallContext['process']['creds'], ...ids: number[]) => CredentialsOutcome, count: number): SyscallHandler {
  return (c) => {
    const ids = Array.from({ length: count }, (_, index) => idArg(c, index));
    return commit(c, rule(c.process.creds, ...ids), `${c.name}(${ids.map(shownId).join(', ')})`);
  };
}

/** put_user of each id given an address, in order: a failure leaves the earlier ones written (as Linux). */
function putIds(c: SyscallContext, names: readonly string[], ids: readonly number[]): SyscallResult {
  const detail = Object.fromEntries(names.map((name, index) => [name, ids[index]]));
  const events: EventDraft[] = [];
  for (let index = 0; index < ids.length; index++) {
    if (!c.has(index)) continue;
    const written = writeUserBytes(c.state, c.process, c.u64(index), littleEndianBytes(BigInt(ids[index]!), 4));
    if (written === null) return { errno: 'EFAULT', note: `EFAULT: cannot write ${names[index]} at ${hex(c.u64(index))}`, events };
    events.push(...written);
  }
  return ok(0, { detail, events });
}

function getgroups(c: SyscallContext): SyscallResult {
  const { groups } = c.process.creds;
  const detail = { groups: [...groups] };
  if (!c.has(0)) return ok(groups.length, { detail });
  const size = c.int32(0);
  if (size < 0) return fail('EINVAL', `EINVAL: size ${size} is negative`);
  if (size === 0) return ok(groups.length, { detail, note: 'size 0: only the number of groups is returned' });
  if (size < groups.length) return fail('EINVAL', `EINVAL: size ${size} is smaller than the ${groups.length} supplementary groups`);
  const bytes = new Uint8Array(groups.length * 4);
  groups.forEach((gid, index) => bytes.set(littleEndianBytes(BigInt(gid), 4), index * 4));
  const events = bytes.length === 0 ? [] : writeUserBytes(c.state, c.process, c.has(1) ? c.u64(1) : 0n, bytes);
  if (events === null) return fail('EFAULT', `EFAULT: cannot write ${groups.length} gids at ${hex(c.has(1) ? c.u64(1) : 0n)}`);
  return ok(groups.length, { detail, events });
}

function setgroups(c: SyscallContext): SyscallResult {
  const gids = c.args.map((_, index) => idArg(c, index));
  return commit(c, setgroupsRule(c.process.creds, gids), `setgroups(${gids.map(shownId).join(', ')})`);
}

function capset(c: SyscallContext): SyscallResult {
  const requested = { effective: c.u64(0), permitted: c.u64(1), inheritable: c.u64(2) };
  const why = `capset(${maskText(requested.effective)}, ${maskText(requested.permitted)}, ${maskText(requested.inheritable)})`;
  return commit(c, capsetRule(c.process.creds, requested), why);
}

/** capget: with no arguments, the caller's sets in the result; with a header (and data), as the kernel does. */
function capget(c: SyscallContext): SyscallResult {
  if (!c.has(0)) return ok(0, { detail: capgetDetail(c.process.creds) });
  const header = c.u64(0);
  const data = c.has(1) ? c.u64(1) : 0n;
  const versionBytes = readUserBytes(c.state, c.process, header, 4);
  if (versionBytes === null) return fail('EFAULT', `EFAULT: cannot read the header at ${hex(header)}`);
  const words = CAPABILITY_VERSIONS[Number(littleEndianValue(versionBytes))];
  if (words === undefined) {
    const written = writeUserBytes(c.state, c.process, header, littleEndianBytes(BigInt(KERNEL_CAPABILITY_VERSION), 4));
    if (written === null) return fail('EFAULT', `EFAULT: cannot write the header at ${hex(header)}`);
    const note = 'unknown header version: the kernel wrote _LINUX_CAPABILITY_VERSION_3 into it';
    return data === 0n ? ok(0, { note, events: written }) : { errno: 'EINVAL', note: `EINVAL: ${note}`, events: written };
  }
  if (data === 0n) return ok(0, { note: 'no data pointer: the header version is valid' });
  const pidBytes = readUserBytes(c.state, c.process, header + 4n, 4);
  if (pidBytes === null) return fail('EFAULT', `EFAULT: cannot read the header's pid at ${hex(header + 4n)}`);
  const pid = Number(BigInt.asIntN(32, littleEndianValue(pidBytes)));
  if (pid < 0) return fail('EINVAL', `EINVAL: pid ${pid} is negative`);
  const target = pid === 0 ? c.process : c.state.kernel.processes.byId[pid];
  if (target === undefined || target.status === 'exited') return fail('ESRCH', `ESRCH: no process ${pid}`);
  const written = writeUserBytes(c.state, c.process, data, capabilityDataBytes(target.creds, words));
  if (written === null) return fail('EFAULT', `EFAULT: cannot write ${words * 12} bytes at ${hex(data)}`);
  return ok(0, { detail: capgetDetail(target.creds), events: written });
}

function prctl(c: SyscallContext): SyscallResult {
  const option = c.int32(0);
  // The seccomp options live with seccomp (kernel/seccomp.c prctl_set_seccomp, prctl_get_seccomp).
  if (option === PR_SET_SECCOMP) return prctlSetSeccomp(c);
  if (option === PR_GET_SECCOMP) return prctlGetSeccomp(c);
  const args = { arg2: c.u64(1), arg3: c.u64(2), arg4: c.u64(3), arg5: c.u64(4) };
  const why = `prctl(${prctlOptionName(option)}, ${[args.arg2, args.arg3, args.arg4, args.arg5].map(String).join(', ')})`;
  return commit(c, prctlRule(c.process.creds, option, args), why);
}

export const CRED_HANDLERS: Readonly<Record<string, SyscallHandler>> = {
  setuid: idCall(setuidRule, 1),
  setgid: idCall(setgidRule, 1),
  setreuid: idCall(setreuidRule, 2),
  setregid: idCall(setregidRule, 2),
  setresuid: idCall(setresuidRule, 3),
  setresgid: idCall(setresgidRule, 3),
  setfsuid: idCall(setfsuidRule, 1),
  setfsgid: idCall(setfsgidRule, 1),
  getresuid: (c) => putIds(c, ['ruid', 'euid', 'suid'], [c.process.creds.ruid, c.process.creds.euid, c.process.creds.suid]),
  getresgid: (c) => putIds(c, ['rgid', 'egid', 'sgid'], [c.process.creds.rgid, c.process.creds.egid, c.process.creds.sgid]),
  setgroups,
  getgroups,
  capget,
  capset,
  prctl,
};
