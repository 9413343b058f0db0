/**
 * What execve does to credentials: set-user-ID and set-group-ID binaries, file
 * capabilities, ambient capabilities, root's special case, and what stops privilege
 * from growing (no_new_privs, SECBIT_NOROOT, nosuid mounts). The program run is a
 * probe: on the real side the helper itself, which reports the credentials it was
 * given; execve must therefore be a case's last call. Rules: capabilities(7)
 * "Transformation of capabilities during execve()", execve(2), prctl(2)
 * PR_SET_NO_NEW_PRIVS; fs/exec.c (bprm_fill_uid), security/commoncap.c
 * (cap_bprm_creds_from_file, handle_privileged_root).
 */
import { ALICE, bind, caseOf, dir, probe, ROOT, type CaseInput, type ConformanceCase } from '../case.js';

const c = (input: CaseInput): ConformanceCase => caseOf('exec', input);

const SETUID_ROOT = probe('/bin/probe', { mode: 0o4755, owner: 0, group: 0 });

export const EXEC_CASES: readonly ConformanceCase[] = [
  c({
    id: 'exec/setuid-root-binary',
    rule: 'executing a set-user-ID-root file sets the effective and saved uids to 0 and, as root, fills permitted and effective from the bounding set',
    fs: [SETUID_ROOT],
    process: ALICE,
    calls: ['execve("/bin/probe") = 0'],
    after: { ruid: 1000, euid: 0, suid: 0, fsuid: 0, permitted: 'all', effective: 'all' },
  }),
  c({
    id: 'exec/setuid-root-no-new-privs',
    rule: 'with no_new_privs, the set-user-ID bit is ignored: the uids and capabilities stay as they were',
    fs: [SETUID_ROOT],
    process: { ...ALICE, noNewPrivs: true },
    calls: ['execve("/bin/probe") = 0'],
    after: { ruid: 1000, euid: 1000, suid: 1000, permitted: [], noNewPrivs: true },
  }),
  c({
    id: 'exec/setuid-root-noroot',
    rule: 'with SECBIT_NOROOT, uid 0 earns no capabilities at execve: the set-user-ID-root file changes the euid only',
    fs: [SETUID_ROOT],
    process: { ...ALICE, securebits: ['SECBIT_NOROOT'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { euid: 0, suid: 0, permitted: [], effective: [], securebits: ['SECBIT_NOROOT'] },
  }),
  c({
    id: 'exec/setuid-other-user',
    rule: 'a set-user-ID file owned by another user makes that user the effective and saved uid, with no capabilities',
    fs: [probe('/bin/probe', { mode: 0o4755, owner: 2000, group: 2000 })],
    process: ALICE,
    calls: ['execve("/bin/probe") = 0'],
    after: { ruid: 1000, euid: 2000, suid: 2000, permitted: [], effective: [] },
  }),
  c({
    id: 'exec/setgid-binary',
    rule: 'a set-group-ID file makes its group the effective and saved gid',
    fs: [probe('/bin/probe', { mode: 0o2755, owner: 0, group: 42 })],
    process: ALICE,
    calls: ['execve("/bin/probe") = 0'],
    after: { rgid: 1000, egid: 42, sgid: 42, euid: 1000 },
  }),
  c({
    id: 'exec/root-runs-plain-binary',
    rule: 'root executing any file gets permitted and effective sets equal to its bounding set',
    fs: [probe('/bin/probe')],
    process: { ...ROOT, bounding: ['CAP_CHOWN', 'CAP_KILL'], caps: 'all' },
    calls: ['execve("/bin/probe") = 0'],
    after: { euid: 0, permitted: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_CHOWN', 'CAP_KILL'] },
  }),
  c({
    id: 'exec/unprivileged-loses-permitted',
    rule: 'an ordinary process executing an ordinary file keeps no permitted capabilities (P\' = (P(inh) & F(inh)) | (F(perm) & bounding) | ambient)',
    fs: [probe('/bin/probe')],
    process: { ...ALICE, caps: ['CAP_KILL'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { permitted: [], effective: [] },
  }),
  c({
    id: 'exec/file-caps-effective',
    rule: 'file capabilities with the effective bit: the file\'s permitted set (within the bounding set) becomes permitted and effective',
    fs: [probe('/bin/probe', { caps: ['CAP_NET_RAW', 'CAP_NET_BIND_SERVICE'], effective: true })],
    process: ALICE,
    calls: ['execve("/bin/probe") = 0'],
    after: { euid: 1000, permitted: ['CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'], effective: ['CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'] },
  }),
  c({
    id: 'exec/file-caps-not-effective',
    rule: 'file capabilities without the effective bit land in the permitted set only',
    fs: [probe('/bin/probe', { caps: ['CAP_NET_RAW'], effective: false })],
    process: ALICE,
    calls: ['execve("/bin/probe") = 0'],
    after: { permitted: ['CAP_NET_RAW'], effective: [] },
  }),
  c({
    id: 'exec/file-caps-limited-by-bounding',
    rule: 'a file capability outside the bounding set is not granted; the others are',
    fs: [probe('/bin/probe', { caps: ['CAP_NET_RAW', 'CAP_KILL'], effective: false })],
    process: { ...ALICE, bounding: ['CAP_KILL'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { permitted: ['CAP_KILL'], effective: [] },
  }),
  c({
    id: 'exec/capability-dumb-binary-refused',
    rule: 'a capability-dumb binary (effective bit set) that would not get every capability of its file permitted set is refused with EPERM (capabilities(7), "Safety checking for capability-dumb binaries")',
    fs: [probe('/bin/probe', { caps: ['CAP_NET_RAW', 'CAP_KILL'], effective: true })],
    process: { ...ALICE, bounding: ['CAP_KILL'] },
    calls: ['execve("/bin/probe") = EPERM', 'getuid() = 1000'],
    after: { permitted: [], bounding: ['CAP_KILL'] },
  }),
  c({
    id: 'exec/file-inheritable',
    rule: 'the process\'s inheritable set meets the file\'s inheritable set: their intersection becomes permitted',
    fs: [probe('/bin/probe', { inheritable: ['CAP_KILL', 'CAP_CHOWN'], effective: true })],
    process: { ...ALICE, caps: ['CAP_KILL'], inheritable: ['CAP_KILL'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { permitted: ['CAP_KILL'], effective: ['CAP_KILL'], inheritable: ['CAP_KILL'] },
  }),
  c({
    id: 'exec/ambient-survives',
    rule: 'ambient capabilities survive the execve of an unprivileged file and become permitted and effective',
    fs: [probe('/bin/probe')],
    process: { ...ALICE, caps: ['CAP_NET_BIND_SERVICE'], inheritable: ['CAP_NET_BIND_SERVICE'], ambient: ['CAP_NET_BIND_SERVICE'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { permitted: ['CAP_NET_BIND_SERVICE'], effective: ['CAP_NET_BIND_SERVICE'], ambient: ['CAP_NET_BIND_SERVICE'] },
  }),
  c({
    id: 'exec/ambient-cleared-by-setuid-binary',
    rule: 'executing a set-user-ID file clears the ambient set',
    fs: [probe('/bin/probe', { mode: 0o4755, owner: 2000, group: 0 })],
    process: { ...ALICE, caps: ['CAP_NET_BIND_SERVICE'], inheritable: ['CAP_NET_BIND_SERVICE'], ambient: ['CAP_NET_BIND_SERVICE'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { euid: 2000, ambient: [], permitted: [] },
  }),
  c({
    id: 'exec/keepcaps-cleared',
    rule: 'execve clears SECBIT_KEEP_CAPS (the other securebits stay)',
    fs: [probe('/bin/probe')],
    process: { ...ALICE, securebits: ['SECBIT_KEEP_CAPS', 'SECBIT_NOROOT'] },
    calls: ['execve("/bin/probe") = 0'],
    after: { securebits: ['SECBIT_NOROOT'] },
  }),
  c({
    id: 'exec/nosuid-mount',
    rule: 'on a nosuid mount the set-user-ID bit and file capabilities are ignored',
    fs: [dir('/opt'), probe('/opt/probe', { mode: 0o4755, owner: 0, group: 0 }), dir('/nosuid'), bind('/opt', '/nosuid', { nosuid: true })],
    process: ALICE,
    calls: ['execve("/nosuid/probe") = 0'],
    after: { euid: 1000, permitted: [] },
  }),
  c({
    id: 'exec/needs-execute-permission',
    rule: 'execve of a file without execute permission for the caller fails with EACCES; without any x bit even root gets EACCES',
    fs: [probe('/bin/probe', { mode: 0o644 })],
    process: ROOT,
    calls: ['execve("/bin/probe") = EACCES', 'getuid() = 0'],
  }),
];
