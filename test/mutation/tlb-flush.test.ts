// Proves that the context-switch lessons (concepts 7 and 18) depend on the TLB flush of a
// CR3 load: with flushOnCr3Load flushing nothing, stale translations survive and leak.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/tlb/flush.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../engine/hw/tlb/flush.js')>()),
  flushOnCr3Load: () => [],
}));

describe('with CR3 loads no longer flushing the TLB', () => {
  it('the same-address scenario reads the other process through a stale entry', () => {
    expect(failures(runBundled('scenarios/processes/same-address.isl'))).not.toEqual([]);
  });
  it('the missing-flush scenario leaks even with flush on', () => {
    expect(failures(runBundled('scenarios/tlb/missing-flush.isl')).some((f) => f.includes('no leak'))).toBe(true);
  });
});
