/**
 * commit_creds (kernel/cred.c): installing new credentials. Besides replacing them, it
 * makes the process non-dumpable (PR_GET_DUMPABLE 0, fs.suid_dumpable's default) when the
 * effective or filesystem ids change or the permitted set gains a capability, so a process
 * that changed identity cannot be ptrace'd or dumped by its old identity.
 */
import { isSubset } from './capabilities.js';
import { dumpableOf, withDumpable, type Credentials } from './state.js';

/** fs.suid_dumpable: 0 (SUID_DUMP_DISABLE), the kernel's default; isolab does not model the sysctl. */
export const SUID_DUMPABLE = 0;

export function commitCredentials(old: Credentials, next: Credentials): Credentials {
  const identityChanged = old.euid !== next.euid || old.egid !== next.egid || old.fsuid !== next.fsuid || old.fsgid !== next.fsgid;
  const capabilitiesGained = !isSubset(next.caps.permitted, old.caps.permitted);
  return identityChanged || capabilitiesGained ? withDumpable(next, SUID_DUMPABLE) : next;
}

/** Why commitCredentials cleared dumpable (given what it was handed), or null when it did not. */
export function dumpableNote(uncommitted: Credentials, committed: Credentials): string | null {
  return dumpableOf(uncommitted) === 1 && dumpableOf(committed) === 0 ? 'the process is no longer dumpable (commit_creds: its identity or capabilities changed)' : null;
}
