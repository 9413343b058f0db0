// Proves the suite's pure parts right without a kernel: the case notation, the raw form
// of calls (where the kernel's interface differs from the C library's), the helper's
// spec and the reading of its output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCallLine } from '../../conformance/case.js';
import { rawCallOf, refusalOf } from '../../conformance/calls.js';
import { capsText, outcomeDifferences, textOfHex } from '../../conformance/outcome.js';
import { outcomeOfLines } from '../../conformance/real.js';
import { hexToken, callLine } from '../../conformance/spec.js';
import { ALL_CAPS } from '../../engine/kernel/syscall/constants.js';

describe('the case notation', () => {
  it('splits a line into the call, the result and the bytes', () => {
    expect(parseCallLine('setuid(0) = EPERM')).toEqual({ call: 'setuid(0)', expected: { kind: 'errno', name: 'EPERM' }, bytes: null });
    expect(parseCallLine('getcwd() = 5 "/srv\\u0000"')).toEqual({ call: 'getcwd()', expected: { kind: 'returns', value: 5 }, bytes: '/srv\u0000' });
    expect(parseCallLine('prctl(PR_GET_KEEPCAPS) = *')).toEqual({ call: 'prctl(PR_GET_KEEPCAPS)', expected: { kind: 'any' }, bytes: null });
    expect(() => parseCallLine('getuid()')).toThrow(/no " = RESULT"/);
  });

  it('never splits at a " = " inside a quoted argument', () => {
    const quotedText = fc.string({ unit: fc.constantFrom('a', ' ', '=', '"', '\\', '/'), maxLength: 20 });
    fc.assert(
      fc.property(quotedText, fc.integer({ min: -4095, max: 1 << 20 }), (inside, result) => {
        const call = `open(${JSON.stringify(inside)}, O_RDONLY)`;
        const parsed = parseCallLine(`${call} = ${result}`);
        expect(parsed.call).toBe(call);
        expect(parsed.expected).toEqual({ kind: 'returns', value: result });
      }),
    );
  });
});

describe('raw calls', () => {
  it('resolves constants, strings and output buffers by the signature', () => {
    const open = rawCallOf('openat(AT_FDCWD, "/etc/shadow", O_RDONLY|O_NOFOLLOW)');
    expect(open.nr).toBe(257);
    expect(open.args).toEqual([
      { kind: 'int', value: BigInt.asUintN(64, -100n) },
      { kind: 'string', text: '/etc/shadow' },
      { kind: 'int', value: 0o400000n },
    ]);
    expect(rawCallOf('read(3, buf, 16)').args[1]).toEqual({ kind: 'out', sizeBytes: 16 });
    expect(rawCallOf('setresuid(-1, 1000, -1)').args[0]).toEqual({ kind: 'int', value: (1n << 64n) - 1n });
  });

  it('uses the kernel interface where the C library differs', () => {
    expect(rawCallOf('getcwd()')).toMatchObject({ nr: 79, args: [{ kind: 'out', sizeBytes: 4096 }, { kind: 'int', value: 4096n }], result: { kind: 'bytes', arg: 0 } });
    expect(rawCallOf('setgroups(20, 10)').args).toEqual([{ kind: 'int', value: 2n }, { kind: 'gids', ids: [20, 10] }]);
    expect(rawCallOf('capset(CAP_KILL, CAP_KILL|CAP_CHOWN, 0)').args).toEqual([{ kind: 'capHeader' }, { kind: 'capData', effective: 1n << 5n, permitted: (1n << 5n) | 1n, inheritable: 0n }]);
    expect(rawCallOf('prctl(PR_GET_KEEPCAPS)').args).toHaveLength(5);
    expect(rawCallOf('stat("/x")').result).toEqual({ kind: 'stat', arg: 1 });
    expect(callLine(rawCallOf('setgroups(20, 10)'))).toBe('call 116 setgroups 2 i:0x2 g:2,20,10');
  });

  it('refuses, on the real side, calls that could reach beyond the case', () => {
    expect(refusalOf(rawCallOf('kill(1, SIGKILL)'))).toMatch(/kill is not among the calls/);
    expect(refusalOf(rawCallOf('mount("proc", "/proc", "proc", 0)'))).toMatch(/only tmpfs or bind/);
    expect(refusalOf(rawCallOf('mount("tmpfs", "/mnt", "tmpfs", 0)'))).toBeNull();
    expect(refusalOf(rawCallOf('mount("/srv", "/mnt", "", MS_BIND)'))).toBeNull();
  });

  it('rejects what the real side cannot express', () => {
    expect(() => rawCallOf('nosuchcall()')).toThrow(/not an x86-64 system call/);
    expect(() => rawCallOf('openat(AT_FDCWD, "/x", O_BOGUS)')).toThrow(/O_BOGUS/);
  });
});

