// Proves chroot(2) is what its man page says: it changes the root for path lookups only, so the two
// classic escapes work — root chroots below its cwd and walks "..", or a directory descriptor kept
// open outside the root is fchdir'd to — and both fail without CAP_SYS_CHROOT or the descriptor.
import { describe, expect, it } from 'vitest';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { sys, text, word } from './helpers.js';

const FS = `fs {
  dir "/jail" { mode: 0755 }
  dir "/jail/etc" { mode: 0755 }
  file "/jail/etc/secret" "inside the jail" { mode: 0644 }
  file "/etc/secret" "outside the jail" { mode: 0644 }
}`;

/** A run's failed expectations and the invariant violations it recorded. */
function outcome(script: string): { failures: string[]; violations: string[] } {
  const result = runText(`scenario "chroot"\ninvariant vfs.chroot-confinement, vfs.dac\n${FS}\n${script}\n`);
  return { failures: failuresOf(result), violations: result.violations.map((v) => JSON.stringify(v)) };
}

describe('chroot(2)', () => {
  it('needs search permission (EACCES, checked first) and CAP_SYS_CHROOT (EPERM); it does not change the cwd', () => {
    const s = sys(`dir "/jail" { mode: 0755 }\n  dir "/closed" { mode: 0700 }`, 'process root { uid: 0 }\nprocess alice { uid: 1000 }');
    expect(s.call('alice', 'chroot', text('/closed')).errno).toBe('EACCES');
    expect(s.call('alice', 'chroot', text('/jail')).errno).toBe('EPERM');
    expect(s.call('root', 'chroot', text('/jail')).result).toMatchObject({ ret: 0, note: 'the working directory is outside the new root: chroot does not change it' });
    expect(s.cwdOf('root')).toBe('/');
    expect(s.rootOf('root')).toBe('/jail');
    expect(s.call('root', 'getcwd').text).toBe('(unreachable)/\0');
  });
});

describe('the classic escape by root: chroot below the cwd, then ".." (chroot(2) NOTES)', () => {
  const escape = (caps: string) => `process jailed { uid: 0, cwd: "/jail" }
jailed: syscall chroot("/jail") expect returns 0
jailed: syscall getcwd expect returns 2, reads "/\\u0000"
jailed: syscall capset(${caps}, ${caps}, 0) expect returns 0
jailed: syscall mkdir("/tunnel", 0755) expect returns 0
jailed: syscall chroot("/tunnel") expect ${caps.includes('CAP_SYS_CHROOT') ? 'returns 0' : 'errno EPERM'}
jailed: syscall chdir("../../../..") expect returns 0
jailed: syscall chroot(".") expect ${caps.includes('CAP_SYS_CHROOT') ? 'returns 0' : 'errno EPERM'}
jailed: syscall openat(AT_FDCWD, "/etc/secret", O_RDONLY) expect returns 3`;

  it('walks out with CAP_SYS_CHROOT: the second chroot leaves the cwd outside the root', () => {
    const { failures, violations } = outcome(`${escape('CAP_SYS_CHROOT|CAP_DAC_OVERRIDE')}\njailed: syscall read(3, buf, 64) expect reads "outside the jail"`);
    expect(failures).toEqual([]);
    expect(violations).toEqual([]); // the promise does not cover a process with CAP_SYS_CHROOT
  });

  it('stays in without CAP_SYS_CHROOT: chroot is EPERM and ".." stops at the jail\'s root', () => {
    const { failures, violations } = outcome(`${escape('CAP_DAC_OVERRIDE')}\njailed: syscall read(3, buf, 64) expect reads "inside the jail"\njailed: syscall getcwd expect returns 2, reads "/\\u0000"`);
    expect(failures).toEqual([]);
    expect(violations).toEqual([]);
  });
});

describe('the escape through a descriptor kept open across chroot (chroot(2): "does not close open file descriptors")', () => {
  const service = (closes: boolean) => `process service { uid: 0 }
service: syscall openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) expect returns 3
service: syscall chdir("/jail") expect returns 0
service: syscall chroot("/jail") expect returns 0
${closes ? 'service: syscall close(3) expect returns 0' : ''}
service: syscall setresgid(1000, 1000, 1000) expect returns 0
service: syscall setresuid(1000, 1000, 1000) expect returns 0`;

  it('fchdir to the kept descriptor puts the cwd outside the root, no privilege needed', () => {
    const { failures, violations } = outcome(`${service(false)}
service: syscall fchdir(3) expect returns 0
service: syscall getcwd expect returns 15, reads "(unreachable)/\\u0000"
service: syscall openat(AT_FDCWD, "etc/secret", O_RDONLY) expect returns 4
service: syscall read(4, buf, 64) expect reads "outside the jail"`);
    expect(failures).toEqual([]);
    expect(violations).toEqual([]); // it held a way out: outside the promise
  });

  it('is closed when the jailer closes the descriptor first', () => {
    const { failures, violations } = outcome(`${service(true)}
service: syscall fchdir(3) expect errno EBADF
service: syscall openat(AT_FDCWD, "etc/secret", O_RDONLY) expect returns 3
service: syscall read(3, buf, 64) expect reads "inside the jail"
service: syscall chdir("/../../..") expect returns 0
service: syscall getcwd expect returns 2, reads "/\\u0000"`);
    expect(failures).toEqual([]);
    expect(violations).toEqual([]);
  });
});

describe('absolute symbolic links inside a jail', () => {
  it('restart at the jail\'s root, so a link to "/etc/secret" reads the jail\'s file', () => {
    const s = sys(`dir "/jail"\n  dir "/jail/etc"\n  file "/jail/etc/secret" "inside"\n  file "/etc/secret" "outside"\n  symlink "/jail/ln" "/etc/secret"\n  symlink "/jail/up" "../../../etc/secret"`, 'process root { uid: 0, cwd: "/jail" }');
    expect(s.call('root', 'chroot', text('/jail')).ret).toBe(0);
    expect(s.call('root', 'openat', -100, text('ln'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('root', 'read', 3, word('buf'), 10).text).toBe('inside');
    expect(s.call('root', 'openat', -100, text('up'), 'O_RDONLY').ret).toBe(4);
    expect(s.call('root', 'read', 4, word('buf'), 10).text).toBe('inside');
  });
});
