// Proves that "capabilities limit what root can do" (concept 30) and the chroot jail
// (concept 33) depend on the kernel checking capabilities: if every process held every
// capability, the jailed root would chroot its way out with CAP_SYS_CHROOT dropped, and
// root confined without CAP_DAC_OVERRIDE would read alice's key.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/cred/state.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/cred/state.js')>();
  return { ...original, hasCapability: () => true };
});
vi.mock('../../engine/kernel/cred/capable.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/cred/capable.js')>();
  return { ...original, capable: () => true };
});

describe('with a kernel that grants every capability', () => {
  it('the jailed root escapes although CAP_SYS_CHROOT was dropped', () => {
    expect(failures(runBundled('scenarios/chroot/escape.isl')).some((failure) => failure.includes('EPERM'))).toBe(true);
  });
  it('the confined root reads alice\'s key', () => {
    expect(failures(runBundled('scenarios/capabilities/root-without-dac-override.isl'))).not.toEqual([]);
  });
});
