/**
 * The credential options of prctl(2): the capability bounding set, keepcaps, securebits,
 * ambient capabilities (security/commoncap.c cap_task_prctl), no_new_privs and dumpable
 * (kernel/sys.c). Arguments arrive as the kernel reads them, unsigned longs. Options
 * Linux knows but isolab does not simulate answer ENOSYS with a note; options Linux does
 * not know are EINVAL, as sys_prctl's default case.
 */
import { capabilityNumber, CAPABILITIES, constantValue } from '../syscall/constants.js';
import { capable } from './capable.js';
import { bitOf, hasBit, isValidCapability } from './capabilities.js';
import { changed, kept, refused, type CredentialsOutcome } from './outcome.js';
import { isSecure, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE, SECURE_ALL_BITS, SECURE_ALL_LOCKS, securebitsText } from './securebits.js';
import { dumpableOf, withDumpable, type Credentials } from './state.js';

/** arg2…arg5 of prctl(option, arg2, arg3, arg4, arg5). */
export interface PrctlArgs {
  readonly arg2: bigint;
  readonly arg3: bigint;
  readonly arg4: bigint;
  readonly arg5: bigint;
}

type PrctlRule = (creds: Credentials, args: PrctlArgs) => CredentialsOutcome;

const CAP_SETPCAP = capabilityNumber('CAP_SETPCAP')!;

function option(name: string): number {
  const value = constantValue(name);
  if (value === null) throw new Error(`constants.ts lacks ${name}`);
  return value;
}

const capName = (capability: bigint) => CAPABILITIES[Number(capability)]!;
const notCapability = (capability: bigint) => refused('EINVAL', `${capability} is not a capability (0..${CAPABILITIES.length - 1})`);

const capbsetRead: PrctlRule = (creds, { arg2 }) => {
  if (!isValidCapability(arg2)) return notCapability(arg2);
  const inSet = hasBit(creds.caps.bounding, arg2);
  return kept(`${capName(arg2)} is ${inSet ? '' : 'not '}in the bounding set`, inSet ? 1 : 0);
};

const capbsetDrop: PrctlRule = (creds, { arg2 }) => {
  if (!capable(creds, CAP_SETPCAP)) return refused('EPERM', 'dropping from the bounding set needs CAP_SETPCAP');
  if (!isValidCapability(arg2)) return notCapability(arg2);
  const caps = { ...creds.caps, bounding: creds.caps.bounding & ~bitOf(arg2) };
  return changed({ ...creds, caps }, [`${capName(arg2)} dropped from the bounding set: no execve can give it back`]);
};

const getKeepcaps: PrctlRule = (creds) => kept(`SECBIT_KEEP_CAPS is ${isSecure(creds, SECBIT_KEEP_CAPS) ? 'on' : 'off'}`, isSecure(creds, SECBIT_KEEP_CAPS) ? 1 : 0);

const setKeepcaps: PrctlRule = (creds, { arg2 }) => {
  if (arg2 > 1n) return refused('EINVAL', `PR_SET_KEEPCAPS takes 0 or 1, not ${arg2}`);
  if (isSecure(creds, SECBIT_KEEP_CAPS_LOCKED)) return refused('EPERM', 'SECBIT_KEEP_CAPS_LOCKED is set');
  const securebits = arg2 === 1n ? creds.securebits | SECBIT_KEEP_CAPS : creds.securebits & ~SECBIT_KEEP_CAPS;
  return changed({ ...creds, securebits }, [`SECBIT_KEEP_CAPS ${arg2 === 1n ? 'on: the permitted set survives leaving uid 0' : 'off'}`]);
};

const getSecurebits: PrctlRule = (creds) => kept(`securebits: ${securebitsText(creds.securebits)}`, creds.securebits);

const setSecurebits: PrctlRule = (creds, { arg2 }) => {
  const old = BigInt(creds.securebits);
  const locks = BigInt(SECURE_ALL_LOCKS);
  if (((old & locks) >> 1n) & (old ^ arg2)) return refused('EPERM', `a locked bit would change (${securebitsText(((old & locks) >> 1n) & (old ^ arg2))})`);
  if (old & locks & ~arg2) return refused('EPERM', `locks cannot be released (${securebitsText(old & locks & ~arg2)})`);
  if (arg2 & ~(BigInt(SECURE_ALL_BITS) | locks)) return refused('EPERM', `unsupported securebits 0x${(arg2 & ~(BigInt(SECURE_ALL_BITS) | locks)).toString(16)}`);
  if (!capable(creds, CAP_SETPCAP)) return refused('EPERM', 'changing securebits needs CAP_SETPCAP');
  return changed({ ...creds, securebits: Number(arg2) }, [`securebits: ${securebitsText(arg2)}`]);
};

const AMBIENT_IS_SET = BigInt(option('PR_CAP_AMBIENT_IS_SET'));
const AMBIENT_RAISE = BigInt(option('PR_CAP_AMBIENT_RAISE'));
const AMBIENT_LOWER = BigInt(option('PR_CAP_AMBIENT_LOWER'));
const AMBIENT_CLEAR_ALL = BigInt(option('PR_CAP_AMBIENT_CLEAR_ALL'));

