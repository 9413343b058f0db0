/**
 * The TLB: each filled slot with its PCID, page, frame, combined rights, global and
 * dirty bits. The slots the event touched are highlighted; a slot the event filled,
 * evicted or flushed is marked as changed. Entries usable now (current PCID, or global)
 * are told apart from entries that only another address space can hit.
 */
import type { TlbEntry } from '../../../engine/hw/tlb/state.js';
import { h, type Child } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel } from './registry.js';

const CR4_PCIDE = 1 << 17;

function pageSize(shift: number): string {
  if (shift >= 30) return `${2 ** (shift - 30)} GiB`;
  if (shift >= 20) return `${2 ** (shift - 20)} MiB`;
  if (shift >= 10) return `${2 ** (shift - 10)} KiB`;
  return `${2 ** shift} B`;
}

function rights(entry: TlbEntry): string {
  return `${entry.writable ? 'RW' : 'R'} ${entry.user ? 'user' : 'supervisor'} ${entry.executable ? 'X' : 'NX'}`;
}

registerPanel({
  id: 'tlb',
  title: 'TLB',
  order: 20,
  slices: ['tlb'],
  open: true,
  render({ state, previous, focus }) {
    const tlb = state.tlb;
    const pcid = (state.cpu.cr4 & CR4_PCIDE) !== 0 ? state.cpu.cr3 % 4096 : 0;
    const rows: Child[] = [];
    tlb.slots.forEach((entry, slot) => {
      const changed = previous.tlb.slots[slot] !== entry;
      if (entry === null) {
        if (changed) rows.push(h('tr', { class: 'changed' }, h('td', null, String(slot)), h('td', { colspan: 8, class: 'muted' }, 'emptied by this event')));
        return;
      }
      const usable = entry.global || entry.pcid === pcid;
      const classes = [focus.tlbSlots.includes(slot) ? 'focus' : '', changed ? 'changed' : '', usable ? '' : 'dim'].filter((c) => c !== '').join(' ');
      const page = BigInt(entry.pageNumber) << BigInt(entry.pageShift);
      rows.push(
        h(
          'tr',
          { class: classes, 'data-slot': slot },
          h('td', null, String(slot)),
          h('td', null, String(entry.pcid)),
          h('td', { class: 'mono' }, hex(page)),
          h('td', null, pageSize(entry.pageShift)),
          h('td', { class: 'mono' }, hex(entry.frameBase)),
          h('td', null, rights(entry)),
          h('td', null, entry.global ? 'G' : ''),
          h('td', null, entry.dirty ? 'D' : ''),
          h('td', null, entry.pkey === 0 ? '' : String(entry.pkey)),
        ),
      );
    });
    const used = tlb.slots.filter((entry) => entry !== null).length;
    return h(
      'div',
      null,
      h(
        'p',
        null,
        `${used} of ${tlb.capacity} slots in use · replacement ${tlb.replacement}` +
          (tlb.replacement === 'fifo' ? `, next victim slot ${tlb.next}` : '') +
          ` · current PCID ${pcid}`,
      ),
      used === 0 && rows.length === 0
        ? h('p', { class: 'muted' }, 'The TLB is empty.')
        : h(
            'table',
            { class: 'grid compact' },
            h('thead', null, h('tr', null, ['slot', 'PCID', 'page', 'size', 'frame', 'rights', 'global', 'dirty', 'pkey'].map((name) => h('th', { scope: 'col' }, name)))),
            h('tbody', null, rows),
          ),
      used > 0 ? h('p', { class: 'legend muted' }, 'Greyed entries belong to another PCID: the current address space cannot hit them.') : null,
    );
  },
});
