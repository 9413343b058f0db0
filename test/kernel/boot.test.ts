// Proves what kernel boot builds (after Linux's memory layout): reserved frames, a supervisor-only direct map in 2 MiB pages and read-only kernel text, CR3 on the kernel's tables, and a kernel half whose top-level entries every new address space shares.
import { credentialsData, credentialsFor } from '../../engine/kernel/cred/state.js';
import { describe, expect, it } from 'vitest';
import { CR4_PGE, CR4_PSE, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE } from '../../engine/hw/cpu/registers.js';
import { OSTEP_15, TWO_LEVEL, decodeEntry } from '../../engine/hw/mmu/index.js';
import { Machine, dataOf, given, oneOf, typesOf } from '../helpers/machine.js';

const ENTRY_US = 0x4;
const PML4_DIRECT_MAP = 273; // 0xffff888000000000 >> 39 & 0x1ff
const PML4_TEXT = 511; // 0xffffffff81000000

const BOOT = { type: 'kernel.boot', actor: 'kernel', data: { timerPeriodTicks: 5, switchPolicy: { flushOnReuse: true, pcidSlots: 2 } } };

function entriesOf(machine: Machine, root: number, from: number, to: number): bigint[] {
  const out: bigint[] = [];
  for (let index = from; index < to; index++) {
    const { high, low } = machine.state.memory.store.readEntry(root + index * 8, 8);
    out.push((BigInt(high) << 32n) | BigInt(low));
  }
  return out;
}

describe('kernel.boot on x86-64 with 4-level paging', () => {
  it('given a fresh machine, decides the reserved frames, the tables, the CR3 load and kernel.booted, in that order', () => {
    const decision = given([]).when(BOOT);
    const types = typesOf(decision.events);
    expect(types.slice(0, 4)).toEqual(['memory.framesAllocated', 'memory.framesAllocated', 'memory.framesAllocated', 'memory.framesZeroed']);
    // 34 direct-map entries (PML4, PDPT and 32 PDEs for 64 MiB) and 3 for the kernel text.
    expect(types.filter((type) => type === 'memory.entryWritten')).toHaveLength(37);
    expect(types.slice(-3)).toEqual(['cpu.registerWritten', 'tlb.flushed', 'kernel.booted']);
    expect(decision.only('kernel.booted')).toMatchObject({
      root: 256 * 4096,
      timerPeriodTicks: 5,
      switchPolicy: { flushOnReuse: true, pcidSlots: 2 },
      layout: { userTop: '0x800000000000', directMap: '0xffff888000000000', text: '0xffffffff81000000' },
    });
    const after = decision.after;
    expect(after.kernel.booted).toBe(true);
    expect(after.cpu.cr3).toBe(256 * 4096);
    expect(after.kernel.pcidSlots).toEqual([
      { owner: null, generation: 0 },
      { owner: null, generation: 0 },
    ]);
    expect(after.kernel.timer).toEqual({ periodTicks: 5, nextTick: 5 });
  });

  it('writes no entry that user mode may use: U/S is clear at every level', () => {
    const writes = dataOf<{ after: string }>(given([]).when(BOOT).events, 'memory.entryWritten');
    expect(writes.filter((write) => (BigInt(write.after) & BigInt(ENTRY_US)) !== 0n)).toEqual([]);
  });

  it('maps the direct map in global, writable 2 MiB pages, execute-disabled when EFER.NXE is on', () => {
    const machine = new Machine({ features: { efer: EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE } });
    machine.createProcess('p');
    const fill = oneOf<{ entry: Record<string, unknown> }>(machine.kernelAccess('p', 'read', 0xffff888000123456n), 'tlb.filled');
    expect(fill.entry).toMatchObject({ pageShift: 21, global: true, writable: true, user: false, executable: false, frameBase: 0 });
  });

  it('maps the kernel text read-only and executable at 0xffffffff81000000, backed by physical 2 MiB', () => {
    const machine = new Machine({ features: { efer: EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE } });
    machine.createProcess('p');
    const fill = oneOf<{ entry: Record<string, unknown> }>(machine.kernelAccess('p', 'read', 0xffffffff81000010n), 'tlb.filled');
    expect(fill.entry).toMatchObject({ pageShift: 21, global: true, writable: false, user: false, executable: true, frameBase: 0x200000 });
  });

  it('remembers exactly the non-empty top-level entries of the kernel half', () => {
    const machine = new Machine();
    const { kernelRoot, kernelTopEntries } = machine.state.kernel;
    expect(kernelTopEntries.map((entry) => entry.index)).toEqual([PML4_DIRECT_MAP, PML4_TEXT]);
    for (const entry of kernelTopEntries) {
      expect(machine.state.memory.store.readEntry(kernelRoot + entry.index * 8, 8)).toEqual({ high: entry.high, low: entry.low });
    }
  });
});

