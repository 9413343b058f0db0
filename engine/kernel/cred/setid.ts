/**
 * The set*id family (kernel/sys.c; setuid(2), setreuid(2), setresuid(2), setfsuid(2),
 * setgid(2), setregid(2), setresgid(2), setfsgid(2), setgroups(2); credentials(7)). Each
 * rule is a pure function of the caller's credentials and the ids asked for. Ids are
 * uid_t/gid_t (unsigned 32-bit); (uid_t)-1 is never a valid id, and in setreuid/setresuid
 * it means "leave this one unchanged". CAP_SETUID and CAP_SETGID are checked in the
 * effective set, as ns_capable_setid does in the initial user namespace.
 */
import { capabilityNumber } from '../syscall/constants.js';
import { capable } from './capable.js';
import { fixCapabilitiesAfterFsuidChange, fixCapabilitiesAfterUidChange } from './fixup.js';
import { changed, kept, refused, type CredentialsOutcome } from './outcome.js';
import type { Credentials } from './state.js';

/** (uid_t)-1: "unchanged" to setreuid/setresuid, invalid everywhere else. */
export const NO_ID = 0xffffffff;
/** NGROUPS_MAX (include/uapi/linux/limits.h). */
export const NGROUPS_MAX = 65536;

const CAP_SETUID = capabilityNumber('CAP_SETUID')!;
const CAP_SETGID = capabilityNumber('CAP_SETGID')!;

/** One kind of id (user or group): which fields, which capability, which words. */
interface IdKind {
  readonly word: 'uid' | 'gid';
  readonly capability: number;
  readonly capabilityName: string;
  readonly real: 'ruid' | 'rgid';
  readonly effective: 'euid' | 'egid';
  readonly saved: 'suid' | 'sgid';
  readonly fs: 'fsuid' | 'fsgid';
  /** Whether cap_task_fix_setuid follows changes of this kind (only user ids). */
  readonly fixesCapabilities: boolean;
}

const USER: IdKind = { word: 'uid', capability: CAP_SETUID, capabilityName: 'CAP_SETUID', real: 'ruid', effective: 'euid', saved: 'suid', fs: 'fsuid', fixesCapabilities: true };
const GROUP: IdKind = { word: 'gid', capability: CAP_SETGID, capabilityName: 'CAP_SETGID', real: 'rgid', effective: 'egid', saved: 'sgid', fs: 'fsgid', fixesCapabilities: false };

const shown = (id: number) => (id === NO_ID ? '-1' : String(id));

function invalid(kind: IdKind, id: number): CredentialsOutcome {
  return refused('EINVAL', `${kind.word} ${id} is (${kind.word}_t)-1, which is not a valid ${kind.word}`);
}

/** The capability fix-ups for user ids; group changes have none. */
function finish(kind: IdKind, old: Credentials, next: Credentials, rule: string): CredentialsOutcome {
  if (!kind.fixesCapabilities) return changed(next, [rule]);
  const fixed = fixCapabilitiesAfterUidChange(old, next);
  return changed(fixed.creds, [rule, ...fixed.changes]);
}

/** setuid(2)/setgid(2): SysV with saved ids. */
function setOne(kind: IdKind, creds: Credentials, id: number): CredentialsOutcome {
  if (id === NO_ID) return invalid(kind, id);
  const { real, effective, saved, fs } = kind;
  if (capable(creds, kind.capability)) {
    const next = { ...creds, [real]: id, [effective]: id, [saved]: id, [fs]: id };
    return finish(kind, creds, next, `with ${kind.capabilityName}, set${kind.word} sets the real, effective, saved and filesystem ${kind.word}s to ${id}`);
  }
  if (id !== creds[real] && id !== creds[saved]) {
    return refused('EPERM', `without ${kind.capabilityName}, set${kind.word} may only set the effective ${kind.word} to the real ${kind.word} (${creds[real]}) or the saved set-${kind.word === 'uid' ? 'user' : 'group'}-ID (${creds[saved]})`);
  }
  const next = { ...creds, [effective]: id, [fs]: id };
  return finish(kind, creds, next, `without ${kind.capabilityName}, set${kind.word} sets only the effective and filesystem ${kind.word}s (to ${id}, the real or saved ${kind.word})`);
}

/** setreuid(2)/setregid(2): BSD style; -1 leaves an id unchanged. */
function setRealEffective(kind: IdKind, creds: Credentials, realId: number, effectiveId: number): CredentialsOutcome {
  const { real, effective, saved, fs } = kind;
  const privileged = capable(creds, kind.capability);
  if (realId !== NO_ID && !privileged && realId !== creds[real] && realId !== creds[effective]) {
    return refused('EPERM', `an unprivileged process may only set r${kind.word} to its r${kind.word} (${creds[real]}) or e${kind.word} (${creds[effective]}), not ${realId}`);
  }
  if (effectiveId !== NO_ID && !privileged && effectiveId !== creds[real] && effectiveId !== creds[effective] && effectiveId !== creds[saved]) {
    return refused('EPERM', `an unprivileged process may only set e${kind.word} to its r${kind.word}, e${kind.word} or s${kind.word} (${creds[real]}, ${creds[effective]}, ${creds[saved]}), not ${effectiveId}`);
  }
  const newReal = realId === NO_ID ? creds[real] : realId;
  const newEffective = effectiveId === NO_ID ? creds[effective] : effectiveId;
  // The saved id follows the new effective id when the real id is set at all, or the
  // effective id is set to something other than the old real id (kernel/sys.c).
  const savedFollows = realId !== NO_ID || (effectiveId !== NO_ID && effectiveId !== creds[real]);
  const next = { ...creds, [real]: newReal, [effective]: newEffective, [saved]: savedFollows ? newEffective : creds[saved], [fs]: newEffective };
  const rule = `setre${kind.word}(${shown(realId)}, ${shown(effectiveId)}): r${kind.word} ${newReal}, e${kind.word} ${newEffective}, s${kind.word} ${savedFollows ? `${newEffective} (follows the new e${kind.word})` : `${creds[saved]} (unchanged)`}${privileged ? ` (with ${kind.capabilityName})` : ''}`;
  return finish(kind, creds, next, rule);
}

