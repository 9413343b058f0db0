// Proves the formatter's contract by property: format∘parse is idempotent, parse(format(doc)) equals doc apart from locations (random ASTs and example files), and parsing random or mutated text either succeeds or fails with an E_SYNTAX ScenarioError located inside the text.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../dsl/ast.js';
import { formatScenario } from '../../dsl/format.js';
import { parseScenario } from '../../dsl/parse.js';
import { renderError } from '../../dsl/render-error.js';
import { ScenarioError } from '../../engine/core/errors.js';
import { document } from './helpers/arbitraries.js';
import { expectLocatedSyntaxError, stripLocations } from './helpers/ast-tools.js';

const FIXTURES = ['full.isl', 'kpti.isl', 'messy.isl', 'messy.formatted.isl', 'comments-only.isl'];
const fixtureTexts = FIXTURES.map((name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const fmt = (text: string, file = 'p.isl') => formatScenario(parseScenario(text, file));

/** Parses, or returns the ScenarioError; anything else thrown fails the property. */
function tryParse(text: string, file: string): Document | ScenarioError {
  try {
    return parseScenario(text, file);
  } catch (error) {
    expectLocatedSyntaxError(error, text, file);
    return error as ScenarioError;
  }
}

// ---------------------------------------------------------------- text perturbations

type LineChange = 'none' | 'crlf' | 'trailing' | 'indent' | 'blank';

/**
 * Changes that must not alter the AST (CRLF, trailing white space, indentation) or
 * alter only blankBefore (extra blank lines, never before an `expect` continuation).
 */
function perturb(text: string, changes: readonly LineChange[], dropFinalNewline: boolean): string {
  const lines = text.split('\n');
  const out = lines.map((line, index) => {
    const change = changes.length === 0 || index === lines.length - 1 ? 'none' : changes[index % changes.length];
    const nextIsContinuation = /^\s*expect\b/.test(lines[index + 1] ?? '');
    switch (change) {
      case 'crlf':
        return line + '\r';
      case 'trailing':
        return line + ' \t ';
      case 'indent':
        return '\t  ' + line;
      case 'blank':
        return nextIsContinuation ? line : line + '\n   ';
      default:
        return line;
    }
  });
  const joined = out.join('\n');
  return dropFinalNewline ? joined.replace(/\n$/, '') : joined;
}

const lineChanges = (allowed: readonly LineChange[]) => fc.array(fc.constantFrom(...allowed), { maxLength: 8 });

// ---------------------------------------------------------------- mutations

type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'swap'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number };

const TOKENS = [
  '{', '}', ':', '"', '#', '\n', '\r', '\r\n', ' ', '\t', '=', ',', '|', '(', ')', '$', '\\', '-', '_', '0', '0x', 'x', 'A',
  'expect ', ' when ', ' and ', 'no ', 'repeat 1 {\n', 'machine {\n', '\\x4', '\\u{', '#PF(', '\u2028', '\ud800', 'é',
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(text: string, change: Mutation): string {
  const at = text.length === 0 ? 0 : change.at % (text.length + 1);
  switch (change.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'insert':
      return text.slice(0, at) + change.text + text.slice(at);
    case 'swap':
      return at + 1 < text.length ? text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2) : text;
    case 'duplicate':
      return text.slice(0, at + change.length) + text.slice(at, at + change.length) + text.slice(at + change.length);
    case 'truncate':
      return text.slice(0, at);
  }
}

const validText = fc.oneof(fc.constantFrom(...fixtureTexts), document.map(formatScenario));
const mutatedText = fc
  .tuple(validText, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([text, changes]) => changes.reduce(mutate, text));

// ---------------------------------------------------------------- properties

describe('round trip', () => {
  it('parse(format(doc)) equals doc without locations, for random ASTs', () => {
    fc.assert(
      fc.property(document, (doc) => {
        const reparsed = parseScenario(formatScenario(doc), doc.source);
        expect(stripLocations(reparsed)).toEqual(stripLocations(doc));
      }),
      { numRuns: 400 },
    );
  });

  it.each(FIXTURES)('parse(format(parse(text))) equals parse(text) without locations for %s', (name) => {
    const text = fixtureTexts[FIXTURES.indexOf(name)] ?? '';
    const doc = parseScenario(text, name);
    expect(stripLocations(parseScenario(formatScenario(doc), name))).toEqual(stripLocations(doc));
  });

  it('ignores CRLF, trailing white space, indentation and a missing final newline', () => {
    fc.assert(
      fc.property(document, lineChanges(['none', 'crlf', 'trailing', 'indent']), fc.boolean(), (doc, changes, dropNewline) => {
        const text = perturb(formatScenario(doc), changes, dropNewline);
        expect(stripLocations(parseScenario(text, doc.source))).toEqual(stripLocations(doc));
      }),
      { numRuns: 200 },
    );
  });
});

describe('idempotence', () => {
  it('format(parse(format(parse(t)))) === format(parse(t)) for perturbed formatted ASTs', () => {
    fc.assert(
      fc.property(document, lineChanges(['none', 'crlf', 'trailing', 'indent', 'blank']), fc.boolean(), (doc, changes, dropNewline) => {
        const once = fmt(perturb(formatScenario(doc), changes, dropNewline));
        expect(fmt(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('holds for every mutated text that still parses', () => {
    fc.assert(
      fc.property(mutatedText, (text) => {
        const parsed = tryParse(text, 'm.isl');
        if (parsed instanceof ScenarioError) return;
        const once = formatScenario(parsed);
        expect(fmt(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parse fails only with located syntax errors', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        tryParse(text, 'r.isl');
      }),
      { numRuns: 500 },
    );
  });

  it('on random sequences of scenario tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS, 'attacker', 'read', 'seed', 'process', ' 7', ' KiB'), { maxLength: 40 }), (tokens) => {
        tryParse(tokens.join(''), 't.isl');
      }),
      { numRuns: 500 },
    );
  });

  it('on deleted, inserted, swapped, duplicated and truncated scenario text, with a renderable error', () => {
    fc.assert(
      fc.property(mutatedText, (text) => {
        const parsed = tryParse(text, 'm.isl');
        if (parsed instanceof ScenarioError) expect(renderError(parsed, text)).toContain('error[E_SYNTAX]: m.isl:');
      }),
      { numRuns: 1000 },
    );
  });

  it('on input nested too deeply for the stack', () => {
    for (const text of ['repeat 1 {\n'.repeat(50_000), 'a: b ' + 'f('.repeat(50_000) + ')'.repeat(50_000)]) {
      let failure: unknown = null;
      try {
        parseScenario(text, 'deep.isl');
      } catch (error) {
        failure = error;
      }
      expectLocatedSyntaxError(failure, text, 'deep.isl');
      expect((failure as ScenarioError).message).toBe(
        'the file is nested too deeply to parse (too many blocks, repeats or parentheses inside one another)',
      );
    }
  });
});
