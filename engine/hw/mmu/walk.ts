/**
 * The page walk: translating a linear address through the paging structures, as in
 * Intel SDM Vol. 3A §4.2 (the iterative procedure), §4.3 (32-bit paging) and §4.5
 * (4-level and 5-level paging), for any geometry in geometry.ts.
 *
 * A walk reads one entry per level through a callback and records each read as a
 * WalkStep. It stops with a #PF when an entry is not present (P=0) or sets a reserved
 * bit (§4.3, §4.5: "the entry is used neither to reference another paging-structure
 * entry nor to map a page"), maps a large page where PS=1 is allowed, combines the
 * rights of every entry used (§4.6), and finally asks `checkRights` — the same function
 * a TLB hit uses — whether the access is allowed. It returns the accessed/dirty
 * updates (§4.8) as data; it never writes memory itself.
 *
 * Assumptions, all true of the processors the scenarios describe: the PAT is supported
 * (bit 7 of a PTE and bit 12 of a large-page entry are PAT, never reserved), 1 GiB
 * pages are supported where the geometry lists them, and 32-bit paging has PSE-36.
 * Canonicality is not checked here: a non-canonical address raises #GP before paging
 * (see `isAddressInRange`); bits at and above `linearBits` are ignored.
 *
 * Hot path: no bigint, only 32-bit operations on entry and address halves.
 */
import type { AccessRequest, EntryFormat, EntryUpdate, PagingControl, PagingGeometry, Rights, WalkResult, WalkStep } from './types.js';
import { PF_P, PF_RSVD } from './types.js';
import { bitsOfHalves, lowBitsOfHalves } from './geometry.js';
import type { EntryValue } from './entry.js';
import { ENTRY_A, ENTRY_D, ENTRY_G, ENTRY_HIGH_XD, ENTRY_P, ENTRY_PS, ENTRY_RW, ENTRY_US, entryFlagNames, entryHex, isOstepValid } from './entry.js';
import { accessErrorBits, checkRights } from './rights.js';
import { InternalError } from '../../core/errors.js';

/** Reads `bytes` bytes of physical memory at `address` as two 32-bit halves. */
export type ReadEntry = (address: number, bytes: number) => EntryValue;

const TWO_POW_32 = 2 ** 32;

/** The entries a walk has read so far: parallel arrays, top level first. */
interface WalkCursor {
  readonly steps: WalkStep[];
  readonly addresses: number[];
  readonly highs: number[];
  readonly lows: number[];
}

/** How one entry directs the walk: on to a table, to a page frame, or to a fault. */
const NEXT_TABLE = 0;
const MAPS_PAGE = 1;
const NOT_PRESENT = 2;
const RESERVED = 3;

/**
 * Translates `request` under `control`: one WalkStep per entry read, then either the
 * physical address with the combined rights and the A/D updates, or a #PF.
 *
 * A/D choice (SDM §4.8; Vol. 3A ch. 6, "Interrupt 14—Page-Fault Exception", footnote
 * on CR2): a successful access sets A in every entry used and, for a write, D in the
 * entry that maps the page. When the translation exists but the access violates its
 * rights, §4.8 still applies — the entries were used for the translation — and the
 * footnote says the page-directory entry's A flag "is set when the fault occurs" while
 * the page-table entry's is model specific; we set A in every entry, leaf included,
 * and never D. When the walk stops at a not-present or reserved entry there is no
 * translation, and we set nothing (the processor may, §4.10.3.1, but need not).
 */
export function translate(
  geometry: PagingGeometry,
  control: PagingControl,
  request: AccessRequest,
  readEntry: ReadEntry,
  /** False for checks that need only the result (invariants): no step records are built. */
  recordSteps = true,
): WalkResult {
  const cursor: WalkCursor = { steps: [], addresses: [], highs: [], lows: [] };
  const levelCount = geometry.levelIndexBits.length;
  let tableAddress = control.rootAddress;
  let lowBit = geometry.linearBits;
  for (let level = 0; level < levelCount; level++) {
    lowBit -= geometry.levelIndexBits[level]!;
    const isLast = level === levelCount - 1;
    const largeAllowed = !isLast && largePageAllowed(geometry, control, level);
    readStep(geometry, request, readEntry, cursor, level, tableAddress, lowBit, isLast, largeAllowed, recordSteps);
    const high = cursor.highs[level]!;
    const low = cursor.lows[level]!;
    const outcome = classifyEntry(geometry, control, high, low, isLast, largeAllowed, lowBit);
    if (outcome === NOT_PRESENT) return notPresentFault(geometry, control, request, cursor, level);
    if (outcome === RESERVED) return reservedFault(geometry, control, request, cursor, level, lowBit, largeAllowed);
    if (outcome === MAPS_PAGE) return finishWalk(geometry, control, request, cursor, lowBit);
    tableAddress = nextTableAddress(geometry, high, low);
  }
  throw new InternalError(`the walk of ${geometry.name} ended without mapping a page or faulting`);
}

