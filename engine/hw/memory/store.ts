/**
 * Physical memory contents: bytes in 64-byte chunks held in a persistent radix trie, so
 * that a write copies one chunk and its path, and every earlier state keeps its bytes.
 * Untouched memory reads as zero. Reads beyond the installed size return 0xff, as a
 * read that no device claims does on a PC (a master abort); callers that care check the
 * size first.
 */
import type { CanonicalForm } from '../../core/canonical.js';
import { RadixTrie } from '../../core/radix.js';
import { bytesToHex } from '../../core/bytes.js';

const CHUNK_BYTES = 64;

export class PhysicalStore implements CanonicalForm {
  private constructor(
    readonly sizeBytes: number,
    private readonly chunks: RadixTrie<Uint8Array>,
  ) {}

  static empty(sizeBytes: number): PhysicalStore {
    return new PhysicalStore(sizeBytes, RadixTrie.empty(Math.ceil(sizeBytes / CHUNK_BYTES)));
  }

  readByte(address: number): number {
    if (address < 0 || address >= this.sizeBytes) return 0xff;
    const chunk = this.chunks.get(Math.floor(address / CHUNK_BYTES));
    return chunk === undefined ? 0 : chunk[address % CHUNK_BYTES]!;
  }

  /** Little-endian 32-bit value at any address (aligned reads stay in one chunk). */
  readU32(address: number): number {
    const offset = address % CHUNK_BYTES;
    if (offset <= CHUNK_BYTES - 4 && address >= 0 && address + 4 <= this.sizeBytes) {
      const chunk = this.chunks.get(Math.floor(address / CHUNK_BYTES));
      if (chunk === undefined) return 0;
      return (chunk[offset]! | (chunk[offset + 1]! << 8) | (chunk[offset + 2]! << 16) | (chunk[offset + 3]! << 24)) >>> 0;
    }
    return (
      (this.readByte(address) |
        (this.readByte(address + 1) << 8) |
        (this.readByte(address + 2) << 16) |
        (this.readByte(address + 3) << 24)) >>>
      0
    );
  }

  /** A paging-structure entry of 1, 2, 4 or 8 bytes as two 32-bit halves. */
  readEntry(address: number, bytes: number): { high: number; low: number } {
    if (bytes === 8) return { low: this.readU32(address), high: this.readU32(address + 4) };
    if (bytes === 4) return { low: this.readU32(address), high: 0 };
    let low = 0;
    for (let i = 0; i < bytes; i++) low |= this.readByte(address + i) << (8 * i);
    return { low: low >>> 0, high: 0 };
  }

  read(address: number, length: number): Uint8Array {
    const offset = address % CHUNK_BYTES;
    if (address >= 0 && offset + length <= CHUNK_BYTES && address + length <= this.sizeBytes) {
      const chunk = this.chunks.get((address - offset) / CHUNK_BYTES);
      return chunk === undefined ? new Uint8Array(length) : chunk.slice(offset, offset + length);
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readByte(address + i);
    return out;
  }

  /**
   * A new store with [address, address+length) zeroed. Whole chunks are dropped rather
   * than stored as zeros: untouched memory reads as zero, and history stays small.
   */
  clear(address: number, length: number): PhysicalStore {
    let chunks = this.chunks;
    const end = Math.min(address + length, this.sizeBytes);
    let at = Math.max(0, address);
    while (at < end) {
      const offset = at % CHUNK_BYTES;
      const count = Math.min(CHUNK_BYTES - offset, end - at);
      const index = (at - offset) / CHUNK_BYTES;
      const old = chunks.get(index);
      if (old !== undefined) {
        if (count === CHUNK_BYTES) {
          chunks = chunks.set(index, undefined);
        } else {
          const chunk = old.slice();
          chunk.fill(0, offset, offset + count);
          chunks = chunks.set(index, chunk);
        }
      }
      at += count;
    }
    return chunks === this.chunks ? this : new PhysicalStore(this.sizeBytes, chunks);
  }

  /** A new store with `bytes` written at `address`; bytes outside the installed size are dropped. */
  write(address: number, bytes: Uint8Array): PhysicalStore {
    let chunks = this.chunks;
    const first = Math.max(0, -address);
    const last = Math.min(bytes.length, this.sizeBytes - address);
    let i = first;
    while (i < last) {
      const at = address + i;
      const chunkIndex = Math.floor(at / CHUNK_BYTES);
      const offset = at % CHUNK_BYTES;
      const count = Math.min(CHUNK_BYTES - offset, last - i);
      const chunk = new Uint8Array(CHUNK_BYTES);
      const old = chunks.get(chunkIndex);
      if (old !== undefined) chunk.set(old);
      chunk.set(bytes.subarray(i, i + count), offset);
      chunks = chunks.set(chunkIndex, chunk);
      i += count;
    }
    return chunks === this.chunks ? this : new PhysicalStore(this.sizeBytes, chunks);
  }

  /** Writes a little-endian value of 1..8 bytes given as two 32-bit halves. */
  writeEntry(address: number, bytes: number, high: number, low: number): PhysicalStore {
    const buffer = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) buffer[i] = i < 4 ? (low >>> (8 * i)) & 0xff : (high >>> (8 * (i - 4))) & 0xff;
    return this.write(address, buffer);
  }

  /** Non-zero chunks as [address, hex] pairs in address order: the hashed form. */
  toCanonical(): unknown {
    const out: Array<[number, string]> = [];
    for (const [index, chunk] of this.chunks.entries()) {
      if (chunk.some((byte) => byte !== 0)) out.push([index * CHUNK_BYTES, bytesToHex(chunk)]);
    }
    return { sizeBytes: this.sizeBytes, chunks: out };
  }
}
