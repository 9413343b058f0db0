// Proves prctl(2)'s credential options follow security/commoncap.c cap_task_prctl and
// kernel/sys.c: the bounding set (read, drop with CAP_SETPCAP), keepcaps, securebits and
// their locks, ambient capabilities, no_new_privs (set once, never unset) and dumpable,
// with the argument checks that make each EINVAL, as Linux 6.18 answered them.
import { describe, expect, it } from 'vitest';
import { capabilityNumber, constantValue } from '../../../engine/kernel/syscall/constants.js';
import { SECBIT_KEEP_CAPS } from '../../../engine/kernel/cred/securebits.js';
import { callWith, caps, credsOf } from './helpers.js';

const PR = (name: string) => constantValue(name)!;
const CAP = (name: string) => capabilityNumber(name)!;
const prctl = (creds: Parameters<typeof callWith>[0], option: string, ...args: (number | bigint)[]) => callWith(creds, 'prctl', [PR(option), ...args]);

describe('PR_CAPBSET_READ and PR_CAPBSET_DROP', () => {
  it('reads 1/0 and refuses an unknown capability with EINVAL', () => {
    const creds = credsOf(1000, { caps: { bounding: caps('CAP_KILL') } });
    expect(prctl(creds, 'PR_CAPBSET_READ', CAP('CAP_KILL')).ret).toBe(1);
    expect(prctl(creds, 'PR_CAPBSET_READ', CAP('CAP_CHOWN')).ret).toBe(0);
    expect(prctl(creds, 'PR_CAPBSET_READ', 99).errno).toBe('EINVAL');
  });

  it('drops with CAP_SETPCAP; without it EPERM (checked before the capability number)', () => {
    const dropped = prctl(credsOf(0), 'PR_CAPBSET_DROP', CAP('CAP_SYS_ADMIN'));
    expect(dropped.creds.caps.bounding & caps('CAP_SYS_ADMIN')).toBe(0n);
    expect(prctl(credsOf(1000), 'PR_CAPBSET_DROP', 99).errno).toBe('EPERM');
    expect(prctl(credsOf(0), 'PR_CAPBSET_DROP', 99).errno).toBe('EINVAL');
  });
});

describe('PR_GET_KEEPCAPS and PR_SET_KEEPCAPS', () => {
  it('set SECBIT_KEEP_CAPS; arg2 > 1 is EINVAL; a locked bit is EPERM', () => {
    const on = prctl(credsOf(1000), 'PR_SET_KEEPCAPS', 1);
    expect(on.creds.securebits).toBe(SECBIT_KEEP_CAPS);
    expect(prctl(on.creds, 'PR_GET_KEEPCAPS').ret).toBe(1);
    expect(prctl(on.creds, 'PR_SET_KEEPCAPS', 0).creds.securebits).toBe(0);
    expect(prctl(credsOf(1000), 'PR_SET_KEEPCAPS', 2).errno).toBe('EINVAL');
    expect(prctl(credsOf(1000, { securebits: PR('SECBIT_KEEP_CAPS_LOCKED') }), 'PR_SET_KEEPCAPS', 1).errno).toBe('EPERM');
  });
});

describe('PR_GET_SECUREBITS and PR_SET_SECUREBITS', () => {
  it('needs CAP_SETPCAP', () => {
    expect(prctl(credsOf(1000), 'PR_SET_SECUREBITS', PR('SECBIT_NOROOT')).errno).toBe('EPERM');
    expect(prctl(credsOf(0), 'PR_SET_SECUREBITS', PR('SECBIT_NOROOT')).creds.securebits).toBe(PR('SECBIT_NOROOT'));
  });

  it('refuses changing a locked bit and releasing a lock (EPERM), allows adding others', () => {
    const locked = credsOf(0, { securebits: PR('SECBIT_NOROOT') | PR('SECBIT_NOROOT_LOCKED') });
    expect(prctl(locked, 'PR_SET_SECUREBITS', PR('SECBIT_NOROOT_LOCKED')).errno).toBe('EPERM');
    expect(prctl(locked, 'PR_SET_SECUREBITS', PR('SECBIT_NOROOT')).errno).toBe('EPERM');
    const more = PR('SECBIT_NOROOT') | PR('SECBIT_NOROOT_LOCKED') | PR('SECBIT_KEEP_CAPS');
    expect(prctl(locked, 'PR_SET_SECUREBITS', more).creds.securebits).toBe(more);
    expect(prctl(locked, 'PR_GET_SECUREBITS').ret).toBe(3);
  });

  it('accepts bits 0–11 (Linux 6.14 added the SECBIT_EXEC_* pairs) and refuses 0x1000', () => {
    expect(prctl(credsOf(0), 'PR_SET_SECUREBITS', 0x100).creds.securebits).toBe(0x100);
    expect(prctl(credsOf(0), 'PR_SET_SECUREBITS', 0x1000).errno).toBe('EPERM');
  });
});

