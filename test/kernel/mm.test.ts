// Proves the kernel's side of map, unmap and protect at run time: leaf entries with the requested rights, frames freed on unmap, and TLB shootdown — INVLPG when the address space is live, a deferred flush (tlbGeneration) that the next switch honours with PCIDs when it is not.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PSE } from '../../engine/hw/cpu/registers.js';
import { Machine, dataOf, oneOf, typesOf } from '../helpers/machine.js';

const VA = 0x400000n;
const WITH_PCIDS = { features: { cr4: CR4_PAE | CR4_PGE | CR4_PSE | CR4_PCIDE } };

/** A booted machine where alice has mapped VA and read it, so the TLB holds its translation. */
function aliceHasRead(options: ConstructorParameters<typeof Machine>[0] = {}): Machine {
  const machine = new Machine(options);
  machine.createProcess('alice', ['SIGSEGV']);
  machine.createProcess('bob');
  machine.map('alice', VA, { sizeBytes: 3 * 4096 });
  machine.map('bob', VA);
  machine.read('alice', VA);
  return machine;
}

const tlbSlotOf = (machine: Machine, pageNumber: number) => machine.state.tlb.slots.findIndex((entry) => entry?.pageNumber === pageNumber);
const signalOf = (events: readonly Envelope[]) => oneOf<{ signal: string; code: string }>(events, 'kernel.signalDelivered');

describe('map', () => {
  it('writes leaf entries with the requested rights and records the VMA', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    const events = machine.map('alice', VA, { sizeBytes: 2 * 4096, write: false });
    const leaves = dataOf<{ why: string; after: string }>(events, 'memory.entryWritten').filter((write) => /^map 0x[0-9a-f]+$/.test(write.why));
    expect(leaves.map((leaf) => leaf.why)).toEqual(['map 0x400000', 'map 0x401000']);
    // P and U/S, no R/W, A and D clear.
    for (const leaf of leaves) expect(BigInt(leaf.after) & 0xfffn).toBe(0x5n);
    expect(machine.process('alice').vmas).toEqual([
      { start: VA, sizeBytes: 8192, pageShift: 12, read: true, write: false, execute: false, user: true, global: false, pkey: 0, region: null, frames: [262, 263] },
    ]);
  });

  it('maps a supervisor-only page that faults for user code and not for the kernel', () => {
    const machine = new Machine();
    machine.createProcess('alice', ['SIGSEGV']);
    machine.map('alice', VA, { user: false });
    expect(oneOf(machine.read('alice', VA), 'cpu.exceptionRaised')).toMatchObject({ vector: 14, errorCode: 0b101 });
    expect(typesOf(machine.kernelAccess('alice', 'read', VA))).toContain('memory.read');
  });

  it('maps a shared region onto its own frames in every process that maps it', () => {
    const machine = new Machine();
    machine.createRegion('mailbox', 4096, '70696e67'); // "ping"
    machine.createProcess('a');
    machine.createProcess('b');
    machine.map('a', 0x10000000n, { region: 'mailbox' });
    machine.map('b', 0x20000000n, { region: 'mailbox', write: false });
    const regionFrames = machine.state.kernel.regions.byName.mailbox!.frames;
    expect(machine.process('a').vmas[0]!.frames).toEqual(regionFrames);
    expect(machine.process('b').vmas[0]!.frames).toEqual(regionFrames);
    expect(oneOf(machine.read('b', 0x20000000n, 4), 'memory.read')).toMatchObject({ bytes: '70696e67' });
  });

  it('is refused with ESRCH for a process that does not exist or has exited', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    const command = machine.mapCommand('alice', VA);
    expect(machine.run({ ...command, data: { ...(command.data as object), pid: 99 } })[0]!.data).toEqual({ operation: 'map', errno: 'ESRCH', reason: 'no live process 99' });
    machine.exec('alice', { op: 'syscall', syscall: { nr: 60, name: 'exit', args: [] } });
    expect(machine.run(command)[0]!.data).toMatchObject({ errno: 'ESRCH' });
  });
});

