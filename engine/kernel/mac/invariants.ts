/**
 * `mac.profile-enforced`: no confined process acquires what its profile denies. Checked
 * from the effects themselves, not from the gate's decisions, so a call that slipped past
 * the gate (a call the gate forgot, a symlink it misread) is caught:
 *
 * - kernel.fdOpened by a confined process for a file: the file, at its path from the
 *   namespace's root after the open, must be readable by the profile if opened for
 *   reading and writable if opened for writing, truncated or created (O_PATH asks nothing);
 * - net.socketOpened: the profile must allow network for the socket's family;
 * - kernel.processForked: the parent's profile must allow process-fork, and the child
 *   must be confined by the same profile once the call is over (checked on the child's
 *   first mediated call: see `mac.decided`).
 */
import type { Invariant } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import type { FdOpenedData } from '../vfs/events.js';
import { O_CREAT, O_PATH, O_RDWR, O_TRUNC, O_WRONLY } from '../vfs/constants.js';
import { inodeOf } from '../vfs/state.js';
import type { NetFamily } from '../net/state.js';
import { decideRequest, type MacOperation, type MacProfile, type MacRequest } from './profile.js';
import { profileOf } from './state.js';
import { namespacePath } from './target.js';

function deniedBy(profile: MacProfile, request: MacRequest): string | null {
  const decision = decideRequest(profile, request);
  return decision.verdict === 'deny' ? decision.rule : null;
}

function openedOperations(openFlags: number, created: boolean): MacOperation[] {
  if ((openFlags & O_PATH) !== 0) return [];
  const mode = openFlags & 3;
  const operations: MacOperation[] = [];
  if (mode === 0 || mode === O_RDWR) operations.push('file-read');
  if (mode === O_WRONLY || mode === O_RDWR || (openFlags & O_TRUNC) !== 0 || (created && (openFlags & O_CREAT) !== 0)) operations.push('file-write');
  return operations;
}

function checkOpened(before: MachineState, after: MachineState, data: FdOpenedData): string | null {
  const profile = profileOf(before.kernel, data.pid);
  if (profile === null || data.file.path === null || after.vfs.inodes[data.file.path.ino] === undefined) return null;
  const path = namespacePath(after.vfs, data.file.path);
  const isDirectory = inodeOf(after.vfs, data.file.path.ino).kind === 'dir';
  for (const operation of openedOperations(data.openFlags, data.created)) {
    const rule = deniedBy(profile, { operation, path, isDirectory, family: null });
    if (rule !== null) return `pid ${data.pid}, confined by ${profile.name}, opened ${path} for ${operation}, which the profile denies (${rule})`;
  }
  return null;
}

function checkSocket(before: MachineState, pid: number, family: NetFamily): string | null {
  const profile = profileOf(before.kernel, pid);
  if (profile === null) return null;
  const rule = deniedBy(profile, { operation: 'network', path: null, isDirectory: false, family });
  return rule === null ? null : `pid ${pid}, confined by ${profile.name}, holds an AF_${family.toUpperCase()} socket, which the profile denies (${rule})`;
}

function checkFork(before: MachineState, parent: number): string | null {
  const profile = profileOf(before.kernel, parent);
  if (profile === null) return null;
  const rule = deniedBy(profile, { operation: 'process-fork', path: null, isDirectory: false, family: null });
  return rule === null ? null : `pid ${parent}, confined by ${profile.name}, made a new process, which the profile denies (${rule})`;
}

export const macProfileEnforced: Invariant<MachineState> = {
  name: 'mac.profile-enforced',
  statement: 'No process confined by a MAC profile opens a file, makes a socket or a process its profile denies.',
  defence: 'MAC hooks on every open, socket and fork (the Apple sandbox, AppArmor), judging the resolved object',
  on: ['kernel.fdOpened', 'net.socketOpened', 'kernel.processForked'],
  check(before, event, after) {
    switch (event.type) {
      case 'kernel.fdOpened':
        return checkOpened(before, after, event.data as FdOpenedData);
      case 'net.socketOpened': {
        const { pid, family } = event.data as { pid: number; family: NetFamily };
        return checkSocket(before, pid, family);
      }
      case 'kernel.processForked':
        return checkFork(before, (event.data as { parent: number }).parent);
      default:
        return null;
    }
  },
};

export const MAC_INVARIANTS: readonly Invariant<MachineState>[] = [macProfileEnforced];
