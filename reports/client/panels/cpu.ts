/** The CPU: mode and privilege, control registers decoded into flags, RFLAGS, PKRU, the IDT. */
import type { CpuState } from '../../../engine/hw/cpu/state.js';
import { flagList, h, table, type Child } from '../dom.js';
import { REGISTER_BITS, flagNames, hex, pkruText } from '../format.js';
import { registerPanel } from './registry.js';

const CR4_PCIDE = 1 << 17;

function registerRow(name: string, value: string, detail: Child, changed: boolean): Child[] {
  return [h('th', { scope: 'row' }, name), h('td', { class: changed ? 'mono changed' : 'mono' }, value), h('td', null, detail)];
}

function flags(names: readonly string[]): Child {
  return names.length === 0 ? h('span', { class: 'muted' }, 'none') : flagList(names);
}

function cr3Detail(cpu: CpuState): Child {
  const base = cpu.cr3 - (cpu.cr3 % 4096);
  const pcide = (cpu.cr4 & CR4_PCIDE) !== 0;
  return pcide ? `top-level table ${hex(base)}, PCID ${cpu.cr3 % 4096}` : `top-level table ${hex(base)}`;
}

function idtTable(cpu: CpuState): HTMLElement {
  const rows = cpu.idt
    .map((gate, vector) => ({ gate, vector }))
    .filter(({ gate }) => gate.present)
    .map(({ gate, vector }) => [hex(vector), gate.handler, String(gate.dpl), gate.kind]);
  return h('details', { class: 'nested' }, h('summary', null, `IDT: ${rows.length} present gates`), table(['vector', 'handler', 'DPL', 'kind'], rows, { class: 'grid compact' }));
}

registerPanel({
  id: 'cpu',
  title: 'CPU',
  order: 10,
  slices: ['cpu'],
  open: true,
  render({ state, previous }) {
    const cpu = state.cpu;
    const before = previous.cpu;
    const rows: Child[][] = [
      registerRow('mode', cpu.mode === 'long' ? 'IA-32e (long)' : 'protected', cpu.halted ? 'halted' : '', cpu.mode !== before.mode || cpu.halted !== before.halted),
      registerRow('CPL', String(cpu.cpl), cpu.cpl === 0 ? 'ring 0: supervisor' : `ring ${cpu.cpl}: ${cpu.cpl === 3 ? 'user' : 'less privileged'}`, cpu.cpl !== before.cpl),
      registerRow('CR0', hex(cpu.cr0), flags(flagNames(cpu.cr0, REGISTER_BITS.cr0)), cpu.cr0 !== before.cr0),
      registerRow('CR2', hex(cpu.cr2), 'last page-fault address', cpu.cr2 !== before.cr2),
      registerRow('CR3', hex(cpu.cr3), cr3Detail(cpu), cpu.cr3 !== before.cr3),
      registerRow('CR4', hex(cpu.cr4), flags(flagNames(cpu.cr4, REGISTER_BITS.cr4)), cpu.cr4 !== before.cr4),
      registerRow('EFER', hex(cpu.efer), flags(flagNames(cpu.efer, REGISTER_BITS.efer)), cpu.efer !== before.efer),
      // Bit 1 of RFLAGS always reads 1: not a flag worth naming.
      registerRow('RFLAGS', hex(cpu.rflags), flags(flagNames(cpu.rflags, REGISTER_BITS.rflags, [1])), cpu.rflags !== before.rflags),
      registerRow('PKRU', hex(cpu.pkru), pkruText(cpu.pkru), cpu.pkru !== before.pkru),
    ];
    const frames = cpu.frames.map((frame, i) => [String(i), frame.via, frame.vector === null ? '' : hex(frame.vector), String(frame.cpl), hex(frame.rflags)]);
    return h(
      'div',
      null,
      h('table', { class: 'grid registers' }, h('tbody', null, rows.map((cells) => h('tr', null, cells)))),
      frames.length === 0 ? null : table(['frame', 'entered by', 'vector', 'saved CPL', 'saved RFLAGS'], frames, { class: 'grid compact' }, 'Saved frames (for IRET/SYSRET)'),
      idtTable(cpu),
    );
  },
});
