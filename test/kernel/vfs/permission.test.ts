// Proves the DAC checks follow fs/namei.c generic_permission and capabilities(7): the one class that
// applies, the DAC capabilities and their limits, the owner and sticky rules, new inodes' owners, and
// what execve needs — by example and against an independent reference model (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialsFor, type Credentials } from '../../../engine/kernel/cred/state.js';
import { capabilityBit } from '../../../engine/kernel/syscall/constants.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mayAccess, mayExec, newInodeOwnership, stickyForbids } from '../../../engine/kernel/vfs/permission.js';
import { NO_MOUNT_FLAGS, type Inode, type Mount } from '../../../engine/kernel/vfs/state.js';
import { vfsEvents } from '../../../engine/kernel/vfs/events.js';
import { foldEvents } from '../../helpers/machine.js';
import { Sys, text, world } from './helpers.js';

function inode(kind: Inode['kind'], mode: number, uid: number, gid: number): Inode {
  return { ino: 99, kind, mode, uid, gid, nlink: 1, content: '', entries: [], target: '', fileCaps: null, driver: null };
}

function creds(uid: number, gid: number, options: { groups?: number[]; caps?: string[] } = {}): Credentials {
  const base = credentialsFor(uid, gid, options.groups ?? []);
  const mask = (options.caps ?? []).reduce((all, name) => all | capabilityBit(name), 0n);
  return options.caps === undefined ? base : { ...base, caps: { ...base.caps, permitted: mask, effective: mask } };
}

const MOUNT: Mount = { id: 1, root: 1, mountpoint: null, parent: null, flags: NO_MOUNT_FLAGS, source: 'x', fstype: 'ext4' };

describe('the class that applies (fs/namei.c acl_permission_check)', () => {
  it('uses only the owner bits for the owner, even when "other" would allow more', () => {
    expect(mayAccess(creds(1000, 1000), inode('file', 0o077, 1000, 1000), MAY_READ)).toBe(false);
    expect(mayAccess(creds(2000, 2000), inode('file', 0o077, 1000, 1000), MAY_READ)).toBe(true);
  });

  it('uses the group bits for the file\'s group, by fsgid or a supplementary group', () => {
    const file = inode('file', 0o640, 0, 42);
    expect(mayAccess(creds(1000, 42), file, MAY_READ)).toBe(true);
    expect(mayAccess(creds(1000, 1000, { groups: [42] }), file, MAY_READ)).toBe(true);
    expect(mayAccess(creds(1000, 1000), file, MAY_READ)).toBe(false);
  });

  it('decides by the filesystem uid, not the effective one (credentials(7))', () => {
    const file = inode('file', 0o600, 1000, 1000);
    const alice = creds(1000, 1000);
    expect(mayAccess({ ...alice, euid: 0 }, file, MAY_READ)).toBe(true);
    expect(mayAccess({ ...alice, fsuid: 2000 }, file, MAY_READ)).toBe(false);
  });
});

describe('the DAC capabilities (capabilities(7))', () => {
  it('CAP_DAC_OVERRIDE reads and writes anything, executes only what has an x bit, and searches any directory', () => {
    const root = creds(0, 0, { caps: ['CAP_DAC_OVERRIDE'] });
    expect(mayAccess(root, inode('file', 0o000, 1000, 1000), MAY_READ | MAY_WRITE)).toBe(true);
    expect(mayAccess(root, inode('file', 0o600, 1000, 1000), MAY_EXEC)).toBe(false);
    expect(mayAccess(root, inode('file', 0o001, 1000, 1000), MAY_EXEC)).toBe(true);
    expect(mayAccess(root, inode('dir', 0o000, 1000, 1000), MAY_EXEC | MAY_WRITE)).toBe(true);
  });

  it('CAP_DAC_READ_SEARCH reads files and reads and searches directories, but writes nothing', () => {
    const reader = creds(5, 5, { caps: ['CAP_DAC_READ_SEARCH'] });
    expect(mayAccess(reader, inode('file', 0o000, 1000, 1000), MAY_READ)).toBe(true);
    expect(mayAccess(reader, inode('file', 0o000, 1000, 1000), MAY_WRITE)).toBe(false);
    expect(mayAccess(reader, inode('file', 0o000, 1000, 1000), MAY_READ | MAY_EXEC)).toBe(false);
    expect(mayAccess(reader, inode('dir', 0o000, 1000, 1000), MAY_READ | MAY_EXEC)).toBe(true);
    expect(mayAccess(reader, inode('dir', 0o000, 1000, 1000), MAY_WRITE)).toBe(false);
  });

  it('root without them is held to the mode bits like anyone else', () => {
    expect(mayAccess(creds(0, 0, { caps: [] }), inode('file', 0o600, 1000, 1000), MAY_READ)).toBe(false);
  });
});

