/**
 * The five capability sets and what moves them without execve: capset's rules, the
 * bounding set (PR_CAPBSET_*), ambient capabilities (PR_CAP_AMBIENT), no_new_privs,
 * and securebits (SECBIT_NOROOT, NO_SETUID_FIXUP, KEEP_CAPS and their locks). Rules:
 * capabilities(7), capset(2), prctl(2), PR_SET_SECUREBITS(2const); security/commoncap.c
 * (cap_capset, cap_prctl_drop, cap_task_prctl), kernel/sys.c (prctl).
 */
import { ALICE, allBut, caseOf, ROOT, type CaseInput, type ConformanceCase } from '../case.js';

const c = (input: CaseInput): ConformanceCase => caseOf('capabilities', input);

const alice = (caps: Partial<typeof ALICE>) => ({ ...ALICE, ...caps });

export const CAPABILITY_CASES: readonly ConformanceCase[] = [
  c({
    id: 'capabilities/capset-cannot-grow-permitted',
    rule: 'capset(2): the new permitted set must be a subset of the old one (EPERM)',
    process: alice({ caps: ['CAP_CHOWN'] }),
    calls: ['capset(CAP_CHOWN|CAP_KILL, CAP_CHOWN|CAP_KILL, 0) = EPERM'],
    after: { permitted: ['CAP_CHOWN'], effective: ['CAP_CHOWN'] },
  }),
  c({
    id: 'capabilities/capset-effective-within-permitted',
    rule: 'capset(2): the new effective set must be a subset of the new permitted set (EPERM)',
    process: alice({ caps: ['CAP_CHOWN', 'CAP_KILL'] }),
    calls: ['capset(CAP_KILL, CAP_CHOWN, 0) = EPERM'],
    after: { permitted: ['CAP_CHOWN', 'CAP_KILL'] },
  }),
  c({
    id: 'capabilities/capset-drop-permitted',
    rule: 'capset(2) may always shrink the permitted and effective sets',
    process: alice({ caps: ['CAP_CHOWN', 'CAP_KILL'] }),
    calls: ['capset(CAP_KILL, CAP_KILL, 0) = 0', 'capset(CAP_CHOWN|CAP_KILL, CAP_CHOWN|CAP_KILL, 0) = EPERM'],
    after: { permitted: ['CAP_KILL'], effective: ['CAP_KILL'] },
  }),
  c({
    id: 'capabilities/capset-effective-raise-from-permitted',
    rule: 'capset(2) may raise into the effective set what the permitted set holds',
    process: alice({ caps: ['CAP_CHOWN', 'CAP_KILL'], effective: [] }),
    calls: ['capset(CAP_KILL, CAP_CHOWN|CAP_KILL, 0) = 0'],
    after: { permitted: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_KILL'] },
  }),
  c({
    id: 'capabilities/capset-inheritable-needs-permitted',
    rule: 'capset(2) without CAP_SETPCAP: the new inheritable set must lie within the old inheritable and permitted sets',
    process: alice({ caps: ['CAP_CHOWN'] }),
    calls: ['capset(CAP_CHOWN, CAP_CHOWN, CAP_KILL) = EPERM', 'capset(CAP_CHOWN, CAP_CHOWN, CAP_CHOWN) = 0'],
    after: { inheritable: ['CAP_CHOWN'] },
  }),
  c({
    id: 'capabilities/capset-inheritable-with-setpcap',
    rule: 'capset(2) with CAP_SETPCAP effective may add any capability of the bounding set to the inheritable set',
    process: alice({ caps: ['CAP_SETPCAP'] }),
    calls: ['capset(CAP_SETPCAP, CAP_SETPCAP, CAP_KILL|CAP_NET_RAW) = 0'],
    after: { permitted: ['CAP_SETPCAP'], inheritable: ['CAP_KILL', 'CAP_NET_RAW'] },
  }),
  c({
    id: 'capabilities/capset-inheritable-outside-bounding',
    rule: 'capset(2): even with CAP_SETPCAP the inheritable set cannot gain a capability the bounding set lacks',
    process: alice({ caps: ['CAP_SETPCAP'], bounding: allBut('CAP_KILL') }),
    calls: ['capset(CAP_SETPCAP, CAP_SETPCAP, CAP_KILL) = EPERM'],
    after: { inheritable: [] },
  }),
  c({
    id: 'capabilities/bounding-drop-needs-setpcap',
    rule: 'PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set',
    process: ALICE,
    calls: ['prctl(PR_CAPBSET_DROP, CAP_KILL) = EPERM', 'prctl(PR_CAPBSET_READ, CAP_KILL) = 1'],
    after: { bounding: 'all' },
  }),
  c({
    id: 'capabilities/bounding-drop-keeps-permitted',
    rule: 'PR_CAPBSET_DROP removes a capability from the bounding set only; the permitted and effective sets keep it',
    process: ROOT,
    calls: ['prctl(PR_CAPBSET_DROP, CAP_NET_RAW) = 0', 'prctl(PR_CAPBSET_READ, CAP_NET_RAW) = 0', 'prctl(PR_CAPBSET_DROP, CAP_NET_RAW) = 0'],
    after: { bounding: allBut('CAP_NET_RAW'), permitted: 'all', effective: 'all' },
  }),
  c({
    id: 'capabilities/bounding-invalid-capability',
    rule: 'PR_CAPBSET_READ and PR_CAPBSET_DROP of a number beyond CAP_LAST_CAP fail with EINVAL',
    process: ROOT,
    calls: ['prctl(PR_CAPBSET_READ, 63) = EINVAL', 'prctl(PR_CAPBSET_DROP, 63) = EINVAL'],
    after: { bounding: 'all' },
  }),
  c({
    id: 'capabilities/ambient-raise-needs-inheritable',
    rule: 'PR_CAP_AMBIENT_RAISE needs the capability in both the permitted and the inheritable sets (EPERM)',
    process: alice({ caps: ['CAP_NET_BIND_SERVICE'] }),
    calls: ['prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) = EPERM'],
    after: { ambient: [] },
  }),
  c({
    id: 'capabilities/ambient-raise',
    rule: 'PR_CAP_AMBIENT_RAISE adds a capability that is permitted and inheritable; IS_SET then says 1',
    process: alice({ caps: ['CAP_NET_BIND_SERVICE'], inheritable: ['CAP_NET_BIND_SERVICE'] }),
    calls: ['prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) = 0', 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) = 1'],
    after: { ambient: ['CAP_NET_BIND_SERVICE'] },
  }),
  c({
    id: 'capabilities/ambient-follows-inheritable',
    rule: 'dropping a capability from the inheritable (or permitted) set with capset also drops it from the ambient set',
    process: alice({ caps: ['CAP_NET_BIND_SERVICE'], inheritable: ['CAP_NET_BIND_SERVICE'], ambient: ['CAP_NET_BIND_SERVICE'] }),
    calls: ['capset(CAP_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE, 0) = 0', 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) = 0'],
    after: { ambient: [], inheritable: [], permitted: ['CAP_NET_BIND_SERVICE'] },
  }),
  c({
    id: 'capabilities/ambient-lower-and-clear',
    rule: 'PR_CAP_AMBIENT_LOWER removes one capability, PR_CAP_AMBIENT_CLEAR_ALL all of them',
    process: alice({ caps: ['CAP_KILL', 'CAP_NET_RAW'], inheritable: ['CAP_KILL', 'CAP_NET_RAW'], ambient: ['CAP_KILL', 'CAP_NET_RAW'] }),
    calls: ['prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_KILL, 0, 0) = 0', 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0) = 1', 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) = 0'],
    after: { ambient: [], permitted: ['CAP_KILL', 'CAP_NET_RAW'] },
  }),
  c({
    id: 'capabilities/ambient-unused-arguments',
    rule: 'PR_CAP_AMBIENT rejects non-zero unused arguments with EINVAL (CLEAR_ALL takes none at all)',
    process: ROOT,
    calls: ['prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0) = EINVAL', 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 1, 0) = EINVAL'],
  }),
  c({
    id: 'capabilities/ambient-no-raise-securebit',
    rule: 'SECBIT_NO_CAP_AMBIENT_RAISE forbids PR_CAP_AMBIENT_RAISE (EPERM)',
    process: alice({ caps: ['CAP_KILL'], inheritable: ['CAP_KILL'], securebits: ['SECBIT_NO_CAP_AMBIENT_RAISE'] }),
    calls: ['prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) = EPERM'],
    after: { ambient: [] },
  }),
  c({
    id: 'capabilities/no-new-privs-set-and-get',
    rule: 'PR_SET_NO_NEW_PRIVS needs no privilege and PR_GET_NO_NEW_PRIVS reports it',
    process: ALICE,
    calls: ['prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) = 0', 'prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0', 'prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) = 1'],
    after: { noNewPrivs: true },
  }),
  c({
    id: 'capabilities/no-new-privs-cannot-be-unset',
    rule: 'no_new_privs is one-way: PR_SET_NO_NEW_PRIVS takes only 1 (EINVAL otherwise), and unused arguments must be 0',
    process: { ...ALICE, noNewPrivs: true },
    calls: ['prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) = EINVAL', 'prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0) = EINVAL'],
    after: { noNewPrivs: true },
  }),
  c({
    id: 'capabilities/securebits-need-setpcap',
    rule: 'PR_SET_SECUREBITS needs CAP_SETPCAP (EPERM)',
    process: ALICE,
    calls: ['prctl(PR_SET_SECUREBITS, SECBIT_NOROOT) = EPERM', 'prctl(PR_GET_SECUREBITS) = 0'],
    after: { securebits: [] },
  }),
  c({
    id: 'capabilities/securebits-locked',
    rule: 'a securebit whose _LOCKED bit is set cannot be changed any more, even by root (EPERM)',
    process: ROOT,
    calls: ['prctl(PR_SET_SECUREBITS, SECBIT_NOROOT|SECBIT_NOROOT_LOCKED) = 0', 'prctl(PR_SET_SECUREBITS, 0) = EPERM', 'prctl(PR_GET_SECUREBITS) = 3'],
    after: { securebits: ['SECBIT_NOROOT', 'SECBIT_NOROOT_LOCKED'] },
  }),
  c({
    id: 'capabilities/keepcaps-locked',
    rule: 'with SECBIT_KEEP_CAPS_LOCKED, PR_SET_KEEPCAPS fails with EPERM',
    process: { ...ROOT, securebits: ['SECBIT_KEEP_CAPS_LOCKED'] },
    calls: ['prctl(PR_SET_KEEPCAPS, 1) = EPERM'],
    after: { securebits: ['SECBIT_KEEP_CAPS_LOCKED'] },
  }),
  c({
    id: 'capabilities/no-setuid-fixup-keeps-caps',
    rule: 'with SECBIT_NO_SETUID_FIXUP, uid changes leave all capability sets alone, even a full drop from 0',
    process: { ...ROOT, securebits: ['SECBIT_NO_SETUID_FIXUP'] },
    calls: ['setresuid(1000, 1000, 1000) = 0'],
    after: { euid: 1000, permitted: 'all', effective: 'all' },
  }),
  c({
    id: 'capabilities/euid-zero-refills-effective',
    rule: 'an effective uid returning to 0 sets the effective set to the permitted set',
    process: { uid: 1000, gid: 1000, euid: 1000, suid: 0, caps: 'all', effective: [] },
    calls: ['setresuid(-1, 0, -1) = 0'],
    after: { ruid: 1000, euid: 0, suid: 0, permitted: 'all', effective: 'all' },
  }),
  c({
    id: 'capabilities/capget-reports-success',
    rule: 'capget(2) with the version 3 header returns 0',
    process: alice({ caps: ['CAP_KILL'] }),
    calls: ['capget() = 0'],
    after: { permitted: ['CAP_KILL'] },
  }),
];
