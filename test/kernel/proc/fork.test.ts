// Proves fork, vfork and clone as Linux makes processes (kernel/fork.c): the child's pid, parent, credentials, fs and descriptors; copy-on-write sharing of private pages (both entries read-only, the frame counted twice, the first write copying or reusing it); shared regions staying shared; vfork's parent sleeping until the child exits; and clone's flag checks in the kernel's order.
import { describe, expect, it } from 'vitest';
import { mapCountOf } from '../../../engine/hw/memory/state.js';
import { OSTEP_15 } from '../../../engine/hw/mmu/index.js';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { ascii, frameAt, infoOf, n, readBytes, returnedOf, sys, violationsOf } from './support.js';

const VA = 0x400000n;
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_SIGHAND = 0x800;
const CLONE_VFORK = 0x4000;
const CLONE_PARENT = 0x8000;
const CLONE_THREAD = 0x10000;
const CLONE_NEWNS = 0x20000;
const CLONE_NEWPID = 0x20000000;
const SIGCHLD = 17;

/** parent (uid 1000) with two written pages at VA, running. */
function parentWithPages(): Machine {
  const machine = new Machine();
  machine.createProcess('parent', ['SIGUSR1']);
  machine.map('parent', VA, { sizeBytes: 2 * 4096 });
  machine.write('parent', VA, ascii('parent data'));
  machine.write('parent', VA + 0x1000n, ascii('second page'));
  return machine;
}

function leafOf(machine: Machine, name: string, va: bigint): bigint {
  const process = machine.process(name);
  const geometry = machine.state.config.geometry;
  let table = process.rootTable;
  for (let level = 0; level < 4; level++) {
    const shift = 12 + 9 * (3 - level);
    const index = Number((va >> BigInt(shift)) & 0x1ffn);
    const { high, low } = machine.state.memory.store.readEntry(table + index * geometry.entryBytes, 8);
    const entry = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    if (level === 3) return entry;
    table = Number(entry & 0x000ffffffffff000n);
  }
  throw new Error('unreachable');
}

const writable = (entry: bigint) => (entry & 2n) !== 0n;

