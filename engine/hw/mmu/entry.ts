/**
 * Paging-structure entries in each format: building them, reading their fields, naming
 * their flags and printing them.
 *
 * Bit layouts follow Intel SDM Vol. 3A: 8-byte entries of 4-level/5-level paging in
 * §4.5 (Tables 4-14 to 4-19; XD is bit 63, the protection key bits 62:59, the address
 * bits 51:12), 4-byte entries of 32-bit paging in §4.3 (Tables 4-4 to 4-6; a 4 MiB PDE
 * carries physical-address bits 39:32 in its bits 20:13, the PSE-36 layout), and the
 * one-byte entries of OSTEP's paging homework (valid bit 7, PFN bits 6..0), generalised
 * to 2- and 4-byte entries with the valid bit on top.
 *
 * Entries travel as two 32-bit halves so that no caller needs bigint. Memory types
 * (PWT, PCD, PAT) are encoded and named but have no effect anywhere in the simulator.
 */
import { assert } from '../../core/errors.js';
import type { EntryFormat } from './types.js';

/** An entry's value as two exact 32-bit halves; `high` is 0 for entries of 4 bytes or fewer. */
export interface EntryValue {
  readonly high: number;
  readonly low: number;
}

/** The fields of an entry. Flags left out of an `encodeEntry` call are 0. */
export interface EntryFields {
  /**
   * Physical address the entry points to: a table or a page frame. x86 formats need it
   * 4 KiB-aligned (a large page's frame should be aligned to its size: the walker
   * treats the low address bits of a large-page entry as reserved, SDM §4.5).
   */
  readonly frameAddress: number;
  readonly present: boolean;
  readonly writable: boolean;
  readonly user: boolean;
  readonly writeThrough: boolean;
  readonly cacheDisable: boolean;
  readonly accessed: boolean;
  readonly dirty: boolean;
  /** Bit 7: PS in a PDE/PDPTE; the same bit is PAT in a PTE. */
  readonly largePage: boolean;
  readonly global: boolean;
  /** Bit 63, x86-64 only. */
  readonly executeDisable: boolean;
  /** Bits 62:59, x86-64 only (SDM §4.6.2). */
  readonly protectionKey: number;
}

/** Where an OSTEP-style entry's PFN sits: the page size and the entry width. */
export interface OstepLayout {
  readonly offsetBits: number;
  readonly entryBytes: number;
}

const OSTEP_DEFAULT_LAYOUT: OstepLayout = { offsetBits: 5, entryBytes: 1 };
const TWO_POW_32 = 2 ** 32;

// Flag bits in the low half, shared by both x86 formats (SDM Tables 4-4 to 4-19).
/** Present (bit 0). */
export const ENTRY_P = 1 << 0;
/** Read/write (bit 1). */
export const ENTRY_RW = 1 << 1;
/** User/supervisor (bit 2). */
export const ENTRY_US = 1 << 2;
/** Page-level write-through (bit 3). */
export const ENTRY_PWT = 1 << 3;
/** Page-level cache disable (bit 4). */
export const ENTRY_PCD = 1 << 4;
/** Accessed (bit 5). */
export const ENTRY_A = 1 << 5;
/** Dirty (bit 6), in an entry that maps a page. */
export const ENTRY_D = 1 << 6;
/** Page size (bit 7) above the last level; PAT at the last level. */
export const ENTRY_PS = 1 << 7;
/** Global (bit 8), in an entry that maps a page. */
export const ENTRY_G = 1 << 8;
/** PAT of a large-page entry (bit 12); a PTE's PAT is bit 7. */
export const ENTRY_LARGE_PAT = 1 << 12;
/** XD is bit 63: bit 31 of the high half. */
export const ENTRY_HIGH_XD = 0x80000000;

function flagBits(fields: Partial<EntryFields>): number {
  return (
    (fields.present ? ENTRY_P : 0) |
    (fields.writable ? ENTRY_RW : 0) |
    (fields.user ? ENTRY_US : 0) |
    (fields.writeThrough ? ENTRY_PWT : 0) |
    (fields.cacheDisable ? ENTRY_PCD : 0) |
    (fields.accessed ? ENTRY_A : 0) |
    (fields.dirty ? ENTRY_D : 0) |
    (fields.largePage ? ENTRY_PS : 0) |
    (fields.global ? ENTRY_G : 0)
  );
}

