// Proves the installation rules of seccomp(2) and prctl(2), inheritance across fork and execve, and stacking.
import { describe, expect, it } from 'vitest';
import { compileError, failuresOf } from '../../helpers/scenario.js';
import { eventsOfType, onlyProgram, retProgram, runSeccomp } from './helpers.js';

const HEADER = `scenario "t"
invariant all
fs {
  dir "/srv" { mode: 0755 }
  file "/srv/notes" "hello" { mode: 0644, owner: 1000 }
  file "/usr/bin/tool" "ELF tool" { mode: 0755 }
}
seccomp nochmod { default: allow, chmod: EPERM }
`;

function passes(text: string, files: Readonly<Record<string, string>> = {}) {
  const run = runSeccomp(HEADER + text, files);
  expect(failuresOf(run.result)).toEqual([]);
  expect(run.result.violations).toEqual([]);
  return run;
}

describe('who may install a filter (seccomp_prepare_filter)', () => {
  it('needs no_new_privs or CAP_SYS_ADMIN, else EACCES', () => {
    const { result } = passes(`process plain { uid: 1000 }
process nnp { uid: 1000, no_new_privs: on }
process admin { uid: 1000, caps: CAP_SYS_ADMIN }
plain: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nochmod) expect errno EACCES
plain: syscall prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) expect returns 0
plain: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nochmod) expect returns 0
nnp: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nochmod) expect returns 0
admin: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nochmod) expect returns 0
`);
    expect(result.state.kernel.processes.byId[1]!.seccomp).toEqual({ mode: 'filter', filters: [1] });
  });

  it('refuses an invalid program with EINVAL and the checker\'s reason', () => {
    const bad = JSON.stringify([{ code: 0x20, jt: 0, jf: 0, k: 3 }, { code: 6, jt: 0, jf: 0, k: 0x7fff0000 }]);
    const { result } = passes(`filter bad from "bad.json"
process app { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, bad) expect errno EINVAL
app: syscall prctl(PR_GET_SECCOMP) expect returns 0
`, { 'bad.json': bad });
    const note = result.steps.find((step) => step.outcome.syscall?.name === 'seccomp')!.outcome.syscall!.note!;
    expect(note).toMatch(/^EINVAL: the filter is invalid at instruction 0: /);
  });

  it('a runtime that cannot install the profile refuses the request', () => {
    const bad = JSON.stringify([{ code: 0x20, jt: 0, jf: 0, k: 3 }]);
    const { events } = runSeccomp(`${HEADER}filter bad from "bad.json"
process app { uid: 1000, seccomp: bad }
`, { 'bad.json': bad });
    expect(eventsOfType(events, 'kernel.requestRefused')[0]).toMatchObject({ operation: 'seccomp.install', errno: 'EINVAL' });
  });

  it('EFAULT for NULL, an address or a name no setting declares', () => {
    passes(`process app { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL) expect errno EFAULT
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, 0x400000) expect errno EFAULT
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nosuchfilter) expect errno EFAULT
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0) expect errno EFAULT
`);
  });
});

describe('flags and operations of seccomp(2)', () => {
  it('unknown flags and inconsistent combinations are EINVAL; TSYNC succeeds; LOG is recorded', () => {
    const { result } = passes(`process app { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0x40, nochmod) expect errno EINVAL
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER, nochmod) expect errno EINVAL
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, nochmod) expect errno EINVAL
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG, nochmod) expect returns 0
app: syscall seccomp(9, 0, NULL) expect errno EINVAL
`);
    expect(result.state.kernel.seccomp!.filters.byId[1]).toMatchObject({ log: true, listener: null, label: 'nochmod' });
  });

  it('NEW_LISTENER returns a close-on-exec listener fd; a second listener in the chain is EBUSY', () => {
    const { result } = passes(`seccomp notifying { default: allow, getppid: notify }
process app { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, notifying) expect returns 3
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, nochmod) expect errno EBUSY
`);
    const app = result.state.kernel.processes.byId[1]!;
    const slot = app.fds.find((entry) => entry.fd === 3)!;
    expect(slot.cloexec).toBe(true);
    expect(result.state.kernel.files.byId[slot.file]).toMatchObject({ kind: 'seccomp-notify', name: 'anon_inode:seccomp notify' });
    expect(result.state.kernel.seccomp!.filters.byId[1]!.listener).toBe(slot.file);
  });

  it('SECCOMP_GET_ACTION_AVAIL knows the eight actions and nothing else', () => {
    passes(`process app { uid: 1000 }
app: syscall seccomp(SECCOMP_GET_ACTION_AVAIL, 0, SECCOMP_RET_KILL_PROCESS) expect returns 0
app: syscall seccomp(SECCOMP_GET_ACTION_AVAIL, 0, SECCOMP_RET_USER_NOTIF) expect returns 0
app: syscall seccomp(SECCOMP_GET_ACTION_AVAIL, 0, SECCOMP_RET_LOG) expect returns 0
app: syscall seccomp(SECCOMP_GET_ACTION_AVAIL, 0, O_RDWR) expect errno EOPNOTSUPP
app: syscall seccomp(SECCOMP_GET_ACTION_AVAIL, 1, SECCOMP_RET_LOG) expect errno EINVAL
`);
  });

  it('SECCOMP_GET_NOTIF_SIZES writes the three sizes', () => {
    const { result } = passes(`process app { uid: 1000 }
app: map 0x400000 size 4 KiB rw
app: syscall seccomp(SECCOMP_GET_NOTIF_SIZES, 0, 0x400000) expect returns 0
app: read 0x400000 size 6 expect value 0x004000180050
`);
    expect(result.steps.find((step) => step.outcome.syscall?.name === 'seccomp')!.outcome.syscall!.detail).toEqual({ seccomp_notif: 80, seccomp_notif_resp: 24, seccomp_data: 64 });
  });
});

