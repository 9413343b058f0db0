/**
 * The synthetic memory workload of the hot-path benchmark (issue 2): N processes, each
 * with the same number of 4 KiB pages mapped at the same user address (separate address
 * spaces), and a sequence of 8-byte reads and writes with locality, the running process
 * changing round robin every `switchEvery` accesses.
 *
 * The sequence is generated once, up front, from a seeded xoroshiro128+ (pure-rand, as
 * engine/core/prng.ts uses) into flat typed arrays, so that the engine and the mutable
 * baseline consume exactly the same accesses and neither pays for the generator while
 * it is timed. Probabilities are integer ratios (percentages), never floats.
 *
 * Left out on purpose: instruction fetches, page-crossing accesses and faults. Every
 * access lands inside the running process's own pages, so the timed work is the common
 * case of the hot path: TLB hits, misses with 4-step walks, A/D updates, data moves.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** What the workload is made of; every field shows in the printed description. */
export interface WorkloadSpec {
  readonly seed: number;
  readonly processCount: number;
  readonly pagesPerProcess: number;
  /** User virtual address where every process's pages start. */
  readonly baseVa: number;
  readonly accessCount: number;
  /** A context switch to the next process (round robin) after this many accesses. */
  readonly switchEvery: number;
  /** Percentage of accesses that are writes (the rest are reads). */
  readonly writePercent: number;
  /** Percentage of accesses that go to the hot set (the first `hotPages` pages). */
  readonly hotPercent: number;
  readonly hotPages: number;
  /** Bytes per access: 8, aligned, so no access crosses a page. */
  readonly accessBytes: number;
}

/** The issue's workload: 1,000,000 accesses by 100 processes, a switch every 1,000. */
export const ISSUE_2_WORKLOAD: WorkloadSpec = {
  seed: 2,
  processCount: 100,
  pagesPerProcess: 96,
  baseVa: 0x400000,
  accessCount: 1_000_000,
  switchEvery: 1_000,
  writePercent: 30,
  hotPercent: 90,
  hotPages: 16,
  accessBytes: 8,
};

export const PAGE_BYTES = 4096;

/** The generated sequence: access i touches `page[i]` at `offset[i]`, a read or a write. */
export interface Workload {
  readonly spec: WorkloadSpec;
  /** Page index within the running process's pages. */
  readonly page: Uint16Array;
  /** Byte offset in the page, a multiple of accessBytes. */
  readonly offset: Uint16Array;
  /** 1 for a write, 0 for a read. */
  readonly isWrite: Uint8Array;
  /** The value a write stores, as two 32-bit halves (little-endian in memory). */
  readonly valueLow: Uint32Array;
  readonly valueHigh: Uint32Array;
  /** For writes: the same value as the engine's `bytes` field (hex, lowest address first). */
  readonly writeHex: readonly string[];
}

/** Which process runs access `index` (an index into the process list). */
export function processIndexOf(spec: WorkloadSpec, index: number): number {
  return Math.floor(index / spec.switchEvery) % spec.processCount;
}

/** Little-endian hex of a 64-bit value given as halves: the engine's write format. */
export function littleEndianHexOf(low: number, high: number): string {
  let out = '';
  for (let i = 0; i < 8; i++) {
    const byte = i < 4 ? (low >>> (8 * i)) & 0xff : (high >>> (8 * (i - 4))) & 0xff;
    out += (byte < 16 ? '0' : '') + byte.toString(16);
  }
  return out;
}

/** Draws the whole access sequence from the spec's seed; deterministic. */
export function generateWorkload(spec: WorkloadSpec): Workload {
  const rng = xoroshiro128plus(spec.seed);
  const count = spec.accessCount;
  const page = new Uint16Array(count);
  const offset = new Uint16Array(count);
  const isWrite = new Uint8Array(count);
  const valueLow = new Uint32Array(count);
  const valueHigh = new Uint32Array(count);
  const writeHex: string[] = new Array<string>(count).fill('');
  const slotsPerPage = PAGE_BYTES / spec.accessBytes;
  for (let i = 0; i < count; i++) {
    const hot = uniformInt(rng, 1, 100) <= spec.hotPercent;
    page[i] = uniformInt(rng, 0, (hot ? spec.hotPages : spec.pagesPerProcess) - 1);
    offset[i] = uniformInt(rng, 0, slotsPerPage - 1) * spec.accessBytes;
    if (uniformInt(rng, 1, 100) <= spec.writePercent) {
      isWrite[i] = 1;
      valueLow[i] = uniformInt(rng, 0, 0xffffffff) >>> 0;
      valueHigh[i] = uniformInt(rng, 0, 0xffffffff) >>> 0;
      writeHex[i] = littleEndianHexOf(valueLow[i]!, valueHigh[i]!);
    }
  }
  return { spec, page, offset, isWrite, valueLow, valueHigh, writeHex };
}

/** A one-line description for the report header. */
export function describeWorkload(spec: WorkloadSpec): string {
  return (
    `${spec.accessCount.toLocaleString('en-US')} accesses of ${spec.accessBytes} bytes by ${spec.processCount} processes ` +
    `(${spec.pagesPerProcess} pages each), ${spec.writePercent}% writes, ${spec.hotPercent}% in a hot set of ` +
    `${spec.hotPages} pages, a context switch every ${spec.switchEvery.toLocaleString('en-US')} accesses, seed ${spec.seed}`
  );
}
