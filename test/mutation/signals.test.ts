// Proves that signals stay within a user (concept 31) because kill checks permission
// (check_kill_permission): if any process could signal any other, mallory kills bob's daemon.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/proc/signals.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/proc/signals.js')>();
  return { ...original, canSignal: () => true };
});

describe('with kill permitted across users', () => {
  it('mallory signals the other users\' processes', () => {
    expect(failures(runBundled('scenarios/signals/kill-across-users.isl'))).not.toEqual([]);
  });
});