describe('unmap', () => {
  it('given a live address space, clears the leaf, INVLPGs the page, frees the frame', () => {
    const machine = aliceHasRead();
    const frame = machine.process('alice').vmas[0]!.frames[0];
    const slot = tlbSlotOf(machine, 0x400);
    const decision = machine.given()
      .when(machine.unmapCommand('alice', VA))
      .then([
        { type: 'memory.entryWritten', data: { after: '0x0', why: 'unmap' } },
        { type: 'tlb.invalidated', data: { va: '0x400000', slots: [slot], reason: 'INVLPG after a mapping change' } },
        { type: 'memory.framesFreed', data: { frames: [frame] } },
        { type: 'kernel.unmapped', data: { va: '0x400000', sizeBytes: 4096 } },
      ]);
    expect(decision.after.tlb.slots[slot]).toBeNull();
  });

  it('makes the next access fault as not present: SIGSEGV with SEGV_MAPERR', () => {
    const machine = aliceHasRead();
    machine.unmap('alice', VA);
    const events = machine.read('alice', VA);
    expect(oneOf(events, 'cpu.exceptionRaised')).toMatchObject({ vector: 14, errorCode: 0b100 });
    expect(signalOf(events)).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR' });
  });

  it('splits the VMA around the hole, each piece keeping its own frames', () => {
    const machine = aliceHasRead();
    const frames = machine.process('alice').vmas[0]!.frames;
    machine.unmap('alice', VA + 0x1000n);
    expect(machine.process('alice').vmas.map((vma) => [vma.start, vma.sizeBytes, vma.frames])).toEqual([
      [VA, 4096, [frames[0]]],
      [VA + 0x2000n, 4096, [frames[2]]],
    ]);
  });

  it('given an address space that is not current, defers the flush by bumping its tlbGeneration', () => {
    const machine = aliceHasRead();
    machine.switchTo('bob');
    const decision = machine.given()
      .when(machine.unmapCommand('alice', VA))
      .then([
        { type: 'memory.entryWritten', data: { after: '0x0' } },
        { type: 'kernel.tlbFlushDeferred', data: { pid: 1 } },
        { type: 'memory.framesFreed' },
        { type: 'kernel.unmapped' },
      ]);
    expect(decision.after.kernel.processes.byId[1]!.tlbGeneration).toBe(1);
  });

  it('does not free the frames of a shared region', () => {
    const machine = new Machine();
    machine.createRegion('mailbox', 4096);
    machine.createProcess('a');
    machine.map('a', VA, { region: 'mailbox' });
    expect(typesOf(machine.unmap('a', VA))).not.toContain('memory.framesFreed');
  });

  it('is refused with EINVAL for a range with an unmapped page', () => {
    const machine = aliceHasRead();
    expect(machine.unmap('alice', 0x900000n)).toMatchObject([
      { type: 'kernel.requestRefused', data: { operation: 'unmap', errno: 'EINVAL', reason: '0x900000..0x901000 is not all mapped' } },
    ]);
  });
});

