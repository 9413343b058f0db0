// Proves exit, wait4/waitpid and orphans as kernel/exit.c handles them: a child that exits is a zombie until its parent collects it (status exited, the wait status in detail and at wstatus — through copy_to_user, which resolves a copy-on-write page), ECHILD, WNOHANG, the pid -1 / >0 / 0 / < -1 choices, __WCLONE, EINVAL and ESRCH, a wait that sleeps until a child changes state and returns when its caller runs again, WUNTRACED/WCONTINUED reports, and orphans reparented to init, which reaps them at once.
import { describe, expect, it } from 'vitest';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { infoOf, n, readBytes, returnedOf, sys, violationsOf } from './support.js';

const VA = 0x400000n;
const WNOHANG = 1;
const WUNTRACED = 2;
const WEXITED = 4;
const WCONTINUED = 8;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000;
const SIGSTOP = 19;
const SIGCONT = 18;

/** parent with a page at VA and one child, `kid`. */
function family(): Machine {
  const machine = new Machine();
  machine.createProcess('parent', [], 1000);
  machine.map('parent', VA);
  sys(machine, 'parent', 'fork', [], 'kid');
  return machine;
}

const wait = (machine: Machine, pid: number, status = 0n, options = 0) => sys(machine, 'parent', 'wait4', [n(pid), n(status), n(options)]);

