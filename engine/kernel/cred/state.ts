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

export interface Credentials {
  readonly ruid: number;
  readonly euid: number;
  readonly suid: number;
  readonly fsuid: number;
  readonly rgid: number;
  readonly egid: number;
  readonly sgid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
  readonly caps: CapabilitySets;
  /** SECBIT_* flags (prctl(PR_SET_SECUREBITS)). */
  readonly securebits: number;
  readonly noNewPrivs: boolean;
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

export function hasCapability(creds: Credentials, capability: number): boolean {
  return ((creds.caps.effective >> BigInt(capability)) & 1n) === 1n;
}

export function inGroup(creds: Credentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
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
