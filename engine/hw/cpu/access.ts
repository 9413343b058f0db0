/**
 * A memory access by the CPU: canonical check, TLB lookup, page walk on a miss,
 * access-rights check, accessed/dirty write-back, then the data read or write.
 * Follows Intel SDM Vol. 3A §4.6 (rights), §4.7 (#PF error code), §4.8 (A/D flags),
 * §4.10.2 (TLB fills), §4.10.4.1 (a #PF invalidates the faulting page's entries) and
 * Vol. 1 §3.3.7.1 (a non-canonical address raises #GP(0)).
 *
 * Left out: segmentation limits, the #SS variant for stack accesses, memory types and
 * caching, paging-structure caches (every miss walks from CR3).
 */
import type { Command, EventDraft } from '../../core/decider.js';
import { hexToBytes, bytesToHex } from '../../core/bytes.js';
import { hex, isCanonical } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { checkRights, splitVirtual, translate } from '../mmu/index.js';
import type { AccessKind, AccessRequest, EntryUpdate, PagingControl, Rights } from '../mmu/types.js';
import { invalidatePage } from '../tlb/flush.js';
import { pageNumberOf, tlbLookup, tlbVictim, type TlbEntry } from '../tlb/state.js';
import { currentPcid, pagingControlOf } from './control.js';
import { CR0_PG, hasBit, VECTORS } from './registers.js';

export interface AccessData {
  readonly va: bigint;
  readonly kind: AccessKind;
  /** Bytes accessed, 1..8 (or longer for string writes). */
  readonly size: number;
  /** For writes: the bytes, lowest address first, in hex. */
  readonly bytes?: string;
  readonly cpl?: number;
  readonly ac?: boolean;
  /** Who performs the access: a process name, 'kernel' or 'cpu'. */
  readonly by: string;
}

export type AccessCommand = Command<'cpu.access', AccessData>;

interface Piece {
  readonly va: bigint;
  readonly size: number;
  readonly offset: number;
}

/** Splits an access at base-page boundaries: each piece is translated on its own. */
function piecesOf(va: bigint, size: number, offsetBits: number): Piece[] {
  const pageBytes = 2 ** offsetBits;
  const pieces: Piece[] = [];
  let offset = 0;
  while (offset < size) {
    const at = va + BigInt(offset);
    const inPage = Number(at % BigInt(pageBytes));
    const count = Math.min(pageBytes - inPage, size - offset);
    pieces.push({ va: at, size: count, offset });
    offset += count;
  }
  return pieces;
}

export function decideAccess(state: MachineState, command: Command): EventDraft[] {
  const data = (command as AccessCommand).data;
  const { cpu, config } = state;
  const control = pagingControlOf(cpu, config, { cpl: data.cpl, ac: data.ac });
  const drafts: EventDraft[] = [
    {
      type: 'cpu.accessStarted',
      actor: data.by,
      data: { va: hex(data.va), kind: data.kind, size: data.size, cpl: control.cpl, ac: control.rflagsAc },
    },
  ];
  const geometry = config.geometry;
  if (geometry.canonical && !isCanonical(data.va, geometry.linearBits)) {
    drafts.push(exception(data.by, VECTORS.GP, 0, null, control.cpl, `${hex(data.va)} is not canonical`));
    return drafts;
  }
  const physical: number[] = [];
  for (const piece of piecesOf(data.va, data.size, geometry.offsetBits)) {
    const address = hasBit(cpu.cr0, CR0_PG) ? translatePiece(state, control, data, piece, drafts) : Number(piece.va);
    if (address === null) return drafts;
    physical.push(address);
  }
  performData(state, data, control.cpl, physical, piecesOf(data.va, data.size, geometry.offsetBits), drafts);
  return drafts;
}

/** Translates one piece through the TLB or a walk; null after a fault. */
function translatePiece(
  state: MachineState,
  control: PagingControl,
  data: AccessData,
  piece: Piece,
  drafts: EventDraft[],
): number | null {
  const { cpu, config, tlb } = state;
  const geometry = config.geometry;
  const { high, low } = splitVirtual(piece.va);
  const request: AccessRequest = { kind: data.kind, vaHigh: high, vaLow: low };
  const pcid = currentPcid(cpu);
  const slot = tlbLookup(tlb, pcid, high, low, geometry.linearBits);
  const va = hex(piece.va);
  if (slot >= 0) {
    const entry = tlb.slots[slot]!;
    drafts.push({ type: 'tlb.hit', actor: 'tlb', data: { va, pcid, slot } });
    const violation = checkRights(rightsOf(entry), request, control, geometry.format);
    if (violation !== null) {
      pageFault(state, data, piece, violation.errorCode, violation.reason, control.cpl, high, low, pcid, drafts);
      return null;
    }
    if (data.kind === 'write' && !entry.dirty) setDirtyThroughTlb(state, entry, slot, drafts);
    return entry.frameBase + offsetInPage(high, low, geometry.linearBits, entry.pageShift);
  }
  drafts.push({ type: 'tlb.missed', actor: 'tlb', data: { va, pcid } });
  const walk = translate(geometry, control, request, (address, bytes) => state.memory.store.readEntry(address, bytes));
  for (const step of walk.steps) drafts.push({ type: 'mmu.walkStepped', actor: 'mmu', data: { va, ...step } });
  drafts.push(...entryUpdates(walk.updates));
  if (walk.kind === 'fault') {
    pageFault(state, data, piece, walk.errorCode, walk.reason, control.cpl, high, low, pcid, drafts);
    return null;
  }
  drafts.push({
    type: 'mmu.translated',
    actor: 'mmu',
    data: { va, physicalAddress: walk.physicalAddress, pageShift: walk.pageShift, rights: walk.rights },
  });
  const entry: TlbEntry = {
    pcid,
    pageNumber: pageNumberOf(high, low, geometry.linearBits, walk.pageShift),
    pageShift: walk.pageShift,
    frameBase: walk.frameBase,
    writable: walk.rights.writable,
    user: walk.rights.user,
    executable: walk.rights.executable,
    global: walk.rights.global,
    dirty: walk.dirty,
    pkey: walk.rights.pkey,
    leafEntryAddress: walk.leafEntryAddress,
    lastUse: 0,
  };
  const victim = tlbVictim(tlb);
  drafts.push({ type: 'tlb.filled', actor: 'tlb', data: { va, slot: victim, entry, evicted: tlb.slots[victim] ?? null } });
  return walk.physicalAddress;
}

