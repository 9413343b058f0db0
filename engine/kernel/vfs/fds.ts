/**
 * File-descriptor tables over open file descriptions (open(2), "Open file descriptions"):
 * a descriptor names a description; dup and fork share it (its offset and flags), so a
 * description lives while any descriptor refers to it. A pipe end's description holds the
 * channel's reader or writer count: when the last writer goes, readers see end of file.
 * These pure functions serve every reducer that opens, closes, forks or execs.
 */
import type { FdEntry, KernelState, OpenFile, Process } from '../state.js';

/** The lowest descriptor number ≥ min not in use (POSIX: open returns the lowest free fd). */
export function lowestFreeFd(process: Process, min = 0): number {
  const used = new Set(process.fds.map((entry) => entry.fd));
  let fd = min;
  while (used.has(fd)) fd++;
  return fd;
}

export function fdEntry(process: Process, fd: number): FdEntry | null {
  return process.fds.find((entry) => entry.fd === fd) ?? null;
}

/** The open file description behind a descriptor, or null (EBADF). */
export function openFileOf(kernel: KernelState, process: Process, fd: number): OpenFile | null {
  const entry = fdEntry(process, fd);
  return entry === null ? null : (kernel.files.byId[entry.file] ?? null);
}

function withFile(kernel: KernelState, file: OpenFile | null): KernelState {
  if (file === null) return kernel;
  return { ...kernel, files: { ...kernel.files, byId: { ...kernel.files.byId, [file.id]: file } } };
}

/** Another descriptor now refers to the description. */
export function retainFile(kernel: KernelState, fileId: number): KernelState {
  const file = kernel.files.byId[fileId];
  return file === undefined ? kernel : withFile(kernel, { ...file, refs: file.refs + 1 });
}

/** Every description a descriptor table refers to gains a reference (fork copies the table). */
export function retainTable(kernel: KernelState, fds: readonly FdEntry[]): KernelState {
  return fds.reduce((k, entry) => retainFile(k, entry.file), kernel);
}

/** A descriptor referring to the description is gone; the last one frees it and its channel end. */
export function releaseFile(kernel: KernelState, fileId: number): KernelState {
  const file = kernel.files.byId[fileId];
  if (file === undefined) return kernel;
  if (file.refs > 1) return withFile(kernel, { ...file, refs: file.refs - 1 });
  const byId = { ...kernel.files.byId };
  delete byId[fileId];
  let channels = kernel.channels;
  if (file.channel !== null) {
    const channel = channels.byId[file.channel];
    if (channel !== undefined) {
      const readers = channel.readers - (file.end === 'read' || file.end === 'both' ? 1 : 0);
      const writers = channel.writers - (file.end === 'write' || file.end === 'both' ? 1 : 0);
      channels = { ...channels, byId: { ...channels.byId, [channel.id]: { ...channel, readers, writers } } };
    }
  }
  return { ...kernel, files: { ...kernel.files, byId }, channels };
}

/** Every descriptor of a table released (exit closes them all). */
export function releaseTable(kernel: KernelState, fds: readonly FdEntry[]): KernelState {
  return fds.reduce((k, entry) => releaseFile(k, entry.file), kernel);
}

/** The descriptors execve keeps: all but those marked close-on-exec (FD_CLOEXEC). */
export function splitOnExec(fds: readonly FdEntry[]): { readonly kept: FdEntry[]; readonly closed: FdEntry[] } {
  return { kept: fds.filter((entry) => !entry.cloexec), closed: fds.filter((entry) => entry.cloexec) };
}
