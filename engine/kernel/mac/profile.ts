/**
 * MAC sandbox profiles and how one decides an operation. Two styles, as the systems define
 * them:
 *
 * - Apple sandbox (Seatbelt; sandbox_init(3), sandbox-exec(1), the SBPL language): rules
 *   `(allow|deny OPERATION FILTER…)`, several filters in one rule being alternatives;
 *   the LAST rule that matches an operation decides, and `(allow default)` or `(deny
 *   default)` decides what no rule matches. Path filters: literal, subpath, regex.
 *   A denied operation fails with EPERM (Sandbox.kext answers EPERM to the MACF hooks).
 * - AppArmor (apparmor.d(5)): file rules `PATTERN PERMS` with globs, `deny` rules, and
 *   `network` rules. Permissions granted by allow rules add up, a matching deny rule wins
 *   whatever the order, and in an enforcing profile what no rule grants is denied. A
 *   denied operation fails with EACCES (security/apparmor/file.c aa_path_perm → -EACCES).
 *   Fork is not mediated by AppArmor.
 *
 * Paths are absolute, from the namespace's root (AppArmor's d_namespace_path; the Apple
 * sandbox checks the vnode's path), after the kernel resolved every symlink and "..": the
 * LSM hooks see the object the kernel opens, not the string the caller wrote. Profiles are
 * plain JSON data so that they travel in events.
 */
import { globMatches } from './glob.js';

export type MacStyle = 'sandbox' | 'apparmor';
export type MacVerdict = 'allow' | 'deny';

/** What a call does, as the profile sees it. */
export type MacOperation = 'file-read' | 'file-write' | 'process-exec' | 'process-fork' | 'network';
export const MAC_OPERATIONS: readonly MacOperation[] = ['file-read', 'file-write', 'process-exec', 'process-fork', 'network'];

/** Socket families a network rule can name (socket(2) domains). */
export type SocketFamily = 'unix' | 'inet' | 'inet6';
export const SOCKET_FAMILIES: readonly SocketFamily[] = ['unix', 'inet', 'inet6'];

export type PathFilter =
  /** Exactly this path. */
  | { readonly kind: 'literal'; readonly path: string }
  /** This path and everything below it. */
  | { readonly kind: 'subpath'; readonly path: string }
  /** A regular expression searched in the path (SBPL regex, POSIX ERE; isolab uses JavaScript's). */
  | { readonly kind: 'regex'; readonly source: string }
  /** An AppArmor glob: `*` within one name, `**` across names, `?`, `[…]`, `{a,b}`. */
  | { readonly kind: 'glob'; readonly pattern: string };

export interface MacRule {
  readonly verdict: MacVerdict;
  readonly operations: readonly MacOperation[];
  /** Alternatives: the rule matches a path operation when one of them matches (none: any path). */
  readonly paths: readonly PathFilter[];
  /** For network rules: the families it covers (none: every family). */
  readonly families: readonly SocketFamily[];
  /** The rule as written, for traces ("(deny file-write* (subpath \"/etc\"))", "deny /proc/sys/** w"). */
  readonly text: string;
}

export interface MacProfile {
  readonly name: string;
  readonly style: MacStyle;
  /** What no rule decides: SBPL's (allow default)/(deny default); always deny for AppArmor. */
  readonly fallback: MacVerdict;
  readonly rules: readonly MacRule[];
}

/** One operation a call asks for. */
export interface MacRequest {
  readonly operation: MacOperation;
  /** The resolved absolute path, for file and exec operations. */
  readonly path: string | null;
  /** Whether the path names a directory (AppArmor matches directories with a trailing "/"). */
  readonly isDirectory: boolean;
  /** The socket family, for network operations (null for a family the profile cannot name). */
  readonly family: SocketFamily | null;
}

export interface MacDecision {
  readonly verdict: MacVerdict;
  /** The rule that decided, as written, or what decided when none matched. */
  readonly rule: string;
}

/** Where a profile's denial leaves the caller: EPERM from the Apple sandbox, EACCES from AppArmor. */
export function denialErrno(style: MacStyle): 'EPERM' | 'EACCES' {
  return style === 'sandbox' ? 'EPERM' : 'EACCES';
}

const compiledRegexes = new Map<string, RegExp | null>();

/** A regex filter's RegExp (memoised by source; null for a source that does not compile). */
export function regexOf(source: string): RegExp | null {
  if (!compiledRegexes.has(source)) {
    let compiled: RegExp | null;
    try {
      compiled = new RegExp(source);
    } catch {
      compiled = null;
    }
    compiledRegexes.set(source, compiled);
  }
  return compiledRegexes.get(source)!;
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Whether one filter matches the path (the path AppArmor sees ends in "/" for a directory). */
export function filterMatches(filter: PathFilter, path: string, style: MacStyle, isDirectory: boolean): boolean {
  switch (filter.kind) {
    case 'literal':
      return withoutTrailingSlash(filter.path) === path;
    case 'subpath': {
      const root = withoutTrailingSlash(filter.path);
      return root === '/' || path === root || path.startsWith(root + '/');
    }
    case 'regex':
      return regexOf(filter.source)?.test(path) ?? false;
    case 'glob':
      return globMatches(filter.pattern, style === 'apparmor' && isDirectory && path !== '/' ? path + '/' : path);
  }
}

export function ruleMatches(rule: MacRule, request: MacRequest, style: MacStyle): boolean {
  if (!rule.operations.includes(request.operation)) return false;
  if (request.operation === 'network') {
    return rule.families.length === 0 || (request.family !== null && rule.families.includes(request.family));
  }
  if (rule.paths.length === 0) return true;
  if (request.path === null) return false;
  return rule.paths.some((filter) => filterMatches(filter, request.path!, style, request.isDirectory));
}

/** The profile's decision on one operation, naming the rule that made it. */
export function decideRequest(profile: MacProfile, request: MacRequest): MacDecision {
  return profile.style === 'sandbox' ? decideLastMatch(profile, request) : decideDenyWins(profile, request);
}

function decideLastMatch(profile: MacProfile, request: MacRequest): MacDecision {
  for (let index = profile.rules.length - 1; index >= 0; index--) {
    const rule = profile.rules[index]!;
    if (ruleMatches(rule, request, profile.style)) return { verdict: rule.verdict, rule: rule.text };
  }
  return { verdict: profile.fallback, rule: `(${profile.fallback} default)` };
}

function decideDenyWins(profile: MacProfile, request: MacRequest): MacDecision {
  // AppArmor mediates files, exec and sockets; fork is outside its model.
  if (request.operation === 'process-fork') return { verdict: 'allow', rule: 'fork is not mediated by AppArmor' };
  const matching = profile.rules.filter((rule) => ruleMatches(rule, request, profile.style));
  const denied = matching.find((rule) => rule.verdict === 'deny');
  if (denied !== undefined) return { verdict: 'deny', rule: denied.text };
  const allowed = matching.find((rule) => rule.verdict === 'allow');
  if (allowed !== undefined) return { verdict: 'allow', rule: allowed.text };
  return { verdict: profile.fallback, rule: `no rule grants ${request.operation} (profile enforcing: ${profile.fallback})` };
}
