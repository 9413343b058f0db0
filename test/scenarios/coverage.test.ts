// Proves that every concept in scope is taught by a bundled scenario, and that
// docs/concepts.md says exactly what the scenarios' `teaches` lines say.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../dsl/parse.js';

const ROOT = join(import.meta.dirname, '..', '..');
const IN_SCOPE = [...Array.from({ length: 18 }, (_, i) => i + 1), ...Array.from({ length: 11 }, (_, i) => i + 20), 31, 33];

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return name === 'common' ? [] : scenarioFiles(full);
      return name.endsWith('.isl') ? [full] : [];
    });
}

function taughtBy(): Map<number, string[]> {
  const map = new Map<number, string[]>();
  for (const file of scenarioFiles(join(ROOT, 'scenarios'))) {
    const name = relative(join(ROOT, 'scenarios'), file).replace(/\.isl$/, '');
    const doc = parseScenario(readFileSync(file, 'utf8'), file);
    for (const statement of doc.statements) {
      if (statement.kind !== 'teaches') continue;
      for (const concept of statement.concepts) map.set(Number(concept.value), [...(map.get(Number(concept.value)) ?? []), name]);
    }
  }
  return map;
}

describe('concept coverage', () => {
  const taught = taughtBy();

  it.each(IN_SCOPE)('concept %i is taught by at least one bundled scenario', (concept) => {
    expect(taught.get(concept) ?? []).not.toEqual([]);
  });

  it('docs/concepts.md lists the same scenarios per concept as the teaches lines', () => {
    const documented = new Map<number, string[]>();
    for (const line of readFileSync(join(ROOT, 'docs', 'concepts.md'), 'utf8').split('\n')) {
      const match = /^\| (\d+) [^|]*\| ([^|]*) \|/.exec(line);
      if (match === null) continue;
      documented.set(Number(match[1]), match[2]!.split(',').map((s) => s.trim()).sort());
    }
    const actual = new Map([...taught].map(([concept, files]) => [concept, [...files].sort()]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
  });
});
