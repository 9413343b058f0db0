// Proves the credential calls work end to end from scenario text: the permanent drop
// (setuid as root) and the temporary one (seteuid), keepcaps, capset, ambient raise,
// no_new_privs, ids copied to user memory and EFAULT — with the cred invariants enabled
// and holding throughout.
import { describe, expect, it } from 'vitest';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { processByName } from '../../../engine/kernel/state.js';
import { capabilityBit } from '../../../engine/kernel/syscall/constants.js';

const HEADER = 'scenario "credentials"\ninvariant cred.permanent-drop, cred.capability-sets\n';

function run(body: string) {
  const result = runText(HEADER + body);
  expect(failuresOf(result)).toEqual([]);
  expect(result.violations).toEqual([]);
  return result;
}

const credsOf = (result: ReturnType<typeof run>, name: string) => processByName(result.state.kernel, name)!.creds;

describe('privilege drops from scenario text', () => {
  it('setuid(1000) as root is permanent: setuid(0) and seteuid(0) fail afterwards (setuid(2))', () => {
    const result = run(`process daemon { uid: 0 }
daemon: syscall setuid(1000) expect returns 0
daemon: syscall setuid(0) expect errno EPERM
daemon: syscall seteuid(0) expect errno EPERM
daemon: syscall setresuid(0, 0, 0) expect errno EPERM
daemon: syscall getuid expect returns 1000
daemon: syscall capset(CAP_SETUID, CAP_SETUID, 0) expect errno EPERM
`);
    expect(credsOf(result, 'daemon').caps.permitted).toBe(0n);
  });

  it('seteuid(1000) as root is temporary: the saved uid 0 brings root back', () => {
    const result = run(`process server { uid: 0 }
server: syscall seteuid(1000) expect returns 0
server: syscall geteuid expect returns 1000
server: syscall capset(CAP_KILL, CAP_KILL, 0) expect returns 0
server: syscall seteuid(0) expect returns 0
server: syscall geteuid expect returns 0
`);
    expect(credsOf(result, 'server').caps.effective).toBe(capabilityBit('CAP_KILL'));
  });

  it('a set-user-ID program (euid 0, ruid 1000) drops for good with setresuid and keeps one capability with keepcaps', () => {
    const result = run(`process ping { uid: 1000, euid: 0, suid: 0, fsuid: 0, caps: all }
ping: syscall prctl(PR_SET_KEEPCAPS, 1) expect returns 0
ping: syscall setresuid(1000, 1000, 1000) expect returns 0
ping: syscall capset(CAP_NET_RAW, CAP_NET_RAW, 0) expect returns 0
ping: syscall prctl(PR_GET_DUMPABLE) expect returns 0
ping: syscall setuid(0) expect errno EPERM
`);
    const creds = credsOf(result, 'ping');
    expect([creds.ruid, creds.euid, creds.suid, creds.caps.permitted]).toEqual([1000, 1000, 1000, capabilityBit('CAP_NET_RAW')]);
  });

  it('an ambient capability needs permitted and inheritable, then shows in prctl(PR_CAP_AMBIENT_IS_SET)', () => {
    run(`process svc { uid: 1000, caps: CAP_NET_BIND_SERVICE }
svc: syscall prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) expect errno EPERM
svc: syscall capset(CAP_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE, CAP_NET_BIND_SERVICE) expect returns 0
svc: syscall prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) expect returns 0
svc: syscall prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) expect returns 1
svc: syscall capset(0, 0, 0) expect returns 0
svc: syscall prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) expect returns 0
`);
  });

  it('no_new_privs is set once and never unset', () => {
    run(`process box { uid: 1000 }
box: syscall prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) expect returns 0
box: syscall prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) expect errno EINVAL
box: syscall prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) expect returns 1
`);
  });
});

describe('results copied to user memory', () => {
  it('getresuid writes the three ids at the addresses given (put_user), each a little-endian uid_t', () => {
    const result = run(`process p { uid: 1000, euid: 0, suid: 0, fsuid: 0 }
p: map 0x400000 size 4 KiB rw user
p: syscall getresuid(0x400000, 0x400004, 0x400008) expect returns 0
p: read 0x400000 size 4 expect value 0x3e8
p: read 0x400004 size 4 expect value 0
p: syscall getresuid(0x400000, 0x500000, 0x400008) expect errno EFAULT
p: syscall getresgid expect returns 0
`);
    const detail = result.steps[1]!.outcome.syscall!.detail;
    expect(detail).toEqual({ ruid: 1000, euid: 0, suid: 0 });
  });

  it('getgroups writes the sorted list after setgroups', () => {
    run(`process p { uid: 0 }
p: map 0x400000 size 4 KiB rw user
p: syscall setgroups(30, 10, 20) expect returns 0
p: syscall getgroups(0, NULL) expect returns 3
p: syscall getgroups(3, 0x400000) expect returns 3
p: read 0x400000 size 4 expect value 10
p: read 0x400008 size 4 expect value 30
p: syscall getgroups(2, 0x400000) expect errno EINVAL
`);
  });
});
