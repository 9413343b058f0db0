/**
 * The page tables of an address space, read from physical memory as the MMU reads them
 * (Intel SDM Vol. 3A §4.5 for 4- and 5-level paging, §4.3 for 32-bit paging, and the
 * OSTEP teaching format): from the top-level table, every present entry with its flags,
 * level by level. The tree starts collapsed; the path the selected event's walk takes
 * (the indices of its virtual address) is expanded and highlighted, down to the entry
 * that maps the page or the one where the walk faults. Entries the event wrote are
 * marked as changed. Subtrees are built only when opened, so the kernel's direct map
 * costs nothing until someone looks at it.
 */
import type { MachineState } from '../../../engine/machine/state.js';
import { decodeEntry, entryFlagNames, entryHex, indicesOf, isOstepValid, splitVirtual } from '../../../engine/hw/mmu/index.js';
import type { PagingGeometry } from '../../../engine/hw/mmu/index.js';
import type { PhysicalStore } from '../../../engine/hw/memory/store.js';
import { flagList, h, type Child } from '../dom.js';
import { hex } from '../format.js';
import { registerPanel, type PanelContext } from './registry.js';

const ENTRY_P = 1;
const ENTRY_PS = 1 << 7;
const CR4_PSE = 1 << 4;
/** A table larger than this (a custom geometry) is shown up to it. */
const MAX_ENTRIES_SHOWN = 4096;

interface Tree {
  readonly geometry: PagingGeometry;
  readonly store: PhysicalStore;
  readonly previous: PhysicalStore;
  readonly memoryBytes: number;
  readonly cr4Pse: boolean;
  /** The walk's index at each level, or null when no address is in focus. */
  readonly path: readonly number[] | null;
  readonly focus: ReadonlySet<number>;
}

interface Root {
  readonly key: string;
  readonly label: string;
  readonly address: number;
}

/** The address space the user picked, per run; otherwise the one the event concerns. */
const chosenRoot = new Map<number, string>();

function rootsOf(state: MachineState): Root[] {
  const cpu = state.cpu;
  const current = state.config.geometry.format === 'ostep' ? cpu.cr3 : cpu.cr3 - (cpu.cr3 % 4096);
  const roots: Root[] = [{ key: 'cr3', label: `CR3 (current): ${hex(current)}`, address: current }];
  for (const pid of state.kernel.processes.ids) {
    const process = state.kernel.processes.byId[pid]!;
    if (process.status === 'exited' || process.status === 'zombie') continue;
    roots.push({ key: `pid:${pid}`, label: `${process.name} (pid ${pid}): ${hex(process.rootTable)}`, address: process.rootTable });
  }
  if (state.kernel.booted) roots.push({ key: 'kernel', label: `kernel: ${hex(state.kernel.kernelRoot)}`, address: state.kernel.kernelRoot });
  return roots;
}

function defaultRoot(context: PanelContext, roots: readonly Root[]): Root {
  const chosen = roots.find((root) => root.key === chosenRoot.get(context.run.index));
  if (chosen !== undefined) return chosen;
  const concerned = context.focus.pid === null ? undefined : roots.find((root) => root.key === `pid:${context.focus.pid}`);
  return concerned ?? roots[0]!;
}

function pathOf(geometry: PagingGeometry, va: string | null): number[] | null {
  if (va === null || !/^0x[0-9a-f]+$/i.test(va)) return null;
  const { high, low } = splitVirtual(BigInt(va));
  return indicesOf(geometry, high, low).levels.map((level) => level.index);
}

function pageSizeText(shift: number): string {
  if (shift >= 30) return `${2 ** (shift - 30)} GiB`;
  if (shift >= 20) return `${2 ** (shift - 20)} MiB`;
  if (shift >= 10) return `${2 ** (shift - 10)} KiB`;
  return `${2 ** shift} B`;
}

/** Bit position of the lowest address bit each level's index covers. */
function lowBitOf(geometry: PagingGeometry, level: number): number {
  let bit = geometry.offsetBits;
  for (let below = geometry.levelIndexBits.length - 1; below > level; below--) bit += geometry.levelIndexBits[below]!;
  return bit;
}

/** A virtual address in canonical form (sign-extended) for the geometries that have one. */
function canonicalVa(geometry: PagingGeometry, va: bigint): bigint {
  if (!geometry.canonical || (va >> BigInt(geometry.linearBits - 1)) % 2n === 0n) return va;
  return va | ((1n << 64n) - (1n << BigInt(geometry.linearBits)));
}

function entryLine(tree: Tree, level: number, index: number, address: number, high: number, low: number, va: bigint): { line: Child; next: number | null } {
  const { geometry } = tree;
  const format = geometry.format;
  const isLast = level === geometry.levelIndexBits.length - 1;
  const largeAllowed = !isLast && geometry.largePageLevels.includes(level) && (format !== 'x86-32' || tree.cr4Pse);
  const present = format === 'ostep' ? isOstepValid(geometry.entryBytes, low) : (low & ENTRY_P) !== 0;
  const mapsPage = present && (isLast || (largeAllowed && (low & ENTRY_PS) !== 0));
  const fields = decodeEntry(format, high, low, { offsetBits: geometry.offsetBits, entryBytes: geometry.entryBytes });
  const flags = entryFlagNames(format, high, low, isLast, largeAllowed, geometry.entryBytes);
  const name = `${geometry.levelNames[level]}[${index}]`;
  const value = entryHex(format, geometry.entryBytes, high, low);
  let target: string;
  let next: number | null = null;
  if (!present) {
    target = 'not present';
  } else if (mapsPage) {
    const shift = lowBitOf(geometry, level);
    const frame = fields.frameAddress - (fields.frameAddress % 2 ** shift);
    target = `→ page ${hex(frame)} (${pageSizeText(shift)}) for va ${hex(canonicalVa(geometry, va))}`;
  } else {
    next = fields.frameAddress;
    target = `→ ${geometry.levelNames[level + 1]} at ${hex(fields.frameAddress)}`;
  }
  const line = h(
    'span',
    { class: 'entry-line' },
    h('span', { class: 'entry-name' }, name),
    ' at ',
    h('span', { class: 'mono' }, hex(address)),
    ' = ',
    h('span', { class: 'mono entry-value' }, value),
    ' ',
    h('span', { class: present ? 'entry-target' : 'entry-target muted' }, target),
    ' ',
    flagList(flags),
  );
  return { line, next };
}

