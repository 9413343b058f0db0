/**
 * Paging geometries: how a linear address splits into table indices and a page offset.
 *
 * Models the x86 paging modes of Intel SDM Vol. 3A ch. 4 — 4-level and 5-level paging
 * (§4.5: 9 index bits per level, 8-byte entries), 32-bit paging (§4.3: 10 index bits
 * per level, 4-byte entries, 4 MiB pages with CR4.PSE) — and the two-level teaching
 * geometry of OSTEP's paging-multilevel-translate.py, plus custom geometries checked
 * here. PAE paging (§4.4: PDPTE registers loaded at MOV to CR3) is deliberately left
 * out: none of the scenarios needs it and its 4-entry top level is not a table walk.
 *
 * Addresses are exact: a 64-bit linear address travels as two 32-bit halves
 * (`high`, `low`), so the walker never touches bigint; `splitVirtual`/`joinVirtual`
 * convert at the edge.
 */
import type { EntryFormat, PagingGeometry } from './types.js';

function frozenGeometry(geometry: PagingGeometry): PagingGeometry {
  Object.freeze(geometry.levelIndexBits);
  Object.freeze(geometry.levelNames);
  Object.freeze(geometry.largePageLevels);
  return Object.freeze(geometry);
}

/** 4-level paging (SDM §4.5): 48-bit linear addresses, 1 GiB PDPTE and 2 MiB PDE pages. */
export const FOUR_LEVEL: PagingGeometry = frozenGeometry({
  name: '4-level',
  linearBits: 48,
  offsetBits: 12,
  levelIndexBits: [9, 9, 9, 9],
  levelNames: ['PML4', 'PDPT', 'PD', 'PT'],
  entryBytes: 8,
  format: 'x86-64',
  largePageLevels: [1, 2],
  canonical: true,
});

/** 5-level paging (SDM §4.5 with CR4.LA57=1): a PML5 table above the PML4, 57-bit addresses. */
export const FIVE_LEVEL: PagingGeometry = frozenGeometry({
  name: '5-level',
  linearBits: 57,
  offsetBits: 12,
  levelIndexBits: [9, 9, 9, 9, 9],
  levelNames: ['PML5', 'PML4', 'PDPT', 'PD', 'PT'],
  entryBytes: 8,
  format: 'x86-64',
  largePageLevels: [2, 3],
  canonical: true,
});

/** 32-bit paging of the i386 (SDM §4.3): page directory and page table, 4 MiB PDE pages with CR4.PSE. */
export const TWO_LEVEL: PagingGeometry = frozenGeometry({
  name: '2-level',
  linearBits: 32,
  offsetBits: 12,
  levelIndexBits: [10, 10],
  levelNames: ['PD', 'PT'],
  entryBytes: 4,
  format: 'x86-32',
  largePageLevels: [0],
  canonical: false,
});

/**
 * OSTEP's paging-multilevel-translate.py: 15-bit addresses, 32-byte pages, a page
 * directory and page-table pages of 32 one-byte entries (valid bit 7, PFN bits 6..0).
 * The homework prints the PDBR as a page number; `PagingControl.rootAddress` is that
 * page's address, PDBR << 5.
 */
export const OSTEP_15: PagingGeometry = frozenGeometry({
  name: 'ostep-15',
  linearBits: 15,
  offsetBits: 5,
  levelIndexBits: [5, 5],
  levelNames: ['PD', 'PT'],
  entryBytes: 1,
  format: 'ostep',
  largePageLevels: [],
  canonical: false,
});

const PREDEFINED: readonly PagingGeometry[] = [FOUR_LEVEL, FIVE_LEVEL, TWO_LEVEL, OSTEP_15];

/** Names accepted by `geometryByName`, in the order a help text should list them. */
export const GEOMETRY_NAMES: readonly string[] = Object.freeze(PREDEFINED.map((g) => g.name));

/** The predefined geometry a scenario names ('4-level', '5-level', '2-level', 'ostep-15'), or null. */
export function geometryByName(name: string): PagingGeometry | null {
  for (const geometry of PREDEFINED) if (geometry.name === name) return geometry;
  return null;
}

/** What a scenario may say about a custom geometry; the optional parts have defaults. */
export interface CustomGeometrySpec {
  readonly linearBits: number;
  readonly offsetBits: number;
  readonly levelIndexBits: readonly number[];
  readonly entryBytes: number;
  readonly format: EntryFormat;
  readonly name?: string;
  /** Defaults to the x86 names of the lowest levels ('PD', 'PT', …), or L<n> beyond five levels. */
  readonly levelNames?: readonly string[];
  /** Defaults to none. */
  readonly largePageLevels?: readonly number[];
}

const X86_LEVEL_NAMES = ['PML5', 'PML4', 'PDPT', 'PD', 'PT'];
const FORMATS: readonly EntryFormat[] = ['x86-64', 'x86-32', 'ostep'];
const MAX_PHYSICAL_BITS = 52;

