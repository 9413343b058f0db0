// Proves the bundled seccomp scenarios pass under every variant, with their invariants holding.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, failures, runBundled } from '../../mutation/bundled.js';

const FOLDER = join('scenarios', 'seccomp');
const FILES = readdirSync(join(ROOT, FOLDER)).filter((name) => name.endsWith('.isl')).sort();

describe('scenarios/seccomp', () => {
  it('has the five lessons', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of FILES) {
    it(name, () => {
      const results = runBundled(join(FOLDER, name));
      expect(failures(results)).toEqual([]);
      expect(results.flatMap((result) => result.violations)).toEqual([]);
    });
  }
});
