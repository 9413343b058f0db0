/**
 * Securebits (include/uapi/linux/securebits.h, capabilities(7) "The securebits flags"):
 * per-thread flags that switch off the special treatment of uid 0, each with a lock bit
 * one place above it that freezes it. Linux 6.14 added the two SECBIT_EXEC_* pairs
 * (read by execveat(AT_EXECVE_CHECK) users; stored here and otherwise inert), so
 * PR_SET_SECUREBITS accepts bits 0–11.
 */
import { constantValue } from '../syscall/constants.js';
import type { Credentials } from './state.js';

function known(name: string): number {
  const value = constantValue(name);
  if (value === null) throw new Error(`constants.ts lacks ${name}`);
  return value;
}

export const SECBIT_NOROOT = known('SECBIT_NOROOT');
export const SECBIT_NO_SETUID_FIXUP = known('SECBIT_NO_SETUID_FIXUP');
export const SECBIT_KEEP_CAPS = known('SECBIT_KEEP_CAPS');
export const SECBIT_KEEP_CAPS_LOCKED = known('SECBIT_KEEP_CAPS_LOCKED');
export const SECBIT_NO_CAP_AMBIENT_RAISE = known('SECBIT_NO_CAP_AMBIENT_RAISE');
/** Linux 6.14: SECBIT_EXEC_RESTRICT_FILE (8) and SECBIT_EXEC_DENY_INTERACTIVE (10). */
export const SECBIT_EXEC_RESTRICT_FILE = 1 << 8;
export const SECBIT_EXEC_DENY_INTERACTIVE = 1 << 10;

/** SECURE_ALL_BITS: the flags themselves (even bit numbers). */
export const SECURE_ALL_BITS = SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_EXEC_RESTRICT_FILE | SECBIT_EXEC_DENY_INTERACTIVE;
/** SECURE_ALL_LOCKS: each flag's lock, the bit above it. */
export const SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;

const NAMES: readonly (readonly [number, string])[] = [
  [SECBIT_NOROOT, 'SECBIT_NOROOT'],
  [SECBIT_NOROOT << 1, 'SECBIT_NOROOT_LOCKED'],
  [SECBIT_NO_SETUID_FIXUP, 'SECBIT_NO_SETUID_FIXUP'],
  [SECBIT_NO_SETUID_FIXUP << 1, 'SECBIT_NO_SETUID_FIXUP_LOCKED'],
  [SECBIT_KEEP_CAPS, 'SECBIT_KEEP_CAPS'],
  [SECBIT_KEEP_CAPS_LOCKED, 'SECBIT_KEEP_CAPS_LOCKED'],
  [SECBIT_NO_CAP_AMBIENT_RAISE, 'SECBIT_NO_CAP_AMBIENT_RAISE'],
  [SECBIT_NO_CAP_AMBIENT_RAISE << 1, 'SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED'],
  [SECBIT_EXEC_RESTRICT_FILE, 'SECBIT_EXEC_RESTRICT_FILE'],
  [SECBIT_EXEC_RESTRICT_FILE << 1, 'SECBIT_EXEC_RESTRICT_FILE_LOCKED'],
  [SECBIT_EXEC_DENY_INTERACTIVE, 'SECBIT_EXEC_DENY_INTERACTIVE'],
  [SECBIT_EXEC_DENY_INTERACTIVE << 1, 'SECBIT_EXEC_DENY_INTERACTIVE_LOCKED'],
];

/** issecure(): is the flag set in these credentials? */
export function isSecure(creds: Credentials, bit: number): boolean {
  return (creds.securebits & bit) !== 0;
}

/** "SECBIT_NOROOT|SECBIT_NOROOT_LOCKED", "none", or unknown bits in hex. */
export function securebitsText(bits: number | bigint): string {
  let rest = BigInt(bits);
  const names: string[] = [];
  for (const [bit, name] of NAMES) {
    if ((rest & BigInt(bit)) === 0n) continue;
    names.push(name);
    rest &= ~BigInt(bit);
  }
  if (rest !== 0n) names.push('0x' + rest.toString(16));
  return names.length === 0 ? 'none' : names.join('|');
}
