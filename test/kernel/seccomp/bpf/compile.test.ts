// Proves the compiled filters (both entry points) give exactly the interpreter's return
// value on random valid programs and random seccomp_data, on any program the checker
// accepts, and on the hand-written edge cases (division by a zero X, jumps onto RETs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assemble, checkSeccompFilter, compileCountingFilterWords, compileFilter, compileFilterWords, runFilter, seccompWords,
} from '../../../../engine/kernel/seccomp/bpf/index.js';
import { anyProgramArb, callData, seccompDataArb, validProgramArb } from './programs.js';

describe('compiled filters agree with the interpreter', () => {
  it('on random valid programs and random seccomp_data', () => {
    fc.assert(
      fc.property(validProgramArb, fc.array(seccompDataArb, { minLength: 1, maxLength: 8 }), (program, inputs) => {
        const fromData = compileFilter(program);
        const fromWords = compileFilterWords(program);
        for (const data of inputs) {
          const expected = runFilter(program, data).ret;
          expect(fromData(data)).toBe(expected);
          expect(fromWords(seccompWords(data))).toBe(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counting executed instructions exactly as the interpreter does, on random valid programs', () => {
    fc.assert(
      fc.property(validProgramArb, fc.array(seccompDataArb, { minLength: 1, maxLength: 8 }), (program, inputs) => {
        const counting = compileCountingFilterWords(program);
        const counter = { executed: -1 };
        for (const data of inputs) {
          const expected = runFilter(program, data);
          expect(counting(seccompWords(data), counter)).toBe(expected.ret);
          expect(counter.executed).toBe(expected.executed);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on any program the checker accepts', () => {
    fc.assert(
      fc.property(anyProgramArb, seccompDataArb, (program, data) => {
        fc.pre(checkSeccompFilter(program) === null);
        expect(compileFilter(program)(data)).toBe(runFilter(program, data).ret);
      }),
      { numRuns: 300 },
    );
  });

  it('returns 0 on division by a zero X, before the rest of the program', () => {
    const program = assemble('ld [args[0]]\ntax\nld #100\ndiv x\nret a', 'test.bpf');
    expect(compileFilter(program)(callData(0, 0, [0n]))).toBe(0);
    expect(compileFilter(program)(callData(0, 0, [7n]))).toBe(14);
  });

  it('runs straight-line programs and programs whose jumps land on RETs without a dispatch loop', () => {
    const program = assemble('ld [nr]\njeq #1, yes, no\nyes: ret #1\nno: ret #2', 'test.bpf');
    expect(compileFilter(program)(callData(1))).toBe(1);
    expect(compileFilter(program)(callData(3))).toBe(2);
    expect(compileFilterWords(program).toString()).not.toContain('switch');
  });

  it('falls back to a dispatch loop when there are too many jump targets to nest, with the same results', () => {
    const lines = ['ld [nr]', 'ldx #0'];
    for (let value = 0; value < 320; value += 1) lines.push(`jeq #${value}, 1, 0`, 'add #1');
    lines.push('ret a');
    const program = assemble(lines.join('\n'), 'test.bpf');
    expect(checkSeccompFilter(program)).toBeNull();
    const compiled = compileFilterWords(program);
    expect(compiled.toString()).toContain('switch (pc)');
    fc.assert(
      fc.property(seccompDataArb, fc.integer({ min: 0, max: 330 }), (data, nr) => {
        const input = { ...data, nr };
        const expected = runFilter(program, input);
        expect(compiled(seccompWords(input))).toBe(expected.ret);
        const counter = { executed: 0 };
        expect(compileCountingFilterWords(program)(seccompWords(input), counter)).toBe(expected.ret);
        expect(counter.executed).toBe(expected.executed);
      }),
      { numRuns: 200 },
    );
  });

  it('is pure: the same function gives the same answer twice and keeps no state between calls', () => {
    const program = assemble('ld [nr]\njeq #5, keep\nld #0\nst M[1]\nkeep: st M[0]\nld M[0]\nret a', 'test.bpf');
    const filter = compileFilter(program);
    expect(filter(callData(5))).toBe(5);
    expect(filter(callData(9))).toBe(0);
    expect(filter(callData(5))).toBe(5);
  });
});
