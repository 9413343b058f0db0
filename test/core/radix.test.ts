// Proves that RadixTrie is a persistent sparse array: set returns a new version and leaves every old one unchanged, entries come out in ascending index order, and size counts the indices that hold a value.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../engine/core/canonical.js';
import { RadixTrie } from '../../engine/core/radix.js';

describe('RadixTrie', () => {
  it('sizes its depth to the capacity asked for, in powers of 32', () => {
    expect(RadixTrie.empty(1).capacity).toBe(32);
    expect(RadixTrie.empty(32).capacity).toBe(32);
    expect(RadixTrie.empty(33).capacity).toBe(1024);
    expect(RadixTrie.empty(16384).depth).toBe(3);
  });

  it('reads undefined where nothing was set', () => {
    const trie = RadixTrie.empty<string>(1000);
    expect(trie.get(0)).toBeUndefined();
    expect(trie.get(999)).toBeUndefined();
    expect(trie.size).toBe(0);
    expect(trie.entries()).toEqual([]);
  });

  it('leaves the old version unchanged after set', () => {
    const v0 = RadixTrie.empty<string>(1000);
    const v1 = v0.set(5, 'five');
    const v2 = v1.set(5, 'FIVE').set(700, 'seven hundred');
    expect([v0.get(5), v1.get(5), v2.get(5)]).toEqual([undefined, 'five', 'FIVE']);
    expect([v0.get(700), v1.get(700), v2.get(700)]).toEqual([undefined, undefined, 'seven hundred']);
    expect([v0.size, v1.size, v2.size]).toEqual([0, 1, 2]);
  });

  it('clears an index when set to undefined, in a new version only', () => {
    const v1 = RadixTrie.empty<number>(100).set(3, 30).set(4, 40);
    const v2 = v1.set(3, undefined);
    expect(v2.get(3)).toBeUndefined();
    expect(v1.get(3)).toBe(30);
    expect(v2.size).toBe(1);
    expect(v2.set(3, undefined).size).toBe(1);
  });

  it('counts an overwrite once', () => {
    expect(RadixTrie.empty<number>(64).set(1, 1).set(1, 2).size).toBe(1);
  });

  it('lists entries in ascending index order whatever the insertion order, across levels', () => {
    let trie = RadixTrie.empty<string>(100_000);
    for (const index of [99_999, 1025, 0, 32, 31, 1024, 33]) trie = trie.set(index, `#${index}`);
    expect(trie.entries().map(([index]) => index)).toEqual([0, 31, 32, 33, 1024, 1025, 99_999]);
    expect(trie.entries()[6]).toEqual([99_999, '#99999']);
  });

  it('serialises canonically as its [index, value] pairs', () => {
    const trie = RadixTrie.empty<string>(64).set(40, 'b').set(2, 'a');
    expect(canonicalJson(trie)).toBe('[[2,"a"],[40,"b"]]');
  });

  it.each([[-1], [32], [1.5], [Number.NaN]])('refuses to set index %s outside a 32-slot trie', (index) => {
    expect(() => RadixTrie.empty<string>(32).set(index, 'x')).toThrow(RangeError);
  });
});
