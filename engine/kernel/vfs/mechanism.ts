/**
 * The VFS as a mechanism: it owns the `vfs` slice (inodes and mounts). The kernel's
 * system calls (syscalls.ts) decide what happens to files; the `vfs.*` events they emit
 * are folded by the reducers registered here (reducers.ts). Boot's file system comes from
 * the `vfs.setup` command (setup.ts).
 */
import type { MechanismDefinition } from '../../core/engine.js';
import type { MachineState } from '../../machine/state.js';
import { vfsReducers } from './reducers.js';
import { decideSetup } from './setup.js';

export { vfsReducers };

export const vfsMechanism: MechanismDefinition<MachineState, 'vfs'> = {
  name: 'vfs',
  slice: 'vfs',
  decide: { 'vfs.setup': decideSetup },
  evolve: vfsReducers,
};
