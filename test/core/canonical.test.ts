// Proves that canonicalJson is RFC 8785 JSON extended for engine values — sorted keys, bigint as "0x…", the toCanonical hook, typed arrays as hex — and that it refuses values JSON cannot say exactly.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../engine/core/canonical.js';
import { InternalError } from '../../engine/core/errors.js';
import { hashOf, sha256Hex } from '../../engine/core/hash.js';

describe('canonicalJson', () => {
  it('sorts object keys by UTF-16 code unit, at every depth, with no white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 0, y: 1 }], c: 'x' }, A: true })).toBe('{"A":true,"a":{"c":"x","d":[3,{"y":1,"z":0}]},"b":1}');
  });

  it('sorts integer-like keys as strings, not in the numeric order Object.keys gives them', () => {
    expect(Object.keys({ 9: 'a', 10: 'b' })).toEqual(['9', '10']);
    expect(canonicalJson({ 9: 'a', 10: 'b' })).toBe('{"10":"b","9":"a"}');
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('leaves out properties whose value is undefined', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('writes null, booleans, strings and numbers as ECMAScript JSON does', () => {
    expect(canonicalJson([null, true, false, 'a"b\n', 0, -0, 1.5, 1e21, -7])).toBe('[null,true,false,"a\\"b\\n",0,0,1.5,1e+21,-7]');
  });

  it('writes a bigint as a lower-case "0x…" string', () => {
    expect(canonicalJson(0xffff888000001000n)).toBe('"0xffff888000001000"');
    expect(canonicalJson({ cr2: 0n })).toBe('{"cr2":"0x0"}');
  });

  it('replaces an object that has toCanonical() by what it returns, recursively', () => {
    const store = { hidden: 'not serialised', toCanonical: () => ({ b: 2n, a: [1] }) };
    expect(canonicalJson({ store })).toBe('{"store":{"a":[1],"b":"0x2"}}');
  });

  it('writes typed arrays and views as the hex of their bytes, honouring the view offset', () => {
    expect(canonicalJson(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('"0001abff"');
    expect(canonicalJson(new Uint16Array([0x0102]))).toBe('"0201"');
    const buffer = new Uint8Array([1, 2, 3, 4, 5]);
    expect(canonicalJson(buffer.subarray(1, 3))).toBe('"0203"');
    expect(canonicalJson(new DataView(buffer.buffer, 3, 2))).toBe('"0405"');
  });

  it.each([
    ['NaN', NaN, 'cannot serialise the number NaN'],
    ['Infinity', Infinity, 'cannot serialise the number Infinity'],
    ['-Infinity inside an object', { x: -Infinity }, 'cannot serialise the number -Infinity'],
    ['undefined in an array', [1, undefined], 'cannot serialise a value of type undefined'],
    ['a function', () => 0, 'cannot serialise a value of type function'],
    ['a function-valued property', { f: () => 0 }, 'cannot serialise a value of type function'],
    ['a symbol', Symbol('s'), 'cannot serialise a value of type symbol'],
    ['undefined itself', undefined, 'cannot serialise a value of type undefined'],
  ])('refuses %s with an InternalError', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(InternalError);
    expect(() => canonicalJson(value)).toThrow(message);
  });
});

describe('hashOf', () => {
  it('is the SHA-256 of the canonical text, so key order does not change it', () => {
    expect(hashOf({ a: 1, b: 2 })).toBe(hashOf({ b: 2, a: 1 }));
    expect(hashOf({ a: 1 })).toBe(sha256Hex('{"a":1}'));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
