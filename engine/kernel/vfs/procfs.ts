/**
 * The proc file system, as much of it as isolab models: a mount of type proc holds
 * `self/mounts` (the calling process's view of the mount table, fs/proc_namespace.c
 * show_vfsmnt) and `mounts`, a symbolic link to it as on Linux. Its content is made when
 * it is read, for the process that reads it. Left out: per-pid directories (Linux's
 * `self` is a link to the reader's /proc/PID; here it is a directory standing for it),
 * and every other proc file.
 */
import type { MachineState } from '../../machine/state.js';
import type { Process } from '../state.js';
import { mountOf, utf8ByteString, type Inode, type Mount } from './state.js';
import { pathFromRoot } from './tree.js';

export const PROC_MOUNTS_DRIVER = 'proc-mounts';

function directory(ino: number, mode: number, entries: (readonly [string, number])[], subdirectories: number): Inode {
  return { ino, kind: 'dir', mode, uid: 0, gid: 0, nlink: 2 + subdirectories, content: '', entries, target: '', fileCaps: null, driver: null };
}

/** The inodes of a new proc mount, its root first; `firstIno` and the next three numbers are used. */
export function procTree(firstIno: number): Inode[] {
  const [root, self, selfMounts, mountsLink] = [firstIno, firstIno + 1, firstIno + 2, firstIno + 3];
  return [
    directory(root, 0o555, [['mounts', mountsLink], ['self', self]], 1),
    directory(self, 0o555, [['mounts', selfMounts]], 0),
    { ino: selfMounts, kind: 'file', mode: 0o444, uid: 0, gid: 0, nlink: 1, content: '', entries: [], target: '', fileCaps: null, driver: PROC_MOUNTS_DRIVER },
    { ino: mountsLink, kind: 'symlink', mode: 0o777, uid: 0, gid: 0, nlink: 1, content: '', entries: [], target: 'self/mounts', fileCaps: null, driver: null },
  ];
}

/** mangle(): space, tab, newline and backslash as octal escapes, as /proc/self/mounts writes them. */
function mangled(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

/** The options field: ro or rw, then the per-mount flags in show_mnt_opts order, then relatime. */
function mountOptions(mount: Mount): string {
  const options = [mount.flags.readOnly ? 'ro' : 'rw'];
  if (mount.flags.nosuid) options.push('nosuid');
  if (mount.flags.nodev) options.push('nodev');
  if (mount.flags.noexec) options.push('noexec');
  options.push('relatime');
  return options.join(',');
}

/**
 * /proc/self/mounts for a process: one line per attached mount, in mount order,
 * "source mountpoint fstype options 0 0", the mountpoint as seen from the process's root;
 * mounts outside that root are left out (seq_path_root skips what it cannot reach).
 */
export function procMounts(state: MachineState, process: Process): string {
  if (process.fs === null) return '';
  const lines: string[] = [];
  for (const id of state.vfs.mounts.ids) {
    const mount = mountOf(state.vfs, id);
    const where = pathFromRoot(state.vfs, { mount: mount.id, ino: mount.root }, process.fs.root);
    if (where.kind !== 'reachable') continue;
    lines.push(`${mangled(mount.source)} ${mangled(where.path)} ${mount.fstype} ${mountOptions(mount)} 0 0\n`);
  }
  return utf8ByteString(lines.join(''));
}

/** The bytes a generated file holds for this reader, or null if the inode is an ordinary one. */
export function generatedContent(state: MachineState, process: Process, inode: Inode): string | null {
  if (inode.driver === PROC_MOUNTS_DRIVER) return procMounts(state, process);
  return null;
}
