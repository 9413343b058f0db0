// Proves that concept 15 depends on the kernel handling traps: if it ignored the timer
// and faults, there would be no preemption and no signal.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/sched.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/sched.js')>();
  return { ...original, decideTimerTick: () => [] };
});

describe('with a kernel that ignores the timer interrupt', () => {
  it('the timer no longer preempts anything', () => {
    expect(failures(runBundled('scenarios/processes/timer-preemption.isl'))).not.toEqual([]);
  });
});
