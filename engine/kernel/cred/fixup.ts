/**
 * The capability fix-ups that follow a change of user ids: capabilities(7), "Effect of
 * user ID changes on capabilities", as security/commoncap.c cap_task_fix_setuid does them
 * (cap_emulate_setxuid for setuid/setreuid/setresuid, the CAP_FS_SET juggling for
 * setfsuid). They are what make "a privilege drop to all-non-zero ids permanent, a
 * temporary drop via euid not": leaving uid 0 in all three of ruid, euid and suid clears
 * the permitted set (unless SECBIT_KEEP_CAPS), while an euid-only drop clears only the
 * effective set, which returning to euid 0 refills from the permitted set.
 * SECBIT_NO_SETUID_FIXUP turns all of them off.
 */
import { CAP_FS_SET, isSubset, maskText } from './capabilities.js';
import { isSecure, SECBIT_KEEP_CAPS, SECBIT_NO_SETUID_FIXUP } from './securebits.js';
import type { CapabilitySets, Credentials } from './state.js';

export interface FixedCredentials {
  readonly creds: Credentials;
  /** What the fix-up did, in words (empty when nothing). */
  readonly changes: readonly string[];
}

const anyRoot = (creds: Credentials) => creds.ruid === 0 || creds.euid === 0 || creds.suid === 0;

/** cap_emulate_setxuid: after setuid, setreuid or setresuid (LSM_SETID_ID/RE/RES). */
export function fixCapabilitiesAfterUidChange(old: Credentials, next: Credentials): FixedCredentials {
  if (isSecure(old, SECBIT_NO_SETUID_FIXUP)) return { creds: next, changes: [] };
  let caps: CapabilitySets = next.caps;
  const changes: string[] = [];
  if (anyRoot(old) && !anyRoot(next)) {
    if (!isSecure(old, SECBIT_KEEP_CAPS) && (caps.permitted !== 0n || caps.effective !== 0n)) {
      caps = { ...caps, permitted: 0n, effective: 0n };
      changes.push('permitted and effective sets cleared: none of ruid, euid, suid is 0 any more and SECBIT_KEEP_CAPS is off');
    }
    if (caps.ambient !== 0n) {
      caps = { ...caps, ambient: 0n };
      changes.push('ambient set cleared: none of ruid, euid, suid is 0 any more');
    }
  }
  if (old.euid === 0 && next.euid !== 0 && caps.effective !== 0n) {
    caps = { ...caps, effective: 0n };
    changes.push('effective set cleared: euid left 0');
  }
  if (old.euid !== 0 && next.euid === 0 && caps.effective !== caps.permitted) {
    caps = { ...caps, effective: caps.permitted };
    changes.push(`effective set := permitted (${maskText(caps.permitted)}): euid returned to 0`);
  }
  return { creds: { ...next, caps }, changes };
}

/** The LSM_SETID_FS case: fsuid leaving or reaching 0 moves CAP_FS_SET out of or into the effective set. */
export function fixCapabilitiesAfterFsuidChange(old: Credentials, next: Credentials): FixedCredentials {
  if (isSecure(old, SECBIT_NO_SETUID_FIXUP)) return { creds: next, changes: [] };
  const { effective, permitted } = next.caps;
  if (old.fsuid === 0 && next.fsuid !== 0 && (effective & CAP_FS_SET) !== 0n) {
    const dropped = effective & CAP_FS_SET;
    return { creds: { ...next, caps: { ...next.caps, effective: effective & ~CAP_FS_SET } }, changes: [`${maskText(dropped)} dropped from the effective set: fsuid left 0`] };
  }
  if (old.fsuid !== 0 && next.fsuid === 0 && !isSubset(permitted & CAP_FS_SET, effective)) {
    const raised = permitted & CAP_FS_SET & ~effective;
    return { creds: { ...next, caps: { ...next.caps, effective: effective | (permitted & CAP_FS_SET) } }, changes: [`${maskText(raised)} raised in the effective set from the permitted set: fsuid became 0`] };
  }
  return { creds: next, changes: [] };
}
