/**
 * Byte helpers that run the same in Node and in a browser (the HTML report folds
 * traces with the engine's reducers, so nothing on that path may use Node's Buffer).
 */

const HEX_OF_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return NaN;
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_OF_BYTE[bytes[i]!]!;
  return out;
}

/** Hex digits, two per byte, to bytes (digits are the engine's own: no validation here). */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}

/** The value of little-endian bytes as "0x…", most significant byte first, no leading zeros. */
export function littleEndianHex(bytes: Uint8Array): string {
  let last = bytes.length - 1;
  while (last > 0 && bytes[last] === 0) last--;
  let out = '0x' + bytes[last]!.toString(16);
  for (let i = last - 1; i >= 0; i--) out += HEX_OF_BYTE[bytes[i]!]!;
  return bytes.length === 0 ? '0x0' : out;
}

/** The little-endian value of bytes given as hex (lowest address first), as "0x…". */
export function littleEndianHexOfHex(bytes: string): string {
  let out = '';
  for (let i = bytes.length - 2; i >= 0; i -= 2) out += bytes.substr(i, 2);
  let start = 0;
  while (start < out.length - 1 && out.charCodeAt(start) === 48) start++;
  return '0x' + out.slice(start);
}

/** UTF-8 encoding without TextEncoder's allocation of a new encoder per call. */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Little-endian unsigned value of up to 8 bytes, exact as a bigint. */
export function littleEndianValue(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

export function littleEndianBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
