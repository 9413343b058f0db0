/**
 * What a credential rule decides, before the system-call glue turns it into events: new
 * credentials (to commit), nothing to change, or a refusal with its errno. Each carries
 * a note in words that names the rule that applied, for traces and reports.
 */
import type { Errno } from '../syscall/errno.js';
import type { Credentials } from './state.js';

export type CredentialsOutcome =
  | { readonly kind: 'changed'; readonly creds: Credentials; readonly ret: number; readonly note: string }
  | { readonly kind: 'kept'; readonly ret: number; readonly note: string }
  | { readonly kind: 'refused'; readonly errno: Errno; readonly note: string };

export function changed(creds: Credentials, notes: readonly string[], ret = 0): CredentialsOutcome {
  return { kind: 'changed', creds, ret, note: notes.join('; ') };
}

export function kept(note: string, ret = 0): CredentialsOutcome {
  return { kind: 'kept', ret, note };
}

export function refused(errno: Errno, note: string): CredentialsOutcome {
  return { kind: 'refused', errno, note: `${errno}: ${note}` };
}
