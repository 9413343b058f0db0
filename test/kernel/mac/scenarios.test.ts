// Proves every bundled sandbox scenario passes its expectations in every variant with
// every invariant on, runs deterministically, and replays from its events alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { initialMachineState } from '../../../engine/machine/initial.js';
import { foldMachine } from '../../../engine/machine/mechanisms.js';
import { runPlan } from '../../../engine/scenario/run.js';
import { compileScenario, loadScenario } from '../../../dsl/compile/index.js';
import { failuresOf } from '../../helpers/scenario.js';

function run(file: string, variant: Record<string, string>) {
  const loaded = loadScenario(file, (path) => ({ file: path, text: readFileSync(path, 'utf8') }));
  const plan = compileScenario(loaded, variant);
  const events: Envelope[] = [];
  const result = runPlan(plan, { onEngine: (engine) => void engine.events$.subscribe((event) => events.push(event)) });
  return { plan, result, events };
}

const CASES: [string, Record<string, string>][] = [
  ['no-network', { profile: 'none' }],
  ['no-network', { profile: 'no-internet' }],
  ['no-network', { profile: 'no-network' }],
  ['path-filtering', {}],
  ['write-temporary', { profile: 'none' }],
  ['write-temporary', { profile: 'no-write-except-temporary' }],
  ['write-temporary', { profile: 'no-write' }],
  ['apparmor-container', { confinement: 'unconfined' }],
  ['apparmor-container', { confinement: 'container' }],
];

describe('scenarios/sandbox', () => {
  for (const [file, variant] of CASES) {
    it(`${file} ${JSON.stringify(variant)} passes, is deterministic and replays`, () => {
      const first = run(`scenarios/sandbox/${file}.isl`, variant);
      expect([...failuresOf(first.result), ...first.result.violations.map((v) => JSON.stringify(v))]).toEqual([]);
      expect(first.result.passed).toBe(true);
      const second = run(`scenarios/sandbox/${file}.isl`, variant);
      expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
      const replayed = first.events.reduce((state, event) => foldMachine(state, event), initialMachineState(first.plan.config, first.plan.features));
      expect(replayed.kernel.mac).toEqual(first.result.state.kernel.mac);
      expect(replayed.kernel.net).toEqual(first.result.state.kernel.net);
    });
  }
});
