/**
 * `isolab translate VADDR [--paging MODE]`: the table index at each level, the bits it
 * comes from, and the page offset — concept 3's worked example.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import { hex, isCanonical, parseU64 } from '../../engine/core/u64.js';
import { GEOMETRY_NAMES, geometryByName, indicesOf, splitVirtual } from '../../engine/hw/mmu/index.js';
import { nearest } from '../../dsl/suggest.js';
import { styleFor } from '../io.js';
import { table } from './run.js';

export function translateCommand(address: string, options: { paging?: string; json?: boolean }): number {
  const mode = options.paging ?? '4-level';
  const geometry = geometryByName(mode);
  if (geometry === null) {
    const suggestion = nearest(mode, GEOMETRY_NAMES);
    throw new ScenarioError('E_OPTION', `--paging expects one of ${GEOMETRY_NAMES.join(', ')}, found "${mode}"`, null, suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
  }
  const va = parseU64(address);
  if (va === null) throw new ScenarioError('E_OPTION', `"${address}" is not an address: give 0x… hex or a decimal number below 2^64`);
  if (geometry.canonical && !isCanonical(va, geometry.linearBits)) {
    throw new ScenarioError('E_OPTION', `${hex(va)} is not canonical for ${geometry.name} paging: bits 63:${geometry.linearBits - 1} must all equal bit ${geometry.linearBits - 1}`, null, ['the CPU raises #GP(0) on such an address before any page walk']);
  }
  if (!geometry.canonical && va >= 1n << BigInt(geometry.linearBits)) {
    throw new ScenarioError('E_OPTION', `${hex(va)} does not fit in the ${geometry.linearBits}-bit addresses of ${geometry.name} paging`);
  }
  const { high, low } = splitVirtual(va);
  const indices = indicesOf(geometry, high, low);
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ address: hex(va), paging: geometry.name, ...indices }, null, 2) + '\n');
    return 0;
  }
  const style = styleFor(process.stdout);
  const binary = (value: number, bits: number) => value.toString(2).padStart(bits, '0');
  const rows = [
    ['level', 'bits', 'index', 'binary'],
    ...indices.levels.map((level) => [level.levelName, `${level.bitsHigh}:${level.bitsLow}`, String(level.index), binary(level.index, level.bitsHigh - level.bitsLow + 1)]),
    ['offset', `${indices.offsetBitsHigh}:0`, hex(indices.offset), binary(indices.offset, indices.offsetBitsHigh + 1)],
  ];
  process.stdout.write(`${hex(va, geometry.linearBits > 32 ? 16 : 8)} under ${geometry.name} paging\n${table(rows, style).join('\n')}\n`);
  return 0;
}
