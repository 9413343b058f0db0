// Proves, over random geometries, controls, addresses and memory contents, that translate never throws, that translated addresses are frame base plus page offset, that rights are the AND/OR of the entries read, and that walks and TLB-style checkRights calls agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIVE_LEVEL,
  FOUR_LEVEL,
  OSTEP_15,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  TWO_LEVEL,
  checkRights,
  customGeometry,
  splitVirtual,
  translate,
  type AccessRequest,
  type PagingControl,
  type PagingGeometry,
  type Rights,
  type WalkResult,
} from '../../../engine/hw/mmu/index.js';
import type { Halves } from './fakeMemory.js';

const U32 = fc.integer({ min: 0, max: 0xffffffff });

/** Custom geometries the validator accepts, drawn from the shapes it allows. */
const customGeometryArb: fc.Arbitrary<PagingGeometry> = fc
  .record({
    format: fc.constantFrom('x86-64' as const, 'x86-32' as const, 'ostep' as const),
    levels: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 5 }),
    ostepOffsetBits: fc.integer({ min: 1, max: 12 }),
    ostepEntryBytes: fc.constantFrom(1, 2, 4),
    largeMask: fc.integer({ min: 0, max: 15 }),
  })
  .map((s) => {
    const offsetBits = s.format === 'ostep' ? s.ostepOffsetBits : 12;
    const entryBytes = s.format === 'x86-64' ? 8 : s.format === 'x86-32' ? 4 : s.ostepEntryBytes;
    const largePageLevels = s.levels.slice(0, -1).flatMap((_, i) => ((s.largeMask >> i) & 1 ? [i] : []));
    return customGeometry({
      linearBits: offsetBits + s.levels.reduce((a, b) => a + b, 0),
      offsetBits,
      levelIndexBits: s.levels,
      entryBytes,
      format: s.format,
      largePageLevels: s.format === 'ostep' ? [] : largePageLevels,
    });
  })
  .filter((g): g is PagingGeometry => typeof g !== 'string');

const geometryArb = fc.oneof(fc.constantFrom(FOUR_LEVEL, FIVE_LEVEL, TWO_LEVEL, OSTEP_15), customGeometryArb);

const controlArb: fc.Arbitrary<PagingControl> = fc.record({
  rootAddress: fc.integer({ min: 0, max: 2 ** 20 }).map((n) => n * 4096),
  cpl: fc.integer({ min: 0, max: 3 }),
  cr0Wp: fc.boolean(),
  cr4Pse: fc.boolean(),
  cr4Smep: fc.boolean(),
  cr4Smap: fc.boolean(),
  cr4Pke: fc.boolean(),
  efer_nxe: fc.boolean(),
  rflagsAc: fc.boolean(),
  pkru: U32,
  maxPhyAddr: fc.integer({ min: 32, max: 52 }),
});

/**
 * Mostly well-formed present entries — address bits 35:12, bits 29:13 and 7 cleared so
 * that a PS=1 entry of any page size sets no reserved bit, R/W and U/S set three times
 * in four, an occasional XD and a random protection key — mixed with not-present
 * entries and arbitrary 64-bit values.
 */
const cleanEntryArb: fc.Arbitrary<Halves> = fc
  .tuple(U32, U32, fc.integer({ min: 0, max: 0xf }), fc.integer({ min: 0, max: 15 }), fc.boolean(), fc.constantFrom(0, 0, 0, 0x80))
  .map(([bits, extra, addressHigh, key, xd, ps]) => ({
    high: (addressHigh | (key << 27) | (xd && (extra & 0x300) === 0 ? 0x80000000 : 0)) >>> 0,
    low: ((bits & ~0x3fffe080) | (extra & 0x6) | ps | 1) >>> 0,
  }));
const entryArb: fc.Arbitrary<Halves> = fc.oneof(
  { weight: 6, arbitrary: cleanEntryArb },
  { weight: 1, arbitrary: fc.record({ high: U32, low: U32.map((v) => (v & ~1) >>> 0) }) },
  { weight: 1, arbitrary: fc.record({ high: U32, low: U32 }) },
);

/** A memory whose content at each address is fixed by the generated function. */
const memoryArb = fc.func(entryArb);

const requestArb = fc.record({
  kind: fc.constantFrom('read' as const, 'write' as const, 'fetch' as const),
  va: fc.bigInt(0n, (1n << 64n) - 1n),
  implicitSupervisor: fc.boolean(),
});

function cut(value: Halves, bytes: number): bigint {
  const full = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return bytes === 8 ? full : full & ((1n << BigInt(bytes * 8)) - 1n);
}

/** The rights §4.6 derives from the entries read, computed here with bigint, independently of the walker. */
function expectedRights(geometry: PagingGeometry, control: PagingControl, entries: readonly bigint[]): Rights {
  if (geometry.format === 'ostep') return { writable: true, user: true, executable: true, global: false, pkey: 0 };
  const leaf = entries.at(-1)!;
  const xdAnywhere = geometry.format === 'x86-64' && entries.some((e) => (e >> 63n) & 1n);
  return {
    writable: entries.every((e) => (e & 2n) !== 0n),
    user: entries.every((e) => (e & 4n) !== 0n),
    executable: !(control.efer_nxe && xdAnywhere),
    global: (leaf & 0x100n) !== 0n,
    pkey: geometry.format === 'x86-64' && control.cr4Pke ? Number((leaf >> 59n) & 0xfn) : 0,
  };
}

