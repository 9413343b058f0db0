// Proves that the Janus TOCTTOU race is a real interleaving `isolab explore` finds — the accomplice's rename between the monitor's check and the kernel's use makes the kernel open /etc/shadow — and that the resolved design has no winning interleaving, neither among the scenario's orders nor among random interleavings of a box and an attacker that keeps swapping names (property test); the same random schedules do break the janus design, so the property can fail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../../check/explore.js';
import { compileScenario, loadScenario } from '../../../dsl/compile/index.js';
import { processByName } from '../../../engine/kernel/state.js';
import { lookupAbsolute } from '../../../engine/kernel/vfs/state.js';
import { runPlan, type RunResult } from '../../../engine/scenario/run.js';
import { runText } from '../../helpers/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const ALL = { maxInterleavings: 10_000, stopAtFirst: false, checkFootprints: true };

function planOf(file: string, variant: Record<string, string> = {}) {
  const loaded = loadScenario(file, (path) => ({ file: path, text: readFileSync(join(ROOT, path), 'utf8') }));
  return compileScenario(loaded, variant);
}

describe('explore on the Janus race', () => {
  const file = 'scenarios/interpose/janus-race.isl';

  it('passes isolab run in the order written, in both modes', () => {
    expect(runPlan(planOf(file, { mode: 'janus' })).passed).toBe(true);
    expect(runPlan(planOf(file, { mode: 'resolved' })).passed).toBe(true);
  });

  it('finds the interleaving where the swap falls between check and use (janus mode)', () => {
    const plan = planOf(file, { mode: 'janus' });
    const result = explore(plan, ALL);
    expect(result.complete).toBe(true);
    expect(result.footprintGaps).toBe(0);
    expect(result.violating).toBe(1);
    const order = result.firstViolation!.order.map((index) => plan.steps[index]!.text.split('(')[0]);
    expect(order).toEqual(['box: syscall openat', 'accomplice: syscall rename', 'box: resume']);
    expect(result.firstViolation!.reasons.join('\n')).toMatch(/interpose\.policy-holds — box \(monitor sandbox\) opened \/etc\/shadow/);
    // The interleaving replays as a failing run.
    expect(runPlan({ ...plan, steps: result.firstViolation!.order.map((index) => plan.steps[index]!) }).passed).toBe(false);
  });

  it('finds no winning interleaving when the monitor checks what the kernel resolved (resolved mode)', () => {
    const result = explore(planOf(file, { mode: 'resolved' }), ALL);
    expect(result.complete).toBe(true);
    expect(result.footprintGaps).toBe(0);
    expect(result.violating).toBe(0);
    expect(result.explored).toBeGreaterThan(0);
  });

  it('replays the won race as a passing lesson (janus-race-won.isl)', () => {
    const result = runPlan(planOf('scenarios/interpose/janus-race-won.isl'));
    expect(result.passed).toBe(true);
    expect(result.violations.map((v) => v.invariant)).toEqual(['interpose.policy-holds']);
  });
});

/** What the attacker can do to the names in /tmp, each allowed by any path policy for /tmp. */
const ATTACKS = [
  'syscall rename("/tmp/evil", "/tmp/link")',
  'syscall symlink("/etc/shadow", "/tmp/evil")',
  'syscall symlink("/tmp/allowed", "/tmp/evil")',
  'syscall unlink("/tmp/evil")',
  'syscall unlink("/tmp/link")',
  'syscall symlink("/etc/shadow", "/tmp/link")',
  'syscall symlink("/tmp/allowed", "/tmp/link")',
  'syscall link("/etc/shadow", "/tmp/link")',
  'syscall link("/tmp/allowed", "/tmp/link")',
] as const;

const BOX_CALLS = ['openat(AT_FDCWD, "/tmp/link", O_RDONLY)', 'open("link", O_RDONLY)', 'openat(AT_FDCWD, "/tmp/evil", O_RDONLY)'] as const;

function raceScenario(mode: string, box: readonly number[], attacks: readonly number[], merge: readonly boolean[]): string {
  const boxSteps = box.flatMap((call) => [`box: syscall ${BOX_CALLS[call]!}`, 'box: resume']);
  const attackSteps = attacks.map((attack) => `attacker: ${ATTACKS[attack]!}`);
  const steps: string[] = [];
  let b = 0;
  let a = 0;
  for (const boxFirst of merge) {
    if ((boxFirst && b < boxSteps.length) || a >= attackSteps.length) steps.push(boxSteps[b++]!);
    else steps.push(attackSteps[a++]!);
    if (b >= boxSteps.length && a >= attackSteps.length) break;
  }
  steps.push(...boxSteps.slice(b), ...attackSteps.slice(a));
  return `scenario "race"
fs {
  dir "/tmp" { mode: 01777 }
  file "/tmp/allowed" "harmless" { mode: 0644 }
  symlink "/tmp/link" "/tmp/allowed"
  symlink "/tmp/evil" "/etc/shadow"
  file "/etc/shadow" "root:x" { mode: 0640, owner: 0 }
}
monitor m { allow: "/tmp/*", deny: "/etc/*", mode: ${mode} }
process box { uid: 0, cwd: "/tmp", monitor: m }
process attacker { uid: 0 }
${steps.join('\n')}
`;
}

/** The kernel's truth: whether the box holds a descriptor to the shadow file's inode. */
function boxHoldsShadow(result: RunResult): boolean {
  const { kernel, vfs } = result.state;
  const shadow = lookupAbsolute(vfs, '/etc/shadow');
  const box = processByName(kernel, 'box')!;
  return box.fds.some((entry) => kernel.files.byId[entry.file]?.path?.ino === shadow?.ino);
}

const schedule = fc.record({
  box: fc.array(fc.integer({ min: 0, max: BOX_CALLS.length - 1 }), { minLength: 1, maxLength: 3 }),
  attacks: fc.array(fc.integer({ min: 0, max: ATTACKS.length - 1 }), { minLength: 1, maxLength: 5 }),
  merge: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});

describe('random interleavings of a box and an attacker', () => {
  it('never leave the box holding a descriptor to a denied file in resolved mode', () => {
    fc.assert(
      fc.property(schedule, ({ box, attacks, merge }) => {
        const result = runText(raceScenario('resolved', box, attacks, merge));
        expect(boxHoldsShadow(result)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('do break the janus design (the property above can fail)', () => {
    const outcome = fc.check(
      fc.property(schedule, ({ box, attacks, merge }) => !boxHoldsShadow(runText(raceScenario('janus', box, attacks, merge)))),
      { numRuns: 300, seed: 7 },
    );
    expect(outcome.failed).toBe(true);
  });
});
