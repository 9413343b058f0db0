// Proves that PhysicalStore is byte-exact persistent memory: little-endian reads, writes that cross its 64-byte chunks, zero where nothing was written, 0xff beyond the installed size, and earlier versions that never change.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../engine/core/bytes.js';
import { canonicalJson } from '../../../engine/core/canonical.js';
import { PhysicalStore } from '../../../engine/hw/memory/store.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const KIB = 1024;

describe('reads', () => {
  it('read unwritten memory as zero', () => {
    const store = PhysicalStore.empty(4 * KIB);
    expect(bytesToHex(store.read(100, 4))).toBe('00000000');
    expect(store.readU32(0)).toBe(0);
    expect(store.readEntry(8, 8)).toEqual({ high: 0, low: 0 });
  });

  it('read little-endian: the lowest address holds the least significant byte', () => {
    const store = PhysicalStore.empty(4 * KIB).write(0x10, bytes(0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89));
    expect(store.readU32(0x10)).toBe(0x12345678);
    expect(store.readEntry(0x10, 8)).toEqual({ low: 0x12345678, high: 0x89abcdef });
    expect(store.readEntry(0x10, 4)).toEqual({ low: 0x12345678, high: 0 });
    expect(store.readEntry(0x10, 2)).toEqual({ low: 0x5678, high: 0 });
    expect(store.readEntry(0x10, 1)).toEqual({ low: 0x78, high: 0 });
  });

  it('read a 32-bit value whose bytes straddle two chunks', () => {
    const store = PhysicalStore.empty(4 * KIB).write(62, bytes(1, 2, 3, 4));
    expect(store.readU32(62)).toBe(0x04030201);
  });

  it('read 0xff beyond the installed size, as an unclaimed bus read does', () => {
    const store = PhysicalStore.empty(256).write(252, bytes(1, 2, 3, 4));
    expect(store.readByte(256)).toBe(0xff);
    expect(store.readByte(-1)).toBe(0xff);
    expect(bytesToHex(store.read(254, 4))).toBe('0304ffff');
    expect(store.readU32(254)).toBe(0xffff0403);
  });
});

describe('writes', () => {
  it('land across chunk boundaries byte for byte', () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    const store = PhysicalStore.empty(4 * KIB).write(50, data);
    expect(Array.from(store.read(50, 200))).toEqual(Array.from(data));
    expect(store.readByte(49)).toBe(0);
    expect(store.readByte(250)).toBe(0);
  });

  it('keep the neighbouring bytes of the chunk they change', () => {
    const store = PhysicalStore.empty(KIB).write(0, bytes(0xaa, 0xbb, 0xcc)).write(1, bytes(0x11));
    expect(bytesToHex(store.read(0, 3))).toBe('aa11cc');
  });

  it('write entries from two 32-bit halves', () => {
    const store = PhysicalStore.empty(KIB).writeEntry(8, 8, 0x80000000, 0x1067);
    expect(bytesToHex(store.read(8, 8))).toBe('6710000000000080');
    expect(store.readEntry(8, 8)).toEqual({ high: 0x80000000, low: 0x1067 });
  });

  it('drop bytes beyond the installed size and return the same store when nothing lands', () => {
    const store = PhysicalStore.empty(256);
    const edge = store.write(254, bytes(1, 2, 3, 4));
    expect(bytesToHex(edge.read(254, 2))).toBe('0102');
    expect(store.write(300, bytes(1))).toBe(store);
  });
});

describe('persistence', () => {
  it('leaves every earlier version unchanged', () => {
    const v0 = PhysicalStore.empty(4 * KIB);
    const v1 = v0.write(64, bytes(1, 2, 3));
    const v2 = v1.write(65, bytes(9)).write(4000, bytes(7));
    expect(bytesToHex(v0.read(64, 3))).toBe('000000');
    expect(bytesToHex(v1.read(64, 3))).toBe('010203');
    expect(bytesToHex(v2.read(64, 3))).toBe('010903');
    expect(v1.readByte(4000)).toBe(0);
    expect(v2.readByte(4000)).toBe(7);
  });

  it('hashes only the chunks that hold a non-zero byte', () => {
    const store = PhysicalStore.empty(256).write(0, bytes(0, 0)).write(130, bytes(0xab));
    const canonical = JSON.parse(canonicalJson(store)) as { sizeBytes: number; chunks: [number, string][] };
    expect(canonical.sizeBytes).toBe(256);
    expect(canonical.chunks.map(([address]) => address)).toEqual([128]);
    expect(canonical.chunks[0]![1].slice(0, 8)).toBe('0000ab00');
  });
});
