/**
 * Path resolution: `.` and `..` (which goes to the parent of where a symlink led, and
 * never above the root), symbolic links absolute and relative, the limit of 40 links
 * followed (ELOOP), ENOTDIR, trailing slashes, O_NOFOLLOW and O_PATH, O_DIRECTORY,
 * ENAMETOOLONG for a component over NAME_MAX (255) and for a path of PATH_MAX (4096)
 * bytes, `..` out of a bind mount, and read-only mounts. Rules: path_resolution(7),
 * symlink(7), open(2), getcwd(2); fs/namei.c (link_path_walk, follow_dotdot,
 * MAXSYMLINKS), fs/namei.c getname_flags (ENAMETOOLONG), include/uapi/linux/limits.h.
 */
import { ALICE, bind, caseOf, dir, file, ROOT, symlink, tmpfs, type CaseEntry, type CaseInput, type ConformanceCase } from '../case.js';

const c = (input: CaseInput): ConformanceCase => caseOf('path', input);

const TREE = [dir('/srv'), dir('/srv/a'), dir('/srv/a/b'), file('/srv/a/b/file', 'in b'), dir('/data'), file('/data/file', 'data file')];

/** /srv/l0 → /srv/l1 → … → /srv/l{count} → /data/file: opening l0 follows count+1 links. */
function chain(count: number): CaseEntry[] {
  const links: CaseEntry[] = [];
  for (let i = 0; i < count; i++) links.push(symlink(`/srv/l${i}`, `/srv/l${i + 1}`));
  links.push(symlink(`/srv/l${count}`, '/data/file'));
  return links;
}

const LONG_NAME = 'n'.repeat(256);
/** "/" then "./" repeated: a path of exactly `length` bytes that names the root. */
const rootPathOfLength = (length: number) => '/' + './'.repeat((length - 1) / 2);

