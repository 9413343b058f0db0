/** Physical memory as a mechanism: raw setup writes, and the reducers every writer uses. */
import type { Command, EventDraft } from '../../core/decider.js';
import type { MechanismDefinition } from '../../core/engine.js';
import { bytesToHex } from '../../core/bytes.js';
import type { MachineState } from '../../machine/state.js';
import { memoryReducers } from './evolve.js';
import { isFrameFree } from './state.js';

export interface WritePhysicalData {
  readonly address: number;
  /** hex, lowest address first */
  readonly bytes: string;
}

/** A raw write of bytes at a physical address; untouched frames it lands in become 'raw'. */
function decideWritePhysical(state: MachineState, command: Command): EventDraft[] {
  const { address, bytes } = (command as Command<'memory.writePhysical', WritePhysicalData>).data;
  const { memory } = state;
  const length = bytes.length / 2;
  const frames: number[] = [];
  for (let pfn = Math.floor(address / memory.frameBytes); pfn <= Math.floor((address + length - 1) / memory.frameBytes); pfn++) {
    if (isFrameFree(memory, pfn)) frames.push(pfn);
  }
  const drafts: EventDraft[] = [];
  if (frames.length > 0) drafts.push({ type: 'memory.framesAllocated', actor: 'raw', data: { frames, owner: { owner: 'raw', purpose: 'raw' } } });
  drafts.push({
    type: 'memory.written',
    actor: 'raw',
    data: { address, bytes, before: bytesToHex(memory.store.read(address, length)), by: 'raw', cpl: 0 },
  });
  return drafts;
}

export const memoryMechanism: MechanismDefinition<MachineState, 'memory'> = {
  name: 'memory',
  slice: 'memory',
  decide: { 'memory.writePhysical': decideWritePhysical },
  evolve: memoryReducers,
};
