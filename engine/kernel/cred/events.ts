/**
 * The one event of this mechanism: `kernel.credentialsChanged`, a process's credentials
 * replaced after a set*id call, capset, a credential prctl or execve. Its data carries the
 * whole new credentials (bigints as "0x…"), why in words, and for execve what the file
 * was, so invariants can tell a set-user-ID-root exec from an escalation bug.
 */
import type { EventDraft } from '../../core/decider.js';
import type { Process } from '../state.js';
import type { ExecCredentials, ExecFile, ExecMount } from './exec.js';
import { credentialsData, type Credentials, type CredentialsData } from './state.js';

export const CREDENTIALS_CHANGED = 'kernel.credentialsChanged';

/** The events whose reducers write credentials; cred invariants watch these. */
export const CREDENTIAL_EVENTS: readonly string[] = [CREDENTIALS_CHANGED];

/** What execve ran, as the credential transformation saw it. */
export interface ExecEvidence {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly fileCaps: boolean;
  readonly nosuid: boolean;
  readonly secureExec: boolean;
}

export interface CredentialsChangedData {
  readonly pid: number;
  readonly creds: CredentialsData;
  /** The call that changed them ("setresuid(1000, 1000, 1000)", "execve /usr/bin/passwd"). */
  readonly why: string;
  /** Present when execve changed them. */
  readonly exec?: ExecEvidence;
}

export function credentialsChanged(process: Process, creds: Credentials, why: string): EventDraft<typeof CREDENTIALS_CHANGED, CredentialsChangedData> {
  return { type: CREDENTIALS_CHANGED, actor: process.name, data: { pid: process.pid, creds: credentialsData(creds), why } };
}

/**
 * The event execve emits for its new credentials (call it only when `result.errno` is
 * null): the process helper's execve uses this, so the invariants see the file.
 */
export function credentialsChangedByExec(process: Process, path: string, file: ExecFile, mount: ExecMount, result: ExecCredentials): EventDraft<typeof CREDENTIALS_CHANGED, CredentialsChangedData> {
  const exec: ExecEvidence = { path, mode: file.mode, uid: file.uid, gid: file.gid, fileCaps: file.fileCaps !== null, nosuid: mount.nosuid, secureExec: result.secureExec };
  return { type: CREDENTIALS_CHANGED, actor: process.name, data: { pid: process.pid, creds: credentialsData(result.creds), why: `execve ${path}`, exec } };
}
