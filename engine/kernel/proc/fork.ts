/**
 * fork(2), vfork(2) and clone(2) as glibc's wrapper takes them: clone(fn, stack, flags),
 * the low byte of flags the signal the parent gets when the child ends (kernel/fork.c,
 * copy_process and dup_mmap).
 *
 * The child gets the next pid, the caller as parent (its parent with CLONE_PARENT),
 * copies of the credentials, root, working directory, umask and handlers, the caller's
 * group and session, and its descriptor table — the same open file descriptions, which
 * gain a reference. Its address space is a copy in which every private page is shared:
 * both entries are made read-only and the frame counted twice, so the first write on
 * either side copies it (copy-on-write); shared regions stay shared; a swapped-out page
 * shares its slot. With CLONE_VM the child uses the caller's address space itself (and
 * vfork's parent sleeps until the child execs or exits). The paging format without an
 * R/W bit (the teaching one) cannot write-protect, so there fork copies every page.
 *
 * clone's flag checks come first, in the kernel's order; namespaces (CLONE_NEW*) are
 * ENOSYS for now, and so are the flags that share more than memory (CLONE_FS,
 * CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD) or write thread ids.
 */
import type { EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { credentialsData } from '../cred/state.js';
import { editorFor, type PageTableEditor } from '../pagetables.js';
import type { Process, Vma } from '../state.js';
import { fail, ok, type SyscallContext, type SyscallResult } from '../syscall/context.js';
import { canWriteProtect, leafFor, pagesOfVma, shootdown, vmaData, writableNow } from './aspace.js';
import {
  CLONE_CHILD_CLEARTID,
  CLONE_CHILD_SETTID,
  CLONE_FILES,
  CLONE_FS,
  CLONE_NAMESPACES,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_PARENT,
  CLONE_PARENT_SETTID,
  CLONE_PIDFD,
  CLONE_SETTLS,
  CLONE_SIGHAND,
  CLONE_THREAD,
  CLONE_VFORK,
  CLONE_VM,
  CSIGNAL,
  SIGCHLD,
} from './constants.js';
import { NO_FRAME, procInfoOf, sharersOf, swapSlotOf } from './state.js';

/** Flags isolab refuses (ENOSYS) because it does not model what they share or write. */
const NOT_SIMULATED: readonly (readonly [number, string])[] = [
  [CLONE_FS, 'CLONE_FS (a shared root, cwd and umask)'],
  [CLONE_FILES, 'CLONE_FILES (a shared descriptor table)'],
  [CLONE_SIGHAND, 'CLONE_SIGHAND (shared signal handlers)'],
  [CLONE_THREAD, 'CLONE_THREAD (threads)'],
  [CLONE_SETTLS, 'CLONE_SETTLS (thread-local storage)'],
  [CLONE_PARENT_SETTID, 'CLONE_PARENT_SETTID'],
  [CLONE_CHILD_SETTID, 'CLONE_CHILD_SETTID'],
  [CLONE_CHILD_CLEARTID, 'CLONE_CHILD_CLEARTID'],
  [CLONE_PIDFD, 'CLONE_PIDFD (pid file descriptors)'],
];

/** copy_process's consistency checks (EINVAL), then what isolab does not simulate (ENOSYS). */
function cloneFlagsError(flags: number): SyscallResult | null {
  const has = (bits: number) => (flags & bits) === bits;
  if (has(CLONE_NEWNS | CLONE_FS)) return fail('EINVAL', 'CLONE_NEWNS with CLONE_FS: a new mount namespace cannot share the root and cwd');
  if (has(CLONE_NEWUSER | CLONE_FS)) return fail('EINVAL', 'CLONE_NEWUSER with CLONE_FS');
  if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) return fail('EINVAL', 'CLONE_THREAD needs CLONE_SIGHAND');
  if (has(CLONE_SIGHAND) && !has(CLONE_VM)) return fail('EINVAL', 'CLONE_SIGHAND needs CLONE_VM');
  if (has(CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)) !== 0) return fail('EINVAL', 'a thread cannot be in a new user or pid namespace');
  if ((flags & CLONE_NAMESPACES) !== 0) return fail('ENOSYS', 'namespaces are simulated by a later isolab version');
  for (const [bit, what] of NOT_SIMULATED) if ((flags & bit) !== 0) return fail('ENOSYS', `${what} is not simulated`);
  return null;
}

interface ChildPlan {
  readonly drafts: EventDraft[];
  readonly rootTable: number;
  readonly tableFrames: number[];
  readonly vmas: Vma[];
  readonly swapEntries: { slot: number; va: string }[];
}

/** dup_mmap: the child's tables, the parent's private pages write-protected and shared. */
function copyAddressSpace(state: MachineState, parent: Process, childName: string): ChildPlan | null {
  const editor = editorFor(state);
  const root = editor.newTable();
  if (root === null) return null;
  for (const entry of state.kernel.kernelTopEntries) {
    editor.writeEntry(root + entry.index * state.config.geometry.entryBytes, { high: entry.high, low: entry.low }, 'share the kernel half');
  }
  const copies: EventDraft[] = [];
  const shared: number[] = [];
  const protectedVas: bigint[] = [];
  const swapEntries: { slot: number; va: string }[] = [];
  const vmas: Vma[] = [];
  for (const vma of parent.vmas) {
    const frames: number[] = [];
    for (const page of pagesOfVma(vma)) {
      let frame = page.frame;
      if (frame === NO_FRAME) {
        const slot = vma.region === null ? swapSlotOf(state.kernel, parent.pid, hex(page.va)) : null;
        if (slot !== null) swapEntries.push({ slot: slot.slot, va: hex(page.va) });
      } else if (vma.region === null && !canWriteProtect(state)) {
        const copy = copyFrame(editor, frame, childName, copies);
        if (copy === null) return null;
        frame = copy;
      } else if (vma.region === null) {
        shared.push(frame);
        if (writableNow(state.memory, vma, frame)) {
          editor.mapPage(parent.rootTable, page.va, vma.pageShift, leafFor(state, vma, frame, false), true, `fork: write-protect ${hex(page.va)}`);
          protectedVas.push(page.va);
        }
      }
      frames.push(frame);
      if (frame !== NO_FRAME && mapChildPage(state, editor, root, vma, page.va, frame) !== 'mapped') return null;
    }
    vmas.push({ ...vma, frames });
  }
  const drafts = [
    ...copies,
    ...editor.drafts('kernel', childName),
    ...(shared.length > 0 ? [{ type: 'memory.framesShared', actor: 'kernel', data: { frames: shared } }] : []),
    ...shootdown(state, sharersOf(state.kernel, parent), protectedVas),
  ];
  return { drafts, rootTable: root, tableFrames: [...editor.allocatedTables], vmas, swapEntries };
}