describe('exit and wait4', () => {
  it('a child that exits stays a zombie with its wait status until the parent collects it', () => {
    const machine = family();
    const events = sys(machine, 'kid', 'exit', [n(7)]);
    expect(oneOf(events, 'kernel.processExited')).toMatchObject({ pid: 2, waitStatus: 7 << 8 });
    expect(machine.process('kid')).toMatchObject({ status: 'zombie', waitStatus: 0x700, vmas: [], fds: [] });
    expect(typesOf(events)).not.toContain('kernel.processReaped');
    const collected = wait(machine, -1);
    expect(returnedOf(collected)).toMatchObject({ ret: 2, detail: { pid: 2, wstatus: 0x700, exited: true, exitStatus: 7, signaled: false, termsig: null } });
    expect(oneOf(collected, 'kernel.processReaped')).toMatchObject({ pid: 2, by: 1 });
    expect(machine.process('kid').status).toBe('exited');
    expect(returnedOf(wait(machine, -1))).toMatchObject({ errno: 'ECHILD' });
  });

  it('stores the status at wstatus, resolving the copy-on-write page it lands in', () => {
    const machine = family();
    sys(machine, 'parent', 'fork', [], 'sibling');
    sys(machine, 'kid', 'exit', [n(3)]);
    // The page is still shared with `sibling`: copy_to_user breaks the sharing first.
    const events = wait(machine, 2, VA);
    expect(oneOf(events, 'kernel.cowCopied')).toMatchObject({ pid: 1, va: '0x400000' });
    expect(readBytes(machine, 'parent', VA, 4)).toBe('00030000');
    expect(readBytes(machine, 'sibling', VA, 4)).toBe('00000000');
    // The parent's copy is its own from now on: later stores need no copy.
    sys(machine, 'sibling', 'exit', [n(1)]);
    expect(typesOf(wait(machine, 3, VA + 8n))).not.toContain('kernel.cowCopied');
    expect(readBytes(machine, 'parent', VA + 8n, 4)).toBe('00010000');
    expect(violationsOf(machine)).toEqual([]);
  });

  it('reaps the child even when wstatus is not writable, and says EFAULT', () => {
    const machine = family();
    sys(machine, 'kid', 'exit', [n(0)]);
    expect(returnedOf(wait(machine, 2, 0x900000n))).toMatchObject({ errno: 'EFAULT' });
    expect(machine.process('kid').status).toBe('exited');
  });

  it('reports a death by signal: WIFSIGNALED with the signal number', () => {
    const machine = family();
    sys(machine, 'parent', 'kill', [n(2), n(9)]);
    expect(returnedOf(wait(machine, -1)).detail).toMatchObject({ wstatus: 9, exited: false, signaled: true, termsig: 9 });
  });

  it('with WNOHANG returns 0 while the child runs; without children it is ECHILD', () => {
    const machine = family();
    expect(returnedOf(wait(machine, -1, 0n, WNOHANG))).toMatchObject({ ret: 0, errno: null });
    const lonely = new Machine();
    lonely.createProcess('alone');
    expect(returnedOf(sys(lonely, 'alone', 'wait4', [n(-1), n(0), n(WNOHANG)]))).toMatchObject({ errno: 'ECHILD' });
  });

  it.each([
    ['a pid that is not its child', 77, 'ECHILD'],
    ['pid INT_MIN', -2147483648, 'ESRCH'],
  ] as const)('%s is %s', (_what, pid, errno) => {
    expect(returnedOf(wait(family(), pid, 0n, WNOHANG)).errno).toBe(errno);
  });

  it.each([
    ['WEXITED', WEXITED],
    ['WNOWAIT', 0x01000000],
  ] as const)('the option %s is EINVAL for wait4', (_what, option) => {
    expect(returnedOf(wait(family(), -1, 0n, option)).errno).toBe('EINVAL');
  });

  it('pid 0 waits for the caller\'s group, -pgid for that group', () => {
    const machine = family();
    sys(machine, 'kid', 'exit', [n(0)]);
    expect(returnedOf(wait(machine, -99, 0n, WNOHANG)).errno).toBe('ECHILD');
    expect(returnedOf(wait(machine, -1 * infoOf(machine, 'kid').pgid, 0n, WNOHANG)).ret).toBe(2);
    sys(machine, 'parent', 'fork', [], 'kid2');
    sys(machine, 'kid2', 'exit', [n(0)]);
    expect(returnedOf(wait(machine, 0, 0n, WNOHANG)).ret).toBe(3);
  });

  it('a clone child with another exit signal is seen only with __WCLONE or __WALL', () => {
    const machine = new Machine();
    machine.createProcess('parent');
    sys(machine, 'parent', 'clone', [n(0x1000), n(0x7fff0000), n(0)], 'thread');
    sys(machine, 'thread', 'exit', [n(0)]);
    expect(returnedOf(wait(machine, -1, 0n, WNOHANG)).errno).toBe('ECHILD');
    expect(returnedOf(wait(machine, -1, 0n, __WCLONE)).ret).toBe(2);
    sys(machine, 'parent', 'clone', [n(0x1000), n(0x7fff0000), n(0)], 'thread2');
    sys(machine, 'thread2', 'exit', [n(0)]);
    expect(returnedOf(wait(machine, -1, 0n, __WALL)).ret).toBe(3);
  });

  it('a child with exit signal 0 sends the parent nothing', () => {
    const machine = new Machine();
    machine.createProcess('parent', ['SIGCHLD']);
    sys(machine, 'parent', 'clone', [n(0x1000), n(0x7fff0000), n(0)], 'thread');
    expect(typesOf(sys(machine, 'thread', 'exit', [n(0)]))).not.toContain('kernel.signalSent');
  });
});

