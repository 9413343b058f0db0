/**
 * Footprints for `isolab explore`: the parts of the machine state a step read and the
 * parts it changed. Two steps whose footprints do not conflict commute — run in either
 * order from the same state, they see the same values and leave the same state — which
 * is what lets the sleep sets skip one of the orders.
 *
 * A part of the state is named by its path, dot-separated (`cpu.cr3`,
 * `kernel.processes.byId.2.vmas`, `memory.frames.263`); a path covers everything below
 * it, and `*` is the whole state. Two of the names are not literal paths, because the
 * literal layout would hide what matters:
 * - `memory.frames.N` is the contents of physical frame N (the store keeps 64-byte
 *   chunks in a trie), `memory.owners.N` its owner;
 * - `tlb.pcid.P` is every TLB entry tagged with PCID P, `tlb.global` every global entry
 *   (a lookup for PCID P can hit either), and `tlb.order` which slot holds what (slot
 *   order decides the FIFO victim, the free slot a fill takes and, with LRU, the
 *   recency stamps).
 *
 * What a step changed is read off the states before and after it (complete by
 * construction; a step is atomic, so only its net effect counts). What it read cannot
 * be: it is inferred from its events (each event type says what its decider and the
 * enabled invariants looked at), plus what every step reads to be scheduled, plus
 * everything it changed. An event whose reads are not listed here reads `*`, so a new
 * mechanism makes steps dependent rather than wrongly independent.
 */
import type { Envelope, Invariant } from '../engine/core/decider.js';
import { invariantByName } from '../engine/machine/invariants.js';
import { MECHANISMS } from '../engine/machine/mechanisms.js';
import type { MachineState } from '../engine/machine/state.js';
import type { TlbEntry, TlbState } from '../engine/hw/tlb/state.js';
import type { MemoryState } from '../engine/hw/memory/state.js';

export interface Footprint {
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
}

export const EVERYTHING = '*';

/** The registers a memory access consults: privilege, paging controls, the root table. */
const ACCESS_REGISTERS = ['cpu.cpl', 'cpu.mode', 'cpu.cr0', 'cpu.cr3', 'cpu.cr4', 'cpu.efer', 'cpu.rflags', 'cpu.pkru'];
const ENTRY_REGISTERS = ['cpu.idt', 'cpu.gdt', 'cpu.cpl', 'cpu.rflags', 'cpu.frames', 'cpu.efer'];

/** Invariants whose reads are known: the frame accessed and the accessor's mappings. */
const ACCESS_INVARIANTS = new Set(['memory.process-isolation', 'cpu.user-cannot-touch-supervisor', 'cpu.supervisor-avoids-user-pages']);
/** Invariants that read only their event's data and the state named by it. */
const EVENT_DATA_INVARIANTS = new Set(['cpu.control-registers-privileged', 'memory.frames-disjoint', 'secret.no-leak']);

const processKey = (pid: number | null | undefined) => (pid === null || pid === undefined ? 'kernel.processes' : `kernel.processes.byId.${pid}`);
const tlbKeyOf = (entry: TlbEntry) => (entry.global ? 'tlb.global' : `tlb.pcid.${entry.pcid}`);

/** Which slice each event type's reducer writes, from the machine's mechanisms. */
const SLICE_OF_EVENT: ReadonlyMap<string, string> = new Map(
  MECHANISMS.flatMap((mechanism) => (mechanism.slice === null ? [] : Object.keys(mechanism.evolve).map((type) => [type, String(mechanism.slice)] as [string, string]))),
);

/**
 * Memory events that leave the store alone or name every frame whose bytes they change
 * (hw/memory/evolve.ts); any other memory event that changes the store may have
 * written any frame.
 */
const STORE_EVENTS_NAMING_FRAMES = new Set(['memory.read', 'memory.written', 'memory.entryWritten', 'memory.framesAllocated', 'memory.framesFreed', 'memory.framesZeroed']);

