/**
 * chroot and pivot_root. chroot changes only the root directory: it needs
 * CAP_SYS_CHROOT, leaves the working directory where it was (getcwd then reports it as
 * "(unreachable)…"), and a process with the capability can walk out through `..` from a
 * working directory outside its root, or through a directory fd opened before.
 * pivot_root needs CAP_SYS_ADMIN and a new root that is a mount point other than the
 * current root's mount, with put_old under it; it moves the root and the working
 * directory of processes that stood at the old root. Rules: chroot(2), pivot_root(2),
 * getcwd(2); fs/open.c (chroot), fs/namei.c (follow_dotdot, path_connected),
 * fs/d_path.c (getcwd), fs/namespace.c (SYSCALL_DEFINE2(pivot_root), chroot_fs_refs).
 */
import { ALICE, bind, caseOf, dir, file, ROOT, symlink, type CaseInput, type ConformanceCase } from '../case.js';

const chrootCase = (input: CaseInput): ConformanceCase => caseOf('chroot', input);
const pivotCase = (input: CaseInput): ConformanceCase => caseOf('pivot_root', input);

/** A jail with its own marker, inside a tree whose root has another. */
const JAIL = [file('/marker', 'outside'), dir('/jail'), dir('/jail/inner'), file('/jail/marker', 'inside')];

export const CHROOT_CASES: readonly ConformanceCase[] = [
  chrootCase({
    id: 'chroot/needs-cap-sys-chroot',
    rule: 'chroot(2) without CAP_SYS_CHROOT fails with EPERM',
    fs: JAIL,
    process: ALICE,
    calls: ['chroot("/jail") = EPERM', 'getcwd() = 2 "/\\u0000"'],
  }),
  chrootCase({
    id: 'chroot/keeps-working-directory',
    rule: 'chroot(2) does not change the working directory: outside the new root, getcwd(2) prefixes it with "(unreachable)"',
    fs: [...JAIL, dir('/srv')],
    process: { ...ALICE, caps: ['CAP_SYS_CHROOT'], cwd: '/srv' },
    calls: ['chroot("/jail") = 0', 'getcwd() = 18 "(unreachable)/srv\\u0000"', 'chdir("/") = 0', 'getcwd() = 2 "/\\u0000"'],
  }),
  chrootCase({
    id: 'chroot/chdir-then-dotdot-stays-inside',
    rule: 'after chroot and chdir("/"), ".." at the new root stays there',
    fs: JAIL,
    process: ROOT,
    calls: ['chroot("/jail") = 0', 'chdir("/") = 0', 'chdir("../../..") = 0', 'openat(AT_FDCWD, "/marker", O_RDONLY) = 3', 'read(3, buf, 16) = 6 "inside"'],
  }),
  chrootCase({
    id: 'chroot/dotdot-escape',
    rule: 'a process with CAP_SYS_CHROOT escapes: chroot into a subdirectory without chdir leaves its cwd outside the root, where ".." climbs to the real root',
    fs: JAIL,
    process: ROOT,
    calls: [
      'chroot("/jail") = 0',
      'chdir("/") = 0',
      'chroot("inner") = 0',
      'chdir("..") = 0',
      'chdir("..") = 0',
      'chroot(".") = 0',
      'openat(AT_FDCWD, "/marker", O_RDONLY) = 3',
      'read(3, buf, 16) = 7 "outside"',
    ],
  }),
  chrootCase({
    id: 'chroot/fchdir-escape',
    rule: 'a directory fd opened before chroot still leads outside: fchdir to it, then chroot(".")',
    fs: JAIL,
    process: ROOT,
    calls: [
      'openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) = 3',
      'chroot("/jail") = 0',
      'chdir("/") = 0',
      'fchdir(3) = 0',
      'getcwd() = 15 "(unreachable)/\\u0000"',
      'chroot(".") = 0',
      'openat(AT_FDCWD, "/marker", O_RDONLY) = 4',
      'read(4, buf, 16) = 7 "outside"',
    ],
  }),
  chrootCase({
    id: 'chroot/absolute-symlink-resolves-inside',
    rule: 'inside a chroot an absolute symbolic link starts at the new root',
    fs: [...JAIL, symlink('/jail/link', '/marker'), symlink('/jail/up', '../../..')],
    process: ROOT,
    calls: ['chroot("/jail") = 0', 'chdir("/") = 0', 'openat(AT_FDCWD, "/link", O_RDONLY) = 3', 'read(3, buf, 16) = 6 "inside"', 'chdir("/up") = 0', 'getcwd() = 2 "/\\u0000"'],
  }),
  chrootCase({
    id: 'chroot/no-escape-after-dropping-privilege',
    rule: 'once the jailed process gives up uid 0 it cannot chroot again, so the escape is closed',
    fs: JAIL,
    process: ROOT,
    calls: ['chroot("/jail") = 0', 'chdir("/") = 0', 'setuid(1000) = 0', 'chroot("inner") = EPERM', 'chdir("..") = 0', 'getcwd() = 2 "/\\u0000"'],
  }),
  chrootCase({
    id: 'chroot/path-errors',
    rule: 'chroot(2) resolves its path like open: ENOENT, ENOTDIR',
    process: ROOT,
    calls: ['chroot("/nope") = ENOENT', 'chroot("/etc/passwd") = ENOTDIR'],
  }),
  chrootCase({
    id: 'chroot/needs-search-permission',
    rule: 'chroot(2) needs search permission on the new root, CAP_SYS_CHROOT notwithstanding',
    fs: [dir('/srv', { mode: 0o700 }), dir('/srv/jail')],
    process: { ...ALICE, caps: ['CAP_SYS_CHROOT'] },
    calls: ['chroot("/srv") = EACCES', 'chroot("/srv/jail") = EACCES'],
  }),
];