describe('a wait that sleeps', () => {
  it('puts the caller to sleep, wakes it when the child exits, and returns when it runs again', () => {
    const machine = family();
    const asleep = wait(machine, -1, VA);
    expect(typesOf(asleep)).toEqual(['cpu.syscallEntered', 'kernel.syscallEntered', 'kernel.waitBlocked', 'cpu.contextEntered']);
    expect(machine.state.kernel.current).toBeNull();
    expect(infoOf(machine, 'parent').sleep).toMatchObject({ kind: 'wait', upid: -1, woken: false });
    expect(machine.switchTo('parent')).toEqual([]);
    const exited = sys(machine, 'kid', 'exit', [n(5)]);
    expect(oneOf(exited, 'kernel.waitWoken')).toEqual({ pid: 1, child: 2 });
    expect(machine.process('kid').status).toBe('zombie');
    const resumed = machine.switchTo('parent');
    expect(returnedOf(resumed)).toMatchObject({ name: 'wait4', ret: 2, detail: { exitStatus: 5 } });
    expect(typesOf(resumed).indexOf('kernel.syscallReturned')).toBeLessThan(typesOf(resumed).indexOf('kernel.switched'));
    expect(machine.process('kid').status).toBe('exited');
    expect(readBytes(machine, 'parent', VA, 4)).toBe('00050000');
    expect(infoOf(machine, 'parent').sleep).toBeNull();
  });

  it('reads from a scenario: waitpid written before the child\'s exit returns after it', () => {
    const result = runText(`scenario "wait"
process parent { uid: 1000 }
parent: syscall fork() as child expect returns 2
parent: syscall waitpid(child, NULL, 0)
parent: syscall getpid expect skipped
child: syscall exit(4) expect exits
parent: syscall getpid expect returns 1
`);
    expect(failuresOf(result)).toEqual([]);
    const resumed = result.steps[4]!.outcome;
    expect(resumed.switches).toEqual(['parent']);
  });
});

describe('stops and continues', () => {
  it('WUNTRACED reports a stopped child once; WCONTINUED its continue', () => {
    const machine = family();
    sys(machine, 'parent', 'kill', [n(2), n(SIGSTOP)]);
    expect(returnedOf(wait(machine, -1, 0n, WUNTRACED | WNOHANG)).detail).toMatchObject({ pid: 2, wstatus: (SIGSTOP << 8) | 0x7f, stopped: true, stopsig: SIGSTOP });
    expect(returnedOf(wait(machine, -1, 0n, WUNTRACED | WNOHANG)).ret).toBe(0);
    sys(machine, 'parent', 'kill', [n(2), n(SIGCONT)]);
    expect(returnedOf(wait(machine, -1, 0n, WCONTINUED | WNOHANG)).detail).toMatchObject({ wstatus: 0xffff, continued: true });
    expect(machine.process('kid').status).not.toBe('exited');
  });
});

describe('orphans', () => {
  it('a parent\'s exit reparents its children to init, which reaps a zombie at once and a later exit immediately', () => {
    const machine = family();
    sys(machine, 'parent', 'fork', [], 'dead');
    sys(machine, 'dead', 'exit', [n(0)]);
    expect(machine.process('dead').status).toBe('zombie');
    const events = sys(machine, 'parent', 'exit', [n(0)]);
    expect(dataOf(events, 'kernel.reparented')).toEqual([
      { pid: 2, from: 1, to: 1 },
      { pid: 3, from: 1, to: 1 },
    ]);
    expect(machine.process('dead').status).toBe('exited');
    expect(machine.process('kid')).toMatchObject({ ppid: 1, status: 'ready' });
    expect(returnedOf(sys(machine, 'kid', 'getppid')).ret).toBe(1);
    const later = sys(machine, 'kid', 'exit', [n(0)]);
    expect(oneOf(later, 'kernel.processReaped')).toMatchObject({ pid: 2, by: 'init' });
    expect(machine.process('kid').status).toBe('exited');
  });

  it('frees every frame and table of an address space once its last user exits', () => {
    const machine = family();
    const owned = () => machine.state.memory.owners.size;
    const before = owned();
    sys(machine, 'kid', 'exit', [n(0)]);
    sys(machine, 'parent', 'wait4', [n(-1), n(0), n(0)]);
    sys(machine, 'parent', 'exit', [n(0)]);
    expect(owned()).toBeLessThan(before);
    for (const name of ['parent', 'kid']) expect(machine.process(name).tableFrames).toEqual([]);
    expect(violationsOf(machine)).toEqual([]);
  });
});
