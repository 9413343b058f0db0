// Proves that translate walks each geometry as SDM Vol. 3A §4.3/§4.5 describe (and OSTEP's homework computes), faults with the exact §4.7 error codes, and reports the §4.8 accessed/dirty updates.
import { describe, expect, it } from 'vitest';
import {
  FIVE_LEVEL,
  FOUR_LEVEL,
  OSTEP_15,
  PF_I,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  TWO_LEVEL,
  encodeEntry,
  splitVirtual,
  translate,
  type AccessKind,
  type EntryFields,
  type PagingControl,
  type PagingGeometry,
  type WalkResult,
} from '../../../engine/hw/mmu/index.js';
import { FakeMemory, controlWith, type Halves } from './fakeMemory.js';

type Fields = Partial<EntryFields> & { frameAddress: number };

/** Index of the level whose index field starts at `lowBit`, computed with bigint. */
function indexAt(va: bigint, lowBit: number, bits: number): number {
  return Number((va >> BigInt(lowBit)) & ((1n << BigInt(bits)) - 1n));
}

function walk(
  geometry: PagingGeometry,
  memory: FakeMemory,
  va: bigint,
  kind: AccessKind = 'read',
  control: Partial<PagingControl> = {},
  implicitSupervisor = false,
): WalkResult {
  const { high, low } = splitVirtual(va);
  return translate(geometry, controlWith(control), { kind, vaHigh: high, vaLow: low, implicitSupervisor }, memory.read);
}

const TABLE = { present: true, writable: true, user: true } as const;
const x64 = (fields: Fields): Halves => encodeEntry('x86-64', fields);

// The example address of the brief: PML4 201, PDPT 140, PD 344, PT 350, offset 0x660.
const VA = 0x000064a32b15e660n;
const PML4E = 0x1000 + 201 * 8;
const PDPTE = 0x2000 + 140 * 8;
const PDE = 0x3000 + 344 * 8;
const PTE = 0x4000 + 350 * 8;

/** A 4 KiB mapping of VA to frame 0x12345000 through tables at 0x1000..0x4000. */
function fourLevelMemory(leaf: Partial<EntryFields> = {}): FakeMemory {
  return new FakeMemory()
    .write(PML4E, x64({ ...TABLE, frameAddress: 0x2000 }))
    .write(PDPTE, x64({ ...TABLE, frameAddress: 0x3000 }))
    .write(PDE, x64({ ...TABLE, frameAddress: 0x4000 }))
    .write(PTE, x64({ ...TABLE, frameAddress: 0x12345000, ...leaf }));
}

function translated(result: WalkResult): Extract<WalkResult, { kind: 'translated' }> {
  if (result.kind !== 'translated') throw new Error(`expected a translation, got a fault: ${result.reason}`);
  return result;
}

function fault(result: WalkResult): Extract<WalkResult, { kind: 'fault' }> {
  if (result.kind !== 'fault') throw new Error('expected a fault, got a translation');
  return result;
}

