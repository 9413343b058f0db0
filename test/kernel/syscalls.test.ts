// Proves system-call dispatch by number in both ABIs — SYSCALL with the x86-64 table, INT 0x80 with the i386 table — the calls the simulator implements, -ENOSYS with a note for the rest, console output from write(1, …), and exit.
import { describe, expect, it } from 'vitest';
import type { SyscallRequest } from '../../engine/hw/cpu/instructions.js';
import { syscallName, syscallNumber } from '../../engine/kernel/syscalls.js';
import { Machine, oneOf, syscallRequest, typesOf } from '../helpers/machine.js';

/** alice (pid 1, uid 1000, gid 1000) running on a booted x86-64 machine. */
function aliceRunning(): Machine {
  const machine = new Machine();
  machine.createProcess('alice', [], 1000);
  machine.switchTo('alice');
  return machine;
}

const viaSyscall = (request: SyscallRequest) => ({ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'x86_64', request } });
const viaInt80 = (request: SyscallRequest) => ({ type: 'kernel.syscall', actor: 'kernel', data: { abi: 'i386', request } });

interface Returned {
  readonly name: string | null;
  readonly ret: number;
  readonly errno: string | null;
  readonly note: string | null;
}

describe('the tables', () => {
  it.each([
    ['x86_64', 'getpid', 39],
    ['x86_64', 'write', 1],
    ['x86_64', 'exit', 60],
    ['i386', 'getpid', 20],
    ['i386', 'write', 4],
    ['i386', 'exit', 1],
  ] as const)('%s: %s is number %s', (abi, name, nr) => {
    expect(syscallNumber(abi, name)).toBe(nr);
    expect(syscallName(abi, nr)).toBe(name);
  });

  it('know nothing of numbers or names outside them', () => {
    expect(syscallName('x86_64', 999)).toBeNull();
    expect(syscallNumber('i386', 'arch_prctl_typo')).toBeNull();
  });
});

