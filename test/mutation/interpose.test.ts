// Proves that the interposition scenarios (concepts 24–26) depend on the monitor's
// policy decision: with every path allowed, the monitor no longer refuses /etc/shadow,
// however the process names it (cwd, .., a dup'd directory fd, a forked child).
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

vi.mock('../../engine/kernel/interpose/policy.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/interpose/policy.js')>();
  const allow = { verdict: 'allow' as const, rule: 'mutated: allow everything' };
  return {
    ...original,
    decidePath: () => allow,
    decidePaths: (_policy: unknown, paths: readonly string[]) => ({ ...allow, path: paths[0] ?? '' }),
  };
});

describe('with a monitor that allows every path', () => {
  it('the mirroring scenario no longer sees its refusals', () => {
    expect(failures(runBundled('scenarios/interpose/mirror-state.isl'))).not.toEqual([]);
  });
  it('the won race is no longer refused at its first, direct attempt', () => {
    expect(failures(runBundled('scenarios/interpose/janus-race-won.isl'))).not.toEqual([]);
  });
});
