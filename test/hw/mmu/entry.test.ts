// Proves that entries are laid out bit for bit as SDM Vol. 3A Tables 4-4 to 4-19 (and OSTEP's valid|PFN byte), decode back, and are named and printed as documented.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, entryFlagNames, entryHex, type EntryFields } from '../../../engine/hw/mmu/index.js';
import { entryBigint } from './fakeMemory.js';

const bit = (n: number): bigint => 1n << BigInt(n);

describe('encodeEntry, x86-64 (SDM §4.5, Tables 4-14 to 4-19)', () => {
  it('puts each flag at its SDM bit', () => {
    const cases: ReadonlyArray<[Partial<EntryFields>, number]> = [
      [{ present: true }, 0],
      [{ writable: true }, 1],
      [{ user: true }, 2],
      [{ writeThrough: true }, 3],
      [{ cacheDisable: true }, 4],
      [{ accessed: true }, 5],
      [{ dirty: true }, 6],
      [{ largePage: true }, 7],
      [{ global: true }, 8],
      [{ executeDisable: true }, 63],
    ];
    for (const [fields, position] of cases) {
      expect(entryBigint(encodeEntry('x86-64', { frameAddress: 0, ...fields }))).toBe(bit(position));
    }
  });

  it('puts the protection key in bits 62:59 and the address in bits 51:12', () => {
    const value = encodeEntry('x86-64', { frameAddress: 0x000f_edcb_a987_6000, protectionKey: 0xb });
    expect(entryBigint(value)).toBe(0x000f_edcb_a987_6000n | (0xbn << 59n));
  });

  it('refuses an unaligned frame or one beyond 52 bits', () => {
    expect(() => encodeEntry('x86-64', { frameAddress: 0x1001 })).toThrow(/aligned/);
    expect(() => encodeEntry('x86-64', { frameAddress: 2 ** 52 })).toThrow(/below 2\^52/);
    expect(() => encodeEntry('x86-64', { frameAddress: 0, protectionKey: 16 })).toThrow(/0\.\.15/);
  });
});

describe('encodeEntry, x86-32 (SDM §4.3, Tables 4-4 to 4-6)', () => {
  it('puts a 4 KiB frame in bits 31:12 and has no upper half', () => {
    const value = encodeEntry('x86-32', { frameAddress: 0xfedcb000, present: true, writable: true });
    expect(value).toEqual({ high: 0, low: (0xfedcb000 | 0b11) >>> 0 });
  });

  it('puts a 4 MiB frame in bits 31:22 and physical bits 39:32 in bits 20:13 (PSE-36)', () => {
    const value = encodeEntry('x86-32', { frameAddress: 0xab_c040_0000, present: true, largePage: true });
    expect(value.low >>> 0).toBe(((0xc0400000 | (0xab << 13) | 0x80 | 1) >>> 0));
  });

  it('refuses XD and protection keys, which 32-bit paging does not have', () => {
    expect(() => encodeEntry('x86-32', { frameAddress: 0, executeDisable: true })).toThrow();
  });
});

describe('encodeEntry, OSTEP (valid bit on top, PFN below)', () => {
  it('encodes PFN 33 as 0xa1 with 32-byte pages', () => {
    expect(encodeEntry('ostep', { frameAddress: 33 * 32, present: true })).toEqual({ high: 0, low: 0xa1 });
    expect(encodeEntry('ostep', { frameAddress: 127 * 32, present: false })).toEqual({ high: 0, low: 0x7f });
  });

  it('uses the top bit of a wider entry', () => {
    expect(encodeEntry('ostep', { frameAddress: 5 * 16, present: true }, { offsetBits: 4, entryBytes: 2 })).toEqual({
      high: 0,
      low: 0x8005,
    });
  });
});

