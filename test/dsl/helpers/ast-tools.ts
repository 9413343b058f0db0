// Helpers shared by the dsl tests: comparing ASTs without locations, and checking that
// a failure is a located ScenarioError.
import { expect } from 'vitest';
import { ScenarioError } from '../../../engine/core/errors.js';

/** A deep copy of `node` without any `loc` field, so ASTs compare by content alone. */
export function stripLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLocations);
  if (node !== null && typeof node === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'loc') copy[key] = stripLocations(value);
    }
    return copy;
  }
  return node;
}

/**
 * Asserts that `error` is an E_SYNTAX ScenarioError located inside `text`: a line that
 * exists, a column at most one past the end of that line, and a length of at least 1.
 */
export function expectLocatedSyntaxError(error: unknown, text: string, file: string): void {
  expect(error).toBeInstanceOf(ScenarioError);
  const scenarioError = error as ScenarioError;
  expect(scenarioError.code).toBe('E_SYNTAX');
  const location = scenarioError.location;
  expect(location).not.toBeNull();
  if (location === null) return;
  const lines = text.split('\n');
  expect(location.file).toBe(file);
  expect(location.line).toBeGreaterThanOrEqual(1);
  expect(location.line).toBeLessThanOrEqual(lines.length);
  expect(location.column).toBeGreaterThanOrEqual(1);
  expect(location.column).toBeLessThanOrEqual((lines[location.line - 1] ?? '').length + 1);
  expect(location.length).toBeGreaterThanOrEqual(1);
}
