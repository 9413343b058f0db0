// Proves that the paging lessons (concepts 2, 3, 5, 8, 14) depend on the access-rights
// check: with checkRights allowing everything, their scenarios fail.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/mmu/rights.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../engine/hw/mmu/rights.js')>()),
  checkRights: () => null,
}));

describe('with the U/S, R/W and XD checks removed', () => {
  it.each([
    ['scenarios/paging/kernel-memory.isl', 'fault #PF(present, user)'],
    ['scenarios/paging/worked-walk.isl', 'fault #PF(present, write, user)'],
    ['scenarios/paging/readonly-library.isl', 'fault #PF(present, write, user)'],
    ['scenarios/privilege/jump-to-kernel.isl', 'fault #PF(present, user, fetch)'],
  ])('%s fails its "%s" expectation', (file, expectation) => {
    expect(failures(runBundled(file)).some((f) => f.endsWith(expectation))).toBe(true);
  });
});
