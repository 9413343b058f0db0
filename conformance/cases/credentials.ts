/**
 * User and group IDs: setuid, setreuid, setresuid, setfsuid, setgid, setgroups from
 * root and from ordinary users; temporary drops (euid only) that can be undone and
 * permanent ones that cannot; PR_SET_KEEPCAPS. Rules: credentials(7), setuid(2),
 * setreuid(2), setresuid(2), setfsuid(2), capabilities(7) "Effect of user ID changes on
 * capabilities"; kernel/sys.c (__sys_setuid, __sys_setreuid, __sys_setresuid,
 * __sys_setfsuid) and security/commoncap.c (cap_emulate_setxuid, cap_task_fix_setuid).
 */
import { ALICE, allBut, caseOf, ROOT, type CaseInput, type ConformanceCase } from '../case.js';

/** CAP_FS_MASK (include/linux/capability.h): what leaves the effective set when the fsuid leaves 0. */
const FS_CAPS_DROPPED = allBut('CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_LINUX_IMMUTABLE', 'CAP_MKNOD', 'CAP_MAC_OVERRIDE');

const c = (input: CaseInput): ConformanceCase => caseOf('credentials', input);

export const CREDENTIAL_CASES: readonly ConformanceCase[] = [
  c({
    id: 'credentials/setuid-from-root-sets-all-three',
    rule: 'setuid(2) with CAP_SETUID sets the real, effective, saved and filesystem uids, and leaving uid 0 clears the permitted and effective sets',
    process: ROOT,
    calls: ['setuid(1000) = 0', 'getuid() = 1000', 'geteuid() = 1000'],
    after: { ruid: 1000, euid: 1000, suid: 1000, fsuid: 1000, permitted: [], effective: [] },
  }),
  c({
    id: 'credentials/setuid-unprivileged-to-another-uid',
    rule: 'setuid(2) without CAP_SETUID may only set the effective uid to the real or saved uid: EPERM otherwise',
    process: ALICE,
    calls: ['setuid(0) = EPERM', 'setuid(2000) = EPERM', 'setuid(1000) = 0'],
    after: { ruid: 1000, euid: 1000, suid: 1000 },
  }),
  c({
    id: 'credentials/setuid-unprivileged-to-saved-uid',
    rule: 'without CAP_SETUID, setuid(suid) changes only the effective (and filesystem) uid; the real and saved uids stay',
    process: { uid: 1000, gid: 1000, euid: 1000, suid: 2000 },
    calls: ['setuid(2000) = 0', 'getuid() = 1000', 'geteuid() = 2000'],
    after: { ruid: 1000, euid: 2000, suid: 2000, fsuid: 2000 },
  }),
  c({
    id: 'credentials/temporary-drop-then-regain',
    rule: 'root that changes only its effective uid keeps uid 0 as real and saved uid and can take it back; the effective set is cleared and then refilled from the permitted set',
    process: ROOT,
    calls: ['setresuid(-1, 1000, -1) = 0', 'geteuid() = 1000', 'setresuid(-1, 0, -1) = 0', 'geteuid() = 0'],
    after: { ruid: 0, euid: 0, suid: 0, permitted: 'all', effective: 'all' },
  }),
  c({
    id: 'credentials/permanent-drop-cannot-regain',
    rule: 'once real, effective and saved uids all leave 0, the capabilities are gone and uid 0 cannot be taken back',
    process: ROOT,
    calls: ['setresuid(1000, 1000, 1000) = 0', 'setresuid(-1, 0, -1) = EPERM', 'setuid(0) = EPERM'],
    after: { ruid: 1000, euid: 1000, suid: 1000, permitted: [], effective: [] },
  }),
  c({
    id: 'credentials/temporary-drop-clears-effective-only',
    rule: 'an effective uid leaving 0 clears the effective set but keeps the permitted set (cap_emulate_setxuid)',
    process: ROOT,
    calls: ['setresuid(-1, 1000, -1) = 0'],
    after: { euid: 1000, fsuid: 1000, permitted: 'all', effective: [] },
  }),
  c({
    id: 'credentials/setreuid-swap-unprivileged',
    rule: 'setreuid(2) without CAP_SETUID may swap real and effective uids; the saved uid becomes the new effective uid',
    process: { uid: 1000, gid: 1000, euid: 2000, suid: 2000 },
    calls: ['setreuid(2000, 1000) = 0'],
    after: { ruid: 2000, euid: 1000, suid: 1000 },
  }),
  c({
    id: 'credentials/setreuid-unprivileged-foreign-uid',
    rule: 'setreuid(2) without CAP_SETUID cannot pick an effective uid that is not the real, effective or saved uid',
    process: ALICE,
    calls: ['setreuid(-1, 0) = EPERM', 'setreuid(0, -1) = EPERM'],
    after: { ruid: 1000, euid: 1000, suid: 1000 },
  }),
  c({
    id: 'credentials/setreuid-effective-sets-saved',
    rule: 'setreuid(-1, e) with e different from the real uid also sets the saved uid to e; a real uid of 0 still lets the effective uid go back',
    process: ROOT,
    calls: ['setreuid(-1, 1000) = 0', 'getresuid() = 0', 'setreuid(-1, 0) = 0'],
    after: { ruid: 0, euid: 0, suid: 1000 },
  }),
  c({
    id: 'credentials/setresuid-unprivileged-permutation',
    rule: 'setresuid(2) without CAP_SETUID may set each uid to any of the current real, effective and saved uids',
    process: { uid: 1000, gid: 1000, euid: 1001, suid: 1002 },
    calls: ['setresuid(1002, 1000, 1001) = 0'],
    after: { ruid: 1002, euid: 1000, suid: 1001, fsuid: 1000 },
  }),
  c({
    id: 'credentials/setresuid-unprivileged-foreign-saved',
    rule: 'setresuid(2) without CAP_SETUID fails with EPERM if any new uid is not one of the current three',
    process: ALICE,
    calls: ['setresuid(-1, -1, 0) = EPERM', 'setresuid(-1, -1, -1) = 0'],
    after: { ruid: 1000, euid: 1000, suid: 1000 },
  }),
  c({
    id: 'credentials/setfsuid-returns-previous',
    rule: 'setfsuid(2) returns the previous fsuid whether or not it succeeds; -1 changes nothing; leaving fsuid 0 drops the filesystem capabilities from the effective set',
    process: ROOT,
    calls: ['setfsuid(1000) = 0', 'setfsuid(-1) = 1000', 'geteuid() = 0'],
    after: { euid: 0, fsuid: 1000, permitted: 'all', effective: FS_CAPS_DROPPED },
  }),
  c({
    id: 'credentials/setfsuid-unprivileged-denied',
    rule: 'setfsuid(2) without CAP_SETUID only accepts the real, effective, saved or current fsuid; otherwise nothing changes and the old value is returned',
    process: ALICE,
    calls: ['setfsuid(0) = 1000', 'setfsuid(-1) = 1000'],
    after: { fsuid: 1000 },
  }),
  c({
    id: 'credentials/setfsuid-unprivileged-to-saved',
    rule: 'setfsuid(2) without CAP_SETUID may set the fsuid to the saved uid',
    process: { uid: 1000, gid: 1000, suid: 2000 },
    calls: ['setfsuid(2000) = 1000', 'setfsuid(-1) = 2000'],
    after: { euid: 1000, fsuid: 2000 },
  }),
  c({
    id: 'credentials/keepcaps-keeps-permitted',
    rule: 'with PR_SET_KEEPCAPS, a full drop from uid 0 keeps the permitted set (the effective set is still cleared)',
    process: ROOT,
    calls: ['prctl(PR_SET_KEEPCAPS, 1) = 0', 'prctl(PR_GET_KEEPCAPS) = 1', 'setresuid(1000, 1000, 1000) = 0'],
    after: { ruid: 1000, euid: 1000, suid: 1000, permitted: 'all', effective: [], securebits: ['SECBIT_KEEP_CAPS'] },
  }),
  c({
    id: 'credentials/keepcaps-then-capset',
    rule: 'after a drop with KEEP_CAPS the process may raise into its effective set any capability it still holds as permitted',
    process: ROOT,
    calls: ['prctl(PR_SET_KEEPCAPS, 1) = 0', 'setresuid(1000, 1000, 1000) = 0', 'capset(CAP_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE, 0) = 0'],
    after: { euid: 1000, permitted: ['CAP_NET_BIND_SERVICE'], effective: ['CAP_NET_BIND_SERVICE'] },
  }),
  c({
    id: 'credentials/keepcaps-bad-argument',
    rule: 'PR_SET_KEEPCAPS takes 0 or 1; anything else is EINVAL',
    process: ROOT,
    calls: ['prctl(PR_SET_KEEPCAPS, 2) = EINVAL'],
    after: { securebits: [] },
  }),
  c({
    id: 'credentials/setgid-from-root',
    rule: 'setgid(2) with CAP_SETGID sets the real, effective, saved and filesystem gids',
    process: ROOT,
    calls: ['setgid(1000) = 0', 'getgid() = 1000', 'getegid() = 1000'],
    after: { rgid: 1000, egid: 1000, sgid: 1000, fsgid: 1000, euid: 0 },
  }),
  c({
    id: 'credentials/setgid-unprivileged',
    rule: 'setgid(2) without CAP_SETGID may only set the effective gid to the real or saved gid',
    process: ALICE,
    calls: ['setgid(0) = EPERM', 'setgid(1000) = 0'],
    after: { rgid: 1000, egid: 1000 },
  }),
  c({
    id: 'credentials/setgroups-unprivileged',
    rule: 'setgroups(2) needs CAP_SETGID',
    process: ALICE,
    calls: ['setgroups(42) = EPERM', 'setgroups() = EPERM'],
    after: { groups: [] },
  }),
  c({
    id: 'credentials/setgroups-sorted',
    rule: 'setgroups(2) replaces the supplementary groups; the kernel keeps them sorted (groups_sort), so getgroups returns them in order',
    process: ROOT,
    calls: ['setgroups(20, 10, 30) = 0', 'getgroups() = 3'],
    after: { groups: [10, 20, 30] },
  }),
  c({
    id: 'credentials/setuid-does-not-touch-groups',
    rule: 'changing uids leaves the gids and supplementary groups alone',
    process: { uid: 0, gid: 0, groups: [42] },
    calls: ['setuid(1000) = 0'],
    after: { ruid: 1000, rgid: 0, egid: 0, groups: [42] },
  }),
];
