/**
 * A digest of a machine state for `isolab explore`'s state matching: two states with
 * the same digest behave the same from then on, whatever path led to them, so the
 * explorer need explore from such a state only once.
 *
 * The digest covers the whole state except what only records the past:
 * - the scenario slice (failed expectations, violations: a history of the path) is
 *   reduced to its counts, which is all that later steps and assertions read of it
 *   (`assert no violations`, the runner's count of unexpected violations);
 * - the TLB's `lastUse` stamps are event numbers, which differ between paths of
 *   different lengths; LRU replacement compares them only with each other, and a new
 *   stamp is always the largest, so their ranks decide everything they decide.
 *
 * States are immutable and share structure, so the digest of every object is memoised
 * by identity: a step re-hashes only the objects it replaced. Each object's digest is
 * SHA-256 over its children's digests (a Merkle tree), so equal digests mean equal
 * contents.
 */
import { createHash } from 'node:crypto';
import { InternalError } from '../engine/core/errors.js';
import type { TlbEntry, TlbState } from '../engine/hw/tlb/state.js';
import type { MachineState } from '../engine/machine/state.js';
import type { ScenarioState } from '../engine/scenario/state.js';

const memo = new WeakMap<object, string>();
const tlbMemo = new WeakMap<TlbState, string>();

/** The digest of everything in the state that can influence what happens next. */
export function stateDigest(state: MachineState): string {
  const parts: string[] = [];
  for (const key of Object.keys(state).sort()) {
    const slice = (state as unknown as Record<string, unknown>)[key];
    let digest: string;
    if (key === 'scenario') digest = digestOf(scenarioCounts(slice as ScenarioState));
    else if (key === 'tlb') digest = tlbDigest(slice as TlbState);
    else digest = digestOf(slice);
    parts.push(`${JSON.stringify(key)}:${digest}`);
  }
  return sha256(`S{${parts.join(',')}}`);
}

function scenarioCounts(scenario: ScenarioState): Record<string, number> {
  return {
    stepsChecked: scenario.stepsChecked,
    expectationsChecked: scenario.expectationsChecked,
    failures: scenario.failures.length,
    assertions: scenario.assertions.length,
    violations: scenario.violations.length,
  };
}

/** The TLB with each entry's lastUse replaced by its rank among the entries. */
function tlbDigest(tlb: TlbState): string {
  const cached = tlbMemo.get(tlb);
  if (cached !== undefined) return cached;
  const stamps = tlb.slots.filter((entry): entry is TlbEntry => entry !== null).map((entry) => entry.lastUse);
  const sorted = [...new Set(stamps)].sort((a, b) => a - b);
  const rank = new Map(sorted.map((stamp, index) => [stamp, index]));
  const slots = tlb.slots.map((entry) => (entry === null ? null : { ...entry, lastUse: rank.get(entry.lastUse)! }));
  const digest = digestOf({ ...tlb, slots });
  tlbMemo.set(tlb, digest);
  return digest;
}

/** The digest of any plain value: primitives inline, objects hashed once each. */
export function digestOf(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? 'n0' : `n${value}`;
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'bigint':
      return `b${value.toString(16)}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'object':
      return value === null ? 'z' : objectDigest(value);
    default:
      throw new InternalError(`a machine state holds a ${typeof value}, which explore cannot compare`);
  }
}

function objectDigest(value: object): string {
  const cached = memo.get(value);
  if (cached !== undefined) return cached;
  const digest = sha256(objectText(value));
  memo.set(value, digest);
  return digest;
}

function objectText(value: object): string {
  if (Array.isArray(value)) {
    const items: string[] = [];
    // Index by index, so holes in sparse arrays (the radix tries' nodes) count as undefined.
    for (let index = 0; index < value.length; index++) items.push(digestOf(value[index]));
    return `A[${items.join(',')}]`;
  }
  if (ArrayBuffer.isView(value)) {
    return `V${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  if (value instanceof Map) return `M[${[...value].map(([k, v]) => `${digestOf(k)}=${digestOf(v)}`).join(',')}]`;
  if (value instanceof Set) return `T[${[...value].map(digestOf).join(',')}]`;
  // Plain records and the engine's persistent structures alike: their own fields in
  // sorted order, with the class name so that two kinds of object never compare equal.
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${digestOf(record[key])}`);
  return `O${value.constructor?.name ?? ''}{${fields.join(',')}}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