describe('inheritance (copy_seccomp) and execve', () => {
  it('fork, vfork and clone children share the chain; execve keeps it', () => {
    const { result } = passes(`process app { uid: 1000, seccomp: nochmod }
app: syscall fork() as kid expect returns 2
kid: syscall chmod("/srv/notes", 0600) expect errno EPERM
kid: syscall execve("/usr/bin/tool") expect returns 0
kid: syscall chmod("/srv/notes", 0600) expect errno EPERM
kid: syscall prctl(PR_GET_SECCOMP) expect returns 2
app: syscall clone(child_main, stack, SIGCHLD) as cloned expect returns 3
cloned: syscall chmod("/srv/notes", 0600) expect errno EPERM
app: syscall vfork() as vkid expect returns 4
vkid: syscall chmod("/srv/notes", 0600) expect errno EPERM
`);
    const { byId } = result.state.kernel.processes;
    expect([1, 2, 3, 4].map((pid) => byId[pid]!.seccomp)).toEqual(Array(4).fill({ mode: 'filter', filters: [1] }));
    expect(result.state.kernel.seccomp!.filters.ids).toEqual([1]);
  });

  it('a child\'s own filter does not reach its parent', () => {
    passes(`seccomp nogetpid { default: allow, getpid: EPERM }
process app { uid: 1000, no_new_privs: on, seccomp: nochmod }
app: syscall fork() as kid expect returns 2
kid: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, nogetpid) expect returns 0
kid: syscall getpid expect errno EPERM
app: syscall getpid expect returns 1
`);
  });

  it('a process without seccomp forks children without seccomp', () => {
    const { result } = passes(`process app { uid: 1000 }
app: syscall fork() as kid expect returns 2
kid: syscall prctl(PR_GET_SECCOMP) expect returns 0
`);
    expect(result.state.kernel.processes.byId[2]!.seccomp).toBeUndefined();
  });
});

describe('stacked filters (seccomp_run_filters)', () => {
  it('every filter runs; the most restrictive action wins; a tie goes to the newest filter', () => {
    // Each filter decides getpid only: a filter that refused every call would refuse the next seccomp() too.
    const files = { 'eacces.json': onlyProgram(39, 0x0005000d), 'eperm.json': onlyProgram(39, 0x00050001), 'allow.json': retProgram(0x7fff0000), 'trap.json': onlyProgram(39, 0x00030000) };
    const { events } = passes(`filter eacces from "eacces.json"
filter eperm from "eperm.json"
filter allow from "allow.json"
filter trap from "trap.json"
process app { uid: 1000, no_new_privs: on }
process other { uid: 1000, no_new_privs: on }
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, eacces) expect returns 0
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, allow) expect returns 0
app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, eperm) expect returns 0
app: syscall getpid expect errno EPERM
other: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, trap) expect returns 0
other: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, eperm) expect returns 0
other: syscall getpid expect signal SIGSYS
`, files);
    const evaluated = eventsOfType(events, 'seccomp.evaluated');
    expect(evaluated.filter((e) => e.name === 'getpid' && e.pid === 1).map((e) => [e.label, e.action])).toEqual([
      ['eperm', 'ERRNO'],
      ['allow', 'ALLOW'],
      ['eacces', 'ERRNO'],
    ]);
    const decided = eventsOfType(events, 'seccomp.decided').filter((d) => d.name === 'getpid');
    expect(decided.map((d) => [d.action, d.data, d.filterId])).toEqual([
      ['ERRNO', 1, 3],
      ['TRAP', 0, 4],
    ]);
  });
});

describe('the language', () => {
  it('locates an unknown system call with a suggestion', () => {
    const error = compileError(`scenario "t"\nseccomp s { default: allow, chmd: EPERM }\n`);
    expect(error.code).toBe('E_UNKNOWN_SYSCALL');
    expect(error.message).toBe('"chmd" is not an x86-64 system call');
    expect(error.notes).toContain('did you mean "chmod"?');
  });

  it('locates an unknown action with a suggestion', () => {
    const error = compileError(`scenario "t"\nseccomp s { default: alow }\n`);
    expect(error.code).toBe('E_UNKNOWN_WORD');
    expect(error.notes).toContain('did you mean "allow"?');
  });

  it('needs a default action, and a declared program for the process property', () => {
    expect(compileError(`scenario "t"\nseccomp s { chmod: EPERM }\n`).code).toBe('E_MISSING');
    const error = compileError(`scenario "t"\nseccomp deny { default: allow }\nprocess p { seccomp: dney }\n`);
    expect(error.code).toBe('E_UNKNOWN_NAME');
    expect(error.notes).toContain('did you mean "deny"?');
  });

  it('refuses a name declared twice', () => {
    expect(compileError(`scenario "t"\nseccomp s { default: allow }\nseccomp s { default: log }\n`).code).toBe('E_DUPLICATE');
  });
});

describe('prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) names a declared filter', () => {
  it('installs it like seccomp(2), refuses an undeclared name with EFAULT, and keeps constants as numbers', () => {
    passes(`process app { uid: 1000 }
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, nochmod) expect errno EACCES
app: syscall prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) expect returns 0
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, nochmod) expect returns 0
app: syscall prctl(PR_GET_SECCOMP) expect returns 2
app: syscall chmod("/srv/notes", 0600) expect errno EPERM
app: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, nosuch) expect errno EFAULT
app: syscall prctl(PR_CAPBSET_READ, CAP_CHOWN) expect returns 1
`);
  });
});