/** Large pages need PS=1 at a level the geometry allows; 32-bit paging also needs CR4.PSE (§4.3). */
function largePageAllowed(geometry: PagingGeometry, control: PagingControl, level: number): boolean {
  if (geometry.format === 'x86-32' && !control.cr4Pse) return false;
  return geometry.largePageLevels.includes(level);
}

function readStep(
  geometry: PagingGeometry,
  request: AccessRequest,
  readEntry: ReadEntry,
  cursor: WalkCursor,
  level: number,
  tableAddress: number,
  lowBit: number,
  isLast: boolean,
  largeAllowed: boolean,
  record: boolean,
): void {
  const format = geometry.format;
  const bytes = geometry.entryBytes;
  const index = bitsOfHalves(request.vaHigh, request.vaLow, lowBit, geometry.levelIndexBits[level]!);
  const entryAddress = tableAddress + index * bytes;
  const raw = readEntry(entryAddress, bytes);
  const high = bytes === 8 ? raw.high >>> 0 : 0;
  const low = bytes >= 4 ? raw.low >>> 0 : (raw.low >>> 0) % 2 ** (bytes * 8);
  cursor.addresses.push(entryAddress);
  cursor.highs.push(high);
  cursor.lows.push(low);
  if (!record) return;
  cursor.steps.push({
    level,
    levelName: geometry.levelNames[level]!,
    tableAddress,
    index,
    entryAddress,
    entry: entryHex(format, bytes, high, low),
    flags: entryFlagNames(format, high, low, isLast, largeAllowed, bytes),
  });
}

function classifyEntry(
  geometry: PagingGeometry,
  control: PagingControl,
  high: number,
  low: number,
  isLast: boolean,
  largeAllowed: boolean,
  pageShift: number,
): number {
  if (geometry.format === 'ostep') {
    if (!isOstepValid(geometry.entryBytes, low)) return NOT_PRESENT;
    return isLast ? MAPS_PAGE : NEXT_TABLE;
  }
  if ((low & ENTRY_P) === 0) return NOT_PRESENT;
  const largeEntry = !isLast && (low & ENTRY_PS) !== 0;
  if (reservedBitsSet(geometry.format, control, high, low, largeEntry, largeAllowed, pageShift)) return RESERVED;
  return isLast || (largeAllowed && largeEntry) ? MAPS_PAGE : NEXT_TABLE;
}

/** The address of the next table: bits 51:12 (x86-64), 31:12 (x86-32), or PFN << offsetBits (ostep). */
function nextTableAddress(geometry: PagingGeometry, high: number, low: number): number {
  switch (geometry.format) {
    case 'x86-64':
      return (high & 0xfffff) * TWO_POW_32 + ((low & 0xfffff000) >>> 0);
    case 'x86-32':
      return (low & 0xfffff000) >>> 0;
    case 'ostep':
      return ((low >>> 0) % 2 ** (geometry.entryBytes * 8 - 1)) * 2 ** geometry.offsetBits;
  }
}

/**
 * The frame of a page of 2^pageShift bytes. A large page's address bits below
 * pageShift are reserved (already checked zero) or PAT (bit 12), so they are cleared.
 * A 4 MiB page of 32-bit paging takes address bits 39:32 from entry bits 20:13 (§4.3).
 */
function frameBaseOf(geometry: PagingGeometry, high: number, low: number, pageShift: number, large: boolean): number {
  if (geometry.format === 'ostep') return nextTableAddress(geometry, high, low);
  if (geometry.format === 'x86-32') {
    if (!large) return (low & 0xfffff000) >>> 0;
    return ((low >>> 13) & 0xff) * TWO_POW_32 + ((low & 0xffc00000) >>> 0);
  }
  let addressHigh = high & 0xfffff;
  let addressLow = (low & 0xfffff000) >>> 0;
  if (pageShift >= 32) {
    addressLow = 0;
    addressHigh &= ~((1 << (pageShift - 32)) - 1);
  } else if (large) {
    addressLow = (addressLow & ~((1 << pageShift) - 1)) >>> 0;
  }
  return addressHigh * TWO_POW_32 + addressLow;
}

