/**
 * Page-out (mm/vmscan.c shrink_folio_list, mm/rmap.c try_to_unmap): the kernel writes a
 * resident private page to a free slot of the swap device, replaces every page-table
 * entry that maps the frame — in each address space that shares it after fork — with a
 * not-present entry naming the slot, shoots the TLB entries down, and frees the frame.
 * The frame is not zeroed here: the allocator zeroes it when it is handed out again. The
 * next access faults and the page comes back (proc/fault.ts, do_swap_page).
 *
 * The command is the scenario's `kernel: swapout PROCESS ADDRESS`:
 * `kernel.swapOut { pid: number, va: "0x…" }` (va may also be a bigint).
 */
import type { Command, EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { mapCountOf } from '../../hw/memory/state.js';
import { editorFor } from '../pagetables.js';
import { isAlive, processOf, type KernelState, type Process } from '../state.js';
import { pageAt, pagesOfVma, refused, shootdown } from './aspace.js';
import { freeSwapSlot, NO_FRAME, swapSlotOf, type SwapUser } from './state.js';

export interface SwapOutData {
  readonly pid: number;
  readonly va: string | bigint;
}

/** The reverse map of a frame: every live process that maps it privately, and where. */
function mappersOf(kernel: KernelState, frame: number): { process: Process; va: bigint }[] {
  const out: { process: Process; va: bigint }[] = [];
  for (const pid of kernel.processes.ids) {
    const process = kernel.processes.byId[pid]!;
    if (!isAlive(process)) continue;
    for (const vma of process.vmas) {
      if (vma.region !== null) continue;
      for (const page of pagesOfVma(vma)) if (page.frame === frame) out.push({ process, va: page.va });
    }
  }
  return out;
}

export function decideSwapOut(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.swapOut', SwapOutData>).data;
  const { kernel } = state;
  const process = processOf(kernel, data.pid);
  if (process === null || !isAlive(process)) return [refused('kernel', 'swapout', 'ESRCH', `no live process ${data.pid}`)];
  const va = BigInt(data.va);
  const page = pageAt(process, va);
  if (page === null) return [refused('kernel', 'swapout', 'EFAULT', `${process.name} has nothing mapped at ${hex(va)}`)];
  if (page.vma.region !== null) return [refused('kernel', 'swapout', 'EINVAL', `${hex(page.va)} is in shared region ${page.vma.region}, which isolab keeps resident`)];
  if (page.frame === NO_FRAME) {
    const already = swapSlotOf(kernel, process.pid, hex(page.va)) !== null;
    return [refused('kernel', 'swapout', 'EINVAL', already ? `${hex(page.va)} is already on swap` : `${hex(page.va)} was never touched: there is nothing to write out`)];
  }
  const slot = freeSwapSlot(kernel);
  if (slot === null) return [refused('kernel', 'swapout', 'ENOMEM', 'the swap device is full')];
  const mappers = mappersOf(kernel, page.frame);
  const editor = editorFor(state);
  const roots = new Set<number>();
  for (const { process: mapper, va: at } of mappers) {
    if (roots.has(mapper.rootTable)) continue;
    roots.add(mapper.rootTable);
    editor.unmapPage(mapper.rootTable, at, page.vma.pageShift, `swap out ${hex(at)} to slot ${slot}`);
  }
  const frameBytes = state.memory.frameBytes;
  const users: SwapUser[] = mappers.map(({ process: mapper, va: at }) => ({ pid: mapper.pid, va: hex(at) }));
  const extraMappings = mapCountOf(state.memory, page.frame) - 1;
  return [
    ...editor.drafts('kernel', process.name),
    ...mappers.flatMap(({ process: mapper, va: at }) => shootdown(state, [mapper], [at])),
    ...(extraMappings > 0 ? [{ type: 'memory.framesUnshared', actor: 'kernel', data: { frames: Array.from({ length: extraMappings }, () => page.frame) } }] : []),
    { type: 'memory.framesFreed', actor: 'kernel', data: { frames: [page.frame], owner: process.name, swapSlot: slot } },
    {
      type: 'kernel.pageSwappedOut',
      actor: 'kernel',
      data: { pid: process.pid, name: process.name, va: hex(page.va), frame: page.frame, slot, bytes: state.memory.store.readHex(page.frame * frameBytes, frameBytes), users },
    },
  ];
}
