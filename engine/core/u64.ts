/**
 * Exact 64-bit values. Virtual addresses and control-register contents are bigint
 * inside the engine and "0x…" strings in JSON; physical addresses are numbers, since
 * MAXPHYADDR is at most 52 bits (Intel SDM Vol. 3A §4.1.4) and so always below 2^53.
 * This module is the only place those representations are converted.
 */

export type VirtualAddress = bigint & { readonly __brand: 'VirtualAddress' };
export type PhysicalAddress = number & { readonly __brand: 'PhysicalAddress' };
export type Pfn = number & { readonly __brand: 'Pfn' };

export const U64_MASK = (1n << 64n) - 1n;

export function virtualAddressOf(value: bigint): VirtualAddress {
  return (value & U64_MASK) as VirtualAddress;
}

export function physicalAddressOf(value: number): PhysicalAddress {
  return value as PhysicalAddress;
}

export function pfnOf(value: number): Pfn {
  return value as Pfn;
}

/** Lower-case hexadecimal with a 0x prefix, the form every 64-bit value takes in JSON. */
export function hex(value: bigint | number, minDigits = 1): string {
  return '0x' + value.toString(16).padStart(minDigits, '0');
}

/** Parses "0x…", decimal or a bigint-safe number; returns null on anything else. */
export function parseU64(text: string): bigint | null {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) return null;
  const v = BigInt(t);
  return v > U64_MASK ? null : v;
}

/** Bits [low, low+count) of a bigint as a number (count <= 52). */
export function bitsOf(value: bigint, low: number, count: number): number {
  return Number((value >> BigInt(low)) & ((1n << BigInt(count)) - 1n));
}

/** Whether `va` is canonical for a linear-address width (48 or 57; SDM Vol. 3A §3.3.7.1). */
export function isCanonical(va: bigint, linearBits: number): boolean {
  if (linearBits >= 64) return true;
  const upper = va >> BigInt(linearBits - 1);
  return upper === 0n || upper === (U64_MASK >> BigInt(linearBits - 1));
}
