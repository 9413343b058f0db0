// Proves how the kernel turns a fault into a signal as Linux's handlers do (arch/x86/kernel/traps.c, arch/x86/mm/fault.c): which signal and si_code each exception gives, that a handler lets the process go on while the default action ends it, and that a fault in kernel mode is an oops that kills the task.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { CR4_PAE, CR4_PGE, CR4_PKE, CR4_PSE } from '../../engine/hw/cpu/registers.js';
import { Machine, oneOf, typesOf } from '../helpers/machine.js';

const VA = 0x400000n;
const KERNEL_VA = 0xffff888000001000n;

/** alice runs with a read-only page at VA; she handles the signals listed. */
function machineFor(catches: string[] = []): Machine {
  const machine = new Machine({ features: { cr4: CR4_PAE | CR4_PGE | CR4_PSE | CR4_PKE } });
  machine.createProcess('alice', catches);
  machine.map('alice', VA, { write: false });
  machine.switchTo('alice');
  return machine;
}

const exception = (vector: number, errorCode: number | null, address: string | null = null, fromCpl = 3) => ({
  type: 'kernel.exception',
  actor: 'kernel',
  data: { vector, errorCode, fromCpl, address },
});

const signalOf = (events: readonly { type: string; data: unknown }[]) =>
  oneOf<{ signal: string; code: string; action: string; address: string | null }>(events, 'kernel.signalDelivered');

describe('the signal for each exception (kernel.exception from CPL 3)', () => {
  it.each([
    ['#PF not present at a user address', exception(14, 0b100, '0x0'), 'SIGSEGV', 'SEGV_MAPERR'],
    ['#PF at a kernel address', exception(14, 0b101, '0xffff888000001000'), 'SIGSEGV', 'SEGV_MAPERR'],
    ['#PF on a rights violation in a mapping', exception(14, 0b111, '0x400000'), 'SIGSEGV', 'SEGV_ACCERR'],
    ['#PF with the PK bit', exception(14, 0b100101, '0x400000'), 'SIGSEGV', 'SEGV_PKUERR'],
    ['#GP', exception(13, 0), 'SIGSEGV', 'SI_KERNEL'],
    ['#UD', exception(6, null), 'SIGILL', 'ILL_ILLOPN'],
    ['#DE', exception(0, null), 'SIGFPE', 'FPE_INTDIV'],
    ['#BP', exception(3, null), 'SIGTRAP', 'SI_KERNEL'],
    ['#NP', exception(11, 0x40a), 'SIGBUS', 'SI_KERNEL'],
  ])('%s → %s (%s)', (_name, command, signal, code) => {
    const signalled = signalOf(machineFor().given().when(command).events);
    expect(signalled).toMatchObject({ signal, code, action: 'terminate', address: command.data.address });
  });

  it('given a process without a handler, the default action ends it as exit does and the CPU idles in the kernel', () => {
    // The ending is do_exit's (proc/lifecycle.ts): off the dying tables, pages and tables
    // freed, descriptors closed, and init (not simulated) reaps the parentless process.
    const decision = machineFor()
      .given()
      .when(exception(14, 0b100, '0x0'))
      .then([
        { type: 'kernel.signalDelivered', data: { pid: 1, name: 'alice', signal: 'SIGSEGV', code: 'SEGV_MAPERR', address: '0x0', action: 'terminate' } },
        { type: 'kernel.processExited', data: { pid: 1, name: 'alice', signal: 'SIGSEGV', how: 'killed by SIGSEGV', waitStatus: 11 } },
        { type: 'cpu.registerWritten', data: { register: 'cr3' } },
        { type: 'tlb.flushed' },
        { type: 'memory.framesFreed' },
        { type: 'memory.framesFreed' },
        { type: 'kernel.addressSpaceReleased', data: { pid: 1, handedTo: null } },
        { type: 'kernel.filesReleased', data: { pid: 1 } },
        { type: 'kernel.processReaped', data: { pid: 1, by: 'init' } },
        { type: 'cpu.contextEntered', data: { cpl: 0, pid: null, name: 'idle' } },
      ]);
    const alice = decision.after.kernel.processes.byId[1]!;
    expect([alice.status, alice.exit]).toEqual(['exited', 'killed by SIGSEGV']);
    expect(decision.after.kernel.current).toBeNull();
    expect(decision.after.cpu.cpl).toBe(0);
  });

  it('given a process with a handler, the signal is delivered and it returns to user mode', () => {
    const decision = machineFor(['SIGSEGV'])
      .given()
      .when(exception(13, 0))
      .then([
        { type: 'kernel.signalDelivered', data: { signal: 'SIGSEGV', action: 'handler' } },
        { type: 'cpu.returned', data: { via: 'iret', toCpl: 3 } },
      ]);
    expect(decision.after.kernel.processes.byId[1]!.status).toBe('running');
  });

  it('a handler for another signal does not help', () => {
    expect(signalOf(machineFor(['SIGILL']).given().when(exception(13, 0)).events).action).toBe('terminate');
  });
});

