/**
 * A Janus-style monitor's policy (Goldberg, Wagner, Thomas and Brewer, "A Secure
 * Environment for Untrusted Helper Applications", USENIX Security 1996): path rules for
 * the calls that name files, and a switch for the network. Deny rules win over allow
 * rules; a path no rule allows is denied (the monitor's default is to refuse).
 *
 * Patterns: `*` matches any run of characters but "/", `**` matches anything, `?` one
 * character but "/"; a pattern with no wildcard names that path and everything below it
 * ("/srv" covers "/srv/www/index.html"). Paths are compared after the monitor resolved
 * them to absolute, canonical form — as the monitor sees them, which is the point.
 *
 * Left out: per-call access rights (read vs write rules), the policy modules' argument
 * predicates beyond paths, and port-level network rules.
 */

export type MonitorMode = 'janus' | 'resolved';

export interface MonitorPolicy {
  readonly name: string;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Whether the sandboxed process may use the network (socket, connect, bind…). */
  readonly network: boolean;
  /**
   * janus: the monitor resolves the path itself at system-call entry, then the kernel
   * resolves it again when the call goes on (check and use are apart: TOCTTOU).
   * resolved: the kernel resolves once and the monitor checks the object it resolved,
   * in the same step as the use.
   */
  readonly mode: MonitorMode;
}

export interface PolicyDecision {
  readonly verdict: 'allow' | 'deny';
  /** The rule that decided, as written: `deny "/etc/*"`, `allow "/tmp/*"`, `default deny`, `network: off`. */
  readonly rule: string;
}

/** The pattern as a regular expression (anchored), built from its glob syntax. */
function patternRegExp(pattern: string): RegExp {
  const hasWildcard = /[*?]/.test(pattern);
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      body += '.*';
      i++;
    } else if (char === '*') body += '[^/]*';
    else if (char === '?') body += '[^/]';
    else body += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  if (!hasWildcard) {
    // A plain path covers itself and everything below it ("/" covers everything).
    const base = body.endsWith('/') ? body.slice(0, -1) : body;
    return new RegExp(`^${base}(?:/.*)?$`);
  }
  return new RegExp(`^${body}$`);
}

export function matchesPattern(pattern: string, path: string): boolean {
  return patternRegExp(pattern).test(path);
}

/** The policy's verdict on one absolute path: the first deny rule that matches, else the first allow rule, else deny. */
export function decidePath(policy: MonitorPolicy, path: string): PolicyDecision {
  const denied = policy.deny.find((pattern) => matchesPattern(pattern, path));
  if (denied !== undefined) return { verdict: 'deny', rule: `deny ${JSON.stringify(denied)}` };
  const allowed = policy.allow.find((pattern) => matchesPattern(pattern, path));
  if (allowed !== undefined) return { verdict: 'allow', rule: `allow ${JSON.stringify(allowed)}` };
  return { verdict: 'deny', rule: 'default deny' };
}

/** The verdict on several names of one object: denied when any name is. */
export function decidePaths(policy: MonitorPolicy, paths: readonly string[]): PolicyDecision & { readonly path: string } {
  let first: (PolicyDecision & { path: string }) | null = null;
  for (const path of paths) {
    const decision = { ...decidePath(policy, path), path };
    if (decision.verdict === 'deny') return decision;
    first ??= decision;
  }
  return first ?? { verdict: 'deny', rule: 'default deny', path: '' };
}

/** Calls that reach the network: refused outright when the policy says `network: off`. */
export const NETWORK_CALLS: readonly string[] = ['socket', 'connect', 'bind', 'listen', 'accept', 'accept4', 'sendto', 'sendmsg', 'sendmmsg'];

export function decideNetwork(policy: MonitorPolicy): PolicyDecision {
  return policy.network ? { verdict: 'allow', rule: 'network: on' } : { verdict: 'deny', rule: 'network: off' };
}

/**
 * Where a checked call names a file: the argument holding the path, the argument holding
 * the directory fd it is relative to (the *at calls), and whether a symbolic link in the
 * last position is followed — always, never, or unless the open flags (at `flagsIndex`)
 * say O_NOFOLLOW or O_CREAT|O_EXCL (open(2)).
 */
export interface PathArgument {
  readonly index: number;
  readonly dirfdIndex: number | null;
  readonly follow: 'always' | 'never' | { readonly flagsIndex: number };
}

const arg = (index: number, follow: PathArgument['follow'], dirfdIndex: number | null = null): PathArgument => ({ index, dirfdIndex, follow });

/** The calls whose paths the monitor checks (each path argument is checked). */
export const PATH_CALLS: Readonly<Record<string, readonly PathArgument[]>> = {
  open: [arg(0, { flagsIndex: 1 })],
  openat: [arg(1, { flagsIndex: 2 }, 0)],
  creat: [arg(0, 'always')],
  execve: [arg(0, 'always')],
  stat: [arg(0, 'always')],
  lstat: [arg(0, 'never')],
  access: [arg(0, 'always')],
  faccessat: [arg(1, 'always', 0)],
  readlink: [arg(0, 'never')],
  truncate: [arg(0, 'always')],
  chmod: [arg(0, 'always')],
  chown: [arg(0, 'always')],
  lchown: [arg(0, 'never')],
  mkdir: [arg(0, 'never')],
  mkdirat: [arg(1, 'never', 0)],
  rmdir: [arg(0, 'never')],
  unlink: [arg(0, 'never')],
  unlinkat: [arg(1, 'never', 0)],
  rename: [arg(0, 'never'), arg(1, 'never')],
  renameat: [arg(1, 'never', 0), arg(3, 'never', 2)],
  renameat2: [arg(1, 'never', 0), arg(3, 'never', 2)],
  link: [arg(0, 'never'), arg(1, 'never')],
  linkat: [arg(1, 'never', 0), arg(3, 'never', 2)],
  symlink: [arg(1, 'never')],
  symlinkat: [arg(2, 'never', 1)],
  mknod: [arg(0, 'never')],
};
