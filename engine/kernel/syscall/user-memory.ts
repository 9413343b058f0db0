/**
 * copy_from_user / copy_to_user: the kernel reading and writing the calling process's
 * memory through its page tables, as Linux does with EFLAGS.AC set (STAC), so SMAP
 * allows it. An unmapped or unwritable address is EFAULT, never a fault of the kernel.
 */
import type { EventDraft } from '../../core/decider.js';
import { bytesToHex } from '../../core/bytes.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { pagingControlOf } from '../../hw/cpu/control.js';
import { splitVirtual, translate } from '../../hw/mmu/index.js';
import type { Process } from '../state.js';

const PATH_MAX = 4096;

function physicalOf(state: MachineState, process: Process, va: bigint, kind: 'read' | 'write'): number | null {
  const base = pagingControlOf(state.cpu, state.config, { cpl: 0, ac: true });
  const control = { ...base, rootAddress: process.rootTable };
  const { high, low } = splitVirtual(va);
  const walk = translate(state.config.geometry, control, { kind, vaHigh: high, vaLow: low }, (address, bytes) => state.memory.store.readEntry(address, bytes), false);
  if (walk.kind === 'fault' || !walk.rights.user) return null;
  return walk.physicalAddress;
}

/** Bytes at [va, va+length) of the process, or null (EFAULT). */
export function readUserBytes(state: MachineState, process: Process, va: bigint, length: number): Uint8Array | null {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const physical = physicalOf(state, process, va + BigInt(i), 'read');
    if (physical === null) return null;
    out[i] = state.memory.store.readByte(physical);
  }
  return out;
}

/** A NUL-terminated string of at most PATH_MAX bytes, or null (EFAULT or too long). */
export function readUserString(state: MachineState, process: Process, va: bigint): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < PATH_MAX; i++) {
    const physical = physicalOf(state, process, va + BigInt(i), 'read');
    if (physical === null) return null;
    const byte = state.memory.store.readByte(physical);
    if (byte === 0) return new TextDecoder().decode(Uint8Array.from(bytes));
    bytes.push(byte);
  }
  return null;
}

/** The events that write `bytes` at va in the process, or null (EFAULT). */
export function writeUserBytes(state: MachineState, process: Process, va: bigint, bytes: Uint8Array): EventDraft[] | null {
  const drafts: EventDraft[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const physical = physicalOf(state, process, va + BigInt(i), 'write');
    if (physical === null) return null;
    drafts.push({
      type: 'memory.written',
      actor: 'kernel',
      data: { address: physical, bytes: bytesToHex(bytes.subarray(i, i + 1)), before: bytesToHex(state.memory.store.read(physical, 1)), by: 'kernel', cpl: 0, why: `copy_to_user ${hex(va + BigInt(i))}` },
    });
  }
  return drafts;
}