describe('kernel halves of address spaces', () => {
  it('are identical in two processes and in the kernel\'s own table; the user halves start empty', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    machine.createProcess('bob');
    const roots = [machine.state.kernel.kernelRoot, machine.process('alice').rootTable, machine.process('bob').rootTable];
    expect(new Set(roots).size).toBe(3);
    const [kernel, alice, bob] = roots.map((root) => entriesOf(machine, root, 256, 512).join(','));
    expect(alice).toBe(kernel);
    expect(bob).toBe(kernel);
    for (const root of roots.slice(1)) expect(entriesOf(machine, root, 0, 256).every((entry) => entry === 0n)).toBe(true);
  });

  it('stay shared after a process maps user memory: user mappings only touch the user half', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    machine.createProcess('bob');
    machine.map('alice', 0x400000n);
    machine.map('alice', 0x7ffffffff000n);
    const alice = entriesOf(machine, machine.process('alice').rootTable, 256, 512).join(',');
    expect(alice).toBe(entriesOf(machine, machine.process('bob').rootTable, 256, 512).join(','));
  });
});

describe('kernel.createProcess', () => {
  it('given a booted kernel, allocates a root table, copies the kernel half into it and records the process', () => {
    const boot = new Machine().events;
    const decision = given(boot)
      .when({ type: 'kernel.createProcess', actor: 'kernel', data: { name: 'alice', creds: credentialsData(credentialsFor(1000, 100)), catches: ['SIGSEGV'] } })
      .then([
        { type: 'memory.framesAllocated', data: { frames: [261], owner: { owner: 'alice', purpose: 'page-table' } } },
        { type: 'memory.framesZeroed', data: { frames: [261] } },
        { type: 'memory.entryWritten', data: { address: 261 * 4096 + PML4_DIRECT_MAP * 8, why: 'share the kernel half' } },
        { type: 'memory.entryWritten', data: { address: 261 * 4096 + PML4_TEXT * 8, why: 'share the kernel half' } },
        { type: 'kernel.fileOpened', data: { kind: 'console', name: '/dev/console', refs: 3 } },
        {
          type: 'kernel.processCreated',
          data: {
            pid: 1,
            name: 'alice',
            creds: expect.objectContaining({ ruid: 1000, euid: 1000, rgid: 100, egid: 100 }),
            fds: [0, 1, 2].map((fd) => ({ fd, file: 1, cloexec: false })),
            catches: ['SIGSEGV'],
            rootTable: 261 * 4096,
            tableFrames: [261],
          },
        },
      ]);
    expect(decision.after.kernel.processes.byId[1]).toEqual({
      pid: 1,
      name: 'alice',
      ppid: 1,
      creds: credentialsFor(1000, 100),
      fs: null,
      fds: [0, 1, 2].map((fd) => ({ fd, file: 1, cloexec: false })),
      exe: null,
      status: 'ready',
      waitStatus: null,
      exit: null,
      rootTable: 261 * 4096,
      tableFrames: [261],
      vmas: [],
      catches: ['SIGSEGV'],
      pcidSlot: null,
      tlbGeneration: 0,
    });
    expect(decision.after.kernel.nextPid).toBe(2);
  });

  it('numbers processes from 1 in creation order', () => {
    const machine = new Machine();
    for (const name of ['a', 'b', 'c']) machine.createProcess(name);
    expect(machine.state.kernel.processes.ids).toEqual([1, 2, 3]);
    expect(machine.process('c').pid).toBe(3);
  });

  it('refuses with ENOMEM when no frame is left for the root table', () => {
    const boot = new Machine({ config: { memoryBytes: 8 * 1024 * 1024 } }).events;
    const free = Array.from({ length: 2048 }, (_, pfn) => pfn).filter((pfn) => (pfn > 260 && pfn < 512) || pfn >= 1024);
    const everythingTaken = { type: 'memory.framesAllocated', actor: 'raw', data: { frames: free, owner: { owner: 'raw', purpose: 'raw' } } };
    given([...boot, everythingTaken], { config: { memoryBytes: 8 * 1024 * 1024 } })
      .when({ type: 'kernel.createProcess', actor: 'kernel', data: { name: 'late', uid: 1000, gid: 1000, catches: [] } })
      .then([{ type: 'kernel.requestRefused', data: { operation: 'createProcess', errno: 'ENOMEM', reason: 'no free frame for a page table' } }]);
  });
});

describe('other geometries', () => {
  it('i386: the kernel half starts at PDE 768 (0xc0000000) and maps low memory in 4 MiB pages', () => {
    const machine = new Machine({ config: { cpu: 'i386', geometry: TWO_LEVEL, maxPhyAddr: 36 }, features: { mode: 'protected', cr4: CR4_PSE | CR4_PGE, efer: 0 } });
    const entries = machine.state.kernel.kernelTopEntries;
    expect(entries.map((entry) => entry.index)).toEqual(Array.from({ length: 16 }, (_, i) => 768 + i));
    const fields = decodeEntry('x86-32', entries[1]!.high, entries[1]!.low);
    expect(fields).toMatchObject({ frameAddress: 0x400000, present: true, largePage: true, global: true, user: false });
  });

  it('a teaching machine has no kernel half to share', () => {
    const machine = new Machine({
      config: { cpu: 'teaching', geometry: OSTEP_15, maxPhyAddr: 22, memoryBytes: 4 * 1024 * 1024, frameBytes: 32 },
      features: { mode: 'protected', cr4: 0, efer: 0 },
    });
    expect(machine.state.kernel.kernelTopEntries).toEqual([]);
    expect(oneOf(machine.events, 'kernel.booted')).toMatchObject({ layout: { userTop: '0x8000', directMap: null, text: null } });
  });
});
