// Proves the attribute calls follow their man pages and fs/open.c, fs/attr.c: stat(2) and struct stat,
// access(2) with the real ids, chmod(2) with its S_ISGID rule, chown(2) with its set-ID clearing, umask(2).
import { describe, expect, it } from 'vitest';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { sys, text } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0755 }
  file "/srv/f" "hello" { mode: 0640, owner: 1000, group: 1000 }
  file "/srv/prog" "ELF" { mode: 06755, owner: 1000, group: 1000 }
  file "/srv/ping" "ELF ping" { mode: 0755, caps: CAP_NET_RAW, effective: on }
  file "/srv/rootonly" "x" { mode: 0600, owner: 0 }
  symlink "/srv/link" "f"
  dir "/ro"
  bind "/srv" "/ro" { readonly: on }
  dir "/nx"
  bind "/srv" "/nx" { noexec: on }
`;
const PROCS = 'process root { uid: 0 }\nprocess alice { uid: 1000, gid: 1000, groups: 50 }\nprocess bob { uid: 2000 }';

describe('stat(2)', () => {
  it('reports ino, type and mode bits, owner, link count and size; lstat describes the link itself', () => {
    const s = sys(FS, PROCS);
    const file = s.call('bob', 'stat', text('/srv/link')).detail!;
    expect(file).toEqual({ ino: s.place('/srv/f').ino, mode: 0o100640, uid: 1000, gid: 1000, nlink: 1, size: 5, kind: 'file' });
    expect(s.call('bob', 'lstat', text('/srv/link')).detail).toMatchObject({ mode: 0o120777, size: 1, kind: 'symlink' });
    expect(s.call('bob', 'stat', text('/srv')).detail).toMatchObject({ mode: 0o40755, kind: 'dir' });
  });

  it('copies struct stat to the caller\'s buffer (st_size at offset 48, st_mode at 24)', () => {
    const result = runText(`scenario "stat"
