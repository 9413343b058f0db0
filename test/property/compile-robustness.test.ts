// Proves that any scenario text — bundled scenarios mutated by characters, tokens, numbers and process names, and generated scenarios likewise mutated — either compiles or fails with a ScenarioError located inside the text it names, never another exception; and that a plan that compiles either runs to the end under small limits or stops with ScenarioError E_LIMIT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScenario, loadScenario, type LoadedScenario } from '../../dsl/compile/index.js';
import { ScenarioError } from '../../engine/core/errors.js';
import type { RunPlan } from '../../engine/scenario/plan.js';
import { runPlan } from '../../engine/scenario/run.js';
import { SCENARIOS_DIR, SMALL_LIMITS, bundledScenarioFiles, printableScenario, readerFor, scenarioArb, variantsOf } from './helpers.js';

const BUNDLED = bundledScenarioFiles().map((file) => ({ file, text: readFileSync(join(SCENARIOS_DIR, file), 'utf8') }));

// ---------------------------------------------------------------- mutations

type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'swap'; readonly at: number }
  | { readonly kind: 'number'; readonly which: number; readonly text: string }
  | { readonly kind: 'token'; readonly which: number; readonly action: 'delete' | 'duplicate' | 'swapNext'; readonly replacement: string }
  | { readonly kind: 'rename'; readonly which: number; readonly to: string; readonly scope: 'all' | 'declaration' | 'oneUse'; readonly use: number };

const INSERTS = [
  ' ', '\n', '\t', '{', '}', ':', '"', '#', '=', ',', '|', '(', ')', '$', '-', '0', '0x', 'x', '\\', 'é', '\u2028',
  ' expect ok', ' expect fault #PF', ' when', ' size 4 KiB', ' size 0', ' cpl 3', ' with ac', ' shared libc', ' kernel', ' global', ' pkey 3',
  '\ninvariant all\n', '\nvariant v: a | b\n', '\nrepeat 3 {\n', '\nkernel: timer\n', '\nraw {\n', '\nmachine {\n', '\nkernel {\n  timer every 1 ticks\n}\n',
  '\nimport "processes/same-address.isl"\n', '\nimport "missing.isl"\n', '\nimport "paging/nx.isl"\n',
  '\nprocess extra { uid: 1 }\n', '\nregion r2 size 4 KiB\n', '\nsecret s2 "x" at 0xffff888000002000\n',
];

/** Numbers to put in place of a number: huge, negative, non-canonical, boundaries. */
const NUMBERS = [
  '0', '1', '-1', '-0', '2', '3', '7', '12', '52', '4095', '4096', '4097', '65535', '65536', '1048576',
  '2147483648', '4294967295', '4294967296', '9007199254740991', '9007199254740993', '18446744073709551615', '18446744073709551616',
  '99999999999999999999999999999999', '-9223372036854775808', '0x0', '0x00000400000', '0X400000', '0xffffffffffffffff', '0x10000000000000000',
  '0x7fffffffffff', '0x800000000000', '0xffff800000000000', '0xfff', '0x1001', '-0x1000', '007', '1_000', '0b101', '0x_1', '0x', '1e3', '1.5', '0x1G', '٣',
];

const NAMES = ['kernel', 'cpu', 'raw', 'observer', 'expect', 'when', 'process', 'secret', 'map', 'size', 'x', 'Attacker', 'a_b', 'ü', '_', 'victim', 'attacker', 'libc'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('number' as const), which: fc.nat(), text: fc.constantFrom(...NUMBERS) }) },
  fc.record({
    kind: fc.constant('token' as const),
    which: fc.nat(),
    action: fc.constantFrom('delete' as const, 'duplicate' as const, 'swapNext' as const),
    replacement: fc.constantFrom(...NAMES),
  }),
  fc.record({
    kind: fc.constant('rename' as const),
    which: fc.nat(),
    to: fc.constantFrom(...NAMES),
    scope: fc.constantFrom('all' as const, 'declaration' as const, 'oneUse' as const),
    use: fc.nat(),
  }),
);