function defaultLevelNames(count: number): string[] {
  if (count <= X86_LEVEL_NAMES.length) return X86_LEVEL_NAMES.slice(X86_LEVEL_NAMES.length - count);
  return Array.from({ length: count }, (_, i) => `L${count - i}`);
}

function isIntegerIn(value: unknown, from: number, to: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= from && value <= to;
}

/** Bit position of the lowest bit of each level's index, top level first. */
export function levelLowBits(geometry: Pick<PagingGeometry, 'offsetBits' | 'levelIndexBits'>): number[] {
  const lows: number[] = new Array<number>(geometry.levelIndexBits.length);
  let low = geometry.offsetBits;
  for (let level = geometry.levelIndexBits.length - 1; level >= 0; level--) {
    lows[level] = low;
    low += geometry.levelIndexBits[level]!;
  }
  return lows;
}

function checkFormatAndSizes(spec: CustomGeometrySpec): string | null {
  const { format, entryBytes, offsetBits, linearBits } = spec;
  if (!FORMATS.includes(format)) {
    return `The entry format "${String(format)}" is unknown; use one of ${FORMATS.join(', ')}.`;
  }
  if (!isIntegerIn(linearBits, 1, 64)) {
    return `linearBits is ${String(linearBits)}; it must be an integer from 1 to 64.`;
  }
  if (format === 'x86-64' && entryBytes !== 8) {
    return `x86-64 entries are 8 bytes (SDM §4.5), but entryBytes is ${String(entryBytes)}.`;
  }
  if (format === 'x86-32' && entryBytes !== 4) {
    return `x86-32 entries are 4 bytes (SDM §4.3), but entryBytes is ${String(entryBytes)}.`;
  }
  if (format === 'x86-32' && linearBits > 32) {
    return `32-bit paging translates 32-bit linear addresses (SDM §4.3), but linearBits is ${linearBits}.`;
  }
  if (format !== 'ostep' && offsetBits !== 12) {
    return `x86 entries address 4 KiB frames (SDM §4.2), so offsetBits must be 12, not ${String(offsetBits)}.`;
  }
  if (format === 'ostep') {
    if (entryBytes !== 1 && entryBytes !== 2 && entryBytes !== 4) {
      return `OSTEP-style entries are 1, 2 or 4 bytes, but entryBytes is ${String(entryBytes)}.`;
    }
    if (!isIntegerIn(offsetBits, 1, 30)) {
      return `offsetBits is ${String(offsetBits)}; it must be an integer from 1 to 30.`;
    }
    const pfnBits = entryBytes * 8 - 1;
    if (pfnBits + offsetBits > MAX_PHYSICAL_BITS) {
      return `A ${pfnBits}-bit PFN with ${offsetBits} offset bits makes physical addresses wider than 52 bits.`;
    }
  }
  return null;
}

function checkLevels(spec: CustomGeometrySpec, names: readonly string[]): string | null {
  const bits = spec.levelIndexBits;
  if (!Array.isArray(bits) || bits.length === 0) return 'levelIndexBits must list at least one level.';
  for (const [level, count] of bits.entries()) {
    if (!isIntegerIn(count, 1, 30)) {
      return `Level ${level} has ${String(count)} index bits; each level needs an integer from 1 to 30.`;
    }
  }
  const indexTotal = bits.reduce((sum, count) => sum + count, 0);
  if (spec.offsetBits + indexTotal !== spec.linearBits) {
    return (
      `Offset bits (${spec.offsetBits}) plus index bits (${bits.join('+')} = ${indexTotal}) make ` +
      `${spec.offsetBits + indexTotal}, but linearBits is ${spec.linearBits}; they must be equal.`
    );
  }
  if (names.length !== bits.length) {
    return `There are ${bits.length} levels but ${names.length} level names.`;
  }
  if (names.some((n) => typeof n !== 'string' || n.length === 0) || new Set(names).size !== names.length) {
    return 'Level names must be distinct, non-empty strings.';
  }
  return null;
}

function checkLargePageLevels(spec: CustomGeometrySpec, largeLevels: readonly number[]): string | null {
  const lastLevel = spec.levelIndexBits.length - 1;
  if (new Set(largeLevels).size !== largeLevels.length) return 'largePageLevels lists a level twice.';
  const lows = levelLowBits(spec);
  for (const level of largeLevels) {
    if (!isIntegerIn(level, 0, lastLevel - 1)) {
      return `Large-page level ${String(level)} is not a level above the last one (0 to ${lastLevel - 1}).`;
    }
    if (spec.format === 'ostep') return 'OSTEP-style entries have no PS bit, so largePageLevels must be empty.';
    const pageShift = lows[level]!;
    if (spec.format === 'x86-32' && pageShift !== 22) {
      return `A 32-bit PDE maps a 4 MiB page (SDM §4.3), but level ${level} would map 2^${pageShift} bytes.`;
    }
    if (pageShift > MAX_PHYSICAL_BITS) {
      return `Level ${level} would map 2^${pageShift}-byte pages, larger than the 52-bit physical address space.`;
    }
  }
  return null;
}