describe('kernel.syscall', () => {
  it('given alice running, getpid by number through SYSCALL (39) returns her pid and SYSRETs', () => {
    aliceRunning()
      .given()
      .when(viaSyscall(syscallRequest(39, 'getpid')))
      .then([
        { type: 'kernel.syscallEntered', data: { pid: 1, abi: 'x86_64', nr: 39, name: 'getpid' } },
        { type: 'kernel.syscallReturned', data: { pid: 1, abi: 'x86_64', nr: 39, name: 'getpid', ret: 1, errno: null, note: null } },
        { type: 'cpu.returned', data: { via: 'sysret', toCpl: 3 } },
      ]);
  });

  it('given alice running, getpid by number through INT 0x80 (20) returns her pid and IRETs', () => {
    aliceRunning()
      .given()
      .when(viaInt80(syscallRequest(20, null)))
      .then([
        { type: 'kernel.syscallEntered', data: { abi: 'i386', nr: 20, name: 'getpid' } },
        { type: 'kernel.syscallReturned', data: { nr: 20, name: 'getpid', ret: 1 } },
        { type: 'cpu.returned', data: { via: 'iret', toCpl: 3 } },
      ]);
  });

  it('looks a number up in its own ABI\'s table: 26 is ptrace on i386 (getpid\'s 39 on x86-64), which is not simulated', () => {
    const returned = aliceRunning().given().when(viaInt80(syscallRequest(26, null))).only('kernel.syscallReturned');
    expect(returned).toMatchObject({ name: 'ptrace', ret: -38, errno: 'ENOSYS', note: 'ptrace is not simulated yet' });
  });

  it.each([
    ['x86_64', 102, 'getuid', 1000],
    ['x86_64', 104, 'getgid', 1000],
    ['x86_64', 110, 'getppid', 1],
    ['x86_64', 186, 'gettid', 1],
    ['x86_64', 24, 'sched_yield', 0],
    ['i386', 199, 'getuid32', 1000],
    ['i386', 24, 'getuid', 1000],
  ] as const)('%s %s (%s) returns %s', (abi, nr, name, ret) => {
    const command = abi === 'x86_64' ? viaSyscall(syscallRequest(nr, null)) : viaInt80(syscallRequest(nr, null));
    expect(aliceRunning().given().when(command).only('kernel.syscallReturned')).toMatchObject({ name, ret, errno: null });
  });

  it('returns -38 (ENOSYS) with a note for a known call it does not simulate', () => {
    const returned = aliceRunning().given().when(viaSyscall(syscallRequest(63, 'uname'))).only('kernel.syscallReturned') as unknown as Returned;
    expect(returned).toEqual({ pid: 1, abi: 'x86_64', nr: 63, name: 'uname', ret: -38, errno: 'ENOSYS', note: 'uname is not simulated yet' });
  });

  it('returns -38 (ENOSYS) with a note for a number the table does not have', () => {
    const returned = aliceRunning().given().when(viaSyscall(syscallRequest(999, null))).only('kernel.syscallReturned');
    expect(returned).toMatchObject({ name: null, ret: -38, errno: 'ENOSYS', note: 'no system call 999 in the x86_64 table' });
  });

  it('write(1, "hi", 2) writes to the console and returns 2', () => {
    const decision = aliceRunning()
      .given()
      .when(viaSyscall(syscallRequest(1, 'write', ['0x1', { text: 'hi' }, '0x2'])))
      .then([
        { type: 'kernel.syscallEntered' },
        { type: 'kernel.consoleWritten', data: { pid: 1, fd: 1, text: 'hi' } },
        { type: 'kernel.syscallReturned', data: { ret: 2, errno: null } },
        { type: 'cpu.returned' },
      ]);
    expect(decision.after.kernel.console).toEqual([{ pid: 1, fd: 1, text: 'hi' }]);
  });

  it('write writes no more than the count asked for, and fd 2 is the console too', () => {
    const decision = aliceRunning().given().when(viaSyscall(syscallRequest(1, 'write', ['0x2', { text: 'hello' }, '0x3'])));
    expect(decision.only('kernel.consoleWritten')).toEqual({ pid: 1, fd: 2, text: 'hel' });
    expect(decision.only('kernel.syscallReturned')).toMatchObject({ ret: 3 });
  });

  it('write to any other fd returns -9 (EBADF)', () => {
    const decision = aliceRunning().given().when(viaSyscall(syscallRequest(1, 'write', ['0x3', { text: 'hi' }, '0x2'])));
    expect(decision.types).not.toContain('kernel.consoleWritten');
    expect(decision.only('kernel.syscallReturned')).toMatchObject({ ret: -9, errno: 'EBADF' });
  });

  it('exit ends the process with its status and returns to the idle loop', () => {
    const decision = aliceRunning()
      .given()
      .when(viaSyscall(syscallRequest(60, 'exit', ['0x3'])))
      .then([
        { type: 'kernel.syscallEntered' },
        { type: 'kernel.syscallReturned', data: { name: 'exit', ret: 0 } },
        { type: 'kernel.processExited', data: { pid: 1, signal: null, how: 'exit(3)' } },
        // exit_mm: CR3 leaves the tables before they are freed, then the frames go back.
        { type: 'cpu.registerWritten', data: { register: 'cr3' } },
        { type: 'tlb.flushed' },
        { type: 'memory.framesFreed' },
        { type: 'kernel.addressSpaceReleased', data: { pid: 1, handedTo: null } },
        { type: 'kernel.filesReleased', data: { pid: 1 } },
        // Its parent is init (not simulated), which reaps it at once.
        { type: 'kernel.processReaped', data: { pid: 1, by: 'init' } },
        { type: 'cpu.contextEntered', data: { cpl: 0, pid: null } },
      ]);
    expect(decision.after.kernel.processes.byId[1]!.status).toBe('exited');
  });

  it('with no current process, only enters and returns', () => {
    new Machine()
      .given()
      .when(viaSyscall(syscallRequest(39, 'getpid')))
      .then([{ type: 'kernel.syscallEntered', data: { pid: null, name: 'getpid' } }, { type: 'cpu.returned' }]);
  });
});

describe('from user mode through the CPU', () => {
  it('SYSCALL enters the kernel, which dispatches by the x86-64 table and SYSRETs to CPL 3', () => {
    const machine = aliceRunning();
    const events = machine.exec('alice', { op: 'syscall', syscall: syscallRequest(39, 'getpid') });
    expect(typesOf(events)).toEqual(['cpu.syscallEntered', 'kernel.syscallEntered', 'kernel.syscallReturned', 'cpu.returned']);
    expect(events[1]!.cause).toBe(events[0]!.seq);
    expect(machine.state.cpu.cpl).toBe(3);
    expect(machine.state.cpu.frames).toEqual([]);
  });

  it('INT 0x80 enters through its gate, dispatches by the i386 table and IRETs to CPL 3', () => {
    const machine = aliceRunning();
    const events = machine.exec('alice', { op: 'int', vector: 0x80, syscall: syscallRequest(20, 'getpid') });
    expect(typesOf(events)).toEqual(['cpu.trapEntered', 'kernel.syscallEntered', 'kernel.syscallReturned', 'cpu.returned']);
    expect(oneOf(events, 'kernel.syscallReturned')).toMatchObject({ abi: 'i386', ret: 1 });
    expect(machine.state.cpu.cpl).toBe(3);
  });

  it('INT 0x80 without a request is system call -1: ENOSYS', () => {
    const machine = aliceRunning();
    const events = machine.exec('alice', { op: 'int', vector: 0x80, syscall: null });
    expect(oneOf(events, 'kernel.syscallReturned')).toMatchObject({ nr: -1, errno: 'ENOSYS', note: 'no system call -1 in the i386 table' });
  });
});