describe('protect', () => {
  it('given a live address space, rewrites the leaf without R/W and INVLPGs the page', () => {
    const machine = aliceHasRead();
    const decision = machine.given()
      .when(machine.protectCommand('alice', VA, { read: true, write: false }))
      .then([
        { type: 'memory.entryWritten', data: { why: 'protect 0x400000' } },
        { type: 'tlb.invalidated', data: { va: '0x400000' } },
        { type: 'kernel.protected', data: { va: '0x400000', sizeBytes: 4096, read: true, write: false, execute: false } },
      ]);
    const leaf = decision.events[0]!.data as { after: string };
    expect(BigInt(leaf.after) & 0x2n).toBe(0n);
  });

  it('makes a write fault on a present page: SIGSEGV with SEGV_ACCERR; reads still work', () => {
    const machine = aliceHasRead();
    machine.protect('alice', VA, { read: true, write: false });
    const write = machine.write('alice', VA, '41');
    expect(oneOf(write, 'cpu.exceptionRaised')).toMatchObject({ vector: 14, errorCode: 0b111 });
    expect(signalOf(write)).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_ACCERR' });
    expect(typesOf(machine.read('alice', VA))).toContain('memory.read');
  });

  it('splits the VMA so only the protected page changes', () => {
    const machine = aliceHasRead();
    machine.protect('alice', VA + 0x1000n, { read: true, write: false });
    expect(machine.process('alice').vmas.map((vma) => [vma.start, vma.write])).toEqual([
      [VA, true],
      [VA + 0x1000n, false],
      [VA + 0x2000n, true],
    ]);
  });

  it('defers the flush for an address space that is not current', () => {
    const machine = aliceHasRead();
    machine.switchTo('bob');
    expect(typesOf(machine.protect('alice', VA, { read: true }))).toEqual(['memory.entryWritten', 'kernel.tlbFlushDeferred', 'kernel.protected']);
  });

  it('is refused with ENOMEM for a range no single mapping covers', () => {
    const machine = aliceHasRead();
    expect(machine.protect('alice', 0x900000n, { read: true })[0]!.data).toMatchObject({ operation: 'protect', errno: 'ENOMEM' });
  });
});

describe('deferred flushes with PCIDs', () => {
  function withPcids(): Machine {
    const machine = aliceHasRead({ ...WITH_PCIDS, switchPolicy: { pcidSlots: 2 } });
    machine.switchTo('bob');
    return machine;
  }

  it('without a change, switching back keeps the address space\'s TLB entries (no-flush CR3 load)', () => {
    const machine = withPcids();
    const back = machine.switchTo('alice');
    expect(oneOf(back, 'kernel.switched')).toMatchObject({ pcid: 1, flushed: false });
    expect(oneOf<{ after: string }>(back, 'cpu.registerWritten').after).toBe('0x' + (machine.process('alice').rootTable + 1).toString(16));
    expect(typesOf(back)).not.toContain('tlb.flushed');
    expect(typesOf(machine.read('alice', VA))).toContain('tlb.hit');
  });

  it('after an unmap while away, the next switch flushes the stale PCID and records the generation', () => {
    const machine = withPcids();
    const stale = tlbSlotOf(machine, 0x400);
    machine.unmap('alice', VA);
    expect(machine.state.tlb.slots[stale]).not.toBeNull();
    const back = machine.switchTo('alice');
    expect(oneOf(back, 'kernel.switched')).toMatchObject({ to: 1, pcid: 1, flushed: true, generation: 1 });
    expect(oneOf(back, 'tlb.flushed')).toMatchObject({ pcid: 1, slots: [stale] });
    expect(machine.state.kernel.pcidSlots[0]).toEqual({ owner: 1, generation: 1 });
    expect(oneOf(machine.read('alice', VA), 'kernel.signalDelivered')).toMatchObject({ code: 'SEGV_MAPERR' });
  });

  it('flushes once: the following switch back is a no-flush load again', () => {
    const machine = withPcids();
    machine.unmap('alice', VA);
    machine.switchTo('alice');
    machine.switchTo('bob');
    expect(oneOf(machine.switchTo('alice'), 'kernel.switched')).toMatchObject({ flushed: false });
  });
});

describe('page tables in reused frames', () => {
  it('a new table in a frame a dead process\'s table left is planned as empty, not walked', () => {
    // Regression: the editor read a just-allocated table through the stale bytes of the
    // freed table that lived in its frame, and wrote the new leaf into a dead table.
    const machine = new Machine();
    machine.createProcess('old');
    machine.map('old', VA);
    machine.exec('old', { op: 'syscall', syscall: { nr: 60, name: 'exit', args: ['0x0'] } });
    machine.createProcess('young');
    machine.map('young', VA);
    expect(typesOf(machine.write('young', VA, '41'))).toContain('memory.written');
    expect(oneOf(machine.read('young', VA), 'memory.read')).toMatchObject({ bytes: '41' });
    expect(machine.state.scenario.violations).toEqual([]);
  });
});
