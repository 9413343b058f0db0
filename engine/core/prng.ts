/**
 * The one seeded generator (pure-rand's xoroshiro128+), split into named streams so
 * that adding a draw to one mechanism does not shift another's sequence (the way
 * TigerBeetle gives every subsystem a child seed). The state of every stream is plain
 * data kept in the machine state; a draw returns the value and the next state, and the
 * event that uses a draw records both, so a trace replays without the generator.
 * Integer-only API with inclusive ranges.
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { assert } from './errors.js';

export type StreamState = readonly number[];

/** FNV-1a over the stream name mixed with the seed: a stable 32-bit child seed. */
export function childSeed(seed: number, streamName: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < streamName.length; i++) {
    h ^= streamName.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.floor(seed / 0x100000000) >>> 0;
  return h | 0;
}

export function streamStateOf(seed: number, streamName: string): StreamState {
  return xoroshiro128plus(childSeed(seed, streamName)).getState();
}

export interface Draw {
  readonly value: number;
  readonly next: StreamState;
}

/** A uniform integer in [from, to], inclusive, and the stream's next state. */
export function drawInt(state: StreamState, from: number, to: number): Draw {
  assert(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from <= to, `bad range [${from}, ${to}]`);
  const rng = xoroshiro128plusFromState(state);
  const value = uniformInt(rng, from, to);
  return { value, next: rng.getState() };
}
