// Proves that the sandbox scenarios (concepts 27, 28) depend on the MAC profile's
// decision: with every request allowed, the network, the shadow file and the writes
// outside the temporary directories are no longer refused.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/mac/profile.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/mac/profile.js')>();
  return {
    ...original,
    decideRequest: (...args: Parameters<typeof original.decideRequest>) => ({ ...original.decideRequest(...args), verdict: 'allow' as const }),
  };
});

describe('with a MAC profile that allows everything', () => {
  it.each(['no-network', 'path-filtering', 'write-temporary', 'apparmor-container'])('scenarios/sandbox/%s.isl fails', (name) => {
    expect(failures(runBundled(`scenarios/sandbox/${name}.isl`))).not.toEqual([]);
  });
});
