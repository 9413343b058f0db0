// Proves the mount calls follow mount(2), umount(2), pivot_root(2) and fs/namespace.c: privilege,
// new and bind mounts and their flags, remounts, busy mounts and lazy unmounts, the pivot and its
// EBUSY/EINVAL rules, and /proc/self/mounts as each process sees the table.
import { describe, expect, it } from 'vitest';
import { sys, text, word } from './helpers.js';

const FS = `
  dir "/srv" { mode: 0755 }
  file "/srv/f" "data" { mode: 0666 }
  dir "/srv/sub"
  dir "/mnt/a"
  dir "/mnt/b"
  dir "/new"
  dir "/new/old"
  dir "/new/etc"
  dir "/new/proc"
  file "/new/etc/motd" "new root"
`;
const PROCS = 'process root { uid: 0 }\nprocess alice { uid: 1000 }';

function mounts(s: ReturnType<typeof sys>, who: string, path = '/proc/self/mounts'): string {
  const fd = s.call(who, 'openat', -100, text(path), 'O_RDONLY').ret;
  const content = s.call(who, 'read', fd, word('buf'), 4096).text!;
  s.call(who, 'close', fd);
  return content;
}

describe('mount(2)', () => {
  it('needs CAP_SYS_ADMIN (EPERM), after the target resolves (ENOENT first)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'mount', text('tmpfs'), text('/nowhere'), text('tmpfs'), 0).errno).toBe('ENOENT');
    expect(s.call('alice', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).errno).toBe('EPERM');
  });

  it('mounts a new tmpfs over a directory, hiding what was there; its options set the root', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/srv'), text('tmpfs'), 'MS_NOSUID|MS_NODEV', text('mode=0700,uid=1000')).ret).toBe(0);
    expect(s.call('alice', 'stat', text('/srv/f')).errno).toBe('ENOENT');
    expect(s.call('alice', 'stat', text('/srv')).detail).toMatchObject({ mode: 0o40700, uid: 1000 });
    expect(mounts(s, 'alice')).toContain('tmpfs /srv tmpfs rw,nosuid,nodev,relatime 0 0\n');
    expect(s.call('root', 'mount', text('x'), text('/mnt/a'), text('tmpfs'), 0, text('colour=blue')).errno).toBe('EINVAL');
    expect(s.call('root', 'mount', text('x'), text('/mnt/a'), text('ext9'), 0).errno).toBe('ENODEV');
    expect(s.call('root', 'mount', text('x'), text('/srv/f'), text('tmpfs'), 0).errno).toBe('ENOENT');
  });

  it('refuses proc on a place where proc is already mounted (EBUSY)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('proc'), text('/proc'), text('proc'), 0).errno).toBe('EBUSY');
    expect(s.call('root', 'mount', text('proc'), text('/mnt/a'), text('proc'), 0).ret).toBe(0);
  });

  it('a bind mount keeps its source mount\'s flags and ignores MS_RDONLY; MS_REMOUNT|MS_BIND makes it read-only', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('/srv'), text('/mnt/a'), text(''), 'MS_BIND|MS_RDONLY').ret).toBe(0);
    expect(s.call('alice', 'openat', -100, text('/mnt/a/f'), 'O_WRONLY').ret).toBe(3);
    expect(s.call('root', 'mount', text('none'), text('/mnt/a'), text(''), 'MS_REMOUNT|MS_BIND|MS_RDONLY').errno).toBe('EBUSY');
    expect(s.call('alice', 'close', 3).ret).toBe(0);
    expect(s.call('root', 'mount', text('none'), text('/mnt/a'), text(''), 'MS_REMOUNT|MS_BIND|MS_RDONLY').ret).toBe(0);
    expect(s.call('alice', 'openat', -100, text('/mnt/a/f'), 'O_WRONLY').errno).toBe('EROFS');
    expect(s.call('alice', 'openat', -100, text('/srv/f'), 'O_WRONLY').ret).toBe(3);
    expect(mounts(s, 'alice')).toContain('/dev/sda1 /mnt/a ext4 ro,relatime 0 0\n');
    expect(s.call('root', 'mount', text('none'), text('/mnt/a/sub'), text(''), 'MS_REMOUNT|MS_BIND|MS_RDONLY').errno).toBe('EINVAL');
  });

  it('MS_REC copies the mounts below the source; a plain bind does not', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/srv/sub'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/srv/sub/only-in-tmpfs'), 0o755).ret).toBe(0);
    expect(s.call('root', 'mount', text('/srv'), text('/mnt/a'), text(''), 'MS_BIND').ret).toBe(0);
    expect(s.call('root', 'mount', text('/srv'), text('/mnt/b'), text(''), 'MS_BIND|MS_REC').ret).toBe(0);
    expect(s.call('alice', 'stat', text('/mnt/a/sub/only-in-tmpfs')).errno).toBe('ENOENT');
    expect(s.call('alice', 'stat', text('/mnt/b/sub/only-in-tmpfs')).errno).toBeNull();
  });

  it('MS_MOVE moves a mount, not below itself (ELOOP)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/mnt/a/in'), 0o755).ret).toBe(0);
    expect(s.call('root', 'mount', text('/mnt/a'), text('/mnt/a/in'), text(''), 'MS_MOVE').errno).toBe('ELOOP');
    expect(s.call('root', 'mount', text('/mnt/a'), text('/mnt/b'), text(''), 'MS_MOVE').ret).toBe(0);
    expect(s.call('alice', 'stat', text('/mnt/b/in')).errno).toBeNull();
    expect(s.call('alice', 'stat', text('/mnt/a/in')).errno).toBe('ENOENT');
  });
});

