// Proves, over random programs, the isolation promises of copy-on-write and swap: after a fork no process ever sees another's later writes (each reads exactly what a private copy would hold), a page on swap comes back only to its own processes and is never readable by another, and no invariant is violated along the way. Each property checks the machine against a model in which every process owns a plain copy of its memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../helpers/machine.js';
import { frameAt, n, readBytes, sys, violationsOf } from './support.js';

const VA = 0x400000n;
const PAGES = 2;
const OFFSETS = [0, 7, 4095];

type Op =
  | { readonly kind: 'fork'; readonly who: number }
  | { readonly kind: 'write'; readonly who: number; readonly page: number; readonly offset: number; readonly value: number }
  | { readonly kind: 'read'; readonly who: number; readonly page: number; readonly offset: number }
  | { readonly kind: 'swapout'; readonly who: number; readonly page: number }
  | { readonly kind: 'exit'; readonly who: number };

const op = (withSwap: boolean): fc.Arbitrary<Op> => {
  const who = fc.nat(7);
  const page = fc.nat(PAGES - 1);
  const offset = fc.constantFrom(...OFFSETS);
  const ops: fc.Arbitrary<Op>[] = [
    fc.record({ kind: fc.constant('fork' as const), who }),
    fc.record({ kind: fc.constant('write' as const), who, page, offset, value: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('read' as const), who, page, offset }),
    fc.record({ kind: fc.constant('exit' as const), who }),
  ];
  if (withSwap) ops.push(fc.record({ kind: fc.constant('swapout' as const), who, page }));
  return fc.oneof(...ops);
};

/** The model: each process's bytes by (page, offset); a fork copies the map. */
type Memory = Map<string, number>;

function run(ops: readonly Op[]): void {
  const machine = new Machine();
  machine.createProcess('p0', [], 1000);
  machine.createProcess('stranger', [], 1001);
  machine.map('p0', VA, { sizeBytes: PAGES * 4096 });
  machine.map('stranger', VA, { sizeBytes: PAGES * 4096 });
  const names = ['p0'];
  const model = new Map<string, Memory>([['p0', new Map()]]);
  const key = (page: number, offset: number) => `${page}:${offset}`;
  let fresh = 0x800000n;
  let forks = 0;
  for (const step of ops) {
    const name = names[step.who % names.length]!;
    const va = 'page' in step ? VA + BigInt(step.page * 4096) : VA;
    switch (step.kind) {
      case 'fork': {
        if (names.length >= 4 || forks >= 6) break;
        const child = `p${++forks}`;
        sys(machine, name, 'fork', [], child);
        names.push(child);
        model.set(child, new Map(model.get(name)!));
        break;
      }
      case 'write':
        machine.write(name, va + BigInt(step.offset), step.value.toString(16).padStart(2, '0'));
        model.get(name)!.set(key(step.page, step.offset), step.value);
        break;
      case 'read': {
        const expected = model.get(name)!.get(key(step.page, step.offset)) ?? 0;
        expect(readBytes(machine, name, va + BigInt(step.offset), 1), `${name} reads page ${step.page}+${step.offset}`).toBe(expected.toString(16).padStart(2, '0'));
        break;
      }
      case 'exit':
        // p0 stays, so there is always someone to act; an exit must not disturb the others' copies.
        if (name === 'p0') break;
        sys(machine, name, 'exit', [n(0)]);
        names.splice(names.indexOf(name), 1);
        model.delete(name);
        break;
      case 'swapout':
        if (frameAt(machine, name, va) < 0) break;
        machine.run({ type: 'kernel.swapOut', actor: 'kernel', data: { pid: machine.process(name).pid, va: '0x' + va.toString(16) } });
        // The frame it left goes to someone else at once (lowest free first): they must find it zeroed.
        fresh += 0x1000n;
        machine.map('stranger', fresh);
        for (const offset of OFFSETS) expect(readBytes(machine, 'stranger', fresh + BigInt(offset), 1)).toBe('00');
        break;
    }
    expect(violationsOf(machine)).toEqual([]);
  }
  for (const name of names) {
    for (let page = 0; page < PAGES; page++) {
      for (const offset of OFFSETS) {
        const expected = model.get(name)!.get(key(page, offset)) ?? 0;
        expect(readBytes(machine, name, VA + BigInt(page * 4096 + offset), 1)).toBe(expected.toString(16).padStart(2, '0'));
      }
    }
  }
  expect(readBytes(machine, 'stranger', VA, 1)).toBe('00');
  expect(violationsOf(machine)).toEqual([]);
}

describe('isolation properties', () => {
  it('copy-on-write: no process sees another\'s writes made after a fork', () => {
    fc.assert(fc.property(fc.array(op(false), { minLength: 1, maxLength: 25 }), (ops) => run(ops)), { numRuns: 60 });
  });

  it('swap: a swapped-out page is never readable by another process, and always comes back to its own', () => {
    fc.assert(fc.property(fc.array(op(true), { minLength: 1, maxLength: 25 }), (ops) => run(ops)), { numRuns: 60 });
  });

  it('a write while shared stays private (a pinned case)', () => {
    run([
      { kind: 'write', who: 0, page: 0, offset: 0, value: 0x41 },
      { kind: 'fork', who: 0 },
      { kind: 'write', who: 0, page: 0, offset: 0, value: 0x42 },
      { kind: 'read', who: 1, page: 0, offset: 0 },
      { kind: 'swapout', who: 1, page: 0 },
      { kind: 'read', who: 1, page: 0, offset: 0 },
      { kind: 'exit', who: 1 },
      { kind: 'read', who: 0, page: 0, offset: 0 },
    ]);
  });
});