/** The frames that bytes [address, address + sizeBytes) lie in. */
function framesCovering(frameBytes: number, address: number, sizeBytes: number): number[] {
  const first = Math.floor(address / frameBytes);
  const last = Math.floor((address + Math.max(1, sizeBytes) - 1) / frameBytes);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

class Recorder {
  readonly reads = new Set<string>();
  readonly writes = new Set<string>();
  /** The process whose address space is current as the events unfold. */
  current: number | null;

  constructor(readonly before: MachineState) {
    this.current = before.kernel.current;
  }

  read(...keys: string[]): void {
    for (const key of keys) this.reads.add(key);
  }

  write(...keys: string[]): void {
    for (const key of keys) this.writes.add(key);
  }

  framesOf(address: number, sizeBytes: number): number[] {
    return framesCovering(this.before.memory.frameBytes, address, sizeBytes);
  }

  pidNamed(name: string): number | null {
    const kernel = this.before.kernel;
    return kernel.processes.ids.find((pid) => kernel.processes.byId[pid]!.name === name) ?? null;
  }
}

/**
 * What a step's events show it read and wrote, before anything is known of the states:
 * the frames of its memory accesses and walks, the TLB entries it looked up, filled or
 * flushed, the registers and kernel records each event's decider consulted, and what
 * the enabled invariants read when they checked those events.
 */
export function footprintOf(events: readonly Envelope[], before: MachineState, invariants: readonly Invariant<MachineState>[] = []): Footprint {
  const recorder = new Recorder(before);
  for (const event of events) {
    recordEvent(recorder, event);
    for (const invariant of invariants) {
      if (invariant.on === undefined || invariant.on.includes(event.type)) recordInvariantReads(recorder, invariant, event);
    }
  }
  return { reads: recorder.reads, writes: recorder.writes };
}

/**
 * A step's whole footprint: its events' footprint, what every step reads to be
 * scheduled (who runs, the timer, the processes' names and liveness, whether
 * interrupts are on), everything that differs between the states before and after it
 * — and, as reads too, everything it wrote, since a step that changes a value has had
 * its hands on it.
 */
export function stepFootprint(events: readonly Envelope[], before: MachineState, after: MachineState, invariants: readonly Invariant<MachineState>[] = []): Footprint {
  const fromEvents = footprintOf(events, before, invariants);
  const reads = new Set(fromEvents.reads);
  const writes = new Set(fromEvents.writes);
  for (const key of schedulingReads(before)) reads.add(key);
  for (const key of changedPaths(before, after, events)) writes.add(key);
  for (const key of writes) reads.add(key);
  return { reads, writes };
}

function schedulingReads(state: MachineState): string[] {
  const perProcess = state.kernel.processes.ids.flatMap((pid) => [`kernel.processes.byId.${pid}.name`, `kernel.processes.byId.${pid}.status`]);
  return ['kernel.booted', 'kernel.current', 'kernel.chosenNext', 'kernel.timer', 'kernel.processes.ids', 'cpu.cpl', 'cpu.rflags', 'cpu.halted', ...perProcess];
}

/** Records one event's reads (and the writes its data names); an event it does not know reads everything. */
function recordEvent(r: Recorder, event: Envelope): void {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const [domain] = event.type.split('.', 1);
  const known =
    domain === 'scenario' || domain === 'invariant'
      ? true
      : domain === 'memory' || domain === 'mmu'
        ? recordMemoryEvent(r, event.type, data)
        : domain === 'tlb'
          ? recordTlbEvent(r, event.type, data)
          : domain === 'cpu'
            ? recordCpuEvent(r, event.type, data)
            : domain === 'kernel'
              ? recordKernelEvent(r, event.type, data)
              : domain === 'observer' || domain === 'rng'
                ? recordObserverEvent(r, event.type, data)
                : false;
  // System calls, file systems, credentials, anything new: their deciders may look at
  // anything, and their events do not say what.
  if (!known) r.read(EVERYTHING);
}

/** The frames an event's data names, or every frame when the data is not as expected. */
function frameKeys(r: Recorder, address: unknown, sizeBytes: unknown): string[] {
  if (typeof address !== 'number' || typeof sizeBytes !== 'number') return ['memory.frames'];
  return r.framesOf(address, sizeBytes).map((pfn) => `memory.frames.${pfn}`);
}

function listedFrames(frames: unknown, prefix: string): string[] {
  return Array.isArray(frames) ? frames.map((pfn) => `${prefix}.${pfn as number}`) : [prefix];
}

function recordMemoryEvent(r: Recorder, type: string, data: Record<string, unknown>): boolean {
  switch (type) {
    case 'mmu.translated':
      return true;
    case 'mmu.walkStepped':
      r.read(...frameKeys(r, data.entryAddress, 1), 'cpu.cr0', 'cpu.cr3', 'cpu.cr4', 'cpu.efer');
      return true;
    case 'memory.read':
      // The observer compares the bytes read with every secret's (observer/mechanism.ts).
      r.read(...frameKeys(r, data.address, data.size ?? 1), ...ACCESS_REGISTERS, 'observer.secrets');
      return true;
    case 'memory.written':
    case 'memory.entryWritten': {
      const size = type === 'memory.written' ? (typeof data.bytes === 'string' ? data.bytes.length / 2 : undefined) : data.entryBytes;
      const frames = frameKeys(r, data.address, size);
      r.read(...frames);
      r.write(...frames);
      return true;
    }
    case 'memory.framesAllocated':
      // The allocator scans for the lowest free frame: every owner below it matters.
      r.read('memory.owners', 'memory.watermark', 'memory.freed');
      r.write('memory.watermark', 'memory.freed', ...listedFrames(data.frames, 'memory.owners'));
      return true;
    case 'memory.framesZeroed':
      r.read('observer.secrets');
      r.write(...listedFrames(data.frames, 'memory.frames'));
      return true;
    default:
      return false;
  }
}

function recordTlbEvent(r: Recorder, type: string, data: Record<string, unknown>): boolean {
  switch (type) {
    case 'tlb.dirtied':
      return true;
    case 'tlb.hit':
    case 'tlb.missed':
      r.read(`tlb.pcid.${data.pcid as number}`, 'tlb.global');
      return true;
    case 'tlb.filled': {
      // The victim slot depends on which slots are free, the FIFO pointer or the stamps.
      r.read('tlb.order', 'tlb.next');
      const evicted = data.evicted as TlbEntry | null;
      r.write(tlbKeyOf(data.entry as TlbEntry), 'tlb.order', ...(evicted === null ? [] : [tlbKeyOf(evicted)]));
      return true;
    }
    case 'tlb.flushed': {
      const scope = data.scope as 'all' | 'non-global' | 'pcid';
      const keys = scope === 'pcid' ? [`tlb.pcid.${data.pcid as number}`] : scope === 'non-global' ? ['tlb.pcid'] : ['tlb.pcid', 'tlb.global'];
      r.read(...keys);
      r.write(...keys, 'tlb.order');
      return true;
    }
    case 'tlb.invalidated':
      r.read(`tlb.pcid.${data.pcid as number}`, 'tlb.global');
      r.write(`tlb.pcid.${data.pcid as number}`, 'tlb.global', 'tlb.order');
      return true;
    default:
      return false;
  }
}

function recordCpuEvent(r: Recorder, type: string, data: Record<string, unknown>): boolean {
  switch (type) {
    case 'cpu.accessStarted':
      r.read(...ACCESS_REGISTERS);
      return true;
    case 'cpu.fetched':
      r.read(...frameKeys(r, data.address, 1), ...ACCESS_REGISTERS);
      return true;
    case 'cpu.registerWritten':
      r.read(`cpu.${data.register as string}`, 'cpu.cpl');
      r.write(`cpu.${data.register as string}`);
      return true;
    case 'cpu.exceptionRaised':
      // The kernel's handler looks at the current process: its mappings, its handlers.
      r.read(...ENTRY_REGISTERS, processKey(r.current));
      return true;
    case 'cpu.trapEntered':
    case 'cpu.syscallEntered':
      r.read(...ENTRY_REGISTERS);
      return true;
    case 'cpu.returned':
      r.read('cpu.frames', 'cpu.cpl', 'cpu.rflags');
      return true;
    case 'cpu.interruptMasked':
      r.read('cpu.rflags', 'cpu.idt');
      return true;
    case 'cpu.contextEntered':
      r.current = (data.pid as number | null | undefined) ?? null;
      return true;
    case 'cpu.executed':
    case 'cpu.halted':
      r.read('cpu');
      return true;
    default:
      return false;
  }
}

function recordKernelEvent(r: Recorder, type: string, data: Record<string, unknown>): boolean {
  switch (type) {
    case 'kernel.nextChosen':
      return true;
    case 'kernel.timerFired':
      r.read('kernel.timer', 'kernel.chosenNext', 'kernel.current');
      return true;
    case 'kernel.switched':
      r.read('kernel.current', 'kernel.pcidSlots', 'kernel.nextPcidSlot', 'kernel.switchPolicy', 'cpu.cr4', processKey(data.from as number | null), processKey(data.to as number));
      r.current = data.to as number;
      return true;
    case 'kernel.pcidAssigned':
    case 'kernel.flushSkipped':
      r.read('kernel.pcidSlots', 'kernel.nextPcidSlot', 'kernel.switchPolicy', processKey(data.pid as number), processKey(data.previousOwner as number | null));
      return true;
    case 'kernel.signalDelivered':
    case 'kernel.tlbFlushDeferred':
      r.read(processKey(data.pid as number));
      return true;
    case 'kernel.processExited':
      r.read('kernel.processes', 'kernel.current');
      if (r.current === data.pid) r.current = null;
      return true;
    case 'kernel.mapped':
    case 'kernel.unmapped':
    case 'kernel.protected':
      recordMappingChange(r, data.pid as number);
      return true;
    case 'kernel.consoleWritten':
      r.read('kernel.console');
      return true;
    default:
      return false;
  }
}

function recordObserverEvent(r: Recorder, type: string, data: Record<string, unknown>): boolean {
  switch (type) {
    case 'rng.advanced':
      r.read(`rng.${data.stream as string}`);
      return true;
    case 'observer.secretLeaked':
      r.read(`observer.secrets.byName.${data.secret as string}`, `observer.knowledge.${data.actor as string}`);
      return true;
    case 'observer.secretErased':
      r.read(`observer.secrets.byName.${data.name as string}`);
      return true;
    case 'observer.secretPlaced':
      // Placing a secret finds its frame through the owner's VMAs (observer/mechanism.ts).
      r.read('observer.secrets', 'kernel.processes');
      return true;
    default:
      return false;
  }
}

/** map, unmap and protect walk and edit the process's own tables and read its VMAs. */
function recordMappingChange(r: Recorder, pid: number): void {
  const process = r.before.kernel.processes.byId[pid];
  r.read(processKey(pid), 'kernel.regions', 'kernel.kernelTopEntries');
  if (process === undefined) return r.read('memory.frames');
  const frameBytes = r.before.memory.frameBytes;
  const tables = [Math.floor(process.rootTable / frameBytes), ...process.tableFrames];
  r.read(...tables.map((pfn) => `memory.frames.${pfn}`));
}

function recordInvariantReads(r: Recorder, invariant: Invariant<MachineState>, event: Envelope): void {
  if (EVENT_DATA_INVARIANTS.has(invariant.name)) return;
  if (ACCESS_INVARIANTS.has(invariant.name)) {
    const data = event.data as { address: number; by: string };
    const pid = r.pidNamed(data.by);
    return r.read(...r.framesOf(data.address, 1).map((pfn) => `memory.owners.${pfn}`), pid === null ? 'kernel.processes' : `${processKey(pid)}.vmas`);
  }
  if (invariant.name === 'tlb.coherent') {
    // It walks the current tables for the entries in use: page-table frames unknown here.
    return r.read('tlb', 'cpu', 'memory.frames');
  }
  // A scenario's own invariants (not in the built-in catalogue) read their event only
  // (dsl/compile/expect.ts compileCustomInvariant); other built-in ones, anything.
  if (invariantByName(invariant.name) === null) return;
  r.read(EVERYTHING);
}

// ------------------------------------------------------------------ what changed

/**
 * The paths that differ between two states, as precisely as the layout allows: plain
 * records are compared field by field (skipping what the two states share), arrays and
 * other values as wholes; memory by frame and the TLB by PCID. The scenario slice is a
 * record of the past (verdicts, violations) and no step reads it, so it is left out.
 */
export function changedPaths(before: MachineState, after: MachineState, events: readonly Envelope[]): string[] {
  const out: string[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const key of unionOfKeys(b, a)) {
    if (b[key] === a[key] || key === 'scenario') continue;
    if (key === 'memory') changedMemory(before.memory, after.memory, events, out);
    else if (key === 'tlb') changedTlb(before.tlb, after.tlb, out);
    else changedValue(b[key], a[key], key, out);
  }
  return out;
}

function unionOfKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function changedValue(before: unknown, after: unknown, path: string, out: string[]): void {
  if (before === after) return;
  if (isPlainRecord(before) && isPlainRecord(after)) {
    for (const key of unionOfKeys(before, after)) changedValue(before[key], after[key], `${path}.${key}`, out);
    return;
  }
  out.push(path);
}

function changedTlb(before: TlbState, after: TlbState, out: string[]): void {
  const length = Math.max(before.slots.length, after.slots.length);
  let moved = false;
  for (let slot = 0; slot < length; slot++) {
    const was = before.slots[slot] ?? null;
    const now = after.slots[slot] ?? null;
    if (was === now) continue;
    moved = true;
    if (was !== null) out.push(tlbKeyOf(was));
    if (now !== null) out.push(tlbKeyOf(now));
  }
  if (moved) out.push('tlb.order');
  const { slots: _before, ...restBefore } = before;
  const { slots: _after, ...restAfter } = after;
  changedValue(restBefore, restAfter, 'tlb', out);
}

function changedMemory(before: MemoryState, after: MemoryState, events: readonly Envelope[], out: string[]): void {
  const { store: storeBefore, owners: ownersBefore, ...restBefore } = before;
  const { store: storeAfter, owners: ownersAfter, ...restAfter } = after;
  changedValue(restBefore, restAfter, 'memory', out);
  if (ownersBefore !== ownersAfter) {
    const was = new Map(ownersBefore.entries());
    const now = new Map(ownersAfter.entries());
    for (const pfn of new Set([...was.keys(), ...now.keys()])) if (was.get(pfn) !== now.get(pfn)) out.push(`memory.owners.${pfn}`);
  }
  if (storeBefore === storeAfter) return;
  // The store's chunks are private: its writers' events name the frames they change.
  for (const event of events) {
    if (SLICE_OF_EVENT.get(event.type) === 'memory' && !STORE_EVENTS_NAMING_FRAMES.has(event.type)) {
      out.push('memory.frames');
      return;
    }
  }
  const frames = (address: number, sizeBytes: number) => framesCovering(before.frameBytes, address, sizeBytes);
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const written =
      event.type === 'memory.written'
        ? frames(data.address as number, (data.bytes as string).length / 2)
        : event.type === 'memory.entryWritten'
          ? frames(data.address as number, data.entryBytes as number)
          : event.type === 'memory.framesZeroed'
            ? (data.frames as number[])
            : [];
    for (const pfn of written) out.push(`memory.frames.${pfn}`);
  }
}

