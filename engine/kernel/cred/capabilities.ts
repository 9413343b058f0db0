/**
 * Capability masks as sets: the operations of include/linux/capability.h (cap_issubset,
 * cap_combine, cap_intersect, cap_valid) over exact 64-bit masks, bit n = capability n.
 */
import { ALL_CAPS, CAP_LAST_CAP, capabilityBit, capabilityNames } from '../syscall/constants.js';

/** CAP_VALID_MASK: every capability this kernel knows (bits 0..CAP_LAST_CAP). */
export const CAP_VALID_MASK = ALL_CAPS;

/**
 * CAP_FS_SET: the capabilities that follow the filesystem uid (include/linux/capability.h
 * CAP_FS_MASK | CAP_LINUX_IMMUTABLE), dropped from the effective set when fsuid leaves 0
 * and raised again from the permitted set when it returns (capabilities(7), "Effect of
 * user ID changes on capabilities").
 */
export const CAP_FS_SET =
  capabilityBit('CAP_CHOWN') |
  capabilityBit('CAP_MKNOD') |
  capabilityBit('CAP_DAC_OVERRIDE') |
  capabilityBit('CAP_DAC_READ_SEARCH') |
  capabilityBit('CAP_FOWNER') |
  capabilityBit('CAP_FSETID') |
  capabilityBit('CAP_MAC_OVERRIDE') |
  capabilityBit('CAP_LINUX_IMMUTABLE');

export function isSubset(subset: bigint, of: bigint): boolean {
  return (subset & ~of) === 0n;
}

/** cap_valid: a capability number the kernel knows. */
export function isValidCapability(capability: bigint | number): boolean {
  const value = BigInt(capability);
  return value >= 0n && value <= BigInt(CAP_LAST_CAP);
}

export function bitOf(capability: number | bigint): bigint {
  return 1n << BigInt(capability);
}

export function hasBit(mask: bigint, capability: number | bigint): boolean {
  return (mask & bitOf(capability)) !== 0n;
}

/** "CAP_CHOWN|CAP_KILL", or "none": a mask as a scenario writes it. */
export function maskText(mask: bigint): string {
  const names = capabilityNames(mask);
  return names.length === 0 ? 'none' : names.join('|');
}