describe('4-level paging (SDM §4.5)', () => {
  it('translates a 4 KiB page and records one step per level', () => {
    const result = translated(walk(FOUR_LEVEL, fourLevelMemory(), VA, 'read', { cpl: 3 }));
    expect(result.physicalAddress).toBe(0x12345660);
    expect(result.frameBase).toBe(0x12345000);
    expect(result.pageShift).toBe(12);
    expect(result.leafEntryAddress).toBe(PTE);
    expect(result.steps.map((s) => [s.levelName, s.tableAddress, s.index, s.entryAddress])).toEqual([
      ['PML4', 0x1000, 201, 0x1648],
      ['PDPT', 0x2000, 140, 0x2460],
      ['PD', 0x3000, 344, 0x3ac0],
      ['PT', 0x4000, 350, 0x4af0],
    ]);
    expect(result.steps[3]!.entry).toBe('0x12345007');
    expect(result.steps[3]!.flags).toEqual(['P', 'RW', 'US']);
    expect(result.rights).toEqual({ writable: true, user: true, executable: true, global: false, pkey: 0 });
  });

  it('maps a 2 MiB page from a PDE with PS=1, ignoring its PAT bit 12', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ ...TABLE, largePage: true, frameAddress: 0x40600000 + 0x1000 }));
    const result = translated(walk(FOUR_LEVEL, memory, VA));
    expect(result.pageShift).toBe(21);
    expect(result.frameBase).toBe(0x40600000);
    expect(result.physicalAddress).toBe(0x40600000 + Number(VA & 0x1fffffn));
    expect(result.steps).toHaveLength(3);
    expect(result.steps[2]!.flags).toEqual(['P', 'RW', 'US', 'PS', 'PAT']);
  });

  it('maps a 1 GiB page above 4 GiB from a PDPTE with PS=1', () => {
    const memory = fourLevelMemory();
    memory.write(PDPTE, x64({ ...TABLE, largePage: true, frameAddress: 0x3_4000_0000 }));
    const result = translated(walk(FOUR_LEVEL, memory, VA));
    expect(result.pageShift).toBe(30);
    expect(result.frameBase).toBe(0x3_4000_0000);
    expect(result.physicalAddress).toBe(0x3_4000_0000 + Number(VA & 0x3fffffffn));
    expect(result.steps).toHaveLength(2);
  });

  it('translates a 4 KiB frame above 4 GiB exactly', () => {
    const memory = fourLevelMemory({ frameAddress: 0xf_ffff_f000 });
    expect(translated(walk(FOUR_LEVEL, memory, VA, 'read', { maxPhyAddr: 52 })).physicalAddress).toBe(0xf_ffff_f660);
  });

  it('combines rights: R/W and U/S are ANDed, XD ORed, G and PK come from the leaf (§4.6, §4.10.2.2)', () => {
    const memory = fourLevelMemory({ global: true, protectionKey: 7 });
    memory.write(PDPTE, x64({ present: true, writable: false, user: true, executeDisable: true, frameAddress: 0x3000 }));
    const result = translated(walk(FOUR_LEVEL, memory, VA, 'read', { cr4Pke: true }));
    expect(result.rights).toEqual({ writable: false, user: true, executable: false, global: true, pkey: 7 });
  });

  it('refuses a write when one upper entry is read-only, with the same verdict as checkRights', () => {
    const memory = fourLevelMemory();
    memory.write(PML4E, x64({ present: true, user: true, frameAddress: 0x2000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'write', { cpl: 3 }));
    expect(result.errorCode).toBe(PF_P | PF_W | PF_U);
    expect(result.reason).toBe('user-mode write to a read-only page');
    expect(result.steps).toHaveLength(4);
  });

  it('refuses a user read when one upper entry is supervisor-only', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ present: true, writable: true, frameAddress: 0x4000 }));
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'read', { cpl: 3 })).errorCode).toBe(PF_P | PF_U);
  });

  it('refuses a fetch when XD is set at any level with NXE=1', () => {
    const memory = fourLevelMemory();
    memory.write(PML4E, x64({ ...TABLE, executeDisable: true, frameAddress: 0x2000 }));
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'fetch', { cpl: 3 })).errorCode).toBe(PF_P | PF_U | PF_I);
  });

  it('ignores the upper address bits: translation uses bits 47:0 only', () => {
    const result = translated(walk(FOUR_LEVEL, fourLevelMemory(), VA | 0xffff_0000_0000_0000n));
    expect(result.physicalAddress).toBe(0x12345660);
  });
});

