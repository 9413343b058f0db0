/**
 * A memory access by the CPU: canonical check, TLB lookup, page walk on a miss,
 * access-rights check, accessed/dirty write-back, then the data read or write.
 * Follows Intel SDM Vol. 3A §4.6 (rights), §4.7 (#PF error code), §4.8 (A/D flags),
 * §4.10.2 (TLB fills), §4.10.4.1 (a #PF invalidates the faulting page's entries) and
 * Vol. 1 §3.3.7.1 (a non-canonical address raises #GP(0)).
 *
 * Left out: segmentation limits, the #SS variant for stack accesses, memory types and
 * caching, paging-structure caches (every miss walks from CR3).
 *
 * Hot path (DESIGN.md, "Speed"): the address is split into 32-bit halves once and its
 * hex form computed once; an access inside one page takes no bigint arithmetic.
 */
import type { Command, EventDraft } from '../../core/decider.js';
import { littleEndianHexOfHex } from '../../core/bytes.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { checkRights, isAddressInRange, splitVirtual, translate } from '../mmu/index.js';
import type { AccessKind, AccessRequest, EntryUpdate, PagingControl, Rights } from '../mmu/types.js';
import { invalidatePage } from '../tlb/flush.js';
import { pageNumberOf, tlbLookup, tlbVictim, type TlbEntry } from '../tlb/state.js';
import { currentPcid, pagingControlOf } from './control.js';
import { CR0_PG, hasBit, VECTORS } from './registers.js';

export interface AccessData {
  readonly va: bigint;
  readonly kind: AccessKind;
  /** Bytes accessed, 1..4096. */
  readonly size: number;
  /** For writes: the bytes, lowest address first, in hex. */
  readonly bytes?: string;
  readonly cpl?: number;
  readonly ac?: boolean;
  /** Who performs the access: a process name, 'kernel' or 'cpu'. */
  readonly by: string;
}

export type AccessCommand = Command<'cpu.access', AccessData>;

/** A part of an access that lies within one base page. */
interface Piece {
  readonly high: number;
  readonly low: number;
  readonly va: string;
  readonly size: number;
  /** Offset of the piece within the whole access. */
  readonly offset: number;
}

function piecesOf(data: AccessData, high: number, low: number, vaHex: string, offsetBits: number): Piece[] {
  const pageBytes = 2 ** offsetBits;
  const inPage = offsetBits >= 32 ? low : low % pageBytes;
  if (inPage + data.size <= pageBytes) return [{ high, low, va: vaHex, size: data.size, offset: 0 }];
  const pieces: Piece[] = [];
  let offset = 0;
  while (offset < data.size) {
    const at = data.va + BigInt(offset);
    const halves = splitVirtual(at);
    const count = Math.min(pageBytes - (halves.low % pageBytes), data.size - offset);
    pieces.push({ high: halves.high, low: halves.low, va: hex(at), size: count, offset });
    offset += count;
  }
  return pieces;
}

export function decideAccess(state: MachineState, command: Command): EventDraft[] {
  const data = (command as AccessCommand).data;
  const { cpu, config } = state;
  const control = pagingControlOf(cpu, config, { cpl: data.cpl, ac: data.ac });
  const vaHex = hex(data.va);
  const drafts: EventDraft[] = [
    { type: 'cpu.accessStarted', actor: data.by, data: { va: vaHex, kind: data.kind, size: data.size, cpl: control.cpl, ac: control.rflagsAc } },
  ];
  const geometry = config.geometry;
  const { high, low } = splitVirtual(data.va);
  if (geometry.canonical && !isAddressInRange(geometry, high, low)) {
    drafts.push(exception(data.by, VECTORS.GP, 0, null, control.cpl, `${vaHex} is not canonical`));
    return drafts;
  }
  const pieces = piecesOf(data, high, low, vaHex, geometry.offsetBits);
  const physical: number[] = [];
  const userPages: boolean[] = [];
  const paging = hasBit(cpu.cr0, CR0_PG);
  for (const piece of pieces) {
    const translation = paging ? translatePiece(state, control, data.kind, data.by, piece, drafts) : { address: high * 2 ** 32 + low + piece.offset, user: false };
    if (translation === null) return drafts;
    physical.push(translation.address);
    userPages.push(translation.user);
  }
  performData(state, data, { cpl: control.cpl, ac: control.rflagsAc }, physical, userPages, pieces, drafts);
  return drafts;
}

interface Translation {
  readonly address: number;
  /** U/S=1 at every level: a user-mode address (SDM §4.6). */
  readonly user: boolean;
}

