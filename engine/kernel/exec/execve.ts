/**
 * execve(2): the calling process runs another program. What isolation cares about is
 * all here (fs/exec.c, do_execveat_common → bprm_execve → begin_new_exec):
 *  - the file: found by path resolution (following links), a regular file the caller may
 *    execute on a mount without noexec, in a format the kernel knows (ELF, or a `#!`
 *    script whose interpreter is then run — up to four levels, then ELOOP);
 *  - the credentials: capabilities(7)'s transformation, set-user-ID and set-group-ID
 *    bits, file capabilities, nosuid and no_new_privs (cred/exec.ts);
 *  - a new, empty address space: the old one is released (a vfork parent sharing it
 *    wakes), a new top-level table shares only the kernel half, and CR3 is loaded with it
 *    (with PCIDs, a load that flushes the process's PCID, as Linux's switch_mm does for a
 *    new mm);
 *  - descriptors marked close-on-exec are closed; signals with handlers are reset to
 *    their default action (signal(7)).
 * Programs in isolab are files whose content starts with "ELF" (or "\x7fELF"): the
 * scenario's next steps are what the new program does.
 */
import type { EventDraft } from '../../core/decider.js';
import type { MachineState } from '../../machine/state.js';
import { writeCr3 } from '../../hw/cpu/cr3.js';
import { pcidEnabled } from '../../hw/cpu/control.js';
import { credentialsAfterExec } from '../cred/exec.js';
import { credentialsChangedByExec } from '../cred/events.js';
import { editorFor } from '../pagetables.js';
import { releaseAddressSpace, wakeVforkParent } from '../proc/lifecycle.js';
import type { Process } from '../state.js';
import { fail, ok, type SyscallContext, type SyscallResult } from '../syscall/context.js';
import { resolutionEvent } from '../vfs/calls/common.js';
import { fsKernelEvents } from '../vfs/events.js';
import { splitOnExec } from '../vfs/fds.js';
import { mayExec } from '../vfs/permission.js';
import { isFailure, resolvePath, type Resolved } from '../vfs/resolve.js';
import { mountOf } from '../vfs/state.js';

/** binfmt_script: an interpreter may itself be a script, up to this depth (BINPRM_MAX_RECURSION). */
const MAX_INTERPRETER_DEPTH = 4;

type Found = { readonly resolved: Resolved; readonly events: EventDraft[]; readonly interpreters: string[] };

function isElf(content: string): boolean {
  return content.startsWith('\x7fELF') || content.startsWith('ELF');
}

/** The `#!` line's interpreter path, or null. */
function interpreterOf(content: string): string | null {
  if (!content.startsWith('#!')) return null;
  const line = content.slice(2).split('\n')[0]!.trim();
  const path = line.split(/\s+/)[0] ?? '';
  return path === '' ? null : path;
}

/** The program to run: the file, or the interpreter its `#!` line names (recursively). */
function findProgram(c: SyscallContext, path: string): Found | SyscallResult {
  const events: EventDraft[] = [];
  const interpreters: string[] = [];
  let current = path;
  for (let depth = 0; ; depth++) {
    const resolved = resolvePath(c.state, c.process, current, { follow: true });
    if (c.process.fs !== null) events.push(resolutionEvent(c, current, resolved));
    if (isFailure(resolved)) return { errno: resolved.errno, note: resolved.note, events };
    const denied = mayExec(c.process.creds, resolved.inode, mountOf(c.state.vfs, resolved.ref.mount));
    if (denied !== null) return { errno: denied, note: execDeniedNote(c, resolved), events };
    const content = resolved.inode.content;
    if (isElf(content)) return { resolved, events, interpreters };
    const interpreter = interpreterOf(content);
    if (interpreter === null) return { errno: 'ENOEXEC', note: `${current} is neither an ELF program nor a #! script`, events };
    if (depth + 1 >= MAX_INTERPRETER_DEPTH) return { errno: 'ELOOP', note: `more than ${MAX_INTERPRETER_DEPTH} levels of #! interpreters`, events };
    interpreters.push(interpreter);
    current = interpreter;
  }
}

