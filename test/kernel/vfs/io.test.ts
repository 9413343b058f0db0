// Proves reading and writing follow read(2), write(2), lseek(2), getdents64(2), pipe(7) and dup(2):
// shared offsets, privilege bits cleared by writes, directory records, pipes and socket pairs with
// their end-of-file, EPIPE and EAGAIN, descriptor copies and their close-on-exec flag.
import { describe, expect, it } from 'vitest';
import { fdEntry } from '../../../engine/kernel/vfs/fds.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { sys, text, word } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0777 }
  file "/srv/f" "0123456789" { mode: 0666, owner: 1000 }
  file "/srv/suid" "ELF" { mode: 06775, owner: 1000, group: 1000 }
  file "/srv/ping" "ELF" { mode: 0777, caps: CAP_NET_RAW, effective: on }
  dir "/srv/d"
  file "/srv/d/b" ""
  file "/srv/d/a" ""
  symlink "/srv/d/c" "a"
`;
const PROCS = 'process root { uid: 0 }\nprocess alice { uid: 1000 }';

describe('read(2), write(2), lseek(2)', () => {
  it('reads and writes at an offset that dup\'d descriptors share', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDWR').ret).toBe(3);
    expect(s.call('alice', 'dup', 3).ret).toBe(4);
    expect(s.call('alice', 'read', 3, word('buf'), 4).text).toBe('0123');
    expect(s.call('alice', 'read', 4, word('buf'), 4).text).toBe('4567');
    expect(s.call('alice', 'write', 3, text('XY'), 2).ret).toBe(2);
    expect(s.call('alice', 'lseek', 4, 0, 'SEEK_CUR').ret).toBe(10);
    expect(s.call('alice', 'read', 3, word('buf'), 4)).toMatchObject({ ret: 0, text: '' });
  });

  it('refuses a descriptor not open for the access (EBADF) and a directory (EISDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'write', 3, text('x'), 1).errno).toBe('EBADF');
    expect(s.call('alice', 'openat', -100, text('/srv/d'), 'O_RDONLY').ret).toBe(4);
    expect(s.call('alice', 'read', 4, word('buf'), 1).errno).toBe('EISDIR');
  });

  it('writing past the end leaves a hole of zeros', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDWR').ret).toBe(3);
    expect(s.call('alice', 'lseek', 3, 12, 'SEEK_SET').ret).toBe(12);
    expect(s.call('alice', 'write', 3, text('!'), 1).ret).toBe(1);
    expect(s.call('alice', 'lseek', 3, 0, 'SEEK_SET').ret).toBe(0);
    expect(s.call('alice', 'read', 3, word('buf'), 20).text).toBe('0123456789\0\0!');
  });

  it('lseek: SEEK_END from the size, EINVAL for a negative result or bad whence, ENXIO past the data, ESPIPE on a pipe', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'lseek', 3, -2, 'SEEK_END').ret).toBe(8);
    expect(s.call('alice', 'lseek', 3, -20, 'SEEK_CUR').errno).toBe('EINVAL');
    expect(s.call('alice', 'lseek', 3, 0, 9).errno).toBe('EINVAL');
    expect(s.call('alice', 'lseek', 3, 4, 3).ret).toBe(4); // SEEK_DATA
    expect(s.call('alice', 'lseek', 3, 4, 4).ret).toBe(10); // SEEK_HOLE: the end
    expect(s.call('alice', 'lseek', 3, 10, 3).errno).toBe('ENXIO');
    expect(s.call('alice', 'pipe').ret).toBe(0);
    expect(s.call('alice', 'lseek', 4, 0, 'SEEK_SET').errno).toBe('ESPIPE');
    expect(s.call('alice', 'lseek', 1, 0, 'SEEK_SET').errno).toBe('ESPIPE');
  });

  it('a write by a process without CAP_FSETID clears S_ISUID and group-executable S_ISGID; any write drops file capabilities', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/suid'), 'O_WRONLY').ret).toBe(3);
    expect(s.call('alice', 'write', 3, text('x'), 1).ret).toBe(1);
    expect(s.call('alice', 'stat', text('/srv/suid')).detail!.mode).toBe(0o100775);
    expect(s.call('root', 'openat', -100, text('/srv/ping'), 'O_WRONLY').ret).toBe(3);
    expect(s.call('root', 'write', 3, text('x'), 1).ret).toBe(1);
    expect(s.state.vfs.inodes[s.place('/srv/ping').ino]!.fileCaps).toBeNull();
    expect(s.call('root', 'stat', text('/srv/ping')).detail!.mode).toBe(0o100777);
  });

  it('writes to the console keep going to the run\'s output; a read finds no input (EAGAIN)', () => {
    const result = runText(`scenario "console"\nprocess alice { uid: 1000 }\nalice: syscall write(1, "hi\\n", 3) expect returns 3, prints "hi\\n"\nalice: syscall read(0, buf, 8) expect errno EAGAIN\n`);
    expect(failuresOf(result)).toEqual([]);
  });
});

/** The names and d_type of linux_dirent64 records. */
function records(bytes: string): { name: string; type: number; reclen: number }[] {
  const data = Buffer.from(bytes, 'latin1');
  const out: { name: string; type: number; reclen: number }[] = [];
  for (let at = 0; at < data.length; ) {
    const reclen = data.readUInt16LE(at + 16);
    const name = data.subarray(at + 19, at + reclen).toString('latin1').replace(/\0+$/, '');
    out.push({ name, type: data[at + 18]!, reclen });
    at += reclen;
  }
  return out;
}

describe('getdents64(2)', () => {
  it('lists ".", ".." and the entries in name order as 8-byte aligned linux_dirent64 records', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/d'), 'O_RDONLY|O_DIRECTORY').ret).toBe(3);
    const listing = s.call('alice', 'getdents64', 3, word('buf'), 4096);
    expect(listing.detail).toEqual({ names: ['.', '..', 'a', 'b', 'c'] });
    const parsed = records(listing.text!);
    expect(parsed.map((r) => [r.name, r.type])).toEqual([['.', 4], ['..', 4], ['a', 8], ['b', 8], ['c', 10]]);
    expect(parsed.every((r) => r.reclen % 8 === 0)).toBe(true);
    expect(listing.ret).toBe(parsed.reduce((sum, r) => sum + r.reclen, 0));
    expect(s.call('alice', 'getdents64', 3, word('buf'), 4096).ret).toBe(0);
  });

  it('continues where the last call stopped, and refuses a buffer too small for one record (EINVAL)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/d'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'getdents64', 3, word('buf'), 10).errno).toBe('EINVAL');
    expect(s.call('alice', 'getdents64', 3, word('buf'), 48).detail).toEqual({ names: ['.', '..'] });
    expect(s.call('alice', 'getdents64', 3, word('buf'), 4096).detail).toEqual({ names: ['a', 'b', 'c'] });
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(4);
    expect(s.call('alice', 'getdents64', 4, word('buf'), 4096).errno).toBe('ENOTDIR');
  });
});

describe('pipes (pipe(2), pipe(7))', () => {
  it('carries bytes in order from the write end to the read end; the descriptors are the two lowest free ones', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'pipe').detail).toEqual({ fds: [3, 4] });
    expect(s.call('alice', 'write', 4, text('abc'), 3).ret).toBe(3);
    expect(s.call('alice', 'write', 4, text('de'), 2).ret).toBe(2);
    expect(s.call('alice', 'read', 3, word('buf'), 4).text).toBe('abcd');
    expect(s.call('alice', 'read', 3, word('buf'), 4).text).toBe('e');
    expect(s.call('alice', 'read', 4, word('buf'), 1).errno).toBe('EBADF');
  });

  it('an empty pipe with a writer would block (EAGAIN); with none, end of file (0)', () => {
    const s = sys(FS, PROCS);
    s.call('alice', 'pipe');
    expect(s.call('alice', 'read', 3, word('buf'), 4).errno).toBe('EAGAIN');
    expect(s.call('alice', 'close', 4).ret).toBe(0);
    expect(s.call('alice', 'read', 3, word('buf'), 4)).toMatchObject({ ret: 0, errno: null });
  });

  it('writing with no reader left is EPIPE', () => {
    const s = sys(FS, PROCS);
    s.call('alice', 'pipe');
    expect(s.call('alice', 'close', 3).ret).toBe(0);
    expect(s.call('alice', 'write', 4, text('x'), 1).errno).toBe('EPIPE');
  });

  it('holds 65536 bytes: a big write goes in part, a write of at most PIPE_BUF whole or not at all', () => {
    const s = sys(FS, PROCS);
    s.call('alice', 'pipe');
    expect(s.call('alice', 'write', 4, text('x'.repeat(65000)), 65000).ret).toBe(65000);
    expect(s.call('alice', 'write', 4, text('y'.repeat(1000)), 1000).errno).toBe('EAGAIN');
    expect(s.call('alice', 'write', 4, text('z'.repeat(5000)), 5000).ret).toBe(536);
  });

  it('pipe2 takes O_CLOEXEC and O_NONBLOCK and nothing else (EINVAL)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'pipe2', word('buf'), 'O_CLOEXEC|O_NONBLOCK').ret).toBe(0);
    expect(fdEntry(s.process('alice'), 3)!.cloexec).toBe(true);
    expect(s.call('alice', 'read', 3, word('buf'), 1).result).toMatchObject({ errno: 'EAGAIN', note: 'nothing to read yet (O_NONBLOCK)' });
    expect(s.call('alice', 'pipe2', word('buf'), 'O_TRUNC').errno).toBe('EINVAL');
  });

  it('stores the two descriptors at a user address, and is EFAULT for NULL', () => {
    const result = runText(`scenario "pipe"
