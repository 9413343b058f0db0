// Proves the file system's promises hold for random programs (fast-check) — a jailed process without
// CAP_SYS_CHROOT never escapes whatever it chdirs, opens, links or chroots; links beyond 40 are ELOOP —
// and that both invariants do fail when a kernel breaks the rule they guard.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { fsKernelEvents, vfsEvents } from '../../../engine/kernel/vfs/events.js';
import { vfsChrootConfinement, vfsDac } from '../../../engine/kernel/vfs/invariants.js';
import { resolvePath } from '../../../engine/kernel/vfs/resolve.js';
import { isUnder } from '../../../engine/kernel/vfs/tree.js';
import { foldEvents } from '../../helpers/machine.js';
import { Sys, text, world } from './helpers.js';

const JAIL_FS = `
  dir "/jail" { mode: 0777 }
  dir "/jail/a" { mode: 0777 }
  dir "/jail/a/b" { mode: 0777 }
  symlink "/jail/abs" "/a"
  symlink "/jail/a/rel" "../.."
  symlink "/jail/a/b/up" "../../../../.."
  symlink "/jail/a/etc" "/etc"
  dir "/jail/etc"
  dir "/outside" { mode: 0777 }
  file "/outside/secret" "x" { mode: 0666 }
  dir "/jail/mnt"
  mount tmpfs "/jail/mnt"
`;

/** A world where `p` (uid 1000, no capabilities) has /jail as its root and cwd, as a jailer would leave it. */
function jailed(): Sys {
  const s = new Sys(world(JAIL_FS, 'process p { uid: 1000 }'));
  const jail = s.place('/jail');
  const pid = s.process('p').pid;
  s.state = foldEvents(s.state, [fsKernelEvents.rootChanged('test', pid, jail, 'test'), fsKernelEvents.cwdChanged('test', pid, jail, 'test')]);
  return s;
}

const component = fc.constantFrom('..', '.', 'a', 'b', 'abs', 'rel', 'up', 'etc', 'mnt', 'x', 'outside');
const pathArb = fc.tuple(fc.boolean(), fc.array(component, { minLength: 1, maxLength: 6 })).map(([absolute, parts]) => (absolute ? '/' : '') + parts.join('/'));
const opArb = fc.oneof(
  fc.record({ op: fc.constant('chdir' as const), path: pathArb }),
  fc.record({ op: fc.constant('open' as const), path: pathArb }),
  fc.record({ op: fc.constant('fchdir' as const), fd: fc.integer({ min: 3, max: 8 }) }),
  fc.record({ op: fc.constant('chroot' as const), path: pathArb }),
  fc.record({ op: fc.constant('symlink' as const), target: pathArb, path: pathArb }),
  fc.record({ op: fc.constant('mkdir' as const), path: pathArb }),
  fc.record({ op: fc.constant('rename' as const), path: pathArb, target: pathArb }),
  fc.record({ op: fc.constant('openat' as const), fd: fc.integer({ min: 3, max: 8 }), path: pathArb }),
);