describe('decodeEntry', () => {
  const flags = {
    present: fc.boolean(),
    writable: fc.boolean(),
    user: fc.boolean(),
    writeThrough: fc.boolean(),
    cacheDisable: fc.boolean(),
    accessed: fc.boolean(),
    dirty: fc.boolean(),
    global: fc.boolean(),
  };

  it('inverts encodeEntry for x86-64', () => {
    const fields = fc.record({
      ...flags,
      largePage: fc.boolean(),
      executeDisable: fc.boolean(),
      protectionKey: fc.integer({ min: 0, max: 15 }),
      frameAddress: fc.integer({ min: 0, max: 2 ** 40 - 1 }).map((n) => n * 4096),
    });
    fc.assert(
      fc.property(fields, (f) => {
        const { high, low } = encodeEntry('x86-64', f);
        expect(decodeEntry('x86-64', high, low)).toEqual(f);
      }),
    );
  });

  it('inverts encodeEntry for x86-32, 4 KiB and 4 MiB', () => {
    const small = fc.record({ ...flags, largePage: fc.constant(false), frameAddress: fc.integer({ min: 0, max: 2 ** 20 - 1 }).map((n) => n * 4096) });
    const large = fc.record({ ...flags, largePage: fc.constant(true), frameAddress: fc.integer({ min: 0, max: 2 ** 18 - 1 }).map((n) => n * 2 ** 22) });
    fc.assert(
      fc.property(fc.oneof(small, large), (f) => {
        const { high, low } = encodeEntry('x86-32', f);
        expect(decodeEntry('x86-32', high, low)).toEqual({ ...f, executeDisable: false, protectionKey: 0 });
      }),
    );
  });

  it('reads an OSTEP byte as valid and PFN', () => {
    expect(decodeEntry('ostep', 0, 0xb5)).toMatchObject({ present: true, frameAddress: 0x35 * 32 });
    expect(decodeEntry('ostep', 0, 0x7f)).toMatchObject({ present: false, frameAddress: 0x7f * 32 });
  });
});

describe('entryFlagNames', () => {
  it('names the flags of a 4 KiB PTE, with PAT at bit 7 and the protection key', () => {
    const { high, low } = encodeEntry('x86-64', {
      frameAddress: 0x5000, present: true, writable: true, user: true, accessed: true, dirty: true,
      largePage: true, global: true, executeDisable: true, protectionKey: 3,
    });
    expect(entryFlagNames('x86-64', high, low, true, false)).toEqual(['P', 'RW', 'US', 'A', 'D', 'PAT', 'G', 'XD', 'PK=3']);
  });

  it('names PS, not D, G or PK, in an entry that references a table', () => {
    const { high, low } = encodeEntry('x86-64', { frameAddress: 0x5000, present: true, dirty: true, global: true, largePage: true, protectionKey: 2 });
    expect(entryFlagNames('x86-64', high, low, false, false)).toEqual(['P', 'PS']);
  });

  it('names D, PS and G in a 2 MiB PDE, and PAT from bit 12', () => {
    const { high, low } = encodeEntry('x86-64', { frameAddress: 0x201000, present: true, dirty: true, largePage: true, global: true });
    expect(entryFlagNames('x86-64', high, low, false, true)).toEqual(['P', 'D', 'PS', 'PAT', 'G']);
  });

  it('names nothing in a not-present entry, and V in a valid OSTEP entry', () => {
    expect(entryFlagNames('x86-64', 0xffffffff, 0xfffffffe, true, false)).toEqual([]);
    expect(entryFlagNames('ostep', 0, 0xa1, false, false)).toEqual(['V']);
    expect(entryFlagNames('ostep', 0, 0x7f, true, false)).toEqual([]);
  });

  it('names PWT and PCD', () => {
    expect(entryFlagNames('x86-32', 0, 0b11001, true, false)).toEqual(['P', 'PWT', 'PCD']);
  });
});

describe('entryHex', () => {
  it('prints the canonical "0x…" form of the value, cut to the entry width', () => {
    expect(entryHex('x86-64', 8, 0x80000000, 0x00a1b067)).toBe('0x8000000000a1b067');
    expect(entryHex('x86-64', 8, 0, 0x1027)).toBe('0x1027');
    expect(entryHex('x86-32', 4, 0xdead, 0xfee00083)).toBe('0xfee00083');
    expect(entryHex('ostep', 1, 0, 0x1a1)).toBe('0xa1');
    expect(entryHex('ostep', 1, 0, 0)).toBe('0x0');
  });
});
