/**
 * Discretionary access control: the owner, group and other classes (the first class
 * that matches decides, even if a later one would allow), supplementary groups,
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, access(2)'s use of the real ids, the sticky
 * bit on /tmp, the umask, chmod and chown. Rules: path_resolution(7) "Permissions",
 * inode(7), access(2), unlink(2), umask(2), chmod(2), chown(2); fs/namei.c
 * (generic_permission, acl_permission_check, may_delete, check_sticky), fs/open.c
 * (do_faccessat, chown_common), fs/attr.c.
 */
import { ALICE, caseOf, dir, file, ROOT, type CaseInput, type ConformanceCase } from '../case.js';

const c = (input: CaseInput): ConformanceCase => caseOf('dac', input);

const SRV = dir('/srv', { mode: 0o755 });

export const DAC_CASES: readonly ConformanceCase[] = [
  c({
    id: 'dac/owner-reads-own-file',
    rule: 'the owner class applies to the file\'s owner',
    fs: [SRV, file('/srv/note', 'mine', { mode: 0o600, owner: 1000, group: 1000 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/note", O_RDONLY) = 3', 'read(3, buf, 16) = 4 "mine"'],
  }),
  c({
    id: 'dac/owner-class-decides',
    rule: 'the owner gets the owner bits even when group or other bits would allow more',
    fs: [SRV, file('/srv/note', 'x', { mode: 0o077, owner: 1000, group: 1000 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/note", O_RDONLY) = EACCES'],
  }),
  c({
    id: 'dac/group-class-decides',
    rule: 'a member of the file\'s group gets the group bits even when the other bits would allow more',
    fs: [SRV, file('/srv/note', 'x', { mode: 0o604, owner: 0, group: 1000 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/note", O_RDONLY) = EACCES'],
  }),
  c({
    id: 'dac/group-read',
    rule: 'the group class applies when the file\'s group is the process\'s fsgid',
    fs: [SRV, file('/srv/note', 'group', { mode: 0o640, owner: 0, group: 1000 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/note", O_RDONLY) = 3', 'openat(AT_FDCWD, "/srv/note", O_WRONLY) = EACCES'],
  }),
  c({
    id: 'dac/supplementary-group',
    rule: 'the group class also applies through a supplementary group',
    process: { ...ALICE, groups: [42] },
    calls: ['openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = 3'],
  }),
  c({
    id: 'dac/other-denied',
    rule: 'someone neither owner nor in the group gets the other bits: /etc/shadow (0640 root:shadow) is closed to them',
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = EACCES', 'openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3'],
  }),
  c({
    id: 'dac/dac-override-reads-and-writes',
    rule: 'CAP_DAC_OVERRIDE bypasses read and write permission checks on files',
    fs: [SRV, file('/srv/locked', 'locked', { mode: 0o000, owner: 0, group: 0 })],
    process: { ...ALICE, caps: ['CAP_DAC_OVERRIDE'] },
    calls: ['openat(AT_FDCWD, "/srv/locked", O_RDWR) = 3', 'read(3, buf, 16) = 6 "locked"'],
  }),
  c({
    id: 'dac/dac-override-execute-needs-an-x-bit',
    rule: 'CAP_DAC_OVERRIDE grants execute permission only if some execute bit is set; directories are always searchable with it',
    fs: [dir('/srv', { mode: 0o000 }), file('/srv/tool', 'x', { mode: 0o644 }), file('/srv/run', 'x', { mode: 0o700, owner: 2000 })],
    process: ROOT,
    calls: ['access("/srv/tool", X_OK) = EACCES', 'access("/srv/run", X_OK) = 0', 'access("/srv", X_OK) = 0'],
  }),
  c({
    id: 'dac/access-uses-real-ids',
    rule: 'access(2) checks with the real uid and gid, and for a non-root real uid without any capability',
    fs: [SRV, file('/srv/note', 'x', { mode: 0o600, owner: 2000 })],
    process: { uid: 1000, gid: 1000, euid: 2000, suid: 2000 },
    calls: ['access("/srv/note", R_OK) = EACCES', 'openat(AT_FDCWD, "/srv/note", O_RDONLY) = 3'],
  }),
  c({
    id: 'dac/access-drops-capabilities',
    rule: 'access(2) for a process whose real uid is not 0 clears the effective capabilities for the check',
    process: { ...ALICE, caps: ['CAP_DAC_OVERRIDE'] },
    calls: ['access("/etc/shadow", R_OK) = EACCES', 'openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = 3'],
  }),
  c({
    id: 'dac/faccessat-raw-has-no-flags',
    rule: 'the raw faccessat system call takes three arguments: AT_EACCESS is a C-library flag the kernel never sees (faccessat2 has flags)',
    fs: [SRV, file('/srv/note', 'x', { mode: 0o600, owner: 2000 })],
    process: { uid: 1000, gid: 1000, euid: 2000, suid: 2000 },
    calls: ['faccessat(AT_FDCWD, "/srv/note", R_OK, AT_EACCESS) = EACCES'],
  }),
  c({
    id: 'dac/dac-read-search-reads-only',
    rule: 'CAP_DAC_READ_SEARCH bypasses read checks on files and read and search checks on directories, but not write checks',
    fs: [dir('/srv', { mode: 0o700 }), file('/srv/locked', 'ro', { mode: 0o000 })],
    process: { ...ALICE, caps: ['CAP_DAC_READ_SEARCH'] },
    calls: ['openat(AT_FDCWD, "/srv/locked", O_RDONLY) = 3', 'openat(AT_FDCWD, "/srv/locked", O_WRONLY) = EACCES'],
  }),
  c({
    id: 'dac/search-permission-on-every-directory',
    rule: 'resolving a path needs search (x) permission on every directory on the way',
    fs: [dir('/srv', { mode: 0o700 }), file('/srv/open', 'x', { mode: 0o644 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/open", O_RDONLY) = EACCES', 'stat("/srv/open") = EACCES'],
  }),
  c({
    id: 'dac/read-without-search',
    rule: 'a directory with r but not x can be opened, but nothing inside it can be reached',
    fs: [dir('/srv', { mode: 0o744 }), file('/srv/open', 'x', { mode: 0o644 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv", O_RDONLY|O_DIRECTORY) = 3', 'openat(AT_FDCWD, "/srv/open", O_RDONLY) = EACCES'],
  }),
  c({
    id: 'dac/root-writes-read-only-file',
    rule: 'root (CAP_DAC_OVERRIDE) may write a file whose mode allows nobody to write',
    fs: [SRV, file('/srv/ro', 'x', { mode: 0o444, owner: 1000 })],
    process: ROOT,
    calls: ['openat(AT_FDCWD, "/srv/ro", O_WRONLY) = 3'],
  }),
  c({
    id: 'dac/owner-cannot-write-read-only-file',
    rule: 'the owner is bound by the owner bits like anyone else',
    fs: [SRV, file('/srv/ro', 'x', { mode: 0o444, owner: 1000 })],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/ro", O_WRONLY) = EACCES'],
  }),
  c({
    id: 'dac/sticky-tmp-protects-others-files',
    rule: 'in a sticky directory (/tmp, 01777) only the file\'s owner, the directory\'s owner or CAP_FOWNER may unlink a file',
    fs: [file('/tmp/bobs', 'bob', { mode: 0o666, owner: 2000, group: 2000 }), file('/tmp/mine', 'me', { mode: 0o600, owner: 1000, group: 1000 })],
    process: ALICE,
    calls: ['unlink("/tmp/bobs") = EPERM', 'unlink("/tmp/mine") = 0', 'openat(AT_FDCWD, "/tmp/bobs", O_WRONLY) = 3'],
  }),
  c({
    id: 'dac/sticky-directory-owner',
    rule: 'the owner of a sticky directory may unlink anyone\'s file in it',
    fs: [dir('/srv', { mode: 0o1777, owner: 1000 }), file('/srv/bobs', 'bob', { mode: 0o644, owner: 2000 })],
    process: ALICE,
    calls: ['unlink("/srv/bobs") = 0'],
  }),
  c({
    id: 'dac/sticky-fowner',
    rule: 'CAP_FOWNER overrides the sticky bit',
    fs: [file('/tmp/bobs', 'bob', { mode: 0o644, owner: 2000 })],
    process: { ...ALICE, caps: ['CAP_FOWNER'] },
    calls: ['unlink("/tmp/bobs") = 0'],
  }),
  c({
    id: 'dac/unlink-needs-write-on-directory',
    rule: 'unlinking needs write and search permission on the directory, whoever owns the file',
    fs: [SRV, file('/srv/mine', 'x', { mode: 0o666, owner: 1000 })],
    process: ALICE,
    calls: ['unlink("/srv/mine") = EACCES'],
  }),
  c({
    id: 'dac/create-needs-write-on-directory',
    rule: 'creating a file needs write permission on the directory',
    fs: [SRV],
    process: ALICE,
    calls: ['openat(AT_FDCWD, "/srv/new", O_CREAT|O_WRONLY, 0644) = EACCES', 'openat(AT_FDCWD, "/tmp/new", O_CREAT|O_WRONLY, 0644) = 3'],
  }),
  c({
    id: 'dac/umask-masks-open',
    rule: 'umask(2) returns the previous mask; new files get mode & ~umask',
    process: { ...ALICE, cwd: '/tmp' },
    calls: ['umask(077) = 18', 'openat(AT_FDCWD, "/tmp/new", O_CREAT|O_WRONLY, 0666) = 3', 'stat("/tmp/new") = 0', 'umask(022) = 63'],
  }),
  c({
    id: 'dac/umask-masks-mkdir',
    rule: 'mkdir(2) applies the umask too (mode & ~umask & 01777)',
    process: ALICE,
    calls: ['umask(027) = 18', 'mkdir("/tmp/d", 0777) = 0', 'stat("/tmp/d") = 0'],
  }),
  c({
    id: 'dac/chmod-only-by-owner',
    rule: 'chmod(2) needs to be the owner (or CAP_FOWNER): EPERM otherwise',
    fs: [SRV, file('/srv/roots', 'x', { mode: 0o644 }), file('/srv/mine', 'x', { mode: 0o644, owner: 1000 })],
    process: ALICE,
    calls: ['chmod("/srv/roots", 0666) = EPERM', 'chmod("/srv/mine", 0600) = 0', 'stat("/srv/mine") = 0'],
  }),
  c({
    id: 'dac/chown-needs-cap-chown',
    rule: 'only CAP_CHOWN may give a file away; the owner may change the group to one it belongs to',
    fs: [SRV, file('/srv/mine', 'x', { mode: 0o644, owner: 1000, group: 1000 })],
    process: { ...ALICE, groups: [42] },
    calls: ['chown("/srv/mine", 2000, -1) = EPERM', 'chown("/srv/mine", -1, 42) = 0', 'chown("/srv/mine", -1, 7) = EPERM', 'stat("/srv/mine") = 0'],
  }),
  c({
    id: 'dac/chown-clears-setuid',
    rule: 'chown of a regular file clears its set-user-ID bit, even when root does it',
    fs: [SRV, file('/srv/tool', 'x', { mode: 0o4755, owner: 1000 })],
    process: ROOT,
    calls: ['chown("/srv/tool", 2000, -1) = 0', 'stat("/srv/tool") = 0'],
  }),
  c({
    id: 'dac/fsuid-governs-access',
    rule: 'file permission checks use the fsuid: root with fsuid 1000 loses its filesystem capabilities and reads as user 1000',
    fs: [SRV, file('/srv/mine', 'x', { mode: 0o600, owner: 1000 })],
    process: ROOT,
    calls: ['setfsuid(1000) = 0', 'openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = EACCES', 'openat(AT_FDCWD, "/srv/mine", O_RDONLY) = 3'],
  }),
  c({
    id: 'dac/open-directory-for-writing',
    rule: 'opening a directory for writing fails with EISDIR',
    process: ROOT,
    calls: ['openat(AT_FDCWD, "/tmp", O_WRONLY) = EISDIR', 'openat(AT_FDCWD, "/tmp", O_RDONLY) = 3'],
  }),
];
