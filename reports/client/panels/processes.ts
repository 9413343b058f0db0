/**
 * The kernel's processes: identity and credentials (pid, uid, gid), status, address
 * space (top-level table, PCID slot, VMAs with their rights) and the signals they catch;
 * then the scheduler and the shared regions.
 */
import type { Process, Vma } from '../../../engine/kernel/state.js';
import { h, table, type Child } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel } from './registry.js';

/** Real, effective, saved and filesystem IDs, collapsed to one number when all four agree. */
function ids(real: number, effective: number, saved: number, fs: number): string {
  return real === effective && effective === saved && saved === fs ? String(real) : `${real}/${effective}/${saved}/${fs}`;
}

function capabilities(effective: bigint): string {
  return effective === 0n ? 'none' : '0x' + effective.toString(16);
}

function vmaRights(vma: Vma): string {
  return `${vma.read ? 'r' : '-'}${vma.write ? 'w' : '-'}${vma.execute ? 'x' : '-'}`;
}

function framesText(frames: readonly number[]): string {
  const shown = frames.slice(0, 6).map((pfn) => String(pfn));
  return frames.length > 6 ? `${shown.join(', ')}, … (${frames.length})` : shown.join(', ');
}

function vmaTable(process: Process): HTMLElement {
  if (process.vmas.length === 0) return h('p', { class: 'muted' }, 'no mappings');
  return table(
    ['start', 'end', 'rights', 'mode', 'page', 'global', 'pkey', 'region', 'frames'],
    process.vmas.map((vma) => [
      h('span', { class: 'mono' }, hex(vma.start)),
      h('span', { class: 'mono' }, hex(vma.start + BigInt(vma.sizeBytes) - 1n)),
      h('span', { class: 'mono' }, vmaRights(vma)),
      vma.user ? 'user' : 'kernel',
      `${2 ** (vma.pageShift - 10)} KiB`,
      vma.global ? 'G' : '',
      vma.pkey === 0 ? '' : String(vma.pkey),
      vma.region ?? '',
      framesText(vma.frames),
    ]),
    { class: 'grid compact' },
  );
}

registerPanel({
  id: 'processes',
  title: 'Processes',
  order: 40,
  slices: ['kernel'],
  open: true,
  render({ run, state, previous, focus }) {
    const kernel = state.kernel;
    if (!kernel.booted && kernel.processes.ids.length === 0) {
      return h('p', { class: 'muted' }, run.types.includes('kernel.booted') ? 'The kernel has not booted yet.' : 'No kernel: this run drives the hardware directly.');
    }
    const rows: Child[] = kernel.processes.ids.map((pid) => {
      const process = kernel.processes.byId[pid]!;
      const changed = previous.kernel.processes.byId[pid] !== process;
      const classes = [pid === focus.pid ? 'focus' : '', changed ? 'changed' : ''].filter((c) => c !== '').join(' ');
      return h(
        'tbody',
        { class: classes },
        h(
          'tr',
          null,
          h('td', null, String(pid)),
          h('th', { scope: 'row' }, process.name, pid === kernel.current ? h('span', { class: 'badge' }, 'running') : null),
          h('td', { class: 'mono' }, ids(process.creds.ruid, process.creds.euid, process.creds.suid, process.creds.fsuid)),
          h('td', { class: 'mono' }, ids(process.creds.rgid, process.creds.egid, process.creds.sgid, process.creds.fsgid)),
          h('td', { class: 'mono' }, capabilities(process.creds.caps.effective)),
          h('td', null, String(process.ppid)),
          h('td', null, process.exit === null ? process.status : `${process.status} (${process.exit})`),
          h('td', { class: 'mono' }, hex(process.rootTable)),
          h('td', null, process.pcidSlot === null ? '' : `slot ${process.pcidSlot} (PCID ${process.pcidSlot + 1})`),
          h('td', null, process.catches.join(', ')),
        ),
        h('tr', { class: 'sub' }, h('td', null), h('td', { colspan: 9 }, vmaTable(process))),
      );
    });
    const timer = kernel.timer.periodTicks === null ? 'off' : `every ${kernel.timer.periodTicks} ticks, next at ${kernel.timer.nextTick}`;
    const current = kernel.current === null ? 'none' : (kernel.processes.byId[kernel.current]?.name ?? String(kernel.current));
    return h(
      'div',
      null,
      h(
        'table',
        { class: 'grid processes' },
        h('thead', null, h('tr', null, ['pid', 'name', 'uid r/e/s/fs', 'gid r/e/s/fs', 'cap eff', 'ppid', 'status', 'top table', 'PCID', 'catches'].map((name) => h('th', { scope: 'col' }, name)))),
        rows,
      ),
      h(
        'p',
        null,
        `Running: ${current} · timer ${timer} · on a context switch the kernel ${kernel.switchPolicy.flushOnReuse ? 'flushes' : 'does NOT flush'} a reused PCID (${kernel.switchPolicy.pcidSlots} PCIDs)`,
      ),
      kernel.regions.ids.length === 0
        ? null
        : table(
            ['region', 'size', 'frames'],
            kernel.regions.ids.map((name) => {
              const region = kernel.regions.byName[name]!;
              return [region.name, `${region.sizeBytes} B`, framesText(region.frames)];
            }),
            { class: 'grid compact' },
            'Shared regions',
          ),
      kernel.console.length === 0
        ? null
        : h('pre', { class: 'console' }, kernel.console.map((line) => `[${line.pid}:${line.fd}] ${line.text}`).join('\n')),
    );
  },
});
