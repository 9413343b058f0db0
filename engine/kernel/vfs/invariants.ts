/**
 * The file system's isolation invariants (registered in engine/machine/invariants.ts):
 *
 * - `vfs.dac`: no open hands a process a file its credentials do not permit. Every
 *   kernel.fdOpened is checked again, from the event alone and the state before it,
 *   against generic_permission's rules (permission.ts): the access the call's flags ask
 *   for (O_TRUNC asks for write too). A file the open itself created, and O_PATH opens,
 *   ask for nothing (open(2)).
 * - `vfs.chroot-confinement`: a process confined to a root — not the namespace's root,
 *   without CAP_SYS_CHROOT, with its cwd and every directory it holds open under that
 *   root — never stands outside it during a path resolution. Each vfs.pathResolved lists
 *   the directories the walk stood in; each must lie under the process's root.
 *
 * Each takes what it needs from the event and the state before it, so a counterexample
 * names the process, the path and the place.
 */
import type { Invariant } from '../../core/decider.js';
import { hasCapability } from '../cred/state.js';
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import type { FdOpenedData } from './events.js';
import { accessMaskOf, CAP, MAY_READ, MAY_WRITE, mayAccess } from './permission.js';
import { samePlace, type PathRef, type VfsState } from './state.js';
import { isUnder, pathFromRoot } from './tree.js';

function describeAccess(mask: number): string {
  const parts = [(mask & MAY_READ) !== 0 ? 'reading' : null, (mask & MAY_WRITE) !== 0 ? 'writing' : null].filter((part) => part !== null);
  return parts.length === 0 ? 'nothing' : parts.join(' and ');
}

export const vfsDac: Invariant<MachineState> = {
  name: 'vfs.dac',
  statement: 'No process opens a file for access its credentials do not permit by the mode bits, owner, group and DAC capabilities.',
  defence: 'generic_permission in every open (owner/group/other classes, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)',
  on: ['kernel.fdOpened'],
  check(before, event) {
    const { pid, file, openFlags, created } = event.data as FdOpenedData;
    if (created || file.path === null) return null;
    const process = before.kernel.processes.byId[pid];
    const inode = before.vfs.inodes[file.path.ino];
    if (process === undefined || inode === undefined) return null;
    const mask = accessMaskOf(openFlags);
    if (mayAccess(process.creds, inode, mask)) return null;
    const mode = (inode.mode & 0o7777).toString(8).padStart(4, '0');
    return `${process.name} (fsuid ${process.creds.fsuid}, fsgid ${process.creds.fsgid}) opened ${file.name} (mode ${mode}, owner ${inode.uid}:${inode.gid}) for ${describeAccess(mask)}, which its credentials do not permit`;
  },
};

/** Whether the process is one the confinement promise covers, and its root if so. */
function confinedRoot(vfs: VfsState, process: Process, allFiles: MachineState['kernel']['files']): PathRef | null {
  const fs = process.fs;
  if (fs === null || vfs.root === null || samePlace(fs.root, vfs.root)) return null;
  if (hasCapability(process.creds, CAP.SYS_CHROOT)) return null;
  if (!isUnder(vfs, fs.cwd, fs.root)) return null;
  for (const entry of process.fds) {
    const path = allFiles.byId[entry.file]?.path ?? null;
    if (path !== null && vfs.inodes[path.ino]?.kind === 'dir' && !isUnder(vfs, path, fs.root)) return null;
  }
  return fs.root;
}

export const vfsChrootConfinement: Invariant<MachineState> = {
  name: 'vfs.chroot-confinement',
  statement: 'A process with a root of its own, no CAP_SYS_CHROOT, and its cwd and open directories inside that root never resolves a path through a place outside it.',
  defence: '".." stopping at the process root, absolute symbolic links restarting there, and CAP_SYS_CHROOT guarding chroot',
  on: ['vfs.pathResolved'],
  check(before, event) {
    const { pid, path, visited } = event.data as { pid: number; path: string; visited: PathRef[] };
    const process = before.kernel.processes.byId[pid];
    if (process === undefined) return null;
    const root = confinedRoot(before.vfs, process, before.kernel.files);
    if (root === null) return null;
    for (const place of visited) {
      if (before.vfs.inodes[place.ino]?.kind !== 'dir' || isUnder(before.vfs, place, root)) continue;
      const top = before.vfs.root === null ? null : pathFromRoot(before.vfs, place, before.vfs.root);
      const where = top === null ? `inode ${place.ino}` : top.path;
      return `${process.name}, confined to its root without CAP_SYS_CHROOT, resolved "${path}" through ${where}, outside that root`;
    }
    return null;
  },
};

export const VFS_INVARIANTS: readonly Invariant<MachineState>[] = [vfsDac, vfsChrootConfinement];
