// Proves credentialsAfterExec computes capabilities(7)'s "Transformation of capabilities
// during execve()" and the set-user-ID rules exactly: each row is an execve observed on
// Linux 6.18 (a launcher set the ids and sets, then exec'd a program that printed
// getresuid, capget, the ambient set, AT_SECURE and PR_GET_DUMPABLE), replayed here.
import { describe, expect, it } from 'vitest';
import { credentialsAfterExec, type ExecFile } from '../../../engine/kernel/cred/exec.js';
import { dumpableOf, type Credentials } from '../../../engine/kernel/cred/state.js';
import { SECBIT_KEEP_CAPS, SECBIT_NOROOT } from '../../../engine/kernel/cred/securebits.js';
import { caps, credsOf } from './helpers.js';

/** The test machine's full set: every capability but CAP_SYS_RESOURCE (its bounding set). */
const FULL = 0x1fffeffffffn;
const RAW = caps('CAP_NET_RAW');
const RAW_BIND = caps('CAP_NET_RAW', 'CAP_NET_BIND_SERVICE');

const plain: ExecFile = { mode: 0o755, uid: 0, gid: 0, fileCaps: null };
const setuidRoot: ExecFile = { mode: 0o4755, uid: 0, gid: 0, fileCaps: null };
const fileCaps = (permitted: bigint, inheritable: bigint, effective: boolean, mode = 0o755): ExecFile => ({ mode, uid: 0, gid: 0, fileCaps: { permitted, inheritable, effective } });

/** The launcher's credentials: ids, sets (bounding = FULL) and flags. */
function launcher(ruid: number, euid: number, suid: number, sets: { P?: bigint; E?: bigint; I?: bigint; A?: bigint } = {}, flags: { nnp?: boolean; securebits?: number } = {}): Credentials {
  return credsOf(ruid, {
    euid,
    suid,
    fsuid: euid,
    rgid: 0,
    egid: 0,
    sgid: 0,
    fsgid: 0,
    noNewPrivs: flags.nnp ?? false,
    securebits: flags.securebits ?? 0,
    caps: { permitted: sets.P ?? 0n, effective: sets.E ?? 0n, inheritable: sets.I ?? 0n, ambient: sets.A ?? 0n, bounding: FULL },
  });
}

interface Observed {
  readonly uids: string;
  readonly P: bigint;
  readonly E: bigint;
  readonly I: bigint;
  readonly A: bigint;
  readonly secure: boolean;
  readonly dumpable: 0 | 1;
}