describe('faults raised by the CPU reach the kernel as signals', () => {
  const cases: ReadonlyArray<[string, (machine: Machine) => Envelope[], string, string]> = [
    ['a read of an unmapped address', (m) => m.read('alice', 0x0n), 'SIGSEGV', 'SEGV_MAPERR'],
    ['a read of the kernel\'s direct map', (m) => m.read('alice', KERNEL_VA), 'SIGSEGV', 'SEGV_MAPERR'],
    ['a write to a read-only page', (m) => m.write('alice', VA, '41'), 'SIGSEGV', 'SEGV_ACCERR'],
    ['a privileged instruction', (m) => m.exec('alice', { op: 'simple', mnemonic: 'cli' }), 'SIGSEGV', 'SI_KERNEL'],
    ['UD2', (m) => m.exec('alice', { op: 'simple', mnemonic: 'ud2' }), 'SIGILL', 'ILL_ILLOPN'],
    ['a division by zero', (m) => m.exec('alice', { op: 'simple', mnemonic: 'div0' }), 'SIGFPE', 'FPE_INTDIV'],
    ['INT3', (m) => m.exec('alice', { op: 'simple', mnemonic: 'int3' }), 'SIGTRAP', 'SI_KERNEL'],
    ['INT 0xe through a DPL 0 gate', (m) => m.exec('alice', { op: 'int', vector: 0xe, syscall: null }), 'SIGSEGV', 'SI_KERNEL'],
  ];

  it.each(cases)('%s → %s (%s), and the process with a handler goes on', (_name, act, signal, code) => {
    const machine = machineFor(['SIGSEGV', 'SIGILL', 'SIGFPE', 'SIGTRAP']);
    expect(signalOf(act(machine))).toMatchObject({ signal, code, action: 'handler' });
    expect(machine.process('alice').status).toBe('running');
    expect(machine.state.cpu.cpl).toBe(3);
    expect(typesOf(machine.read('alice', VA))).toContain('memory.read');
  });

  it.each(cases)('%s → %s, and the process without a handler exits', (_name, act, signal) => {
    const machine = machineFor();
    const events = act(machine);
    expect(oneOf(events, 'kernel.processExited')).toMatchObject({ signal, how: `killed by ${signal}` });
    expect(machine.process('alice').exit).toBe(`killed by ${signal}`);
  });

  it('a protection-key fault → SIGSEGV (SEGV_PKUERR)', () => {
    const machine = machineFor(['SIGSEGV']);
    machine.map('alice', 0x600000n, { pkey: 1 });
    machine.exec('alice', { op: 'wrpkru', value: 0b01 << 2 });
    const events = machine.read('alice', 0x600000n);
    expect(oneOf(events, 'cpu.exceptionRaised')).toMatchObject({ vector: 14, errorCode: 0b100101 });
    expect(signalOf(events)).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_PKUERR' });
  });

  it('an absent gate with DPL 3 → #NP → SIGBUS', () => {
    const machine = machineFor();
    machine.run({ type: 'cpu.configureGate', actor: 'kernel', data: { vector: 0x81, dpl: 3, present: false } });
    const events = machine.exec('alice', { op: 'int', vector: 0x81, syscall: null });
    expect(oneOf(events, 'cpu.exceptionRaised')).toMatchObject({ vector: 11, errorCode: 0x40a });
    expect(signalOf(events)).toMatchObject({ signal: 'SIGBUS' });
  });
});

describe('faults in kernel mode', () => {
  it('given a kernel-mode #PF, the kernel oopses and kills the current task', () => {
    machineFor(['SIGSEGV'])
      .given()
      .when(exception(14, 0, '0x0', 0))
      .then([
        { type: 'kernel.oopsed', data: { vector: 14, errorCode: 0, address: '0x0', pid: 1 } },
        { type: 'kernel.processExited', data: { pid: 1, signal: 'SIGSEGV', how: 'killed after a kernel oops' } },
        { type: 'cpu.registerWritten' },
        { type: 'tlb.flushed' },
        { type: 'memory.framesFreed' },
        { type: 'memory.framesFreed' },
        { type: 'kernel.addressSpaceReleased' },
        { type: 'kernel.filesReleased' },
        { type: 'kernel.processReaped' },
        { type: 'cpu.contextEntered', data: { cpl: 0, pid: null } },
      ]);
  });

  it('a kernel read of an unmapped address in a process oopses, whatever handler the process has', () => {
    const machine = machineFor(['SIGSEGV']);
    const events = machine.kernelAccess('alice', 'read', 0x0n);
    expect(typesOf(events)).toEqual(expect.arrayContaining(['cpu.exceptionRaised', 'kernel.oopsed', 'kernel.processExited']));
    expect(typesOf(events)).not.toContain('kernel.signalDelivered');
    expect(machine.process('alice').status).toBe('exited');
  });

  it('a user-mode fault with no current process is an oops too', () => {
    const machine = new Machine();
    machine.given().when(exception(13, 0)).then([{ type: 'kernel.oopsed', data: { vector: 13, pid: null } }]);
  });
});
