// Proves that the system-call scenario (concept 20) checks descriptors as small integers:
// if open did not hand out the lowest free number, its expectations fail.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/vfs/fds.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/vfs/fds.js')>();
  return { ...original, lowestFreeFd: (process: { fds: readonly { fd: number }[] }, min = 0) => Math.max(min, ...process.fds.map((entry) => entry.fd + 1)) };
});

describe('with open handing out the next number instead of the lowest free one', () => {
  it('the Hello-World scenario notices', () => {
    expect(failures(runBundled('scenarios/syscalls/hello-write.isl'))).not.toEqual([]);
  });
});