describe('chroot confinement (fast-check)', () => {
  it('a jailed process without CAP_SYS_CHROOT never stands outside its root, whatever it does', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const s = jailed();
        const root = s.process('p').fs!.root;
        for (const step of ops) {
          const call =
            step.op === 'chdir' ? s.call('p', 'chdir', text(step.path))
            : step.op === 'open' ? s.call('p', 'openat', -100, text(step.path), 'O_RDONLY|O_DIRECTORY')
            : step.op === 'openat' ? s.call('p', 'openat', step.fd, text(step.path), 'O_RDONLY')
            : step.op === 'fchdir' ? s.call('p', 'fchdir', step.fd)
            : step.op === 'chroot' ? s.call('p', 'chroot', text(step.path))
            : step.op === 'mkdir' ? s.call('p', 'mkdir', text(step.path), 0o777)
            : step.op === 'rename' ? s.call('p', 'rename', text(step.path), text(step.target))
            : s.call('p', 'symlink', text(step.target), text(step.path));
          expect(call.violations).toEqual([]);
          if (step.op === 'chroot' && call.errno === null) throw new Error('chroot succeeded without CAP_SYS_CHROOT');
          const p = s.process('p');
          expect(p.fs!.root).toEqual(root);
          expect(isUnder(s.state.vfs, p.fs!.cwd, root)).toBe(true);
          for (const entry of p.fds) {
            const file = s.state.kernel.files.byId[entry.file]!;
            if (file.path !== null && s.state.vfs.inodes[file.path.ino]!.kind === 'dir') expect(isUnder(s.state.vfs, file.path, root)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('symbolic-link limit (fast-check)', () => {
  it('a chain of n links resolves when n ≤ 40 and is ELOOP beyond, whatever mix of absolute and relative links', () => {
    const base = world('dir "/srv" { mode: 0777 }\n  file "/srv/target" "t"', 'process p { uid: 1000 }');
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (absolute) => {
        const s = new Sys(base);
        absolute.forEach((isAbsolute, i) => {
          const next = i === 0 ? 'target' : `l${i - 1}`;
          expect(s.call('p', 'symlink', text(isAbsolute ? `/srv/${next}` : next), text(`/srv/l${i}`)).ret).toBe(0);
        });
        const result = s.call('p', 'stat', text(`/srv/l${absolute.length - 1}`));
        expect(result.errno).toBe(absolute.length <= 40 ? null : 'ELOOP');
      }),
      { numRuns: 60 },
    );
  });
});

function envelope(draft: { type: string; actor: string; data: unknown }): Envelope {
  return { seq: 1, tick: 0, type: draft.type, actor: draft.actor, data: draft.data, cause: null };
}

describe('the invariants can fail', () => {
  it('vfs.chroot-confinement flags a resolution that walked out of a confined process\'s root', () => {
    const s = jailed();
    const p = s.process('p');
    // A kernel whose ".." forgot the process root walks from the jail to the real "/".
    const buggy = { ...p, fs: { ...p.fs!, root: s.state.vfs.root! } };
    const walk = resolvePath(s.state, buggy, '../outside/secret', { follow: true });
    expect(walk.ok).toBe(true);
    const event = envelope(vfsEvents.pathResolved('p', { pid: p.pid, path: '../outside/secret', visited: walk.visited, result: walk.ok ? walk.ref : null, errno: null }));
    expect(vfsChrootConfinement.check(s.state, event, s.state)).toMatch(/p, confined to its root without CAP_SYS_CHROOT, resolved "..\/outside\/secret" through \/, outside that root$/);
    const honest = resolvePath(s.state, p, '../outside/secret', { follow: true });
    expect(honest).toMatchObject({ ok: false, errno: 'ENOENT' });
    const fine = envelope(vfsEvents.pathResolved('p', { pid: p.pid, path: '../outside/secret', visited: honest.visited, result: null, errno: 'ENOENT' }));
    expect(vfsChrootConfinement.check(s.state, fine, s.state)).toBeNull();
  });

  it('vfs.chroot-confinement does not cover a process that holds a way out or CAP_SYS_CHROOT', () => {
    const s = jailed();
    const p = s.process('p');
    const outside = envelope(vfsEvents.pathResolved('p', { pid: p.pid, path: '..', visited: [s.place('/outside')], result: null, errno: null }));
    expect(vfsChrootConfinement.check(s.state, outside, s.state)).not.toBeNull();
    s.state = foldEvents(s.state, [fsKernelEvents.cwdChanged('test', p.pid, s.place('/outside'), 'test')]);
    expect(vfsChrootConfinement.check(s.state, outside, s.state)).toBeNull();
  });

  it('vfs.dac flags an open the credentials do not permit, and not one the open created', () => {
    const s = new Sys(world('', 'process alice { uid: 1000 }'));
    const alice = s.process('alice');
    const shadow = s.place('/etc/shadow');
    const file = { id: 99, kind: 'file' as const, path: shadow, name: '/etc/shadow', flags: 0, offset: 0, refs: 1, channel: null, end: null };
    const leaked = envelope(fsKernelEvents.fdOpened('alice', { pid: alice.pid, fd: 3, cloexec: false, file, openFlags: 0, created: false }));
    expect(vfsDac.check(s.state, leaked, s.state)).toBe('alice (fsuid 1000, fsgid 1000) opened /etc/shadow (mode 0640, owner 0:42) for reading, which its credentials do not permit');
    const created = envelope(fsKernelEvents.fdOpened('alice', { pid: alice.pid, fd: 3, cloexec: false, file, openFlags: 0, created: true }));
    expect(vfsDac.check(s.state, created, s.state)).toBeNull();
    const pathOnly = envelope(fsKernelEvents.fdOpened('alice', { pid: alice.pid, fd: 3, cloexec: false, file, openFlags: 0o10000000, created: false }));
    expect(vfsDac.check(s.state, pathOnly, s.state)).toBeNull();
  });

  it('vfs.dac reports through a run when a scenario enables it and nothing breaks the rule', () => {
    const s = new Sys(world('', 'process alice { uid: 1000 }'));
    expect(s.call('alice', 'openat', -100, text('/etc/shadow'), 'O_RDONLY')).toMatchObject({ errno: 'EACCES', violations: [] });
    expect(s.call('alice', 'openat', -100, text('/etc/passwd'), 'O_RDONLY')).toMatchObject({ ret: 3, violations: [] });
  });
});