/** The accessed/dirty flags the walk set, written back into the entries (SDM §4.8). */
function entryUpdates(updates: readonly EntryUpdate[]): EventDraft[] {
  return updates.map((update) => ({
    type: 'memory.entryWritten',
    actor: 'mmu',
    data: {
      address: update.entryAddress,
      entryBytes: update.entryBytes,
      before: update.before,
      after: update.after,
      by: 'mmu',
      why: update.setDirty ? (update.setAccessed ? 'accessed+dirty' : 'dirty') : 'accessed',
    },
  }));
}

function rightsOf(entry: TlbEntry): Rights {
  return { writable: entry.writable, user: entry.user, executable: entry.executable, global: entry.global, pkey: entry.pkey };
}

function offsetInPage(high: number, low: number, linearBits: number, pageShift: number): number {
  if (pageShift <= 31) return low % 2 ** pageShift;
  return (pageNumberOf(high, low, linearBits, 0) % 2 ** (pageShift - 32)) * 2 ** 32 + low;
}

/**
 * A write through a TLB entry whose page was clean: the processor sets D in the leaf
 * entry in memory before the write completes (SDM §4.8), then the entry is dirty.
 */
function setDirtyThroughTlb(state: MachineState, entry: TlbEntry, slot: number, drafts: EventDraft[]): void {
  const bytes = state.config.geometry.entryBytes;
  const { high, low } = state.memory.store.readEntry(entry.leafEntryAddress, bytes);
  const beforeValue = BigInt(high) * 2n ** 32n + BigInt(low);
  const afterValue = beforeValue | 0x40n;
  drafts.push({
    type: 'memory.entryWritten',
    actor: 'mmu',
    data: {
      address: entry.leafEntryAddress,
      entryBytes: bytes,
      before: hex(beforeValue),
      after: hex(afterValue),
      by: 'mmu',
      why: 'dirty',
    },
  });
  drafts.push({ type: 'tlb.dirtied', actor: 'tlb', data: { slot } });
}

function pageFault(
  state: MachineState,
  data: AccessData,
  piece: Piece,
  errorCode: number,
  reason: string,
  cpl: number,
  high: number,
  low: number,
  pcid: number,
  drafts: EventDraft[],
): void {
  const geometry = state.config.geometry;
  const stale = invalidatePage(state.tlb, 'tlb', piece.va, high, low, geometry.linearBits, pcid, 'a #PF invalidates the faulting page (SDM §4.10.4.1)');
  if ((stale[0]!.data as { slots: number[] }).slots.length > 0) drafts.push(...stale);
  drafts.push(exception(data.by, VECTORS.PF, errorCode, piece.va, cpl, reason));
}

export function exception(
  actor: string,
  vector: number,
  errorCode: number | null,
  address: bigint | null,
  cpl: number,
  reason: string,
): EventDraft {
  return {
    type: 'cpu.exceptionRaised',
    actor,
    data: { vector, errorCode, address: address === null ? null : hex(address), cpl, reason },
  };
}

function performData(
  state: MachineState,
  data: AccessData,
  cpl: number,
  physical: readonly number[],
  pieces: readonly Piece[],
  drafts: EventDraft[],
): void {
  const store = state.memory.store;
  if (data.kind === 'fetch') {
    drafts.push({ type: 'cpu.fetched', actor: data.by, data: { va: hex(data.va), address: physical[0]!, cpl } });
    return;
  }
  if (data.kind === 'read') {
    pieces.forEach((piece, i) => {
      const bytes = store.read(physical[i]!, piece.size);
      drafts.push({
        type: 'memory.read',
        actor: data.by,
        data: { address: physical[i]!, size: piece.size, value: littleEndianHex(bytes), bytes: bytesToHex(bytes), by: data.by, cpl },
      });
    });
    return;
  }
  const all = hexToBytes(data.bytes ?? '');
  pieces.forEach((piece, i) => {
    const bytes = all.subarray(piece.offset, piece.offset + piece.size);
    drafts.push({
      type: 'memory.written',
      actor: data.by,
      data: {
        address: physical[i]!,
        bytes: bytesToHex(bytes),
        before: bytesToHex(store.read(physical[i]!, piece.size)),
        by: data.by,
        cpl,
      },
    });
  });
}

/** The value of little-endian bytes as "0x…" (most significant byte first). */
export function littleEndianHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = bytes.length - 1; i >= 0; i--) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return '0x' + (out.replace(/^0+(?=.)/, '') || '0');
}
