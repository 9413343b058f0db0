// Proves that geometries split addresses into the index and offset bit ranges of SDM Vol. 3A §4.3/§4.5 and that custom geometries are validated with exact messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIVE_LEVEL,
  FOUR_LEVEL,
  GEOMETRY_NAMES,
  OSTEP_15,
  TWO_LEVEL,
  bitsOfHalves,
  customGeometry,
  geometryByName,
  indicesOf,
  isAddressInRange,
  joinVirtual,
  lowBitsOfHalves,
  splitVirtual,
} from '../../../engine/hw/mmu/index.js';

describe('indicesOf', () => {
  it('splits 0x000064a32b15e660 under 4-level paging into 201, 140, 344, 350 and offset 0x660', () => {
    const { high, low } = splitVirtual(0x000064a32b15e660n);
    const result = indicesOf(FOUR_LEVEL, high, low);
    expect(result.levels.map((l) => l.index)).toEqual([201, 140, 344, 350]);
    expect(result.levels.map((l) => l.levelName)).toEqual(['PML4', 'PDPT', 'PD', 'PT']);
    expect(result.offset).toBe(0x660);
  });

  it('gives the bit ranges of SDM §4.5: 47:39, 38:30, 29:21, 20:12 and 11:0', () => {
    const result = indicesOf(FOUR_LEVEL, 0, 0);
    expect(result.levels.map((l) => [l.bitsHigh, l.bitsLow])).toEqual([
      [47, 39],
      [38, 30],
      [29, 21],
      [20, 12],
    ]);
    expect([result.offsetBitsHigh, result.offsetBitsLow]).toEqual([11, 0]);
  });

  it('puts the PML5 index of 5-level paging in bits 56:48', () => {
    const { high, low } = splitVirtual(0xfe00_0000_0000_0000n | (0x1abn << 48n));
    expect(indicesOf(FIVE_LEVEL, high, low).levels[0]).toMatchObject({ levelName: 'PML5', index: 0x1ab, bitsHigh: 56, bitsLow: 48 });
  });

  it('uses bits 31:22 and 21:12 for 32-bit paging (SDM §4.3)', () => {
    const result = indicesOf(TWO_LEVEL, 0, 0xc0123abc);
    expect(result.levels.map((l) => l.index)).toEqual([0xc0123abc >>> 22, (0xc0123abc >>> 12) & 0x3ff]);
    expect(result.offset).toBe(0xabc);
  });

  it('splits the OSTEP address 0x611c into PD index 24, PT index 8, offset 28', () => {
    const result = indicesOf(OSTEP_15, 0, 0x611c);
    expect(result.levels.map((l) => l.index)).toEqual([24, 8]);
    expect(result.offset).toBe(28);
  });

  it('agrees with bigint arithmetic for every address and geometry', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, (1n << 64n) - 1n), fc.constantFrom(FOUR_LEVEL, FIVE_LEVEL, TWO_LEVEL, OSTEP_15), (va, g) => {
        const { high, low } = splitVirtual(va);
        const result = indicesOf(g, high, low);
        for (const level of result.levels) {
          const width = BigInt(level.bitsHigh - level.bitsLow + 1);
          expect(BigInt(level.index)).toBe((va >> BigInt(level.bitsLow)) & ((1n << width) - 1n));
        }
        expect(BigInt(result.offset)).toBe(va & ((1n << BigInt(g.offsetBits)) - 1n));
      }),
    );
  });
});

describe('splitVirtual and joinVirtual', () => {
  it('round-trip every 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, (1n << 64n) - 1n), (va) => {
        const { high, low } = splitVirtual(va);
        expect(high).toBeGreaterThanOrEqual(0);
        expect(low).toBeLessThan(2 ** 32);
        expect(joinVirtual(high, low)).toBe(va);
      }),
    );
  });

  it('splits a kernel address exactly', () => {
    expect(splitVirtual(0xffff888000001000n)).toEqual({ high: 0xffff8880, low: 0x00001000 });
  });
});

describe('bitsOfHalves and lowBitsOfHalves', () => {
  it('agree with bigint shifts, including fields that straddle the halves', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, (1n << 64n) - 1n), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 31 }), (v, lowBit, count) => {
        fc.pre(lowBit + count <= 64);
        const { high, low } = splitVirtual(v);
        expect(BigInt(bitsOfHalves(high, low, lowBit, count))).toBe((v >> BigInt(lowBit)) & ((1n << BigInt(count)) - 1n));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt(0n, (1n << 64n) - 1n), fc.integer({ min: 0, max: 52 }), (v, bits) => {
        const { high, low } = splitVirtual(v);
        expect(BigInt(lowBitsOfHalves(high, low, bits))).toBe(v & ((1n << BigInt(bits)) - 1n));
      }),
    );
  });
});

