// Proves the mutation tests' premise: unmutated, every scenario they rely on passes.
import { describe, expect, it } from 'vitest';
import { failures, runBundled } from './bundled.js';

const SCENARIOS = [
  'scenarios/paging/kernel-memory.isl',
  'scenarios/paging/worked-walk.isl',
  'scenarios/paging/readonly-library.isl',
  'scenarios/processes/same-address.isl',
  'scenarios/processes/shared-memory.isl',
  'scenarios/processes/timer-preemption.isl',
  'scenarios/privilege/privileged-instructions.isl',
  'scenarios/privilege/int80.isl',
  'scenarios/privilege/jump-to-kernel.isl',
  'scenarios/tlb/missing-flush.isl',
];

describe('the unmutated mechanisms', () => {
  it.each(SCENARIOS)('pass %s', (file) => {
    expect(failures(runBundled(file))).toEqual([]);
  });
});