/**
 * Builds a geometry from a scenario's description, or explains in a sentence why it
 * cannot. The checks keep every geometry walkable without loss of precision: indices
 * fit in 30 bits, frames and offsets in 52.
 */
export function customGeometry(spec: CustomGeometrySpec): PagingGeometry | string {
  const problem = checkFormatAndSizes(spec);
  if (problem !== null) return problem;
  const levelCount = Array.isArray(spec.levelIndexBits) ? spec.levelIndexBits.length : 0;
  const names = spec.levelNames ?? defaultLevelNames(levelCount);
  const levelProblem = checkLevels(spec, names);
  if (levelProblem !== null) return levelProblem;
  const largeLevels = spec.largePageLevels ?? [];
  const largeProblem = checkLargePageLevels(spec, largeLevels);
  if (largeProblem !== null) return largeProblem;
  return frozenGeometry({
    name: spec.name ?? 'custom',
    linearBits: spec.linearBits,
    offsetBits: spec.offsetBits,
    levelIndexBits: [...spec.levelIndexBits],
    levelNames: [...names],
    entryBytes: spec.entryBytes,
    format: spec.format,
    largePageLevels: [...largeLevels].sort((a, b) => a - b),
    canonical: spec.format === 'x86-64' && spec.linearBits < 64,
  });
}

const TWO_POW_32 = 2 ** 32;
const LOW_MASK = 0xffffffffn;

/** The two exact 32-bit halves of a 64-bit value (taken modulo 2^64). */
export function splitVirtual(va: bigint): { high: number; low: number } {
  return { high: Number((va >> 32n) & LOW_MASK), low: Number(va & LOW_MASK) };
}

/** The 64-bit value whose halves are `high` and `low`: the inverse of `splitVirtual`. */
export function joinVirtual(high: number, low: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

/**
 * Bits [lowBit, lowBit + count) of the 64-bit value high:low, for count ≤ 31.
 * Only 32-bit operations: the walker calls this for every level.
 */
export function bitsOfHalves(high: number, low: number, lowBit: number, count: number): number {
  const mask = count >= 32 ? 0xffffffff : (1 << count) - 1;
  if (lowBit >= 32) return ((high >>> (lowBit - 32)) & mask) >>> 0;
  if (lowBit + count <= 32) return ((low >>> lowBit) & mask) >>> 0;
  return (((low >>> lowBit) | (high << (32 - lowBit))) & mask) >>> 0;
}

/** The value high:low modulo 2^bits (bits ≤ 52), as an exact number. */
export function lowBitsOfHalves(high: number, low: number, bits: number): number {
  if (bits >= 32) return bitsOfHalves(high, 0, 32, bits - 32) * TWO_POW_32 + (low >>> 0);
  return bitsOfHalves(0, low, 0, bits);
}

/**
 * Whether the walk may be asked to translate this address. For 4-level and 5-level
 * paging that is canonicality: bits 63 down to linearBits−1 all equal (SDM Vol. 1
 * §3.3.7.1); a non-canonical access raises #GP or #SS before paging is consulted, so
 * the CPU model checks this and `translate` ignores the upper bits. For the other
 * geometries the address must have no bits at or above linearBits.
 */
export function isAddressInRange(geometry: PagingGeometry, high: number, low: number): boolean {
  const bits = geometry.linearBits;
  if (bits >= 64) return true;
  if (geometry.canonical) {
    if (bits > 32) {
      const signBits = (high | 0) >> (bits - 1 - 32);
      return signBits === 0 || signBits === -1;
    }
    const signBits = (low | 0) >> (bits - 1);
    return (signBits === 0 && (high | 0) === 0) || (signBits === -1 && (high | 0) === -1);
  }
  if (bits > 32) return (high >>> (bits - 32)) === 0;
  return (high >>> 0) === 0 && (bits === 32 || (low >>> bits) === 0);
}

/** One level's share of an address: the index it selects and the address bits it comes from. */
export interface LevelIndex {
  readonly level: number;
  readonly levelName: string;
  readonly index: number;
  /** Highest and lowest bit of the address that form the index, e.g. 47 and 39. */
  readonly bitsHigh: number;
  readonly bitsLow: number;
}

/** An address taken apart: one index per level, top first, then the page offset and its bits. */
export interface AddressIndices {
  readonly levels: readonly LevelIndex[];
  readonly offset: number;
  readonly offsetBitsHigh: number;
  readonly offsetBitsLow: number;
}

/** How `isolab translate VADDR` explains an address: one index per level, then the offset. */
export function indicesOf(geometry: PagingGeometry, high: number, low: number): AddressIndices {
  const lows = levelLowBits(geometry);
  const levels = geometry.levelIndexBits.map((count, level) => ({
    level,
    levelName: geometry.levelNames[level]!,
    index: bitsOfHalves(high, low, lows[level]!, count),
    bitsHigh: lows[level]! + count - 1,
    bitsLow: lows[level]!,
  }));
  return {
    levels,
    offset: lowBitsOfHalves(high, low, geometry.offsetBits),
    offsetBitsHigh: geometry.offsetBits - 1,
    offsetBitsLow: 0,
  };
}
