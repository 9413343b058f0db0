/**
 * The machine, kernel and raw blocks: what hardware the run has, whether a kernel
 * boots and how, and the exact register and memory contents of a raw (exam-style)
 * setup.
 */
import type { Command } from '../../engine/core/decider.js';
import { bytesToHex, hexToBytes, littleEndianBytes, utf8Bytes } from '../../engine/core/bytes.js';
import { hex } from '../../engine/core/u64.js';
import type { CpuModel, MachineConfig, TlbReplacement } from '../../engine/machine/config.js';
import type { CpuFeatures } from '../../engine/hw/cpu/state.js';
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_LA57,
  CR4_PAE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_PKE,
  CR4_PSE,
  CR4_SMAP,
  CR4_SMEP,
  CR4_UMIP,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  EFER_SCE,
  NAMED_BITS,
  withBit,
} from '../../engine/hw/cpu/registers.js';
import { GEOMETRY_NAMES, decodeEntry, geometryByName } from '../../engine/hw/mmu/index.js';
import type { PagingGeometry } from '../../engine/hw/mmu/types.js';
import type { BlockStatement, Property, SettingStatement, Span } from '../ast.js';
import { nearest } from '../suggest.js';
import {
  type Bindings,
  describe,
  expectChoice,
  expectCount,
  expectInteger,
  expectOnOff,
  expectSize,
  expectSmallInteger,
  expectString,
  expectWord,
  fail,
  formatBytes,
  resolve,
  suggestionNotes,
} from './values.js';

export interface MachineSetup {
  readonly config: MachineConfig;
  readonly features: CpuFeatures;
}

interface CpuFlags {
  smep: boolean;
  smap: boolean;
  nx: boolean;
  wp: boolean;
  pke: boolean;
  umip: boolean;
  pcid: boolean;
  pge: boolean;
  pse: boolean;
}

const CPU_MODELS: readonly CpuModel[] = ['x86_64', 'i386', 'teaching'];
/** Enough for any lesson; the kernel's direct map of it stays a few thousand entries. */
export const MAX_MEMORY_BYTES = 64 * 1024 ** 3;
const CPU_FLAG_NAMES = ['smep', 'smap', 'nx', 'wp', 'pke', 'umip', 'pcid', 'pge', 'pse'] as const;
const MACHINE_SETTINGS = ['cpu', 'paging', 'maxphyaddr', 'memory', 'tlb', 'alloc'] as const;

function unknownSetting(setting: SettingStatement, known: readonly string[], block: string): never {
  return fail(
    'E_UNKNOWN_SETTING',
    `"${setting.name.value}" is not a setting of the ${block} block (expected one of: ${known.join(', ')})`,
    setting.name.loc,
    suggestionNotes(nearest(setting.name.value, known)),
  );
}

function propsOf(setting: SettingStatement, known: readonly string[], what: string): readonly Property[] {
  const props = setting.props ?? [];
  for (const prop of props) {
    if (!known.includes(prop.key.value)) {
      fail(
        'E_UNKNOWN_PROPERTY',
        `"${prop.key.value}" is not a property of ${what} (expected one of: ${known.join(', ')})`,
        prop.key.loc,
        suggestionNotes(nearest(prop.key.value, known)),
      );
    }
  }
  return props;
}

