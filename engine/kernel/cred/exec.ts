/**
 * What execve does to credentials: capabilities(7), "Transformation of capabilities during
 * execve()" and "Capabilities and execution of programs by root", as fs/exec.c
 * bprm_fill_uid and security/commoncap.c cap_bprm_creds_from_file compute them (Linux
 * 6.16+, where "the ids changed" means the effective uid changed or the new egid is not
 * one of the caller's groups):
 *
 *   P'(ambient)     = (file is privileged) ? 0 : P(ambient)
 *   P'(permitted)   = (P(inheritable) & F(inheritable)) | (F(permitted) & P(bounding)) | P'(ambient)
 *   P'(effective)   = F(effective) ? P'(permitted) : P'(ambient)
 *   P'(inheritable) = P(inheritable);  P'(bounding) = P(bounding)
 *
 * Set-user-ID and set-group-ID bits (the latter only with group execute) set the effective
 * ids, unless the mount is nosuid or no_new_privs is set; nosuid also hides file
 * capabilities; no_new_privs keeps any gain from happening (ids back to the real ones,
 * permitted no larger than before). Unless SECBIT_NOROOT, a real or effective uid of 0
 * makes the file's sets full, and an effective uid of 0 its effective bit. Afterwards the
 * saved and filesystem ids equal the effective ones and SECBIT_KEEP_CAPS is off.
 *
 * Left out: ptrace and a shared fs struct (the other "unsafe" execs), user namespaces and
 * v3 file capabilities' root id, unreadable binaries (BINPRM_FLAGS_ENFORCE_NONDUMP).
 */
import type { FileCapabilities } from '../vfs/state.js';
import { constantValue } from '../syscall/constants.js';
import { CAP_VALID_MASK, isSubset, maskText } from './capabilities.js';
import { commitCredentials, SUID_DUMPABLE } from './commit.js';
import { isSecure, SECBIT_KEEP_CAPS, SECBIT_NOROOT } from './securebits.js';
import { inGroup, withDumpable, type Credentials } from './state.js';

export interface ExecFile {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly fileCaps: FileCapabilities | null;
}

export interface ExecMount {
  readonly nosuid: boolean;
}

export interface ExecCredentials {
  /** The credentials the new program runs with (the caller's, unchanged, when errno is set). */
  readonly creds: Credentials;
  /** AT_SECURE: the dynamic linker and libc must distrust the environment. */
  readonly secureExec: boolean;
  /** What changed, in words, for traces. */
  readonly changes: string[];
  /**
   * EPERM when the file's effective bit is set but the bounding set kept some of its
   * permitted capabilities from the process: execve fails (capabilities(7), "Safety
   * checking for capability-dumb binaries"). Null when execve goes on.
   */
  readonly errno: 'EPERM' | null;
}

const S_ISUID = constantValue('S_ISUID')!;
const S_ISGID = constantValue('S_ISGID')!;
const S_IXGRP = constantValue('S_IXGRP')!;

/** bprm_fill_uid: the effective ids the set-user-ID and set-group-ID bits give. */
function effectiveIdsFromFile(old: Credentials, file: ExecFile, mount: ExecMount, changes: string[]): { euid: number; egid: number } {
  const setuid = (file.mode & S_ISUID) !== 0;
  const setgid = (file.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP);
  if (!setuid && !setgid) return { euid: old.euid, egid: old.egid };
  const bits = [setuid ? 'set-user-ID' : '', setgid ? 'set-group-ID' : ''].filter((bit) => bit !== '').join(' and ');
  if (mount.nosuid) {
    changes.push(`${bits} bit ignored: the file system is mounted nosuid`);
    return { euid: old.euid, egid: old.egid };
  }
  if (old.noNewPrivs) {
    changes.push(`${bits} bit ignored: no_new_privs is set`);
    return { euid: old.euid, egid: old.egid };
  }
  return { euid: setuid ? file.uid : old.euid, egid: setgid ? file.gid : old.egid };
}

interface FileSets {
  readonly permitted: bigint;
  readonly effective: boolean;
  readonly hasFileCaps: boolean;
}

/** get_file_caps: the file's capabilities through the bounding and inheritable sets. */
function fileSets(old: Credentials, file: ExecFile, mount: ExecMount): FileSets | { readonly missing: bigint } {
  if (file.fileCaps === null || mount.nosuid) return { permitted: 0n, effective: false, hasFileCaps: false };
  const filePermitted = file.fileCaps.permitted & CAP_VALID_MASK;
  const fileInheritable = file.fileCaps.inheritable & CAP_VALID_MASK;
  const permitted = (old.caps.bounding & filePermitted) | (old.caps.inheritable & fileInheritable);
  if (file.fileCaps.effective && !isSubset(filePermitted, permitted)) return { missing: filePermitted & ~permitted };
  return { permitted, effective: file.fileCaps.effective, hasFileCaps: true };
}