fs {
  file "/srv-file" "hello" { mode: 0640 }
}
process alice { uid: 1000 }
alice: map 0x400000 size 4 KiB rw user
alice: syscall stat("/srv-file", 0x400000) expect returns 0
alice: read 0x400030 size 8 expect value 5
alice: read 0x400018 size 4 expect value 0x81a0
alice: syscall stat("/srv-file", 0x7000000) expect errno EFAULT
`);
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('access(2)', () => {
  it('checks with the real uid: a set-user-ID root process still gets its caller\'s answer', () => {
    const s = sys(FS, PROCS);
    s.setCreds('bob', (creds) => ({ ...creds, euid: 0, suid: 0, fsuid: 0, caps: { ...creds.caps, permitted: creds.caps.bounding, effective: creds.caps.bounding } }));
    expect(s.call('bob', 'access', text('/srv/rootonly'), 'R_OK').errno).toBe('EACCES');
    expect(s.call('bob', 'openat', -100, text('/srv/rootonly'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('bob', 'faccessat2', -100, text('/srv/rootonly'), 'R_OK', 'AT_EACCESS').ret).toBe(0);
    expect(s.call('bob', 'faccessat', -100, text('/srv/rootonly'), 'R_OK', 'AT_EACCESS').errno).toBe('EACCES'); // the raw call has no flags
  });

  it('checks search permission on the path with the real ids too', () => {
    const s = sys(`${FS}\n  dir "/closed" { mode: 0700 }\n  file "/closed/x" "" { mode: 0644 }`, PROCS);
    s.setCreds('bob', (creds) => ({ ...creds, euid: 0, fsuid: 0, caps: { ...creds.caps, permitted: creds.caps.bounding, effective: creds.caps.bounding } }));
    expect(s.call('bob', 'access', text('/closed/x'), 'F_OK').errno).toBe('EACCES');
  });

  it('for a root real uid uses the permitted capabilities: DAC_OVERRIDE reads anything, executes only with an x bit', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'access', text('/srv/f'), 'R_OK|W_OK').ret).toBe(0);
    expect(s.call('root', 'access', text('/srv/f'), 'X_OK').errno).toBe('EACCES');
    expect(s.call('root', 'access', text('/srv/prog'), 'X_OK').ret).toBe(0);
  });

  it('reports EROFS for W_OK on a read-only mount, EACCES for X_OK on a noexec one, EINVAL for a bad mode', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'access', text('/ro/f'), 'W_OK').errno).toBe('EROFS');
    expect(s.call('alice', 'access', text('/ro/f'), 'R_OK').ret).toBe(0);
    expect(s.call('alice', 'access', text('/nx/prog'), 'X_OK').errno).toBe('EACCES');
    expect(s.call('alice', 'access', text('/srv/prog'), 'X_OK').ret).toBe(0);
    expect(s.call('alice', 'access', text('/srv/f'), 8).errno).toBe('EINVAL');
  });
});

describe('chmod(2)', () => {
  it('lets the owner and CAP_FOWNER change the mode, nobody else (EPERM)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('bob', 'chmod', text('/srv/f'), 0o777).errno).toBe('EPERM');
    expect(s.call('alice', 'chmod', text('/srv/link'), 0o600).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.mode).toBe(0o100600);
    expect(s.call('root', 'chmod', text('/srv/f'), 0o644).ret).toBe(0);
  });

  it('clears S_ISGID when the caller is not in the file\'s group and lacks CAP_FSETID', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'chown', text('/srv/f'), -1, 77).ret).toBe(0);
    expect(s.call('alice', 'chmod', text('/srv/f'), 0o2755).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.mode).toBe(0o100755);
    expect(s.call('root', 'chmod', text('/srv/f'), 0o2755).ret).toBe(0);
    expect(s.call('root', 'stat', text('/srv/f')).detail!.mode).toBe(0o102755);
  });

  it('is EROFS on a read-only mount and EOPNOTSUPP on a symbolic link itself', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'chmod', text('/ro/f'), 0o600).errno).toBe('EROFS');
    expect(s.call('alice', 'fchmodat2', -100, text('/srv/link'), 0o600, 'AT_SYMLINK_NOFOLLOW').errno).toBe('EOPNOTSUPP');
  });
});

describe('chown(2)', () => {
  it('changes the owner only with CAP_CHOWN (EPERM), the group to one the owner is in', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'chown', text('/srv/f'), 2000, -1).errno).toBe('EPERM');
    expect(s.call('alice', 'chown', text('/srv/f'), 1000, -1).ret).toBe(0);
    expect(s.call('alice', 'chown', text('/srv/f'), -1, 50).ret).toBe(0);
    expect(s.call('alice', 'chown', text('/srv/f'), -1, 60).errno).toBe('EPERM');
    expect(s.call('bob', 'chown', text('/srv/f'), -1, 2000).errno).toBe('EPERM');
    expect(s.call('root', 'chown', text('/srv/f'), 2000, 2000).ret).toBe(0);
    expect(s.call('root', 'stat', text('/srv/f')).detail).toMatchObject({ uid: 2000, gid: 2000 });
  });

  it('clears S_ISUID and group-executable S_ISGID, root\'s chown included (chown(2), Linux ≥ 2.2.13), and file capabilities', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'chown', text('/srv/prog'), 0, 0).ret).toBe(0);
    expect(s.call('root', 'stat', text('/srv/prog')).detail!.mode).toBe(0o100755);
    expect(s.state.vfs.inodes[s.place('/srv/ping').ino]!.fileCaps).not.toBeNull();
    expect(s.call('root', 'chown', text('/srv/ping'), 0, 0).ret).toBe(0);
    expect(s.state.vfs.inodes[s.place('/srv/ping').ino]!.fileCaps).toBeNull();
  });

  it('lchown changes the link itself; EROFS on a read-only mount', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'lchown', text('/srv/link'), 2000, 2000).ret).toBe(0);
    expect(s.call('root', 'lstat', text('/srv/link')).detail!.uid).toBe(2000);
    expect(s.call('root', 'stat', text('/srv/link')).detail!.uid).toBe(1000);
    expect(s.call('root', 'chown', text('/ro/rootonly'), 1000, 1000).errno).toBe('EROFS');
  });
});

describe('umask(2)', () => {
  it('returns the previous mask and keeps only the permission bits', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'umask', 0o7077).ret).toBe(0o022);
    expect(s.call('alice', 'umask', 0o022).ret).toBe(0o077);
  });
});
