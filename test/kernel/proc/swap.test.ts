// Proves demand paging and swap: an anonymous page gets a zeroed frame on first touch; kernel.swapOut writes a resident page to a swap slot, turns every entry mapping it into a not-present one (in each address space sharing it), shoots the TLB down and frees the frame; the next access faults and swaps it back in; and proc.swap-isolation catches a page coming back into the wrong process or a frame reused without zeroing.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { invariantByName } from '../../../engine/machine/invariants.js';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { ascii, frameAt, n, readBytes, returnedOf, swapOf, sys, violationsOf } from './support.js';

const VA = 0x400000n;
const PROT_RW = 3;
const MAP_PRIVATE_ANON = 0x22;

function swapOut(machine: Machine, name: string, va: bigint): Envelope[] {
  return machine.run({ type: 'kernel.swapOut', actor: 'kernel', data: { pid: machine.process(name).pid, va: '0x' + va.toString(16) } });
}

/** victim with a page at VA holding "s3cr3t", and other, both uid 1000/1001. */
function victimWithPage(): Machine {
  const machine = new Machine();
  machine.createProcess('victim', [], 1000);
  machine.createProcess('other', [], 1001);
  machine.map('victim', VA);
  machine.write('victim', VA, ascii('s3cr3t'));
  return machine;
}

describe('demand paging', () => {
  it('an anonymous mapping has no frames until a page is touched; the touch maps a zeroed frame', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    const mapped = returnedOf(sys(machine, 'alice', 'mmap', [n(0), n(2 * 4096), n(PROT_RW), n(MAP_PRIVATE_ANON), n(-1), n(0)]));
    const va = BigInt(mapped.ret);
    expect(machine.process('alice').vmas[0]!.frames).toEqual([-1, -1]);
    const events = machine.read('alice', va + 0x10n, 4);
    expect(typesOf(events)).toEqual(expect.arrayContaining(['cpu.exceptionRaised', 'memory.framesAllocated', 'memory.framesZeroed', 'kernel.pageZeroFilled', 'kernel.faultResolved', 'memory.read']));
    expect(oneOf(events, 'kernel.faultResolved')).toMatchObject({ fix: 'zero-fill', retry: { kind: 'read', size: 4 } });
    expect(dataOf<{ bytes: string }>(events, 'memory.read').at(-1)!.bytes).toBe('00000000');
    expect(machine.process('alice').vmas[0]!.frames[0]).toBeGreaterThan(0);
    expect(machine.process('alice').vmas[0]!.frames[1]).toBe(-1);
  });

  it('a write to an untouched page faults it in and the write lands', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    const va = BigInt(returnedOf(sys(machine, 'alice', 'mmap', [n(0), n(4096), n(PROT_RW), n(MAP_PRIVATE_ANON), n(-1), n(0)])).ret);
    machine.write('alice', va, ascii('hi'));
    expect(readBytes(machine, 'alice', va, 2)).toBe(ascii('hi'));
    expect(violationsOf(machine)).toEqual([]);
  });

  it('a touch the mapping does not allow is still SIGSEGV (SEGV_ACCERR), not a fill', () => {
    const machine = new Machine();
    machine.createProcess('alice');
    const va = BigInt(returnedOf(sys(machine, 'alice', 'mmap', [n(0), n(4096), n(1), n(MAP_PRIVATE_ANON), n(-1), n(0)])).ret);
    const events = machine.write('alice', va, 'ff');
    expect(typesOf(events)).not.toContain('kernel.pageZeroFilled');
    expect(oneOf(events, 'kernel.signalDelivered')).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_ACCERR' });
  });
});

