// Proves the context switch and its TLB hygiene: without PCIDs every CR3 load flushes; with PCIDs the kernel hands out PCID slots round robin, keeps an owner's entries when it returns, and flushes a slot handed to a new owner — unless the switch policy turns that flush off, which leaks (the missing-flush lesson).
import { describe, expect, it } from 'vitest';
import { CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PSE } from '../../engine/hw/cpu/registers.js';
import { Machine, oneOf, typesOf } from '../helpers/machine.js';

const VA = 0x400000n;
const PCIDS = { cr4: CR4_PAE | CR4_PGE | CR4_PSE | CR4_PCIDE };
const NO_FLUSH = 1n << 63n;

/** Processes a, b (and c), each with a page at VA; a has written 0xaa there and read it. */
function machineWith(options: { pcids?: boolean; pcidSlots?: number; flushOnReuse?: boolean; processes?: string[] } = {}): Machine {
  const machine = new Machine({
    features: options.pcids === false ? {} : PCIDS,
    switchPolicy: { pcidSlots: options.pcidSlots ?? 1, flushOnReuse: options.flushOnReuse ?? true },
  });
  for (const name of options.processes ?? ['a', 'b']) {
    machine.createProcess(name);
    machine.map(name, VA);
  }
  machine.write('a', VA, 'aa');
  machine.read('a', VA);
  return machine;
}

const tlbPcids = (machine: Machine) => machine.state.tlb.slots.flatMap((entry) => (entry === null ? [] : [entry.pcid]));

describe('without PCIDs', () => {
  it('given a running, when switching to b, loads b\'s CR3 and flushes PCID 0', () => {
    const machine = machineWith({ pcids: false });
    const b = machine.process('b');
    machine.given()
      .when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: b.pid, reason: 'test' } })
      .then([
        { type: 'kernel.switched', data: { from: 1, to: 2, pcid: 0, flushed: true } },
        { type: 'cpu.registerWritten', data: { register: 'cr3', after: '0x' + b.rootTable.toString(16) } },
        { type: 'tlb.flushed', data: { scope: 'pcid', pcid: 0, slots: [0] } },
        { type: 'cpu.contextEntered', data: { cpl: 3, pid: 2, name: 'b' } },
      ]);
  });

  it('marks the outgoing process ready and the incoming one running', () => {
    const machine = machineWith({ pcids: false });
    machine.switchTo('b');
    expect(machine.process('a').status).toBe('ready');
    expect(machine.process('b').status).toBe('running');
    expect(machine.state.kernel.current).toBe(2);
    expect(machine.state.cpu.cpl).toBe(3);
  });
});

describe('PCID slots', () => {
  it('the first switch to a process assigns it a slot (PCID = slot + 1) and loads CR3 without a flush', () => {
    const machine = new Machine({ features: PCIDS });
    machine.createProcess('a');
    const events = machine.switchTo('a');
    expect(typesOf(events)).toEqual(['kernel.pcidAssigned', 'kernel.switched', 'cpu.registerWritten', 'cpu.contextEntered']);
    expect(oneOf(events, 'kernel.pcidAssigned')).toEqual({ pid: 1, slot: 0, pcid: 1, previousOwner: null });
    expect(machine.state.cpu.cr3).toBe(machine.process('a').rootTable + 1);
    expect(machine.process('a').pcidSlot).toBe(0);
    expect(machine.state.kernel.pcidSlots[0]).toEqual({ owner: 1, generation: 0 });
  });

  it('with several slots, gives each process its own and keeps their entries across switches', () => {
    const machine = machineWith({ pcidSlots: 2 });
    const toB = machine.switchTo('b');
    expect(oneOf(toB, 'kernel.pcidAssigned')).toMatchObject({ pid: 2, slot: 1, pcid: 2, previousOwner: null });
    expect(typesOf(toB)).not.toContain('tlb.flushed');
    const back = machine.switchTo('a');
    expect(typesOf(back)).not.toContain('kernel.pcidAssigned');
    expect(oneOf(back, 'kernel.switched')).toMatchObject({ pcid: 1, flushed: false });
    expect(typesOf(machine.read('a', VA))).toContain('tlb.hit');
  });

  it('hands slots out round robin: a third process takes the first slot back', () => {
    const machine = machineWith({ pcidSlots: 2, processes: ['a', 'b', 'c'] });
    machine.switchTo('b');
    const toC = machine.switchTo('c');
    expect(oneOf(toC, 'kernel.pcidAssigned')).toMatchObject({ pid: 3, slot: 0, pcid: 1, previousOwner: 1 });
    expect(machine.process('a').pcidSlot).toBeNull();
  });

  it('reusing a slot for a new owner flushes that PCID (pcids: 1)', () => {
    const machine = machineWith({ pcidSlots: 1 });
    expect(tlbPcids(machine)).toEqual([1]);
    const toB = machine.switchTo('b');
    expect(oneOf(toB, 'kernel.pcidAssigned')).toMatchObject({ pid: 2, slot: 0, pcid: 1, previousOwner: 1 });
    expect(oneOf(toB, 'kernel.switched')).toMatchObject({ flushed: true });
    expect(oneOf(toB, 'tlb.flushed')).toMatchObject({ pcid: 1, slots: [0] });
    expect(tlbPcids(machine)).toEqual([]);
    expect(oneOf(machine.read('b', VA), 'memory.read')).toMatchObject({ bytes: '00' });
    expect(machine.state.scenario.violations).toEqual([]);
  });

  it('loads CR3 with bit 63 set when it keeps the PCID, and clear when it must flush', () => {
    const machine = machineWith({ pcidSlots: 1 });
    const b = machine.process('b');
    const decision = machine.given().when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: b.pid, reason: 'test' } });
    // The decision asks for a flush: CR3 = root | PCID, bit 63 clear, and the flush follows.
    expect(decision.only('cpu.registerWritten')).toMatchObject({ after: '0x' + (b.rootTable + 1).toString(16) });
    expect(decision.types).toContain('tlb.flushed');
    const two = machineWith({ pcidSlots: 2 });
    two.switchTo('b');
    const keep = two.given().when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: 1, reason: 'test' } });
    expect(keep.types).not.toContain('tlb.flushed');
    expect(BigInt((keep.only('cpu.registerWritten') as { after: string }).after) & NO_FLUSH).toBe(0n);
  });

  it('with flush on reuse off, records the skipped flush and leaves the old owner\'s entries usable', () => {
    const machine = machineWith({ pcidSlots: 1, flushOnReuse: false });
    const toB = machine.switchTo('b');
    expect(oneOf(toB, 'kernel.flushSkipped')).toEqual({ pid: 2, pcid: 1, previousOwner: 1 });
    expect(typesOf(toB)).not.toContain('tlb.flushed');
    expect(oneOf(toB, 'kernel.switched')).toMatchObject({ flushed: false });
    // The stale entry is already incoherent when b starts to run…
    expect(machine.state.scenario.violations.map((violation) => violation.invariant)).toEqual(['tlb.coherent']);
    // …and b's read hits it and sees a's byte: the leak the invariants catch.
    const read = machine.read('b', VA);
    expect(typesOf(read)).toContain('tlb.hit');
    expect(oneOf(read, 'memory.read')).toMatchObject({ bytes: 'aa' });
    expect(machine.state.scenario.violations.map((violation) => violation.invariant)).toEqual(['tlb.coherent', 'tlb.coherent', 'memory.process-isolation']);
  });
});

