// Proves the rule semantics of both profile styles: AppArmor's globs and deny precedence,
// SBPL's last-match rule and its parser, and the Apple named profiles.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globMatches, globError } from '../../../engine/kernel/mac/glob.js';
import { parseAppArmorRule } from '../../../engine/kernel/mac/apparmor.js';
import { namedProfile, NAMED_PROFILE_NAMES } from '../../../engine/kernel/mac/named.js';
import { decideRequest, type MacProfile, type MacRequest, type MacRule } from '../../../engine/kernel/mac/profile.js';
import { parseSbpl } from '../../../engine/kernel/mac/sbpl.js';

const file = (operation: MacRequest['operation'], path: string, isDirectory = false): MacRequest => ({ operation, path, isDirectory, family: null });
const net = (family: MacRequest['family']): MacRequest => ({ operation: 'network', path: null, isDirectory: false, family });

function sbpl(text: string): MacProfile {
  const profile = parseSbpl('p', text);
  if ('message' in profile) throw new Error(profile.message);
  return profile;
}

function apparmor(...rules: [string, 'allow' | 'deny'][]): MacProfile {
  return {
    name: 'aa',
    style: 'apparmor',
    fallback: 'deny',
    rules: rules.map(([text, verdict]) => {
      const rule = parseAppArmorRule(text, verdict);
      if (typeof rule === 'string') throw new Error(rule);
      return rule;
    }),
  };
}

describe('AppArmor globs (apparmor.d(5), parser_regex.c)', () => {
  it('`*` stays within one name, `**` crosses names', () => {
    expect(globMatches('/srv/*', '/srv/a')).toBe(true);
    expect(globMatches('/srv/*', '/srv/a/b')).toBe(false);
    expect(globMatches('/srv/**', '/srv/a/b')).toBe(true);
    expect(globMatches('/srv/*.txt', '/srv/index.txt')).toBe(true);
    expect(globMatches('/srv/*.txt', '/srv/x/index.txt')).toBe(false);
  });

  it('a whole-component `*` or `**` matches at least one character: not the directory itself', () => {
    expect(globMatches('/etc/**', '/etc/')).toBe(false);
    expect(globMatches('/etc/**', '/etc')).toBe(false);
    expect(globMatches('/etc/*', '/etc/')).toBe(false);
    expect(globMatches('/etc/**', '/etc/x/')).toBe(true);
    expect(globMatches('/etc/*/', '/etc/x/')).toBe(true);
  });

  it('? is one character but "/", {a,b} alternatives, [..] classes', () => {
    expect(globMatches('/tmp/?', '/tmp/x')).toBe(true);
    expect(globMatches('/tmp/?', '/tmp/xy')).toBe(false);
    expect(globMatches('/{usr/,}bin/sh', '/bin/sh')).toBe(true);
    expect(globMatches('/{usr/,}bin/sh', '/usr/bin/sh')).toBe(true);
    expect(globMatches('/dev/tty[0-9]', '/dev/tty3')).toBe(true);
    expect(globMatches('/a.b', '/aXb')).toBe(false);
  });

  it('reports unclosed groups and relative globs', () => {
    expect(globError('/etc/{a,b')).toContain('never closed');
    expect(globError('/etc/[ab')).toContain('never closed');
    expect(globError('etc/**')).toContain('not an absolute path glob');
    expect(globError('/etc/**')).toBeNull();
  });

  it('`*` never matches across "/" (property)', () => {
    const name = fc.stringMatching(/^[a-z]{1,5}$/);
    fc.assert(
      fc.property(fc.array(name, { minLength: 2, maxLength: 4 }), (names) => {
        const path = '/' + names.join('/');
        expect(globMatches('/*', path)).toBe(false);
        expect(globMatches('/**', path)).toBe(true);
        expect(globMatches('/' + names.slice(0, -1).join('/') + '/*', path)).toBe(true);
      }),
    );
  });
});

