/**
 * The baseline the engine is measured against: the same semantic work as the engine's
 * `cpu.access`, written as a plain mutable, hand-written loop, the way one would write
 * a fast single-purpose simulator.
 *
 * - Physical memory is one ArrayBuffer (as large as the engine's machine) read through a
 *   DataView; it holds real x86-64 4-level page tables built as the kernel's
 *   PageTableEditor builds them: intermediate entries P|RW|US, leaves P|RW|US, A and D
 *   clear, frames handed out lowest first after the reserved first 4 MiB.
 * - The TLB has 64 slots with the engine's replacement rule exactly (lowest free slot,
 *   else the FIFO pointer, which advances when its slot is refilled), a Map from page
 *   number to slot for lookup, and a full flush on every CR3 load (PCID off).
 * - Each access: canonical check (#GP), TLB lookup, on a miss a 4-level walk reading the
 *   8-byte entries (P, reserved bits, PS for large pages, R/W and U/S combined), the
 *   user/write permission check, A flags (and D on the leaf for a write) written back,
 *   D set in memory on a write through a clean TLB entry, then the 8-byte data move.
 *
 * It counts the events the engine would emit for the same work, so events per second
 * compare like for like, and keeps tallies for the cross-check against the engine.
 * Faults are detected and counted but the workload never causes one.
 */
import { PAGE_BYTES, processIndexOf, type Workload, type WorkloadSpec } from './workload.js';

const P = 1 << 0;
const RW = 1 << 1;
const US = 1 << 2;
const A = 1 << 5;
const D = 1 << 6;
const PS = 1 << 7;
const HIGH_XD = 0x80000000;
const TWO_POW_32 = 2 ** 32;
/** Bits 51:46 of an entry (above MAXPHYADDR 46) are bits 19:14 of the high half. */
const HIGH_RESERVED = 0x000fc000;
const ADDRESS_HIGH = 0x000fffff;
const TLB_SLOTS = 64;
const LEVELS = 4;
const MEMORY_BYTES = 512 * 1024 * 1024;
const FIRST_FREE_FRAME = (4 * 1024 * 1024) / PAGE_BYTES;

/**
 * Events the engine emits for one timer preemption: kernel.nextChosen,
 * cpu.trapEntered, kernel.timerFired, kernel.switched, cpu.registerWritten,
 * tlb.flushed, cpu.contextEntered.
 */
export const EVENTS_PER_SWITCH = 7;

/** What the baseline did, in the engine's terms. */
export interface BaselineTally {
  accesses: number;
  events: number;
  hits: number;
  misses: number;
  walkSteps: number;
  /** A/D updates of the walk plus D set through a clean TLB entry. */
  entryWrites: number;
  dirtied: number;
  reads: number;
  writes: number;
  faults: number;
  switches: number;
  readXorLow: number;
  readXorHigh: number;
}

function emptyTally(): BaselineTally {
  return {
    accesses: 0, events: 0, hits: 0, misses: 0, walkSteps: 0, entryWrites: 0, dirtied: 0,
    reads: 0, writes: 0, faults: 0, switches: 0, readXorLow: 0, readXorHigh: 0,
  };
}

/** The machine: memory, page tables per process, TLB, CR3. All mutable. */
export class MutableMachine {
  private readonly memory = new DataView(new ArrayBuffer(MEMORY_BYTES));
  private nextFrame = FIRST_FREE_FRAME;
  readonly roots: number[] = [];
  private cr3 = 0;
  private readonly tlbPage = new Float64Array(TLB_SLOTS);
  private readonly tlbFrame = new Float64Array(TLB_SLOTS);
  private readonly tlbLeaf = new Float64Array(TLB_SLOTS);
  private readonly tlbWritable = new Uint8Array(TLB_SLOTS);
  private readonly tlbUser = new Uint8Array(TLB_SLOTS);
  private readonly tlbDirty = new Uint8Array(TLB_SLOTS);
  private readonly tlbIndex = new Map<number, number>();
  private tlbUsed = 0;
  private tlbNext = 0;
  /** The walk's entries, top level first: addresses and low halves. */
  private readonly walkAddress = new Float64Array(LEVELS);
  private readonly walkLow = new Uint32Array(LEVELS);
  readonly tally: BaselineTally = emptyTally();

  /** The lowest free frame, zeroed as the kernel hands frames out (so the OS maps it now, untimed). */
  private takeFrame(): number {
    const address = this.nextFrame * PAGE_BYTES;
    this.nextFrame++;
    new Uint8Array(this.memory.buffer, address, PAGE_BYTES).fill(0);
    return address;
  }

