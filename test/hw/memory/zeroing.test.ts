// Proves that the kernel zeroes every frame it hands out: a frame one process wrote and unmapped reaches the next process holding zeros, so its old bytes (and a secret in them) do not leak.
import { describe, expect, it } from 'vitest';
import { Machine, dataOf, typesOf } from '../../helpers/machine.js';
import { failuresOf, runText } from '../../helpers/scenario.js';

const SCENARIO = `
scenario "A freed frame is zeroed before its next owner sees it"
invariant all
process a { uid: 1000 }
process b { uid: 1001 }
a: map 0x400000 size 4 KiB rw user
secret pin "4242" at 0x400000 in a
a: write 0x400004 "more bytes"
a: read 0x400000 size 14 expect value "4242more bytes"
a: unmap 0x400000 size 4 KiB
b: map 0x500000 size 4 KiB rw user expect ok
b: read 0x500000 size 14 expect value 0x0, no leak
assert b never knows pin
`;

describe('zeroing on allocation', () => {
  it('a frame written by one process and unmapped reads as zero in the next process that maps it', () => {
    const result = runText(SCENARIO);
    expect(failuresOf(result)).toEqual([]);
    expect(result.passed).toBe(true);
    const written = result.steps.find((report) => report.step.text.startsWith('a: read'))!.outcome.physicalAddress;
    const reread = result.steps.find((report) => report.step.text.startsWith('b: read'))!.outcome;
    // The same frame, now b's, holds zeros.
    expect(reread.physicalAddress).toBe(written);
    expect(reread.bytes).toBe('00'.repeat(14));
  });

  it('zeroes the frames of a mapping right after allocating them', () => {
    const machine = new Machine();
    machine.createProcess('a');
    const events = machine.map('a', 0x400000n, { sizeBytes: 2 * 4096 });
    const data = dataOf<{ frames: number[] }>(events, 'memory.framesAllocated')[0]!.frames;
    expect(typesOf(events).slice(0, 2)).toEqual(['memory.framesAllocated', 'memory.framesZeroed']);
    expect(dataOf(events, 'memory.framesZeroed')[0]).toEqual({ frames: data });
  });

  it('clears the whole frame in the store, not just the bytes last written', () => {
    const machine = new Machine();
    machine.createProcess('a');
    machine.createProcess('b');
    machine.map('a', 0x400000n);
    machine.write('a', 0x400ff8n, '0102030405060708');
    const frame = machine.process('a').vmas[0]!.frames[0]!;
    machine.unmap('a', 0x400000n);
    expect(machine.state.memory.store.readU32(frame * 4096 + 0xff8)).toBe(0x04030201);
    machine.map('b', 0x400000n);
    expect(machine.process('b').vmas[0]!.frames[0]).toBe(frame);
    expect(Array.from(machine.state.memory.store.read(frame * 4096, 4096)).every((byte) => byte === 0)).toBe(true);
  });
});