describe('switching', () => {
  it('to an exited process decides nothing', () => {
    const machine = machineWith({ pcids: false });
    machine.exec('b', { op: 'syscall', syscall: { nr: 60, name: 'exit', args: [] } });
    machine.given().when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: 2, reason: 'test' } }).then([]);
  });

  it('the timer preempts the running process for the next live one, round robin', () => {
    const machine = machineWith({ pcids: false, processes: ['a', 'b', 'c'] });
    const tick = machine.given().when({ type: 'kernel.tick', actor: 'kernel', data: { tick: 9 } });
    expect(tick.types[0]).toBe('kernel.timerFired');
    expect(tick.only('kernel.switched')).toMatchObject({ from: 1, to: 2, reason: 'timer preemption' });
  });

  it('the timer returns to the only live process and re-arms itself', () => {
    const machine = new Machine({ timerPeriodTicks: 4 });
    machine.createProcess('a');
    machine.switchTo('a');
    machine.given()
      .when({ type: 'kernel.tick', actor: 'kernel', data: { tick: 4 } })
      .then([{ type: 'kernel.timerFired', data: { tick: 4, nextTick: 8 } }, { type: 'cpu.returned', data: { via: 'iret', toCpl: 3 } }]);
  });

  it('the timer runs the process the scenario chose next', () => {
    const machine = machineWith({ pcids: false, processes: ['a', 'b', 'c'] });
    machine.run({ type: 'kernel.chooseNext', actor: 'scenario', data: { pid: 3, reason: 'test' } });
    expect(machine.given().when({ type: 'kernel.tick', actor: 'kernel', data: { tick: 1 } }).only('kernel.switched')).toMatchObject({ to: 3 });
  });
});

describe('processes that cannot run', () => {
  const SIGSTOP = 19;
  const kill = (machine: Machine, who: string, pid: number, sig: number) =>
    machine.exec(who, { op: 'syscall', syscall: { nr: 62, name: 'kill', args: ['0x' + pid.toString(16), '0x' + sig.toString(16)] } });

  it('a stopped process is never switched to, by name or round robin', () => {
    const machine = machineWith({ pcids: false, processes: ['a', 'b', 'c'] });
    kill(machine, 'a', 2, SIGSTOP);
    machine.given().when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: 2, reason: 'test' } }).then([]);
    expect(machine.given().when({ type: 'kernel.tick', actor: 'kernel', data: { tick: 9 } }).only('kernel.switched')).toMatchObject({ from: 1, to: 3 });
  });

  it('when the chosen process cannot run, the timer returns to the interrupted one', () => {
    const machine = machineWith({ pcids: false, processes: ['a', 'b', 'c'] });
    kill(machine, 'a', 2, SIGSTOP);
    machine.run({ type: 'kernel.chooseNext', actor: 'scenario', data: { pid: 2, reason: 'test' } });
    machine.given()
      .when({ type: 'kernel.tick', actor: 'kernel', data: { tick: 1 } })
      .then([{ type: 'kernel.timerFired' }, { type: 'cpu.returned', data: { via: 'iret', toCpl: 3 } }]);
  });

  it('a process asleep in wait4 is not switched to until a child wakes it', () => {
    const machine = machineWith({ pcids: false });
    machine.exec('a', { op: 'syscall', syscall: { nr: 57, name: 'fork', args: [], as: 'kid' } });
    machine.exec('a', { op: 'syscall', syscall: { nr: 61, name: 'wait4', args: ['0xffffffffffffffff'] } });
    expect(machine.state.kernel.current).toBeNull();
    machine.given().when({ type: 'kernel.switchTo', actor: 'kernel', data: { pid: 1, reason: 'test' } }).then([]);
    machine.exec('kid', { op: 'syscall', syscall: { nr: 60, name: 'exit', args: ['0x0'] } });
    const types = typesOf(machine.switchTo('a'));
    expect(types).toContain('kernel.switched');
    expect(types.indexOf('kernel.syscallReturned')).toBeLessThan(types.indexOf('kernel.switched'));
  });
});
