// Proves the cred invariants can fail: deliberately wrong credential events (a dropped
// process handed uid 0, an effective set outside the permitted one, a permitted set grown
// by capset…) are each reported, while the legitimate look-alikes (a set-user-ID-root
// execve, a process that kept CAP_SETUID, file capabilities at exec) are not.
import { describe, expect, it } from 'vitest';
import { capabilitySets, permanentDrop, CRED_INVARIANTS } from '../../../engine/kernel/cred/invariants.js';
import { credentialsAfterExec, type ExecFile } from '../../../engine/kernel/cred/exec.js';
import { credentialsChanged, credentialsChangedByExec, CREDENTIALS_CHANGED } from '../../../engine/kernel/cred/events.js';
import type { Credentials } from '../../../engine/kernel/cred/state.js';
import { INVARIANTS } from '../../../engine/machine/invariants.js';
import { caps, credsOf, invariantComplaints, processOf, stateWith } from './helpers.js';

/** Complaints about p's credentials becoming `next` through a plain (non-exec) event. */
function complaintsFor(old: Credentials, next: Credentials): string[] {
  const before = stateWith(old);
  return invariantComplaints(before, [credentialsChanged(processOf(before), next, 'a deliberately wrong event')]);
}

function execComplaints(old: Credentials, file: ExecFile, nosuid = false): string[] {
  const before = stateWith(old);
  const result = credentialsAfterExec(old, file, { nosuid });
  return invariantComplaints(before, [credentialsChangedByExec(processOf(before), '/bin/prog', file, { nosuid }, result)]);
}

const dropped = credsOf(1000);

describe('cred.permanent-drop', () => {
  it('fails when a process that dropped root for good gets any uid 0 back', () => {
    for (const field of ['ruid', 'euid', 'suid', 'fsuid'] as const) {
      const complaints = complaintsFor(dropped, { ...dropped, [field]: 0 });
      expect(complaints).toHaveLength(1);
      expect(complaints[0]).toMatch(new RegExp(`cred.permanent-drop: p \\(pid 1\\) had dropped root for good .* gave it ${field} 0`));
    }
  });

  it('holds for a set-user-ID-root execve, and fails for one the kernel should have refused (nosuid, no_new_privs)', () => {
    const setuidRoot: ExecFile = { mode: 0o4755, uid: 0, gid: 0, fileCaps: null };
    expect(execComplaints(dropped, setuidRoot)).toEqual([]);
    const before = stateWith(dropped);
    const forged = credentialsChangedByExec(processOf(before), '/media/usb/sh', setuidRoot, { nosuid: true }, { creds: { ...dropped, euid: 0, suid: 0, fsuid: 0 }, secureExec: true, changes: [], errno: null });
    expect(invariantComplaints(before, [forged]).join()).toMatch(/permanent-drop/);
    const nnp = { ...dropped, noNewPrivs: true };
    const forgedNnp = credentialsChangedByExec(processOf(before), '/bin/su', setuidRoot, { nosuid: false }, { creds: { ...nnp, euid: 0, suid: 0, fsuid: 0 }, secureExec: true, changes: [], errno: null });
    expect(invariantComplaints(stateWith(nnp), [forgedNnp]).join()).toMatch(/permanent-drop/);
  });

  it('does not guard a process that still has uid 0 somewhere or CAP_SETUID permitted (its drop is not permanent)', () => {
    expect(complaintsFor(credsOf(1000, { suid: 0 }), credsOf(1000, { euid: 0, suid: 0 }))).toEqual([]);
    const keptSetuid = credsOf(1000, { caps: { permitted: caps('CAP_SETUID') } });
    expect(complaintsFor(keptSetuid, { ...keptSetuid, euid: 0 }).filter((c) => c.startsWith('cred.permanent-drop'))).toEqual([]);
  });
});

describe('cred.capability-sets', () => {
  const holder = credsOf(1000, { caps: { permitted: caps('CAP_KILL'), effective: caps('CAP_KILL') } });

  it('fails when effective leaves permitted, ambient leaves permitted ∩ inheritable, permitted grows, or bounding grows', () => {
    const cases: readonly [Credentials, RegExp][] = [
      [{ ...holder, caps: { ...holder.caps, effective: caps('CAP_KILL', 'CAP_CHOWN') } }, /effective holds CAP_CHOWN outside permitted/],
      [{ ...holder, caps: { ...holder.caps, ambient: caps('CAP_KILL') } }, /ambient holds CAP_KILL not both permitted and inheritable/],
      [{ ...holder, caps: { ...holder.caps, permitted: caps('CAP_KILL', 'CAP_SYS_ADMIN') } }, /permitted grew by CAP_SYS_ADMIN without an execve/],
    ];
    for (const [next, message] of cases) expect(complaintsFor(holder, next).join()).toMatch(message);
    const bounded = { ...holder, caps: { ...holder.caps, bounding: caps('CAP_KILL') } };
    expect(complaintsFor(bounded, holder).join()).toMatch(/the bounding set grew/);
  });

  it('lets execve grow the permitted set (file capabilities)', () => {
    expect(execComplaints(credsOf(1000), { mode: 0o755, uid: 0, gid: 0, fileCaps: { permitted: caps('CAP_NET_RAW'), inheritable: 0n, effective: true } })).toEqual([]);
  });
});

describe('registration', () => {
  it('both are in the machine catalogue and watch only credential events', () => {
    const names = INVARIANTS.map((invariant) => invariant.name);
    expect(names).toEqual(expect.arrayContaining(['cred.permanent-drop', 'cred.capability-sets']));
    for (const invariant of CRED_INVARIANTS) expect(invariant.on).toEqual([CREDENTIALS_CHANGED]);
    expect([permanentDrop, capabilitySets]).toEqual(CRED_INVARIANTS);
  });
});
