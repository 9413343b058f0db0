/**
 * Path resolution as the monitor does it and as the kernel does it. The monitor resolves
 * a path with its own lookup against its MIRRORED root and cwd (and its mirrored fd table
 * for the *at calls), reading the file system as it is at the moment it checks — the
 * same rules as the kernel's walk (path_resolution(7)), started from where the monitor
 * believes the process stands. The kernel resolves from where the process really stands,
 * when the call runs. Both report the canonical absolute path (from the file system's
 * root) the monitor's rules are written against.
 */
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { isFailure, resolveParent, resolvePath, type Resolved, type WalkFailure } from '../vfs/resolve.js';
import type { PathRef, VfsState } from '../vfs/state.js';
import { pathFromRoot } from '../vfs/tree.js';
import { mirroredFd, type MonitorView } from './state.js';

const AT_FDCWD = -100;

export type Lookup = { readonly ok: true; readonly path: string; readonly ref: PathRef | null } | { readonly ok: false; readonly errno: string; readonly note: string };

function globalPath(vfs: VfsState, place: PathRef): string {
  if (vfs.root === null) return '/';
  return pathFromRoot(vfs, place, vfs.root).path;
}

function joinPath(directory: string, name: string): string {
  return directory === '/' ? `/${name}` : `${directory}/${name}`;
}

/** The canonical path of what a walk found: a directory by itself, anything else by its directory and name. */
export function canonicalOf(vfs: VfsState, resolved: Resolved): string {
  if (resolved.inode.kind === 'dir' || resolved.name === '') return globalPath(vfs, resolved.ref);
  return joinPath(globalPath(vfs, resolved.parent), resolved.name);
}

/**
 * Every name of an object: a directory has one; a file has one per hard link (each
 * directory entry naming its inode), in inode order.
 */
export function namesOf(vfs: VfsState, place: PathRef): string[] {
  const inode = vfs.inodes[place.ino];
  if (inode === undefined) return [];
  if (inode.kind === 'dir') return [globalPath(vfs, place)];
  const names: string[] = [];
  for (const key of Object.keys(vfs.inodes)) {
    const dir = vfs.inodes[key]!;
    if (dir.kind !== 'dir') continue;
    for (const [name, child] of dir.entries) {
      if (child === place.ino) names.push(joinPath(globalPath(vfs, { mount: place.mount, ino: dir.ino }), name));
    }
  }
  return names;
}

/**
 * Resolve for a process: the whole path (following a last symbolic link if asked), or,
 * when the last name does not exist yet (a file about to be created), its directory and
 * that name.
 */
function resolveFor(state: MachineState, process: Process, path: string, dirfd: number, follow: boolean): Lookup {
  const found = resolvePath(state, process, path, { follow, dirfd });
  if (!isFailure(found)) return { ok: true, path: canonicalOf(state.vfs, found), ref: found.ref };
  if (found.errno !== 'ENOENT') return failed(found);
  const parent = resolveParent(state, process, path, { dirfd });
  if (isFailure(parent)) return failed(parent);
  const directory = globalPath(state.vfs, parent.parent);
  return { ok: true, path: parent.last.kind === 'norm' ? joinPath(directory, parent.last.name) : directory, ref: null };
}

function failed(failure: WalkFailure): Lookup {
  return { ok: false, errno: failure.errno, note: failure.note };
}

/** The kernel's resolution: from the process's real root, cwd and descriptors, now. */
export function kernelLookup(state: MachineState, process: Process, path: string, dirfd: number, follow: boolean): Lookup {
  return resolveFor(state, process, path, dirfd, follow);
}

/** A directory named by a path in the monitor's (global) view, or null when it is gone. */
function placeOfGlobal(state: MachineState, process: Process, path: string): PathRef | null {
  if (state.vfs.root === null || process.fs === null) return null;
  const fromTop: Process = { ...process, fs: { ...process.fs, root: state.vfs.root, cwd: state.vfs.root } };
  const found = resolvePath(state, fromTop, path, { follow: true });
  return isFailure(found) ? null : found.ref;
}

/**
 * The monitor's resolution: the same walk, but begun at the root, cwd and directory
 * descriptor the monitor's copy records. It checks with the process's credentials (it
 * asks what the process may reach). A place the monitor cannot find any more falls back
 * to the file system's root, as a monitor that lost track would.
 */
export function monitorLookup(state: MachineState, process: Process, view: MonitorView, path: string, dirfd: number, follow: boolean): Lookup {
  if (process.fs === null || state.vfs.root === null) return { ok: false, errno: 'ENOENT', note: 'this machine has no file system' };
  const root = placeOfGlobal(state, process, view.root) ?? state.vfs.root;
  const relativeTo = dirfd === AT_FDCWD || path.startsWith('/') ? view.cwd : (mirroredFd(view, dirfd)?.path ?? null);
  if (relativeTo === null) return { ok: false, errno: 'EBADF', note: `the monitor knows no descriptor ${dirfd}` };
  const cwd = placeOfGlobal(state, process, relativeTo) ?? root;
  const asMonitorSees: Process = { ...process, fs: { ...process.fs, root, cwd } };
  return resolveFor(state, asMonitorSees, path, AT_FDCWD, follow);
}

/** A path in the monitor's view after chdir/chroot: where its own lookup of the directory leads. */
export function monitorDirectory(state: MachineState, process: Process, view: MonitorView, path: string): string | null {
  const found = monitorLookup(state, process, view, path, AT_FDCWD, true);
  return found.ok ? found.path : null;
}