describe('AppArmor decisions: allow rules add up, deny wins, the rest is denied', () => {
  const profile = apparmor(['/etc/** r', 'allow'], ['/etc/shadow r', 'deny'], ['/var/tmp/** rw', 'allow'], ['network inet', 'allow']);

  it('deny wins over an allow whatever the order', () => {
    expect(decideRequest(profile, file('file-read', '/etc/shadow'))).toEqual({ verdict: 'deny', rule: 'deny /etc/shadow r' });
    const reversed = { ...profile, rules: [...profile.rules].reverse() };
    expect(decideRequest(reversed, file('file-read', '/etc/shadow')).verdict).toBe('deny');
  });

  it('grants what a rule grants and denies what none does', () => {
    expect(decideRequest(profile, file('file-read', '/etc/passwd'))).toEqual({ verdict: 'allow', rule: '/etc/** r' });
    expect(decideRequest(profile, file('file-write', '/etc/passwd')).verdict).toBe('deny');
    expect(decideRequest(profile, file('file-write', '/var/tmp/x')).verdict).toBe('allow');
    expect(decideRequest(profile, file('file-read', '/home/x')).rule).toContain('no rule grants');
  });

  it('a directory is matched with a trailing "/"', () => {
    expect(decideRequest(profile, file('file-read', '/etc', true)).verdict).toBe('deny');
    expect(decideRequest(profile, file('file-read', '/etc/ssl', true)).verdict).toBe('allow');
  });

  it('network rules name families; fork is not mediated', () => {
    expect(decideRequest(profile, net('inet')).verdict).toBe('allow');
    expect(decideRequest(profile, net('inet6')).verdict).toBe('deny');
    expect(decideRequest(profile, { operation: 'process-fork', path: null, isDirectory: false, family: null }).verdict).toBe('allow');
  });

  it('rejects rules it cannot read', () => {
    expect(parseAppArmorRule('/etc/** q', 'allow')).toContain('"q" is not an AppArmor file permission');
    expect(parseAppArmorRule('network ax25', 'allow')).toContain('"ax25" is not a socket family');
    expect(parseAppArmorRule('/etc/**', 'allow')).toContain('PATH PERMISSIONS');
    const exec = parseAppArmorRule('/bin/* ix,', 'allow');
    expect(typeof exec === 'string' ? exec : exec.operations).toEqual(['process-exec']);
  });
});

describe('SBPL: the last matching rule decides', () => {
  it('a later rule overrides an earlier one', () => {
    const profile = sbpl('(version 1)\n(deny default)\n(allow file-read* (subpath "/etc"))\n(deny file-read* (literal "/etc/shadow"))\n');
    expect(decideRequest(profile, file('file-read', '/etc/shadow')).rule).toBe('(deny file-read* (literal "/etc/shadow"))');
    expect(decideRequest(profile, file('file-read', '/etc/passwd')).verdict).toBe('allow');
    const swapped = sbpl('(deny default)\n(deny file-read* (literal "/etc/shadow"))\n(allow file-read* (subpath "/etc"))\n');
    expect(decideRequest(swapped, file('file-read', '/etc/shadow')).verdict).toBe('allow');
  });

  it('falls back on the default, which is allow unless (deny default)', () => {
    expect(decideRequest(sbpl('(deny file-write*)'), file('file-read', '/x'))).toEqual({ verdict: 'allow', rule: '(allow default)' });
    expect(decideRequest(sbpl('(deny default)'), file('file-read', '/x'))).toEqual({ verdict: 'deny', rule: '(deny default)' });
  });

  it('subpath covers the directory and below, not a sibling with the same prefix', () => {
    const profile = sbpl('(deny file-write* (subpath "/etc"))');
    expect(decideRequest(profile, file('file-write', '/etc')).verdict).toBe('deny');
    expect(decideRequest(profile, file('file-write', '/etc/a/b')).verdict).toBe('deny');
    expect(decideRequest(profile, file('file-write', '/etcetera')).verdict).toBe('allow');
  });

  it('regex filters, raw strings and alternatives in one rule', () => {
    const profile = sbpl('(deny default)\n(allow file-read* (regex #"^/usr/lib/.*\\.dylib$") (literal "/etc/hosts")) ; comment\n');
    expect(decideRequest(profile, file('file-read', '/usr/lib/libc.dylib')).verdict).toBe('allow');
    expect(decideRequest(profile, file('file-read', '/usr/lib/libcXdylib')).verdict).toBe('deny');
    expect(decideRequest(profile, file('file-read', '/etc/hosts')).verdict).toBe('allow');
  });

  it('network filters name families', () => {
    const profile = sbpl('(deny network* (remote ip))');
    expect(decideRequest(profile, net('inet')).verdict).toBe('deny');
    expect(decideRequest(profile, net('inet6')).verdict).toBe('deny');
    expect(decideRequest(profile, net('unix')).verdict).toBe('allow');
  });

  it('locates what it cannot read', () => {
    expect(parseSbpl('p', '(allow file-read* (subpath "/etc")')).toEqual({ message: 'a "(" is never closed', offset: 0 });
    expect(parseSbpl('p', '(allow file-rwite* (subpath "/etc"))')).toMatchObject({ offset: 7 });
    expect((parseSbpl('p', '(allow file-rwite*)') as { message: string }).message).toContain('"file-rwite*" is not an operation');
    expect((parseSbpl('p', '(allow file-read* (regex #"(["))') as { message: string }).message).toContain('does not compile');
    expect((parseSbpl('p', '(allow file-read* (subpath "etc"))') as { message: string }).message).toContain('absolute path');
    expect((parseSbpl('p', '(permit file-read*)') as { message: string }).message).toContain('not allow or deny');
  });
});