const capAmbient: PrctlRule = (creds, { arg2, arg3, arg4, arg5 }) => {
  const { ambient, permitted, inheritable } = creds.caps;
  if (arg2 === AMBIENT_CLEAR_ALL) {
    if (arg3 | arg4 | arg5) return refused('EINVAL', 'PR_CAP_AMBIENT_CLEAR_ALL takes no further arguments');
    return changed({ ...creds, caps: { ...creds.caps, ambient: 0n } }, ['ambient set cleared']);
  }
  if (!isValidCapability(arg3)) return notCapability(arg3);
  if (arg4 | arg5) return refused('EINVAL', 'PR_CAP_AMBIENT takes arg4 = arg5 = 0');
  const name = capName(arg3);
  if (arg2 === AMBIENT_IS_SET) return kept(`${name} is ${hasBit(ambient, arg3) ? '' : 'not '}in the ambient set`, hasBit(ambient, arg3) ? 1 : 0);
  if (arg2 === AMBIENT_LOWER) return changed({ ...creds, caps: { ...creds.caps, ambient: ambient & ~bitOf(arg3) } }, [`${name} lowered from the ambient set`]);
  if (arg2 !== AMBIENT_RAISE) return refused('EINVAL', `${arg2} is not a PR_CAP_AMBIENT operation (IS_SET, RAISE, LOWER, CLEAR_ALL)`);
  if (!hasBit(permitted, arg3) || !hasBit(inheritable, arg3)) return refused('EPERM', `an ambient capability must be both permitted and inheritable: ${name} is ${hasBit(permitted, arg3) ? 'not inheritable' : 'not permitted'}`);
  if (isSecure(creds, SECBIT_NO_CAP_AMBIENT_RAISE)) return refused('EPERM', 'SECBIT_NO_CAP_AMBIENT_RAISE is set');
  return changed({ ...creds, caps: { ...creds.caps, ambient: ambient | bitOf(arg3) } }, [`${name} raised in the ambient set: it survives execve of unprivileged programs`]);
};

const getNoNewPrivs: PrctlRule = (creds, { arg2, arg3, arg4, arg5 }) => {
  if (arg2 | arg3 | arg4 | arg5) return refused('EINVAL', 'PR_GET_NO_NEW_PRIVS takes no arguments');
  return kept(`no_new_privs is ${creds.noNewPrivs ? 'set' : 'not set'}`, creds.noNewPrivs ? 1 : 0);
};

const setNoNewPrivs: PrctlRule = (creds, { arg2, arg3, arg4, arg5 }) => {
  if (arg2 !== 1n || arg3 | arg4 | arg5) return refused('EINVAL', 'PR_SET_NO_NEW_PRIVS takes arg2 = 1 and nothing else: no_new_privs can be set, never unset');
  return changed({ ...creds, noNewPrivs: true }, ['no_new_privs set: execve will not honour set-user-ID bits nor file capabilities, for this process and its children, for ever']);
};

const getDumpable: PrctlRule = (creds) => kept(`dumpable is ${dumpableOf(creds)}`, dumpableOf(creds));

const setDumpable: PrctlRule = (creds, { arg2 }) => {
  if (arg2 !== 0n && arg2 !== 1n) return refused('EINVAL', `PR_SET_DUMPABLE takes SUID_DUMP_DISABLE (0) or SUID_DUMP_USER (1), not ${arg2}`);
  return changed(withDumpable(creds, arg2 === 1n ? 1 : 0), [`dumpable set to ${arg2}`]);
};

const notSimulated = (name: string): PrctlRule => () => refused('ENOSYS', `prctl(${name}) is not simulated yet`);

/** Every prctl option isolab answers, by number, with its name. */
export const PRCTL_RULES: readonly (readonly [number, string, PrctlRule])[] = [
  [option('PR_CAPBSET_READ'), 'PR_CAPBSET_READ', capbsetRead],
  [option('PR_CAPBSET_DROP'), 'PR_CAPBSET_DROP', capbsetDrop],
  [option('PR_GET_KEEPCAPS'), 'PR_GET_KEEPCAPS', getKeepcaps],
  [option('PR_SET_KEEPCAPS'), 'PR_SET_KEEPCAPS', setKeepcaps],
  [option('PR_GET_SECUREBITS'), 'PR_GET_SECUREBITS', getSecurebits],
  [option('PR_SET_SECUREBITS'), 'PR_SET_SECUREBITS', setSecurebits],
  [option('PR_CAP_AMBIENT'), 'PR_CAP_AMBIENT', capAmbient],
  [option('PR_GET_NO_NEW_PRIVS'), 'PR_GET_NO_NEW_PRIVS', getNoNewPrivs],
  [option('PR_SET_NO_NEW_PRIVS'), 'PR_SET_NO_NEW_PRIVS', setNoNewPrivs],
  [option('PR_GET_DUMPABLE'), 'PR_GET_DUMPABLE', getDumpable],
  [option('PR_SET_DUMPABLE'), 'PR_SET_DUMPABLE', setDumpable],
  [option('PR_SET_PDEATHSIG'), 'PR_SET_PDEATHSIG', notSimulated('PR_SET_PDEATHSIG')],
];

/** The name of a prctl option isolab knows, or its number. */
export function prctlOptionName(value: number): string {
  return PRCTL_RULES.find(([number]) => number === value)?.[1] ?? String(value);
}

export function prctlRule(creds: Credentials, optionValue: number, args: PrctlArgs): CredentialsOutcome {
  const rule = PRCTL_RULES.find(([number]) => number === optionValue)?.[2];
  if (rule === undefined) return refused('EINVAL', `${optionValue} is not a prctl option`);
  return rule(creds, args);
}
