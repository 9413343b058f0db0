/**
 * Process credentials (credentials(7)): real, effective, saved-set and filesystem user
 * and group IDs, supplementary groups, the five capability sets of capabilities(7)
 * (permitted, effective, inheritable, bounding, ambient), securebits and no_new_privs.
 * Capability sets are exact 64-bit masks (bigint), bit n = capability n.
 */
import { ALL_CAPS } from '../syscall/constants.js';

export interface CapabilitySets {
  readonly permitted: bigint;
  readonly effective: bigint;
  readonly inheritable: bigint;
  readonly bounding: bigint;
  readonly ambient: bigint;
}

/** The ids of credentials(7): real, effective, saved and filesystem uid and gid, and the supplementary groups. */
export interface CredentialIds {
  readonly ruid: number;
  readonly euid: number;
  readonly suid: number;
  readonly fsuid: number;
  readonly rgid: number;
  readonly egid: number;
  readonly sgid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
}

export interface Credentials extends CredentialIds {
  readonly caps: CapabilitySets;
  /** SECBIT_* flags (prctl(PR_SET_SECUREBITS)); SECBIT_KEEP_CAPS is PR_SET_KEEPCAPS's flag. */
  readonly securebits: number;
  readonly noNewPrivs: boolean;
  /**
   * PR_GET_DUMPABLE when it is not SUID_DUMP_USER (1): 0 (SUID_DUMP_DISABLE) after a change
   * of euid, egid, fsuid or fsgid, a gain of permitted capabilities, a privileged execve or
   * prctl(PR_SET_DUMPABLE, 0). Linux keeps this flag on the mm (kernel/cred.c commit_creds,
   * fs/exec.c begin_new_exec); isolab keeps it with the credentials it follows, so fork
   * copies it as fork copies the mm. Absent means 1, so credentials no call has touched
   * carry no field (read it with dumpableOf). fs.suid_dumpable is taken as its default, 0.
   */
  readonly dumpable?: 0;
}

export const NO_CAPS: CapabilitySets = { permitted: 0n, effective: 0n, inheritable: 0n, bounding: ALL_CAPS, ambient: 0n };
export const ROOT_CAPS: CapabilitySets = { permitted: ALL_CAPS, effective: ALL_CAPS, inheritable: 0n, bounding: ALL_CAPS, ambient: 0n };

/**
 * The credentials of a process started by a login as `uid`: root gets every capability
 * (as a process of uid 0 started by init does), anyone else none; the bounding set is
 * full in both cases.
 */
export function credentialsFor(uid: number, gid: number, groups: readonly number[] = []): Credentials {
  return {
    ruid: uid,
    euid: uid,
    suid: uid,
    fsuid: uid,
    rgid: gid,
    egid: gid,
    sgid: gid,
    fsgid: gid,
    groups: [...groups],
    caps: uid === 0 ? ROOT_CAPS : NO_CAPS,
    securebits: 0,
    noNewPrivs: false,
  };
}

/** The effective-set test; capable() in cred/capable.ts is the checked form other mechanisms should call. */
export function hasCapability(creds: Credentials, capability: number): boolean {
  return ((creds.caps.effective >> BigInt(capability)) & 1n) === 1n;
}

/** PR_GET_DUMPABLE: SUID_DUMP_USER (1) unless a credential change or the process cleared it. */
export function dumpableOf(creds: Credentials): 0 | 1 {
  return creds.dumpable === 0 ? 0 : 1;
}

/** The credentials with PR_SET_DUMPABLE's value, in the one form each value has (1 is no field). */
export function withDumpable(creds: Credentials, dumpable: 0 | 1): Credentials {
  const { dumpable: _previous, ...rest } = creds;
  return dumpable === 0 ? { ...rest, dumpable: 0 } : rest;
}

export function inGroup(creds: Credentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
}

const ID_FIELDS = ['ruid', 'euid', 'suid', 'fsuid', 'rgid', 'egid', 'sgid', 'fsgid'] as const;
const SET_FIELDS = ['permitted', 'effective', 'inheritable', 'bounding', 'ambient'] as const;

/** Field-by-field equality (two encodings of the same credentials are impossible, see dumpable). */
export function sameCredentials(a: Credentials, b: Credentials): boolean {
  return (
    ID_FIELDS.every((field) => a[field] === b[field]) &&
    SET_FIELDS.every((field) => a.caps[field] === b.caps[field]) &&
    a.groups.length === b.groups.length &&
    a.groups.every((gid, index) => gid === b.groups[index]) &&
    a.securebits === b.securebits &&
    a.noNewPrivs === b.noNewPrivs &&
    dumpableOf(a) === dumpableOf(b)
  );
}

/** Credentials as event data: capability masks as "0x…" strings (events carry no bigint). */
export interface CredentialsData extends Omit<Credentials, 'caps'> {
  readonly caps: { readonly permitted: string; readonly effective: string; readonly inheritable: string; readonly bounding: string; readonly ambient: string };
}

const hexOf = (value: bigint) => '0x' + value.toString(16);

export function credentialsData(creds: Credentials): CredentialsData {
  const { caps } = creds;
  return {
    ...creds,
    groups: [...creds.groups],
    caps: { permitted: hexOf(caps.permitted), effective: hexOf(caps.effective), inheritable: hexOf(caps.inheritable), bounding: hexOf(caps.bounding), ambient: hexOf(caps.ambient) },
  };
}

export function credentialsFromData(data: CredentialsData): Credentials {
  const { caps } = data;
  return {
    ...data,
    groups: [...data.groups],
    caps: { permitted: BigInt(caps.permitted), effective: BigInt(caps.effective), inheritable: BigInt(caps.inheritable), bounding: BigInt(caps.bounding), ambient: BigInt(caps.ambient) },
  };
}
