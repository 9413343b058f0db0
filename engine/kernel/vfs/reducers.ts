/**
 * Reducers of the vfs slice: pure, total folds of the `vfs.*` events (events.ts) into the
 * inode table and the mount table. Hand-written copy-on-write: each event touches one or
 * two records. Directory entries stay sorted by name (plain code-unit order), so every
 * listing is deterministic.
 */
import type { Envelope } from '../../core/decider.js';
import { hexToBytes } from '../../core/bytes.js';
import { byteString, inodeFromData, type InodeData, type Inode, type Mount, type PathRef, type VfsState } from './state.js';

type Reducer = (vfs: VfsState, event: Envelope) => VfsState;

function withInode(vfs: VfsState, inode: Inode): VfsState {
  return { ...vfs, inodes: { ...vfs.inodes, [inode.ino]: inode } };
}

function update(vfs: VfsState, ino: number, change: (inode: Inode) => Inode): VfsState {
  const inode = vfs.inodes[ino];
  return inode === undefined ? vfs : withInode(vfs, change(inode));
}

function withMount(vfs: VfsState, mount: Mount): VfsState {
  const ids = vfs.mounts.ids.includes(mount.id) ? vfs.mounts.ids : [...vfs.mounts.ids, mount.id];
  return { ...vfs, mounts: { ids, byId: { ...vfs.mounts.byId, [mount.id]: mount } }, nextMountId: Math.max(vfs.nextMountId, mount.id + 1) };
}

function mountFromData(data: Mount & { why?: string }): Mount {
  const { why: _why, ...mount } = data;
  return mount;
}

const byName = (a: readonly [string, number], b: readonly [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The bytes written at an offset; a hole before it reads as zeros (write(2) past the end). */
function spliced(content: string, offset: number, bytes: string): string {
  const padded = content.length < offset ? content + '\0'.repeat(offset - content.length) : content;
  return padded.slice(0, offset) + bytes + padded.slice(offset + bytes.length);
}

export const vfsReducers: Readonly<Record<string, Reducer>> = {
  'vfs.populated': (vfs, event) => {
    const { inodes, nextIno, mounts, root } = event.data as { inodes: InodeData[]; nextIno: number; mounts: Mount[]; root: PathRef };
    const table: Record<string, Inode> = { ...vfs.inodes };
    for (const data of inodes) table[data.ino] = inodeFromData(data);
    const populated = mounts.reduce(withMount, { ...vfs, inodes: table, nextIno: Math.max(vfs.nextIno, nextIno) });
    return { ...populated, root };
  },
  'vfs.inodeCreated': (vfs, event) => {
    const inode = inodeFromData(event.data as InodeData);
    return { ...withInode(vfs, inode), nextIno: Math.max(vfs.nextIno, inode.ino + 1) };
  },
  'vfs.inodeChanged': (vfs, event) => {
    const { ino, why: _why, ...changes } = event.data as { ino: number; why: string; mode?: number; uid?: number; gid?: number; nlink?: number; fileCaps?: null };
    return update(vfs, ino, (inode) => ({ ...inode, ...changes }));
  },
  'vfs.fileWritten': (vfs, event) => {
    const { ino, offset, bytes } = event.data as { ino: number; offset: number; bytes: string };
    return update(vfs, ino, (inode) => ({ ...inode, content: spliced(inode.content, offset, byteString(hexToBytes(bytes))) }));
  },
  'vfs.fileTruncated': (vfs, event) => {
    const { ino, sizeBytes } = event.data as { ino: number; sizeBytes: number };
    return update(vfs, ino, (inode) => ({ ...inode, content: inode.content.length >= sizeBytes ? inode.content.slice(0, sizeBytes) : inode.content + '\0'.repeat(sizeBytes - inode.content.length) }));
  },
  'vfs.entryAdded': (vfs, event) => {
    const { dir, name, ino } = event.data as { dir: number; name: string; ino: number };
    return update(vfs, dir, (inode) => ({ ...inode, entries: [...inode.entries.filter(([entry]) => entry !== name), [name, ino] as const].sort(byName) }));
  },
  'vfs.entryRemoved': (vfs, event) => {
    const { dir, name } = event.data as { dir: number; name: string };
    return update(vfs, dir, (inode) => ({ ...inode, entries: inode.entries.filter(([entry]) => entry !== name) }));
  },
  'vfs.mounted': (vfs, event) => withMount(vfs, mountFromData(event.data as Mount)),
  'vfs.mountChanged': (vfs, event) => {
    const mount = mountFromData(event.data as Mount & { why: string });
    return { ...vfs, mounts: { ...vfs.mounts, byId: { ...vfs.mounts.byId, [mount.id]: mount } } };
  },
  'vfs.unmounted': (vfs, event) => {
    const { id } = event.data as { id: number };
    const byId = { ...vfs.mounts.byId };
    delete byId[id];
    return { ...vfs, mounts: { ids: vfs.mounts.ids.filter((m) => m !== id), byId } };
  },
  'vfs.mountsDetached': (vfs, event) => {
    const { ids } = event.data as { ids: number[] };
    const byId = { ...vfs.mounts.byId };
    for (const id of ids) {
      const mount = byId[id];
      if (mount !== undefined) byId[id] = { ...mount, mountpoint: null, parent: null };
    }
    return { ...vfs, mounts: { ids: vfs.mounts.ids.filter((m) => !ids.includes(m)), byId } };
  },
  'vfs.rootPivoted': (vfs, event) => {
    const { newRoot, oldRoot, root } = event.data as { newRoot: Mount; oldRoot: Mount; root: PathRef };
    return { ...vfs, mounts: { ...vfs.mounts, byId: { ...vfs.mounts.byId, [newRoot.id]: newRoot, [oldRoot.id]: oldRoot } }, root };
  },
};
