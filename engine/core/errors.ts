/**
 * The three kinds of failure, kept apart (see STYLE.md):
 * - a simulated outcome (page fault, EPERM) is an event, never an exception;
 * - bad user input is a ScenarioError: a code, a message in full sentences naming the
 *   value, a location and notes; the CLI prints it and exits 2;
 * - a broken internal promise is an InternalError raised by `assert`, which stops the run.
 */

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Length of the offending text on that line, for the caret underline. */
  readonly length: number;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly code: string,
    message: string,
    readonly location: SourceLocation | null = null,
    readonly notes: readonly string[] = [],
  ) {
    super(message);
  }
}

export class InternalError extends Error {
  override readonly name = 'InternalError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(`internal assertion failed: ${message}`);
}

export function assertNever(value: never, what = 'value'): never {
  throw new InternalError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
