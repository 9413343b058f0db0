/**
 * The events of the file system, as drafts with plain JSON data. `vfs.*` events change
 * the vfs slice (inodes, directory entries, mounts) and are folded in reducers.ts;
 * `kernel.*` events here change what a process holds — descriptors, open file
 * descriptions, channels, root, cwd, umask — and are folded in evolve.ts.
 * `vfs.pathResolved` changes nothing: it records where a path resolution went, for the
 * chroot-confinement invariant and for whoever reads the trace.
 */
import type { EventDraft } from '../../core/decider.js';
import { bytesToHex } from '../../core/bytes.js';
import type { Errno } from '../syscall/errno.js';
import type { Channel, OpenFile } from '../state.js';
import { inodeData, type Inode, type Mount, type PathRef } from './state.js';

export type VfsEventType =
  | 'vfs.populated'
  | 'vfs.inodeCreated'
  | 'vfs.inodeChanged'
  | 'vfs.fileWritten'
  | 'vfs.fileTruncated'
  | 'vfs.entryAdded'
  | 'vfs.entryRemoved'
  | 'vfs.mounted'
  | 'vfs.mountChanged'
  | 'vfs.unmounted'
  | 'vfs.mountsDetached'
  | 'vfs.rootPivoted'
  | 'vfs.pathResolved';

export type FsKernelEventType =
  | 'kernel.fdOpened'
  | 'kernel.fdClosed'
  | 'kernel.fdDuplicated'
  | 'kernel.fileOffsetSet'
  | 'kernel.channelCreated'
  | 'kernel.channelWritten'
  | 'kernel.channelRead'
  | 'kernel.rootChanged'
  | 'kernel.cwdChanged'
  | 'kernel.umaskChanged';

/** Attribute changes of an inode; fileCaps null removes the capability attribute. */
export interface InodeChanges {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly nlink?: number;
  readonly fileCaps?: null;
}

const draft = (type: VfsEventType | FsKernelEventType, actor: string, data: unknown): EventDraft => ({ type, actor, data });

export const vfsEvents = {
  inodeCreated: (actor: string, inode: Inode) => draft('vfs.inodeCreated', actor, inodeData(inode)),
  inodeChanged: (actor: string, ino: number, changes: InodeChanges, why: string) => draft('vfs.inodeChanged', actor, { ino, ...changes, why }),
  fileWritten: (actor: string, ino: number, offset: number, bytes: Uint8Array) => draft('vfs.fileWritten', actor, { ino, offset, bytes: bytesToHex(bytes) }),
  fileTruncated: (actor: string, ino: number, sizeBytes: number) => draft('vfs.fileTruncated', actor, { ino, sizeBytes }),
  entryAdded: (actor: string, dir: number, name: string, ino: number) => draft('vfs.entryAdded', actor, { dir, name, ino }),
  entryRemoved: (actor: string, dir: number, name: string) => draft('vfs.entryRemoved', actor, { dir, name }),
  mounted: (actor: string, mount: Mount) => draft('vfs.mounted', actor, mount),
  mountChanged: (actor: string, mount: Mount, why: string) => draft('vfs.mountChanged', actor, { ...mount, why }),
  unmounted: (actor: string, id: number) => draft('vfs.unmounted', actor, { id }),
  /** A lazy umount: the mounts leave the table's order but stay for whoever stands in them. */
  mountsDetached: (actor: string, ids: readonly number[]) => draft('vfs.mountsDetached', actor, { ids: [...ids] }),
  /** pivot_root: both mounts as they are after the swap, and the new default root. */
  rootPivoted: (actor: string, newRoot: Mount, oldRoot: Mount, root: PathRef) => draft('vfs.rootPivoted', actor, { newRoot, oldRoot, root }),
  pathResolved: (actor: string, data: { pid: number; path: string; visited: readonly PathRef[]; result: PathRef | null; errno: Errno | null }) =>
    draft('vfs.pathResolved', actor, { ...data, visited: [...data.visited] }),
};

export interface FdOpenedData {
  readonly pid: number;
  readonly fd: number;
  readonly cloexec: boolean;
  readonly file: OpenFile;
  /** The flags the call asked with (the description keeps fewer: O_TRUNC, O_CREAT… are gone). */
  readonly openFlags: number;
  /** Whether this open created the file (then no permission was checked on it, open(2)). */
  readonly created: boolean;
}

export const fsKernelEvents = {
  fdOpened: (actor: string, data: FdOpenedData) => draft('kernel.fdOpened', actor, data),
  fdClosed: (actor: string, pid: number, fd: number, file: number) => draft('kernel.fdClosed', actor, { pid, fd, file }),
  /** dup2/dup3/dup: `fd` now names `file` too; whatever `fd` named before is closed first. */
  fdDuplicated: (actor: string, pid: number, from: number, fd: number, file: number, cloexec: boolean) => draft('kernel.fdDuplicated', actor, { pid, from, fd, file, cloexec }),
  fileOffsetSet: (actor: string, file: number, offset: number) => draft('kernel.fileOffsetSet', actor, { file, offset }),
  channelCreated: (actor: string, channel: Channel) => draft('kernel.channelCreated', actor, channel),
  channelWritten: (actor: string, channel: number, bytes: Uint8Array) => draft('kernel.channelWritten', actor, { channel, bytes: bytesToHex(bytes) }),
  channelRead: (actor: string, channel: number, count: number) => draft('kernel.channelRead', actor, { channel, count }),
  rootChanged: (actor: string, pid: number, root: PathRef, why: string) => draft('kernel.rootChanged', actor, { pid, root, why }),
  cwdChanged: (actor: string, pid: number, cwd: PathRef, why: string) => draft('kernel.cwdChanged', actor, { pid, cwd, why }),
  umaskChanged: (actor: string, pid: number, umask: number) => draft('kernel.umaskChanged', actor, { pid, umask }),
};