/** setresuid(2)/setresgid(2): each of the three may be -1 (unchanged). */
function setRealEffectiveSaved(kind: IdKind, creds: Credentials, ids: readonly [number, number, number]): CredentialsOutcome {
  const { real, effective, saved, fs } = kind;
  const [realId, effectiveId, savedId] = ids;
  // kernel/sys.c: a call that would change nothing returns 0 at once (fsuid included, so
  // setresuid(-1, -1, -1) leaves a setfsuid'd fsuid alone).
  const unchanged = (realId === NO_ID || realId === creds[real]) && (effectiveId === NO_ID || (effectiveId === creds[effective] && effectiveId === creds[fs])) && (savedId === NO_ID || savedId === creds[saved]);
  if (unchanged) return kept(`setres${kind.word}(${ids.map(shown).join(', ')}) changes nothing`);
  const current = [creds[real], creds[effective], creds[saved]];
  if (!capable(creds, kind.capability)) {
    const names = [`r${kind.word}`, `e${kind.word}`, `s${kind.word}`];
    for (let i = 0; i < 3; i++) {
      const id = ids[i]!;
      if (id !== NO_ID && !current.includes(id)) {
        return refused('EPERM', `an unprivileged process may only set ${names[i]} to its current r${kind.word}, e${kind.word} or s${kind.word} (${current.join(', ')}), not ${id}`);
      }
    }
  }
  const next = {
    ...creds,
    [real]: realId === NO_ID ? creds[real] : realId,
    [effective]: effectiveId === NO_ID ? creds[effective] : effectiveId,
    [saved]: savedId === NO_ID ? creds[saved] : savedId,
  };
  const withFs = { ...next, [fs]: next[effective] };
  return finish(kind, creds, withFs, `setres${kind.word}(${ids.map(shown).join(', ')}): ${kind.word}s now ${withFs[real]}/${withFs[effective]}/${withFs[saved]}, ${kind.fs} follows e${kind.word}`);
}

/** setfsuid(2)/setfsgid(2): never fail; they return the previous filesystem id. */
function setFilesystem(kind: IdKind, creds: Credentials, id: number): CredentialsOutcome {
  const { real, effective, saved, fs } = kind;
  const previous = creds[fs];
  if (id === NO_ID) return kept(`${id} is not a valid ${kind.word}: ${kind.fs} stays ${previous} (the usual way to read it)`, previous);
  const allowed = id === creds[real] || id === creds[effective] || id === creds[saved] || id === creds[fs] || capable(creds, kind.capability);
  if (!allowed) {
    return kept(`set${kind.fs} returns the previous value and never fails: ${id} is none of r${kind.word}, e${kind.word}, s${kind.word}, ${kind.fs} and the caller lacks ${kind.capabilityName}, so nothing changes`, previous);
  }
  if (id === previous) return kept(`${kind.fs} is already ${id}`, previous);
  const next = { ...creds, [fs]: id };
  const rule = `${kind.fs} ${previous} → ${id}`;
  if (!kind.fixesCapabilities) return changed(next, [rule], previous);
  const fixed = fixCapabilitiesAfterFsuidChange(creds, next);
  return changed(fixed.creds, [rule, ...fixed.changes], previous);
}

export const setuidRule = (creds: Credentials, uid: number) => setOne(USER, creds, uid);
export const setgidRule = (creds: Credentials, gid: number) => setOne(GROUP, creds, gid);
export const setreuidRule = (creds: Credentials, ruid: number, euid: number) => setRealEffective(USER, creds, ruid, euid);
export const setregidRule = (creds: Credentials, rgid: number, egid: number) => setRealEffective(GROUP, creds, rgid, egid);
export const setresuidRule = (creds: Credentials, ruid: number, euid: number, suid: number) => setRealEffectiveSaved(USER, creds, [ruid, euid, suid]);
export const setresgidRule = (creds: Credentials, rgid: number, egid: number, sgid: number) => setRealEffectiveSaved(GROUP, creds, [rgid, egid, sgid]);
export const setfsuidRule = (creds: Credentials, fsuid: number) => setFilesystem(USER, creds, fsuid);
export const setfsgidRule = (creds: Credentials, fsgid: number) => setFilesystem(GROUP, creds, fsgid);

/** setgroups(2): CAP_SETGID; the kernel keeps the list sorted (groups_sort), duplicates and all. */
export function setgroupsRule(creds: Credentials, gids: readonly number[]): CredentialsOutcome {
  if (!capable(creds, CAP_SETGID)) return refused('EPERM', 'setgroups needs CAP_SETGID');
  if (gids.length > NGROUPS_MAX) return refused('EINVAL', `${gids.length} groups is more than NGROUPS_MAX (${NGROUPS_MAX})`);
  if (gids.includes(NO_ID)) return refused('EINVAL', `gid ${NO_ID} is (gid_t)-1, which is not a valid gid`);
  const groups = [...gids].sort((a, b) => a - b);
  return changed({ ...creds, groups }, [`supplementary groups: ${groups.length === 0 ? 'none' : groups.join(', ')}`]);
}