function assertFrame(frameAddress: number, limitBits: number, alignBits: number, format: string): void {
  assert(
    Number.isSafeInteger(frameAddress) && frameAddress >= 0 && frameAddress < 2 ** limitBits,
    `${format} frame address ${frameAddress} must be a non-negative integer below 2^${limitBits}`,
  );
  assert(frameAddress % 2 ** alignBits === 0, `${format} frame address ${frameAddress} must be 2^${alignBits}-aligned`);
}

function encodeX86_64(fields: Partial<EntryFields> & { frameAddress: number }): EntryValue {
  assertFrame(fields.frameAddress, 52, 12, 'x86-64');
  const key = fields.protectionKey ?? 0;
  assert(Number.isInteger(key) && key >= 0 && key <= 15, `protection key ${key} must be 0..15`);
  const addressHigh = Math.floor(fields.frameAddress / TWO_POW_32);
  const addressLow = fields.frameAddress % TWO_POW_32;
  const high = addressHigh | (key << 27) | (fields.executeDisable ? ENTRY_HIGH_XD : 0);
  return { high: high >>> 0, low: (addressLow | flagBits(fields)) >>> 0 };
}

/** 32-bit paging: a 4 MiB PDE splits its frame into bits 31:22 and 39:32 (SDM Table 4-4). */
function encodeX86_32(fields: Partial<EntryFields> & { frameAddress: number }): EntryValue {
  assert(!fields.executeDisable && !fields.protectionKey, '32-bit paging entries have no XD or protection key');
  if (fields.largePage) {
    assertFrame(fields.frameAddress, 40, 22, 'x86-32 4 MiB');
    const bits39to32 = Math.floor(fields.frameAddress / TWO_POW_32);
    const bits31to22 = fields.frameAddress % TWO_POW_32;
    return { high: 0, low: (bits31to22 | (bits39to32 << 13) | flagBits(fields)) >>> 0 };
  }
  assertFrame(fields.frameAddress, 32, 12, 'x86-32');
  return { high: 0, low: (fields.frameAddress | flagBits(fields)) >>> 0 };
}

function encodeOstep(fields: Partial<EntryFields> & { frameAddress: number }, layout: OstepLayout): EntryValue {
  const pfnBits = layout.entryBytes * 8 - 1;
  assertFrame(fields.frameAddress, pfnBits + layout.offsetBits, layout.offsetBits, 'ostep');
  const pfn = fields.frameAddress / 2 ** layout.offsetBits;
  const valid = fields.present ? 2 ** pfnBits : 0;
  return { high: 0, low: (valid + pfn) >>> 0 };
}

/**
 * Builds an entry. Bad arguments are a programmer error (the kernel model and the
 * tests build entries), so they stop the run with an assertion. `layout` is used only
 * by the 'ostep' format and defaults to OSTEP_15's 32-byte pages and 1-byte entries.
 */
export function encodeEntry(
  format: EntryFormat,
  fields: Partial<EntryFields> & { readonly frameAddress: number },
  layout: OstepLayout = OSTEP_DEFAULT_LAYOUT,
): EntryValue {
  switch (format) {
    case 'x86-64':
      return encodeX86_64(fields);
    case 'x86-32':
      return encodeX86_32(fields);
    case 'ostep':
      return encodeOstep(fields, layout);
  }
}

function decodeFlags(low: number): Omit<EntryFields, 'frameAddress' | 'executeDisable' | 'protectionKey'> {
  return {
    present: (low & ENTRY_P) !== 0,
    writable: (low & ENTRY_RW) !== 0,
    user: (low & ENTRY_US) !== 0,
    writeThrough: (low & ENTRY_PWT) !== 0,
    cacheDisable: (low & ENTRY_PCD) !== 0,
    accessed: (low & ENTRY_A) !== 0,
    dirty: (low & ENTRY_D) !== 0,
    largePage: (low & ENTRY_PS) !== 0,
    global: (low & ENTRY_G) !== 0,
  };
}

/**
 * Reads an entry back into fields, the inverse of `encodeEntry`. Bit 7 is reported as
 * `largePage` whatever the level (in a PTE it is PAT), and a 32-bit entry with bit 7
 * set is decoded with the 4 MiB frame layout, as `encodeEntry` built it.
 */