// ------------------------------------------------------------------ independence

function ancestorsOf(key: string): string[] {
  const out = [EVERYTHING];
  for (let at = key.indexOf('.'); at >= 0; at = key.indexOf('.', at + 1)) out.push(key.slice(0, at));
  return out;
}

/** Each key of the set with every path above it (so a key that covers one of them is found). */
function withAncestors(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    out.add(key);
    for (const ancestor of ancestorsOf(key)) out.add(ancestor);
  }
  return out;
}

/** Whether a written path overlaps any path of a set: the same, above it or below it. */
function overlaps(key: string, keys: ReadonlySet<string>, keysWithAncestors: ReadonlySet<string>): boolean {
  if (key === EVERYTHING) return keys.size > 0;
  if (keysWithAncestors.has(key)) return true;
  return ancestorsOf(key).some((ancestor) => keys.has(ancestor));
}

/** Neither writes anything the other reads or writes. */
export function independent(a: Footprint, b: Footprint): boolean {
  const aTouched = new Set([...a.reads, ...a.writes]);
  const bTouched = new Set([...b.reads, ...b.writes]);
  const aClosed = withAncestors(aTouched);
  const bClosed = withAncestors(bTouched);
  for (const key of a.writes) if (overlaps(key, bTouched, bClosed)) return false;
  for (const key of b.writes) if (overlaps(key, aTouched, aClosed)) return false;
  return true;
}