export function compileMachine(block: BlockStatement | null, seed: number, bindings: Bindings): MachineSetup {
  let model: CpuModel = 'x86_64';
  const flags: CpuFlags = { smep: true, smap: true, nx: true, wp: true, pke: false, umip: false, pcid: false, pge: true, pse: true };
  let paging: { geometry: PagingGeometry; span: Span } | null = null;
  let maxPhyAddr: number | null = null;
  let memoryBytes: number | null = null;
  let tlbEntries = 64;
  let replacement: TlbReplacement = 'fifo';
  let allocation: 'sequential' | 'random' = 'sequential';
  for (const item of block?.body ?? []) {
    if (item.kind === 'comment') continue;
    const name = item.name.value;
    const anchor = item.name.loc;
    switch (name) {
      case 'cpu': {
        model = expectChoice(item.args[0], CPU_MODELS, 'a CPU model', anchor, bindings);
        if (model === 'i386') flags.nx = false;
        for (const prop of propsOf(item, CPU_FLAG_NAMES, 'cpu')) {
          flags[prop.key.value as keyof CpuFlags] = expectOnOff(prop.value, prop.key.value, prop.key.loc, bindings);
        }
        break;
      }
      case 'paging': {
        const word = expectWord(item.args[0], 'a paging mode', anchor, bindings);
        const geometry = geometryByName(word.value);
        if (geometry === null) {
          fail('E_UNKNOWN_WORD', `expected a paging mode (${GEOMETRY_NAMES.join(', ')}), found "${word.value}"`, word.loc, suggestionNotes(nearest(word.value, GEOMETRY_NAMES)));
        }
        paging = { geometry, span: word.loc };
        break;
      }
      case 'maxphyaddr':
        maxPhyAddr = expectSmallInteger(item.args[0], 'MAXPHYADDR (bits)', anchor, bindings, 12, 52);
        break;
      case 'memory':
        memoryBytes = expectSize(item.args[0], 'the memory size', anchor, bindings);
        if (memoryBytes > MAX_MEMORY_BYTES) fail('E_RANGE', `the simulator models at most ${formatBytes(MAX_MEMORY_BYTES)} of memory`, item.args[0]!.loc);
        break;
      case 'tlb': {
        tlbEntries = expectCount(item.args[0], 'entries', 'the number of TLB entries', anchor, bindings);
        if (tlbEntries < 1 || tlbEntries > 4096) fail('E_RANGE', 'a TLB has between 1 and 4096 entries', item.args[0]!.loc);
        for (const prop of propsOf(item, ['replace', 'pcid'], 'tlb')) {
          if (prop.key.value === 'replace') replacement = expectChoice(prop.value, ['fifo', 'lru'] as const, 'a replacement policy', prop.key.loc, bindings);
          else flags.pcid = expectOnOff(prop.value, 'pcid', prop.key.loc, bindings);
        }
        break;
      }
      case 'alloc':
        allocation = expectChoice(item.args[0], ['sequential', 'random'] as const, 'an allocation order', anchor, bindings);
        break;
      default:
        unknownSetting(item, MACHINE_SETTINGS, 'machine');
    }
  }
  const geometry = paging?.geometry ?? defaultGeometry(model);
  checkModelFitsPaging(model, geometry, paging?.span ?? block?.loc ?? null);
  const teaching = geometry.format === 'ostep';
  const memory = memoryBytes ?? (teaching ? 4096 : 64 * 1024 ** 2);
  const phys = maxPhyAddr ?? (teaching ? Math.max(12, Math.ceil(Math.log2(memory))) : model === 'i386' ? 36 : 46);
  if (memory > 2 ** phys) fail('E_RANGE', `${formatBytes(memory)} of memory do not fit in MAXPHYADDR ${phys}`, block?.loc ?? zeroSpan());
  const frameBytes = 2 ** geometry.offsetBits;
  const config: MachineConfig = {
    cpu: model,
    geometry,
    maxPhyAddr: phys,
    memoryBytes: memory,
    frameBytes,
    tlbEntries,
    tlbReplacement: replacement,
    allocation,
    seed,
  };
  return { config, features: featuresOf(model, geometry, flags) };
}

export function zeroSpan(file = '<scenario>'): Span {
  const at = { offset: 0, line: 1, column: 1 };
  return { source: file, start: at, end: at };
}

function defaultGeometry(model: CpuModel): PagingGeometry {
  return geometryByName(model === 'x86_64' ? '4-level' : model === 'i386' ? '2-level' : 'ostep-15')!;
}

