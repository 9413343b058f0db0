// Proves the machine-wide contracts every mechanism owes the engine: a run is deterministic (same scenario, same events), and folding its published events with the engine's reducers rebuilds exactly the state the engine reached (what replay and reports rely on).
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/core/decider.js';
import { canonicalJson } from '../../engine/core/canonical.js';
import { initialMachineState } from '../../engine/machine/initial.js';
import { foldMachine } from '../../engine/machine/mechanisms.js';
import { runText } from '../helpers/scenario.js';

const SCENARIO = `
scenario "contract run"
variant flush: on | off
invariant all
machine {
  tlb 8 entries { pcid: on, replace: lru }
}
kernel {
  timer every 3 ticks
  switch { flush: $flush, pcids: 1 }
}
region mailbox size 4 KiB content "hello"
process victim { uid: 1000, catch: SIGSEGV }
process attacker { uid: 1001, catch: SIGSEGV|SIGILL }
victim: map 0x400000 size 8 KiB rw user
secret pin "4242" at 0x400000 in victim
victim: read 0x400000 size 4
victim: map 0x10000000 size 4 KiB rw user shared mailbox
attacker: map 0x400000 size 4 KiB rw user expect violation when flush=off
attacker: read 0x400000 size 4 expect violation when flush=off
attacker: read 0xffff888000001000 expect signal SIGSEGV
attacker: exec ud2 expect signal SIGILL
victim: protect 0x401000 size 4 KiB r
victim: write 0x401000 = 0x1 expect signal SIGSEGV
victim: unmap 0x400000 size 4 KiB
attacker: syscall getpid
kernel: timer
victim: syscall exit(0)
`;

function recordedRun(flush: string): { events: Envelope[]; result: ReturnType<typeof runText> } {
  const events: Envelope[] = [];
  const result = runText(SCENARIO, { flush }, { onEngine: (engine) => engine.events$.subscribe((event) => events.push(event)) });
  return { events, result };
}

describe.each(['on', 'off'])('a run with flush=%s', (flush) => {
  it('is deterministic: running it again publishes the same events', () => {
    const first = recordedRun(flush);
    const second = recordedRun(flush);
    expect(first.events.length).toBeGreaterThan(100);
    expect(canonicalJson(second.events)).toBe(canonicalJson(first.events));
  });

  it('can be rebuilt by folding its events onto the initial state', () => {
    const { events, result } = recordedRun(flush);
    const initial = initialMachineState(result.plan.config, result.plan.features);
    const folded = events.reduce(foldMachine, initial);
    expect(canonicalJson(folded)).toBe(canonicalJson(result.state));
  });

  it('numbers events densely, each caused by an earlier event or by nothing', () => {
    const { events } = recordedRun(flush);
    events.forEach((event, i) => {
      expect(event.seq).toBe(i);
      if (event.cause !== null) expect(event.cause).toBeLessThan(event.seq);
    });
  });
});

it('flush=on holds every expectation and violates nothing; flush=off breaks TLB coherence and leaks', () => {
  const on = recordedRun('on').result;
  expect(on.passed).toBe(true);
  expect(on.violations).toEqual([]);
  const off = recordedRun('off').result;
  expect(new Set(off.violations.map((violation) => violation.invariant))).toEqual(new Set(['tlb.coherent', 'memory.process-isolation', 'secret.no-leak']));
});
