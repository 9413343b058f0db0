/**
 * Produces trace lines with their hash chain. Pure string production: the caller
 * decides where the lines go (a temporary file renamed at the end, a buffer).
 */
import type { Envelope } from '../core/decider.js';
import { canonicalJson } from '../core/canonical.js';
import { InternalError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { GENESIS_HASH, type TraceFooter, type TraceHeader, type TraceEventLine } from './format.js';

/** Canonical JSON of a line without its hash, refusing bigint (events carry "0x…" strings). */
export function lineBody(line: object): string {
  return canonicalJson(line);
}

export function chainHash(previous: string, body: string): string {
  return sha256Hex(previous + body);
}

function assertNoBigint(value: unknown, path: string): void {
  if (typeof value === 'bigint') throw new InternalError(`event data carries a bigint at ${path}; events must use "0x…" strings`);
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) assertNoBigint(child, `${path}.${key}`);
  }
}

export class TraceWriter {
  private previous = GENESIS_HASH;
  private count = 0;

  /** Returns the line (without newline) for the header. */
  header(header: TraceHeader): string {
    return this.seal(header);
  }

  event(envelope: Envelope, stateHash?: string): string {
    assertNoBigint(envelope.data, envelope.type);
    const line: TraceEventLine = {
      kind: 'event',
      seq: envelope.seq,
      tick: envelope.tick,
      type: envelope.type,
      actor: envelope.actor,
      data: envelope.data,
      cause: envelope.cause,
      ...(stateHash === undefined ? {} : { state: stateHash }),
    };
    this.count++;
    return this.seal(line);
  }

  footer(footer: TraceFooter): string {
    return this.seal(footer);
  }

  get eventCount(): number {
    return this.count;
  }

  private seal(line: object): string {
    const body = lineBody(line);
    const hash = chainHash(this.previous, body);
    this.previous = hash;
    return body.slice(0, -1) + (body === '{}' ? '' : ',') + `"hash":"${hash}"}`;
  }
}
