// Proves that `nearest` suggests the closest candidate by optimal-string-alignment distance, case-insensitively, within max(1, floor(len/3)) edits, ties going to the earlier candidate.
import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../dsl/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['read', 'read', 0],
    ['raed', 'read', 1], // one transposition
    ['rea', 'read', 1], // one insertion
    ['reads', 'read', 1], // one deletion
    ['reed', 'read', 1], // one substitution
    ['ca', 'abc', 3], // optimal string alignment never edits a substring twice
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('distance(%j, %j) is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearest', () => {
  const actions = ['read', 'write', 'exec', 'map', 'unmap', 'syscall'];

  it('finds a transposed keyword', () => {
    expect(nearest('raed', actions)).toBe('read');
  });

  it('ignores case but returns the candidate as written', () => {
    expect(nearest('WRITE', actions)).toBe('write');
    expect(nearest('Sycsall', actions)).toBe('syscall');
  });

  it('allows one edit in short words and floor(len/3) in longer ones', () => {
    expect(nearest('mop', actions)).toBe('map'); // len 3: limit 1
    expect(nearest('xx', ['ab'])).toBeNull(); // len 2: limit 1, distance 2
    expect(nearest('syzcal', actions)).toBe('syscall'); // len 6: limit 2, distance 2
    expect(nearest('szzcal', actions)).toBeNull(); // distance 3
  });

  it('breaks ties by candidate order', () => {
    expect(nearest('mep', ['map', 'mop'])).toBe('map');
    expect(nearest('mep', ['mop', 'map'])).toBe('mop');
  });

  it('prefers a smaller distance over an earlier candidate', () => {
    expect(nearest('unmop', ['map', 'unmap'])).toBe('unmap');
  });

  it('returns null when nothing is close or there are no candidates', () => {
    expect(nearest('teleport', actions)).toBeNull();
    expect(nearest('read', [])).toBeNull();
  });

  it('returns an exact match', () => {
    expect(nearest('exec', actions)).toBe('exec');
  });
});