const NUMBER_TOKEN = /-?\b(?:0[xX][0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*)\b/g;
const TOKEN = /[^\s]+/g;

function matchesOf(text: string, pattern: RegExp): RegExpExecArray[] {
  return [...text.matchAll(pattern)];
}

function replaceAt(text: string, index: number, length: number, replacement: string): string {
  return text.slice(0, index) + replacement + text.slice(index + length);
}

function mutate(text: string, mutation: Mutation): string {
  const size = Math.max(1, text.length);
  switch (mutation.kind) {
    case 'delete':
      return replaceAt(text, mutation.at % size, mutation.length, '');
    case 'insert':
      return replaceAt(text, mutation.at % (text.length + 1), 0, mutation.text);
    case 'swap': {
      const at = mutation.at % size;
      return text.length < 2 || at + 1 >= text.length ? text : text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
    }
    case 'number': {
      const numbers = matchesOf(text, NUMBER_TOKEN);
      if (numbers.length === 0) return text;
      const match = numbers[mutation.which % numbers.length]!;
      return replaceAt(text, match.index, match[0].length, mutation.text);
    }
    case 'token': {
      const tokens = matchesOf(text, TOKEN);
      if (tokens.length === 0) return text;
      const i = mutation.which % tokens.length;
      const token = tokens[i]!;
      if (mutation.action === 'delete') return replaceAt(text, token.index, token[0].length, '');
      if (mutation.action === 'duplicate') return replaceAt(text, token.index, 0, token[0] + ' ');
      const next = tokens[i + 1];
      if (next === undefined) return replaceAt(text, token.index, token[0].length, mutation.replacement);
      return text.slice(0, token.index) + next[0] + text.slice(token.index + token[0].length, next.index) + token[0] + text.slice(next.index + next[0].length);
    }
    case 'rename': {
      const declared = matchesOf(text, /\bprocess\s+([A-Za-z_][\w.-]*)/g);
      if (declared.length === 0) return text;
      const declaration = declared[mutation.which % declared.length]!;
      const name = declaration[1]!;
      const word = new RegExp(`(?<![\\w.-])${name.replace(/\./g, '\\.')}(?![\\w.-])`, 'g');
      if (mutation.scope === 'all') return text.replace(word, mutation.to);
      if (mutation.scope === 'declaration') return replaceAt(text, declaration.index + declaration[0].length - name.length, name.length, mutation.to);
      const uses = matchesOf(text, word);
      if (uses.length === 0) return text;
      return replaceAt(text, uses[mutation.use % uses.length]!.index, name.length, mutation.to);
    }
  }
}

// ---------------------------------------------------------------- the contract

/**
 * The error contract: a ScenarioError whose location names a file that was read and
 * falls inside it — a line that exists, a column at most one past that line's end.
 */
function expectLocatedScenarioError(error: unknown, texts: ReadonlyMap<string, string>): void {
  if (!(error instanceof ScenarioError)) throw error;
  const location = error.location;
  expect(location, `${error.code} "${error.message}" has no location`).not.toBeNull();
  if (location === null) return;
  const text = texts.get(location.file);
  expect(text, `${error.code} "${error.message}" names ${location.file}, which was not read`).toBeDefined();
  const lines = (text ?? '').split('\n');
  expect(location.line).toBeGreaterThanOrEqual(1);
  expect(location.line).toBeLessThanOrEqual(lines.length);
  expect(location.column).toBeGreaterThanOrEqual(1);
  expect(location.column).toBeLessThanOrEqual((lines[location.line - 1] ?? '').replace(/\r$/, '').length + 1);
  expect(location.length).toBeGreaterThanOrEqual(1);
}


/** Compiles the first variant of `text` as `file`, then runs it; asserts the whole contract. Returns what happened. */
function compileAndRun(file: string, text: string): 'compile-error' | 'ran' | 'limit' {
  const texts = new Map<string, string>();
  const bundled = readerFor({ [file]: text });
  let loaded: LoadedScenario;
  let plan: RunPlan;
  try {
    loaded = loadScenario(file, (path, from) => {
      const source = bundled(path, from);
      texts.set(source.file, source.text);
      return source;
    });
    plan = compileScenario(loaded, variantsOf(loaded)[0]!);
  } catch (error) {
    expectLocatedScenarioError(error, texts);
    return 'compile-error';
  }
  try {
    runPlan(plan, { limits: SMALL_LIMITS });
    return 'ran';
  } catch (error) {
    if (!(error instanceof ScenarioError) || error.code !== 'E_LIMIT') throw error;
    return 'limit';
  }
}

const mutatedBundled = fc
  .record({ source: fc.nat(BUNDLED.length - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) })
  .map(({ source, mutations }) => {
    const { file, text } = BUNDLED[source]!;
    return printableScenario({ file, text: mutations.reduce(mutate, text) }, `${file} after ${JSON.stringify(mutations)}\n`);
  });

const mutatedGenerated = fc
  .tuple(scenarioArb({ minProcesses: 1, maxProcesses: 3, maxIntents: 10, supervisor: true, raw: true, kernelReads: true, secrets: true }), fc.array(mutationArb, { maxLength: 3 }))
  .map(([scenario, mutations]) => printableScenario({ file: 'generated.isl', text: mutations.reduce(mutate, scenario.text) }, `generated scenario after ${JSON.stringify(mutations)}\n`));

describe('compile robustness', () => {
  it('mutated bundled scenarios compile or fail with a located ScenarioError; compiled ones run or stop at E_LIMIT', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(mutatedBundled, ({ file, text }) => {
        const what = compileAndRun(file, text);
        seen.set(what, (seen.get(what) ?? 0) + 1);
      }),
      { numRuns: 400 },
    );
    // Both sides of the contract were exercised.
    expect(seen.get('compile-error') ?? 0).toBeGreaterThan(50);
    expect(seen.get('ran') ?? 0).toBeGreaterThan(50);
  }, 60_000);

  it('generated scenarios, mutated or not, keep the same contract', () => {
    fc.assert(
      fc.property(mutatedGenerated, ({ file, text }) => {
        compileAndRun(file, text);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('arbitrary text keeps the same contract', () => {
    const piece = fc.oneof(fc.constantFrom(...INSERTS, ...NUMBERS, ...NAMES, 'attacker: read ', 'process p { uid: 1 }\n', 'p: map ', 'machine {\n'), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        compileAndRun('random.isl', pieces.join(''));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('a run over the small limits stops with E_LIMIT (the other side of the run contract)', () => {
    const text = 'process p { uid: 1 }\np: map 0x400000 size 4 KiB rw user\nrepeat 20000 {\n  p: read 0x400000\n}\n';
    expect(compileAndRun('limit.isl', text)).toBe('limit');
  }, 60_000);
});
