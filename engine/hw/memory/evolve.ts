/** Physical-memory reducers: hand-written copy-on-write over the persistent store. */
import type { Envelope } from '../../core/decider.js';
import { littleEndianBytes } from '../../core/bytes.js';
import type { RadixTrie } from '../../core/radix.js';
import type { MemoryEvent } from './events.js';
import type { MemoryState } from './state.js';

type Data<T extends MemoryEvent['type']> = Extract<MemoryEvent, { type: T }>['data'];

export const memoryReducers = {
  'memory.read': (memory: MemoryState) => memory,
  'memory.written': (memory: MemoryState, event: Envelope): MemoryState => {
    const { address, bytes } = event.data as Data<'memory.written'>;
    return { ...memory, store: memory.store.writeHex(address, bytes) };
  },
  'memory.entryWritten': (memory: MemoryState, event: Envelope): MemoryState => {
    const { address, entryBytes, after } = event.data as Data<'memory.entryWritten'>;
    return { ...memory, store: memory.store.write(address, littleEndianBytes(BigInt(after), entryBytes)) };
  },
  'memory.framesAllocated': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames, owner } = event.data as Data<'memory.framesAllocated'>;
    let owners = memory.owners;
    let watermark = memory.watermark;
    for (const pfn of frames) {
      owners = owners.set(pfn, owner);
      if (pfn >= watermark && pfn === watermark) watermark = pfn + 1;
    }
    while (watermark < memory.frameCount && owners.get(watermark) !== undefined) watermark++;
    const freed = memory.freed.filter((pfn) => !frames.includes(pfn));
    return { ...memory, owners, watermark, freed, mapCounts: withoutCounts(memory.mapCounts, frames) };
  },
  'memory.framesFreed': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames, owner, swapSlot } = event.data as Data<'memory.framesFreed'>;
    let owners = memory.owners;
    let residue = memory.residue;
    for (const pfn of frames) {
      residue = residue.set(pfn, { owner: owner ?? owners.get(pfn)?.owner ?? 'nobody', swapSlot: swapSlot ?? null });
      owners = owners.set(pfn, undefined);
    }
    const freed = [...memory.freed, ...frames].sort((a, b) => a - b);
    return { ...memory, owners, freed, mapCounts: withoutCounts(memory.mapCounts, frames), residue };
  },
  'memory.framesShared': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames } = event.data as Data<'memory.framesShared'>;
    let mapCounts = memory.mapCounts;
    for (const pfn of frames) mapCounts = mapCounts.set(pfn, (mapCounts.get(pfn) ?? 1) + 1);
    return { ...memory, mapCounts };
  },
  'memory.framesUnshared': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames } = event.data as Data<'memory.framesUnshared'>;
    let mapCounts = memory.mapCounts;
    for (const pfn of frames) {
      const left = (mapCounts.get(pfn) ?? 1) - 1;
      mapCounts = mapCounts.set(pfn, left > 1 ? left : undefined);
    }
    return { ...memory, mapCounts };
  },
  'memory.frameCopied': (memory: MemoryState, event: Envelope): MemoryState => {
    const { from, to } = event.data as Data<'memory.frameCopied'>;
    const bytes = memory.frameBytes;
    return { ...memory, store: memory.store.copy(from * bytes, to * bytes, bytes), residue: withoutResidue(memory.residue, [to]) };
  },
  'memory.framesZeroed': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames } = event.data as Data<'memory.framesZeroed'>;
    let store = memory.store;
    for (const pfn of frames) store = store.clear(pfn * memory.frameBytes, memory.frameBytes);
    const residue = withoutResidue(memory.residue, frames);
    return store === memory.store && residue === memory.residue ? memory : { ...memory, store, residue };
  },
} satisfies Record<MemoryEvent['type'], (memory: MemoryState, event: Envelope) => MemoryState>;

function withoutResidue(residue: MemoryState['residue'], frames: readonly number[]): MemoryState['residue'] {
  let out = residue;
  for (const pfn of frames) if (out.get(pfn) !== undefined) out = out.set(pfn, undefined);
  return out;
}

/** The counts with these frames' entries gone (a frame handed out or freed is mapped once or not at all). */
function withoutCounts(mapCounts: RadixTrie<number>, frames: readonly number[]): RadixTrie<number> {
  let out = mapCounts;
  for (const pfn of frames) if (out.get(pfn) !== undefined) out = out.set(pfn, undefined);
  return out;
}