function tableList(tree: Tree, level: number, tableAddress: number, onPath: boolean, vaPrefix: bigint): HTMLElement {
  const { geometry, store } = tree;
  const list = h('ul', { class: 'pt-level' });
  if (tableAddress < 0 || tableAddress + geometry.entryBytes > tree.memoryBytes) {
    list.appendChild(h('li', { class: 'muted' }, `${hex(tableAddress)} is outside physical memory`));
    return list;
  }
  const entries = Math.min(2 ** geometry.levelIndexBits[level]!, MAX_ENTRIES_SHOWN);
  const lowBit = BigInt(lowBitOf(geometry, level));
  let shown = 0;
  for (let index = 0; index < entries; index++) {
    const address = tableAddress + index * geometry.entryBytes;
    const { high, low } = store.readEntry(address, geometry.entryBytes);
    const pathEntry = onPath && tree.path !== null && tree.path[level] === index;
    const present = geometry.format === 'ostep' ? isOstepValid(geometry.entryBytes, low) : (low & ENTRY_P) !== 0;
    if (!present && !pathEntry) continue;
    shown++;
    const va = vaPrefix | (BigInt(index) << lowBit);
    list.appendChild(entryItem(tree, level, index, address, high, low, va, pathEntry));
  }
  if (shown === 0) list.appendChild(h('li', { class: 'muted' }, 'no present entries'));
  return list;
}

function entryItem(tree: Tree, level: number, index: number, address: number, high: number, low: number, va: bigint, pathEntry: boolean): HTMLElement {
  const before = tree.previous.readEntry(address, tree.geometry.entryBytes);
  const changed = before.high !== high || before.low !== low;
  const classes = ['pt-entry', pathEntry ? 'on-path' : '', tree.focus.has(address) ? 'focus' : '', changed ? 'changed' : ''].filter((c) => c !== '').join(' ');
  const { line, next } = entryLine(tree, level, index, address, high, low, va);
  const attributes = {
    class: classes,
    'data-level': tree.geometry.levelNames[level]!,
    'data-index': index,
    'data-entry': entryHex(tree.geometry.format, tree.geometry.entryBytes, high, low),
  };
  if (next === null || level + 1 >= tree.geometry.levelIndexBits.length) return h('li', attributes, line);
  const details = h('details', { open: pathEntry }, h('summary', null, line));
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    details.appendChild(tableList(tree, level + 1, next, pathEntry, va));
  };
  if (pathEntry) build();
  else details.addEventListener('toggle', () => details.open && build());
  return h('li', attributes, details);
}

function walkSummary(geometry: PagingGeometry, va: string, path: readonly number[]): string {
  const { high, low } = splitVirtual(BigInt(va));
  const offset = indicesOf(geometry, high, low).offset;
  return `Walk of ${va}: ${path.map((index, level) => `${geometry.levelNames[level]}[${index}]`).join(' → ')}, offset ${hex(offset)}`;
}

function rootPicker(context: PanelContext, roots: readonly Root[], selected: Root, rerender: () => void): HTMLElement {
  const select = h('select', { 'aria-label': 'Address space to show' });
  for (const root of roots) select.appendChild(new Option(root.label, root.key, false, root.key === selected.key));
  select.addEventListener('change', () => {
    chosenRoot.set(context.run.index, select.value);
    rerender();
  });
  return h('label', { class: 'picker' }, 'Address space ', select);
}

function renderPageTables(context: PanelContext): Node {
  const container = h('div', { class: 'page-tables' });
  const draw = () => {
    const { state, previous, focus } = context;
    const geometry = state.config.geometry;
    const roots = rootsOf(state);
    const root = defaultRoot(context, roots);
    const path = pathOf(geometry, focus.va);
    const tree: Tree = {
      geometry,
      store: state.memory.store,
      previous: previous.memory.store,
      memoryBytes: state.memory.store.sizeBytes,
      cr4Pse: (state.cpu.cr4 & CR4_PSE) !== 0,
      path,
      focus: new Set(focus.entryAddresses),
    };
    container.replaceChildren(
      rootPicker(context, roots, root, draw),
      h('p', { class: 'walk-summary' }, path === null ? `${geometry.name} paging; no address in focus` : walkSummary(geometry, focus.va!, path)),
      h('div', { class: 'pt-tree' }, h('p', { class: 'pt-root' }, `${geometry.levelNames[0]} at ${hex(root.address)}`), tableList(tree, 0, root.address, true, 0n)),
    );
  };
  draw();
  return container;
}

registerPanel({ id: 'page-tables', title: 'Page tables', order: 30, slices: ['memory'], open: true, render: renderPageTables });