/** handle_privileged_root: root's files are treated as having full sets (unless SECBIT_NOROOT). */
function rootSets(old: Credentials, euid: number, sets: FileSets, changes: string[]): FileSets {
  if (isSecure(old, SECBIT_NOROOT)) return sets;
  if (sets.hasFileCaps && old.ruid !== 0 && euid === 0) {
    changes.push('set-user-ID-root file with file capabilities: only its file capabilities apply');
    return sets;
  }
  const permitted = euid === 0 || old.ruid === 0 ? old.caps.bounding | old.caps.inheritable : sets.permitted;
  return { ...sets, permitted, effective: sets.effective || euid === 0 };
}

export function credentialsAfterExec(old: Credentials, file: ExecFile, mount: ExecMount): ExecCredentials {
  const changes: string[] = [];
  let { euid, egid } = effectiveIdsFromFile(old, file, mount, changes);
  const fromFile = fileSets(old, file, mount);
  if ('missing' in fromFile) {
    const note = `EPERM: the file's effective bit is set but the bounding and inheritable sets withhold ${maskText(fromFile.missing)} of its permitted set`;
    return { creds: old, secureExec: false, changes: [note], errno: 'EPERM' };
  }
  const sets = rootSets(old, euid, fromFile, changes);
  let permitted = sets.permitted;
  // in_group_p on the caller's credentials: the new egid is its fsgid or a supplementary group.
  const idsChanged = euid !== old.euid || !inGroup(old, egid);
  if ((idsChanged || !isSubset(permitted, old.caps.permitted)) && old.noNewPrivs) {
    euid = old.ruid;
    egid = old.rgid;
    permitted &= old.caps.permitted;
    changes.push('no_new_privs: the ids stay the real ones and the permitted set cannot grow');
  }
  const ambient = sets.hasFileCaps || idsChanged ? 0n : old.caps.ambient;
  permitted |= ambient;
  const effective = sets.effective ? permitted : ambient;
  const next: Credentials = {
    ...old,
    euid,
    suid: euid,
    fsuid: euid,
    egid,
    sgid: egid,
    fsgid: egid,
    caps: { ...old.caps, permitted, effective, ambient },
    securebits: old.securebits & ~SECBIT_KEEP_CAPS,
  };
  // begin_new_exec decides dumpability from the caller's ids, then commit_creds may clear it.
  const dumpable = old.euid === old.ruid && old.egid === old.rgid ? 1 : SUID_DUMPABLE;
  const creds = commitCredentials(old, withDumpable(next, dumpable));
  const secureExec = idsChanged || euid !== old.ruid || egid !== old.rgid || (old.ruid !== 0 && (sets.effective || !isSubset(permitted, ambient)));
  return { creds, secureExec, changes: [...changes, ...describeExecChanges(old, creds, secureExec)], errno: null };
}

function describeExecChanges(old: Credentials, next: Credentials, secureExec: boolean): string[] {
  const out: string[] = [];
  const ids = (c: Credentials, kind: 'uid' | 'gid') => (kind === 'uid' ? `${c.ruid}/${c.euid}/${c.suid}` : `${c.rgid}/${c.egid}/${c.sgid}`);
  if (ids(old, 'uid') !== ids(next, 'uid')) out.push(`uids ${ids(old, 'uid')} → ${ids(next, 'uid')}`);
  if (ids(old, 'gid') !== ids(next, 'gid')) out.push(`gids ${ids(old, 'gid')} → ${ids(next, 'gid')}`);
  for (const set of ['permitted', 'effective', 'ambient'] as const) {
    const before = old.caps[set];
    const after = next.caps[set];
    if (before === after) continue;
    const gained = after & ~before;
    const lost = before & ~after;
    out.push(`${set}${gained !== 0n ? ` gains ${maskText(gained)}` : ''}${gained !== 0n && lost !== 0n ? ',' : ''}${lost !== 0n ? ` loses ${maskText(lost)}` : ''}`);
  }
  if (isSecure(old, SECBIT_KEEP_CAPS)) out.push('SECBIT_KEEP_CAPS cleared');
  if (secureExec) out.push('secure execution (AT_SECURE)');
  return out;
}
