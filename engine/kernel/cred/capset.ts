/**
 * capset(2) and capget(2) on the caller's own sets (kernel/capability.c, security/
 * commoncap.c cap_capset). isolab's capset takes the three masks directly; the kernel's
 * header/pid dance is modelled by capget, which other tools use to read sets.
 */
import { capabilityNames, capabilityNumber } from '../syscall/constants.js';
import { capable } from './capable.js';
import { CAP_VALID_MASK, isSubset, maskText } from './capabilities.js';
import { changed, refused, type CredentialsOutcome } from './outcome.js';
import type { Credentials } from './state.js';

const CAP_SETPCAP = capabilityNumber('CAP_SETPCAP')!;

export interface RequestedSets {
  readonly effective: bigint;
  readonly permitted: bigint;
  readonly inheritable: bigint;
}

/**
 * The rules of capset(2), in the kernel's order. Bits above CAP_LAST_CAP are dropped
 * first (mk_kernel_cap masks with CAP_VALID_MASK); the ambient set then loses whatever
 * is no longer both permitted and inheritable.
 */
export function capsetRule(creds: Credentials, requested: RequestedSets): CredentialsOutcome {
  const effective = requested.effective & CAP_VALID_MASK;
  const permitted = requested.permitted & CAP_VALID_MASK;
  const inheritable = requested.inheritable & CAP_VALID_MASK;
  const old = creds.caps;
  if (!capable(creds, CAP_SETPCAP) && !isSubset(inheritable, old.inheritable | old.permitted)) {
    return refused('EPERM', `without CAP_SETPCAP the inheritable set may only take capabilities from the old inheritable and permitted sets: ${maskText(inheritable & ~(old.inheritable | old.permitted))} are in neither`);
  }
  if (!isSubset(inheritable, old.inheritable | old.bounding)) {
    return refused('EPERM', `the inheritable set may not gain capabilities outside the bounding set: ${maskText(inheritable & ~(old.inheritable | old.bounding))}`);
  }
  if (!isSubset(permitted, old.permitted)) {
    return refused('EPERM', `the permitted set may only shrink: ${maskText(permitted & ~old.permitted)} not in the old permitted set`);
  }
  if (!isSubset(effective, permitted)) {
    return refused('EPERM', `the effective set must be a subset of the new permitted set: ${maskText(effective & ~permitted)} are not permitted`);
  }
  const ambient = old.ambient & permitted & inheritable;
  const notes = [`permitted ${maskText(permitted)}, effective ${maskText(effective)}, inheritable ${maskText(inheritable)}`];
  if (ambient !== old.ambient) notes.push(`ambient loses ${maskText(old.ambient & ~ambient)} (no longer both permitted and inheritable)`);
  return changed({ ...creds, caps: { ...old, effective, permitted, inheritable, ambient } }, notes);
}

/** capget's three sets, as names (what the trace shows). */
export function capgetDetail(creds: Credentials): Record<string, string[]> {
  const { effective, permitted, inheritable } = creds.caps;
  return { effective: capabilityNames(effective), permitted: capabilityNames(permitted), inheritable: capabilityNames(inheritable) };
}

/** _LINUX_CAPABILITY_VERSION_1/2/3 (include/uapi/linux/capability.h) and the 32-bit words each copies. */
export const CAPABILITY_VERSIONS: Readonly<Record<number, number>> = { 0x19980330: 1, 0x20071026: 2, 0x20080522: 2 };
export const KERNEL_CAPABILITY_VERSION = 0x20080522;

/** struct __user_cap_data_struct[words]: {effective, permitted, inheritable} per 32-bit word, little-endian. */
export function capabilityDataBytes(creds: Credentials, words: number): Uint8Array {
  const out = new Uint8Array(words * 12);
  const view = new DataView(out.buffer);
  for (let word = 0; word < words; word++) {
    const shift = BigInt(32 * word);
    const part = (mask: bigint) => Number((mask >> shift) & 0xffffffffn);
    view.setUint32(word * 12, part(creds.caps.effective), true);
    view.setUint32(word * 12 + 4, part(creds.caps.permitted), true);
    view.setUint32(word * 12 + 8, part(creds.caps.inheritable), true);
  }
  return out;
}
