/**
 * What a case did, in a form both sides produce and a test compares whole: each call's
 * return value and errno (and the bytes or the stat result it handed back), then the
 * process's credentials after the last call. Capability sets are written as names,
 * relative to what this machine's root holds, so a difference reads as a sentence
 * ("all-CAP_NET_RAW" against "all") rather than as two hex numbers.
 */
import { capabilityNames, constantNames, constantValue } from '../engine/kernel/syscall/constants.js';
import { ERRNO, isErrno } from '../engine/kernel/syscall/errno.js';
import type { Caps, PinnedCredentials } from './case.js';
import type { CredentialIds } from '../engine/kernel/cred/state.js';

export interface StatOutcome {
  /** The case's path whose inode this is, or "(not in the tree)". */
  readonly path: string;
  /** st_mode with the file type bits, octal. */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
}

export interface CallOutcome {
  readonly call: string;
  /** The raw return value: a result, or -errno. Null when the call did not complete. */
  readonly ret: number | null;
  readonly errno: string | null;
  /** What the call handed back (getcwd, read, readlink), as text. */
  readonly bytes?: string;
  readonly stat?: StatOutcome;
  /** Why there is no result (the step was skipped, the process had exited). */
  readonly missing?: string;
}

export interface CredentialsOutcome extends CredentialIds {
  readonly permitted: string;
  readonly effective: string;
  readonly inheritable: string;
  readonly bounding: string;
  readonly ambient: string;
  readonly securebits: readonly string[];
  readonly noNewPrivs: boolean;
}

export interface CaseOutcome {
  readonly calls: readonly CallOutcome[];
  readonly credentials: CredentialsOutcome;
}

/** One name per errno number (the first Linux lists: EOPNOTSUPP and ENOTSUP are one). */
export function errnoName(number: number): string {
  const found = Object.entries(ERRNO).find(([, value]) => value === number);
  return found === undefined ? `errno ${number}` : found[0];
}

/** An errno name as the simulator gives it, in the same canonical spelling. */
export function canonicalErrno(name: string | null): string | null {
  if (name === null) return null;
  return isErrno(name) ? errnoName(ERRNO[name]) : name;
}

/**
 * A capability mask in words: "none", "all" (exactly the machine's set), names for a
 * few, or "all-CAP_X|CAP_Y" / "all+CAP_Z" for a set close to the machine's.
 */
export function capsText(mask: bigint, machineCaps: bigint): string {
  if (mask === 0n) return 'none';
  if (mask === machineCaps) return 'all';
  const missing = capabilityNames(machineCaps & ~mask);
  const extra = capabilityNames(mask & ~machineCaps);
  const named = capabilityNames(mask);
  if (missing.length + extra.length < named.length) {
    return 'all' + (missing.length > 0 ? '-' + missing.join('|') : '') + (extra.length > 0 ? '+' + extra.join('|') : '');
  }
  return named.length === 0 ? `0x${mask.toString(16)}` : named.join('|');
}

const SECUREBIT_NAMES = constantNames().filter((name) => name.startsWith('SECBIT_'));

export function securebitNames(bits: number): string[] {
  return SECUREBIT_NAMES.filter((name) => (bits & constantValue(name)!) !== 0);
}

/** Bytes, given as hex, as text (one character per byte). */
export function textOfHex(hexBytes: string): string {
  let text = '';
  for (let i = 0; i + 1 < hexBytes.length; i += 2) text += String.fromCharCode(parseInt(hexBytes.slice(i, i + 2), 16));
  return text;
}

export function modeText(mode: number): string {
  return '0' + mode.toString(8);
}

/** The pinned fields of a case's `after`, rendered like an outcome, for a partial comparison. */
export function pinnedOutcome(pinned: PinnedCredentials, machineCaps: bigint, maskOf: (caps: Caps) => bigint): Partial<CredentialsOutcome> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pinned)) {
    if (key === 'permitted' || key === 'effective' || key === 'inheritable' || key === 'bounding' || key === 'ambient') out[key] = capsText(maskOf(value as Caps), machineCaps);
    else if (key === 'securebits') out[key] = [...(value as string[])].sort((a, b) => SECUREBIT_NAMES.indexOf(a) - SECUREBIT_NAMES.indexOf(b));
    else out[key] = value;
  }
  return out as Partial<CredentialsOutcome>;
}

function callText(call: CallOutcome): string {
  if (call.ret === null) return `not run (${call.missing ?? 'no result'})`;
  const result = call.errno === null ? String(call.ret) : call.errno;
  const bytes = call.bytes === undefined ? '' : ` ${JSON.stringify(call.bytes)}`;
  const stat = call.stat === undefined ? '' : ` {${call.stat.path} ${call.stat.mode} ${call.stat.uid}:${call.stat.gid}}`;
  return result + bytes + stat;
}

/** Where two outcomes differ, one line each: "setuid(0): real EPERM, simulated 0". */
export function outcomeDifferences(real: CaseOutcome, simulated: CaseOutcome): string[] {
  const lines: string[] = [];
  real.calls.forEach((call, i) => {
    const other = simulated.calls[i];
    const left = callText(call);
    const right = other === undefined ? 'missing' : callText(other);
    if (left !== right) lines.push(`${call.call}: real ${left}, simulated ${right}`);
  });
  for (const key of Object.keys(real.credentials) as (keyof CredentialsOutcome)[]) {
    const left = JSON.stringify(real.credentials[key]);
    const right = JSON.stringify(simulated.credentials[key]);
    if (left !== right) lines.push(`${key} after: real ${left}, simulated ${right}`);
  }
  return lines;
}