describe('5-level paging (SDM §4.5, CR4.LA57=1)', () => {
  const va = 0xffd1_2345_6789_a123n;
  const lows = [48, 39, 30, 21, 12];
  const tables = [0x10000, 0x11000, 0x12000, 0x13000, 0x14000];

  function fiveLevelMemory(): FakeMemory {
    const memory = new FakeMemory();
    lows.forEach((lowBit, level) => {
      const next = level < 4 ? tables[level + 1]! : 0x7_0000_0000;
      memory.write(tables[level]! + indexAt(va, lowBit, 9) * 8, x64({ ...TABLE, frameAddress: next }));
    });
    return memory;
  }

  it('walks PML5, PML4, PDPT, PD and PT', () => {
    const result = translated(walk(FIVE_LEVEL, fiveLevelMemory(), va, 'read', { rootAddress: 0x10000 }));
    expect(result.steps.map((s) => s.levelName)).toEqual(['PML5', 'PML4', 'PDPT', 'PD', 'PT']);
    expect(result.steps.map((s) => s.index)).toEqual(lows.map((lowBit) => indexAt(va, lowBit, 9)));
    expect(result.steps[0]!.index).toBe(0x1d1);
    expect(result.physicalAddress).toBe(0x7_0000_0123);
  });

  it('treats PS in a PML5E as reserved', () => {
    const memory = fiveLevelMemory();
    const pml5e = 0x10000 + indexAt(va, 48, 9) * 8;
    memory.write(pml5e, x64({ ...TABLE, largePage: true, frameAddress: 0x11000 }));
    const result = fault(walk(FIVE_LEVEL, memory, va, 'read', { rootAddress: 0x10000 }));
    expect(result.errorCode).toBe(PF_P | PF_RSVD);
    expect(result.reason).toBe('PML5E sets reserved bits: PS (bit 7) at a level without large pages');
  });
});

describe('32-bit paging (SDM §4.3)', () => {
  const va = 0xc0123abcn;
  const pde = 0x1000 + (0xc0123abc >>> 22) * 4;
  const pte = 0x5000 + ((0xc0123abc >>> 12) & 0x3ff) * 4;
  const x32 = (fields: Fields): Halves => encodeEntry('x86-32', fields);

  it('walks a page directory and a page table to a 4 KiB page', () => {
    const memory = new FakeMemory().write(pde, x32({ ...TABLE, frameAddress: 0x5000 })).write(pte, x32({ ...TABLE, frameAddress: 0xabcde000 }));
    const result = translated(walk(TWO_LEVEL, memory, va));
    expect(result.physicalAddress).toBe(0xabcdeabc);
    expect(result.steps.map((s) => [s.levelName, s.entryAddress])).toEqual([
      ['PD', pde],
      ['PT', pte],
    ]);
  });

  it('ignores PS in a PDE when CR4.PSE=0 and uses the entry as a page-table pointer', () => {
    // P, RW, US and PS over a page-table address: the 4 KiB layout of Table 4-5, with bit 7 set.
    const memory = new FakeMemory().write(pde, { high: 0, low: 0x5000 | 0x87 }).write(pte, x32({ ...TABLE, frameAddress: 0xabcde000 }));
    const result = translated(walk(TWO_LEVEL, memory, va, 'read', { cr4Pse: false }));
    expect(result.pageShift).toBe(12);
    expect(result.physicalAddress).toBe(0xabcdeabc);
  });

  it('maps a 4 MiB page when CR4.PSE=1, with physical bits 39:32 from PDE bits 20:13 (PSE-36)', () => {
    const memory = new FakeMemory().write(pde, x32({ ...TABLE, largePage: true, frameAddress: 0x12_3400_0000 }));
    const result = translated(walk(TWO_LEVEL, memory, va, 'read', { cr4Pse: true, maxPhyAddr: 40 }));
    expect(result.pageShift).toBe(22);
    expect(result.frameBase).toBe(0x12_3400_0000);
    expect(result.physicalAddress).toBe(0x12_3400_0000 + (0xc0123abc & 0x3fffff));
    expect(result.steps).toHaveLength(1);
  });

  it('faults on PDE bits 21:(M-19) of a 4 MiB page: bit 36 is reserved with MAXPHYADDR=36', () => {
    const memory = new FakeMemory().write(pde, x32({ ...TABLE, largePage: true, frameAddress: 0x12_3400_0000 }));
    const result = fault(walk(TWO_LEVEL, memory, va, 'write', { cr4Pse: true, maxPhyAddr: 36, cpl: 3 }));
    expect(result.errorCode).toBe(PF_P | PF_W | PF_U | PF_RSVD);
    expect(result.reason).toBe('PDE sets reserved bits: bits 21:17 of a 4 MiB PDE (PSE-36 with MAXPHYADDR=36)');
  });

  it('has no XD: a fetch is allowed and the error code of a missing page has no I/D bit', () => {
    const memory = new FakeMemory();
    const result = fault(walk(TWO_LEVEL, memory, va, 'fetch', { cpl: 3, efer_nxe: true }));
    expect(result.errorCode).toBe(PF_U);
    expect(result.reason).toBe('PDE not present');
  });
});

