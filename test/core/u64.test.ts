// Proves the 64-bit helpers: canonical-address checks for 48- and 57-bit linear addresses (SDM Vol. 1 §3.3.7.1), exact parsing of "0x…" and decimal text, and the hex and bit-field conversions.
import { describe, expect, it } from 'vitest';
import { bitsOf, hex, isCanonical, parseU64, U64_MASK, virtualAddressOf } from '../../engine/core/u64.js';
import { bytesToHex, hexToBytes, littleEndianBytes, littleEndianValue, utf8Bytes, utf8Text } from '../../engine/core/bytes.js';

describe('isCanonical', () => {
  it.each([
    [0n, true],
    [0x00007fffffffffffn, true],
    [0x0000800000000000n, false],
    [0x7fffffffffffffffn, false],
    [0x8000000000000000n, false],
    [0xffff7fffffffffffn, false],
    [0xffff800000000000n, true],
    [0xffffffffffffffffn, true],
  ])('48 bits: %s is canonical: %s', (va, canonical) => {
    expect(isCanonical(va, 48)).toBe(canonical);
  });

  it.each([
    [0x00ffffffffffffffn, true],
    [0x0100000000000000n, false],
    [0xfeffffffffffffffn, false],
    [0xff00000000000000n, true],
    [0x0000800000000000n, true],
  ])('57 bits: %s is canonical: %s', (va, canonical) => {
    expect(isCanonical(va, 57)).toBe(canonical);
  });

  it('holds for any address when the linear width is 64 bits', () => {
    expect(isCanonical(0x8000000000000000n, 64)).toBe(true);
  });
});

describe('parseU64', () => {
  it.each([
    ['0x10', 16n],
    ['0xFFff', 0xffffn],
    ['42', 42n],
    ['  42\t', 42n],
    ['1_000_000', 1_000_000n],
    ['0x_1', 1n],
    ['0', 0n],
    ['0xffff_ffff_ffff_ffff', U64_MASK],
    ['18446744073709551615', U64_MASK],
  ])('reads %j as %s', (text, value) => {
    expect(parseU64(text)).toBe(value);
  });

  it.each([['0x1_0000_0000_0000_0000'], ['18446744073709551616'], ['-1'], [''], ['0x'], ['_'], ['0X10'], ['1e3'], ['0b101'], ['12abc'], ['4 KiB']])(
    'refuses %j',
    (text) => {
      expect(parseU64(text)).toBeNull();
    },
  );
});

describe('conversions', () => {
  it('prints lower-case hex with a 0x prefix and optional padding', () => {
    expect(hex(255n)).toBe('0xff');
    expect(hex(0)).toBe('0x0');
    expect(hex(5, 4)).toBe('0x0005');
    expect(hex(U64_MASK)).toBe('0xffffffffffffffff');
  });

  it('takes a virtual address modulo 2^64', () => {
    expect(virtualAddressOf(-1n)).toBe(U64_MASK);
    expect(virtualAddressOf(1n << 64n)).toBe(0n);
  });

  it('extracts bit fields as numbers', () => {
    expect(bitsOf(0xffff888000001000n, 39, 9)).toBe(0x111);
    expect(bitsOf(0xffff888000001000n, 12, 9)).toBe(1);
    expect(bitsOf(0x8000000000000000n, 63, 1)).toBe(1);
  });
});

describe('bytes', () => {
  it('round-trips hex and bytes, lowest address first', () => {
    expect(bytesToHex(new Uint8Array([0, 0x0f, 0xf0, 0xff]))).toBe('000ff0ff');
    expect(Array.from(hexToBytes('000ff0ff'))).toEqual([0, 0x0f, 0xf0, 0xff]);
  });

  it('reads and writes little-endian values exactly up to 8 bytes', () => {
    expect(littleEndianValue(new Uint8Array([0x78, 0x56, 0x34, 0x12]))).toBe(0x12345678n);
    expect(littleEndianValue(littleEndianBytes(0xfedcba9876543210n, 8))).toBe(0xfedcba9876543210n);
    expect(Array.from(littleEndianBytes(0x1234n, 4))).toEqual([0x34, 0x12, 0, 0]);
  });

  it('encodes and decodes UTF-8', () => {
    expect(bytesToHex(utf8Bytes('hé'))).toBe('68c3a9');
    expect(utf8Text(utf8Bytes('hunter2'))).toBe('hunter2');
  });
});
