// Proves that the seccomp gate carries out every action as kernel/seccomp.c does, in strict and filter mode.
import { describe, expect, it } from 'vitest';
import { failuresOf } from '../../helpers/scenario.js';
import { eventsOfType, runSeccomp } from './helpers.js';

const HEADER = `scenario "t"
invariant all
fs {
  dir "/srv" { mode: 0755 }
  file "/srv/notes" "hello" { mode: 0644, owner: 1000 }
}
`;

function passes(text: string, files: Readonly<Record<string, string>> = {}) {
  const run = runSeccomp(HEADER + text, files);
  expect(failuresOf(run.result)).toEqual([]);
  expect(run.result.violations).toEqual([]);
  return run;
}

describe('strict mode (seccomp(2) SECCOMP_SET_MODE_STRICT)', () => {
  it('allows read, write and exit, kills anything else with SIGKILL', () => {
    const { events } = passes(`process app { uid: 1000 }
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) expect returns 0
app: syscall write(STDOUT_FILENO, "still here", 10) expect returns 10
app: syscall read(0, buf, 4) expect ok
app: syscall getpid expect signal SIGKILL, exits
`);
    expect(eventsOfType(events, 'seccomp.strictViolated')).toEqual([{ pid: 1, abi: 'x86_64', nr: 39, name: 'getpid' }]);
    const exited = eventsOfType(events, 'kernel.processExited');
    expect(exited[0]!.waitStatus).toBe(9);
  });

  it('kills exit_group (only exit is in the list) and prctl itself', () => {
    passes(`process a { uid: 1000 }
process b { uid: 1000 }
a: syscall seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) expect returns 0
a: syscall exit_group(0) expect signal SIGKILL
b: syscall seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) expect returns 0
b: syscall prctl(PR_GET_SECCOMP) expect signal SIGKILL
`);
  });

  it('uses the i386 numbers for INT 0x80: write is allowed, getpid kills', () => {
    passes(`process app { uid: 1000, seccomp: strict }
app: int 0x80 write(1, "hi", 2) expect returns 2
app: int 0x80 getpid expect signal SIGKILL
`);
  });

  it('refuses flags or an argument with SECCOMP_SET_MODE_STRICT, and a switch from filter mode', () => {
    passes(`seccomp open { default: allow }
process app { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL) expect errno EINVAL
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, open) expect returns 0
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) expect errno EINVAL
app: syscall prctl(PR_SET_SECCOMP, 7) expect errno EINVAL
`);
  });
});

describe('filter mode actions (__seccomp_filter)', () => {
  const rules = `seccomp rules { default: allow, chmod: EPERM, fchmod: errno(0), getuid: log, getpid: trap(3), getppid: trace(7), getgid: notify, geteuid: kill, getegid: kill_process, umask: errno(4095) }
`;

  it('ALLOW runs the call; LOG runs it and says so', () => {
    const { events } = passes(`${rules}process app { uid: 1000, seccomp: rules }
app: syscall getuid expect returns 1000
app: syscall gettid expect returns 1
`);
    const decided = eventsOfType(events, 'seccomp.decided');
    expect(decided.map((d) => [d.name, d.action])).toEqual([
      ['getuid', 'LOG'],
      ['gettid', 'ALLOW'],
    ]);
    expect(decided[1]!.filterId).toBeNull();
  });

  it('ERRNO skips the call and returns -data; errno 0 returns 0 without running', () => {
    const { events, result } = passes(`${rules}process app { uid: 1000, seccomp: rules }
app: syscall chmod("/srv/notes", 0777) expect errno EPERM
app: syscall openat(AT_FDCWD, "/srv/notes", O_RDONLY) expect returns 3
app: syscall fchmod(3, 0777) expect returns 0
app: syscall umask(0) expect returns -4095
`);
    expect(eventsOfType(events, 'vfs.inodeChanged')).toEqual([]);
    const chmod = result.steps.find((step) => step.outcome.syscall?.name === 'chmod');
    expect(chmod?.outcome.syscall?.note).toContain('SECCOMP_RET_ERRNO(1)');
    expect(eventsOfType(events, 'seccomp.callSkipped').map((d) => d.action)).toEqual(['ERRNO', 'ERRNO', 'ERRNO']);
  });

  it('TRAP sends SIGSYS: a handler sees the call number left in rax, without one the process dies', () => {
    const { events } = passes(`${rules}process caught { uid: 1000, seccomp: rules, catch: SIGSYS }
process plain { uid: 1000, seccomp: rules }
caught: syscall getpid expect returns 39, signal SIGSYS
plain: syscall getpid expect signal SIGSYS, exits
`);
    const signals = eventsOfType(events, 'kernel.signalDelivered');
    expect(signals.map((s) => [s.signal, s.code, s.action, s.si_errno, s.si_syscall, s.si_arch])).toEqual([
      ['SIGSYS', 'SYS_SECCOMP', 'handler', 3, 39, '0xc000003e'],
      ['SIGSYS', 'SYS_SECCOMP', 'terminate', 3, 39, '0xc000003e'],
    ]);
  });

  it('TRACE with no tracer and USER_NOTIF with no listener fail with ENOSYS', () => {
    passes(`${rules}process app { uid: 1000, seccomp: rules }
app: syscall getppid expect errno ENOSYS
app: syscall getgid expect errno ENOSYS
`);
  });

  it('KILL_THREAD and KILL_PROCESS end the process by SIGSYS even with a handler', () => {
    const { events } = passes(`${rules}process a { uid: 1000, seccomp: rules, catch: SIGSYS }
process b { uid: 1000, seccomp: rules, catch: SIGSYS }
a: syscall geteuid expect signal SIGSYS, exits
b: syscall getegid expect signal SIGSYS, exits
`);
    expect(eventsOfType(events, 'kernel.processExited').map((d) => d.waitStatus)).toEqual([31, 31]);
  });

  it('a runtime division by zero ends the program with 0: KILL_THREAD', () => {
    // ld [nr]; ldx #0; div x; ret a
    const program = JSON.stringify([
      { code: 0x20, jt: 0, jf: 0, k: 0 },
      { code: 0x01, jt: 0, jf: 0, k: 0 },
      { code: 0x3c, jt: 0, jf: 0, k: 0 },
      { code: 0x16, jt: 0, jf: 0, k: 0 },
    ]);
    const { events } = passes(`filter divide from "div.json"
process app { uid: 1000, seccomp: divide }
app: syscall getpid expect signal SIGSYS
`, { 'div.json': program });
    expect(eventsOfType(events, 'seccomp.evaluated')[0]).toMatchObject({ action: 'KILL_THREAD', ret: '0x00000000', executed: 3 });
  });

  it('shows the seccomp_data the filters saw: arch, number and 64-bit arguments', () => {
    const { events } = passes(`${rules}process app { uid: 1000, seccomp: rules }
app: syscall kill(app, 0xffffffff) expect returns -22
`);
    const decided = eventsOfType(events, 'seccomp.decided')[0]!;
    expect(decided.seccompData).toEqual({ nr: 62, arch: '0xc000003e', instructionPointer: '0x0', args: ['0x1', '0xffffffff', '0x0', '0x0', '0x0', '0x0'] });
  });
});
