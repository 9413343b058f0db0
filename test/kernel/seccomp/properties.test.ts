// Property tests of seccomp: precedence of stacked filters, and its two invariants (they hold on random runs and catch broken transitions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { SECCOMP_ACTIONS, SECCOMP_RET_ALLOW, actionValue, decodeAction } from '../../../engine/kernel/seccomp/constants.js';
import { filterEnforced, filtersOnlyGrow, seccompChangeProblem } from '../../../engine/kernel/seccomp/invariants.js';
import { actionOnly, combineReturns } from '../../../engine/kernel/seccomp/run.js';
import { INITIAL_SECCOMP_STATE, type ProcessSeccomp } from '../../../engine/kernel/seccomp/state.js';
import { failuresOf } from '../../helpers/scenario.js';
import { eventsOfType, onlyProgram, runSeccomp } from './helpers.js';

/** The reference: the lowest signed ACTION_ONLY wins, the first (newest) of equals, ALLOW when none is lower. */
function referenceCombine(returns: readonly number[]): { ret: number; index: number | null } {
  let best: number | null = null;
  returns.forEach((ret, index) => {
    if (actionOnly(ret) < actionOnly(SECCOMP_RET_ALLOW) && (best === null || actionOnly(ret) < actionOnly(returns[best]!))) best = index;
  });
  return best === null ? { ret: SECCOMP_RET_ALLOW, index: null } : { ret: returns[best]! >>> 0, index: best };
}

const knownReturn = fc.tuple(fc.constantFrom(...SECCOMP_ACTIONS), fc.integer({ min: 0, max: 0xffff })).map(([action, data]) => actionValue(action, data));
const anyReturn = fc.oneof(knownReturn, fc.integer({ min: 0, max: 0xffffffff }));

describe('precedence (seccomp_run_filters)', () => {
  it('the combined result is the most restrictive by signed action, the newest of equals', () => {
    fc.assert(
      fc.property(fc.array(anyReturn, { maxLength: 8 }), (returns) => {
        expect(combineReturns(returns)).toEqual(referenceCombine(returns));
      }),
      { numRuns: 500 },
    );
  });

  it('random stacks of installed filters decide as the reference does', () => {
    const getpidReturn = fc.tuple(fc.constantFrom('ALLOW', 'LOG', 'ERRNO', 'TRAP', 'TRACE', 'USER_NOTIF', 'KILL_THREAD', 'KILL_PROCESS' as const), fc.integer({ min: 0, max: 40 })).map(([action, data]) => actionValue(action, data));
    fc.assert(
      fc.property(fc.array(getpidReturn, { minLength: 1, maxLength: 4 }), (returns) => {
        const files: Record<string, string> = {};
        const lines = returns.map((ret, i) => {
          files[`f${i}.json`] = onlyProgram(39, ret);
          return `filter f${i} from "f${i}.json"`;
        });
        const installs = returns.map((_, i) => `app: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, f${i}) expect returns 0`);
        const text = `scenario "p"\ninvariant all\n${lines.join('\n')}\nprocess app { uid: 1000, no_new_privs: on, catch: SIGSYS }\n${installs.join('\n')}\napp: syscall getpid\n`;
        const { result, events } = runSeccomp(text, files);
        expect(failuresOf(result)).toEqual([]);
        expect(result.violations).toEqual([]);
        const newestFirst = [...returns].reverse();
        const expected = referenceCombine(newestFirst);
        const decided = eventsOfType(events, 'seccomp.decided').filter((d) => d.name === 'getpid');
        expect(decided).toHaveLength(1);
        expect([decided[0]!.action, decided[0]!.data]).toEqual([decodeAction(expected.ret).action, decodeAction(expected.ret).data]);
        expect(decided[0]!.filterId).toBe(expected.index === null ? null : returns.length - expected.index);
      }),
      { numRuns: 40 },
    );
  });
});

