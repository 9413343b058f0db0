/**
 * SHA-256 of canonical JSON (node:crypto). Node-only: the browser report trusts the
 * hashes the trace carries and never recomputes them.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