  private readLow(address: number): number {
    return this.memory.getUint32(address, true);
  }

  private readHigh(address: number): number {
    return this.memory.getUint32(address + 4, true);
  }

  private writeEntry(address: number, high: number, low: number): void {
    this.memory.setUint32(address, low >>> 0, true);
    this.memory.setUint32(address + 4, high >>> 0, true);
  }

  /** A new address space with `pages` user pages, read/write, at `baseVa`. */
  createAddressSpace(baseVa: number, pages: number): number {
    const root = this.takeFrame();
    for (let page = 0; page < pages; page++) this.mapUserPage(root, baseVa + page * PAGE_BYTES, this.takeFrame());
    this.roots.push(root);
    return root;
  }

  private mapUserPage(root: number, va: number, frame: number): void {
    const high = Math.floor(va / TWO_POW_32);
    const low = va >>> 0;
    let table = root;
    for (let level = 0; level < LEVELS - 1; level++) {
      const address = table + indexAt(high, low, level) * 8;
      if ((this.readLow(address) & P) === 0) this.writeEntry(address, 0, this.takeFrame() | P | RW | US);
      table = this.readLow(address) & 0xfffff000;
    }
    this.writeEntry(table + indexAt(high, low, LEVELS - 1) * 8, Math.floor(frame / TWO_POW_32), (frame | P | RW | US) >>> 0);
  }

  /** MOV to CR3 with PCIDs off: every (non-global) TLB entry goes. */
  loadCr3(root: number): void {
    this.cr3 = root;
    this.tlbIndex.clear();
    this.tlbUsed = 0;
  }

  /** One user-mode (CPL 3) access of 8 bytes; returns false after a fault. */
  access(high: number, low: number, write: boolean, valueLow: number, valueHigh: number): boolean {
    const t = this.tally;
    t.accesses++;
    t.events++;
    const top = high >>> 15;
    if (top !== 0 && top !== 0x1ffff) return this.fault();
    const pageNumber = (high & 0xffff) * 0x100000 + (low >>> 12);
    let slot = this.tlbIndex.get(pageNumber);
    if (slot !== undefined) {
      t.hits++;
      t.events++;
      if (this.tlbUser[slot] === 0 || (write && this.tlbWritable[slot] === 0)) return this.fault();
      if (write && this.tlbDirty[slot] === 0) this.setDirtyThroughTlb(slot);
    } else {
      t.misses++;
      t.events++;
      slot = this.walkAndFill(high, low, pageNumber, write);
      if (slot < 0) return this.fault();
    }
    const physical = this.tlbFrame[slot]! + (low & 0xfff);
    t.events++;
    if (write) {
      t.writes++;
      this.memory.setUint32(physical, valueLow, true);
      this.memory.setUint32(physical + 4, valueHigh, true);
    } else {
      t.reads++;
      t.readXorLow = (t.readXorLow ^ this.memory.getUint32(physical, true)) >>> 0;
      t.readXorHigh = (t.readXorHigh ^ this.memory.getUint32(physical + 4, true)) >>> 0;
    }
    return true;
  }

  private fault(): boolean {
    this.tally.faults++;
    this.tally.events++;
    return false;
  }

  private setDirtyThroughTlb(slot: number): void {
    const leaf = this.tlbLeaf[slot]!;
    this.memory.setUint32(leaf, this.readLow(leaf) | D, true);
    this.tlbDirty[slot] = 1;
    this.tally.entryWrites++;
    this.tally.dirtied++;
    this.tally.events += 2;
  }