/** Translates one piece through the TLB or a walk; null after a fault. */
function translatePiece(state: MachineState, control: PagingControl, kind: AccessKind, by: string, piece: Piece, drafts: EventDraft[]): Translation | null {
  const { cpu, config, tlb } = state;
  const geometry = config.geometry;
  const request: AccessRequest = { kind, vaHigh: piece.high, vaLow: piece.low };
  const pcid = currentPcid(cpu);
  const slot = tlbLookup(tlb, pcid, piece.high, piece.low, geometry.linearBits);
  const va = piece.va;
  if (slot >= 0) {
    const entry = tlb.slots[slot]!;
    drafts.push({ type: 'tlb.hit', actor: 'tlb', data: { va, pcid, slot } });
    const violation = checkRights(rightsOf(entry), request, control, geometry.format);
    if (violation !== null) {
      pageFault(state, by, piece, violation.errorCode, violation.reason, control.cpl, pcid, drafts);
      return null;
    }
    if (kind === 'write' && !entry.dirty && geometry.format !== 'ostep') setDirtyThroughTlb(state, entry, slot, drafts);
    return { address: entry.frameBase + offsetInPage(piece.high, piece.low, geometry.linearBits, entry.pageShift), user: entry.user };
  }
  drafts.push({ type: 'tlb.missed', actor: 'tlb', data: { va, pcid } });
  const store = state.memory.store;
  const walk = translate(geometry, control, request, (address, bytes) => store.readEntry(address, bytes));
  for (const step of walk.steps) drafts.push({ type: 'mmu.walkStepped', actor: 'mmu', data: { va, ...step } });
  drafts.push(...entryUpdates(walk.updates));
  if (walk.kind === 'fault') {
    pageFault(state, by, piece, walk.errorCode, walk.reason, control.cpl, pcid, drafts);
    return null;
  }
  drafts.push({
    type: 'mmu.translated',
    actor: 'mmu',
    data: { va, physicalAddress: walk.physicalAddress, pageShift: walk.pageShift, rights: walk.rights },
  });
  const entry: TlbEntry = {
    pcid,
    pageNumber: pageNumberOf(piece.high, piece.low, geometry.linearBits, walk.pageShift),
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
  return { address: walk.physicalAddress, user: walk.rights.user };
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
  if (pageShift < 32) return (low >>> 0) % 2 ** pageShift;
  return (pageNumberOf(high, low, linearBits, 0) % 2 ** (pageShift - 32)) * 2 ** 32 + low;
}

/**
 * A write through a TLB entry whose page was clean: the processor sets D in the leaf
 * entry in memory before the write completes (SDM §4.8), then the entry is dirty.
 */
function setDirtyThroughTlb(state: MachineState, entry: TlbEntry, slot: number, drafts: EventDraft[]): void {
  const bytes = state.config.geometry.entryBytes;
  const { high, low } = state.memory.store.readEntry(entry.leafEntryAddress, bytes);
  const beforeValue = BigInt(high >>> 0) * 2n ** 32n + BigInt(low >>> 0);
  drafts.push({
    type: 'memory.entryWritten',
    actor: 'mmu',
    data: { address: entry.leafEntryAddress, entryBytes: bytes, before: hex(beforeValue), after: hex(beforeValue | 0x40n), by: 'mmu', why: 'dirty' },
  });
  drafts.push({ type: 'tlb.dirtied', actor: 'tlb', data: { slot } });
}

function pageFault(state: MachineState, by: string, piece: Piece, errorCode: number, reason: string, cpl: number, pcid: number, drafts: EventDraft[]): void {
  const geometry = state.config.geometry;
  const va = BigInt(piece.va);
  const stale = invalidatePage(state.tlb, 'tlb', va, piece.high, piece.low, geometry.linearBits, pcid, 'a #PF invalidates the faulting page (SDM §4.10.4.1)');
  if ((stale[0]!.data as { slots: number[] }).slots.length > 0) drafts.push(...stale);
  drafts.push(exception(by, VECTORS.PF, errorCode, va, cpl, reason));
}

export function exception(actor: string, vector: number, errorCode: number | null, address: bigint | null, cpl: number, reason: string): EventDraft {
  return {
    type: 'cpu.exceptionRaised',
    actor,
    data: { vector, errorCode, address: address === null ? null : hex(address), cpl, reason },
  };
}

/**
 * The data part of the access. Each event names the CPL, EFLAGS.AC and whether the page
 * was a user-mode address, so invariants can state SMAP/SMEP-style promises.
 */
function performData(
  state: MachineState,
  data: AccessData,
  mode: { readonly cpl: number; readonly ac: boolean },
  physical: readonly number[],
  userPages: readonly boolean[],
  pieces: readonly Piece[],
  drafts: EventDraft[],
): void {
  const { cpl, ac } = mode;
  const store = state.memory.store;
  if (data.kind === 'fetch') {
    drafts.push({ type: 'cpu.fetched', actor: data.by, data: { va: pieces[0]!.va, address: physical[0]!, cpl, ac, user: userPages[0]! } });
    return;
  }
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const address = physical[i]!;
    const current = store.readHex(address, piece.size);
    if (data.kind === 'read') {
      drafts.push({
        type: 'memory.read',
        actor: data.by,
        data: { address, size: piece.size, value: littleEndianHexOfHex(current), bytes: current, by: data.by, cpl, ac, user: userPages[i]! },
      });
    } else {
      const all = data.bytes ?? '';
      const bytes = pieces.length === 1 ? all : all.slice(piece.offset * 2, (piece.offset + piece.size) * 2);
      drafts.push({ type: 'memory.written', actor: data.by, data: { address, bytes, before: current, by: data.by, cpl, ac, user: userPages[i]! } });
    }
  }
}
