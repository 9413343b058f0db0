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
  'scenarios/privsep/monitor-worker.isl',
  'scenarios/capabilities/root-without-dac-override.isl',
  'scenarios/capabilities/exec-privileges.isl',
  'scenarios/credentials/setuid-drop.isl',
  'scenarios/chroot/escape.isl',
  'scenarios/seccomp/lecture-denylist.isl',
  'scenarios/seccomp/docker-default.isl',
  'scenarios/seccomp/stacked-filters.isl',
  'scenarios/seccomp/arch-confusion.isl',
  'scenarios/sandbox/no-network.isl',
  'scenarios/sandbox/path-filtering.isl',
  'scenarios/sandbox/write-temporary.isl',
  'scenarios/sandbox/apparmor-container.isl',
  'scenarios/interpose/mirror-state.isl',
  'scenarios/interpose/janus-race-won.isl',
  'scenarios/chroot/open-fd.isl',
  'scenarios/processes/fork-cow.isl',
  'scenarios/memory/swap.isl',
  'scenarios/signals/kill-across-users.isl',
  'scenarios/syscalls/hello-write.isl',
  'scenarios/syscalls/clone-waitpid.isl',
];

describe('the unmutated mechanisms', () => {
  it.each(SCENARIOS)('pass %s', (file) => {
    expect(failures(runBundled(file))).toEqual([]);
  });
});