describe('fork', () => {
  it('returns the next pid to the parent and makes a child with a copy of its identity', () => {
    const machine = parentWithPages();
    const events = sys(machine, 'parent', 'fork', [], 'child');
    expect(returnedOf(events)).toMatchObject({ name: 'fork', ret: 2, errno: null });
    const child = machine.process('child');
    const parent = machine.process('parent');
    expect(child).toMatchObject({ pid: 2, ppid: parent.pid, status: 'ready', catches: ['SIGUSR1'], exe: parent.exe, fs: parent.fs });
    expect(child.creds).toEqual(parent.creds);
    expect(child.rootTable).not.toBe(parent.rootTable);
    expect(infoOf(machine, 'child')).toMatchObject({ pgid: parent.pid, sid: parent.pid, exitSignal: SIGCHLD, parentSimulated: true });
    expect(returnedOf(sys(machine, 'child', 'getppid'))).toMatchObject({ ret: parent.pid });
  });

  it('names an unnamed child after its parent and pid', () => {
    const machine = parentWithPages();
    sys(machine, 'parent', 'fork');
    expect(machine.process('parent-2').pid).toBe(2);
  });

  it('shares the open file descriptions: each gains a reference', () => {
    const machine = parentWithPages();
    const console = machine.process('parent').fds[0]!.file;
    const before = machine.state.kernel.files.byId[console]!.refs;
    sys(machine, 'parent', 'fork', [], 'child');
    expect(machine.process('child').fds).toEqual(machine.process('parent').fds);
    expect(machine.state.kernel.files.byId[console]!.refs).toBe(before + 3);
  });

  it('shares every private page read-only in both address spaces and counts the frame twice', () => {
    const machine = parentWithPages();
    const frames = machine.process('parent').vmas[0]!.frames;
    const events = sys(machine, 'parent', 'fork', [], 'child');
    expect(oneOf(events, 'memory.framesShared')).toEqual({ frames });
    expect(machine.process('child').vmas[0]!.frames).toEqual(frames);
    for (const frame of frames) expect(mapCountOf(machine.state.memory, frame)).toBe(2);
    for (const name of ['parent', 'child']) {
      expect(writable(leafOf(machine, name, VA))).toBe(false);
      expect(writable(leafOf(machine, name, VA + 0x1000n))).toBe(false);
    }
    // The parent runs on: its TLB must forget the writable translations.
    expect(dataOf<{ va: string }>(events, 'tlb.invalidated').map((e) => e.va)).toEqual(['0x400000', '0x401000']);
    expect(violationsOf(machine)).toEqual([]);
  });

  it('given a write by the child, copies the frame for it alone and leaves the parent\'s data', () => {
    const machine = parentWithPages();
    sys(machine, 'parent', 'fork', [], 'child');
    const shared = frameAt(machine, 'parent', VA);
    const events = machine.write('child', VA, ascii('child data!'));
    const copied = oneOf<{ pid: number; va: string; oldFrame: number; newFrame: number }>(events, 'kernel.cowCopied');
    expect(copied).toMatchObject({ pid: 2, va: '0x400000', oldFrame: shared });
    expect(oneOf(events, 'memory.frameCopied')).toEqual({ from: shared, to: copied.newFrame });
    expect(oneOf(events, 'kernel.faultResolved')).toMatchObject({ fix: 'cow-copy', va: '0x400000' });
    expect(frameAt(machine, 'child', VA)).toBe(copied.newFrame);
    expect(frameAt(machine, 'parent', VA)).toBe(shared);
    expect(mapCountOf(machine.state.memory, shared)).toBe(1);
    expect(readBytes(machine, 'child', VA, 11)).toBe(ascii('child data!'));
    expect(readBytes(machine, 'parent', VA, 11)).toBe(ascii('parent data'));
    // The copy keeps the rest of the page: the child's second page was never touched.
    expect(readBytes(machine, 'child', VA + 0x1000n, 11)).toBe(ascii('second page'));
    expect(violationsOf(machine)).toEqual([]);
  });

  it('given the last sharer writes, makes its entry writable again without copying (do_wp_page reuse)', () => {
    const machine = parentWithPages();
    sys(machine, 'parent', 'fork', [], 'child');
    machine.write('child', VA, ascii('child'));
    const frame = frameAt(machine, 'parent', VA);
    const events = machine.write('parent', VA, ascii('again'));
    expect(oneOf(events, 'kernel.cowReused')).toEqual({ pid: 1, va: '0x400000', frame });
    expect(typesOf(events)).not.toContain('memory.frameCopied');
    expect(writable(leafOf(machine, 'parent', VA))).toBe(true);
    expect(readBytes(machine, 'parent', VA, 5)).toBe(ascii('again'));
  });

  it('keeps a shared region shared: a write by either side is seen by the other', () => {
    const machine = new Machine();
    machine.createRegion('mailbox', 4096);
    machine.createProcess('parent');
    machine.map('parent', VA, { region: 'mailbox' });
    sys(machine, 'parent', 'fork', [], 'child');
    expect(frameAt(machine, 'child', VA)).toBe(frameAt(machine, 'parent', VA));
    const events = machine.write('child', VA, ascii('hi'));
    expect(typesOf(events)).not.toContain('cpu.exceptionRaised');
    expect(readBytes(machine, 'parent', VA, 2)).toBe(ascii('hi'));
  });

  it('on the teaching format, which has no R/W bit, copies every page at once', () => {
    const machine = new Machine({ config: { cpu: 'teaching', geometry: OSTEP_15, memoryBytes: 32 * 128, frameBytes: 32 }, boot: true });
    machine.createProcess('parent');
    machine.map('parent', 0x100n, { sizeBytes: 32 });
    machine.write('parent', 0x100n, 'aa');
    const parentFrame = frameAt(machine, 'parent', 0x100n);
    const events = machine.run({ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'x86_64', request: { nr: 57, name: 'fork', args: [], as: 'child' } } });
    expect(oneOf(events, 'memory.frameCopied')).toMatchObject({ from: parentFrame });
    expect(frameAt(machine, 'child', 0x100n)).not.toBe(parentFrame);
    expect(typesOf(events)).not.toContain('memory.framesShared');
  });

  it('runs from a scenario: the lecture\'s copy-on-write, both sides private after their writes', () => {
    const result = runText(`scenario "cow"
invariant all
process parent { uid: 1000 }
parent: map 0x400000 size 8 KiB rw user
parent: write 0x400000 = "parent data"
parent: syscall fork() as child expect returns 2
child: read 0x400000 size 11 expect value "parent data"
child: write 0x400000 = "child data!"
child: read 0x400000 size 11 expect value "child data!", no signal
parent: read 0x400000 size 11 expect value "parent data"
parent: write 0x400000 = "parent edit"
child: read 0x400000 size 11 expect value "child data!"
assert no violations
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
  });
});

describe('vfork', () => {
  it('shares the address space itself and puts the parent to sleep until the child exits', () => {
    const machine = parentWithPages();
    const events = sys(machine, 'parent', 'vfork', [], 'child');
    expect(returnedOf(events).ret).toBe(2);
    expect(typesOf(events).at(-1)).toBe('cpu.contextEntered');
    expect(machine.state.kernel.current).toBeNull();
    expect(infoOf(machine, 'parent').sleep).toEqual({ kind: 'vfork', child: 2 });
    expect(machine.process('child').rootTable).toBe(machine.process('parent').rootTable);
    expect(machine.switchTo('parent')).toEqual([]);
    // The child writes the parent's memory (vfork(2): it shares all memory, no copy).
    machine.write('child', VA, ascii('from child'));
    expect(typesOf(sys(machine, 'child', 'exit', [n(0)]))).toContain('kernel.woke');
    expect(infoOf(machine, 'parent').sleep).toBeNull();
    expect(readBytes(machine, 'parent', VA, 10)).toBe(ascii('from child'));
    // The address space outlived the child: still the parent's, frames and tables.
    expect(machine.process('parent').vmas[0]!.frames.every((f) => machine.state.memory.owners.get(f) !== undefined)).toBe(true);
    expect(violationsOf(machine)).toEqual([]);
  });
});

describe('clone', () => {
  const clone = (machine: Machine, flags: number, args?: string[]) => returnedOf(sys(machine, 'parent', 'clone', args ?? [n(0x1000), n(0x7fff0000), n(flags)], 'child'));

  it('clone(fn, stack, SIGCHLD) is fork with SIGCHLD as the exit signal', () => {
    const machine = parentWithPages();
    expect(clone(machine, SIGCHLD)).toMatchObject({ ret: 2, errno: null });
    expect(infoOf(machine, 'child').exitSignal).toBe(SIGCHLD);
    expect(mapCountOf(machine.state.memory, frameAt(machine, 'parent', VA))).toBe(2);
  });

  it.each([
    ['fn is NULL', [n(0), n(0x7fff0000), n(SIGCHLD)], 'EINVAL'],
    ['stack is NULL', [n(0x1000), n(0), n(SIGCHLD)], 'EINVAL'],
    ['CLONE_NEWNS with CLONE_FS', [n(0x1000), n(0x7fff0000), n(CLONE_NEWNS | CLONE_FS)], 'EINVAL'],
    ['CLONE_THREAD without CLONE_SIGHAND', [n(0x1000), n(0x7fff0000), n(CLONE_THREAD | CLONE_VM)], 'EINVAL'],
    ['CLONE_SIGHAND without CLONE_VM', [n(0x1000), n(0x7fff0000), n(CLONE_SIGHAND)], 'EINVAL'],
    ['CLONE_THREAD with CLONE_NEWPID', [n(0x1000), n(0x7fff0000), n(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID)], 'EINVAL'],
    ['a namespace flag', [n(0x1000), n(0x7fff0000), n(CLONE_NEWPID | SIGCHLD)], 'ENOSYS'],
    ['CLONE_FS alone', [n(0x1000), n(0x7fff0000), n(CLONE_FS | SIGCHLD)], 'ENOSYS'],
  ] as const)('%s is %s, and no process is made', (_what, args, errno) => {
    const machine = parentWithPages();
    expect(clone(machine, 0, [...args])).toMatchObject({ errno });
    expect(machine.state.kernel.processes.ids).toEqual([1]);
  });

  it('says namespaces come later', () => {
    expect(clone(parentWithPages(), CLONE_NEWPID | SIGCHLD).note).toBe('namespaces are simulated by a later isolab version');
  });

  it('CLONE_PARENT makes a sibling: the caller\'s parent and exit signal', () => {
    const machine = parentWithPages();
    expect(clone(machine, CLONE_PARENT | 10)).toMatchObject({ ret: 2 });
    expect(machine.process('child').ppid).toBe(machine.process('parent').ppid);
    expect(infoOf(machine, 'child')).toMatchObject({ parentSimulated: false, exitSignal: SIGCHLD });
  });

  it('CLONE_VM|CLONE_VFORK|SIGCHLD is vfork', () => {
    const machine = parentWithPages();
    clone(machine, CLONE_VM | CLONE_VFORK | SIGCHLD);
    expect(infoOf(machine, 'parent').sleep).toEqual({ kind: 'vfork', child: 2 });
  });

  it('runs as the lecture writes it: clone(child_main, stack, SIGCHLD)', () => {
    const result = runText(`scenario "clone"
process parent { uid: 1000 }
parent: syscall clone(child_main, stack, SIGCHLD) as child expect returns 2
child: syscall getppid expect returns 1
child: syscall exit(3)
parent: syscall waitpid(child, NULL, 0) expect returns 2
`);
    expect(failuresOf(result)).toEqual([]);
  });
});
