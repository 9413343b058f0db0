/**
 * capable(): may a process use a capability? Linux asks only the effective set
 * (security/commoncap.c cap_capable; user namespaces are not simulated yet, so every
 * process is in the initial one). The permitted set is what a process may raise into its
 * effective set with capset(2); it grants nothing by itself.
 */
import { InternalError } from '../../core/errors.js';
import { hasBit, isValidCapability } from './capabilities.js';
import type { Credentials } from './state.js';

export function capable(creds: Credentials, cap: number): boolean {
  // kernel/capability.c ns_capable: an unknown capability number is a kernel bug (BUG()).
  if (!Number.isInteger(cap) || !isValidCapability(cap)) throw new InternalError(`capable() called with invalid capability ${cap}`);
  return hasBit(creds.caps.effective, cap);
}
