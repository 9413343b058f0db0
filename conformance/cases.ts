/**
 * The shared table of conformance cases: every case runs on the machine's real Linux
 * kernel and on the simulator, and the two outcomes must agree. Grouped by mechanism;
 * each group's file says which man pages and kernel sources define its rules.
 *
 * A case's calls carry Linux's answer strace-style (`setuid(0) = EPERM`); those
 * answers were observed on a real kernel (Linux 6.18, x86-64) and are checked again on
 * every run of the real side.
 */
import type { ConformanceCase } from './case.js';
import { parseCallLine } from './case.js';
import { rawCallOf, refusalOf } from './calls.js';
import { CAPABILITY_CASES } from './cases/capabilities.js';
import { CHROOT_CASES, PIVOT_ROOT_CASES } from './cases/chroot.js';
import { CREDENTIAL_CASES } from './cases/credentials.js';
import { DAC_CASES } from './cases/dac.js';
import { EXEC_CASES } from './cases/exec.js';
import { PATH_CASES } from './cases/path.js';

export const CASES: readonly ConformanceCase[] = [
  ...CREDENTIAL_CASES,
  ...CAPABILITY_CASES,
  ...EXEC_CASES,
  ...DAC_CASES,
  ...PATH_CASES,
  ...CHROOT_CASES,
  ...PIVOT_ROOT_CASES,
];

/** Mistakes a case can make that would make it meaningless; empty when the table is sound. */
export function tableProblems(cases: readonly ConformanceCase[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const conformanceCase of cases) {
    if (seen.has(conformanceCase.id)) problems.push(`${conformanceCase.id}: the id is used twice`);
    seen.add(conformanceCase.id);
    if (!conformanceCase.id.startsWith(`${conformanceCase.area}/`)) problems.push(`${conformanceCase.id}: the id must start with its area "${conformanceCase.area}/"`);
    if (conformanceCase.calls.length === 0) problems.push(`${conformanceCase.id}: no calls`);
    const names = conformanceCase.calls.map((line) => parseCallLine(line).call.replace(/\(.*$/s, ''));
    const exec = names.indexOf('execve');
    // A successful execve replaces the process: nothing after it runs on the real side.
    if (exec >= 0 && exec !== names.length - 1 && parseCallLine(conformanceCase.calls[exec]!).expected.kind !== 'errno') {
      problems.push(`${conformanceCase.id}: a successful execve must be the last call`);
    }
    for (const line of conformanceCase.calls) {
      const refusal = refusalOf(rawCallOf(parseCallLine(line).call));
      if (refusal !== null) problems.push(`${conformanceCase.id}: ${refusal}`);
    }
  }
  return problems;
}
