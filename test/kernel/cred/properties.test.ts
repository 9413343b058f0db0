// Proves, over random sequences of credential calls (set*id, setgroups, capset, prctl) and
// execve transformations from random starting credentials, that a permanent privilege
// drop is never undone by any call, that the cred invariants hold after every event, and
// that every handler is total and its event carries exactly the credentials it decided.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialsAfterExec, type ExecFile } from '../../../engine/kernel/cred/exec.js';
import { credentialsChangedByExec } from '../../../engine/kernel/cred/events.js';
import { SECURE_ALL_BITS, SECURE_ALL_LOCKS } from '../../../engine/kernel/cred/securebits.js';
import { sameCredentials, type Credentials } from '../../../engine/kernel/cred/state.js';
import { ALL_CAPS, CAPABILITIES, capabilityNumber, constantValue } from '../../../engine/kernel/syscall/constants.js';
import type { MachineState } from '../../../engine/machine/state.js';
import { foldEvents } from '../../helpers/machine.js';
import { call, caps, credsOf, invariantComplaints, processOf, stateWith } from './helpers.js';

const PR = (name: string) => constantValue(name)!;
const NO_ID = 0xffffffff;
const CAP_SETUID_BIT = caps('CAP_SETUID');

/** Capabilities that matter to credentials, plus a couple that do not. */
const INTERESTING = ['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_NET_RAW', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_KILL', 'CAP_SYS_ADMIN'];
const maskArb = fc.oneof(fc.subarray(INTERESTING).map((names) => caps(...names)), fc.constant(ALL_CAPS), fc.constant(0n));
const capArb = fc.oneof(fc.constantFrom(...INTERESTING.map((name) => capabilityNumber(name)!)), fc.integer({ min: 0, max: CAPABILITIES.length + 2 }));
const idArb = fc.constantFrom(0, 1000, 2000, NO_ID, 4294967294);
const securebitsArb = fc.integer({ min: 0, max: SECURE_ALL_BITS | SECURE_ALL_LOCKS });

/** Consistent starting credentials: root, a set-user-ID program, or anything with valid sets. */
const startArb: fc.Arbitrary<Credentials> = fc.oneof(
  fc.constant(credsOf(0)),
  fc.constant(credsOf(1000, { euid: 0, suid: 0, fsuid: 0 })),
  fc.record({ ruid: idArb, euid: idArb, suid: idArb, permitted: maskArb, effective: maskArb, inheritable: maskArb, ambient: maskArb, dropped: maskArb, securebits: securebitsArb }).map((s) => {
    const fix = (id: number) => (id === NO_ID ? 3000 : id);
    const permitted = s.permitted;
    return credsOf(fix(s.ruid), {
      euid: fix(s.euid),
      suid: fix(s.suid),
      fsuid: fix(s.euid),
      securebits: s.securebits,
      caps: { permitted, effective: s.effective & permitted, inheritable: s.inheritable, ambient: s.ambient & permitted & s.inheritable, bounding: ALL_CAPS & ~(s.dropped & ~CAP_SETUID_BIT) },
    });
  }),
);

type Call = { readonly kind: 'call'; readonly name: string; readonly args: readonly (number | bigint)[] };
type Exec = { readonly kind: 'exec'; readonly file: ExecFile; readonly nosuid: boolean };

const callArb: fc.Arbitrary<Call> = fc.oneof(
  idArb.chain((id) => fc.constantFrom('setuid', 'setgid', 'setfsuid', 'setfsgid').map((name) => ({ kind: 'call' as const, name, args: [id] }))),
  fc.tuple(fc.constantFrom('setreuid', 'setregid'), idArb, idArb).map(([name, a, b]) => ({ kind: 'call' as const, name, args: [a, b] })),
  fc.tuple(fc.constantFrom('setresuid', 'setresgid'), idArb, idArb, idArb).map(([name, a, b, c]) => ({ kind: 'call' as const, name, args: [a, b, c] })),
  fc.tuple(maskArb, maskArb, maskArb).map(([e, p, i]) => ({ kind: 'call' as const, name: 'capset', args: [e, p, i] })),
  fc.array(idArb, { maxLength: 3 }).map((gids) => ({ kind: 'call' as const, name: 'setgroups', args: gids })),
  fc.tuple(fc.constantFrom('PR_SET_KEEPCAPS', 'PR_SET_DUMPABLE', 'PR_SET_NO_NEW_PRIVS'), fc.integer({ min: 0, max: 2 })).map(([option, value]) => ({ kind: 'call' as const, name: 'prctl', args: [PR(option), value, 0, 0, 0] })),
  securebitsArb.map((bits) => ({ kind: 'call' as const, name: 'prctl', args: [PR('PR_SET_SECUREBITS'), bits] })),
  capArb.map((cap) => ({ kind: 'call' as const, name: 'prctl', args: [PR('PR_CAPBSET_DROP'), cap] })),
  fc.tuple(fc.integer({ min: 1, max: 5 }), capArb).map(([op, cap]) => ({ kind: 'call' as const, name: 'prctl', args: [PR('PR_CAP_AMBIENT'), op, cap, 0, 0] })),
);

const execArb: fc.Arbitrary<Exec> = fc
  .record({
    setuid: fc.boolean(),
    setgid: fc.boolean(),
    owner: fc.constantFrom(0, 1000, 2000),
    fileCaps: fc.option(fc.record({ permitted: maskArb, inheritable: maskArb, effective: fc.boolean() }), { nil: null }),
    nosuid: fc.boolean(),
  })
  .map((f) => ({ kind: 'exec' as const, file: { mode: 0o755 | (f.setuid ? 0o4000 : 0) | (f.setgid ? 0o2000 : 0), uid: f.owner, gid: f.owner, fileCaps: f.fileCaps }, nosuid: f.nosuid }));

interface Stepped {
  readonly state: MachineState;
  readonly complaints: readonly string[];
}

function step(state: MachineState, action: Call | Exec): Stepped {
  if (action.kind === 'call') {
    const result = call(state, action.name, action.args);
    return { state: result.after, complaints: invariantComplaints(state, result.events) };
  }
  const creds = processOf(state).creds;
  const result = credentialsAfterExec(creds, action.file, { nosuid: action.nosuid });
  if (result.errno !== null) return { state, complaints: [] };
  const event = credentialsChangedByExec(processOf(state), '/bin/prog', action.file, { nosuid: action.nosuid }, result);
  return { state: foldEvents(state, [event]), complaints: invariantComplaints(state, [event]) };
}

const droppedForGood = (c: Credentials) => c.ruid !== 0 && c.euid !== 0 && c.suid !== 0 && (c.caps.permitted & CAP_SETUID_BIT) === 0n;

describe('credential properties', () => {
  it('a permanent drop (no uid 0 among ruid, euid, suid; no CAP_SETUID permitted) is never undone by any sequence of calls', () => {
    fc.assert(
      fc.property(startArb, fc.array(callArb, { maxLength: 25 }), (start, calls) => {
        let state = stateWith(start);
        let droppedAt: Credentials | null = droppedForGood(start) ? start : null;
        for (const action of calls) {
          state = step(state, action).state;
          const creds = processOf(state).creds;
          if (droppedAt !== null) {
            expect(droppedForGood(creds), `${action.name}(${action.args.join(', ')}) undid the drop`).toBe(true);
            if (droppedAt.fsuid !== 0) expect(creds.fsuid).not.toBe(0);
          } else if (droppedForGood(creds)) {
            droppedAt = creds;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a successful change to all-non-zero ruid, euid and suid from a uid 0 leaves no capability (without KEEP_CAPS or NO_SETUID_FIXUP)', () => {
    const nonZero = fc.constantFrom(1000, 2000, 4294967294);
    fc.assert(
      fc.property(startArb, fc.array(callArb, { maxLength: 10 }), nonZero, nonZero, nonZero, (start, calls, r, e, s) => {
        let state = stateWith(start);
        for (const action of calls) state = step(state, action).state;
        const before = processOf(state).creds;
        const after = call(state, 'setresuid', [r, e, s]).creds;
        const fixUpsOn = (before.securebits & (PR('SECBIT_KEEP_CAPS') | PR('SECBIT_NO_SETUID_FIXUP'))) === 0;
        const leftRoot = [before.ruid, before.euid, before.suid].includes(0) && ![after.ruid, after.euid, after.suid].includes(0);
        if (fixUpsOn && leftRoot) expect([after.caps.permitted, after.caps.effective, after.caps.ambient]).toEqual([0n, 0n, 0n]);
      }),
      { numRuns: 300 },
    );
  });

  it('the cred invariants hold after every event of random calls and execs', () => {
    fc.assert(
      fc.property(startArb, fc.array(fc.oneof({ weight: 4, arbitrary: callArb }, { weight: 1, arbitrary: execArb }), { maxLength: 25 }), (start, actions) => {
        let state = stateWith(start);
        for (const action of actions) {
          const next = step(state, action);
          expect(next.complaints).toEqual([]);
          state = next.state;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every handler answers any arguments, and its event installs exactly the credentials it committed', () => {
    fc.assert(
      fc.property(startArb, callArb, (start, action) => {
        const before = stateWith(start);
        const result = call(before, action.name, action.args);
        expect(result.events.length).toBeLessThanOrEqual(1);
        if (result.errno !== null) expect(sameCredentials(result.creds, start)).toBe(true);
        if (result.events.length === 1) expect(sameCredentials(result.creds, start)).toBe(false);
        expect(JSON.parse(JSON.stringify(result.events))).toEqual(result.events);
      }),
      { numRuns: 500 },
    );
  });
});
