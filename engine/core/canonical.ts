/**
 * Canonical serialisation and hashing. The output is RFC 8785 (JCS) JSON — object keys
 * sorted by UTF-16 code units, no white space, numbers as ECMAScript prints them —
 * extended for the engine's values: a bigint becomes a "0x…" string and an object with
 * a `toCanonical()` method (the physical-memory store) is replaced by what it returns.
 * A library such as `canonicalize` implements plain JCS but throws on bigint, and every
 * engine state holds 64-bit registers, so the extension lives here, in one place.
 */
import { bytesToHex } from './bytes.js';
import { InternalError } from './errors.js';

export interface CanonicalForm {
  toCanonical(): unknown;
}

function hasCanonicalForm(value: object): value is CanonicalForm {
  return typeof (value as Partial<CanonicalForm>).toCanonical === 'function';
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InternalError(`cannot serialise the number ${value}`);
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value < 0n ? '-0x' + (-value).toString(16) : '0x' + value.toString(16));
    case 'object':
      return canonicalObject(value);
    default:
      throw new InternalError(`cannot serialise a value of type ${typeof value}`);
  }
}

function canonicalObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (hasCanonicalForm(value)) return canonicalJson(value.toCanonical());
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return JSON.stringify(bytesToHex(bytes));
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return '{' + keys.map((key) => JSON.stringify(key) + ':' + canonicalJson(record[key])).join(',') + '}';
}
