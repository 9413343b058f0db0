// Proves, on random profiles and random opens (through symlinks, "." and ".."), that a
// confined process gets exactly what a reference evaluator of its rules allows — judged
// on the file a reference resolver says the kernel opens — and that mac.profile-enforced
// never fires.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { observe, outcomes } from './run.js';

type Node = { kind: 'dir' } | { kind: 'file' } | { kind: 'link'; target: string };

/** The world every case starts from (beside isolab's default tree, which these paths avoid). */
function initialWorld(): Map<string, Node> {
  return new Map<string, Node>([
    ['/', { kind: 'dir' }],
    ['/a', { kind: 'dir' }],
    ['/a/b', { kind: 'dir' }],
    ['/w', { kind: 'dir' }],
    ['/a/f', { kind: 'file' }],
    ['/a/b/g', { kind: 'file' }],
    ['/w/h', { kind: 'file' }],
    ['/a/up', { kind: 'link', target: '..' }],
    ['/a/lnk', { kind: 'link', target: '/w/h' }],
    ['/w/back', { kind: 'link', target: '../a/b' }],
    ['/w/dang', { kind: 'link', target: '/a/new' }],
  ]);
}

const FS_BLOCK = `fs {
  dir "/a" { mode: 0755 }
  dir "/a/b" { mode: 0755 }
  dir "/w" { mode: 0755 }
  file "/a/f" "f" { mode: 0644 }
  file "/a/b/g" "g" { mode: 0644 }
  file "/w/h" "h" { mode: 0644 }
  symlink "/a/up" ".."
  symlink "/a/lnk" "/w/h"
  symlink "/w/back" "../a/b"
  symlink "/w/dang" "/a/new"
}`;

type Resolution = { ok: true; path: string; exists: boolean; isDir: boolean } | { ok: false };

const join = (dir: string, name: string) => (dir === '/' ? '/' + name : dir + '/' + name);
const parentOf = (path: string) => (path === '/' ? '/' : path.slice(0, path.lastIndexOf('/')) || '/');

/** An independent path walk: names left to right, links followed (the last one when `followLast`), ".." stopping at "/". */
function resolveReference(world: Map<string, Node>, path: string, followLast: boolean, create: boolean): Resolution {
  let at = '/';
  const pending = path.split('/').filter((part) => part !== '');
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    const isLast = pending.length === 0;
    if (world.get(at)?.kind !== 'dir') return { ok: false };
    if (name === '.') continue;
    if (name === '..') {
      at = parentOf(at);
      continue;
    }
    const next = join(at, name);
    const node = world.get(next);
    if (node === undefined) return isLast && create ? { ok: true, path: next, exists: false, isDir: false } : { ok: false };
    if (node.kind === 'link' && (!isLast || followLast)) {
      if (++links > 40) return { ok: false };
      if (node.target.startsWith('/')) at = '/';
      pending.unshift(...node.target.split('/').filter((part) => part !== ''));
      continue;
    }
    at = next;
  }
  const node = world.get(at)!;
  return { ok: true, path: at, exists: true, isDir: node.kind === 'dir' };
}

// ------------------------------------------------------------------ reference rules

interface SandboxRule {
  readonly verdict: 'allow' | 'deny';
  readonly operation: 'read' | 'write';
  readonly regex: string;
}

function sandboxReference(rules: readonly SandboxRule[], fallback: 'allow' | 'deny', operation: 'read' | 'write', path: string): 'allow' | 'deny' {
  let verdict = fallback;
  for (const rule of rules) if (rule.operation === operation && new RegExp(rule.regex).test(path)) verdict = rule.verdict;
  return verdict;
}

interface AppArmorRule {
  readonly deny: boolean;
  readonly glob: string;
  readonly perms: string;
}

/** Glob matching by recursion over the pattern, independent of the regex translation. */
function globReference(pattern: string, path: string): boolean {
  if (pattern === '') return path === '';
  if (pattern.startsWith('**')) {
    const wholeComponent = (pattern.length === 2 || pattern[2] === '/');
    for (let cut = wholeComponent ? 1 : 0; cut <= path.length; cut++) {
      if (wholeComponent && path[0] === '/') return false;
      if (globReference(pattern.slice(2), path.slice(cut))) return true;
    }
    return false;
  }
  if (pattern[0] === '*') {
    const wholeComponent = pattern.length === 1 || pattern[1] === '/';
    for (let cut = wholeComponent ? 1 : 0; cut <= path.length && !path.slice(0, cut).includes('/'); cut++) {
      if (globReference(pattern.slice(1), path.slice(cut))) return true;
    }
    return false;
  }
  return path[0] === pattern[0] && globReference(pattern.slice(1), path.slice(1));
}

function appArmorReference(rules: readonly AppArmorRule[], operation: 'read' | 'write', path: string, isDir: boolean): 'allow' | 'deny' {
  const seen = isDir && path !== '/' ? path + '/' : path;
  const letter = operation === 'read' ? 'r' : 'w';
  const matching = rules.filter((rule) => rule.perms.includes(letter) && globReference(rule.glob, seen));
  if (matching.some((rule) => rule.deny)) return 'deny';
  return matching.length > 0 ? 'allow' : 'deny';
}

