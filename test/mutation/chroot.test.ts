// Proves that the chroot scenarios (concept 33) depend on chroot changing the process's
// root: with a chroot that records nothing, "/" still means the real root inside the jail.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/vfs/events.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/vfs/events.js')>();
  const { fsKernelEvents } = original;
  return {
    ...original,
    fsKernelEvents: { ...fsKernelEvents, rootChanged: (actor: string, pid: number) => ({ type: 'kernel.requestRefused', actor, data: { operation: `chroot by ${pid}`, errno: 'EPERM', reason: 'mutated away' } }) },
  };
});

describe('with a chroot that does not change the root', () => {
  it('the jailed process sees the real /etc', () => {
    expect(failures(runBundled('scenarios/chroot/escape.isl'))).not.toEqual([]);
  });
});