describe('PR_CAP_AMBIENT', () => {
  const raw = caps('CAP_NET_RAW');
  const ready = credsOf(1000, { caps: { permitted: raw, effective: raw, inheritable: raw } });

  it('raises a capability that is both permitted and inheritable, else EPERM', () => {
    const raised = prctl(ready, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_RAISE'), CAP('CAP_NET_RAW'), 0, 0);
    expect(raised.creds.caps.ambient).toBe(raw);
    expect(prctl(raised.creds, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_IS_SET'), CAP('CAP_NET_RAW'), 0, 0).ret).toBe(1);
    const notInheritable = credsOf(1000, { caps: { permitted: raw, effective: raw } });
    expect(prctl(notInheritable, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_RAISE'), CAP('CAP_NET_RAW'), 0, 0).errno).toBe('EPERM');
  });

  it('refuses raising under SECBIT_NO_CAP_AMBIENT_RAISE', () => {
    const locked = { ...ready, securebits: PR('SECBIT_NO_CAP_AMBIENT_RAISE') };
    expect(prctl(locked, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_RAISE'), CAP('CAP_NET_RAW'), 0, 0).errno).toBe('EPERM');
  });

  it('lowers and clears; bad operations, capabilities and extra arguments are EINVAL', () => {
    const raised = { ...ready, caps: { ...ready.caps, ambient: raw } };
    expect(prctl(raised, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_LOWER'), CAP('CAP_NET_RAW'), 0, 0).creds.caps.ambient).toBe(0n);
    expect(prctl(raised, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_CLEAR_ALL'), 0, 0, 0).creds.caps.ambient).toBe(0n);
    expect(prctl(raised, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_CLEAR_ALL'), 1, 0, 0).errno).toBe('EINVAL');
    expect(prctl(raised, 'PR_CAP_AMBIENT', 9, CAP('CAP_NET_RAW'), 0, 0).errno).toBe('EINVAL');
    expect(prctl(raised, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_IS_SET'), 99, 0, 0).errno).toBe('EINVAL');
    expect(prctl(raised, 'PR_CAP_AMBIENT', PR('PR_CAP_AMBIENT_IS_SET'), CAP('CAP_NET_RAW'), 1, 0).errno).toBe('EINVAL');
  });
});

describe('PR_SET_NO_NEW_PRIVS and PR_GET_NO_NEW_PRIVS', () => {
  it('sets with arg2 = 1 and nothing else; anything else is EINVAL, so it can never be unset', () => {
    const set = prctl(credsOf(1000), 'PR_SET_NO_NEW_PRIVS', 1, 0, 0, 0);
    expect(set.creds.noNewPrivs).toBe(true);
    expect(prctl(set.creds, 'PR_SET_NO_NEW_PRIVS', 0, 0, 0, 0).errno).toBe('EINVAL');
    expect(prctl(credsOf(1000), 'PR_SET_NO_NEW_PRIVS', 1, 1, 0, 0).errno).toBe('EINVAL');
    expect(prctl(set.creds, 'PR_GET_NO_NEW_PRIVS', 0, 0, 0, 0).ret).toBe(1);
    expect(prctl(set.creds, 'PR_GET_NO_NEW_PRIVS', 1, 0, 0, 0).errno).toBe('EINVAL');
  });
});

describe('PR_GET_DUMPABLE and PR_SET_DUMPABLE', () => {
  it('a process starts dumpable; leaving uid 0 clears it (commit_creds); it may set it back to 1, never to 2', () => {
    expect(prctl(credsOf(0), 'PR_GET_DUMPABLE').ret).toBe(1);
    const dropped = callWith(credsOf(0), 'setuid', [1000]);
    expect(prctl(dropped.creds, 'PR_GET_DUMPABLE').ret).toBe(0);
    expect(dropped.result.note).toMatch(/no longer dumpable/);
    const again = prctl(dropped.creds, 'PR_SET_DUMPABLE', 1);
    expect(prctl(again.creds, 'PR_GET_DUMPABLE').ret).toBe(1);
    expect(prctl(again.creds, 'PR_SET_DUMPABLE', 2).errno).toBe('EINVAL');
  });

  it('setfsuid alone clears it too (Linux 6.18: dumpable 0 after setfsuid(1000) as root)', () => {
    expect(prctl(callWith(credsOf(0), 'setfsuid', [1000]).creds, 'PR_GET_DUMPABLE').ret).toBe(0);
  });

  it('a change that keeps ids and shrinks capabilities leaves it alone', () => {
    expect(prctl(callWith(credsOf(0), 'capset', [0n, 0n, 0n]).creds, 'PR_GET_DUMPABLE').ret).toBe(1);
  });
});

describe('other options', () => {
  it('an option Linux does not have is EINVAL; a known one isolab does not simulate is ENOSYS with a note', () => {
    expect(callWith(credsOf(0), 'prctl', [9999]).errno).toBe('EINVAL');
    const pdeathsig = prctl(credsOf(0), 'PR_SET_PDEATHSIG');
    expect(pdeathsig.errno).toBe('ENOSYS');
    expect(pdeathsig.result.note).toMatch(/not simulated/);
  });
});
