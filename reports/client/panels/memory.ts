/**
 * Physical memory: who owns which frames (the kernel, each process's page tables and
 * data, regions, secrets), and the bytes around the physical address the event read or
 * wrote, as a hex dump with the touched bytes highlighted.
 */
import type { FrameOwner } from '../../../engine/hw/memory/state.js';
import { h, table } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel } from './registry.js';

const DUMP_BYTES = 64;

/** Frame numbers as ranges: "0–255, 300". */
function rangesText(frames: readonly number[]): string {
  const parts: string[] = [];
  let from = frames[0];
  let to = from;
  const flush = () => {
    if (from !== undefined) parts.push(from === to ? String(from) : `${from}–${to}`);
  };
  for (const pfn of frames.slice(1)) {
    if (pfn === to! + 1) to = pfn;
    else {
      flush();
      from = pfn;
      to = pfn;
    }
  }
  flush();
  return parts.length > 8 ? `${parts.slice(0, 8).join(', ')}, …` : parts.join(', ');
}

function ownersTable(owners: readonly [number, FrameOwner][]): HTMLElement {
  const groups = new Map<string, { owner: string; purpose: string; frames: number[] }>();
  for (const [pfn, owner] of owners) {
    const key = `${owner.owner}\u0000${owner.purpose}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { owner: owner.owner, purpose: owner.purpose, frames: [] };
      groups.set(key, group);
    }
    group.frames.push(pfn);
  }
  return table(
    ['owner', 'purpose', 'frames', 'numbers'],
    [...groups.values()].map((group) => [group.owner, group.purpose, String(group.frames.length), rangesText(group.frames)]),
    { class: 'grid compact' },
  );
}

function dump(read: (address: number) => number, address: number, length: number, sizeBytes: number): HTMLElement {
  // One row of context before the row holding the address.
  const start = Math.max(0, address - (address % 16) - 16);
  const rows: HTMLElement[] = [];
  for (let row = start; row < Math.min(sizeBytes, start + DUMP_BYTES); row += 16) {
    const cells: HTMLElement[] = [];
    let text = '';
    for (let i = 0; i < 16 && row + i < sizeBytes; i++) {
      const byte = read(row + i);
      const touched = row + i >= address && row + i < address + length;
      cells.push(h('span', { class: touched ? 'byte touched' : 'byte' }, byte.toString(16).padStart(2, '0')));
      text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    }
    rows.push(h('div', { class: 'dump-row' }, h('span', { class: 'dump-address' }, hex(row).padStart(10)), ' ', cells, ' ', h('span', { class: 'dump-text' }, text)));
  }
  return h('div', { class: 'dump mono', 'aria-label': `memory around ${hex(address)}` }, rows);
}

registerPanel({
  id: 'memory',
  title: 'Physical memory',
  order: 50,
  slices: ['memory'],
  open: false,
  render({ state, focus, event }) {
    const memory = state.memory;
    const owners = memory.owners.entries();
    const size = (event.data as { size?: unknown; bytes?: unknown } | null) ?? {};
    const length = typeof size.size === 'number' ? size.size : typeof size.bytes === 'string' ? size.bytes.length / 2 : 1;
    return h(
      'div',
      null,
      h('p', null, `${memory.store.sizeBytes.toLocaleString('en-US')} bytes in ${memory.frameCount} frames of ${memory.frameBytes} bytes; ${memory.frameCount - owners.length} free`),
      focus.physicalAddress === null
        ? null
        : h('div', null, h('p', null, `Around ${hex(focus.physicalAddress)}, the address this event touched:`), dump((a) => memory.store.readByte(a), focus.physicalAddress, Math.max(1, length), memory.store.sizeBytes)),
      owners.length === 0 ? h('p', { class: 'muted' }, 'No frame is allocated.') : ownersTable(owners),
    );
  },
});