describe('umount2(2)', () => {
  it('refuses what is not a mount\'s root (EINVAL) and a mount a process stands in or holds open (EBUSY)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'umount2', text('/srv'), 0).errno).toBe('EINVAL');
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('alice', 'chdir', text('/mnt/a')).ret).toBe(0);
    expect(s.call('root', 'umount2', text('/mnt/a'), 0).errno).toBe('EBUSY');
    expect(s.call('alice', 'chdir', text('/')).ret).toBe(0);
    expect(s.call('alice', 'openat', -100, text('/mnt/a'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('root', 'umount2', text('/mnt/a'), 0).errno).toBe('EBUSY');
    expect(s.call('alice', 'close', 3).ret).toBe(0);
    expect(s.call('alice', 'umount2', text('/mnt/a'), 0).errno).toBe('EPERM');
    expect(s.call('root', 'umount2', text('/mnt/a'), 0).ret).toBe(0);
    expect(s.call('root', 'umount2', text('/mnt/a'), 0).errno).toBe('EINVAL');
  });

  it('refuses a mount other mounts sit on (EBUSY); MNT_DETACH takes them all, leaving holders where they are', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/mnt/a/in'), 0o755).ret).toBe(0);
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a/in'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('alice', 'chdir', text('/mnt/a/in')).ret).toBe(0);
    expect(s.call('root', 'umount2', text('/mnt/a'), 0).errno).toBe('EBUSY');
    expect(s.call('root', 'umount2', text('/mnt/a'), 'MNT_DETACH').ret).toBe(0);
    expect(s.call('root', 'stat', text('/mnt/a/in')).errno).toBe('ENOENT');
    expect(s.call('alice', 'getcwd').text).toBe('(unreachable)/\0');
    expect(s.call('alice', 'mkdir', text('still-works'), 0o755).ret).toBe(0); // a detached mount still works for its holders
  });

  it('unmounting the mount of one\'s own root without MNT_DETACH remounts it read-only (do_umount_root)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'umount2', text('/'), 0).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/x'), 0o755).errno).toBe('EROFS');
  });
});

