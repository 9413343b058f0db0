/**
 * Physical memory contents: 64-byte chunks held in a persistent radix trie, so that a
 * write copies one chunk and its path, and every earlier state keeps its bytes.
 * Untouched memory reads as zero. Reads beyond the installed size return 0xff, as a
 * read that no device claims does on a PC (a master abort); callers that care check the
 * size first.
 *
 * A chunk is a plain array of sixteen little-endian 32-bit words rather than a typed
 * array: copying sixteen small integers is cheap, while allocating an ArrayBuffer per
 * write dominated the hot path (DESIGN.md, "Speed").
 */
import type { CanonicalForm } from '../../core/canonical.js';
import { RadixTrie } from '../../core/radix.js';

const CHUNK_BYTES = 64;

type Chunk = readonly number[];

const HEX_OF_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function byteOf(chunk: Chunk, offset: number): number {
  return (chunk[offset >>> 2]! >>> ((offset & 3) * 8)) & 0xff;
}

function nibble(code: number): number {
  return code <= 57 ? code - 48 : (code | 0x20) - 87;
}

function emptyChunk(): number[] {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export class PhysicalStore implements CanonicalForm {
  private constructor(
    readonly sizeBytes: number,
    private readonly chunks: RadixTrie<Chunk>,
  ) {}

  static empty(sizeBytes: number): PhysicalStore {
    return new PhysicalStore(sizeBytes, RadixTrie.empty(Math.ceil(sizeBytes / CHUNK_BYTES)));
  }

  readByte(address: number): number {
    if (!(address >= 0 && address < this.sizeBytes)) return 0xff;
    const chunk = this.chunks.get(Math.floor(address / CHUNK_BYTES));
    return chunk === undefined ? 0 : byteOf(chunk, address % CHUNK_BYTES);
  }

  /** Little-endian 32-bit value at any address (aligned reads take one word). */
  readU32(address: number): number {
    if (address % 4 === 0 && address >= 0 && address + 4 <= this.sizeBytes) {
      const chunk = this.chunks.get(Math.floor(address / CHUNK_BYTES));
      return chunk === undefined ? 0 : chunk[(address % CHUNK_BYTES) >>> 2]! >>> 0;
    }
    return (
      (this.readByte(address) | (this.readByte(address + 1) << 8) | (this.readByte(address + 2) << 16) | (this.readByte(address + 3) << 24)) >>>
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
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readByte(address + i);
    return out;
  }

  /** The bytes at [address, address+length) as hex, lowest address first. */
  readHex(address: number, length: number): string {
    const offset = address % CHUNK_BYTES;
    let out = '';
    if (address >= 0 && offset + length <= CHUNK_BYTES && address + length <= this.sizeBytes) {
      const chunk = this.chunks.get((address - offset) / CHUNK_BYTES);
      if (chunk === undefined) return '00'.repeat(length);
      for (let i = 0; i < length; i++) out += HEX_OF_BYTE[byteOf(chunk, offset + i)]!;
      return out;
    }
    for (let i = 0; i < length; i++) out += HEX_OF_BYTE[this.readByte(address + i)]!;
    return out;
  }

  /** A new store with `bytes` written at `address`; bytes outside the installed size are dropped. */
  write(address: number, bytes: Uint8Array): PhysicalStore {
    return this.writeWith(address, bytes.length, (i) => bytes[i]!);
  }

  /** As write, with the bytes given as hex digits (two per byte, lowest address first). */
  writeHex(address: number, hex: string): PhysicalStore {
    return this.writeWith(address, hex.length >>> 1, (i) => (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1)));
  }

  private writeWith(address: number, length: number, byteAt: (i: number) => number): PhysicalStore {
    let chunks = this.chunks;
    const last = Math.min(length, this.sizeBytes - address);
    let i = Math.max(0, -address);
    while (i < last) {
      const at = address + i;
      const offset = at % CHUNK_BYTES;
      const index = (at - offset) / CHUNK_BYTES;
      const count = Math.min(CHUNK_BYTES - offset, last - i);
      const old = chunks.get(index);
      const chunk = old === undefined ? emptyChunk() : old.slice();
      for (let k = 0; k < count; k++) {
        const byteOffset = offset + k;
        const word = byteOffset >>> 2;
        const shift = (byteOffset & 3) * 8;
        chunk[word] = ((chunk[word]! & ~(0xff << shift)) | ((byteAt(i + k) & 0xff) << shift)) >>> 0;
      }
      chunks = chunks.set(index, chunk);
      i += count;
    }
    return chunks === this.chunks ? this : new PhysicalStore(this.sizeBytes, chunks);
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
      if (chunks.get(index) !== undefined) {
        chunks = count === CHUNK_BYTES ? chunks.set(index, undefined) : new PhysicalStore(this.sizeBytes, chunks).writeWith(at, count, () => 0).chunks;
      }
      at += count;
    }
    return chunks === this.chunks ? this : new PhysicalStore(this.sizeBytes, chunks);
  }

  /**
   * A new store with [to, to+length) holding the bytes of [from, from+length). Aligned
   * whole chunks are shared rather than copied (they are immutable), so copying a
   * frame costs a path per chunk and an untouched source leaves the target untouched.
   */
  copy(from: number, to: number, length: number): PhysicalStore {
    const aligned = from % CHUNK_BYTES === 0 && to % CHUNK_BYTES === 0 && length % CHUNK_BYTES === 0;
    if (!aligned || from < 0 || to < 0 || from + length > this.sizeBytes || to + length > this.sizeBytes) {
      return this.writeHex(to, this.readHex(from, length));
    }
    let chunks = this.chunks;
    for (let offset = 0; offset < length; offset += CHUNK_BYTES) {
      chunks = chunks.set((to + offset) / CHUNK_BYTES, this.chunks.get((from + offset) / CHUNK_BYTES));
    }
    return new PhysicalStore(this.sizeBytes, chunks);
  }

  /** Writes a little-endian value of 1..8 bytes given as two 32-bit halves. */
  writeEntry(address: number, bytes: number, high: number, low: number): PhysicalStore {
    return this.writeWith(address, bytes, (i) => (i < 4 ? (low >>> (8 * i)) & 0xff : (high >>> (8 * (i - 4))) & 0xff));
  }

  /** Non-zero chunks as [address, hex] pairs in address order: the hashed form. */
  toCanonical(): unknown {
    const out: Array<[number, string]> = [];
    for (const [index, chunk] of this.chunks.entries()) {
      if (chunk.every((word) => word === 0)) continue;
      let hex = '';
      for (let offset = 0; offset < CHUNK_BYTES; offset++) hex += HEX_OF_BYTE[byteOf(chunk, offset)]!;
      out.push([index * CHUNK_BYTES, hex]);
    }
    return { sizeBytes: this.sizeBytes, chunks: out };
  }
}

