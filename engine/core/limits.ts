/**
 * Limits that stop a runaway scenario with a message instead of a hang or an
 * exhausted heap. Defaults are generous for teaching scenarios; the CLI can raise them.
 */
import { ScenarioError } from './errors.js';

export interface Limits {
  /** Events one run may produce. */
  readonly maxEvents: number;
  /** Commands (steps and follow-ups) one run may execute. */
  readonly maxCommands: number;
}

export const DEFAULT_LIMITS: Limits = { maxEvents: 5_000_000, maxCommands: 5_000_000 };

export class LimitExceeded extends ScenarioError {
  constructor(what: 'events' | 'commands', limit: number) {
    super(
      'E_LIMIT',
      `the run exceeded its limit of ${limit.toLocaleString('en-US')} ${what}; ` +
        `a step probably loops (a fault in a fault handler, or a large repeat). ` +
        `Raise it with --max-${what} if the scenario really needs more.`,
    );
  }
}