describe('owners, sticky directories and new inodes', () => {
  it('in a sticky directory only the file\'s owner, the directory\'s owner or CAP_FOWNER may remove (unlink(2) EPERM)', () => {
    const tmp = inode('dir', 0o1777, 0, 0);
    const bobs = inode('file', 0o644, 2000, 2000);
    expect(stickyForbids(creds(1000, 1000), tmp, bobs)).toBe(true);
    expect(stickyForbids(creds(2000, 2000), tmp, bobs)).toBe(false);
    expect(stickyForbids(creds(1000, 1000), { ...tmp, uid: 1000 }, bobs)).toBe(false);
    expect(stickyForbids(creds(1000, 1000, { caps: ['CAP_FOWNER'] }), tmp, bobs)).toBe(false);
    expect(stickyForbids(creds(1000, 1000), { ...tmp, mode: 0o777 }, bobs)).toBe(false);
  });

  it('a new inode is the fsuid\'s, of the fsgid — or of a set-group-ID directory\'s group, which new directories inherit', () => {
    expect(newInodeOwnership(creds(1000, 1000), inode('dir', 0o755, 0, 0), 'file', 0o666, 0o022)).toEqual({ uid: 1000, gid: 1000, mode: 0o644 });
    const shared = inode('dir', 0o2775, 0, 50);
    expect(newInodeOwnership(creds(1000, 1000), shared, 'dir', 0o777, 0o002)).toEqual({ uid: 1000, gid: 50, mode: 0o2775 });
    expect(newInodeOwnership(creds(1000, 1000), shared, 'file', 0o2755, 0)).toEqual({ uid: 1000, gid: 50, mode: 0o755 });
    expect(newInodeOwnership(creds(1000, 1000, { groups: [50] }), shared, 'file', 0o2755, 0)).toEqual({ uid: 1000, gid: 50, mode: 0o2755 });
  });

  it('execve needs a regular file with an x bit it may use, on a mount without noexec (EACCES)', () => {
    const alice = creds(1000, 1000);
    expect(mayExec(alice, inode('file', 0o755, 0, 0), MOUNT)).toBeNull();
    expect(mayExec(alice, inode('file', 0o744, 0, 0), MOUNT)).toBe('EACCES');
    expect(mayExec(alice, inode('dir', 0o755, 0, 0), MOUNT)).toBe('EACCES');
    expect(mayExec(alice, inode('file', 0o755, 0, 0), { ...MOUNT, flags: { ...NO_MOUNT_FLAGS, noexec: true } })).toBe('EACCES');
    expect(mayExec(creds(0, 0), inode('file', 0o644, 0, 0), MOUNT)).toBe('EACCES');
  });
});

// ------------------------------------------------------------------ the reference model

interface Who {
  readonly fsuid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
  readonly dacOverride: boolean;
  readonly dacReadSearch: boolean;
}

/**
 * capabilities(7) and path_resolution(7) in plain words: the owner, else group (fsgid or
 * a supplementary group), else other bits decide; CAP_DAC_OVERRIDE bypasses read and
 * write checks and execute checks when some x bit is set (any directory); CAP_DAC_READ_SEARCH
 * bypasses read checks on files and read and search checks on directories.
 */
function reference(who: Who, file: { kind: 'file' | 'dir'; mode: number; uid: number; gid: number }, want: { r: boolean; w: boolean; x: boolean }): boolean {
  const shift = who.fsuid === file.uid ? 6 : who.fsgid === file.gid || who.groups.includes(file.gid) ? 3 : 0;
  const bits = (file.mode >> shift) & 7;
  if ((!want.r || (bits & 4) !== 0) && (!want.w || (bits & 2) !== 0) && (!want.x || (bits & 1) !== 0)) return true;
  if (file.kind === 'dir') return who.dacOverride || (who.dacReadSearch && !want.w);
  if (who.dacReadSearch && !want.w && !want.x) return true;
  return who.dacOverride && (!want.x || (file.mode & 0o111) !== 0);
}

