// Proves that the checker's file and credential calls can find a real attack: in the
// jail world, a kernel whose set*id calls forget to check CAP_SETUID lets the user who
// dropped root (uid 1000, no CAP_SETUID) take uid 0 back, and the search finds it and
// shrinks it to a few steps; the same search with the kernel's rules intact finds nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadScenario } from '../../dsl/compile/index.js';
import { checkSlice } from '../../check/search.js';
import { loadWorld } from '../../check/world.js';

const mutation = vi.hoisted(() => ({ setuidWithoutCapability: false }));

vi.mock('../../engine/kernel/cred/capable.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/cred/capable.js')>();
  const CAP_SETUID = 7;
  return {
    ...original,
    capable: (...args: Parameters<typeof original.capable>) => (mutation.setuidWithoutCapability && args[1] === CAP_SETUID ? true : original.capable(...args)),
  };
});

const ROOT = join(import.meta.dirname, '..', '..');
const JAIL_WORLD = 'scenarios/check/jail-world.isl';
const SETTINGS = { seed: 1, maxSteps: 30 };

function jailWorld() {
  return loadWorld(loadScenario(JAIL_WORLD, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') })), {});
}

describe('isolab check in a world with a file system', () => {
  it('finds the regained root when setuid does not check CAP_SETUID, shrunk to at most 6 steps', () => {
    mutation.setuidWithoutCapability = true;
    try {
      const result = checkSlice(jailWorld(), SETTINGS, 0, 2000);
      expect(result.counterexample, 'a counterexample within 2,000 runs').not.toBeNull();
      expect(result.counterexample!.violation.invariant).toBe('cred.permanent-drop');
      expect(result.counterexample!.steps.length).toBeLessThanOrEqual(6);
      expect(result.counterexample!.steps.at(-1)).toMatch(/^user: syscall set(res|e)?uid\(0/);
    } finally {
      mutation.setuidWithoutCapability = false;
    }
  });

  it('finds nothing in 2,000 runs with the kernel\'s rules intact', () => {
    expect(checkSlice(jailWorld(), SETTINGS, 0, 2000).counterexample).toBeNull();
  });
});
