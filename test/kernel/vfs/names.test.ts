// Proves the name calls follow their man pages and fs/namei.c: mkdir(2), rmdir(2), unlink(2) with the
// sticky rule, symlink(2), link(2), rename(2) and readlink(2), with their link counts and errors.
import { describe, expect, it } from 'vitest';
import { sys, text, word } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0755, owner: 1000 }
  file "/srv/f" "data" { mode: 0644, owner: 1000 }
  dir "/srv/full" { mode: 0755, owner: 1000 }
  file "/srv/full/x" "" { mode: 0644, owner: 1000 }
  dir "/srv/empty" { mode: 0755, owner: 1000 }
  symlink "/srv/link" "f"
  file "/tmp/bobs" "b" { mode: 0666, owner: 2000 }
  dir "/tmp/carols" { mode: 01777, owner: 3000 }
  file "/tmp/carols/bobs" "b" { mode: 0666, owner: 2000 }
  dir "/view"
  bind "/srv" "/view"
  dir "/srv/mnt"
  mount tmpfs "/srv/mnt"
`;
const PROCS = 'process root { uid: 0 }\nprocess alice { uid: 1000 }\nprocess bob { uid: 2000 }\nprocess carol { uid: 3000 }';

describe('mkdir(2)', () => {
  it('makes a directory with mode & ~umask, and links the parent\'s nlink', () => {
    const s = sys(FS, PROCS);
    const before = s.call('alice', 'stat', text('/srv')).detail!.nlink as number;
    expect(s.call('alice', 'mkdir', text('/srv/new/'), 0o777).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/new')).detail).toMatchObject({ mode: 0o40755, nlink: 2, uid: 1000 });
    expect(s.call('alice', 'stat', text('/srv')).detail!.nlink).toBe(before + 1);
  });

  it('refuses an existing name (EEXIST), "." and "/" (EEXIST), a missing parent (ENOENT), no write permission (EACCES)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'mkdir', text('/srv/f'), 0o755).errno).toBe('EEXIST');
    expect(s.call('alice', 'mkdir', text('/'), 0o755).errno).toBe('EEXIST');
    expect(s.call('alice', 'mkdir', text('/srv/.'), 0o755).errno).toBe('EEXIST');
    expect(s.call('alice', 'mkdir', text('/srv/no/dir'), 0o755).errno).toBe('ENOENT');
    expect(s.call('bob', 'mkdir', text('/srv/bobs'), 0o755).errno).toBe('EACCES');
  });
});

describe('rmdir(2)', () => {
  it('removes an empty directory; refuses a full one (ENOTEMPTY), "." (EINVAL), ".." (ENOTEMPTY), a file (ENOTDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'rmdir', text('/srv/full')).errno).toBe('ENOTEMPTY');
    expect(s.call('alice', 'rmdir', text('/srv/empty/.')).errno).toBe('EINVAL');
    expect(s.call('alice', 'rmdir', text('/srv/empty/..')).errno).toBe('ENOTEMPTY');
    expect(s.call('alice', 'rmdir', text('/srv/f')).errno).toBe('ENOTDIR');
    expect(s.call('alice', 'rmdir', text('/srv/empty')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/empty')).errno).toBe('ENOENT');
  });

  it('refuses a mount point (EBUSY) and the root (EBUSY)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'rmdir', text('/srv/mnt')).errno).toBe('EBUSY');
    expect(s.call('root', 'rmdir', text('/')).errno).toBe('EBUSY');
  });

  it('leaves a process standing in a removed directory, which then takes no new names (ENOENT)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'chdir', text('/srv/empty')).ret).toBe(0);
    expect(s.call('alice', 'rmdir', text('/srv/empty')).ret).toBe(0);
    expect(s.call('alice', 'getcwd').errno).toBe('ENOENT');
    expect(s.call('alice', 'openat', -100, text('new'), 'O_CREAT|O_WRONLY', 0o644).errno).toBe('ENOENT');
  });
});

describe('unlink(2)', () => {
  it('removes a name and drops the link count; refuses a directory (EISDIR) and a trailing slash (ENOTDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'link', text('/srv/f'), text('/srv/g')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.nlink).toBe(2);
    expect(s.call('alice', 'unlink', text('/srv/g')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.nlink).toBe(1);
    expect(s.call('alice', 'unlink', text('/srv/empty')).errno).toBe('EISDIR');
    expect(s.call('alice', 'unlink', text('/srv/f/')).errno).toBe('ENOTDIR');
  });

  it('in a sticky directory lets only the file\'s owner, the directory\'s owner or CAP_FOWNER remove (EPERM)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'unlink', text('/tmp/bobs')).errno).toBe('EPERM');
    expect(s.call('alice', 'unlink', text('/tmp/carols/bobs')).errno).toBe('EPERM');
    expect(s.call('carol', 'unlink', text('/tmp/carols/bobs')).ret).toBe(0);
    expect(s.call('bob', 'unlink', text('/tmp/bobs')).ret).toBe(0);
  });

  it('removes a name whose file is still open: the open description keeps working', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'unlink', text('/srv/f')).ret).toBe(0);
    expect(s.call('alice', 'read', 3, word('buf'), 10).text).toBe('data');
    expect(s.call('alice', 'fstat', 3).detail!.nlink).toBe(0);
  });
});

describe('symlink(2), link(2), readlink(2)', () => {
  it('makes a symbolic link whose target is not checked; refuses an empty target (ENOENT)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'symlink', text('/no/such/place'), text('/srv/s')).ret).toBe(0);
    expect(s.call('alice', 'readlink', text('/srv/s'), word('buf'), 64).text).toBe('/no/such/place');
    expect(s.call('alice', 'readlink', text('/srv/s'), word('buf'), 3)).toMatchObject({ ret: 3, text: '/no' });
    expect(s.call('alice', 'symlink', text(''), text('/srv/t')).errno).toBe('ENOENT');
    expect(s.call('alice', 'symlink', text('x'), text('/srv/f')).errno).toBe('EEXIST');
  });

  it('readlink refuses what is not a link (EINVAL) and a size of 0 (EINVAL)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'readlink', text('/srv/f'), word('buf'), 64).errno).toBe('EINVAL');
    expect(s.call('alice', 'readlink', text('/srv/link'), word('buf'), 0).errno).toBe('EINVAL');
  });

  it('link does not follow a symbolic link, refuses directories (EPERM) and crossing mounts, a bind mount too (EXDEV)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'link', text('/srv/link'), text('/srv/link2')).ret).toBe(0);
    expect(s.call('alice', 'lstat', text('/srv/link2')).detail).toMatchObject({ kind: 'symlink', nlink: 2 });
    expect(s.call('alice', 'link', text('/srv/empty'), text('/srv/e2')).errno).toBe('EPERM');
    expect(s.call('alice', 'link', text('/srv/f'), text('/view/f2')).errno).toBe('EXDEV');
  });
});

describe('rename(2)', () => {
  it('moves a name, a directory\'s link counts with it', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'rename', text('/srv/empty'), text('/srv/full/moved')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/full/moved')).detail!.kind).toBe('dir');
    expect(s.call('alice', 'stat', text('/srv/full')).detail!.nlink).toBe(3);
  });

  it('replaces a file, refuses a directory onto a file (ENOTDIR), a file onto a directory (EISDIR), a full directory (ENOTEMPTY)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'rename', text('/srv/empty'), text('/srv/f')).errno).toBe('ENOTDIR');
    expect(s.call('alice', 'rename', text('/srv/f'), text('/srv/empty')).errno).toBe('EISDIR');
    expect(s.call('alice', 'mkdir', text('/srv/e2'), 0o755).ret).toBe(0);
    expect(s.call('alice', 'rename', text('/srv/e2'), text('/srv/full')).errno).toBe('ENOTEMPTY');
    expect(s.call('alice', 'rename', text('/srv/full/x'), text('/srv/f')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.size).toBe(0);
  });

  it('refuses moving a directory into itself (EINVAL) and across mounts (EXDEV); two names of one inode is a no-op', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'rename', text('/srv/full'), text('/srv/full/inner')).errno).toBe('EINVAL');
    expect(s.call('alice', 'rename', text('/srv/f'), text('/view/f')).errno).toBe('EXDEV');
    expect(s.call('alice', 'link', text('/srv/f'), text('/srv/g')).ret).toBe(0);
    expect(s.call('alice', 'rename', text('/srv/f'), text('/srv/g')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.nlink).toBe(2);
  });

  it('keeps the sticky rule (EPERM) and needs write permission on a directory it moves to another parent (EACCES)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'rename', text('/tmp/bobs'), text('/tmp/mine')).errno).toBe('EPERM');
    expect(s.call('root', 'mkdir', text('/tmp/a'), 0o777).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/tmp/a/sub'), 0o555).ret).toBe(0);
    expect(s.call('root', 'chmod', text('/tmp/a'), 0o777).ret).toBe(0);
    expect(s.call('root', 'chown', text('/tmp/a/sub'), 1000, 1000).ret).toBe(0);
    expect(s.call('alice', 'rename', text('/tmp/a/sub'), text('/tmp/sub')).errno).toBe('EACCES');
  });
});
