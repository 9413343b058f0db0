// Proves that a seccomp supervisor (seccomp_unotify(2)) receives a USER_NOTIF call with the path it reads from the target's memory, that CONTINUE lets the kernel re-read that memory when the target runs again (the race explore finds), that ADDFD with SEND makes the supervisor's own descriptor the call's result (no winning order), and that the listener ioctls refuse what the kernel refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../../check/explore.js';
import { compileScenario, loadScenario } from '../../../dsl/compile/index.js';
import { runPlan } from '../../../engine/scenario/run.js';
import { compileError, failuresOf, runText } from '../../helpers/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ALL = { maxInterleavings: 10_000, stopAtFirst: false, checkFootprints: true };

function planOf(file: string) {
  return compileScenario(loadScenario(file, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') })), {});
}

const SETUP = `scenario "t"
fs {
  dir "/srv" { mode: 0755 }
  file "/srv/public.txt" "public" { mode: 0644 }
  file "/etc/shadow" "root:x" { mode: 0640, owner: 0 }
}
seccomp notify_open { default: allow, openat: notify }
process target { uid: 0 }
process keeper { uid: 0, supervises: target(notify_open) }
invariant interpose.notif-checked-object
target: map 0x10000000 size 4 KiB rw user
target: write 0x10000000 "/srv/public.txt"
target: syscall openat(AT_FDCWD, 0x10000000, O_RDONLY)
`;

describe('the supervisor\'s ioctls', () => {
  it('receives the notification with the path read from the target\'s memory', () => {
    const result = runText(`${SETUP}keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV) expect returns 0\n`);
    expect(failuresOf(result)).toEqual([]);
    const detail = result.steps.at(-1)!.outcome.syscall!.detail!;
    expect(detail).toMatchObject({ id: 1, pid: 1, call: 'openat', path: '/srv/public.txt', resolved: '/srv/public.txt' });
  });

  it('keeps the target waiting until the answer, then lets the kernel perform the call (CONTINUE)', () => {
    const steps = ['target: resume expect refused', 'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV) expect returns 0', 'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_USER_NOTIF_FLAG_CONTINUE) expect returns 0', 'target: resume expect returns 4', 'target: syscall read(4, buf, 6) expect reads "public"'];
    const result = runText(SETUP + steps.join('\n') + '\n');
    expect(failuresOf(result)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('fails the call with the errno the supervisor sends', () => {
    const steps = ['keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV)', 'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, 0, 13) expect returns 0', 'target: resume expect errno EACCES'];
    expect(failuresOf(runText(SETUP + steps.join('\n') + '\n'))).toEqual([]);
  });

  it('injects the supervisor\'s descriptor as the call\'s result (ADDFD with SEND)', () => {
    const steps = ['keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV)', 'keeper: syscall openat(AT_FDCWD, "/srv/public.txt", O_RDONLY) expect returns 4', 'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_ADDFD, 4, SECCOMP_ADDFD_FLAG_SEND) expect returns 4', 'target: resume expect returns 4', 'target: syscall read(4, buf, 6) expect reads "public"'];
    const result = runText(SETUP + steps.join('\n') + '\n');
    expect(failuresOf(result)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('refuses what the kernel refuses: nothing to receive, nothing to answer, a descriptor that is no listener, an unknown request', () => {
    const steps = [
      'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_USER_NOTIF_FLAG_CONTINUE) expect errno ENOENT',
      'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV) expect returns 0',
      'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV) expect errno ENOENT',
      'keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 1) expect errno EINVAL',
      'keeper: syscall ioctl(1, SECCOMP_IOCTL_NOTIF_RECV) expect errno ENOTTY',
      'keeper: syscall ioctl(9, SECCOMP_IOCTL_NOTIF_RECV) expect errno EBADF',
      'keeper: syscall ioctl(3, 0x1234) expect errno EINVAL',
    ];
    expect(failuresOf(runText(SETUP + steps.join('\n') + '\n'))).toEqual([]);
  });

  it('requires the supervised process to be declared first, and not itself', () => {
    const text = `scenario "t"\nseccomp p { default: allow, openat: notify }\nprocess keeper { uid: 0, supervises: target(p) }\nprocess target { uid: 0 }\n`;
    expect(compileError(text).message).toContain('must be declared before keeper');
    expect(compileError(`scenario "t"\nseccomp p { default: allow }\nprocess keeper { uid: 0, supervises: keeper(p) }\n`).code).toBe('E_SUPERVISES');
  });
});

describe('explore on the user-notification race', () => {
  it('finds the order where the buffer is rewritten between the supervisor\'s read and the kernel\'s (CONTINUE)', () => {
    const plan = planOf('scenarios/interpose/unotify-race.isl');
    expect(runPlan(plan).passed).toBe(true);
    const result = explore(plan, ALL);
    expect(result.complete).toBe(true);
    expect(result.footprintGaps).toBe(0);
    expect(result.violating).toBeGreaterThan(0);
    expect(result.firstViolation!.reasons.join('\n')).toMatch(/interpose\.notif-checked-object — target opened \/etc\/shadow/);
    const order = result.firstViolation!.order.map((index) => plan.steps[index]!.text);
    const recv = order.findIndex((text) => text.includes('NOTIF_RECV'));
    const rewrite = order.findIndex((text) => text.startsWith('accomplice: write'));
    const use = order.lastIndexOf('target: resume');
    expect(recv).toBeLessThan(rewrite);
    expect(rewrite).toBeLessThan(use);
  });

  it('finds none when the supervisor injects the descriptor it opened (ADDFD)', () => {
    const plan = planOf('scenarios/interpose/unotify-addfd.isl');
    expect(runPlan(plan).passed).toBe(true);
    const result = explore(plan, ALL);
    expect(result.complete).toBe(true);
    expect(result.footprintGaps).toBe(0);
    expect(result.violating).toBe(0);
  });

  it('replays the won race as a passing lesson (unotify-race-won.isl)', () => {
    const result = runPlan(planOf('scenarios/interpose/unotify-race-won.isl'));
    expect(failuresOf(result)).toEqual([]);
    expect(result.passed).toBe(true);
  });
});
