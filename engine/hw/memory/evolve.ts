/** Physical-memory reducers: hand-written copy-on-write over the persistent store. */
import type { Envelope } from '../../core/decider.js';
import { littleEndianBytes } from '../../core/bytes.js';
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
    return { ...memory, owners, watermark, freed };
  },
  'memory.framesFreed': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames } = event.data as Data<'memory.framesFreed'>;
    let owners = memory.owners;
    for (const pfn of frames) owners = owners.set(pfn, undefined);
    const freed = [...memory.freed, ...frames].sort((a, b) => a - b);
    return { ...memory, owners, freed };
  },
  'memory.framesZeroed': (memory: MemoryState, event: Envelope): MemoryState => {
    const { frames } = event.data as Data<'memory.framesZeroed'>;
    let store = memory.store;
    for (const pfn of frames) store = store.clear(pfn * memory.frameBytes, memory.frameBytes);
    return store === memory.store ? memory : { ...memory, store };
  },
} satisfies Record<MemoryEvent['type'], (memory: MemoryState, event: Envelope) => MemoryState>;