describe('the Apple named profiles (sandbox_init(3))', () => {
  const decide = (name: string, request: MacRequest) => decideRequest(namedProfile(name)!, request).verdict;

  it('are the five kSBXProfile* names', () => {
    expect(NAMED_PROFILE_NAMES).toEqual(['no-internet', 'no-network', 'no-write', 'no-write-except-temporary', 'pure-computation']);
    expect(namedProfile('no-such')).toBeNull();
  });

  it('no-internet denies TCP/IP only; no-network every socket', () => {
    expect([decide('no-internet', net('inet')), decide('no-internet', net('inet6')), decide('no-internet', net('unix'))]).toEqual(['deny', 'deny', 'allow']);
    expect([decide('no-network', net('inet')), decide('no-network', net('unix')), decide('no-network', net(null))]).toEqual(['deny', 'deny', 'deny']);
    expect(decide('no-network', file('file-write', '/etc/passwd'))).toBe('allow');
  });

  it('no-write denies writes anywhere; no-write-except-temporary allows /var/tmp and /tmp', () => {
    expect(decide('no-write', file('file-write', '/var/tmp/x'))).toBe('deny');
    expect(decide('no-write', file('file-read', '/etc/passwd'))).toBe('allow');
    expect(decide('no-write-except-temporary', file('file-write', '/var/tmp/x'))).toBe('allow');
    expect(decide('no-write-except-temporary', file('file-write', '/tmp/a/b'))).toBe('allow');
    expect(decide('no-write-except-temporary', file('file-write', '/tmpfoo'))).toBe('deny');
    expect(decide('no-write-except-temporary', file('file-write', '/var/tmpx'))).toBe('deny');
  });

  it('pure-computation denies every operation', () => {
    const all: MacRequest[] = [file('file-read', '/'), file('file-write', '/tmp/x'), file('process-exec', '/bin/sh'), net('unix'), { operation: 'process-fork', path: null, isDirectory: false, family: null }];
    expect(all.map((request) => decide('pure-computation', request))).toEqual(['deny', 'deny', 'deny', 'deny', 'deny']);
  });
});

describe('last-match against a reference evaluator (property)', () => {
  const paths = ['/etc', '/etc/passwd', '/etc/shadow', '/tmp', '/tmp/a', '/var/tmp/x', '/usr/lib/x'];
  const filters = fc.constantFrom<MacRule['paths'][number]>(
    { kind: 'subpath', path: '/etc' },
    { kind: 'literal', path: '/etc/shadow' },
    { kind: 'regex', source: '^/tmp/' },
    { kind: 'regex', source: 'x$' },
    { kind: 'subpath', path: '/' },
  );
  const rule = fc.record({
    verdict: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
    operations: fc.subarray<MacRequest['operation']>(['file-read', 'file-write'], { minLength: 1 }),
    paths: fc.array(filters, { minLength: 1, maxLength: 2 }),
    families: fc.constant([]),
    text: fc.constant(''),
  });

  function reference(rules: readonly MacRule[], fallback: 'allow' | 'deny', operation: string, path: string): 'allow' | 'deny' {
    let verdict = fallback;
    for (const r of rules) {
      const hit = r.paths.some((f) =>
        f.kind === 'subpath' ? f.path === '/' || path === f.path || path.startsWith(f.path + '/') : f.kind === 'literal' ? path === f.path : f.kind === 'regex' ? new RegExp(f.source).test(path) : false,
      );
      if (hit && (r.operations as readonly string[]).includes(operation)) verdict = r.verdict;
    }
    return verdict;
  }

  it('agrees on every path and operation', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 6 }), fc.constantFrom<'allow' | 'deny'>('allow', 'deny'), fc.constantFrom(...paths), fc.constantFrom<'file-read' | 'file-write'>('file-read', 'file-write'), (rules, fallback, path, operation) => {
        const profile: MacProfile = { name: 'p', style: 'sandbox', fallback, rules };
        expect(decideRequest(profile, file(operation, path)).verdict).toBe(reference(rules, fallback, operation, path));
      }),
    );
  });
});