describe('the OSTEP geometry: paging-multilevel-translate.py -s 0', () => {
  // Pages of the memory dump printed with seed 0 (PDBR 108), as the homework prints them
  // and as several published solutions reproduce them; page 53 holds the data at 0x6bc.
  const PAGES: Record<number, string> = {
    108: '83fee0da7fd47febbe9ed5ade4ac90d692d8c1f89fe1ede9a1e8c7c2a9d1dbff',
    33: '7f7f7f7f7f7f7f7fb57f9d7f7f7f7f7f7f7f7f7f7f7f7f7f7f7ff6b17f7f7f7f',
    53: '0f0c18090e121c0f081713071c1e191b09161b150e030d121c1d0e1a08181100',
    84: '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f947f7f7f7f7fce',
    86: '7f7f7f7f7f7f7fc57f7f7f7f7f7f7f7f7f7f7f7fca7f7fee7f7f7f7f7f7f7f7f',
    127: '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7fdf7f7f7f7f7f7f7f7f7f7f7f7f957f7f',
    30: '7f7f7f7f7f847f7f7f7f977fbd7f7ff47f7f7f7f7f7f7f7f7f7f7f7f7f7f9c7f',
  };
  const memory = new FakeMemory();
  for (const [page, bytes] of Object.entries(PAGES)) memory.writeBytes(Number(page) * 32, bytes);
  const control = { rootAddress: 108 * 32 };

  it('uses complete 32-byte pages', () => {
    for (const bytes of Object.values(PAGES)) expect(bytes).toMatch(/^[0-9a-f]{64}$/);
  });

  it('translates 0x611c to 0x6bc through PDE 0xa1 and PTE 0xb5, where the value is 0x08', () => {
    const result = translated(walk(OSTEP_15, memory, 0x611cn, 'read', control));
    expect(result.physicalAddress).toBe(0x6bc);
    expect(result.steps.map((s) => [s.index, s.entry, s.flags])).toEqual([
      [24, '0xa1', ['V']],
      [8, '0xb5', ['V']],
    ]);
    expect(result.steps[1]!.tableAddress).toBe(33 * 32);
    expect(memory.entries.get(0x6bc)!.low).toBe(0x08);
    expect(result.updates).toEqual([]);
  });

  it.each([
    [0x17f5n, 0x9d5],
    [0x2592n, 0x7b2],
    [0x3e99n, 0x959],
  ])('translates %s as the solver does', (va, physical) => {
    expect(translated(walk(OSTEP_15, memory, va, 'read', control)).physicalAddress).toBe(physical);
  });

  it.each([0x3da8n, 0x7f6cn])('faults on %s: the page-table entry is 0x7f, not valid', (va) => {
    const result = fault(walk(OSTEP_15, memory, va, 'read', control));
    expect(result.reason).toBe('PTE not valid');
    expect(result.steps[1]!.entry).toBe('0x7f');
  });

  it('faults on a page-directory entry that is not valid (PD index 4 holds 0x7f)', () => {
    const result = fault(walk(OSTEP_15, memory, 0x1000n, 'read', control));
    expect(result.reason).toBe('PDE not valid');
    expect(result.steps).toHaveLength(1);
  });

  it('grants every access: OSTEP entries carry no protection bits', () => {
    const user = { ...control, cpl: 3, cr4Smap: true, cr4Smep: true };
    expect(walk(OSTEP_15, memory, 0x611cn, 'write', user).kind).toBe('translated');
    expect(walk(OSTEP_15, memory, 0x611cn, 'fetch', { ...user, cpl: 0 }).kind).toBe('translated');
  });
});

