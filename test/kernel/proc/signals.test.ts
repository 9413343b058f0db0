// Proves kill(2) and signal delivery as kernel/signal.c does them: check_kill_permission (a uid match with the target's real or saved uid, or CAP_KILL; SIGCONT within a session), ESRCH/EINVAL/EPERM and signal 0, the pid 0 / -1 / -pgid targets and how their errors combine, the default actions of signal(7) (terminate, ignore, stop, continue), handlers that run when the target next returns to user mode, SIGKILL that no handler stops, and a process's own signals taking effect on its way out of the call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialsData, credentialsFor, type Credentials } from '../../../engine/kernel/cred/state.js';
import { canSignal } from '../../../engine/kernel/proc/signals.js';
import { invariantByName } from '../../../engine/machine/invariants.js';
import type { Process } from '../../../engine/kernel/state.js';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { infoOf, n, returnedOf, sys, violationsOf } from './support.js';

const SIGKILL = 9;
const SIGTERM = 15;
const SIGCHLD = 17;
const SIGCONT = 18;
const SIGSTOP = 19;
const CAP_KILL = 1n << 5n;

function processWith(pid: number, creds: Partial<Credentials>): Process {
  return {
    pid,
    name: `p${pid}`,
    ppid: 1,
    creds: { ...credentialsFor(1000, 1000), ...creds },
    fs: null,
    fds: [],
    exe: null,
    status: 'ready',
    waitStatus: null,
    exit: null,
    rootTable: 0,
    tableFrames: [],
    vmas: [],
    catches: [],
    pcidSlot: null,
    tlbGeneration: 0,
  };
}

describe('canSignal (check_kill_permission)', () => {
  const target = processWith(2, { ruid: 2000, euid: 3000, suid: 4000 });
  it.each([
    ['sender euid = target ruid', { ruid: 9, euid: 2000 }, true],
    ['sender euid = target saved uid', { ruid: 9, euid: 4000 }, true],
    ['sender ruid = target ruid', { ruid: 2000, euid: 9 }, true],
    ['sender ruid = target saved uid', { ruid: 4000, euid: 9 }, true],
    ['only the target\'s effective uid matches', { ruid: 3000, euid: 3000 }, false],
    ['no uid matches', { ruid: 9, euid: 9 }, false],
    ['no uid matches, but CAP_KILL', { ruid: 9, euid: 9, caps: { ...credentialsFor(9, 9).caps, effective: CAP_KILL } }, true],
    ['CAP_KILL only permitted, not effective', { ruid: 9, euid: 9, caps: { ...credentialsFor(9, 9).caps, permitted: CAP_KILL } }, false],
  ] as const)('%s → %s', (_what, creds, allowed) => {
    expect(canSignal(processWith(1, creds as Partial<Credentials>), target, SIGTERM)).toBe(allowed);
  });

  it('lets a process signal itself, and SIGCONT reach its session whatever the uids', () => {
    const stranger = processWith(1, { ruid: 9, euid: 9 });
    expect(canSignal(target, target, SIGKILL)).toBe(true);
    expect(canSignal(stranger, target, SIGCONT, true)).toBe(true);
    expect(canSignal(stranger, target, SIGCONT, false)).toBe(false);
    expect(canSignal(stranger, target, SIGTERM, true)).toBe(false);
  });
});

/** alice (1000) and her job (1000), bob (1001, catches SIGTERM), root (0). */
function users(): Machine {
  const machine = new Machine();
  machine.createProcess('alice', [], 1000);
  machine.createProcess('job', [], 1000);
  machine.createProcess('bob', ['SIGTERM', 'SIGKILL'], 1001);
  machine.createProcess('root', [], 0);
  return machine;
}

const kill = (machine: Machine, who: string, pid: number, sig: number) => sys(machine, who, 'kill', [n(pid), n(sig)]);