describe('isAddressInRange', () => {
  it('accepts canonical 4-level addresses and rejects the others (Vol. 1 §3.3.7.1)', () => {
    const inRange = (va: bigint, g = FOUR_LEVEL): boolean => {
      const { high, low } = splitVirtual(va);
      return isAddressInRange(g, high, low);
    };
    expect(inRange(0x00007fffffffffffn)).toBe(true);
    expect(inRange(0xffff800000000000n)).toBe(true);
    expect(inRange(0x0000800000000000n)).toBe(false);
    expect(inRange(0xfffe800000000000n)).toBe(false);
    expect(inRange(0x0000800000000000n, FIVE_LEVEL)).toBe(true);
    expect(inRange(0xff00000000000000n, FIVE_LEVEL)).toBe(true);
    expect(inRange(0x0100000000000000n, FIVE_LEVEL)).toBe(false);
    expect(inRange(0xffffffffn, TWO_LEVEL)).toBe(true);
    expect(inRange(0x100000000n, TWO_LEVEL)).toBe(false);
    expect(inRange(0x7fffn, OSTEP_15)).toBe(true);
    expect(inRange(0x8000n, OSTEP_15)).toBe(false);
  });
});

describe('predefined geometries', () => {
  it('are found by name, and only those names', () => {
    expect(GEOMETRY_NAMES).toEqual(['4-level', '5-level', '2-level', 'ostep-15']);
    expect(geometryByName('4-level')).toBe(FOUR_LEVEL);
    expect(geometryByName('5-level')).toBe(FIVE_LEVEL);
    expect(geometryByName('2-level')).toBe(TWO_LEVEL);
    expect(geometryByName('ostep-15')).toBe(OSTEP_15);
    expect(geometryByName('3-level')).toBeNull();
  });

  it('each add up: offset bits plus index bits equal the linear-address width', () => {
    for (const g of [FOUR_LEVEL, FIVE_LEVEL, TWO_LEVEL, OSTEP_15]) {
      expect(g.offsetBits + g.levelIndexBits.reduce((a, b) => a + b, 0)).toBe(g.linearBits);
      expect(g.levelNames.length).toBe(g.levelIndexBits.length);
    }
  });

  it('are frozen', () => {
    expect(Object.isFrozen(FOUR_LEVEL)).toBe(true);
    expect(Object.isFrozen(FOUR_LEVEL.levelIndexBits)).toBe(true);
  });
});

describe('customGeometry', () => {
  it('builds a valid geometry with default level names', () => {
    const g = customGeometry({ linearBits: 39, offsetBits: 12, levelIndexBits: [9, 9, 9], entryBytes: 8, format: 'x86-64' });
    expect(typeof g).not.toBe('string');
    expect(g).toMatchObject({ name: 'custom', levelNames: ['PDPT', 'PD', 'PT'], canonical: true, largePageLevels: [] });
  });

  it('builds a three-level OSTEP-style geometry with 2-byte entries', () => {
    const g = customGeometry({ linearBits: 16, offsetBits: 4, levelIndexBits: [4, 4, 4], entryBytes: 2, format: 'ostep' });
    expect(g).toMatchObject({ levelNames: ['PDPT', 'PD', 'PT'], canonical: false });
  });

  const invalid: ReadonlyArray<[string, Parameters<typeof customGeometry>[0], string]> = [
    [
      'bits that do not add up',
      { linearBits: 48, offsetBits: 12, levelIndexBits: [9, 9, 9], entryBytes: 8, format: 'x86-64' },
      'Offset bits (12) plus index bits (9+9+9 = 27) make 39, but linearBits is 48; they must be equal.',
    ],
    [
      'a wrong entry size',
      { linearBits: 48, offsetBits: 12, levelIndexBits: [9, 9, 9, 9], entryBytes: 4, format: 'x86-64' },
      'x86-64 entries are 8 bytes (SDM §4.5), but entryBytes is 4.',
    ],
    [
      'an x86 page that is not 4 KiB',
      { linearBits: 20, offsetBits: 10, levelIndexBits: [10], entryBytes: 4, format: 'x86-32' },
      'x86 entries address 4 KiB frames (SDM §4.2), so offsetBits must be 12, not 10.',
    ],
    [
      'a zero-bit level',
      { linearBits: 12, offsetBits: 12, levelIndexBits: [0], entryBytes: 8, format: 'x86-64' },
      'Level 0 has 0 index bits; each level needs an integer from 1 to 30.',
    ],
    [
      'a large page at the last level',
      { linearBits: 32, offsetBits: 12, levelIndexBits: [10, 10], entryBytes: 4, format: 'x86-32', largePageLevels: [1] },
      'Large-page level 1 is not a level above the last one (0 to 0).',
    ],
    [
      'a 32-bit large page that is not 4 MiB',
      { linearBits: 30, offsetBits: 12, levelIndexBits: [9, 9], entryBytes: 4, format: 'x86-32', largePageLevels: [0] },
      'A 32-bit PDE maps a 4 MiB page (SDM §4.3), but level 0 would map 2^21 bytes.',
    ],
    [
      'an unknown format',
      { linearBits: 32, offsetBits: 12, levelIndexBits: [20], entryBytes: 4, format: 'arm' as never },
      'The entry format "arm" is unknown; use one of x86-64, x86-32, ostep.',
    ],
    [
      'too few level names',
      { linearBits: 15, offsetBits: 5, levelIndexBits: [5, 5], entryBytes: 1, format: 'ostep', levelNames: ['PD'] },
      'There are 2 levels but 1 level names.',
    ],
  ];
  it.each(invalid)('rejects %s with an exact message', (_what, spec, message) => {
    expect(customGeometry(spec)).toBe(message);
  });
});