describe('seccomp.filter-enforced', () => {
  const chmodAction = fc.constantFrom('allow', 'log', 'EPERM', 'errno(0)', 'trap', 'trace(1)', 'notify', 'kill', 'kill_process');

  it('a skipped chmod never changes the file; an allowed one does', () => {
    fc.assert(
      fc.property(chmodAction, fc.boolean(), (action, catches) => {
        const text = `scenario "p"
invariant all
fs {
  dir "/srv" { mode: 0755 }
  file "/srv/f" "x" { mode: 0644, owner: 1000 }
}
seccomp rules { default: allow, chmod: ${action} }
process app { uid: 1000, seccomp: rules${catches ? ', catch: SIGSYS' : ''} }
app: syscall chmod("/srv/f", 0600)
`;
        const { result, events } = runSeccomp(text);
        expect(result.violations).toEqual([]);
        const changed = eventsOfType(events, 'vfs.inodeChanged').length > 0;
        expect(changed).toBe(action === 'allow' || action === 'log');
        expect(eventsOfType(events, 'seccomp.callSkipped').length > 0).toBe(!changed);
      }),
      { numRuns: 60 },
    );
  });

  it('catches a call that returns through its handler while a skip is pending', () => {
    const { result } = runSeccomp(`scenario "p"\nprocess app { uid: 1000 }\n`);
    const before = { ...result.state, kernel: { ...result.state.kernel, seccomp: { ...INITIAL_SECCOMP_STATE, pendingSkips: { 1: 'ERRNO' as const } } } };
    const event: Envelope = { seq: 0, tick: 0, type: 'kernel.syscallReturned', actor: 'app', data: { pid: 1, name: 'chmod', ret: 0 }, cause: null };
    expect(filterEnforced.check(before, event, before)).toBe("app's chmod returned through its handler although seccomp decided SECCOMP_RET_ERRNO");
    expect(filterEnforced.check(result.state, event, result.state)).toBeNull();
  });
});

describe('seccomp.filters-only-grow', () => {
  const chain = (mode: ProcessSeccomp['mode'], ...filters: number[]): ProcessSeccomp => ({ mode, filters });

  it('accepts growth in front and refuses every other change', () => {
    expect(seccompChangeProblem(chain('disabled'), chain('filter', 1), false)).toBeNull();
    expect(seccompChangeProblem(chain('filter', 1), chain('filter', 2, 1), false)).toBeNull();
    expect(seccompChangeProblem(chain('disabled'), chain('strict'), false)).toBeNull();
    expect(seccompChangeProblem(chain('filter', 2, 1), chain('filter', 1), false)).toMatch(/lost or reordered/);
    expect(seccompChangeProblem(chain('filter', 2, 1), chain('filter', 1, 2), false)).toMatch(/lost or reordered/);
    expect(seccompChangeProblem(chain('filter', 1), chain('disabled'), false)).toMatch(/back to disabled/);
    expect(seccompChangeProblem(chain('strict'), chain('filter', 1), false)).toMatch(/changed from strict to filter/);
    expect(seccompChangeProblem(chain('filter', 1), chain('filter', 2, 1), true)).toMatch(/execve changed/);
  });

  it('catches a forked child that lost its parent\'s filters', () => {
    const { result } = runSeccomp(`scenario "p"\nseccomp s { default: allow }\nprocess app { uid: 1000, seccomp: s }\napp: syscall fork() as kid\n`);
    const event: Envelope = { seq: 0, tick: 0, type: 'kernel.processForked', actor: 'kernel', data: { parent: 1, child: 2 }, cause: null };
    expect(filtersOnlyGrow.check(result.state, event, result.state)).toBeNull();
    const kid = result.state.kernel.processes.byId[2]!;
    const broken = { ...result.state, kernel: { ...result.state.kernel, processes: { ...result.state.kernel.processes, byId: { ...result.state.kernel.processes.byId, 2: { ...kid, seccomp: chain('disabled') } } } } };
    expect(filtersOnlyGrow.check(result.state, event, broken)).toMatch(/kid was forked from app \(seccomp filter \[1\]\) but has disabled \[\]/);
  });

  it('holds on random sequences of installs, forks, execs and mode switches', () => {
    const op = fc.constantFrom('install a', 'install b', 'fork', 'exec', 'strict', 'get');
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.nat(3)), { minLength: 1, maxLength: 10 }), (ops) => {
        const names = ['p0'];
        const steps: string[] = [];
        for (const [kind, who] of ops) {
          const actor = names[who % names.length]!;
          if (kind === 'install a' || kind === 'install b') steps.push(`${actor}: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, ${kind.slice(-1)})`);
          else if (kind === 'fork' && names.length < 4) {
            const child = `p${names.length}`;
            names.push(child);
            steps.push(`${actor}: syscall fork() as ${child}`);
          } else if (kind === 'exec') steps.push(`${actor}: syscall execve("/usr/bin/tool")`);
          else if (kind === 'strict') steps.push(`${actor}: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)`);
          else steps.push(`${actor}: syscall prctl(PR_GET_SECCOMP)`);
        }
        const text = `scenario "p"
invariant all
fs {
  file "/usr/bin/tool" "ELF" { mode: 0755 }
}
seccomp a { default: allow, chmod: EPERM }
seccomp b { default: allow, umask: log }
process p0 { uid: 1000, no_new_privs: on }
${steps.join('\n')}
`;
        const { result } = runSeccomp(text);
        expect(result.violations).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
