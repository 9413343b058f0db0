/**
 * The Apple sandbox's named profiles (sandbox_init(3), SANDBOX_NAMED; the lecture's
 * "pre-written profiles"), written in the SBPL subset isolab reads:
 *
 * - kSBXProfileNoInternet "no-internet": TCP/IP networking is prohibited;
 * - kSBXProfileNoNetwork "no-network": all sockets-based networking is prohibited;
 * - kSBXProfileNoWrite "no-write": file system writes are prohibited;
 * - kSBXProfileNoWriteExceptTemporary "no-write-except-temporary": writes only under
 *   /var/tmp and the user's temporary folder (confstr(3) _CS_DARWIN_USER_TEMP_DIR, which
 *   isolab's Linux-like tree stands in for with /tmp);
 * - kSBXProfilePureComputation "pure-computation": all operating-system services are
 *   prohibited — files, sockets, new processes and programs; what is left is computing in
 *   one's own memory, the descriptors already open, and exit.
 */
import type { MacProfile } from './profile.js';
import { parseSbpl } from './sbpl.js';

const NAMED_SBPL: Readonly<Record<string, string>> = {
  'no-internet': '(version 1)\n(allow default)\n(deny network* (remote ip) (local ip))\n',
  'no-network': '(version 1)\n(allow default)\n(deny network*)\n',
  'no-write': '(version 1)\n(allow default)\n(deny file-write*)\n',
  'no-write-except-temporary': '(version 1)\n(allow default)\n(deny file-write*)\n(allow file-write* (subpath "/var/tmp") (subpath "/tmp"))\n',
  'pure-computation': '(version 1)\n(deny default)\n',
};

export const NAMED_PROFILE_NAMES: readonly string[] = Object.keys(NAMED_SBPL);

/** A named profile, or null for a name Apple did not define. */
export function namedProfile(name: string): MacProfile | null {
  const text = NAMED_SBPL[name];
  if (text === undefined) return null;
  const profile = parseSbpl(name, text);
  if ('message' in profile) throw new Error(`named profile ${name} does not parse: ${profile.message}`);
  return profile;
}

export function namedProfileSource(name: string): string | null {
  return NAMED_SBPL[name] ?? null;
}
