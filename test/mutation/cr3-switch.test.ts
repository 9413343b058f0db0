// Proves that per-process address spaces (concepts 1, 4, 16) depend on loading CR3 at a
// context switch: if the switch leaves CR3 alone, two processes share one view of memory.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/cpu/cr3.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/hw/cpu/cr3.js')>();
  return {
    ...original,
    writeCr3: (state: Parameters<typeof original.writeCr3>[0], actor: string, source: bigint, why: string) =>
      why.startsWith('switch to') ? [] : original.writeCr3(state, actor, source, why),
  };
});

describe('with context switches that do not load CR3', () => {
  it('the same virtual address no longer reaches different frames', () => {
    expect(failures(runBundled('scenarios/processes/same-address.isl'))).not.toEqual([]);
  });
});
