// Proves that privilege separation and root's confinement by capabilities (concepts 29,
// 30, 31) depend on the kernel's DAC check: if every access were permitted, the
// compromised worker would read /etc/shadow and the confined root alice's key.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/vfs/permission.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/vfs/permission.js')>();
  return { ...original, mayAccess: () => true, modeBitsAllow: () => true };
});

describe('with a DAC check that permits everything', () => {
  it('the compromised worker reads /etc/shadow', () => {
    expect(failures(runBundled('scenarios/privsep/monitor-worker.isl'))).not.toEqual([]);
  });
  it('root without CAP_DAC_OVERRIDE reads alice\'s key', () => {
    expect(failures(runBundled('scenarios/capabilities/root-without-dac-override.isl'))).not.toEqual([]);
  });
});
