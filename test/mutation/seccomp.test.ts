// Proves that the seccomp scenarios (concepts 21–23) depend on how the kernel combines
// stacked filters and on seccomp_data telling the ABI apart: with the filters' results
// ignored every call is allowed; with the arch always reported as x86-64 the i386
// number is judged as an x86-64 one.
import { describe, expect, it, vi } from 'vitest';
import { failures, runBundled } from './bundled.js';

const mutation = vi.hoisted(() => ({ ignoreFilters: false, archAlwaysX86_64: false }));

vi.mock('../../engine/kernel/seccomp/run.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/seccomp/run.js')>();
  return {
    ...original,
    runFilters: (...args: Parameters<typeof original.runFilters>) => {
      const result = original.runFilters(...args);
      return mutation.ignoreFilters ? { ...result, combined: { ret: 0x7fff0000, index: null } } : result;
    },
  };
});

vi.mock('../../engine/kernel/seccomp/data.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/kernel/seccomp/data.js')>();
  return {
    ...original,
    seccompDataFor: (...args: Parameters<typeof original.seccompDataFor>) => {
      const data = original.seccompDataFor(...args);
      return mutation.archAlwaysX86_64 ? { ...data, arch: 0xc000003e } : data;
    },
  };
});

describe('seccomp mutations', () => {
  it('with the filters ignored, the denylist and Docker profile no longer refuse anything', () => {
    mutation.ignoreFilters = true;
    try {
      expect(failures(runBundled('scenarios/seccomp/lecture-denylist.isl'))).not.toEqual([]);
      expect(failures(runBundled('scenarios/seccomp/docker-default.isl'))).not.toEqual([]);
      expect(failures(runBundled('scenarios/seccomp/stacked-filters.isl'))).not.toEqual([]);
    } finally {
      mutation.ignoreFilters = false;
    }
  });

  it('with seccomp_data always claiming x86-64, the arch-checked filter is bypassed too', () => {
    mutation.archAlwaysX86_64 = true;
    try {
      expect(failures(runBundled('scenarios/seccomp/arch-confusion.isl'))).not.toEqual([]);
    } finally {
      mutation.archAlwaysX86_64 = false;
    }
  });
});
