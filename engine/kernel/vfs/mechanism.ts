/**
 * The VFS as a mechanism: it owns the `vfs` slice (inodes and mounts). The kernel's
 * system calls decide what happens to files; the events they emit are folded here.
 */
import type { Envelope } from '../../core/decider.js';
import type { MechanismDefinition } from '../../core/engine.js';
import type { MachineState } from '../../machine/state.js';
import { decideSetup, inodeFromData, type inodeData } from './setup.js';
import type { Inode, Mount, VfsState } from './state.js';

type InodeData = ReturnType<typeof inodeData>;
type Reducer = (vfs: VfsState, event: Envelope) => VfsState;

/** Reducers of the vfs slice; other folders add theirs (VFS_REDUCERS is spread below). */
export const vfsReducers: Record<string, Reducer> = {
  'vfs.populated': (vfs, event) => {
    const { inodes, nextIno, rootIno } = event.data as { inodes: InodeData[]; nextIno: number; rootIno: number };
    const table: Record<string, Inode> = { ...vfs.inodes };
    for (const data of inodes) table[data.ino] = inodeFromData(data);
    const rootMount: Mount = {
      id: vfs.nextMountId,
      root: rootIno,
      mountpoint: null,
      parent: null,
      flags: { readOnly: false, nosuid: false, noexec: false, nodev: false },
      source: 'rootfs',
      fstype: 'rootfs',
    };
    return {
      ...vfs,
      inodes: table,
      nextIno,
      mounts: { ids: [...vfs.mounts.ids, rootMount.id], byId: { ...vfs.mounts.byId, [rootMount.id]: rootMount } },
      nextMountId: vfs.nextMountId + 1,
      root: { mount: rootMount.id, ino: rootIno },
    };
  },
  'vfs.inodeCreated': (vfs, event) => {
    const inode = inodeFromData(event.data as InodeData);
    return { ...vfs, inodes: { ...vfs.inodes, [inode.ino]: inode }, nextIno: Math.max(vfs.nextIno, inode.ino + 1) };
  },
  'vfs.inodeChanged': (vfs, event) => {
    const inode = inodeFromData(event.data as InodeData);
    return { ...vfs, inodes: { ...vfs.inodes, [inode.ino]: inode } };
  },
  'vfs.mounted': (vfs, event) => {
    const mount = event.data as Mount;
    return {
      ...vfs,
      mounts: { ids: [...vfs.mounts.ids, mount.id], byId: { ...vfs.mounts.byId, [mount.id]: mount } },
      nextMountId: Math.max(vfs.nextMountId, mount.id + 1),
    };
  },
  'vfs.unmounted': (vfs, event) => {
    const { id } = event.data as { id: number };
    const byId = { ...vfs.mounts.byId };
    delete byId[id];
    return { ...vfs, mounts: { ids: vfs.mounts.ids.filter((m) => m !== id), byId } };
  },
  'vfs.mountChanged': (vfs, event) => {
    const mount = event.data as Mount;
    return { ...vfs, mounts: { ...vfs.mounts, byId: { ...vfs.mounts.byId, [mount.id]: mount } } };
  },
};

export const vfsMechanism: MechanismDefinition<MachineState, 'vfs'> = {
  name: 'vfs',
  slice: 'vfs',
  decide: { 'vfs.setup': decideSetup },
  evolve: vfsReducers,
};
