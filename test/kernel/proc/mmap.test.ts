// Proves mmap, munmap and mprotect with Linux's checks and results: top-down placement below mmap_base (TASK_SIZE less 128 MiB), free hints honoured, MAP_FIXED replacing what was there, mmap_min_addr needing CAP_SYS_RAWIO, the EINVAL/ENOMEM/EEXIST/EBADF/EACCES/ENODEV cases of mmap(2), MAP_SHARED anonymous memory staying shared across fork, private file mappings, munmap of holes, and mprotect's partial change before a hole — with a page shared copy-on-write staying read-only under mprotect.
import { describe, expect, it } from 'vitest';
import { mapCountOf } from '../../../engine/hw/memory/state.js';
import { Machine, dataOf, oneOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';
import { ascii, frameAt, n, readBytes, returnedOf, sys, violationsOf } from './support.js';

const PROT_NONE = 0;
const PROT_READ = 1;
const PROT_WRITE = 2;
const RW = PROT_READ | PROT_WRITE;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_HUGETLB = 0x40000;
const MAP_FIXED_NOREPLACE = 0x100000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const MMAP_BASE = 0x7ffff7fff000n;

function alice(uid = 1000): Machine {
  const machine = new Machine();
  machine.createProcess('alice', [], uid);
  return machine;
}

const mmap = (machine: Machine, addr: bigint, length: number | bigint, prot: number, flags: number, fd = -1, offset = 0) =>
  returnedOf(sys(machine, 'alice', 'mmap', [n(addr), n(length), n(prot), n(flags), n(fd), n(offset)]));
const address = (machine: Machine, ...args: Parameters<typeof mmap> extends [Machine, ...infer R] ? R : never) => BigInt(mmap(machine, ...args).ret);

describe('mmap placement', () => {
  it('places a mapping without a hint just below mmap_base, the next one below it', () => {
    const machine = alice();
    expect(address(machine, 0n, 4096, RW, ANON)).toBe(MMAP_BASE - 0x1000n);
    expect(address(machine, 0n, 0x3000, RW, ANON)).toBe(MMAP_BASE - 0x4000n);
    expect(mmap(machine, 0n, 4096, RW, ANON).detail).toEqual({ address: '0x7ffff7ffa000' });
  });

  it('honours a free hint, rounded down to a page; a taken hint falls back to top-down', () => {
    const machine = alice();
    expect(address(machine, 0x400123n, 4096, RW, ANON)).toBe(0x400000n);
    expect(address(machine, 0x400000n, 4096, RW, ANON)).toBe(MMAP_BASE - 0x1000n);
  });

  it('raises a hint below mmap_min_addr to it', () => {
    expect(address(alice(), 0x1000n, 4096, RW, ANON)).toBe(0x10000n);
  });

  it('MAP_FIXED replaces what was mapped: the old frames go, the new pages are zero', () => {
    const machine = alice();
    machine.map('alice', 0x400000n, { sizeBytes: 2 * 4096 });
    machine.write('alice', 0x401000n, ascii('old'));
    const old = frameAt(machine, 'alice', 0x401000n);
    const events = sys(machine, 'alice', 'mmap', [n(0x401000n), n(4096), n(RW), n(ANON | MAP_FIXED), n(-1), n(0)]);
    expect(returnedOf(events).ret).toBe(0x401000);
    expect(oneOf(events, 'memory.framesFreed')).toEqual({ frames: [old] });
    expect(frameAt(machine, 'alice', 0x401000n)).toBe(-1);
    expect(readBytes(machine, 'alice', 0x401000n, 3)).toBe('000000');
    expect(machine.process('alice').vmas.map((vma) => [vma.start, vma.sizeBytes])).toEqual([
      [0x400000n, 4096],
      [0x401000n, 4096],
    ]);
  });
});

describe('mmap errors', () => {
  it.each([
    ['a length of 0', () => [0n, 0, RW, ANON] as const, 'EINVAL'],
    ['an offset not on a page', () => [0n, 4096, RW, ANON, -1, 12] as const, 'EINVAL'],
    ['neither MAP_PRIVATE nor MAP_SHARED', () => [0n, 4096, RW, MAP_ANONYMOUS] as const, 'EINVAL'],
    ['MAP_SHARED_VALIDATE on anonymous memory', () => [0n, 4096, RW, 0x03 | MAP_ANONYMOUS] as const, 'EINVAL'],
    ['MAP_FIXED at an address not on a page', () => [0x400010n, 4096, RW, ANON | MAP_FIXED] as const, 'EINVAL'],
    ['MAP_FIXED reaching past TASK_SIZE', () => [0x7ffffffff000n, 4096, RW, ANON | MAP_FIXED] as const, 'ENOMEM'],
    ['a length larger than the address space', () => [0n, 1n << 48n, RW, ANON] as const, 'ENOMEM'],
    ['MAP_FIXED below mmap_min_addr without CAP_SYS_RAWIO', () => [0x1000n, 4096, RW, ANON | MAP_FIXED] as const, 'EPERM'],
    ['a file mapping of a descriptor that is not open', () => [0n, 4096, PROT_READ, MAP_PRIVATE, 9] as const, 'EBADF'],
    ['a mapping of the console', () => [0n, 4096, PROT_READ, MAP_PRIVATE, 1] as const, 'ENODEV'],
    ['huge pages, none reserved', () => [0n, 4096, RW, ANON | MAP_HUGETLB] as const, 'ENOMEM'],
  ] as const)('%s is %s', (_what, args, errno) => {
    const machine = alice();
    const [addr, length, prot, flags, fd, offset] = args();
    expect(mmap(machine, addr, length, prot, flags, fd ?? -1, offset ?? 0)).toMatchObject({ errno });
    expect(machine.process('alice').vmas).toEqual([]);
  });

  it('MAP_FIXED_NOREPLACE over a mapping is EEXIST and leaves it', () => {
    const machine = alice();
    machine.map('alice', 0x400000n);
    expect(mmap(machine, 0x400000n, 4096, RW, ANON | MAP_FIXED_NOREPLACE)).toMatchObject({ errno: 'EEXIST' });
    expect(machine.process('alice').vmas).toHaveLength(1);
  });

  it('root (CAP_SYS_RAWIO) may map below mmap_min_addr', () => {
    expect(mmap(alice(0), 0x1000n, 4096, RW, ANON | MAP_FIXED)).toMatchObject({ ret: 0x1000, errno: null });
  });
});

describe('shared and file mappings', () => {
  it('MAP_SHARED|MAP_ANONYMOUS is one region: a fork shares it, writes are seen both ways', () => {
    const machine = alice();
    const va = address(machine, 0n, 4096, RW, MAP_SHARED | MAP_ANONYMOUS);
    expect(machine.process('alice').vmas[0]!.region).toMatch(/^shm:alice@/);
    sys(machine, 'alice', 'fork', [], 'child');
    machine.write('child', va, ascii('shared'));
    expect(readBytes(machine, 'alice', va, 6)).toBe(ascii('shared'));
    expect(frameAt(machine, 'child', va)).toBe(frameAt(machine, 'alice', va));
    expect(violationsOf(machine)).toEqual([]);
  });

  it('maps a copy of a file\'s bytes privately, and refuses what the descriptor does not allow', () => {
    const result = runText(`scenario "file"
fs {
  dir "/srv" { mode: 0755 }
  file "/srv/notes" "hello, mapped world" { mode: 0644, owner: 1000 }
}
process alice { uid: 1000 }
alice: syscall openat(AT_FDCWD, "/srv/notes", O_RDONLY) expect returns 3
alice: syscall mmap(0x500000, 4096, PROT_READ, MAP_PRIVATE, 3, 0) expect returns 0x500000
alice: read 0x500000 size 19 expect value "hello, mapped world"
alice: syscall mmap(0x600000, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) expect errno EACCES
alice: syscall openat(AT_FDCWD, "/srv/notes", O_WRONLY) expect returns 4
alice: syscall mmap(0x600000, 4096, PROT_READ, MAP_PRIVATE, 4, 0) expect errno EACCES
`);
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('from a scenario', () => {
  it('maps anonymous memory that fills on first touch, and unmaps it', () => {
    const result = runText(`scenario "anon"
invariant all
process alice { uid: 1000 }
alice: syscall mmap(0x500000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) expect returns 0x500000
alice: read 0x501000 size 4 expect value 0x0, no signal
alice: write 0x500000 = "page one"
alice: read 0x500000 size 8 expect value "page one"
alice: syscall mprotect(0x500000, 4096, PROT_READ) expect returns 0
alice: syscall munmap(0x500000, 8192) expect returns 0
alice: syscall munmap(0x500000, 8192) expect returns 0
alice: syscall mprotect(0x500000, 4096, PROT_READ) expect errno ENOMEM
assert no violations
`);
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('munmap', () => {
  it.each([
    ['an address not on a page', 0x400010n, 4096n, 'EINVAL'],
    ['a length of 0', 0x400000n, 0n, 'EINVAL'],
    ['a range past TASK_SIZE', 0x7ffffffff000n, 0x2000n, 'EINVAL'],
  ] as const)('%s is %s', (_what, addr, length, errno) => {
    expect(returnedOf(sys(alice(), 'alice', 'munmap', [n(addr), n(length)])).errno).toBe(errno);
  });

  it('unmapping nothing succeeds; unmapping part of a mapping splits it and frees its frame', () => {
    const machine = alice();
    expect(returnedOf(sys(machine, 'alice', 'munmap', [n(0x900000n), n(4096)]))).toMatchObject({ ret: 0, errno: null });
    machine.map('alice', 0x400000n, { sizeBytes: 3 * 4096 });
    const middle = frameAt(machine, 'alice', 0x401000n);
    const events = sys(machine, 'alice', 'munmap', [n(0x401000n), n(1)]);
    expect(oneOf(events, 'memory.framesFreed')).toEqual({ frames: [middle] });
    expect(machine.process('alice').vmas.map((vma) => vma.start)).toEqual([0x400000n, 0x402000n]);
    expect(oneOf(machine.read('alice', 0x401000n), 'kernel.signalDelivered')).toMatchObject({ code: 'SEGV_MAPERR' });
  });

  it('unmapping a page shared copy-on-write only drops this address space\'s mapping', () => {
    const machine = alice();
    machine.map('alice', 0x400000n);
    machine.write('alice', 0x400000n, ascii('keep'));
    sys(machine, 'alice', 'fork', [], 'child');
    const frame = frameAt(machine, 'alice', 0x400000n);
    const events = sys(machine, 'alice', 'munmap', [n(0x400000n), n(4096)]);
    expect(oneOf(events, 'memory.framesUnshared')).toEqual({ frames: [frame] });
    expect(typesOf(events)).not.toContain('memory.framesFreed');
    expect(readBytes(machine, 'child', 0x400000n, 4)).toBe(ascii('keep'));
  });
});

describe('mprotect', () => {
  it.each([
    ['an address not on a page', 0x400010n, 4096, PROT_READ, 'EINVAL'],
    ['unknown protection bits', 0x400000n, 4096, 0x10, 'EINVAL'],
    ['PROT_GROWSDOWN and PROT_GROWSUP together', 0x400000n, 4096, 0x03000000, 'EINVAL'],
    ['an unmapped start', 0x900000n, 4096, PROT_READ, 'ENOMEM'],
    ['PROT_GROWSUP on a mapping that does not grow', 0x400000n, 4096, 0x02000000 | PROT_READ, 'EINVAL'],
  ] as const)('%s is %s', (_what, addr, length, prot, errno) => {
    const machine = alice();
    machine.map('alice', 0x400000n);
    expect(returnedOf(sys(machine, 'alice', 'mprotect', [n(addr), n(length), n(prot)])).errno).toBe(errno);
  });

  it('a length of 0 changes nothing and succeeds', () => {
    expect(returnedOf(sys(alice(), 'alice', 'mprotect', [n(0x900000n), n(0), n(PROT_READ)]))).toMatchObject({ ret: 0, errno: null });
  });

  it('changes the pages before a hole, then says ENOMEM (do_mprotect_pkey)', () => {
    const machine = alice();
    machine.map('alice', 0x400000n, { sizeBytes: 2 * 4096 });
    machine.map('alice', 0x403000n);
    expect(returnedOf(sys(machine, 'alice', 'mprotect', [n(0x400000n), n(4 * 4096), n(PROT_READ)])).errno).toBe('ENOMEM');
    expect(machine.process('alice').vmas.map((vma) => vma.write)).toEqual([false, true]);
    expect(oneOf(machine.write('alice', 0x401000n, '41'), 'kernel.signalDelivered')).toMatchObject({ code: 'SEGV_ACCERR' });
  });

  it('PROT_NONE makes every access fault with SEGV_ACCERR', () => {
    const machine = alice();
    machine.map('alice', 0x400000n);
    sys(machine, 'alice', 'mprotect', [n(0x400000n), n(4096), n(PROT_NONE)]);
    expect(oneOf(machine.read('alice', 0x400000n), 'kernel.signalDelivered')).toMatchObject({ code: 'SEGV_ACCERR' });
  });

  it('keeps a page shared copy-on-write read-only: a write after mprotect(RW) still copies', () => {
    const machine = alice();
    machine.map('alice', 0x400000n, { write: false });
    sys(machine, 'alice', 'fork', [], 'child');
    const frame = frameAt(machine, 'alice', 0x400000n);
    sys(machine, 'alice', 'mprotect', [n(0x400000n), n(4096), n(RW)]);
    const events = machine.write('alice', 0x400000n, ascii('mine'));
    expect(oneOf(events, 'kernel.cowCopied')).toMatchObject({ oldFrame: frame });
    expect(mapCountOf(machine.state.memory, frame)).toBe(1);
    expect(readBytes(machine, 'child', 0x400000n, 4)).toBe('00000000');
    expect(violationsOf(machine)).toEqual([]);
  });

  it('gives pages not touched yet the new rights when they come in', () => {
    const machine = alice();
    const va = address(machine, 0n, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
    sys(machine, 'alice', 'mprotect', [n(va), n(4096), n(RW)]);
    machine.write('alice', va, ascii('ok'));
    expect(readBytes(machine, 'alice', va, 2)).toBe(ascii('ok'));
    expect(dataOf(machine.events, 'kernel.signalDelivered')).toEqual([]);
  });
});
