// Proves that the Janus-style monitor checks paths with its own lookup against its mirrored cwd, root and fd table; that the copy follows chdir, fchdir, chroot, open, dup/dup2/dup3, close and fork as the lecture describes (and nothing else); that janus mode stops an allowed call at entry until `resume`, while resolved mode checks what the kernel resolved; and that the policy's rules (deny first, default deny, plain prefixes, globs) mean what they say.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePath, matchesPattern, type MonitorPolicy } from '../../../engine/kernel/interpose/policy.js';
import { viewOf, type MonitorView } from '../../../engine/kernel/interpose/state.js';
import { processByName } from '../../../engine/kernel/state.js';
import type { RunResult } from '../../../engine/scenario/run.js';
import { compileError, failuresOf, runText } from '../../helpers/scenario.js';

const FS = `
fs {
  dir "/srv" { mode: 0755 }
  dir "/srv/www" { mode: 0755 }
  file "/srv/www/index.html" "<h1>hi</h1>" { mode: 0644 }
  dir "/tmp" { mode: 01777 }
  file "/tmp/allowed" "harmless" { mode: 0644 }
  symlink "/tmp/link" "/tmp/allowed"
  symlink "/tmp/evil" "/etc/shadow"
  symlink "/srv/up" "/etc"
  file "/etc/shadow" "root:x" { mode: 0640, owner: 0 }
}
`;

function scenario(steps: string, monitor = 'monitor m { allow: "/tmp/*", allow: "/srv", deny: "/etc/*", network: off, mode: janus }', box = 'process box { uid: 0, cwd: "/tmp", monitor: m }'): string {
  return `scenario "t"\n${FS}\n${monitor}\n${box}\nprocess other { uid: 0 }\ninvariant interpose.policy-holds\n${steps}\n`;
}

function viewNamed(result: RunResult, name: string): MonitorView {
  const process = processByName(result.state.kernel, name);
  const view = process === null ? null : viewOf(result.state.kernel, process.pid);
  if (view === null) throw new Error(`${name} has no monitor view`);
  return view;
}

function passes(text: string): RunResult {
  const result = runText(text);
  expect(failuresOf(result)).toEqual([]);
  expect(result.violations).toEqual([]);
  expect(result.passed).toBe(true);
  return result;
}

describe('the policy', () => {
  const policy: MonitorPolicy = { name: 'p', allow: ['/tmp/*', '/srv', '/home/**/public'], deny: ['/tmp/secret*'], network: false, mode: 'janus' };

  it('lets deny rules win, covers a plain path and everything below it, and refuses what no rule allows', () => {
    expect(decidePath(policy, '/tmp/a')).toEqual({ verdict: 'allow', rule: 'allow "/tmp/*"' });
    expect(decidePath(policy, '/tmp/secret.key')).toEqual({ verdict: 'deny', rule: 'deny "/tmp/secret*"' });
    expect(decidePath(policy, '/srv')).toEqual({ verdict: 'allow', rule: 'allow "/srv"' });
    expect(decidePath(policy, '/srv/www/index.html').verdict).toBe('allow');
    expect(decidePath(policy, '/srvx').verdict).toBe('deny');
    expect(decidePath(policy, '/tmp/a/b')).toEqual({ verdict: 'deny', rule: 'default deny' });
    expect(decidePath(policy, '/home/alice/x/public').verdict).toBe('allow');
    expect(decidePath(policy, '/etc/shadow')).toEqual({ verdict: 'deny', rule: 'default deny' });
  });

  it('never allows a path a deny rule matches, whatever the allow rules say (property)', () => {
    const name = fc.stringMatching(/^[a-z.]{1,6}$/);
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 4 }), fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 3 }), (components, allowed) => {
        const path = '/' + components.join('/');
        const rules: MonitorPolicy = { ...policy, allow: ['/', ...allowed.map((parts) => '/' + parts.join('/'))], deny: [path] };
        expect(decidePath(rules, path).verdict).toBe('deny');
        expect(matchesPattern('/', path)).toBe(true);
      }),
    );
  });
});

describe('the monitor at system-call entry (janus mode)', () => {
  it('refuses a denied path at entry with EPERM and says which rule decided', () => {
    const result = passes(scenario('box: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EPERM'));
    expect(result.steps[0]!.outcome.syscall?.note).toContain('deny "/etc/*"');
  });

  it('resolves symbolic links itself: a link into /etc is refused although its own name is allowed', () => {
    passes(scenario('box: syscall openat(AT_FDCWD, "/tmp/evil", O_RDONLY) expect errno EPERM\nbox: syscall open("/srv/up/shadow", O_RDONLY) expect errno EPERM'));
  });

  it('stops an allowed call at entry: nothing returns until the process is resumed', () => {
    const result = passes(scenario('box: syscall openat(AT_FDCWD, "link", O_RDONLY)\nbox: resume expect returns 3\nbox: syscall read(3, buf, 8) expect reads "harmless"'));
    expect(result.steps[0]!.outcome.syscall).toBeNull();
    expect(viewNamed(result, 'box').pending).toBeNull();
  });

  it('refuses a second call while one is stopped, and a resume with nothing stopped', () => {
    passes(scenario('box: syscall openat(AT_FDCWD, "/tmp/allowed", O_RDONLY)\nbox: syscall getpid expect errno EBUSY\nbox: resume expect returns 3\nbox: resume expect refused'));
  });

  it('refuses the network when the policy says network: off', () => {
    passes(scenario('box: syscall socket(AF_INET, SOCK_STREAM, 0) expect errno EPERM\nother: syscall getpid expect ok'));
  });

  it('lets calls of processes it does not trace through untouched', () => {
    passes(scenario('other: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect returns 3'));
  });
});