describe('not-present entries at each level (§4.7: P=0)', () => {
  const entries = [PML4E, PDPTE, PDE, PTE];
  const names = ['PML4E', 'PDPTE', 'PDE', 'PTE'];
  it.each([0, 1, 2, 3])('stops at level %i with P=0 in the error code', (level) => {
    const memory = fourLevelMemory();
    memory.write(entries[level]!, { high: 0xffffffff, low: 0xfffffffe });
    const read = fault(walk(FOUR_LEVEL, memory, VA, 'read', { cpl: 3 }));
    expect(read.errorCode).toBe(PF_U);
    expect(read.reason).toBe(`${names[level]} not present`);
    expect(read.steps).toHaveLength(level + 1);
    expect(read.steps[level]!.flags).toEqual([]);
    expect(read.updates).toEqual([]);
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'write', { cpl: 0 })).errorCode).toBe(PF_W);
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'fetch', { cpl: 3 })).errorCode).toBe(PF_U | PF_I);
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'read', { cpl: 3 }, true)).errorCode).toBe(0);
  });
});

describe('reserved bits (§4.5: no translation, RSVD=1 and P=1)', () => {
  it('faults on bits 51:MAXPHYADDR in a PTE', () => {
    const memory = fourLevelMemory({ frameAddress: 2 ** 45 });
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'read', { maxPhyAddr: 40, cpl: 3 }));
    expect(result.errorCode).toBe(PF_P | PF_RSVD | PF_U);
    expect(result.reason).toBe('PTE sets reserved bits: bits 51:40 (above MAXPHYADDR)');
  });

  it('faults on bits 51:MAXPHYADDR in a PML4E, before reading further', () => {
    const memory = fourLevelMemory();
    memory.write(PML4E, x64({ ...TABLE, frameAddress: 2 ** 47 + 0x2000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'write', { maxPhyAddr: 46 }));
    expect(result.errorCode).toBe(PF_P | PF_W | PF_RSVD);
    expect(result.steps).toHaveLength(1);
    expect(memory.reads).toHaveLength(1);
  });

  it('accepts the same entry when MAXPHYADDR is 52', () => {
    const memory = fourLevelMemory({ frameAddress: 2 ** 45 });
    expect(translated(walk(FOUR_LEVEL, memory, VA, 'read', { maxPhyAddr: 52 })).physicalAddress).toBe(2 ** 45 + 0x660);
  });

  it('faults on XD when IA32_EFER.NXE=0', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ ...TABLE, executeDisable: true, frameAddress: 0x4000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'read', { efer_nxe: false }));
    expect(result.errorCode).toBe(PF_P | PF_RSVD);
    expect(result.reason).toBe('PDE sets reserved bits: XD (bit 63) while IA32_EFER.NXE=0');
  });

  it('faults on PS in a PML4E', () => {
    const memory = fourLevelMemory();
    memory.write(PML4E, x64({ ...TABLE, largePage: true, frameAddress: 0x2000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'read', { cpl: 3 }));
    expect(result.errorCode).toBe(PF_P | PF_RSVD | PF_U);
    expect(result.reason).toBe('PML4E sets reserved bits: PS (bit 7) at a level without large pages');
  });

  it('faults on bits 20:13 of a 2 MiB PDE', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ ...TABLE, largePage: true, frameAddress: 0x40600000 + 0x2000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'fetch', {}));
    expect(result.errorCode).toBe(PF_P | PF_RSVD | PF_I);
    expect(result.reason).toBe('PDE sets reserved bits: bits 20:13 of a 2 MiB page entry');
  });

  it('faults on bits 29:13 of a 1 GiB PDPTE', () => {
    const memory = fourLevelMemory();
    memory.write(PDPTE, x64({ ...TABLE, largePage: true, frameAddress: 0x4000_0000 + 0x20_0000 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA));
    expect(result.errorCode).toBe(PF_P | PF_RSVD);
    expect(result.reason).toBe('PDPTE sets reserved bits: bits 29:13 of a 1 GiB page entry');
  });

  it('lists every reserved rule an entry breaks', () => {
    const memory = fourLevelMemory();
    memory.write(PML4E, x64({ ...TABLE, largePage: true, executeDisable: true, frameAddress: 2 ** 50 }));
    const result = fault(walk(FOUR_LEVEL, memory, VA, 'read', { efer_nxe: false, maxPhyAddr: 48 }));
    expect(result.reason).toBe(
      'PML4E sets reserved bits: bits 51:48 (above MAXPHYADDR); XD (bit 63) while IA32_EFER.NXE=0; PS (bit 7) at a level without large pages',
    );
  });

  it('ignores reserved bits in a not-present entry', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, { high: 0x800fffff, low: 0xffffff80 });
    expect(fault(walk(FOUR_LEVEL, memory, VA, 'read', { efer_nxe: false })).errorCode).toBe(0);
  });
});

