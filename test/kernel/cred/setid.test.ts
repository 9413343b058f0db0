// Proves the set*id family follows kernel/sys.c and the man pages: who may set which id to
// what, what happens to the saved and filesystem ids, (uid_t)-1, setfsuid's never-failing
// return value, setgroups' CAP_SETGID and sorting — each case as the man page states it and
// as Linux 6.18 was observed to behave.
import { describe, expect, it } from 'vitest';
import { caps, callWith, credsOf } from './helpers.js';

const ids = (c: { ruid: number; euid: number; suid: number; fsuid: number }) => [c.ruid, c.euid, c.suid, c.fsuid];
const gids = (c: { rgid: number; egid: number; sgid: number; fsgid: number }) => [c.rgid, c.egid, c.sgid, c.fsgid];

describe('setuid(2)', () => {
  it('with CAP_SETUID sets real, effective, saved and filesystem uids (setuid(2): "the real UID and saved set-user-ID are also set")', () => {
    const call = callWith(credsOf(0), 'setuid', [1000]);
    expect(call.ret).toBe(0);
    expect(ids(call.creds)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('without CAP_SETUID may set the effective uid to the real uid or the saved set-user-ID only', () => {
    const setuidProgram = credsOf(1000, { euid: 0, suid: 0, fsuid: 0, caps: { permitted: 0n, effective: 0n } });
    expect(ids(callWith(setuidProgram, 'setuid', [1000]).creds)).toEqual([1000, 1000, 0, 1000]);
    const dropped = credsOf(1000, { suid: 2000 });
    expect(ids(callWith(dropped, 'setuid', [2000]).creds)).toEqual([1000, 2000, 2000, 2000]);
    const refused = callWith(credsOf(1000), 'setuid', [0]);
    expect(refused.errno).toBe('EPERM');
    expect(refused.result.note).toMatch(/real uid \(1000\) or the saved set-user-ID \(1000\)/);
    expect(refused.events).toEqual([]);
  });

  it('refuses (uid_t)-1 with EINVAL (setuid(2) ERRORS: "uid is not valid in this user namespace")', () => {
    expect(callWith(credsOf(0), 'setuid', [-1]).errno).toBe('EINVAL');
  });

  it('reads only the low 32 bits of the register, as uid_t is 32-bit', () => {
    expect(ids(callWith(credsOf(0), 'setuid', [0x1_0000_03e8n]).creds)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('checks CAP_SETUID in the effective set, not the permitted one (capabilities(7))', () => {
    const permittedOnly = credsOf(1000, { caps: { permitted: caps('CAP_SETUID'), effective: 0n } });
    expect(callWith(permittedOnly, 'setuid', [0]).errno).toBe('EPERM');
    const effective = credsOf(1000, { caps: { permitted: caps('CAP_SETUID'), effective: caps('CAP_SETUID') } });
    expect(ids(callWith(effective, 'setuid', [0]).creds)).toEqual([0, 0, 0, 0]);
  });
});

describe('setreuid(2)', () => {
  it('lets an unprivileged process swap its real and effective uids (BSD style)', () => {
    const call = callWith(credsOf(1000, { euid: 2000, suid: 2000, fsuid: 2000 }), 'setreuid', [2000, 1000]);
    expect(ids(call.creds)).toEqual([2000, 1000, 1000, 1000]);
  });

  it('refuses a real uid other than the real or effective uid: "an unprivileged process may only set ruid to ruid or euid"', () => {
    const call = callWith(credsOf(1000, { suid: 3000 }), 'setreuid', [3000, -1]);
    expect(call.errno).toBe('EPERM');
  });

  it('allows an effective uid equal to the saved uid, refuses any other', () => {
    expect(callWith(credsOf(1000, { suid: 3000 }), 'setreuid', [-1, 3000]).creds.euid).toBe(3000);
    expect(callWith(credsOf(1000, { suid: 3000 }), 'setreuid', [-1, 4000]).errno).toBe('EPERM');
  });

  it('sets the saved uid to the new euid when ruid is set or euid differs from the old ruid, else leaves it', () => {
    const root = credsOf(0);
    expect(ids(callWith(root, 'setreuid', [-1, 1000]).creds)).toEqual([0, 1000, 1000, 1000]);
    const temp = credsOf(1000, { euid: 0, suid: 0, fsuid: 0 });
    expect(ids(callWith(temp, 'setreuid', [-1, 1000]).creds)).toEqual([1000, 1000, 0, 1000]);
    expect(ids(callWith(root, 'setreuid', [1000, -1]).creds)).toEqual([1000, 0, 0, 0]);
  });

  it('treats setreuid(-1, -1) as a call that changes nothing, except that fsuid follows euid again (Linux 6.18: fsuid 1000 → 0)', () => {
    const call = callWith(credsOf(1000), 'setreuid', [-1, -1]);
    expect(call.ret).toBe(0);
    expect(call.events).toEqual([]);
    const reset = callWith(credsOf(0, { fsuid: 1000 }), 'setreuid', [-1, -1]);
    expect(ids(reset.creds)).toEqual([0, 0, 0, 0]);
  });
});

describe('setresuid(2)', () => {
  it('lets an unprivileged process set each id to any of its current real, effective or saved uids', () => {
    const call = callWith(credsOf(1000, { euid: 0, suid: 0, fsuid: 0, caps: { permitted: 0n, effective: 0n } }), 'setresuid', [0, 1000, 0]);
    expect(ids(call.creds)).toEqual([0, 1000, 0, 1000]);
  });

  it('refuses any other value without CAP_SETUID', () => {
    const call = callWith(credsOf(1000, { suid: 2000 }), 'setresuid', [-1, 3000, -1]);
    expect(call.errno).toBe('EPERM');
    expect(call.result.note).toMatch(/current ruid, euid or suid \(1000, 1000, 2000\), not 3000/);
  });

  it('is glibc seteuid: setresuid(-1, e, -1) changes only euid and fsuid', () => {
    expect(ids(callWith(credsOf(0), 'setresuid', [-1, 1000, -1]).creds)).toEqual([0, 1000, 0, 1000]);
  });

  it('returns at once when nothing would change, so a setfsuid value survives setresuid(-1, -1, -1) (kernel/sys.c no-op check)', () => {
    const call = callWith(credsOf(0, { fsuid: 1000 }), 'setresuid', [-1, -1, -1]);
    expect(call.ret).toBe(0);
    expect(call.events).toEqual([]);
    expect(call.creds.fsuid).toBe(1000);
    expect(callWith(credsOf(0, { fsuid: 1000 }), 'setresuid', [-1, 0, -1]).creds.fsuid).toBe(0);
  });

  it('accepts 4294967294 (-2) as an ordinary uid: only -1 means unchanged', () => {
    expect(callWith(credsOf(0), 'setresuid', [-2, -1, -1]).creds.ruid).toBe(4294967294);
  });
});

describe('setfsuid(2)', () => {
  it('returns the previous fsuid on success and on failure, and never an error', () => {
    const ok = callWith(credsOf(0), 'setfsuid', [1000]);
    expect([ok.ret, ok.errno, ok.creds.fsuid]).toEqual([0, null, 1000]);
    const refused = callWith(credsOf(1000), 'setfsuid', [0]);
    expect([refused.ret, refused.errno, refused.creds.fsuid]).toEqual([1000, null, 1000]);
    expect(refused.result.note).toMatch(/never fails/);
  });

  it('lets an unprivileged process pick its real, effective, saved or current fsuid', () => {
    const creds = credsOf(1000, { euid: 2000, suid: 3000, fsuid: 2000 });
    for (const target of [1000, 2000, 3000]) expect(callWith(creds, 'setfsuid', [target]).creds.fsuid).toBe(target);
  });

  it('answers setfsuid(-1) with the current fsuid and changes nothing (the usual way to read it)', () => {
    const call = callWith(credsOf(0, { fsuid: 1234 }), 'setfsuid', [-1]);
    expect([call.ret, call.events.length]).toEqual([1234, 0]);
  });
});

describe('the group calls (setgid(2), setregid(2), setresgid(2), setfsgid(2))', () => {
  it('mirror the uid rules with CAP_SETGID', () => {
    expect(gids(callWith(credsOf(0), 'setgid', [50]).creds)).toEqual([50, 50, 50, 50]);
    expect(callWith(credsOf(1000), 'setgid', [50]).errno).toBe('EPERM');
    expect(gids(callWith(credsOf(1000, { sgid: 50 }), 'setgid', [50]).creds)).toEqual([1000, 50, 50, 50]);
    expect(gids(callWith(credsOf(0), 'setregid', [-1, 50]).creds)).toEqual([0, 50, 50, 50]);
    expect(gids(callWith(credsOf(0), 'setresgid', [7, 8, 9]).creds)).toEqual([7, 8, 9, 8]);
    expect(callWith(credsOf(1000), 'setresgid', [-1, 7, -1]).errno).toBe('EPERM');
    expect(callWith(credsOf(1000), 'setfsgid', [7]).ret).toBe(1000);
    expect(callWith(credsOf(0), 'setfsgid', [7]).creds.fsgid).toBe(7);
  });

  it('never touch capabilities: leaving gid 0 is not leaving uid 0', () => {
    const root = credsOf(0);
    expect(callWith(root, 'setresgid', [1000, 1000, 1000]).creds.caps).toEqual(root.caps);
  });

  it('refuse (gid_t)-1 in setgid with EINVAL', () => {
    expect(callWith(credsOf(0), 'setgid', [-1]).errno).toBe('EINVAL');
  });
});

describe('setgroups(2) and getgroups(2)', () => {
  it('needs CAP_SETGID (EPERM) and keeps the list sorted, as groups_sort does', () => {
    expect(callWith(credsOf(1000), 'setgroups', [5, 3]).errno).toBe('EPERM');
    const call = callWith(credsOf(0), 'setgroups', [5, 3, 1, 3]);
    expect(call.creds.groups).toEqual([1, 3, 3, 5]);
    expect(callWith(call.creds, 'getgroups').ret).toBe(4);
  });

  it('refuses an invalid gid with EINVAL and clears the list with no arguments', () => {
    expect(callWith(credsOf(0), 'setgroups', [1, -1]).errno).toBe('EINVAL');
    expect(callWith(credsOf(0, { groups: [4, 5] }), 'setgroups').creds.groups).toEqual([]);
  });

  it('getgroups(0, NULL) counts; a size below the count is EINVAL; a negative size is EINVAL', () => {
    const creds = credsOf(1000, { groups: [1, 3, 5] });
    expect(callWith(creds, 'getgroups', [0, 0]).ret).toBe(3);
    expect(callWith(creds, 'getgroups', [1, 0]).errno).toBe('EINVAL');
    expect(callWith(creds, 'getgroups', [-1, 0]).errno).toBe('EINVAL');
    expect(callWith(creds, 'getgroups', [8, 0]).errno).toBe('EFAULT');
  });
});