/**
 * Reserved bits of a present x86 entry (a set one means there is no translation).
 *
 * 4-level/5-level paging (§4.5): bits 51:MAXPHYADDR; XD when IA32_EFER.NXE = 0; PS in
 * an entry of a level without large pages (the PML4E and PML5E); bits (s−1):13 of an
 * entry mapping a 2^s-byte page (29:13 for 1 GiB, 20:13 for 2 MiB).
 * 32-bit paging (§4.3): reserved bits exist only when CR4.PSE = 1, in a PDE with PS=1:
 * bits 21:(M−19) with PSE-36, where M = min(40, MAXPHYADDR).
 *
 * Called for every entry of every walk, so it only tests masks and allocates nothing;
 * `describeReservedBits` says which rule fired once a fault is certain.
 */
function reservedBitsSet(
  format: EntryFormat,
  control: PagingControl,
  high: number,
  low: number,
  largeEntry: boolean,
  largeAllowed: boolean,
  pageShift: number,
): boolean {
  if (format === 'x86-32') return largeEntry && largeAllowed && (low & pse36ReservedMask(control)) !== 0;
  if (aboveMaxPhyAddr(control, high, low)) return true;
  if (!control.efer_nxe && (high & ENTRY_HIGH_XD) !== 0) return true;
  if (!largeEntry) return false;
  return !largeAllowed || largePageReservedSet(high, low, pageShift);
}

function describeReservedBits(
  format: EntryFormat,
  control: PagingControl,
  high: number,
  low: number,
  largeEntry: boolean,
  largeAllowed: boolean,
  pageShift: number,
): string {
  if (format === 'x86-32') {
    const m = pse36Limit(control);
    return `bits 21:${m - 19} of a 4 MiB PDE (PSE-36 with MAXPHYADDR=${control.maxPhyAddr})`;
  }
  const reasons: string[] = [];
  if (aboveMaxPhyAddr(control, high, low)) reasons.push(`bits 51:${maxPhyLimit(control)} (above MAXPHYADDR)`);
  if (!control.efer_nxe && (high & ENTRY_HIGH_XD) !== 0) reasons.push('XD (bit 63) while IA32_EFER.NXE=0');
  if (largeEntry && !largeAllowed) reasons.push('PS (bit 7) at a level without large pages');
  if (largeEntry && largeAllowed && largePageReservedSet(high, low, pageShift)) {
    reasons.push(`bits ${pageShift - 1}:13 of a ${largePageName(pageShift)} page entry`);
  }
  return reasons.join('; ');
}

function maxPhyLimit(control: PagingControl): number {
  return Math.min(52, Math.max(12, control.maxPhyAddr));
}

function pse36Limit(control: PagingControl): number {
  return Math.min(40, Math.max(32, control.maxPhyAddr));
}

function pse36ReservedMask(control: PagingControl): number {
  return halfMask(pse36Limit(control) - 19, 21);
}

/** Bits 51:MAXPHYADDR of an x86-64 entry: bits 19:(M−32) of the high half, and M..31 of the low half when M < 32. */
function aboveMaxPhyAddr(control: PagingControl, high: number, low: number): boolean {
  const m = maxPhyLimit(control);
  return (high & halfMask(Math.max(0, m - 32), 19)) !== 0 || (low & halfMask(m, 31)) !== 0;
}

function largePageName(pageShift: number): string {
  if (pageShift === 30) return '1 GiB';
  if (pageShift === 22) return '4 MiB';
  if (pageShift === 21) return '2 MiB';
  return `2^${pageShift}-byte`;
}

/** Mask of bits [from, to] within one 32-bit half, for 0 ≤ from, to ≤ 31 (empty if from > to). */
function halfMask(from: number, to: number): number {
  if (from > to) return 0;
  const width = to - from + 1;
  return width >= 32 ? 0xffffffff : ((1 << width) - 1) << from;
}

/** Bits (pageShift−1):13 of a large-page entry (§4.5: 29:13 for 1 GiB, 20:13 for 2 MiB). */
function largePageReservedSet(high: number, low: number, pageShift: number): boolean {
  if (pageShift <= 13) return false;
  if (pageShift <= 32) return (low & halfMask(13, pageShift - 1)) !== 0;
  return (low & halfMask(13, 31)) !== 0 || (high & halfMask(0, pageShift - 33)) !== 0;
}

function entryName(geometry: PagingGeometry, level: number): string {
  return `${geometry.levelNames[level]!}E`;
}

function notPresentFault(
  geometry: PagingGeometry,
  control: PagingControl,
  request: AccessRequest,
  cursor: WalkCursor,
  level: number,
): WalkResult {
  const missing = geometry.format === 'ostep' ? 'not valid' : 'not present';
  return {
    kind: 'fault',
    steps: cursor.steps,
    errorCode: accessErrorBits(request, control, geometry.format),
    reason: `${entryName(geometry, level)} ${missing}`,
    updates: [],
  };
}