export const PATH_CASES: readonly ConformanceCase[] = [
  c({
    id: 'path/dot-and-dotdot',
    rule: '"." stays, ".." goes to the parent directory; getcwd returns the canonical path with its NUL (the raw call returns the length including it)',
    fs: TREE,
    process: ALICE,
    calls: ['chdir("/srv/a/./b/../b/.") = 0', 'getcwd() = 9 "/srv/a/b\\u0000"'],
  }),
  c({
    id: 'path/dotdot-at-root',
    rule: '".." at the root is the root itself',
    process: ALICE,
    calls: ['chdir("/../../..") = 0', 'getcwd() = 2 "/\\u0000"'],
  }),
  c({
    id: 'path/relative-to-cwd',
    rule: 'a relative path starts at the working directory',
    fs: TREE,
    process: { ...ALICE, cwd: '/srv/a' },
    calls: ['openat(AT_FDCWD, "b/file", O_RDONLY) = 3', 'read(3, buf, 32) = 4 "in b"'],
  }),
  c({
    id: 'path/symlink-absolute',
    rule: 'an absolute symbolic link is resolved from the root',
    fs: [...TREE, symlink('/srv/link', '/data/file')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/link", O_RDONLY) = 3', 'read(3, buf, 32) = 9 "data file"'],
  }),
  c({
    id: 'path/symlink-relative',
    rule: 'a relative symbolic link is resolved from the directory that holds it',
    fs: [...TREE, symlink('/srv/a/up', '../../data/file')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/a/up", O_RDONLY) = 3', 'read(3, buf, 32) = 9 "data file"'],
  }),
  c({
    id: 'path/dotdot-after-symlink-is-physical',
    rule: '".." after a symlink to a directory goes to the parent of the target, not back to where the link was',
    fs: [...TREE, symlink('/srv/jump', '/srv/a/b')],
    process: ALICE,
    calls: ['chdir("/srv/jump/..") = 0', 'getcwd() = 7 "/srv/a\\u0000"'],
  }),
  c({
    id: 'path/readlink',
    rule: 'readlink(2) returns the target without a NUL',
    fs: [...TREE, symlink('/srv/link', '../data/file')],
    process: ALICE,
    calls: ['readlink("/srv/link", buf, 64) = 12 "../data/file"'],
  }),
  c({
    id: 'path/forty-links-resolve',
    rule: 'resolution follows at most 40 symbolic links (MAXSYMLINKS): a chain of 40 resolves',
    fs: [...TREE, ...chain(39)],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/l0", O_RDONLY) = 3'],
  }),
  c({
    id: 'path/forty-one-links-eloop',
    rule: 'the 41st symbolic link on one resolution fails with ELOOP',
    fs: [...TREE, ...chain(40)],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/l0", O_RDONLY) = ELOOP', 'openat(AT_FDCWD, "/srv/l1", O_RDONLY) = 3'],
  }),
  c({
    id: 'path/self-loop',
    rule: 'a link to itself fails with ELOOP',
    fs: [dir('/srv'), symlink('/srv/loop', '/srv/loop')],
    process: ALICE,
    calls: ['stat("/srv/loop") = ELOOP', 'lstat("/srv/loop") = 0'],
  }),
  c({
    id: 'path/enotdir',
    rule: 'a non-directory in the middle of a path fails with ENOTDIR',
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/etc/passwd/x", O_RDONLY) = ENOTDIR', 'chdir("/etc/passwd") = ENOTDIR'],
  }),
  c({
    id: 'path/trailing-slash',
    rule: 'a trailing slash demands a directory: ENOTDIR on a file; on a symlink to a directory it is followed even by lstat',
    fs: [...TREE, symlink('/srv/dirlink', '/srv/a')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/etc/passwd/", O_RDONLY) = ENOTDIR', 'stat("/etc/") = 0', 'lstat("/srv/dirlink/") = 0', 'lstat("/srv/dirlink") = 0'],
  }),
  c({
    id: 'path/o-nofollow',
    rule: 'O_NOFOLLOW refuses a symbolic link as the last component (ELOOP) but follows links earlier in the path',
    fs: [...TREE, symlink('/srv/link', '/data/file'), symlink('/srv/dirlink', '/srv/a')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/link", O_RDONLY|O_NOFOLLOW) = ELOOP', 'openat(AT_FDCWD, "/srv/dirlink/b/file", O_RDONLY|O_NOFOLLOW) = 3'],
  }),
  c({
    id: 'path/o-path-nofollow',
    rule: 'O_PATH|O_NOFOLLOW opens the symbolic link itself',
    fs: [...TREE, symlink('/srv/link', '/data/file')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/link", O_PATH|O_NOFOLLOW) = 3', 'fstat(3) = 0'],
  }),
  c({
    id: 'path/o-directory',
    rule: 'O_DIRECTORY on something that is not a directory fails with ENOTDIR',
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_DIRECTORY) = ENOTDIR', 'openat(AT_FDCWD, "/etc", O_RDONLY|O_DIRECTORY) = 3'],
  }),
  c({
    id: 'path/dangling-symlink',
    rule: 'a link to nothing fails with ENOENT; with O_CREAT the target is created',
    fs: [dir('/srv', { mode: 0o777 }), symlink('/srv/dangling', '/srv/target')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/dangling", O_RDONLY) = ENOENT', 'openat(AT_FDCWD, "/srv/dangling", O_CREAT|O_WRONLY, 0640) = 3', 'stat("/srv/target") = 0'],
  }),
  c({
    id: 'path/o-excl-on-symlink',
    rule: 'O_CREAT|O_EXCL never follows a symbolic link: EEXIST even when it dangles',
    fs: [dir('/srv', { mode: 0o777 }), symlink('/srv/dangling', '/srv/target')],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/dangling", O_CREAT|O_EXCL|O_WRONLY, 0644) = EEXIST', 'stat("/srv/target") = ENOENT'],
  }),
  c({
    id: 'path/empty-path',
    rule: 'an empty path fails with ENOENT',
    process: ALICE,
    calls: ['openat(AT_FDCWD, "", O_RDONLY) = ENOENT', 'chdir("") = ENOENT'],
  }),
  c({
    id: 'path/name-too-long',
    rule: 'a component longer than NAME_MAX (255) fails with ENAMETOOLONG',
    process: ALICE,
    calls: [`openat(AT_FDCWD, "/tmp/${LONG_NAME}", O_RDONLY) = ENAMETOOLONG`, `stat("/tmp/${LONG_NAME.slice(1)}") = ENOENT`],
  }),
  c({
    id: 'path/path-too-long',
    rule: 'a path of PATH_MAX (4096) bytes or more, not counting the NUL, fails with ENAMETOOLONG; 4095 bytes is fine',
    process: ALICE,
    calls: [`chdir("${rootPathOfLength(4095)}") = 0`, `stat("${rootPathOfLength(4095)}/") = ENAMETOOLONG`, `chdir("${rootPathOfLength(4097)}") = ENAMETOOLONG`],
  }),
  c({
    id: 'path/chdir-needs-search',
    rule: 'chdir(2) into a directory needs search permission on it',
    fs: [dir('/srv', { mode: 0o700 }), dir('/srv/in')],
    process: ALICE,
    calls: ['chdir("/srv") = EACCES', 'chdir("/srv/in") = EACCES', 'getcwd() = 2 "/\\u0000"'],
  }),
  c({
    id: 'path/dotdot-leaves-bind-mount',
    rule: '".." at the root of a bind mount goes to the parent of the mount point, not of the bound directory',
    fs: [...TREE, dir('/mnt/view'), bind('/srv/a', '/mnt/view')],
    process: ALICE,
    calls: ['chdir("/mnt/view/b") = 0', 'chdir("../..") = 0', 'getcwd() = 5 "/mnt\\u0000"'],
  }),
  c({
    id: 'path/read-only-bind-mount',
    rule: 'a read-only mount refuses writes with EROFS, even to root, while the original place stays writable',
    fs: [...TREE, dir('/mnt/ro'), bind('/data', '/mnt/ro', { readonly: true })],
    process: ROOT,
    calls: ['openat(AT_FDCWD, "/mnt/ro/file", O_WRONLY) = EROFS', 'openat(AT_FDCWD, "/data/file", O_WRONLY) = 3', 'openat(AT_FDCWD, "/mnt/ro/file", O_RDONLY) = 4'],
  }),
  c({
    id: 'path/stat-identity-through-bind',
    rule: 'a bind mount shows the same inode as its source',
    fs: [...TREE, dir('/mnt/view'), bind('/data', '/mnt/view')],
    process: ALICE,
    calls: ['stat("/mnt/view/file") = 0', 'stat("/mnt/view") = 0'],
  }),
  c({
    id: 'path/tmpfs-mount-hides-directory',
    rule: 'a mount covers what the directory held: a fresh tmpfs is empty and world-writable with the sticky bit',
    fs: [...TREE, tmpfs('/srv/a')],
    process: ALICE,
    calls: ['stat("/srv/a/b") = ENOENT', 'stat("/srv/a") = 0', 'mkdir("/srv/a/mine", 0755) = 0'],
  }),
];