function lowBitOf(geometry: PagingGeometry, level: number): number {
  return geometry.offsetBits + geometry.levelIndexBits.slice(level + 1).reduce((a, b) => a + b, 0);
}

function checkSteps(geometry: PagingGeometry, control: PagingControl, va: bigint, result: WalkResult, entries: bigint[]): void {
  expect(result.steps.length).toBeGreaterThanOrEqual(1);
  expect(result.steps.length).toBeLessThanOrEqual(geometry.levelIndexBits.length);
  expect(result.steps[0]!.tableAddress).toBe(control.rootAddress);
  result.steps.forEach((step, level) => {
    const bits = geometry.levelIndexBits[level]!;
    expect(step.level).toBe(level);
    expect(BigInt(step.index)).toBe((va >> BigInt(lowBitOf(geometry, level))) & ((1n << BigInt(bits)) - 1n));
    expect(step.entryAddress).toBe(step.tableAddress + step.index * geometry.entryBytes);
    expect(BigInt(step.entry)).toBe(entries[level]);
  });
}

describe('translate over random geometries, controls and memory', () => {
  it('never throws; translations are frame base plus page offset; rights combine as AND/OR', () => {
    fc.assert(
      fc.property(geometryArb, controlArb, requestArb, memoryArb, (geometry, control, req, contents) => {
        const { high, low } = splitVirtual(req.va);
        const request: AccessRequest = { kind: req.kind, vaHigh: high, vaLow: low, implicitSupervisor: req.implicitSupervisor };
        const entries: bigint[] = [];
        const result = translate(geometry, control, request, (address, bytes) => {
          const value = contents(address, bytes);
          entries.push(cut(value, bytes));
          return value;
        });
        checkSteps(geometry, control, req.va, result, entries);
        const userAccess = control.cpl === 3 && !req.implicitSupervisor;
        if (result.kind === 'translated') {
          const pageShift = lowBitOf(geometry, result.steps.length - 1);
          expect(result.pageShift).toBe(pageShift);
          expect(result.frameBase % 2 ** pageShift).toBe(0);
          expect(result.frameBase).toBeLessThan(2 ** 52);
          expect(result.physicalAddress).toBe(result.frameBase + Number(req.va % (1n << BigInt(pageShift))));
          expect(result.rights).toEqual(expectedRights(geometry, control, entries));
          // A TLB hit checks the cached rights with the same function: it must agree.
          expect(checkRights(result.rights, request, control, geometry.format)).toBeNull();
          return;
        }
        expect((result.errorCode & PF_W) !== 0).toBe(req.kind === 'write');
        expect((result.errorCode & PF_U) !== 0).toBe(userAccess);
        const last = entries.at(-1)!;
        if ((result.errorCode & PF_P) === 0) {
          const topBit = geometry.format === 'ostep' ? BigInt(geometry.entryBytes * 8 - 1) : 0n;
          expect((last >> topBit) & 1n).toBe(0n);
          expect(result.updates).toEqual([]);
        } else if ((result.errorCode & PF_RSVD) !== 0) {
          expect(geometry.format).not.toBe('ostep');
          expect(last & 1n).toBe(1n);
          expect(result.updates).toEqual([]);
        } else {
          const verdict = checkRights(expectedRights(geometry, control, entries), request, control, geometry.format);
          expect(verdict).toEqual({ errorCode: result.errorCode, reason: result.reason });
          expect(result.updates.every((u) => u.setAccessed && !u.setDirty)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reports exactly the A and D flags a translation changes', () => {
    fc.assert(
      fc.property(geometryArb, controlArb, requestArb, memoryArb, (geometry, control, req, contents) => {
        fc.pre(geometry.format !== 'ostep');
        const { high, low } = splitVirtual(req.va);
        const request: AccessRequest = { kind: req.kind, vaHigh: high, vaLow: low };
        const result = translate(geometry, control, request, contents);
        if (result.kind !== 'translated') return;
        const expected = result.steps.flatMap((step, level) => {
          const before = BigInt(step.entry);
          const setDirty = req.kind === 'write' && level === result.steps.length - 1 && (before & 0x40n) === 0n;
          const setAccessed = (before & 0x20n) === 0n;
          if (!setAccessed && !setDirty) return [];
          const after = before | 0x20n | (setDirty ? 0x40n : 0n);
          return [{ entryAddress: step.entryAddress, before, after, setAccessed, setDirty }];
        });
        expect(result.updates.map((u) => ({ ...u, before: BigInt(u.before), after: BigInt(u.after), entryBytes: undefined }))).toEqual(
          expected.map((e) => ({ ...e, entryBytes: undefined })),
        );
        expect(result.dirty).toBe(req.kind === 'write' || (BigInt(result.steps.at(-1)!.entry) & 0x40n) !== 0n);
      }),
      { numRuns: 1000 },
    );
  });
});