describe('accessed and dirty flags (§4.8)', () => {
  it('sets A in every entry of a read, and reports each update with its before and after', () => {
    const memory = fourLevelMemory();
    const result = translated(walk(FOUR_LEVEL, memory, VA));
    expect(result.updates.map((u) => [u.entryAddress, u.setAccessed, u.setDirty])).toEqual([
      [PML4E, true, false],
      [PDPTE, true, false],
      [PDE, true, false],
      [PTE, true, false],
    ]);
    for (const update of result.updates) {
      expect(BigInt(update.after)).toBe(BigInt(update.before) | 0x20n);
      expect(update.entryBytes).toBe(8);
    }
    expect(result.dirty).toBe(false);
  });

  it('also sets D in the PTE of a write', () => {
    const result = translated(walk(FOUR_LEVEL, fourLevelMemory(), VA, 'write'));
    const leaf = result.updates[3]!;
    expect([leaf.entryAddress, leaf.setAccessed, leaf.setDirty]).toEqual([PTE, true, true]);
    expect(BigInt(leaf.after)).toBe(BigInt(leaf.before) | 0x60n);
    expect(result.dirty).toBe(true);
  });

  it('reports nothing once the flags are set', () => {
    const memory = fourLevelMemory();
    memory.apply(translated(walk(FOUR_LEVEL, memory, VA, 'write')).updates);
    const again = translated(walk(FOUR_LEVEL, memory, VA, 'write'));
    expect(again.updates).toEqual([]);
    expect(again.dirty).toBe(true);
    expect(again.steps[3]!.flags).toEqual(['P', 'RW', 'US', 'A', 'D']);
  });

  it('reports a page that is already dirty on a read, without writing D', () => {
    const result = translated(walk(FOUR_LEVEL, fourLevelMemory({ accessed: true, dirty: true }), VA, 'read'));
    expect(result.dirty).toBe(true);
    expect(result.updates.map((u) => u.entryAddress)).toEqual([PML4E, PDPTE, PDE]);
  });

  it('sets D in the PDE that maps a 2 MiB page', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ ...TABLE, largePage: true, accessed: true, frameAddress: 0x40600000 }));
    const result = translated(walk(FOUR_LEVEL, memory, VA, 'write'));
    expect(result.leafEntryAddress).toBe(PDE);
    expect(result.updates.at(-1)).toMatchObject({ entryAddress: PDE, setAccessed: false, setDirty: true });
  });

  it('sets A but never D when the translation exists and the access violates its rights', () => {
    const result = fault(walk(FOUR_LEVEL, fourLevelMemory({ writable: false }), VA, 'write', { cpl: 3 }));
    expect(result.errorCode).toBe(PF_P | PF_W | PF_U);
    expect(result.updates.map((u) => [u.entryAddress, u.setAccessed, u.setDirty])).toEqual([
      [PML4E, true, false],
      [PDPTE, true, false],
      [PDE, true, false],
      [PTE, true, false],
    ]);
  });

  it('sets nothing on a reserved-bit fault', () => {
    const memory = fourLevelMemory();
    memory.write(PDE, x64({ ...TABLE, largePage: true, frameAddress: 0x40602000 }));
    expect(fault(walk(FOUR_LEVEL, memory, VA)).updates).toEqual([]);
  });

  it('writes 4-byte updates for 32-bit paging', () => {
    const memory = new FakeMemory().write(0x1000, encodeEntry('x86-32', { ...TABLE, largePage: true, frameAddress: 0x400000 }));
    const result = translated(walk(TWO_LEVEL, memory, 0x123n, 'write', { cr4Pse: true }));
    expect(result.updates).toEqual([
      { entryAddress: 0x1000, entryBytes: 4, before: '0x400087', after: '0x4000e7', setAccessed: true, setDirty: true },
    ]);
  });
});