describe('kill', () => {
  it.each([
    ['a pid nobody has', 99, SIGTERM, 'ESRCH'],
    ['a pid nobody has, with a bad signal too', 99, 65, 'ESRCH'],
    ['a signal above _NSIG', 2, 65, 'EINVAL'],
    ['a negative signal', 2, -1, 'EINVAL'],
    ['another user\'s process', 3, SIGTERM, 'EPERM'],
    ['another user\'s process, signal 0', 3, 0, 'EPERM'],
    ['pid INT_MIN', -2147483648, SIGTERM, 'ESRCH'],
    ['a group nobody is in', -77, SIGTERM, 'ESRCH'],
  ] as const)('%s is %s', (_what, pid, sig, errno) => {
    const machine = users();
    expect(returnedOf(kill(machine, 'alice', pid, sig))).toMatchObject({ ret: expect.any(Number), errno });
    expect(machine.process('bob').status).not.toBe('exited');
  });

  it('signal 0 only checks: it succeeds for the same user and changes nothing', () => {
    const machine = users();
    const events = kill(machine, 'alice', 2, 0);
    expect(returnedOf(events)).toMatchObject({ ret: 0, errno: null });
    expect(typesOf(events)).not.toContain('kernel.signalSent');
  });

  it('SIGKILL ends another process of the same user at once; init reaps it', () => {
    const machine = users();
    const events = kill(machine, 'alice', 2, SIGKILL);
    expect(oneOf(events, 'kernel.signalSent')).toMatchObject({ from: 1, to: 2, signal: 'SIGKILL', action: 'terminate', origin: 'kill' });
    expect(oneOf(events, 'kernel.processExited')).toMatchObject({ pid: 2, signal: 'SIGKILL', waitStatus: SIGKILL });
    expect(machine.process('job').status).toBe('exited');
    expect(returnedOf(events)).toMatchObject({ ret: 0 });
    expect(returnedOf(kill(machine, 'alice', 2, 0)).errno).toBe('ESRCH');
  });

  it('CAP_KILL crosses users: root kills bob, whose handler list cannot save him from SIGKILL', () => {
    const machine = users();
    kill(machine, 'root', 3, SIGKILL);
    expect(machine.process('bob').exit).toBe('killed by SIGKILL');
  });

  it('a caught signal waits for its target and runs its handler when the target next runs', () => {
    const machine = users();
    const sent = kill(machine, 'root', 3, SIGTERM);
    expect(oneOf(sent, 'kernel.signalSent')).toMatchObject({ action: 'handler' });
    expect(infoOf(machine, 'bob').pending).toEqual(['SIGTERM']);
    const switched = machine.switchTo('bob');
    expect(oneOf(switched, 'kernel.signalDelivered')).toMatchObject({ pid: 3, signal: 'SIGTERM', action: 'handler' });
    expect(typesOf(switched).at(-1)).toBe('cpu.contextEntered');
    expect(infoOf(machine, 'bob').pending).toEqual([]);
    expect(machine.process('bob').status).toBe('running');
  });

  it('a signal whose default is to be ignored does nothing', () => {
    const machine = users();
    const events = kill(machine, 'alice', 2, SIGCHLD);
    expect(oneOf(events, 'kernel.signalSent')).toMatchObject({ action: 'ignore' });
    expect(machine.process('job').status).toBe('ready');
  });

  it('SIGSTOP stops a process (it cannot be run), SIGCONT resumes it', () => {
    const machine = users();
    kill(machine, 'alice', 2, SIGSTOP);
    expect(infoOf(machine, 'job').stopped).toBe(true);
    expect(machine.switchTo('job').filter((e) => e.type === 'kernel.switched')).toEqual([]);
    expect(machine.state.kernel.current).toBe(1);
    kill(machine, 'alice', 2, SIGCONT);
    expect(infoOf(machine, 'job').stopped).toBe(false);
    machine.switchTo('job');
    expect(machine.state.kernel.current).toBe(2);
  });

  it('a process\'s own fatal signal takes effect after the call returns, instead of the return to user mode', () => {
    const machine = users();
    const events = kill(machine, 'alice', 1, SIGTERM);
    const types = typesOf(events);
    expect(types.indexOf('kernel.syscallReturned')).toBeLessThan(types.indexOf('kernel.signalDelivered'));
    expect(oneOf(events, 'kernel.signalDelivered')).toMatchObject({ signal: 'SIGTERM', action: 'terminate' });
    expect(types).not.toContain('cpu.returned');
    expect(types.at(-1)).toBe('cpu.contextEntered');
    expect(machine.process('alice').exit).toBe('killed by SIGTERM');
  });

  it('a process\'s own caught signal runs its handler, then the call returns to user mode', () => {
    const machine = users();
    const events = kill(machine, 'bob', 3, SIGTERM);
    expect(oneOf(events, 'kernel.signalDelivered')).toMatchObject({ action: 'handler' });
    expect(typesOf(events).at(-1)).toBe('cpu.returned');
    expect(machine.state.cpu.cpl).toBe(3);
  });

  it('kill(0) signals the caller\'s group: a forked child and the caller itself', () => {
    const machine = users();
    sys(machine, 'bob', 'fork', [], 'bobchild');
    const events = kill(machine, 'bobchild', 0, SIGKILL);
    expect(dataOf<{ pid: number }>(events, 'kernel.processExited').map((e) => e.pid)).toEqual([3, 5]);
    expect(machine.process('bob').status).toBe('exited');
    expect(machine.process('bobchild').status).toBe('exited');
    expect(violationsOf(machine)).toEqual([]);
  });

  it('kill(0) from a parent ends its child first and itself on the way out; nothing is left behind', () => {
    const machine = users();
    machine.map('bob', 0x400000n);
    sys(machine, 'bob', 'fork', [], 'bobchild');
    const owned = machine.state.memory.owners.size;
    kill(machine, 'bob', 0, SIGKILL);
    expect(machine.process('bob').status).toBe('exited');
    expect(machine.process('bobchild').status).toBe('exited');
    expect(machine.state.memory.owners.size).toBeLessThan(owned);
    expect(violationsOf(machine)).toEqual([]);
  });

  it('a vfork child killing its group frees the shared address space once', () => {
    const machine = users();
    machine.map('bob', 0x400000n);
    sys(machine, 'bob', 'vfork', [], 'bobchild');
    const frames = machine.process('bob').vmas[0]!.frames;
    const events = kill(machine, 'bobchild', 0, SIGKILL);
    const freed = dataOf<{ frames: number[] }>(events, 'memory.framesFreed').flatMap((e) => e.frames);
    expect(freed).toEqual(expect.arrayContaining(frames));
    expect(new Set(freed).size).toBe(freed.length);
    expect(machine.process('bob').status).toBe('exited');
    expect(machine.process('bobchild').status).toBe('exited');
    expect(violationsOf(machine)).toEqual([]);
  });

  it('kill(-pgid) signals that group; its errors combine as __kill_pgrp_info: one success is success', () => {
    const machine = users();
    sys(machine, 'bob', 'fork', [], 'bobchild');
    expect(returnedOf(kill(machine, 'alice', -3, SIGKILL))).toMatchObject({ errno: 'EPERM' });
    expect(returnedOf(kill(machine, 'root', -3, SIGKILL))).toMatchObject({ ret: 0 });
    expect(machine.process('bobchild').status).toBe('exited');
  });

  it('kill(-1) signals everyone but pid 1 and the caller, and returns 0 even when every target refused', () => {
    const machine = users();
    const events = kill(machine, 'job', -1, SIGKILL);
    expect(returnedOf(events)).toMatchObject({ ret: 0, errno: null });
    expect(machine.process('alice').status).not.toBe('exited');
    expect(machine.process('bob').status).not.toBe('exited');
    expect(machine.process('job').status).not.toBe('exited');
  });

  it('signalling a zombie succeeds and does nothing', () => {
    const machine = users();
    sys(machine, 'alice', 'fork', [], 'kid');
    sys(machine, 'kid', 'exit', [n(0)]);
    expect(machine.process('kid').status).toBe('zombie');
    const events = kill(machine, 'alice', 5, SIGKILL);
    expect(returnedOf(events)).toMatchObject({ ret: 0, errno: null });
    expect(typesOf(events)).not.toContain('kernel.signalSent');
  });

  it('the kernel\'s SIGCHLD needs no permission: a parent gets it from a child of any user', () => {
    const machine = new Machine();
    machine.createProcess('parent', ['SIGCHLD'], 1000);
    sys(machine, 'parent', 'fork', [], 'kid');
    const events = sys(machine, 'kid', 'exit', [n(0)]);
    expect(oneOf(events, 'kernel.signalSent')).toMatchObject({ to: 1, signal: 'SIGCHLD', action: 'handler', origin: 'kernel' });
    expect(oneOf(machine.switchTo('parent'), 'kernel.signalDelivered')).toMatchObject({ signal: 'SIGCHLD', action: 'handler' });
  });

  it('runs the bundled scenario\'s checks from text', () => {
    const result = runText(`scenario "kill"
invariant all
process alice_shell { uid: 1000 }
process alice_job { uid: 1000 }
process bob_daemon { uid: 1001, catch: SIGTERM }
process mallory { uid: 1002 }
process operator { uid: 1003, caps: CAP_KILL }
mallory: syscall kill(bob_daemon, 0) expect errno EPERM
mallory: syscall kill(bob_daemon, SIGKILL) expect errno EPERM
alice_shell: syscall kill(alice_job, 0) expect returns 0
operator: syscall kill(bob_daemon, SIGTERM) expect returns 0
bob_daemon: syscall getpid expect signal SIGTERM
alice_shell: syscall kill(alice_job, SIGKILL) expect returns 0
alice_shell: syscall kill(alice_job, 0) expect errno ESRCH
assert alice_job exited
assert bob_daemon alive
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
  });
});

describe('signals never cross users without CAP_KILL (property)', () => {
  const uid = fc.constantFrom(0, 1000, 1001, 1002);
  const creds = fc.record({ ruid: uid, euid: uid, suid: uid, capKill: fc.boolean() });

  function withCreds(c: { ruid: number; euid: number; suid: number; capKill: boolean }): Credentials {
    const base = credentialsFor(c.ruid, c.ruid);
    return { ...base, euid: c.euid, suid: c.suid, fsuid: c.euid, caps: { ...base.caps, effective: c.capKill ? CAP_KILL : 0n, permitted: c.capKill ? CAP_KILL : 0n } };
  }

  it('kill succeeds exactly when the sender\'s real or effective uid is the target\'s real or saved uid, or it holds CAP_KILL', () => {
    fc.assert(
      fc.property(creds, creds, fc.constantFrom(0, SIGKILL, SIGTERM, SIGSTOP, SIGCHLD, 10, 40), (sender, target, sig) => {
        const machine = new Machine();
        machine.run({ type: 'kernel.createProcess', actor: 'kernel', data: { name: 'sender', creds: credentialsData(withCreds(sender)), catches: [] } });
        machine.run({ type: 'kernel.createProcess', actor: 'kernel', data: { name: 'target', creds: credentialsData(withCreds(target)), catches: [] } });
        const allowed = [sender.ruid, sender.euid].some((u) => u === target.ruid || u === target.suid) || sender.capKill;
        const returned = returnedOf(kill(machine, 'sender', 2, sig));
        expect(returned.errno).toBe(allowed ? null : 'EPERM');
        const ended = machine.process('target').status === 'exited';
        expect(ended).toBe(allowed && (sig === SIGKILL || sig === SIGTERM || sig === 10 || sig === 40));
        expect(violationsOf(machine)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('the invariant proc.signals-permitted names a signal that crossed users without the right', () => {
    const invariant = invariantByName('proc.signals-permitted')!;
    const machine = users();
    const event = { seq: 0, tick: 0, type: 'kernel.signalSent', actor: 'alice', data: { from: 1, to: 3, signal: 'SIGKILL', number: SIGKILL, origin: 'kill' }, cause: null };
    expect(invariant.check(machine.state, event, machine.state)).toBe('alice (uid 1000, euid 1000) signalled bob (uid 1001, saved 1001) with SIGKILL without CAP_KILL');
    expect(invariant.check(machine.state, { ...event, data: { ...event.data, origin: 'kernel' } }, machine.state)).toBeNull();
    expect(invariant.check(machine.state, { ...event, data: { ...event.data, from: 4 } }, machine.state)).toBeNull();
  });
});
