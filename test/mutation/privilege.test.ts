// Proves that concepts 9–13 depend on the CPU's privilege checks: if every instruction ran
// at CPL 0, privileged instructions and INT through DPL 0 gates would succeed at ring 3.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/hw/cpu/instructions.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/hw/cpu/instructions.js')>();
  return {
    ...original,
    decideInstruction: (state: Parameters<typeof original.decideInstruction>[0], command: Parameters<typeof original.decideInstruction>[1]) =>
      original.decideInstruction(state, { ...command, data: { ...(command.data as object), cpl: 0 } }),
  };
});

describe('with instructions no longer checked against the CPL', () => {
  it('privileged instructions at ring 3 no longer fault', () => {
    expect(failures(runBundled('scenarios/privilege/privileged-instructions.isl')).some((f) => f.endsWith('fault #GP(0)'))).toBe(true);
  });
  it('INT 0xe from ring 3 no longer raises #GP', () => {
    expect(failures(runBundled('scenarios/privilege/int80.isl')).some((f) => f.endsWith('fault #GP(0x72)'))).toBe(true);
  });
});
