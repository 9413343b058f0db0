// Proves that swapping (concept 7) keeps processes apart only because a frame is zeroed
// before it is handed on: without that, the next owner reads the swapped-out secret.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/memory/evolve.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/hw/memory/evolve.js')>();
  return { ...original, memoryReducers: { ...original.memoryReducers, 'memory.framesZeroed': (memory: unknown) => memory } };
});

describe('with frames handed on without zeroing', () => {
  it('the other process reads the victim\'s swapped-out secret', () => {
    expect(failures(runBundled('scenarios/memory/swap.isl'))).not.toEqual([]);
  });
});