  /** The 4-level walk (SDM §4.5) and the TLB fill; the slot, or -1 on a fault. */
  private walkAndFill(high: number, low: number, pageNumber: number, write: boolean): number {
    const t = this.tally;
    let table = this.cr3;
    let writable = true;
    let user = true;
    let leafLevel = -1;
    let entryLow = 0;
    let entryHigh = 0;
    for (let level = 0; level < LEVELS; level++) {
      const address = table + indexAt(high, low, level) * 8;
      entryLow = this.readLow(address);
      entryHigh = this.readHigh(address);
      this.walkAddress[level] = address;
      this.walkLow[level] = entryLow;
      t.walkSteps++;
      t.events++;
      if ((entryLow & P) === 0) return -1;
      if ((entryHigh & (HIGH_RESERVED | HIGH_XD)) !== 0) return -1;
      writable = writable && (entryLow & RW) !== 0;
      user = user && (entryLow & US) !== 0;
      const large = (entryLow & PS) !== 0 && level < LEVELS - 1;
      if (large && (level === 0 || (entryLow & largeReservedMask(level)) !== 0)) return -1;
      if (large || level === LEVELS - 1) {
        leafLevel = level;
        break;
      }
      table = (entryHigh & ADDRESS_HIGH) * TWO_POW_32 + ((entryLow & 0xfffff000) >>> 0);
    }
    if (!user || (write && !writable)) {
      this.setAccessedDirty(leafLevel, false);
      return -1;
    }
    this.setAccessedDirty(leafLevel, write);
    const pageShift = 12 + 9 * (LEVELS - 1 - leafLevel);
    const frameMask = pageShift < 32 ? ~((1 << pageShift) - 1) : 0;
    const frameBase = (entryHigh & ADDRESS_HIGH) * TWO_POW_32 + ((entryLow & 0xfffff000 & frameMask) >>> 0);
    t.events += 2;
    return this.fill(pageNumber, frameBase, writable, user, write || (entryLow & D) !== 0, leafLevel);
  }

  /** A in every entry used, D in the leaf for an allowed write (SDM §4.8). */
  private setAccessedDirty(leafLevel: number, write: boolean): void {
    for (let level = 0; level <= leafLevel; level++) {
      const low = this.walkLow[level]!;
      const dirty = write && level === leafLevel && (low & D) === 0;
      if ((low & A) !== 0 && !dirty) continue;
      this.memory.setUint32(this.walkAddress[level]!, (low | A | (dirty ? D : 0)) >>> 0, true);
      this.tally.entryWrites++;
      this.tally.events++;
    }
  }

  private fill(pageNumber: number, frameBase: number, writable: boolean, user: boolean, dirty: boolean, leafLevel: number): number {
    let slot: number;
    if (this.tlbUsed < TLB_SLOTS) {
      slot = this.tlbUsed++;
    } else {
      slot = this.tlbNext;
      this.tlbIndex.delete(this.tlbPage[slot]!);
    }
    if (slot === this.tlbNext) this.tlbNext = (this.tlbNext + 1) % TLB_SLOTS;
    this.tlbPage[slot] = pageNumber;
    this.tlbFrame[slot] = frameBase;
    this.tlbLeaf[slot] = this.walkAddress[leafLevel]!;
    this.tlbWritable[slot] = writable ? 1 : 0;
    this.tlbUser[slot] = user ? 1 : 0;
    this.tlbDirty[slot] = dirty ? 1 : 0;
    this.tlbIndex.set(pageNumber, slot);
    return slot;
  }
}

/** The 9-bit table index of a 48-bit address (as halves) at a level, PML4 first. */
function indexAt(high: number, low: number, level: number): number {
  switch (level) {
    case 0:
      return (high >>> 7) & 0x1ff;
    case 1:
      return ((low >>> 30) | (high << 2)) & 0x1ff;
    case 2:
      return (low >>> 21) & 0x1ff;
    default:
      return (low >>> 12) & 0x1ff;
  }
}

/** Reserved address bits of a large-page entry: 29:13 for 1 GiB, 20:13 for 2 MiB. */
function largeReservedMask(level: number): number {
  return level === 1 ? 0x3fffe000 : 0x001fe000;
}

/** A machine with the workload's address spaces built, the first process's CR3 loaded. */
export function prepareBaseline(spec: WorkloadSpec): MutableMachine {
  const machine = new MutableMachine();
  for (let i = 0; i < spec.processCount; i++) machine.createAddressSpace(spec.baseVa, spec.pagesPerProcess);
  machine.loadCr3(machine.roots[0]!);
  return machine;
}

/** Runs accesses [from, to) of the workload, switching as the engine driver does. */
export function runBaseline(machine: MutableMachine, workload: Workload, from: number, to: number): BaselineTally {
  const spec = workload.spec;
  const { page, offset, isWrite, valueLow, valueHigh } = workload;
  let current = processIndexOf(spec, from);
  for (let i = from; i < to; i++) {
    const wanted = processIndexOf(spec, i);
    if (wanted !== current) {
      machine.loadCr3(machine.roots[wanted]!);
      machine.tally.switches++;
      machine.tally.events += EVENTS_PER_SWITCH;
      current = wanted;
    }
    const va = spec.baseVa + page[i]! * PAGE_BYTES + offset[i]!;
    machine.access(Math.floor(va / TWO_POW_32), va >>> 0, isWrite[i] === 1, valueLow[i]!, valueHigh[i]!);
  }
  return machine.tally;
}
