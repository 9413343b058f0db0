// Proves that a permanent privilege drop (concept 29) depends on capabilities(7)'s rule
// that a process whose uids all become non-zero loses its capabilities: without it the
// careful program keeps CAP_SETUID and takes root back.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/cred/fixup.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/cred/fixup.js')>();
  return { ...original, fixCapabilitiesAfterUidChange: (_old: unknown, next: unknown) => ({ creds: next, changes: [] }) };
});

describe('with setuid fix-ups that keep the capabilities', () => {
  it('the careful setuid program is no longer confined after its drop', () => {
    expect(failures(runBundled('scenarios/credentials/setuid-drop.isl'))).not.toEqual([]);
  });
});
