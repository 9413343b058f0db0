/**
 * Reducers of the kernel-slice events of the file system (events.ts, fsKernelEvents):
 * descriptor tables over open file descriptions (fds.ts keeps their reference counts),
 * pipe and socket channels, and each process's root, cwd and umask. Merged into the
 * kernel's reducers (kernel/evolve.ts). Hand-written copy-on-write, one process or one
 * record per event.
 */
import type { Envelope } from '../../core/decider.js';
import { hexToBytes } from '../../core/bytes.js';
import type { Channel, FdEntry, KernelState, OpenFile, Process, ProcessFs } from '../state.js';
import type { FdOpenedData } from './events.js';
import { fdEntry, releaseFile, retainFile } from './fds.js';
import { byteString, type PathRef } from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

function updateProcess(kernel: KernelState, pid: number, change: (process: Process) => Process): KernelState {
  const process = kernel.processes.byId[pid];
  if (process === undefined) return kernel;
  return { ...kernel, processes: { ...kernel.processes, byId: { ...kernel.processes.byId, [pid]: change(process) } } };
}

function updateFs(kernel: KernelState, pid: number, change: (fs: ProcessFs) => ProcessFs): KernelState {
  return updateProcess(kernel, pid, (process) => (process.fs === null ? process : { ...process, fs: change(process.fs) }));
}

/** The table with `entry` in its fd's slot, kept in descriptor order. */
function withEntry(fds: readonly FdEntry[], entry: FdEntry): FdEntry[] {
  return [...fds.filter((slot) => slot.fd !== entry.fd), entry].sort((a, b) => a.fd - b.fd);
}

function updateChannel(kernel: KernelState, id: number, change: (channel: Channel) => Channel): KernelState {
  const channel = kernel.channels.byId[id];
  if (channel === undefined) return kernel;
  return { ...kernel, channels: { ...kernel.channels, byId: { ...kernel.channels.byId, [id]: change(channel) } } };
}

/** The descriptor's slot is emptied and its description loses a reference. */
function closeSlot(kernel: KernelState, pid: number, fd: number): KernelState {
  const process = kernel.processes.byId[pid];
  const entry = process === undefined ? null : fdEntry(process, fd);
  if (entry === null) return kernel;
  const without = updateProcess(kernel, pid, (p) => ({ ...p, fds: p.fds.filter((slot) => slot.fd !== fd) }));
  return releaseFile(without, entry.file);
}

export const vfsKernelReducers: Readonly<Record<string, Reducer>> = {
  'kernel.fdOpened': (kernel, event) => {
    const { pid, fd, cloexec, file } = event.data as FdOpenedData;
    const opened: OpenFile = { ...file, refs: 1 };
    const withFile: KernelState = { ...kernel, files: { byId: { ...kernel.files.byId, [opened.id]: opened }, nextId: Math.max(kernel.files.nextId, opened.id + 1) } };
    return updateProcess(withFile, pid, (process) => ({ ...process, fds: withEntry(process.fds, { fd, file: opened.id, cloexec }) }));
  },
  'kernel.fdClosed': (kernel, event) => {
    const { pid, fd } = event.data as { pid: number; fd: number };
    return closeSlot(kernel, pid, fd);
  },
  'kernel.fdDuplicated': (kernel, event) => {
    const { pid, fd, file, cloexec } = event.data as { pid: number; fd: number; file: number; cloexec: boolean };
    const retained = retainFile(kernel, file);
    const freed = closeSlot(retained, pid, fd);
    return updateProcess(freed, pid, (process) => ({ ...process, fds: withEntry(process.fds, { fd, file, cloexec }) }));
  },
  'kernel.fileOffsetSet': (kernel, event) => {
    const { file, offset } = event.data as { file: number; offset: number };
    const open = kernel.files.byId[file];
    if (open === undefined) return kernel;
    return { ...kernel, files: { ...kernel.files, byId: { ...kernel.files.byId, [file]: { ...open, offset } } } };
  },
  'kernel.channelCreated': (kernel, event) => {
    const channel = event.data as Channel;
    return { ...kernel, channels: { byId: { ...kernel.channels.byId, [channel.id]: channel }, nextId: Math.max(kernel.channels.nextId, channel.id + 1) } };
  },
  'kernel.channelWritten': (kernel, event) => {
    const { channel, bytes } = event.data as { channel: number; bytes: string };
    return updateChannel(kernel, channel, (c) => ({ ...c, buffer: c.buffer + byteString(hexToBytes(bytes)) }));
  },
  'kernel.channelRead': (kernel, event) => {
    const { channel, count } = event.data as { channel: number; count: number };
    return updateChannel(kernel, channel, (c) => ({ ...c, buffer: c.buffer.slice(count) }));
  },
  'kernel.rootChanged': (kernel, event) => {
    const { pid, root } = event.data as { pid: number; root: PathRef };
    return updateFs(kernel, pid, (fs) => ({ ...fs, root }));
  },
  'kernel.cwdChanged': (kernel, event) => {
    const { pid, cwd } = event.data as { pid: number; cwd: PathRef };
    return updateFs(kernel, pid, (fs) => ({ ...fs, cwd }));
  },
  'kernel.umaskChanged': (kernel, event) => {
    const { pid, umask } = event.data as { pid: number; umask: number };
    return updateFs(kernel, pid, (fs) => ({ ...fs, umask }));
  },
};
