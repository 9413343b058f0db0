/**
 * Kernel boot: reserve the kernel's physical memory, build its page tables (the direct
 * map and the kernel text, supervisor-only), load CR3, and remember the top-level
 * entries every new address space will share (Linux's pgd_alloc copies them).
 */
import type { Command, EventDraft } from '../core/decider.js';
import type { MachineState } from '../machine/state.js';
import { writeCr3 } from '../hw/cpu/cr3.js';
import { EFER_NXE, hasBit } from '../hw/cpu/registers.js';
import { kernelLayoutOf } from './layout.js';
import { PageTableEditor } from './pagetables.js';
import type { SwitchPolicy } from './state.js';

export interface BootData {
  readonly timerPeriodTicks: number | null;
  readonly switchPolicy: SwitchPolicy;
  /**
   * Injected bug: kernel addresses whose page is (wrongly) mapped with U/S=1, as a
   * driver that exposes a kernel buffer to user space would. Hex strings.
   */
  readonly userPages?: readonly string[];
}

export type BootCommand = Command<'kernel.boot', BootData>;

export function decideBoot(state: MachineState, command: Command): EventDraft[] {
  const { timerPeriodTicks, switchPolicy } = (command as BootCommand).data;
  const { config, memory } = state;
  const layout = kernelLayoutOf(config);
  const drafts: EventDraft[] = [];
  const reservedFrames: number[] = [];
  for (const [start, end, purpose] of layout.reserved) {
    const frames: number[] = [];
    for (let pfn = Math.floor(start / memory.frameBytes); pfn < Math.ceil(end / memory.frameBytes); pfn++) frames.push(pfn);
    reservedFrames.push(...frames);
    drafts.push({ type: 'memory.framesAllocated', actor: 'kernel', data: { frames, owner: { owner: 'kernel', purpose } } });
  }
  const editor = new PageTableEditor(memory, config.geometry, reservedFrames);
  const root = editor.newTable();
  if (root === null) return [{ type: 'kernel.bootFailed', actor: 'kernel', data: { reason: 'no memory for the kernel page tables' } }];
  const nx = config.geometry.format === 'x86-64' && hasBit(state.cpu.efer, EFER_NXE);
  if (layout.directMap !== null) {
    const { base, pageShift, bytes } = layout.directMap;
    for (let offset = 0; offset < bytes; offset += 2 ** pageShift) {
      editor.mapPage(
        root,
        base + BigInt(offset),
        pageShift,
        { frameAddress: offset, present: true, writable: true, largePage: true, global: true, executeDisable: nx },
        false,
        'direct map',
      );
    }
  }
  const text = layout.text;
  if (text !== null && text.pageShift > 12) {
    editor.mapPage(
      root,
      text.va,
      text.pageShift,
      { frameAddress: text.physical, present: true, writable: false, largePage: true, global: true },
      false,
      'kernel text',
    );
  }
  for (const va of (command as BootCommand).data.userPages ?? []) {
    editor.grantUserPath(root, BigInt(va), `bug: ${va} mapped user-accessible`);
  }
  drafts.push(...editor.drafts('kernel', 'kernel'));
  const topEntries = kernelTopEntries(editor, root, layout.kernelHalfIndex, config.geometry.levelIndexBits[0]!, config.geometry.entryBytes);
  drafts.push(...writeCr3(state, 'kernel', BigInt(root), 'boot: load the kernel page tables'));
  drafts.push({
    type: 'kernel.booted',
    actor: 'kernel',
    data: { root, topEntries, timerPeriodTicks, switchPolicy, layout: describeLayout(layout) },
  });
  return drafts;
}

function kernelTopEntries(editor: PageTableEditor, root: number, firstIndex: number, indexBits: number, entryBytes: number) {
  const out: { index: number; high: number; low: number }[] = [];
  if (firstIndex < 0) return out;
  for (let index = firstIndex; index < 2 ** indexBits; index++) {
    const entry = editor.readEntry(root + index * entryBytes);
    if (entry.low !== 0 || entry.high !== 0) out.push({ index, high: entry.high, low: entry.low });
  }
  return out;
}

function describeLayout(layout: ReturnType<typeof kernelLayoutOf>) {
  return {
    userTop: '0x' + layout.userTop.toString(16),
    directMap: layout.directMap === null ? null : '0x' + layout.directMap.base.toString(16),
    text: layout.text === null ? null : '0x' + layout.text.va.toString(16),
  };
}