function checkModelFitsPaging(model: CpuModel, geometry: PagingGeometry, span: Span | null): void {
  const fits =
    (model === 'x86_64' && geometry.format === 'x86-64') ||
    (model === 'i386' && geometry.format === 'x86-32') ||
    (model === 'teaching' && geometry.format === 'ostep');
  if (!fits) {
    fail('E_INCOMPATIBLE', `paging ${geometry.name} does not go with cpu ${model}`, span ?? zeroSpan(), [
      'x86_64 uses 4-level or 5-level paging, i386 uses 2-level, teaching uses ostep-15',
    ]);
  }
}

function featuresOf(model: CpuModel, geometry: PagingGeometry, flags: CpuFlags): CpuFeatures {
  let cr0 = (CR0_PE | CR0_PG) >>> 0;
  let cr4 = 0;
  let efer = 0;
  if (model === 'teaching') return { mode: 'protected', cr0, cr4, efer };
  cr0 = withBit(cr0, CR0_WP, flags.wp);
  cr4 = withBit(cr4, CR4_SMEP, flags.smep);
  cr4 = withBit(cr4, CR4_SMAP, flags.smap);
  cr4 = withBit(cr4, CR4_UMIP, flags.umip);
  cr4 = withBit(cr4, CR4_PGE, flags.pge);
  cr4 = withBit(cr4, CR4_PSE, flags.pse);
  if (model === 'x86_64') {
    cr4 = withBit(cr4, CR4_PAE, true);
    cr4 = withBit(cr4, CR4_PKE, flags.pke);
    cr4 = withBit(cr4, CR4_PCIDE, flags.pcid);
    cr4 = withBit(cr4, CR4_LA57, geometry.linearBits === 57);
    efer = EFER_LME | EFER_LMA | EFER_SCE;
    efer = withBit(efer, EFER_NXE, flags.nx);
  }
  return { mode: model === 'x86_64' ? 'long' : 'protected', cr0, cr4, efer };
}

export interface KernelSetup {
  readonly boots: boolean;
  readonly timerPeriodTicks: number | null;
  readonly flushOnReuse: boolean;
  readonly pcidSlots: number;
  readonly gates: readonly { readonly vector: number; readonly dpl: number; readonly present: boolean }[];
  /** Injected bugs: kernel pages wrongly mapped user-accessible. */
  readonly userPages: readonly bigint[];
}

const KERNEL_SETTINGS = ['timer', 'switch', 'gate', 'bug', 'none'] as const;
const KERNEL_BUGS = ['user-page'] as const;