// ------------------------------------------------------------------ the property

const NAMES = ['a', 'b', 'w', 'f', 'g', 'h', 'new', 'up', 'lnk', 'back', 'dang', '.', '..'];
const FLAGS = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_WRONLY|O_CREAT', 'O_RDWR|O_CREAT', 'O_RDONLY|O_TRUNC'] as const;
/** Paths that resolve (through links, "." and "..") half of the time, random ones otherwise. */
const INTERESTING = ['/a/lnk', '/a/up/w/h', '/w/back/g', '/w/dang', '/a/b/../f', '/a/./b/g', '/a', '/w', '/a/up/a/b', '/w/back/../f', '/a/new', '/w/new', '/a/b/new'];
const randomPath = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 }).map((names) => '/' + names.join('/'));
const open = fc.record({ path: fc.oneof(fc.constantFrom(...INTERESTING), randomPath), flags: fc.constantFrom(...FLAGS) });

function operationsOf(flags: string, exists: boolean): ('read' | 'write')[] {
  const out: ('read' | 'write')[] = [];
  if (flags.startsWith('O_RDONLY') || flags.startsWith('O_RDWR')) out.push('read');
  if (flags.startsWith('O_WRONLY') || flags.startsWith('O_RDWR') || flags.includes('O_TRUNC') || (flags.includes('O_CREAT') && !exists)) out.push('write');
  return out;
}

/** What the open must return, by the reference: an errno or "fd". */
function expectedOutcome(world: Map<string, Node>, path: string, flags: string, decide: (op: 'read' | 'write', path: string, isDir: boolean) => 'allow' | 'deny', denial: string): string {
  const resolution = resolveReference(world, path, true, flags.includes('O_CREAT'));
  if (!resolution.ok) return 'lookup error';
  const operations = operationsOf(flags, resolution.exists);
  const writes = operations.includes('write');
  if (resolution.isDir && writes) return 'EISDIR';
  if (operations.some((op) => decide(op, resolution.path, resolution.isDir) === 'deny')) return denial;
  if (!resolution.exists) world.set(resolution.path, { kind: 'file' });
  return 'fd';
}

function actualOutcome(line: string): string {
  const errno = line.split(' ')[1]!;
  if (/^\d+$/.test(errno)) return 'fd';
  return errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'ELOOP' ? 'lookup error' : errno;
}

function runCase(profileText: string, attach: string, opens: readonly { path: string; flags: string }[]) {
  const steps = opens.map((o) => `p: syscall openat(AT_FDCWD, "${o.path}", ${o.flags}, 0644)`).join('\n');
  return observe(`scenario "t"\ninvariant all\n${FS_BLOCK}\n${profileText}\nprocess p { uid: 0, ${attach} }\n${steps}\n`);
}

describe('random opens by a confined process match the reference evaluator', () => {
  it('sandbox profiles (last match, regex rules)', () => {
    const rule = fc.record({
      verdict: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
      operation: fc.constantFrom<'read' | 'write'>('read', 'write'),
      regex: fc.constantFrom('^/a/', '^/a/b/', '^/w/h$', '^/w/', 'new$', '^/a$', '^/'),
    });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), fc.constantFrom<'allow' | 'deny'>('allow', 'deny'), fc.array(open, { minLength: 1, maxLength: 8 }), (rules, fallback, opens) => {
        const props = [`default: ${fallback}`, ...rules.map((r) => `${r.verdict}_${r.operation}: "${r.regex}"`)].join(', ');
        const { result, events } = runCase(`sandbox prof { ${props} }`, 'sandbox: prof', opens);
        const world = initialWorld();
        const expected = opens.map((o) => expectedOutcome(world, o.path, o.flags, (op, path) => sandboxReference(rules, fallback, op, path), 'EPERM'));
        expect(outcomes(events).map(actualOutcome)).toEqual(expected);
        expect(result.violations).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('AppArmor profiles (globs, deny wins, default deny)', () => {
    const rule = fc.record({
      deny: fc.boolean(),
      glob: fc.constantFrom('/a/**', '/a/*', '/a/b/*', '/w/**', '/w/h', '/**', '/*', '/a/*/'),
      perms: fc.constantFrom('r', 'w', 'rw'),
    });
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), fc.array(open, { minLength: 1, maxLength: 8 }), (rules, opens) => {
        const props = rules.map((r) => `${r.deny ? 'deny' : 'allow'}: "${r.glob} ${r.perms}"`).join(', ');
        const { result, events } = runCase(`apparmor prof { network: deny${props === '' ? '' : ', ' + props} }`, 'apparmor: prof', opens);
        const world = initialWorld();
        const expected = opens.map((o) => expectedOutcome(world, o.path, o.flags, (op, path, isDir) => appArmorReference(rules, op, path, isDir), 'EACCES'));
        expect(outcomes(events).map(actualOutcome)).toEqual(expected);
        expect(result.violations).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