const ids = fc.constantFrom(0, 1000, 2000);
const whoArb = fc.record({
  fsuid: fc.constantFrom(0, 1000, 2000, 3000),
  fsgid: ids,
  groups: fc.subarray([0, 1000, 2000]),
  dacOverride: fc.boolean(),
  dacReadSearch: fc.boolean(),
});
const fileArb = fc.record({ kind: fc.constantFrom('file' as const, 'dir' as const), mode: fc.integer({ min: 0, max: 0o777 }), uid: ids, gid: ids });
const wantArb = fc.record({ r: fc.boolean(), w: fc.boolean(), x: fc.boolean() });

function credsOf(who: Who): Credentials {
  const base = credentialsFor(who.fsuid, who.fsgid, [...who.groups]);
  const mask = (who.dacOverride ? capabilityBit('CAP_DAC_OVERRIDE') : 0n) | (who.dacReadSearch ? capabilityBit('CAP_DAC_READ_SEARCH') : 0n);
  return { ...base, caps: { ...base.caps, permitted: mask, effective: mask } };
}

describe('against the reference model (fast-check)', () => {
  it('mayAccess agrees with capabilities(7) for every class, mode, capability and request', () => {
    fc.assert(
      fc.property(whoArb, fileArb, wantArb, (who, file, want) => {
        const mask = (want.r ? MAY_READ : 0) | (want.w ? MAY_WRITE : 0) | (want.x ? MAY_EXEC : 0);
        expect(mayAccess(credsOf(who), inode(file.kind, file.mode, file.uid, file.gid), mask)).toBe(reference(who, file, want));
      }),
      { numRuns: 2000 },
    );
  });

  const base = world(`dir "/srv" { mode: 0755 }\n  file "/srv/f" "data"\n  dir "/srv/d"`, 'process p { uid: 1000 }');

  it('an open succeeds exactly when the reference model allows the search of its directory and the access asked (open(2))', () => {
    const access = fc.constantFrom(
      { flags: 'O_RDONLY', want: { r: true, w: false, x: false } },
      { flags: 'O_WRONLY', want: { r: false, w: true, x: false } },
      { flags: 'O_RDWR', want: { r: true, w: true, x: false } },
      { flags: 'O_RDONLY|O_TRUNC', want: { r: true, w: true, x: false } },
    );
    fc.assert(
      fc.property(whoArb, fileArb, fc.integer({ min: 0, max: 0o777 }), ids, access, (who, file, dirMode, dirOwner, request) => {
        const s = new Sys(base);
        const srv = s.place('/srv').ino;
        const target = s.place(file.kind === 'dir' ? '/srv/d' : '/srv/f').ino;
        s.state = foldEvents(s.state, [
          vfsEvents.inodeChanged('test', srv, { mode: dirMode, uid: dirOwner, gid: dirOwner }, 'test'),
          vfsEvents.inodeChanged('test', target, { mode: file.mode, uid: file.uid, gid: file.gid }, 'test'),
        ]);
        s.setCreds('p', (data) => {
          const mask = (who.dacOverride ? capabilityBit('CAP_DAC_OVERRIDE') : 0n) | (who.dacReadSearch ? capabilityBit('CAP_DAC_READ_SEARCH') : 0n);
          return { ...data, fsuid: who.fsuid, fsgid: who.fsgid, groups: [...who.groups], caps: { ...data.caps, permitted: '0x' + mask.toString(16), effective: '0x' + mask.toString(16) } };
        });
        const path = file.kind === 'dir' ? '/srv/d' : '/srv/f';
        const result = s.call('p', 'openat', -100, text(path), request.flags);
        const searchable = reference(who, { kind: 'dir', mode: dirMode, uid: dirOwner, gid: dirOwner }, { r: false, w: false, x: true });
        expect(result.violations).toEqual([]);
        const expected = !searchable ? 'EACCES' : file.kind === 'dir' && request.want.w ? 'EISDIR' : reference(who, file, request.want) ? null : 'EACCES';
        expect(result.errno).toBe(expected);
      }),
      { numRuns: 600 },
    );
  });
});
