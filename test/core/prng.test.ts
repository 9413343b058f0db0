// Proves that the seeded generator is reproducible: a (seed, stream) pair always yields the same sequence, streams are independent, draws stay inside inclusive bounds, and a stream's state survives a JSON round trip.
import { describe, expect, it } from 'vitest';
import { InternalError } from '../../engine/core/errors.js';
import { childSeed, drawInt, streamStateOf, type StreamState } from '../../engine/core/prng.js';

function draws(state: StreamState, count: number, from: number, to: number): { values: number[]; state: StreamState } {
  const values: number[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const draw = drawInt(current, from, to);
    values.push(draw.value);
    current = draw.next;
  }
  return { values, state: current };
}

describe('streams', () => {
  it('give the same sequence for the same seed and stream name', () => {
    expect(draws(streamStateOf(1, 'alloc'), 20, 0, 1000).values).toEqual(draws(streamStateOf(1, 'alloc'), 20, 0, 1000).values);
  });

  it('pin the sequence of seed 1, stream "alloc" (a change here changes every recorded run)', () => {
    expect(draws(streamStateOf(1, 'alloc'), 5, 0, 1000).values).toEqual([791, 896, 524, 539, 219]);
  });

  it('differ between stream names and between seeds', () => {
    const alloc = draws(streamStateOf(1, 'alloc'), 10, 0, 1_000_000).values;
    expect(draws(streamStateOf(1, 'tlb'), 10, 0, 1_000_000).values).not.toEqual(alloc);
    expect(draws(streamStateOf(2, 'alloc'), 10, 0, 1_000_000).values).not.toEqual(alloc);
  });

  it('derive child seeds from the whole seed, including bits above 2^32', () => {
    expect(childSeed(0, 'alloc')).toBe(childSeed(0, 'alloc'));
    expect(childSeed(2 ** 32, 'alloc')).not.toBe(childSeed(0, 'alloc'));
    expect(Number.isInteger(childSeed(123, 'x'))).toBe(true);
  });
});

describe('drawInt', () => {
  it('is pure: the same state draws the same value and next state', () => {
    const state = streamStateOf(7, 's');
    expect(drawInt(state, 0, 99)).toEqual(drawInt(state, 0, 99));
  });

  it('includes both bounds', () => {
    const { values } = draws(streamStateOf(3, 'coin'), 200, 0, 1);
    expect(new Set(values)).toEqual(new Set([0, 1]));
    const dice = draws(streamStateOf(3, 'die'), 600, 1, 6).values;
    expect(Math.min(...dice)).toBe(1);
    expect(Math.max(...dice)).toBe(6);
  });

  it('draws the only value of a one-value range', () => {
    expect(draws(streamStateOf(0, 'one'), 10, 5, 5).values).toEqual(Array(10).fill(5));
  });

  it('supports negative ranges', () => {
    const { values } = draws(streamStateOf(0, 'neg'), 100, -3, -1);
    expect(values.every((v) => v >= -3 && v <= -1)).toBe(true);
  });

  it('continues identically after the state is written to JSON and read back', () => {
    const start = draws(streamStateOf(9, 'trace'), 3, 0, 1000).state;
    const copy = JSON.parse(JSON.stringify(start)) as StreamState;
    expect(draws(copy, 10, 0, 1000).values).toEqual(draws(start, 10, 0, 1000).values);
  });

  it.each([
    [5, 4],
    [0.5, 3],
    [0, 2 ** 53],
  ])('refuses the range [%s, %s] with an InternalError', (from, to) => {
    expect(() => drawInt(streamStateOf(0, 'x'), from, to)).toThrow(InternalError);
  });
});