function execDeniedNote(c: SyscallContext, resolved: Resolved): string {
  const { inode } = resolved;
  if (inode.kind !== 'file') return `EACCES: ${inode.kind === 'dir' ? 'a directory' : `a ${inode.kind}`} is not a program (execve needs a regular file)`;
  if (mountOf(c.state.vfs, resolved.ref.mount).flags.noexec) return 'EACCES: the file is on a noexec mount';
  return `EACCES: mode 0${(inode.mode & 0o7777).toString(8)} owned by ${inode.uid}:${inode.gid} gives no execute permission to these credentials`;
}

/** A new top-level table sharing only the kernel half, and the CR3 load that switches to it. */
function newAddressSpace(state: MachineState, process: Process): { root: number; drafts: EventDraft[] } | null {
  const editor = editorFor(state);
  const root = editor.newTable();
  if (root === null) return null;
  for (const entry of state.kernel.kernelTopEntries) {
    editor.writeEntry(root + entry.index * state.config.geometry.entryBytes, { high: entry.high, low: entry.low }, 'share the kernel half');
  }
  return { root, drafts: editor.drafts('kernel', process.name) };
}

function cr3For(state: MachineState, process: Process, root: number): bigint {
  // With PCIDs, a load with bit 63 clear flushes the PCID's entries (SDM §4.10.4.1): the old program's translations go.
  if (!pcidEnabled(state.cpu) || process.pcidSlot === null) return BigInt(root);
  return BigInt(root) | BigInt(process.pcidSlot + 1);
}

export function execve(c: SyscallContext): SyscallResult {
  const path = c.text(0);
  if (typeof path !== 'string') return fail('EFAULT', 'the path is not a readable string');
  if (path === '') return fail('ENOENT', 'an empty path names no file');
  const found = findProgram(c, path);
  if (!('resolved' in found)) return found;
  const { resolved, events } = found;
  const process = c.process;
  const file = { mode: resolved.inode.mode, uid: resolved.inode.uid, gid: resolved.inode.gid, fileCaps: resolved.inode.fileCaps };
  const mount = { nosuid: mountOf(c.state.vfs, resolved.ref.mount).flags.nosuid };
  const creds = credentialsAfterExec(process.creds, file, mount);
  if (creds.errno !== null) return { errno: creds.errno, note: creds.changes.join('; '), events };
  const space = newAddressSpace(c.state, process);
  if (space === null) return { errno: 'ENOMEM', note: 'no free frame for the new page tables', events };
  const { closed } = splitOnExec(process.fds);
  const program = found.interpreters.length === 0 ? path : found.interpreters[found.interpreters.length - 1]!;
  const drafts: EventDraft[] = [
    ...events,
    ...releaseAddressSpace(c.state, process),
    ...space.drafts,
    ...writeCr3(c.state, 'kernel', cr3For(c.state, process, space.root), `execve ${path}: the new program's address space`),
    {
      type: 'kernel.execed',
      actor: process.name,
      data: {
        pid: process.pid,
        path,
        program,
        rootTable: space.root,
        tableFrames: [space.root / c.state.memory.frameBytes],
        resetSignals: [...process.catches],
        changes: creds.changes,
      },
    },
    credentialsChangedByExec(process, path, file, mount, creds),
    ...closed.map((entry) => fsKernelEvents.fdClosed(process.name, process.pid, entry.fd, entry.file)),
    ...wakeVforkParent(c.state.kernel, process),
  ];
  const note = [creds.changes.length === 0 ? null : creds.changes.join('; '), closed.length === 0 ? null : `closed on exec: fd ${closed.map((e) => e.fd).join(', ')}`]
    .filter((part) => part !== null)
    .join('; ');
  return ok(0, { events: drafts, ...(note === '' ? {} : { note }) });
}
