// Proves that concept 6 depends on the kernel mapping a region's own frames: if "shared"
// mappings got private frames, the processes would no longer see each other's writes.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/mm.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/mm.js')>();
  return {
    ...original,
    decideMap: (state: Parameters<typeof original.decideMap>[0], command: Parameters<typeof original.decideMap>[1]) =>
      original.decideMap(state, { ...command, data: { ...(command.data as object), region: null } }),
  };
});

describe('with shared mappings backed by private frames', () => {
  it('the consumer no longer reads what the producer wrote', () => {
    expect(failures(runBundled('scenarios/processes/shared-memory.isl')).some((f) => f.includes('value "ping"'))).toBe(true);
  });
});