describe('pivot_root(2)', () => {
  it('needs CAP_SYS_ADMIN (EPERM), a mount point as new_root (EINVAL), not the root\'s mount (EBUSY)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('alice', 'pivot_root', text('/new'), text('/new/old')).errno).toBe('EPERM');
    expect(s.call('root', 'pivot_root', text('/new'), text('/new/old')).errno).toBe('EBUSY');
    expect(s.call('root', 'mount', text('/new'), text('/new'), text(''), 'MS_BIND').ret).toBe(0);
    expect(s.call('root', 'pivot_root', text('/new'), text('/srv')).errno).toBe('EBUSY');
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('root', 'pivot_root', text('/new'), text('/mnt/a')).errno).toBe('EINVAL'); // put_old not under new_root
    expect(s.call('root', 'pivot_root', text('/new/etc'), text('/new/old')).errno).toBe('EINVAL'); // not a mount point
  });

  it('refuses when the current root is not a mount\'s root (EINVAL): chroot into a directory is not enough', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/a'), text('tmpfs'), 0).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/mnt/a/jail'), 0o755).ret).toBe(0);
    expect(s.call('root', 'mkdir', text('/mnt/a/jail/nr'), 0o755).ret).toBe(0);
    expect(s.call('root', 'mount', text('/mnt/a/jail/nr'), text('/mnt/a/jail/nr'), text(''), 'MS_BIND').ret).toBe(0);
    expect(s.call('root', 'chroot', text('/mnt/a/jail')).ret).toBe(0);
    expect(s.call('root', 'pivot_root', text('/nr'), text('/nr')).result).toMatchObject({ errno: 'EINVAL', note: expect.stringContaining('current root is not the root of a mount') });
  });

  it('makes new_root the root, hangs the old root on put_old, moves processes standing at the old root', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('/new'), text('/new'), text(''), 'MS_BIND').ret).toBe(0);
    expect(s.call('root', 'mount', text('proc'), text('/new/proc'), text('proc'), 0).ret).toBe(0);
    expect(s.call('root', 'chdir', text('/new')).ret).toBe(0);
    expect(s.call('root', 'pivot_root', text('.'), text('old')).ret).toBe(0);
    for (const who of ['root', 'alice']) {
      expect(s.call(who, 'openat', -100, text('/etc/motd'), 'O_RDONLY').ret).toBeGreaterThan(2);
    }
    expect(s.call('alice', 'stat', text('/old/srv/f')).errno).toBeNull();
    expect(mounts(s, 'alice')).toBe(
      '/dev/sda1 /old ext4 rw,relatime 0 0\nproc /old/proc proc rw,nosuid,nodev,noexec,relatime 0 0\n/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n',
    );
    expect(s.call('root', 'chdir', text('/')).ret).toBe(0);
    expect(s.call('root', 'umount2', text('/old'), 'MNT_DETACH').ret).toBe(0);
    expect(s.call('alice', 'stat', text('/old/srv')).errno).toBe('ENOENT');
    expect(mounts(s, 'alice')).toBe('/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n');
  });

  it('supports pivot_root(".", ".") and a lazy unmount of "." (pivot_root(2) NOTES)', () => {
    const s = sys(FS, PROCS);
    expect(s.call('root', 'mount', text('/new'), text('/new'), text(''), 'MS_BIND').ret).toBe(0);
    expect(s.call('root', 'chdir', text('/new')).ret).toBe(0);
    expect(s.call('root', 'pivot_root', text('.'), text('.')).ret).toBe(0);
    expect(s.call('root', 'umount2', text('.'), 'MNT_DETACH').ret).toBe(0);
    expect(s.call('root', 'openat', -100, text('/etc/motd'), 'O_RDONLY').ret).toBe(3);
    expect(s.call('root', 'read', 3, word('buf'), 20).text).toBe('new root');
    expect(s.call('root', 'stat', text('/srv')).errno).toBe('ENOENT');
  });
});

describe('/proc/self/mounts (proc(5))', () => {
  it('shows the table as the reader sees it: paths from its root, mounts outside it left out', () => {
    const s = sys(`${FS}\n  dir "/srv/proc"\n  mount proc "/srv/proc"`, PROCS);
    expect(mounts(s, 'alice')).toBe('/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nproc /srv/proc proc rw,relatime 0 0\n');
    expect(s.call('root', 'chroot', text('/srv')).ret).toBe(0);
    expect(s.call('root', 'chdir', text('/')).ret).toBe(0);
    expect(mounts(s, 'root')).toBe('proc /proc proc rw,relatime 0 0\n');
  });

  it('escapes spaces in mount points as \\040', () => {
    const s = sys(`${FS}\n  dir "/mnt/my disk"`, PROCS);
    expect(s.call('root', 'mount', text('tmpfs'), text('/mnt/my disk'), text('tmpfs'), 0).ret).toBe(0);
    expect(mounts(s, 'alice')).toContain('tmpfs /mnt/my\\040disk tmpfs rw,relatime 0 0\n');
  });
});
