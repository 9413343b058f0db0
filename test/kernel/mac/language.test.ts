// Proves the language's sandbox and apparmor settings and properties compile to the
// profiles they describe, read SBPL and AppArmor files, and reject bad input with located,
// specific errors.
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../engine/scenario/run.js';
import { compileError, compileText, runText, failuresOf } from '../../helpers/scenario.js';

describe('compiling profiles', () => {
  it('an inline sandbox becomes SBPL rules in the order written', () => {
    const plan = compileText(`scenario "t"
sandbox web { default: deny, allow_read: "^/usr/", deny_read: "^/usr/secret", network: inet|inet6, fork: allow }
process p { sandbox: web }
`);
    const load = plan.setup.find((command) => command.type === 'mac.loadProfile')!;
    const profile = (load.data as { profile: { fallback: string; rules: { text: string }[] } }).profile;
    expect(profile.fallback).toBe('deny');
    expect(profile.rules.map((rule) => rule.text)).toEqual([
      '(allow file-read* (regex #"^/usr/"))',
      '(deny file-read* (regex #"^/usr/secret"))',
      '(deny network*)',
      '(allow network* (family inet) (family inet6))',
      '(allow process-fork)',
    ]);
    expect(plan.setup.some((command) => command.type === 'mac.confine')).toBe(true);
  });

  it('reads an SBPL file and an AppArmor file attached with from', () => {
    const text = `scenario "t"
sandbox strict from "strict.sb"
apparmor box from "box.aa"
process s { uid: 0, sandbox: strict }
process a { uid: 0, apparmor: box }
s: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
s: syscall openat(AT_FDCWD, "/etc/group", O_RDONLY) expect errno EPERM
a: syscall openat(AT_FDCWD, "/etc/group", O_RDONLY) expect returns 3
a: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES
`;
    const files = {
      'strict.sb': '(version 1)\n(deny default)\n; only the password file\n(allow file-read* (literal "/etc/passwd"))\n',
      'box.aa': 'profile box {\n  /etc/** r,   # configuration\n  deny /etc/shadow r,\n  network inet,\n}\n',
    };
    const plan = compileText(text, {}, files);
    expect(plan.setup.filter((command) => command.type === 'mac.loadProfile')).toHaveLength(2);
    expect(failuresOf(runPlan(plan))).toEqual([]);
  });

  it('`none` leaves a process unconfined, for variants', () => {
    const result = runText(`scenario "t"
variant box: none | no-write
process p { uid: 0, sandbox: $box }
p: syscall mkdir("/tmp/d", 0755)
  expect returns 0 when box=none
  expect errno EPERM when box=no-write
`, { box: 'none' });
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('bad input', () => {
  it('an unknown profile name, with the nearest one', () => {
    const error = compileError(`scenario "t"\nprocess p { sandbox: no-netwrk }\n`);
    expect(error.code).toBe('E_UNKNOWN_PROFILE');
    expect(error.message).toBe('no sandbox profile "no-netwrk" (known: no-internet, no-network, no-write, no-write-except-temporary, pure-computation, none, unconfined)');
    expect(error.notes).toEqual(['did you mean "no-network"?']);
  });

  it('an unknown key of a sandbox, with the nearest one', () => {
    const error = compileError(`scenario "t"\nsandbox s { alow_read: "^/usr" }\n`);
    expect(error.code).toBe('E_UNKNOWN_PROPERTY');
    expect(error.notes).toEqual(['did you mean "allow_read"?']);
  });

  it('a regular expression that does not compile', () => {
    const error = compileError(`scenario "t"\nsandbox s { deny_read: "^/etc/(" }\n`);
    expect(error.code).toBe('E_REGEX');
    expect(error.message).toBe('"^/etc/(" is not a regular expression');
  });

  it('an AppArmor rule it cannot read', () => {
    expect(compileError(`scenario "t"\napparmor a { allow: "/etc/** rz" }\n`).message).toBe('"z" is not an AppArmor file permission isolab knows (r, w, a, x, ix, px, ux, cx, l, k, m)');
    expect(compileError(`scenario "t"\napparmor a { allow: "/etc/{a,b r" }\n`).message).toBe('"/etc/{a,b": a "{" is never closed');
    expect(compileError(`scenario "t"\napparmor a { network: inet66 }\n`).notes).toEqual(['did you mean "inet6"?']);
  });

  it('an SBPL file error names the file, line and column', () => {
    const error = compileError(`scenario "t"\nsandbox s from "bad.sb"\n`, {}, { 'bad.sb': '(version 1)\n(deny default)\n(allow file-rad* (subpath "/usr"))\n' });
    expect(error.code).toBe('E_SBPL');
    expect(error.message).toContain('bad.sb: "file-rad*" is not an operation isolab knows');
    expect(error.location).toMatchObject({ file: 'bad.sb', line: 3, column: 8 });
  });

  it('a built-in name cannot be redefined, nor a name declared twice', () => {
    expect(compileError(`scenario "t"\nsandbox no-write { default: allow }\n`).code).toBe('E_DUPLICATE');
    const twice = compileError(`scenario "t"\nsandbox web { default: allow }\napparmor web { allow: "/** r" }\n`);
    expect(twice.message).toBe('MAC profile web is declared 2 times (sandbox and apparmor profiles share one namespace)');
  });
});