const ROWS: readonly (readonly [string, Credentials, ExecFile, Observed])[] = [
  ['uid 1000 runs a plain program', launcher(1000, 1000, 1000), plain, { uids: '1000/1000/1000/1000', P: 0n, E: 0n, I: 0n, A: 0n, secure: false, dumpable: 1 }],
  ['uid 1000 runs a set-user-ID-root program', launcher(1000, 1000, 1000), setuidRoot, { uids: '1000/0/0/0', P: FULL, E: FULL, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['uid 1000 with no_new_privs runs a set-user-ID-root program', launcher(1000, 1000, 1000, {}, { nnp: true }), setuidRoot, { uids: '1000/1000/1000/1000', P: 0n, E: 0n, I: 0n, A: 0n, secure: false, dumpable: 1 }],
  ['uid 1000 runs cap_net_raw,cap_net_bind_service+ep', launcher(1000, 1000, 1000), fileCaps(RAW_BIND, 0n, true), { uids: '1000/1000/1000/1000', P: RAW_BIND, E: RAW_BIND, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['uid 1000 with no_new_privs runs cap_net_raw,cap_net_bind_service+ep', launcher(1000, 1000, 1000, {}, { nnp: true }), fileCaps(RAW_BIND, 0n, true), { uids: '1000/1000/1000/1000', P: 0n, E: 0n, I: 0n, A: 0n, secure: true, dumpable: 1 }],
  ['uid 1000 with pI=net_raw runs cap_net_raw+i', launcher(1000, 1000, 1000, { P: RAW, I: RAW }), fileCaps(0n, RAW, false), { uids: '1000/1000/1000/1000', P: RAW, E: 0n, I: RAW, A: 0n, secure: true, dumpable: 1 }],
  ['uid 1000 with ambient net_raw runs a plain program', launcher(1000, 1000, 1000, { P: RAW, I: RAW, A: RAW }), plain, { uids: '1000/1000/1000/1000', P: RAW, E: RAW, I: RAW, A: RAW, secure: false, dumpable: 1 }],
  ['uid 1000 with ambient net_raw runs a file-capability program', launcher(1000, 1000, 1000, { P: RAW, I: RAW, A: RAW }), fileCaps(RAW_BIND, 0n, true), { uids: '1000/1000/1000/1000', P: RAW_BIND, E: RAW_BIND, I: RAW, A: 0n, secure: true, dumpable: 0 }],
  ['uid 1000 with ambient net_raw runs a set-user-ID-root program', launcher(1000, 1000, 1000, { P: RAW, I: RAW, A: RAW }), setuidRoot, { uids: '1000/0/0/0', P: FULL, E: FULL, I: RAW, A: 0n, secure: true, dumpable: 0 }],
  ['root runs a plain program', launcher(0, 0, 0, { P: FULL, E: FULL }), plain, { uids: '0/0/0/0', P: FULL, E: FULL, I: 0n, A: 0n, secure: false, dumpable: 1 }],
  ['root under SECBIT_NOROOT runs a plain program', launcher(0, 0, 0, { P: FULL, E: FULL }, { securebits: SECBIT_NOROOT }), plain, { uids: '0/0/0/0', P: 0n, E: 0n, I: 0n, A: 0n, secure: false, dumpable: 1 }],
  ['ruid 0, euid 1000 runs a plain program', launcher(0, 1000, 1000, { P: FULL }), plain, { uids: '0/1000/1000/1000', P: FULL, E: 0n, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['ruid 1000, euid 0 runs a plain program', launcher(1000, 0, 0, { P: FULL, E: FULL }), plain, { uids: '1000/0/0/0', P: FULL, E: FULL, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['uid 1000 runs a set-user-ID-root program with cap_net_raw+ep', launcher(1000, 1000, 1000), fileCaps(RAW, 0n, true, 0o4755), { uids: '1000/0/0/0', P: RAW, E: RAW, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['ruid 1000, euid 0 with no_new_privs runs a plain program', launcher(1000, 0, 0, { P: FULL, E: FULL }, { nnp: true }), plain, { uids: '1000/0/0/0', P: FULL, E: FULL, I: 0n, A: 0n, secure: true, dumpable: 0 }],
  ['ruid 1000, euid 0 with empty sets runs a plain program', launcher(1000, 0, 0), plain, { uids: '1000/0/0/0', P: FULL, E: FULL, I: 0n, A: 0n, secure: true, dumpable: 0 }],
];

describe('credentialsAfterExec replays execve on Linux 6.18', () => {
  for (const [title, old, file, observed] of ROWS) {
    it(title, () => {
      const result = credentialsAfterExec(old, file, { nosuid: false });
      const { creds } = result;
      expect(result.errno).toBeNull();
      expect({
        uids: `${creds.ruid}/${creds.euid}/${creds.suid}/${creds.fsuid}`,
        P: creds.caps.permitted,
        E: creds.caps.effective,
        I: creds.caps.inheritable,
        A: creds.caps.ambient,
        secure: result.secureExec,
        dumpable: dumpableOf(creds),
      }).toEqual(observed);
      expect(creds.caps.bounding).toBe(old.caps.bounding);
    });
  }

  it('fails with EPERM when the file is effective but the bounding set withholds part of its permitted set ("capability-dumb binaries")', () => {
    const old = launcher(1000, 1000, 1000);
    const result = credentialsAfterExec(old, fileCaps(caps('CAP_SYS_RESOURCE'), 0n, true), { nosuid: false });
    expect(result.errno).toBe('EPERM');
    expect(result.creds).toBe(old);
    expect(result.changes.join()).toMatch(/CAP_SYS_RESOURCE/);
  });
});

describe('credentialsAfterExec, rules the table does not show', () => {
  it('ignores set-user-ID bits and file capabilities on a nosuid mount', () => {
    const old = launcher(1000, 1000, 1000);
    const setuid = credentialsAfterExec(old, setuidRoot, { nosuid: true });
    expect([setuid.creds.euid, setuid.secureExec]).toEqual([1000, false]);
    expect(setuid.changes.join()).toMatch(/nosuid/);
    expect(credentialsAfterExec(old, fileCaps(RAW, 0n, true), { nosuid: true }).creds.caps.permitted).toBe(0n);
  });

  it('sets egid from a set-group-ID file only with group execute, and then saved and filesystem gids follow', () => {
    const old = credsOf(1000);
    const withExec = credentialsAfterExec(old, { mode: 0o2755, uid: 0, gid: 42, fileCaps: null }, { nosuid: false }).creds;
    expect([withExec.rgid, withExec.egid, withExec.sgid, withExec.fsgid]).toEqual([1000, 42, 42, 42]);
    const mandatoryLocking = credentialsAfterExec(old, { mode: 0o2745, uid: 0, gid: 42, fileCaps: null }, { nosuid: false }).creds;
    expect(mandatoryLocking.egid).toBe(1000);
  });

  it('clears SECBIT_KEEP_CAPS and keeps no_new_privs', () => {
    const old = credsOf(1000, { securebits: SECBIT_KEEP_CAPS, noNewPrivs: true });
    const { creds, changes } = credentialsAfterExec(old, plain, { nosuid: false });
    expect([creds.securebits, creds.noNewPrivs]).toEqual([0, true]);
    expect(changes).toContain('SECBIT_KEEP_CAPS cleared');
  });

  it('a set-user-ID file owned by another user makes that user the effective and saved uid', () => {
    const { creds, changes } = credentialsAfterExec(credsOf(1000), { mode: 0o4755, uid: 2000, gid: 0, fileCaps: null }, { nosuid: false });
    expect([creds.ruid, creds.euid, creds.suid, creds.fsuid, creds.caps.permitted]).toEqual([1000, 2000, 2000, 2000, 0n]);
    expect(changes).toContain('uids 1000/1000/1000 → 1000/2000/2000');
  });
});