function mapChildPage(state: MachineState, editor: PageTableEditor, root: number, vma: Vma, va: bigint, frame: number): string {
  // A private page starts read-only in the child: its first write copies (or reuses) the frame.
  const writable = vma.write && (vma.region !== null || !canWriteProtect(state));
  return editor.mapPage(root, va, vma.pageShift, leafFor(state, vma, frame, writable), true, `fork: ${hex(va)}`);
}

/** A whole-frame copy for the child (the teaching format's eager fork). */
function copyFrame(editor: PageTableEditor, frame: number, owner: string, into: EventDraft[]): number | null {
  const taken = editor.takeFrames(1);
  if (taken === null) return null;
  into.push(
    { type: 'memory.framesAllocated', actor: 'kernel', data: { frames: taken, owner: { owner, purpose: 'data' } } },
    { type: 'memory.frameCopied', actor: 'kernel', data: { from: frame, to: taken[0]! } },
  );
  return taken[0]!;
}

/** The child created by fork, vfork or clone; `flags` without the exit-signal byte. */
function forkChild(c: SyscallContext, flags: number, exitSignal: number): SyscallResult {
  const { state, process: parent } = c;
  const pid = state.kernel.nextPid;
  const name = c.childName ?? `${parent.name}-${pid}`;
  const shareVm = (flags & CLONE_VM) !== 0;
  const plan: ChildPlan | null = shareVm
    ? { drafts: [], rootTable: parent.rootTable, tableFrames: [], vmas: [...parent.vmas], swapEntries: [] }
    : copyAddressSpace(state, parent, name);
  if (plan === null) return fail('ENOMEM', 'out of memory for the child\'s address space');
  const info = procInfoOf(state.kernel, parent.pid);
  const asSibling = (flags & CLONE_PARENT) !== 0;
  const events: EventDraft[] = [
    ...plan.drafts,
    {
      type: 'kernel.processCreated',
      actor: 'kernel',
      data: {
        pid,
        name,
        ppid: asSibling ? parent.ppid : parent.pid,
        creds: credentialsData(parent.creds),
        fs: parent.fs,
        fds: [...parent.fds],
        catches: [...parent.catches],
        rootTable: plan.rootTable,
        tableFrames: plan.tableFrames,
        exe: parent.exe,
        vmas: plan.vmas.map(vmaData),
        // copy_seccomp: the child shares the parent's filters (and mode).
        ...(parent.seccomp === undefined ? {} : { seccomp: parent.seccomp }),
      },
    },
    {
      type: 'kernel.processForked',
      actor: 'kernel',
      data: {
        parent: parent.pid,
        child: pid,
        pgid: info.pgid,
        sid: info.sid,
        exitSignal: asSibling ? info.exitSignal : exitSignal,
        parentSimulated: asSibling ? info.parentSimulated : true,
        sharesAddressSpace: shareVm,
        swapEntries: plan.swapEntries,
      },
    },
  ];
  if ((flags & CLONE_VFORK) !== 0) events.push({ type: 'kernel.vforkStarted', actor: 'kernel', data: { parent: parent.pid, child: pid } });
  const note = (flags & CLONE_VFORK) !== 0 ? `${parent.name} sleeps until ${name} calls execve or exits` : undefined;
  return ok(pid, note === undefined ? { events } : { events, note });
}

export function fork(c: SyscallContext): SyscallResult {
  return forkChild(c, 0, SIGCHLD);
}

/** vfork: clone(CLONE_VM | CLONE_VFORK | SIGCHLD). */
export function vfork(c: SyscallContext): SyscallResult {
  return forkChild(c, CLONE_VM | CLONE_VFORK, SIGCHLD);
}

/** clone(fn, stack, flags): glibc refuses a null fn or stack before the kernel sees the call. */
export function clone(c: SyscallContext): SyscallResult {
  if (isNull(c, 0)) return fail('EINVAL', 'glibc\'s clone() needs a function to run (fn is NULL)');
  if (isNull(c, 1)) return fail('EINVAL', 'glibc\'s clone() needs a stack for the child (stack is NULL)');
  const raw = Number(c.u64(2) & 0xffffffffn);
  const exitSignal = raw & CSIGNAL;
  const flags = (raw & ~CSIGNAL) >>> 0;
  return cloneFlagsError(flags) ?? forkChild(c, flags, exitSignal);
}

/** An argument that is absent or the number 0 (a named function or buffer is not null). */
function isNull(c: SyscallContext, index: number): boolean {
  if (!c.has(index)) return true;
  return c.symbol(index) === null && typeof c.args[index] === 'string' && c.u64(index) === 0n;
}
