// Proves open(2)/openat(2)/close(2) follow fs/open.c and fs/namei.c: creation, O_EXCL, O_TRUNC,
// O_DIRECTORY, O_PATH, O_CLOEXEC, O_APPEND, devices and mounts, the lowest free descriptor.
import { describe, expect, it } from 'vitest';
import { fdEntry } from '../../../engine/kernel/vfs/fds.js';
import { sys, text, word } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0755 }
  file "/srv/f" "0123456789" { mode: 0644, owner: 1000 }
  file "/srv/locked" "secret" { mode: 0000, owner: 1000 }
  file "/srv/suid" "ELF" { mode: 04755, owner: 1000 }
  dir "/srv/shared" { mode: 02777, group: 50 }
  dir "/srv/closed" { mode: 0555, owner: 1000 }
  symlink "/srv/dangling" "/srv/created-through-link"
  dir "/ro"
  bind "/srv" "/ro" { readonly: on }
  dir "/nodev"
  bind "/dev" "/nodev" { nodev: on }
  device "/dev/mystery" { mode: 0666 }
`;
const PROCS = 'process root { uid: 0 }\nprocess alice { uid: 1000 }\nprocess bob { uid: 2000 }';

describe('O_CREAT (open(2))', () => {
  it('creates a missing file with mode & ~umask, owned by the fsuid and fsgid', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/tmp/new'), 'O_WRONLY|O_CREAT', 0o666).ret).toBe(3);
    expect(s.call('alice', 'stat', text('/tmp/new')).detail).toMatchObject({ mode: 0o100644, uid: 1000, gid: 1000, nlink: 1, size: 0 });
    expect(s.call('alice', 'umask', 0).ret).toBe(0o022);
    expect(s.call('alice', 'openat', -100, text('/tmp/new2'), 'O_WRONLY|O_CREAT', 0o4777).ret).toBe(4);
    expect(s.call('alice', 'stat', text('/tmp/new2')).detail!.mode).toBe(0o104777);
  });

  it('takes a set-group-ID directory\'s group', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/shared/x'), 'O_WRONLY|O_CREAT', 0o640).ret).toBe(3);
    expect(s.call('alice', 'stat', text('/srv/shared/x')).detail).toMatchObject({ uid: 1000, gid: 50 });
  });

  it('does not check the new file against its own mode: a file created 0000 opens for writing', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/tmp/zero'), 'O_RDWR|O_CREAT', 0).ret).toBe(3);
    expect(s.call('alice', 'write', 3, text('ok'), 2).ret).toBe(2);
    expect(s.call('alice', 'openat', -100, text('/tmp/zero'), 'O_RDWR').errno).toBe('EACCES');
  });

  it('needs write and search permission on the directory only when it creates (EACCES)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('bob', 'openat', -100, text('/srv/closed/x'), 'O_WRONLY|O_CREAT', 0o644).errno).toBe('EACCES');
    expect(s.call('bob', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_CREAT', 0o644).ret).toBe(3);
  });

  it('is EROFS on a read-only mount, but opens an existing file there for reading', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/ro/x'), 'O_WRONLY|O_CREAT', 0o644).errno).toBe('EROFS');
    expect(s.call('alice', 'openat', -100, text('/ro/f'), 'O_RDONLY|O_CREAT', 0o644).ret).toBe(3);
    expect(s.call('alice', 'openat', -100, text('/ro/f'), 'O_WRONLY').errno).toBe('EROFS');
    expect(s.call('bob', 'openat', -100, text('/ro/f'), 'O_WRONLY').errno).toBe('EACCES'); // permission is checked first
  });

  it('with O_EXCL fails on any existing name, a dangling symbolic link included (EEXIST)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_WRONLY|O_CREAT|O_EXCL', 0o644).errno).toBe('EEXIST');
    expect(s.call('root', 'openat', -100, text('/srv/dangling'), 'O_WRONLY|O_CREAT|O_EXCL', 0o644).errno).toBe('EEXIST');
  });

  it('without O_EXCL follows a dangling link and creates its target', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'openat', -100, text('/srv/dangling'), 'O_WRONLY|O_CREAT', 0o600).ret).toBe(3);
    expect(s.call('root', 'lstat', text('/srv/created-through-link')).detail!.kind).toBe('file');
  });

  it('refuses a directory and a trailing slash (EISDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv'), 'O_RDONLY|O_CREAT', 0o644).errno).toBe('EISDIR');
    expect(s.call('alice', 'openat', -100, text('/tmp/dir/'), 'O_RDONLY|O_CREAT', 0o644).errno).toBe('EISDIR');
  });
});

describe('the access mode and the file\'s kind (open(2))', () => {
  it('asks for write permission for O_TRUNC even with O_RDONLY, and empties the file', () => {
    const s = sys(FS, PROCS);
    expect(s.call('bob', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_TRUNC').errno).toBe('EACCES');
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_TRUNC').ret).toBe(3);
    expect(s.call('alice', 'stat', text('/srv/f')).detail!.size).toBe(0);
  });

  it('O_TRUNC by a writer without CAP_FSETID clears set-user-ID (fs/open.c do_truncate)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/suid'), 'O_WRONLY|O_TRUNC').ret).toBe(3);
    expect(s.call('alice', 'stat', text('/srv/suid')).detail!.mode).toBe(0o100755);
  });

  it('opens directories only for reading (EISDIR) and O_DIRECTORY only directories (ENOTDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'openat', -100, text('/srv'), 'O_RDWR').errno).toBe('EISDIR');
    expect(s.call('root', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_DIRECTORY').errno).toBe('ENOTDIR');
    expect(s.call('root', 'openat', -100, text('/srv'), 'O_RDONLY|O_DIRECTORY').ret).toBe(3);
  });

  it('O_PATH asks for no permission and gives a descriptor usable only as a place', () => {
    const s = sys(FS, PROCS);
    expect(s.call('bob', 'openat', -100, text('/srv/locked'), 'O_PATH').ret).toBe(3);
    expect(s.call('bob', 'read', 3, word('buf'), 4).errno).toBe('EBADF');
    expect(s.call('bob', 'fstat', 3).detail!.mode).toBe(0o100000);
    expect(s.call('bob', 'openat', -100, text('/srv/dangling'), 'O_PATH|O_NOFOLLOW').ret).toBe(4);
    expect(s.call('bob', 'fstat', 4).detail!.kind).toBe('symlink');
  });

  it('refuses a device on a nodev mount (EACCES) and one with no driver (ENXIO); /dev/null swallows writes', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/nodev/null'), 'O_RDWR').errno).toBe('EACCES');
    expect(s.call('alice', 'openat', -100, text('/dev/mystery'), 'O_RDWR').errno).toBe('ENXIO');
    expect(s.call('alice', 'openat', -100, text('/dev/null'), 'O_RDWR').ret).toBe(3);
    expect(s.call('alice', 'write', 3, text('gone'), 4).ret).toBe(4);
    expect(s.call('alice', 'read', 3, word('buf'), 4)).toMatchObject({ ret: 0, text: '' });
  });

  it('writes at the end with O_APPEND, whatever the offset', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_WRONLY|O_APPEND').ret).toBe(3);
    expect(s.call('alice', 'write', 3, text('AB'), 2).ret).toBe(2);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(4);
    expect(s.call('alice', 'read', 4, word('buf'), 20).text).toBe('0123456789AB');
  });
});

describe('descriptors (open(2), close(2))', () => {
  it('hands out the lowest free number and marks O_CLOEXEC on the descriptor', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_CLOEXEC').ret).toBe(4);
    expect(fdEntry(s.process('alice'), 4)!.cloexec).toBe(true);
    expect(s.call('alice', 'close', 3).ret).toBe(0);
    expect(s.call('alice', 'close', 3).errno).toBe('EBADF');
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
  });

  it('is EMFILE when every descriptor below RLIMIT_NOFILE (1024) is taken, before looking at the path', () => {
    const s = sys(FS, PROCS);
    const alice = s.process('alice');
    const full = Array.from({ length: 1024 }, (_, fd) => ({ fd, file: alice.fds[0]!.file, cloexec: false }));
    s.state = { ...s.state, kernel: { ...s.state.kernel, processes: { ...s.state.kernel.processes, byId: { ...s.state.kernel.processes.byId, [alice.pid]: { ...alice, fds: full } } } } };
    expect(s.call('alice', 'openat', -100, text('/nowhere'), 'O_RDONLY').errno).toBe('EMFILE');
  });

  it('keeps the description alive while a copy refers to it, freeing it with the last one', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    const file = fdEntry(s.process('alice'), 3)!.file;
    expect(s.call('alice', 'dup', 3).ret).toBe(4);
    expect(s.state.kernel.files.byId[file]!.refs).toBe(2);
    s.call('alice', 'close', 3);
    expect(s.state.kernel.files.byId[file]!.refs).toBe(1);
    s.call('alice', 'close', 4);
    expect(s.state.kernel.files.byId[file]).toBeUndefined();
  });
});