describe('kernel.swapOut', () => {
  it('writes the page to a slot, clears the entry, invalidates the TLB and frees the frame', () => {
    const machine = victimWithPage();
    const frame = frameAt(machine, 'victim', VA);
    const events = swapOut(machine, 'victim', VA);
    expect(typesOf(events)).toEqual(['memory.entryWritten', 'tlb.invalidated', 'memory.framesFreed', 'kernel.pageSwappedOut']);
    expect(oneOf(events, 'memory.entryWritten')).toMatchObject({ after: '0x0' });
    expect(oneOf(events, 'memory.framesFreed')).toEqual({ frames: [frame], owner: 'victim', swapSlot: 0 });
    const out = oneOf<{ pid: number; va: string; frame: number; slot: number; bytes: string; users: unknown[] }>(events, 'kernel.pageSwappedOut');
    expect(out).toMatchObject({ pid: 1, va: '0x400000', frame, slot: 0, users: [{ pid: 1, va: '0x400000' }] });
    expect(out.bytes.startsWith(ascii('s3cr3t'))).toBe(true);
    expect(out.bytes).toHaveLength(8192);
    expect(frameAt(machine, 'victim', VA)).toBe(-1);
    expect(machine.state.memory.owners.get(frame)).toBeUndefined();
    expect(swapOf(machine).ids).toEqual([0]);
  });

  it('defers the flush when the address space is not running', () => {
    const machine = victimWithPage();
    machine.switchTo('other');
    expect(typesOf(swapOut(machine, 'victim', VA))).toContain('kernel.tlbFlushDeferred');
  });

  it('brings the page back on the next access, into a fresh frame, and frees the slot', () => {
    const machine = victimWithPage();
    swapOut(machine, 'victim', VA);
    const events = machine.read('victim', VA, 6);
    const swappedIn = oneOf<{ slot: number; frame: number }>(events, 'kernel.pageSwappedIn');
    expect(swappedIn.slot).toBe(0);
    expect(oneOf(events, 'cpu.exceptionRaised')).toMatchObject({ vector: 14, errorCode: 0b100 });
    expect(oneOf(events, 'kernel.faultResolved')).toMatchObject({ fix: 'swap-in' });
    expect(dataOf<{ bytes: string; by: string }>(events, 'memory.read').at(-1)).toMatchObject({ bytes: ascii('s3cr3t'), by: 'victim' });
    expect(frameAt(machine, 'victim', VA)).toBe(swappedIn.frame);
    expect(swapOf(machine).ids).toEqual([]);
    expect(violationsOf(machine)).toEqual([]);
  });

  it('hands the freed frame to another process zeroed: it reads zeros, not the page', () => {
    const machine = victimWithPage();
    const frame = frameAt(machine, 'victim', VA);
    swapOut(machine, 'victim', VA);
    machine.map('other', VA);
    expect(frameAt(machine, 'other', VA)).toBe(frame);
    expect(readBytes(machine, 'other', VA, 6)).toBe('000000000000');
    expect(readBytes(machine, 'victim', VA, 6)).toBe(ascii('s3cr3t'));
    expect(violationsOf(machine)).toEqual([]);
  });

  it('swaps out a page shared copy-on-write from every address space, and each gets it back', () => {
    const machine = victimWithPage();
    sys(machine, 'victim', 'fork', [], 'child');
    const events = swapOut(machine, 'victim', VA);
    expect(oneOf(events, 'kernel.pageSwappedOut')).toMatchObject({ users: [{ pid: 1, va: '0x400000' }, { pid: 3, va: '0x400000' }] });
    expect(typesOf(events)).toContain('memory.framesUnshared');
    expect(frameAt(machine, 'child', VA)).toBe(-1);
    expect(readBytes(machine, 'child', VA, 6)).toBe(ascii('s3cr3t'));
    expect(swapOf(machine).bySlot[0]!.users).toEqual([{ pid: 1, va: '0x400000' }]);
    expect(readBytes(machine, 'victim', VA, 6)).toBe(ascii('s3cr3t'));
    expect(frameAt(machine, 'child', VA)).not.toBe(frameAt(machine, 'victim', VA));
    expect(swapOf(machine).ids).toEqual([]);
    expect(violationsOf(machine)).toEqual([]);
  });

  it('gives a forked child its own entry for a swapped-out page', () => {
    const machine = victimWithPage();
    swapOut(machine, 'victim', VA);
    sys(machine, 'victim', 'fork', [], 'child');
    expect(swapOf(machine).bySlot[0]!.users).toEqual([{ pid: 1, va: '0x400000' }, { pid: 3, va: '0x400000' }]);
    expect(readBytes(machine, 'child', VA, 6)).toBe(ascii('s3cr3t'));
  });

  it('frees the slot when its owner exits', () => {
    const machine = victimWithPage();
    swapOut(machine, 'victim', VA);
    const events = sys(machine, 'victim', 'exit', [n(0)]);
    expect(oneOf(events, 'kernel.swapEntriesDropped')).toEqual({ entries: [{ pid: 1, va: '0x400000' }] });
    expect(swapOf(machine).ids).toEqual([]);
  });

  it.each([
    ['a process that does not exist', (m: Machine) => m.run({ type: 'kernel.swapOut', actor: 'kernel', data: { pid: 42, va: '0x400000' } }), 'ESRCH'],
    ['an address with no mapping', (m: Machine) => swapOut(m, 'victim', 0x900000n), 'EFAULT'],
    ['a page already on swap', (m: Machine) => (swapOut(m, 'victim', VA), swapOut(m, 'victim', VA)), 'EINVAL'],
  ] as const)('refuses %s (%s)', (_what, act, errno) => {
    const machine = victimWithPage();
    expect(oneOf(act(machine), 'kernel.requestRefused')).toMatchObject({ operation: 'swapout', errno });
  });

  it('refuses a page of a shared region, and a page never touched', () => {
    const machine = victimWithPage();
    machine.createRegion('mailbox', 4096);
    machine.map('victim', 0x800000n, { region: 'mailbox' });
    expect(oneOf(swapOut(machine, 'victim', 0x800000n), 'kernel.requestRefused')).toMatchObject({ errno: 'EINVAL' });
    const va = BigInt(returnedOf(sys(machine, 'victim', 'mmap', [n(0), n(4096), n(PROT_RW), n(MAP_PRIVATE_ANON), n(-1), n(0)])).ret);
    expect(oneOf(swapOut(machine, 'victim', va), 'kernel.requestRefused')).toMatchObject({ reason: expect.stringContaining('never touched') });
  });

  it('runs the bundled scenario\'s steps from text', () => {
    const result = runText(`scenario "swap"
invariant all
process victim { uid: 1000 }
process other { uid: 1001 }
victim: map 0x400000 size 4 KiB rw user
secret token "s3cr3t-t0k3n" at 0x400000 in victim
kernel: swapout victim 0x400000
other: map 0x400000 size 4 KiB rw user
other: read 0x400000 size 12 expect no leak, value 0x0
victim: read 0x400000 size 12 expect value "s3cr3t-t0k3n", no signal
assert other never knows token
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
  });
});

describe('proc.swap-isolation', () => {
  const invariant = invariantByName('proc.swap-isolation')!;

  it('is violated when a page comes back into a process whose page it is not', () => {
    const machine = victimWithPage();
    swapOut(machine, 'victim', VA);
    machine.map('other', 0x800000n);
    const before = machine.state;
    const envelope = { seq: 0, tick: 0, type: 'kernel.pageSwappedIn', actor: 'kernel', data: { pid: 2, va: '0x800000', slot: 0, frame: 999, sharers: [] }, cause: null };
    expect(invariant.check(before, envelope, before)).toBe('other got slot 0 at 0x800000, but the page there belongs to victim at 0x400000');
  });

  it('is violated when another process reads the frame a swapped-out page left, unzeroed', () => {
    const machine = victimWithPage();
    const frame = frameAt(machine, 'victim', VA);
    swapOut(machine, 'victim', VA);
    // A broken allocator: the frame goes to `other` without being zeroed.
    machine.engine.record({ type: 'memory.framesAllocated', actor: 'kernel', data: { frames: [frame], owner: { owner: 'other', purpose: 'data' } } });
    const read = { seq: 0, tick: 0, type: 'memory.read', actor: 'other', data: { address: frame * 4096, size: 6, value: '0x0', bytes: ascii('s3cr3t'), by: 'other', cpl: 3 }, cause: null };
    expect(invariant.check(machine.state, read, machine.state)).toBe(
      `other read frame ${frame} (0x${(frame * 4096).toString(16)}), which still holds victim's page swapped out to slot 0: the frame was not zeroed before reuse`,
    );
  });

  it('holds for the owner\'s own swap-in and for a zeroed frame', () => {
    const machine = victimWithPage();
    swapOut(machine, 'victim', VA);
    machine.map('other', VA);
    readBytes(machine, 'other', VA, 4);
    readBytes(machine, 'victim', VA, 4);
    expect(violationsOf(machine)).toEqual([]);
  });
});