function reservedFault(
  geometry: PagingGeometry,
  control: PagingControl,
  request: AccessRequest,
  cursor: WalkCursor,
  level: number,
  lowBit: number,
  largeAllowed: boolean,
): WalkResult {
  const high = cursor.highs[level]!;
  const low = cursor.lows[level]!;
  const largeEntry = level < geometry.levelIndexBits.length - 1 && (low & ENTRY_PS) !== 0;
  const which = describeReservedBits(geometry.format, control, high, low, largeEntry, largeAllowed, lowBit);
  return {
    kind: 'fault',
    steps: cursor.steps,
    errorCode: PF_P | PF_RSVD | accessErrorBits(request, control, geometry.format),
    reason: `${entryName(geometry, level)} sets reserved bits: ${which}`,
    updates: [],
  };
}

/** Rights combined over the entries used (§4.6, §4.10.2.2): AND of R/W and U/S, OR of XD. */
function combineRights(geometry: PagingGeometry, control: PagingControl, cursor: WalkCursor): Rights {
  if (geometry.format === 'ostep') return { writable: true, user: true, executable: true, global: false, pkey: 0 };
  let writable = true;
  let user = true;
  let executeDisable = false;
  const used = cursor.lows.length;
  for (let i = 0; i < used; i++) {
    const low = cursor.lows[i]!;
    writable = writable && (low & ENTRY_RW) !== 0;
    user = user && (low & ENTRY_US) !== 0;
    executeDisable = executeDisable || (cursor.highs[i]! & ENTRY_HIGH_XD) !== 0;
  }
  const leafHigh = cursor.highs[used - 1]!;
  const x86_64 = geometry.format === 'x86-64';
  return {
    writable,
    user,
    executable: !(x86_64 && control.efer_nxe && executeDisable),
    global: (cursor.lows[used - 1]! & ENTRY_G) !== 0,
    pkey: x86_64 && control.cr4Pke ? (leafHigh >>> 27) & 0xf : 0,
  };
}

/** The A flags (and, for an allowed write, the leaf's D flag) that change, top level first (§4.8). */
function accessedDirtyUpdates(geometry: PagingGeometry, cursor: WalkCursor, setDirty: boolean): EntryUpdate[] {
  const updates: EntryUpdate[] = [];
  if (geometry.format === 'ostep') return updates;
  const used = cursor.lows.length;
  for (let i = 0; i < used; i++) {
    const low = cursor.lows[i]!;
    const dirtyHere = setDirty && i === used - 1 && (low & ENTRY_D) === 0;
    const accessedHere = (low & ENTRY_A) === 0;
    if (!accessedHere && !dirtyHere) continue;
    const after = (low | ENTRY_A | (dirtyHere ? ENTRY_D : 0)) >>> 0;
    const high = cursor.highs[i]!;
    updates.push({
      entryAddress: cursor.addresses[i]!,
      entryBytes: geometry.entryBytes,
      before: entryHex(geometry.format, geometry.entryBytes, high, low),
      after: entryHex(geometry.format, geometry.entryBytes, high, after),
      setAccessed: accessedHere,
      setDirty: dirtyHere,
    });
  }
  return updates;
}

function finishWalk(
  geometry: PagingGeometry,
  control: PagingControl,
  request: AccessRequest,
  cursor: WalkCursor,
  pageShift: number,
): WalkResult {
  const rights = combineRights(geometry, control, cursor);
  const violation = checkRights(rights, request, control, geometry.format);
  if (violation !== null) {
    const updates = accessedDirtyUpdates(geometry, cursor, false);
    return { kind: 'fault', steps: cursor.steps, errorCode: violation.errorCode, reason: violation.reason, updates };
  }
  const leaf = cursor.lows.length - 1;
  const high = cursor.highs[leaf]!;
  const low = cursor.lows[leaf]!;
  const large = leaf < geometry.levelIndexBits.length - 1;
  const frameBase = frameBaseOf(geometry, high, low, pageShift, large);
  const write = request.kind === 'write';
  return {
    kind: 'translated',
    steps: cursor.steps,
    physicalAddress: frameBase + lowBitsOfHalves(request.vaHigh, request.vaLow, pageShift),
    frameBase,
    pageShift,
    rights,
    leafEntryAddress: cursor.addresses[leaf]!,
    dirty: geometry.format !== 'ostep' && (write || (low & ENTRY_D) !== 0),
    updates: accessedDirtyUpdates(geometry, cursor, write),
  };
}