export function compileKernel(block: BlockStatement | null, hasProcesses: boolean, bindings: Bindings): KernelSetup {
  let boots = block !== null || hasProcesses;
  let timer: number | null = null;
  let flushOnReuse = true;
  let pcidSlots = 6;
  const gates: { vector: number; dpl: number; present: boolean }[] = [];
  const userPages: bigint[] = [];
  for (const item of block?.body ?? []) {
    if (item.kind === 'comment') continue;
    const anchor = item.name.loc;
    switch (item.name.value) {
      case 'none':
        boots = false;
        break;
      case 'timer': {
        const first = resolve(item.args[0] ?? { kind: 'word', value: '', loc: anchor }, bindings);
        if (first.kind === 'word' && first.value === 'off') break;
        if (first.kind === 'word' && first.value === 'every') timer = expectCount(item.args[1], 'ticks', 'the timer period', anchor, bindings);
        else fail('E_SYNTAX', `expected "timer every N ticks" or "timer off", found ${describe(first)}`, item.args[0]?.loc ?? anchor);
        if (timer !== null && timer < 1) fail('E_RANGE', 'the timer period must be at least 1 tick', item.args[1]!.loc);
        break;
      }
      case 'switch':
        for (const prop of propsOf(item, ['flush', 'pcids'], 'switch')) {
          if (prop.key.value === 'flush') flushOnReuse = expectOnOff(prop.value, 'flush', prop.key.loc, bindings);
          else pcidSlots = expectSmallInteger(prop.value, 'the number of PCIDs', prop.key.loc, bindings, 1, 4095);
        }
        break;
      case 'gate': {
        const vector = expectSmallInteger(item.args[0], 'an interrupt vector', anchor, bindings, 0, 255);
        let dpl = 0;
        let present = true;
        for (const prop of propsOf(item, ['dpl', 'present'], 'gate')) {
          if (prop.key.value === 'dpl') dpl = expectSmallInteger(prop.value, 'a DPL', prop.key.loc, bindings, 0, 3);
          else present = expectOnOff(prop.value, 'present', prop.key.loc, bindings);
        }
        gates.push({ vector, dpl, present });
        break;
      }
      case 'bug': {
        // `bug user-page ADDR { active: on|off }`: a known kernel mistake, injected on purpose.
        expectChoice(item.args[0], KERNEL_BUGS, 'a kernel bug', anchor, bindings);
        const va = expectInteger(item.args[1], 'the kernel address whose page the bug exposes', anchor, bindings);
        let active = true;
        for (const prop of propsOf(item, ['active'], 'bug')) active = expectOnOff(prop.value, 'active', prop.key.loc, bindings);
        if (active) userPages.push(va);
        break;
      }
      default:
        unknownSetting(item, KERNEL_SETTINGS, 'kernel');
    }
  }
  return { boots, timerPeriodTicks: timer, flushOnReuse, pcidSlots, gates, userPages };
}

const RAW_SETTINGS = ['phys', 'pdbr', 'cr3', 'cr0', 'cr4', 'efer', 'rflags', 'pkru', 'cpl', ...Object.keys(NAMED_BITS)];
const WIDTHS: Readonly<Record<string, number>> = { u8: 1, u16: 2, u32: 4, u64: 8 };

/** Raw setup: bytes and entries at physical addresses, registers set directly. */
export function compileRaw(block: BlockStatement, config: MachineConfig, bindings: Bindings): Command[] {
  const commands: Command[] = [];
  for (const item of block.body) {
    if (item.kind === 'comment') continue;
    const name = item.name.value;
    const anchor = item.name.loc;
    if (name === 'phys') {
      commands.push(rawPhysical(item, config, bindings));
    } else if (name in NAMED_BITS) {
      const on = expectOnOff(item.args[0], name, anchor, bindings);
      commands.push({ type: 'cpu.setRegister', actor: 'raw', data: { register: name, value: on ? 1n : 0n } });
    } else if (['cr3', 'cr0', 'cr4', 'efer', 'rflags', 'pkru'].includes(name)) {
      const value = expectInteger(item.args[0], `a value for ${name}`, anchor, bindings);
      if (name === 'cr3' && config.geometry.format === 'ostep' && value >= BigInt(config.memoryBytes)) {
        fail('E_OUTSIDE_MEMORY', `the page-directory base ${hex(value)} is beyond the ${formatBytes(config.memoryBytes)} of memory`, item.args[0]!.loc);
      }
      commands.push({ type: 'cpu.setRegister', actor: 'raw', data: { register: name, value } });
    } else if (name === 'pdbr') {
      const page = expectInteger(item.args[0], 'the page number of the page directory', anchor, bindings);
      const address = page * BigInt(config.frameBytes);
      if (address >= BigInt(config.memoryBytes)) fail('E_OUTSIDE_MEMORY', `page ${page} is beyond the ${formatBytes(config.memoryBytes)} of memory`, item.args[0]!.loc);
      commands.push({ type: 'cpu.setRegister', actor: 'raw', data: { register: 'cr3', value: address } });
    } else if (name === 'cpl') {
      const cpl = expectSmallInteger(item.args[0], 'a CPL', anchor, bindings, 0, 3);
      commands.push({ type: 'cpu.setRegister', actor: 'raw', data: { register: 'cpl', value: BigInt(cpl) } });
    } else {
      unknownSetting(item, RAW_SETTINGS, 'raw');
    }
  }
  return commands;
}