process alice { uid: 1000 }
alice: map 0x400000 size 4 KiB rw user
alice: syscall pipe(0x400000) expect returns 0
alice: read 0x400000 size 4 expect value 3
alice: read 0x400004 size 4 expect value 4
alice: syscall pipe(NULL) expect errno EFAULT
`);
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('socket pairs (socketpair(2), unix(7))', () => {
  it('connects two sockets that each read what the other wrote', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'socketpair', 'AF_UNIX', 'SOCK_STREAM', 0).detail).toEqual({ fds: [3, 4] });
    expect(s.call('alice', 'write', 3, text('ping'), 4).ret).toBe(4);
    expect(s.call('alice', 'write', 4, text('pong'), 4).ret).toBe(4);
    expect(s.call('alice', 'read', 4, word('buf'), 8).text).toBe('ping');
    expect(s.call('alice', 'read', 3, word('buf'), 8).text).toBe('pong');
  });

  it('after one end closes the other reads end of file and writing is EPIPE', () => {
    const s = sys(FS, PROCS);
    s.call('alice', 'socketpair', 'AF_UNIX', 'SOCK_STREAM', 0);
    expect(s.call('alice', 'close', 4).ret).toBe(0);
    expect(s.call('alice', 'read', 3, word('buf'), 8)).toMatchObject({ ret: 0, errno: null });
    expect(s.call('alice', 'write', 3, text('x'), 1).errno).toBe('EPIPE');
  });

  it('exists only for AF_UNIX (EOPNOTSUPP for AF_INET, EAFNOSUPPORT for unknown families)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'socketpair', 'AF_INET', 'SOCK_STREAM', 0).errno).toBe('EOPNOTSUPP');
    expect(s.call('alice', 'socketpair', 77, 'SOCK_STREAM', 0).errno).toBe('EAFNOSUPPORT');
  });
});

describe('dup(2), dup2(2), dup3(2)', () => {
  it('dup2 closes what the target named, and dup2(fd, fd) only checks fd', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'dup2', 3, 1).ret).toBe(1);
    expect(s.call('alice', 'read', 1, word('buf'), 3).text).toBe('012');
    expect(s.call('alice', 'dup2', 3, 3).ret).toBe(3);
    expect(s.call('alice', 'dup2', 9, 9).errno).toBe('EBADF');
    expect(s.call('alice', 'dup2', 3, 1024).errno).toBe('EBADF');
  });

  it('copies are not close-on-exec unless dup3 says so; dup3 refuses equal descriptors and other flags (EINVAL)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_RDONLY|O_CLOEXEC').ret).toBe(3);
    expect(s.call('alice', 'dup', 3).ret).toBe(4);
    expect(fdEntry(s.process('alice'), 4)!.cloexec).toBe(false);
    expect(s.call('alice', 'dup3', 3, 7, 'O_CLOEXEC').ret).toBe(7);
    expect(fdEntry(s.process('alice'), 7)!.cloexec).toBe(true);
    expect(s.call('alice', 'dup3', 3, 3, 0).errno).toBe('EINVAL');
    expect(s.call('alice', 'dup3', 3, 8, 'O_TRUNC').errno).toBe('EINVAL');
  });
});
