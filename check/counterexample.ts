/**
 * A counterexample as a scenario file: the world's own text with its variants pinned to
 * the values the search used, then the shrunk attack, headed by a comment that says
 * what broke and how to reproduce the search. It enables exactly the invariants the
 * search checked: a world that enables none is searched with every built-in one
 * (world.ts), so for it the file names them. `isolab run` on it replays the violation.
 */
import type { World } from './world.js';
import type { Counterexample } from './search.js';

export function counterexampleScenario(world: World, counterexample: Counterexample, reproduce: string): string {
  const lines = world.loaded.source.replace(/\r\n/g, '\n').split('\n');
  for (const statement of world.loaded.statements) {
    if (statement.kind !== 'variant' || statement.loc.source !== world.loaded.file) continue;
    const value = world.variant[statement.name.value];
    if (value !== undefined) lines[statement.loc.start.line - 1] = `variant ${statement.name.value}: ${value}`;
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const { violation } = counterexample;
  return [
    ...lines,
    '',
    `# Counterexample found by isolab check: run ${counterexample.run}, shrunk ${counterexample.shrinks} times to ${counterexample.steps.length} step(s).`,
    `# It violates ${violation.invariant}: ${violation.message}`,
    `# Reproduce the search: ${reproduce}`,
    ...invariantLines(world),
    ...counterexample.steps,
    '',
  ].join('\n');
}

/** An `invariant` line for what the search checked beyond what the world's text enables. */
function invariantLines(world: World): string[] {
  const declared = new Set(world.compiled.plan.invariants);
  const added = world.plan.invariants.filter((name) => !declared.has(name));
  if (added.length === 0) return [];
  return ['# The world enables no invariant, so the search checked every built-in one; so does this file.', `invariant ${added.join(', ')}`];
}
