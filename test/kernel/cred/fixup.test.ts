// Proves the capability fix-ups of capabilities(7) "Effect of user ID changes on
// capabilities" (security/commoncap.c cap_task_fix_setuid): a drop of all three uids from
// 0 is permanent, a drop of euid alone is temporary, SECBIT_KEEP_CAPS keeps the permitted
// set, SECBIT_NO_SETUID_FIXUP turns the fix-ups off, and fsuid moves CAP_FS_SET — with the
// exact sets Linux 6.18 showed for the same calls.
import { describe, expect, it } from 'vitest';
import { CAP_FS_SET } from '../../../engine/kernel/cred/capabilities.js';
import { SECBIT_KEEP_CAPS, SECBIT_NO_SETUID_FIXUP } from '../../../engine/kernel/cred/securebits.js';
import { ALL_CAPS } from '../../../engine/kernel/syscall/constants.js';
import { call, caps, callWith, credsOf, stateWith } from './helpers.js';

describe('leaving uid 0 in all of ruid, euid and suid (capabilities(7), first rule)', () => {
  it('clears the permitted and effective sets, so setuid(0) afterwards is EPERM: the drop is permanent', () => {
    const dropped = callWith(credsOf(0), 'setresuid', [1000, 1000, 1000]);
    expect([dropped.creds.caps.permitted, dropped.creds.caps.effective]).toEqual([0n, 0n]);
    expect(dropped.result.note).toMatch(/permitted and effective sets cleared/);
    expect(callWith(dropped.creds, 'setuid', [0]).errno).toBe('EPERM');
  });

  it('keeps the permitted set with SECBIT_KEEP_CAPS (PR_SET_KEEPCAPS) but still clears the effective set', () => {
    const keep = credsOf(0, { securebits: SECBIT_KEEP_CAPS });
    const dropped = callWith(keep, 'setresuid', [1000, 1000, 1000]);
    expect([dropped.creds.caps.permitted, dropped.creds.caps.effective]).toEqual([ALL_CAPS, 0n]);
  });

  it('clears the ambient set even with SECBIT_KEEP_CAPS', () => {
    const raw = caps('CAP_NET_RAW');
    const keep = credsOf(0, { securebits: SECBIT_KEEP_CAPS, caps: { inheritable: raw, ambient: raw } });
    expect(callWith(keep, 'setresuid', [1000, 1000, 1000]).creds.caps.ambient).toBe(0n);
  });
});

describe('changing only the effective uid (capabilities(7), second and third rules)', () => {
  it('euid 0 → non-zero clears only the effective set: the drop is temporary', () => {
    const temporary = callWith(credsOf(0), 'setresuid', [-1, 1000, -1]);
    expect([temporary.creds.caps.permitted, temporary.creds.caps.effective]).toEqual([ALL_CAPS, 0n]);
    const back = callWith(temporary.creds, 'setresuid', [-1, 0, -1]);
    expect([back.creds.euid, back.creds.caps.effective]).toEqual([0, ALL_CAPS]);
  });

  it('euid non-zero → 0 copies the permitted set into the effective set', () => {
    const partial = caps('CAP_CHOWN', 'CAP_KILL');
    const creds = credsOf(1000, { suid: 0, caps: { permitted: partial, effective: 0n } });
    expect(callWith(creds, 'setreuid', [-1, 0]).creds.caps.effective).toBe(partial);
  });
});

describe('SECBIT_NO_SETUID_FIXUP', () => {
  it('leaves every capability set alone when uids leave 0', () => {
    const creds = credsOf(0, { securebits: SECBIT_NO_SETUID_FIXUP });
    expect(callWith(creds, 'setresuid', [1000, 1000, 1000]).creds.caps).toEqual(creds.caps);
    expect(callWith(creds, 'setfsuid', [1000]).creds.caps).toEqual(creds.caps);
  });
});

describe('filesystem uid changes (capabilities(7), fourth rule)', () => {
  it('fsuid 0 → non-zero drops exactly CAP_FS_SET from the effective set (Linux showed E=0x1fef6fffde0 from 0x1fffeffffff)', () => {
    const observed = 0x1fffeffffffn; // the test machine's root: every capability but CAP_SYS_RESOURCE
    const afterFs = callWith(credsOf(0, { caps: { permitted: observed, effective: observed } }), 'setfsuid', [1000]).creds;
    expect(afterFs.caps.effective).toBe(0x1fef6fffde0n);
    expect(afterFs.caps.permitted).toBe(observed);
    expect(callWith(credsOf(0), 'setfsuid', [1000]).creds.caps.effective).toBe(ALL_CAPS & ~CAP_FS_SET);
  });

  it('fsuid non-zero → 0 raises CAP_FS_SET ∩ permitted back into the effective set', () => {
    const state = stateWith(credsOf(1000, { euid: 0, suid: 1000, fsuid: 1000, caps: { permitted: ALL_CAPS, effective: ALL_CAPS & ~CAP_FS_SET } }));
    expect(call(state, 'setfsuid', [0]).creds.caps.effective).toBe(ALL_CAPS);
  });

  it('setresuid moving fsuid back to 0 does not raise them: only setfsuid does (as Linux 6.18 did)', () => {
    const afterFs = callWith(credsOf(0), 'setfsuid', [1000]).creds;
    const back = callWith(afterFs, 'setresuid', [-1, 0, -1]).creds;
    expect([back.fsuid, back.caps.effective]).toEqual([0, ALL_CAPS & ~CAP_FS_SET]);
  });
});
