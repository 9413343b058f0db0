/** The scenario's own record up to this event: steps and expectations checked, failures, violations. */
import { h, mark, table } from '../dom.js';
import { registerPanel } from './registry.js';

registerPanel({
  id: 'scenario',
  title: 'Scenario so far',
  order: 60,
  slices: ['scenario', 'config'],
  open: false,
  render({ state }) {
    const scenario = state.scenario;
    return h(
      'div',
      null,
      h(
        'p',
        null,
        `${scenario.stepsChecked} steps and ${scenario.expectationsChecked} expectations checked; ${scenario.failures.length} failed; ` +
          `${scenario.violations.length} invariant violations.`,
      ),
      scenario.failures.length === 0
        ? null
        : table(
            ['line', 'expectation', 'why it failed'],
            scenario.failures.map((failure) => [String(failure.line), failure.expectation, failure.reason]),
            { class: 'grid compact' },
            'Failed expectations',
          ),
      scenario.violations.length === 0
        ? null
        : table(
            ['event', 'invariant', 'what broke'],
            scenario.violations.map((violation) => [String(violation.event), violation.invariant, violation.message]),
            { class: 'grid compact' },
            'Invariant violations',
          ),
      scenario.assertions.length === 0
        ? null
        : table(
            ['', 'assertion', 'why'],
            scenario.assertions.map((verdict) => [mark(verdict.holds), verdict.expectation, verdict.reason]),
            { class: 'grid compact' },
            'Assertions',
          ),
    );
  },
});