describe('the monitor\'s copy of the process state', () => {
  it('follows chdir and resolves relative paths against its mirrored cwd', () => {
    const result = passes(scenario('box: syscall chdir("/srv/www") expect returns 0\nbox: syscall open("index.html", O_RDONLY)\nbox: resume expect returns 3'));
    const view = viewNamed(result, 'box');
    expect(view.cwd).toBe('/srv/www');
    expect(view.fds.find((entry) => entry.fd === 3)?.path).toBe('/srv/www/index.html');
  });

  it('copies descriptors across dup, dup2 and dup3, forgets them on close, and follows fchdir', () => {
    const steps = [
      'box: syscall open("/srv/www", O_RDONLY|O_DIRECTORY)',
      'box: resume expect returns 3',
      'box: syscall dup(3) expect returns 4',
      'box: syscall dup2(3, 7) expect returns 7',
      'box: syscall dup3(4, 9, O_CLOEXEC) expect returns 9',
      'box: syscall close(3) expect returns 0',
      'box: syscall fchdir(4) expect returns 0',
    ].join('\n');
    const view = viewNamed(passes(scenario(steps)), 'box');
    expect(view.fds.filter((entry) => entry.fd >= 3)).toEqual([
      { fd: 4, path: '/srv/www', cloexec: false },
      { fd: 7, path: '/srv/www', cloexec: false },
      { fd: 9, path: '/srv/www', cloexec: true },
    ]);
    expect(view.cwd).toBe('/srv/www');
  });

  it('follows chroot: the mirrored root changes where absolute paths lead', () => {
    const result = passes(scenario('box: syscall chroot("/srv") expect returns 0\nbox: syscall open("/www/index.html", O_RDONLY)\nbox: resume expect returns 3'));
    const view = viewNamed(result, 'box');
    expect(view.root).toBe('/srv');
    expect(view.fds.find((entry) => entry.fd === 3)?.path).toBe('/srv/www/index.html');
  });

  it('traces fork children with a copy of the parent\'s view, and each copy then goes its own way', () => {
    const steps = ['box: syscall open("/tmp/allowed", O_RDONLY)', 'box: resume expect returns 3', 'box: syscall fork() as kid', 'kid: syscall chdir("/srv") expect returns 0', 'kid: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EPERM'].join('\n');
    const result = passes(scenario(steps));
    const parent = viewNamed(result, 'box');
    const child = viewNamed(result, 'kid');
    expect(child.policy).toEqual(parent.policy);
    expect(child.fds).toEqual(parent.fds);
    expect(child.cwd).toBe('/srv');
    expect(parent.cwd).toBe('/tmp');
  });

  it('keeps believing what it checked when the kernel opened something else (the race)', () => {
    const steps = ['box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY)', 'other: syscall rename("/tmp/evil", "/tmp/link") expect returns 0', 'box: resume expect returns 3, violation interpose.policy-holds'].join('\n');
    const result = runText(scenario(steps));
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations.map((v) => v.invariant)).toEqual(['interpose.policy-holds']);
    expect(result.violations[0]!.message).toContain('opened /etc/shadow');
    expect(result.violations[0]!.message).toContain('/tmp/link → /tmp/allowed');
    expect(viewNamed(result, 'box').fds.find((entry) => entry.fd === 3)?.path).toBe('/tmp/allowed');
  });
});

describe('resolved mode', () => {
  const resolved = 'monitor m { allow: "/tmp/*", allow: "/srv", deny: "/etc/*", mode: resolved }';

  it('checks the object the kernel resolved, at the use: the swapped link is refused', () => {
    const steps = ['box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY)', 'other: syscall rename("/tmp/evil", "/tmp/link") expect returns 0', 'box: resume expect errno EPERM, no violation'].join('\n');
    passes(scenario(steps, resolved));
  });

  it('refuses a hard link to a denied file, since it checks every name of the object', () => {
    const steps = ['other: syscall link("/etc/shadow", "/tmp/hard") expect returns 0', 'box: syscall openat(AT_FDCWD, "/tmp/hard", O_RDONLY)', 'box: resume expect errno EPERM'].join('\n');
    passes(scenario(steps, resolved));
  });

  it('opens what the policy allows', () => {
    passes(scenario('box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY)\nbox: resume expect returns 3', resolved));
  });
});

describe('the language', () => {
  it('names an unknown monitor and suggests the nearest', () => {
    const error = compileError(scenario('box: syscall getpid', 'monitor sandbox { allow: "/tmp/*" }', 'process box { monitor: sandbx }'));
    expect(error.code).toBe('E_UNKNOWN_MONITOR');
    expect(error.notes).toContain('did you mean "sandbox"?');
  });

  it('rejects an unknown property, a relative pattern and an unknown mode', () => {
    expect(compileError(scenario('box: syscall getpid', 'monitor m { alow: "/tmp/*" }')).notes).toContain('did you mean "allow"?');
    expect(compileError(scenario('box: syscall getpid', 'monitor m { allow: "tmp/*" }')).message).toContain('does not start with "/"');
    expect(compileError(scenario('box: syscall getpid', 'monitor m { mode: janis }')).notes).toContain('did you mean "janus"?');
  });

  it('rejects a monitor declared twice', () => {
    expect(compileError(scenario('box: syscall getpid', 'monitor m { allow: "/" }\nmonitor m { allow: "/tmp" }')).code).toBe('E_DUPLICATE');
  });
});
