/**
 * A persistent, sparse array indexed by non-negative integers below 2^32: a 32-way radix
 * trie whose `set` copies only the path to the changed leaf, so every earlier version
 * stays valid and shares structure with the new one (history costs O(depth) per change,
 * not O(n)). Iteration is in ascending index order, never insertion or hash order.
 * Indices are split with shifts: this sits under every memory access.
 */

import type { CanonicalForm } from './canonical.js';
import { InternalError } from './errors.js';

type Node<T> = Array<Node<T> | T | undefined>;

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
const MAX_CAPACITY = 2 ** 32;

export class RadixTrie<T> implements CanonicalForm {
  private constructor(
    /** Number of 5-bit levels; indices below 32**depth are addressable. */
    readonly depth: number,
    private readonly root: Node<T> | undefined,
    readonly size: number,
    readonly capacity: number,
  ) {}

  /** An empty trie able to hold indices below `capacity` (at most 2^32). */
  static empty<T>(capacity: number): RadixTrie<T> {
    if (capacity > MAX_CAPACITY) throw new InternalError(`a trie holds at most 2^32 indices, not ${capacity}`);
    let depth = 1;
    while (WIDTH ** depth < capacity) depth++;
    return new RadixTrie<T>(depth, undefined, 0, Math.min(WIDTH ** depth, MAX_CAPACITY));
  }

  get(index: number): T | undefined {
    if (!(index >= 0 && index < this.capacity)) return undefined;
    let node = this.root;
    for (let shift = BITS * (this.depth - 1); shift > 0; shift -= BITS) {
      if (node === undefined) return undefined;
      node = node[(index >>> shift) & MASK] as Node<T> | undefined;
    }
    return node === undefined ? undefined : (node[index & MASK] as T | undefined);
  }

  /** A new trie with `index` set to `value` (or cleared when value is undefined). */
  set(index: number, value: T | undefined): RadixTrie<T> {
    if (!(index >= 0 && index < this.capacity) || !Number.isInteger(index)) {
      throw new RangeError(`index ${index} outside the trie's capacity ${this.capacity}`);
    }
    const had = this.get(index) !== undefined;
    const root = setIn(this.root, BITS * (this.depth - 1), index, value);
    const size = this.size + (value === undefined ? (had ? -1 : 0) : had ? 0 : 1);
    return new RadixTrie<T>(this.depth, root, size, this.capacity);
  }

  /** The hashed form: the [index, value] pairs in index order. */
  toCanonical(): unknown {
    return this.entries();
  }

  /** Every [index, value] with a value, in ascending index order. */
  entries(): Array<[number, T]> {
    const out: Array<[number, T]> = [];
    collect(this.root, BITS * (this.depth - 1), 0, out);
    return out;
  }
}

function setIn<T>(node: Node<T> | undefined, shift: number, index: number, value: T | undefined): Node<T> {
  const copy: Node<T> = node === undefined ? new Array<Node<T> | T | undefined>(WIDTH) : node.slice();
  if (shift === 0) {
    copy[index & MASK] = value;
    return copy;
  }
  const slot = (index >>> shift) & MASK;
  copy[slot] = setIn(copy[slot] as Node<T> | undefined, shift - BITS, index, value);
  return copy;
}

function collect<T>(node: Node<T> | undefined, shift: number, base: number, out: Array<[number, T]>): void {
  if (node === undefined) return;
  for (let slot = 0; slot < WIDTH; slot++) {
    const child = node[slot];
    if (child === undefined) continue;
    const index = base + slot * 2 ** shift;
    if (shift === 0) out.push([index, child as T]);
    else collect(child as Node<T>, shift - BITS, index, out);
  }
}
