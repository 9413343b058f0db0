// Proves the simulator answers the file-system cases of linux-cases.ts as Linux did: each case's
// calls were run on a real x86-64 Linux 6.18 kernel through the conformance suite's real side, and
// the answers written into the case; here the simulator must give the same return values, errnos
// and bytes, without needing root or a real kernel.
import { describe, expect, it } from 'vitest';
import { parseCallLine } from '../../../conformance/case.js';
import { canonicalErrno } from '../../../conformance/outcome.js';
import { runSimulatedCase } from '../../../conformance/simulated.js';
import { ALL_CAPS } from '../../../engine/kernel/syscall/constants.js';
import { VFS_LINUX_CASES } from './linux-cases.js';

describe('the simulator answers as Linux did', () => {
  for (const conformanceCase of VFS_LINUX_CASES) {
    it(`${conformanceCase.id}: ${conformanceCase.rule}`, () => {
      const simulated = runSimulatedCase(conformanceCase, ALL_CAPS);
      if (!simulated.ok) expect.fail(`the simulator could not run the case: ${simulated.error}\n${simulated.text}`);
      const got = simulated.outcome.calls.map((call, i) => {
        const line = parseCallLine(conformanceCase.calls[i]!);
        return { call: call.call, result: call.errno ?? String(call.ret), ...(line.bytes === null ? {} : { bytes: call.bytes }) };
      });
      const wanted = conformanceCase.calls.map((text) => {
        const line = parseCallLine(text);
        const result = line.expected.kind === 'errno' ? canonicalErrno(line.expected.name) : line.expected.kind === 'returns' ? String(line.expected.value) : '*';
        return { call: line.call, result, ...(line.bytes === null ? {} : { bytes: line.bytes }) };
      });
      expect(got.map((row, i) => (wanted[i]!.result === '*' ? { ...row, result: '*' } : row))).toEqual(wanted);
    });
  }
});
