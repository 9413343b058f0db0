// Pins bugs the property and unit tests found, each as the scenario that exposed it.
import { describe, expect, it } from 'vitest';
import { readTrace, TraceError } from '../../engine/trace/reader.js';
import { recordRun } from '../../engine/trace/record.js';
import { compileText, failuresOf, runText } from '../helpers/scenario.js';

describe('regressions', () => {
  it('unmap across the two VMAs a protect left behind unmaps both, and a new map then misses the TLB', () => {
    const result = runText(`invariant all
process a { uid: 1000 }
a: map 0x400000 size 8 KiB rw user
a: protect 0x400000 size 4 KiB r
a: unmap 0x400000 size 8 KiB expect no refused
a: map 0x400000 size 8 KiB rw user expect no refused
a: write 0x401000 = 0x7 expect ok, tlb miss
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it('a user page is reachable under tables a supervisor mapping created first', () => {
    const result = runText(`process a { uid: 1000, catch: SIGSEGV }
a: map 0x400000 size 4 KiB rw kernel
a: map 0x401000 size 4 KiB rw user
a: read 0x401000 expect ok
a: read 0x400000 expect fault #PF(present, user)
`);
    expect(failuresOf(result)).toEqual([]);
  });

  it('a secret whose frame was zeroed for reuse is gone: reading the new page is no leak', () => {
    const result = runText(`invariant secret.no-leak
process victim { uid: 1000 }
process attacker { uid: 1001 }
victim: map 0x400000 size 4 KiB rw user
secret pin "4242" at 0x400000 in victim
victim: unmap 0x400000 size 4 KiB
attacker: map 0x400000 size 4 KiB rw user
attacker: write 0x400000 "4"
attacker: read 0x400000 expect no leak, value 0x34
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it('a trace line whose number overflows to Infinity is a TraceError at that line', () => {
    const lines: string[] = [];
    recordRun(compileText('process a { uid: 1 }\na: map 0x400000 size 4 KiB rw user\n'), [], (line) => lines.push(line));
    const at = lines.findIndex((line) => /"address":\d{4,}/.test(line));
    lines[at] = lines[at]!.replace(/"address":(\d)/, '"address":1e9999$1');
    const error = (() => {
      try {
        readTrace(lines.join('\n') + '\n', 'x.trace');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(TraceError);
    expect((error as TraceError).lineNumber).toBe(at + 1);
  });

  it('memory above 64 GiB is refused at compile time instead of overwhelming boot', () => {
    expect(() => compileText('machine {\n  memory 128 GiB\n}\nprocess a { uid: 1 }\n')).toThrow(/at most 64 GiB/);
  });
});
