// Proves that fork's isolation (concepts 1 and 20) depends on copy-on-write: if fork left
// the shared pages writable, the child's write would land in the parent's frame.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/proc/aspace.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/proc/aspace.js')>();
  // Every leaf entry gets the mapping's own write right, never the read-only of a shared frame.
  return { ...original, leafFor: (state: Parameters<typeof original.leafFor>[0], rights: Parameters<typeof original.leafFor>[1], frame: number) => original.leafFor(state, rights, frame, rights.write) };
});

describe('with fork sharing pages writable', () => {
  it('the parent sees the child\'s write', () => {
    expect(failures(runBundled('scenarios/processes/fork-cow.isl'))).not.toEqual([]);
  });
});
