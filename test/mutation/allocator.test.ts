// Proves that concept 17 depends on the frame allocator keeping frames apart: if it hands
// out the same frames again, two processes' private pages overlap.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/memory/state.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/hw/memory/state.js')>();
  return {
    ...original,
    // Ignore ownership: always the frames just above the kernel's, as if nothing were allocated.
    lowestFreeFrames: (_memory: unknown, count: number) => Array.from({ length: count }, (_, i) => 0x400 + i),
  };
});

describe('with an allocator that reuses owned frames', () => {
  it('the same-address scenario finds its data overwritten by the other process', () => {
    expect(failures(runBundled('scenarios/processes/same-address.isl'))).not.toEqual([]);
  });
});