/** /newroot bound onto itself (a mount point), with its own marker and a put_old directory. */
const NEW_ROOT = [file('/marker', 'old root'), dir('/newroot'), dir('/newroot/old'), file('/newroot/marker', 'new root'), bind('/newroot', '/newroot')];

export const PIVOT_ROOT_CASES: readonly ConformanceCase[] = [
  pivotCase({
    id: 'pivot_root/needs-cap-sys-admin',
    rule: 'pivot_root(2) without CAP_SYS_ADMIN fails with EPERM, before looking at the paths',
    fs: NEW_ROOT,
    process: ALICE,
    calls: ['pivot_root("/newroot", "/newroot/old") = EPERM', 'pivot_root("/nope", "/nope") = EPERM'],
  }),
  pivotCase({
    id: 'pivot_root/success',
    rule: 'pivot_root(2) mounts new_root at / and the old root at put_old; a process whose cwd was the old root now stands at the new one',
    fs: NEW_ROOT,
    process: ROOT,
    calls: [
      'pivot_root("/newroot", "/newroot/old") = 0',
      'getcwd() = 2 "/\\u0000"',
      'openat(AT_FDCWD, "/marker", O_RDONLY) = 3',
      'read(3, buf, 16) = 8 "new root"',
      'openat(AT_FDCWD, "/old/marker", O_RDONLY) = 4',
      'read(4, buf, 16) = 8 "old root"',
    ],
  }),
  pivotCase({
    id: 'pivot_root/cwd-elsewhere-stays',
    rule: 'pivot_root(2) leaves alone a working directory that was not the old root: it is now under put_old',
    fs: [...NEW_ROOT, dir('/srv')],
    process: { ...ROOT, cwd: '/srv' },
    calls: ['pivot_root("/newroot", "/newroot/old") = 0', 'getcwd() = 9 "/old/srv\\u0000"'],
  }),
  pivotCase({
    id: 'pivot_root/new-root-on-root-mount',
    rule: 'a new_root on the current root\'s mount (not a mount point) fails with EBUSY',
    fs: [dir('/plain'), dir('/plain/old')],
    process: ROOT,
    calls: ['pivot_root("/plain", "/plain/old") = EBUSY', 'pivot_root("/", "/plain") = EBUSY'],
  }),
  pivotCase({
    id: 'pivot_root/put-old-on-root-mount',
    rule: 'a put_old on the current root\'s mount fails with EBUSY, before the check that it lies under new_root',
    fs: NEW_ROOT,
    process: ROOT,
    calls: ['pivot_root("/newroot", "/tmp") = EBUSY'],
  }),
  pivotCase({
    id: 'pivot_root/new-root-not-a-mount-point',
    rule: 'a new_root inside another mount but not itself a mount point fails with EINVAL',
    fs: [dir('/m'), { kind: 'tmpfs', target: '/m', flags: {} }],
    process: ROOT,
    calls: ['mkdir("/m/d", 0755) = 0', 'mkdir("/m/d/old", 0755) = 0', 'pivot_root("/m/d", "/m/d/old") = EINVAL'],
  }),
  pivotCase({
    id: 'pivot_root/put-old-not-under-new-root',
    rule: 'put_old must be at or under new_root (EINVAL)',
    fs: [...NEW_ROOT, dir('/other'), bind('/other', '/other')],
    process: ROOT,
    calls: ['pivot_root("/newroot", "/other") = EINVAL'],
  }),
  pivotCase({
    id: 'pivot_root/root-not-a-mount-point',
    rule: 'after chroot into a plain directory the current root is not a mount point, and pivot_root(2) fails with EINVAL',
    fs: [dir('/jail'), dir('/jail/nr'), dir('/jail/nr/old'), bind('/jail/nr', '/jail/nr')],
    process: ROOT,
    calls: ['chroot("/jail") = 0', 'chdir("/") = 0', 'pivot_root("/nr", "/nr/old") = EINVAL'],
  }),
  pivotCase({
    id: 'pivot_root/path-errors',
    rule: 'pivot_root(2) wants two directories: ENOENT, ENOTDIR',
    fs: NEW_ROOT,
    process: ROOT,
    calls: ['pivot_root("/nope", "/newroot/old") = ENOENT', 'pivot_root("/etc/passwd", "/newroot/old") = ENOTDIR', 'pivot_root("/newroot", "/newroot/marker") = ENOTDIR'],
  }),
];