describe("the helper's spec and output", () => {
  it('writes any text as a hex token that decodes back to its bytes', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const token = hexToken(text);
        expect(token.startsWith('x')).toBe(true);
        expect(Buffer.from(token.slice(1), 'hex').toString('utf8')).toBe(text);
      }),
    );
  });

  it('restores the trailing zeros the helper leaves out of a buffer', () => {
    const getcwd = rawCallOf('getcwd(buf, 64)');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const full = Buffer.alloc(64);
        Buffer.from(bytes).copy(full);
        let end = full.length;
        while (end > 0 && full[end - 1] === 0) end--;
        const lines = [{ event: 'call', index: 0, ret: bytes.length, errno: 0, out: [full.subarray(0, end).toString('hex'), null] }, { event: 'creds', ruid: 0, euid: 0, suid: 0, fsuid: 0, rgid: 0, egid: 0, sgid: 0, fsgid: 0, groups: [], permitted: '0x0', effective: '0x0', inheritable: '0x0', bounding: '0x0', ambient: '0x0', securebits: 0, noNewPrivs: 0 }];
        const outcome = outcomeOfLines(lines, [getcwd], ALL_CAPS);
        if (!outcome.ok) throw new Error(outcome.reason);
        expect(outcome.value.calls[0]!.bytes).toBe(textOfHex(Buffer.from(bytes).toString('hex')));
      }),
    );
  });

  it('turns a setup error or a missing report into a reason', () => {
    expect(outcomeOfLines([{ event: 'setup_error', step: 'setresuid', errno: 1 }], [], ALL_CAPS)).toEqual({ ok: false, reason: 'the helper could not set the case up: setresuid (EPERM)' });
    expect(outcomeOfLines([{ event: 'setup' }], [rawCallOf('getuid()')], ALL_CAPS)).toEqual({ ok: false, reason: 'the helper stopped after 0 of 1 calls without reporting credentials' });
  });

  it('lists the differences between two outcomes one line each, and none for equal ones', () => {
    const credentials = { ruid: 0, euid: 0, suid: 0, fsuid: 0, rgid: 0, egid: 0, sgid: 0, fsgid: 0, groups: [], permitted: 'all', effective: 'all', inheritable: 'none', bounding: 'all', ambient: 'none', securebits: [], noNewPrivs: false };
    const real = { calls: [{ call: 'setuid(0)', ret: -1, errno: 'EPERM' }, { call: 'getcwd()', ret: 2, errno: null, bytes: '/\u0000' }], credentials };
    expect(outcomeDifferences(real, real)).toEqual([]);
    const simulated = { calls: [{ call: 'setuid(0)', ret: 0, errno: null }, { call: 'getcwd()', ret: 2, errno: null, bytes: '/\u0000' }], credentials: { ...credentials, euid: 1000 } };
    expect(outcomeDifferences(real, simulated)).toEqual(['setuid(0): real EPERM, simulated 0', 'euid after: real 0, simulated 1000']);
  });

  it('names capability sets relative to the machine', () => {
    const machine = ALL_CAPS & ~(1n << 24n);
    expect(capsText(machine, machine)).toBe('all');
    expect(capsText(0n, machine)).toBe('none');
    expect(capsText(machine & ~(1n << 13n), machine)).toBe('all-CAP_NET_RAW');
    expect(capsText(ALL_CAPS, machine)).toBe('all+CAP_SYS_RESOURCE');
    expect(capsText((1n << 5n) | 1n, machine)).toBe('CAP_CHOWN|CAP_KILL');
  });
});