/** `phys 0x5660 bytes "…"`: the grammar reads "bytes" as the number's unit; it is the keyword here. */
function bytesUnitAsKeyword(item: SettingStatement): SettingStatement {
  const first = item.args[0];
  if (first?.kind !== 'number' || first.unit !== 'bytes') return item;
  const address = { ...first, unit: null };
  const keyword = { kind: 'word' as const, value: 'bytes', loc: first.loc };
  return { ...item, args: [address, keyword, ...item.args.slice(1)] };
}

function rawPhysical(item: SettingStatement, config: MachineConfig, bindings: Bindings): Command {
  const anchor = item.name.loc;
  item = bytesUnitAsKeyword(item);
  const address = expectInteger(item.args[0], 'a physical address', anchor, bindings);
  const kind = expectChoice(item.args[1], ['entry', 'u8', 'u16', 'u32', 'u64', 'bytes', 'hex'] as const, 'entry, a width (u8, u16, u32, u64), bytes or hex', anchor, bindings);
  let bytes: Uint8Array;
  if (kind === 'hex') {
    const text = expectString(item.args[2], 'the bytes as a hex string ("83fee0…")', anchor, bindings).replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})+$/.test(text)) fail('E_TYPE', 'expected an even number of hex digits, such as "83fee0da"', item.args[2]!.loc);
    bytes = hexToBytes(text.toLowerCase());
  } else if (kind === 'bytes') {
    const first = item.args[2] === undefined ? undefined : resolve(item.args[2], bindings);
    if (first?.kind === 'string') bytes = utf8Bytes(first.value);
    else bytes = Uint8Array.from(item.args.slice(2).map((arg) => expectSmallInteger(arg, 'a byte', anchor, bindings, 0, 255)));
    if (bytes.length === 0) fail('E_MISSING', 'expected the bytes to write: a "string" or numbers', anchor);
  } else {
    const width = kind === 'entry' ? config.geometry.entryBytes : WIDTHS[kind]!;
    const value = expectInteger(item.args[2], `a ${kind} value`, anchor, bindings);
    if (value < 0n || value >= 1n << BigInt(8 * width)) fail('E_RANGE', `${hex(value)} does not fit in ${width} bytes`, item.args[2]!.loc);
    bytes = littleEndianBytes(value, width);
    if (kind === 'entry') checkEntryTarget(value, config, item);
  }
  if (address < 0n || address + BigInt(bytes.length) > BigInt(config.memoryBytes)) {
    fail('E_OUTSIDE_MEMORY', `physical address ${hex(address)} is outside the ${formatBytes(config.memoryBytes)} of memory`, item.args[0]!.loc);
  }
  return { type: 'memory.writePhysical', actor: 'raw', data: { address: Number(address), bytes: bytesToHex(bytes) } };
}

/** A present entry must point inside physical memory ("mapping outside physical memory"). */
function checkEntryTarget(value: bigint, config: MachineConfig, item: SettingStatement): void {
  const high = Number(value >> 32n);
  const low = Number(value & 0xffffffffn);
  const layout = { offsetBits: config.geometry.offsetBits, entryBytes: config.geometry.entryBytes };
  const fields = decodeEntry(config.geometry.format, high, low, layout);
  if (fields.present && fields.frameAddress >= config.memoryBytes) {
    fail(
      'E_OUTSIDE_MEMORY',
      `the entry ${hex(value)} maps physical address ${hex(fields.frameAddress)}, beyond the ${formatBytes(config.memoryBytes)} of memory`,
      item.args[2]!.loc,
      ['a raw entry must point at a frame that exists; raise "memory" in the machine block if you meant more'],
    );
  }
}

export function expectStringOrEmpty(value: Property | undefined, bindings: Bindings): string {
  return value === undefined ? '' : expectString(value.value, 'content', value.key.loc, bindings);
}
