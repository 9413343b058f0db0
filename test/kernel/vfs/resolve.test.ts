// Proves path resolution follows path_resolution(7) and fs/namei.c: where a walk starts, ".", "..",
// mounts, symbolic links and their limit, search permission, and the errors of each step.
import { describe, expect, it } from 'vitest';
import { resolvePath } from '../../../engine/kernel/vfs/resolve.js';
import { sys, text, word } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0755 }
  dir "/srv/a" { mode: 0755 }
  dir "/srv/a/b" { mode: 0755 }
  file "/srv/a/b/f" "deep" { mode: 0644 }
  file "/srv/file" "plain" { mode: 0644 }
  symlink "/srv/abs" "/etc"
  symlink "/srv/rel" "a/b"
  symlink "/srv/loop" "loop"
  symlink "/srv/dangling" "/nowhere"
  symlink "/srv/dirlink" "a"
  dir "/srv/m" { mode: 0755 }
  mount tmpfs "/srv/m"
  dir "/private" { mode: 0700, owner: 1000 }
  file "/private/key" "k" { mode: 0644, owner: 1000 }
`;
const PROCS = `process root { uid: 0 }\nprocess alice { uid: 1000 }\nprocess bob { uid: 2000, cwd: "/srv/a" }`;

function inoOf(s: ReturnType<typeof sys>, who: string, path: string): number | string {
  const result = s.call(who, 'stat', text(path));
  return result.errno ?? (result.detail!.ino as number);
}

describe('where a walk starts (path_resolution(7), "Step 1")', () => {
  it('starts an absolute path at the process root and a relative one at its cwd', () => {
    const s = sys(FS, PROCS);
    expect(inoOf(s, 'bob', 'b/f')).toBe(inoOf(s, 'bob', '/srv/a/b/f'));
    expect(inoOf(s, 'bob', 'f')).toBe('ENOENT');
  });

  it('starts at a dirfd\'s directory, and ignores the dirfd for an absolute path (openat(2))', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/a'), 'O_RDONLY|O_DIRECTORY').ret).toBe(3);
    expect(s.call('alice', 'openat', 3, text('b/f'), 'O_RDONLY').ret).toBe(4);
    expect(s.call('alice', 'read', 4, word('buf'), 10).text).toBe('deep');
    expect(s.call('alice', 'openat', 99, text('/srv/file'), 'O_RDONLY').ret).toBe(5);
  });

  it('refuses a closed dirfd (EBADF) and a dirfd that is not a directory (ENOTDIR)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', 42, text('x'), 'O_RDONLY').errno).toBe('EBADF');
    expect(s.call('alice', 'openat', -100, text('/srv/file'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('alice', 'openat', 3, text('x'), 'O_RDONLY').errno).toBe('ENOTDIR');
  });

  it('refuses the empty path (ENOENT) and a path of PATH_MAX bytes or more (ENAMETOOLONG)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'stat', text('')).errno).toBe('ENOENT');
    expect(s.call('alice', 'stat', text('/' + 'a/'.repeat(2047) + 'b')).errno).toBe('ENAMETOOLONG');
    expect('/' + 'a/'.repeat(2046) + 'bc').toHaveLength(4095);
    expect(s.call('alice', 'stat', text('/' + 'a/'.repeat(2046) + 'bc')).errno).toBe('ENOENT');
  });
});

describe('each name (path_resolution(7), "Step 2")', () => {
  it('"." stays and ".." goes up; "/.." is "/"', () => {
    const s = sys(FS, PROCS);
    expect(inoOf(s, 'alice', '/srv/a/./b/../b/f')).toBe(inoOf(s, 'alice', '/srv/a/b/f'));
    expect(inoOf(s, 'alice', '/..')).toBe(inoOf(s, 'alice', '/'));
    expect(inoOf(s, 'alice', '/../../..')).toBe(inoOf(s, 'alice', '/'));
  });

  it('a name that is not there is ENOENT; a file used as a directory is ENOTDIR', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'stat', text('/srv/nope/x')).errno).toBe('ENOENT');
    expect(s.call('alice', 'stat', text('/srv/file/x')).errno).toBe('ENOTDIR');
  });

  it('a name longer than NAME_MAX (255 bytes) is ENAMETOOLONG; 255 bytes is only missing', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'stat', text('/srv/' + 'n'.repeat(256))).errno).toBe('ENAMETOOLONG');
    expect(s.call('alice', 'stat', text('/srv/' + 'n'.repeat(255))).errno).toBe('ENOENT');
  });

  it('needs search permission on every directory walked, the last name\'s and "."\'s included (EACCES)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('bob', 'stat', text('/private/key')).errno).toBe('EACCES');
    expect(s.call('alice', 'stat', text('/private/key')).errno).toBeNull();
    expect(s.call('bob', 'stat', text('/private')).errno).toBeNull(); // the last name needs nothing of itself
    expect(s.call('alice', 'chdir', text('/private')).ret).toBe(0);
    expect(s.call('alice', 'chmod', text('.'), 0o600).ret).toBe(0);
    expect(s.call('alice', 'stat', text('.')).errno).toBe('EACCES');
    expect(s.call('root', 'stat', text('/private/key')).errno).toBeNull(); // CAP_DAC_READ_SEARCH
  });

  it('a trailing slash demands a directory and follows a final symbolic link', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'stat', text('/srv/file/')).errno).toBe('ENOTDIR');
    expect(s.call('alice', 'lstat', text('/srv/dirlink')).detail!.kind).toBe('symlink');
    expect(s.call('alice', 'lstat', text('/srv/dirlink/')).detail!.kind).toBe('dir');
  });
});

describe('mounts (path_resolution(7), "Mount points")', () => {
  it('crosses into a mount and, with "..", back out to the mountpoint\'s parent', () => {
    const s = sys(FS, PROCS);
    const mountRoot = s.call('alice', 'stat', text('/srv/m')).detail!;
    expect(mountRoot.mode).toBe(0o41777); // a fresh tmpfs root, not the directory under it
    expect(inoOf(s, 'alice', '/srv/m/..')).toBe(inoOf(s, 'alice', '/srv'));
    expect(s.call('root', 'mkdir', text('/srv/m/inside'), 0o755).ret).toBe(0);
    expect(s.call('root', 'umount2', text('/srv/m'), 0).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/m/inside')).errno).toBe('ENOENT');
  });
});

describe('symbolic links (path_resolution(7), symlink(7))', () => {
  it('follows a link in the middle of a path, absolute targets from the root, relative ones from the link\'s directory', () => {
    const s = sys(FS, PROCS);
    expect(inoOf(s, 'alice', '/srv/abs/passwd')).toBe(inoOf(s, 'alice', '/etc/passwd'));
    expect(inoOf(s, 'alice', '/srv/rel/f')).toBe(inoOf(s, 'alice', '/srv/a/b/f'));
  });

  it('an absolute target restarts at the process\'s root, not the real one', () => {
    const s = sys(`${FS}\n  dir "/jail"\n  dir "/jail/etc"\n  file "/jail/etc/passwd" "jailed"\n  symlink "/jail/link" "/etc/passwd"`, PROCS);
    expect(s.call('root', 'chroot', text('/jail')).ret).toBe(0);
    expect(s.call('root', 'openat', -100, text('/link'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('root', 'read', 3, word('buf'), 10).text).toBe('jailed');
  });

  it('stat follows a final link, lstat does not; a dangling link is ENOENT for stat only', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'stat', text('/srv/dangling')).errno).toBe('ENOENT');
    expect(s.call('alice', 'lstat', text('/srv/dangling')).detail!.kind).toBe('symlink');
  });

  it('gives ELOOP past 40 links in one resolution (MAXSYMLINKS), and for a link to itself', () => {
    const chain = Array.from({ length: 41 }, (_, i) => `  symlink "/srv/l${i}" "${i === 0 ? '/srv/file' : `l${i - 1}`}"`).join('\n');
    const s = sys(`${FS}\n${chain}`, PROCS);
    expect(s.call('alice', 'stat', text('/srv/l39')).errno).toBeNull(); // 40 links
    expect(s.call('alice', 'stat', text('/srv/l40')).errno).toBe('ELOOP'); // 41
    expect(s.call('alice', 'stat', text('/srv/loop')).errno).toBe('ELOOP');
    expect(s.call('alice', 'lstat', text('/srv/loop')).errno).toBeNull();
  });

  it('O_NOFOLLOW refuses a final link with ELOOP but still follows links before it (open(2))', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'openat', -100, text('/srv/abs'), 'O_RDONLY|O_NOFOLLOW').errno).toBe('ELOOP');
    expect(s.call('alice', 'openat', -100, text('/srv/abs/passwd'), 'O_RDONLY|O_NOFOLLOW').ret).toBe(3);
  });
});

describe('".." and the process root (chroot(2), path_resolution(7))', () => {
  it('stops at the root of a chrooted process', () => {
    const s = sys(`${FS}\n  dir "/jail"\n  dir "/jail/etc"`, `process root { uid: 0, cwd: "/jail" }`);
    expect(s.call('root', 'chroot', text('/jail')).ret).toBe(0);
    expect(s.call('root', 'chdir', text('../../../etc')).ret).toBe(0);
    expect(s.cwdOf('root')).toBe('/jail/etc');
  });

  it('does not stop a walk that does not pass through the root: cwd outside the root climbs to "/"', () => {
    const s = sys(`${FS}\n  dir "/jail"`, `process root { uid: 0, cwd: "/srv/a/b" }`);
    expect(s.call('root', 'chroot', text('/jail')).ret).toBe(0);
    expect(s.call('root', 'chdir', text('../../../../..')).ret).toBe(0);
    expect(s.cwdOf('root')).toBe('/');
  });

  it('refuses to climb out of a bind mount a directory was renamed out of (path_connected: ENOENT)', () => {
    const s = sys(`${FS}\n  dir "/srv/a/sub"\n  dir "/mnt/view"\n  bind "/srv/a" "/mnt/view"`, `process root { uid: 0 }`);
    expect(s.call('root', 'chdir', text('/mnt/view/sub')).ret).toBe(0);
    expect(s.call('root', 'rename', text('/srv/a/sub'), text('/srv/moved')).ret).toBe(0);
    expect(s.call('root', 'chdir', text('..')).errno).toBe('ENOENT');
  });

  it('keeps what it records: the directories the walk stood in', () => {
    const s = sys(FS, PROCS);
    const found = resolvePath(s.state, s.process('alice'), '/srv/rel/f', { follow: true });
    expect(found.ok).toBe(true);
    const names = found.visited.map((place) => s.state.vfs.inodes[place.ino]!.ino);
    expect(names).toContain(s.place('/srv/a/b').ino);
    expect(names).not.toContain(s.place('/srv/a/b/f').ino);
  });
});