export function decodeEntry(
  format: EntryFormat,
  high: number,
  low: number,
  layout: OstepLayout = OSTEP_DEFAULT_LAYOUT,
): EntryFields {
  switch (format) {
    case 'x86-64':
      return {
        ...decodeFlags(low),
        frameAddress: (high & 0xfffff) * TWO_POW_32 + ((low & 0xfffff000) >>> 0),
        executeDisable: (high & ENTRY_HIGH_XD) !== 0,
        protectionKey: (high >>> 27) & 0xf,
      };
    case 'x86-32': {
      const flags = decodeFlags(low);
      const frameAddress = flags.largePage
        ? ((low >>> 13) & 0xff) * TWO_POW_32 + ((low & 0xffc00000) >>> 0)
        : (low & 0xfffff000) >>> 0;
      return { ...flags, frameAddress, executeDisable: false, protectionKey: 0 };
    }
    case 'ostep': {
      const pfnBits = layout.entryBytes * 8 - 1;
      const pfn = (low >>> 0) % 2 ** pfnBits;
      return {
        ...decodeFlags(0),
        present: isOstepValid(layout.entryBytes, low),
        frameAddress: pfn * 2 ** layout.offsetBits,
        executeDisable: false,
        protectionKey: 0,
      };
    }
  }
}

/**
 * Names of the flags an entry sets, in bit order: P, RW, US, PWT, PCD, A, D, PS, PAT,
 * G, XD, PK=n. A not-present entry names nothing (its other bits are ignored, SDM
 * Figures 4-4 and 4-11). D, G, PAT and the protection key exist only in an entry that
 * maps a page — the last level, or a level that allows large pages with PS=1; bit 7 is
 * PS above the last level and PAT at it. PK=n is shown for a non-zero key. An 'ostep'
 * entry (of `ostepEntryBytes` bytes) names only V, its valid bit.
 */
export function entryFlagNames(
  format: EntryFormat,
  high: number,
  low: number,
  isLeaf: boolean,
  levelAllowsLarge: boolean,
  ostepEntryBytes = 1,
): string[] {
  if (format === 'ostep') return isOstepValid(ostepEntryBytes, low) ? ['V'] : [];
  if ((low & ENTRY_P) === 0) return [];
  const names = ['P'];
  if (low & ENTRY_RW) names.push('RW');
  if (low & ENTRY_US) names.push('US');
  if (low & ENTRY_PWT) names.push('PWT');
  if (low & ENTRY_PCD) names.push('PCD');
  if (low & ENTRY_A) names.push('A');
  const mapsPage = isLeaf || (levelAllowsLarge && (low & ENTRY_PS) !== 0);
  if (mapsPage && low & ENTRY_D) names.push('D');
  if (!isLeaf && low & ENTRY_PS) names.push('PS');
  if (mapsPage && (isLeaf ? low & ENTRY_PS : low & ENTRY_LARGE_PAT)) names.push('PAT');
  if (mapsPage && low & ENTRY_G) names.push('G');
  if (format === 'x86-64') {
    if (high & ENTRY_HIGH_XD) names.push('XD');
    const key = (high >>> 27) & 0xf;
    if (mapsPage && key !== 0) names.push(`PK=${key}`);
  }
  return names;
}

/** The valid bit of an OSTEP-style entry: its top bit. */
export function isOstepValid(entryBytes: number, low: number): boolean {
  return Math.floor((low >>> 0) / 2 ** (entryBytes * 8 - 1)) % 2 === 1;
}

/**
 * An entry as "0x…" in the project's canonical JSON form for 64-bit values (lower
 * case, no leading zeros, as `hex` in core/u64.ts prints them), so an entry written by
 * a walk and the same entry written on a TLB hit print identically in a trace. The
 * value is first cut to the entry's `bytes`; `format` is accepted for symmetry with
 * the other helpers (every format prints the same way).
 */
export function entryHex(format: EntryFormat, bytes: number, high: number, low: number): string {
  const lowPart = bytes >= 4 ? low >>> 0 : (low >>> 0) % 2 ** (bytes * 8);
  const highPart = bytes >= 8 ? high >>> 0 : 0;
  if (highPart === 0) return '0x' + lowPart.toString(16);
  return '0x' + highPart.toString(16) + lowPart.toString(16).padStart(8, '0');
}
