// fast-check arbitraries for scenario ASTs: every statement and value kind, comments,
// blank lines and awkward strings. They generate canonical ASTs only, i.e. ASTs the
// parser can produce (see `canonicalDocument`), since only those can round-trip.
import fc from 'fast-check';
import type {
  CommentStatement,
  Condition,
  Document,
  Expectation,
  NumberValue,
  Outcome,
  Property,
  RepeatStatement,
  SettingStatement,
  Span,
  Statement,
  StepStatement,
  StringValue,
  SymbolValue,
  Value,
  WordValue,
} from '../../../dsl/ast.js';
import { RESERVED_WORDS, STATEMENT_KEYWORDS, UNITS } from '../../../dsl/parse.js';

export const GENERATED_SOURCE = 'generated.isl';

/** Generated nodes all share one location; the properties compare without locations. */
const LOC: Span = {
  source: GENERATED_SOURCE,
  start: { offset: 0, line: 1, column: 1 },
  end: { offset: 0, line: 1, column: 1 },
};

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const WORD_CHARS = LETTERS + DIGITS + '_.-';
const NUMBER_TEXT = /^-?(0x[0-9a-f](_?[0-9a-f])*|0b[01](_?[01])*|[0-9](_?[0-9])*)$/i;

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));

const plainWordText = fc
  .tuple(chars(LETTERS + '_'), fc.string({ unit: chars(WORD_CHARS), maxLength: 8 }))
  .map(([first, rest]) => first + rest);

const digitWordText = fc
  .tuple(
    fc.string({ unit: chars(DIGITS), minLength: 1, maxLength: 3 }),
    fc.string({ unit: chars(DIGITS + '.-'), maxLength: 2 }),
    chars(LETTERS + '_'),
    fc.string({ unit: chars(WORD_CHARS), maxLength: 4 }),
  )
  .map((parts) => parts.join(''))
  .filter((text) => !/^0[xb]/i.test(text));

const familiarWords = fc.constantFrom(
  'on', 'off', 'x86_64', '4-level', 'cr0.wp', 'r-x', 'SIGSEGV', 'O_RDONLY', 'ok', 'fault',
  'memory.process-isolation', 'in', 'no', 'and', 'kernel', 'secret', 'repeat', '2M', '_', 'x',
);

/** Any word the grammar reads as a word: not reserved, not a unit, not a number. */
export const wordText: fc.Arbitrary<string> = fc
  .oneof(familiarWords, plainWordText, digitWordText)
  .filter((text) => !RESERVED_WORDS.includes(text) && !UNITS.includes(text) && !NUMBER_TEXT.test(text));

const word = (text: fc.Arbitrary<string> = wordText): fc.Arbitrary<WordValue> =>
  text.map((value) => ({ kind: 'word', value, loc: LOC }));

const actorWord = word(wordText.filter((text) => text === 'kernel' || !STATEMENT_KEYWORDS.includes(text)));
const topSettingWord = word(
  wordText.filter((text) => !STATEMENT_KEYWORDS.includes(text) || text === 'secret' || text === 'region'),
);

// ---------------------------------------------------------------- values

const digitsWithSeparators = (digits: string): fc.Arbitrary<string> =>
  fc.array(fc.nat({ max: Math.max(0, digits.length - 2) }), { maxLength: 2 }).map((cuts) => {
    const positions = new Set(cuts.filter(() => digits.length > 1).map((cut) => cut + 1));
    return [...digits].map((digit, index) => (positions.has(index) ? '_' + digit : digit)).join('');
  });

const magnitudeText = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 72n) - 1n }).map((value) => value.toString()),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value) => '0x' + value.toString(16)),
  fc.bigInt({ min: 0n, max: 255n }).map((value) => '0b' + value.toString(2)),
  fc.constantFrom('007', '0x0000000000002003', '0'),
);

const numberText = fc
  .tuple(fc.boolean(), magnitudeText)
  .chain(([negative, text]) => {
    const prefix = /^0[xb]/.test(text) ? text.slice(0, 2) : '';
    return digitsWithSeparators(text.slice(prefix.length)).map((digits) => (negative ? '-' : '') + prefix + digits);
  });

const numberOf = (unit: fc.Arbitrary<string | null>): fc.Arbitrary<NumberValue> =>
  fc.tuple(numberText, unit).map(([text, unitName]) => {
    const negative = text.startsWith('-');
    const magnitude = BigInt((negative ? text.slice(1) : text).replace(/_/g, ''));
    return { kind: 'number', value: negative ? -magnitude : magnitude, text, unit: unitName, loc: LOC };
  });

const number = numberOf(fc.option(fc.constantFrom(...UNITS), { nil: null, freq: 3 }));
const bareNumber = numberOf(fc.constant(null));

const awkwardCharacters = fc.constantFrom(
  '"', '\\', '\n', '\r', '\t', '\b', '\f', '\x00', '\x1b', '\x7f', '\x85', '\u00a0', '\u2028',
  '\u2029', '\ud800', '\udfff', '#', '{', '}', '/', ' ', 'é', '😀', '\\x41', '\\n',
);

/** Strings with quotes, backslashes, newlines, controls, lone surrogates and emoji. */
export const stringText: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(awkwardCharacters, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 12,
});

const string: fc.Arbitrary<StringValue> = stringText.map((value) => ({ kind: 'string', value, loc: LOC }));

/** Comment text as the parser keeps it: one line, no trailing spaces or tabs. */
export const commentTextArbitrary: fc.Arbitrary<string> = stringText.map((text) =>
  text.replace(/[\r\n]/g, '').replace(/[ \t]+$/, ''),
);

const leafValue: fc.Arbitrary<Value> = fc.oneof(
  number,
  string,
  word(),
  wordText.map((name) => ({ kind: 'variable' as const, name, loc: LOC })),
  fc.stringMatching(/^[A-Z][A-Z0-9]{0,2}$/).map((name) => ({ kind: 'fault' as const, name, args: null, loc: LOC })),
  fc.tuple(bareNumber, bareNumber).map(([selector, offset]) => ({ kind: 'far' as const, selector, offset, loc: LOC })),
  fc
    .array(fc.oneof(bareNumber, word()), { minLength: 2, maxLength: 3 })
    .map((parts) => ({ kind: 'union' as const, parts, loc: LOC })),
);

function valueOfDepth(depth: number): fc.Arbitrary<Value> {
  if (depth === 0) return leafValue;
  const inner = valueOfDepth(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leafValue },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.stringMatching(/^[A-Z][A-Z0-9]{0,2}$/), fc.array(inner, { maxLength: 3 }))
        .map(([name, args]) => ({ kind: 'fault' as const, name, args, loc: LOC })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(wordText, fc.array(inner, { maxLength: 3 }))
        .map(([name, args]) => ({ kind: 'call' as const, name, args, loc: LOC })),
    },
  );
}

export const value: fc.Arbitrary<Value> = valueOfDepth(2);

const symbol: fc.Arbitrary<SymbolValue> = fc
  .constantFrom('=' as const, ',' as const)
  .map((text) => ({ kind: 'symbol', value: text, loc: LOC }));

// ---------------------------------------------------------------- statements

const trailingComment = fc.option(commentTextArbitrary, { nil: null, freq: 3 });
const base = fc.record({ blankBefore: fc.boolean(), trailingComment });
const values = (min: number, max: number) => fc.array(value, { minLength: min, maxLength: max });

const comment: fc.Arbitrary<CommentStatement> = fc
  .record({ blankBefore: fc.boolean(), text: commentTextArbitrary })
  .map((fields) => ({ kind: 'comment', ...fields, loc: LOC }));

const property: fc.Arbitrary<Property> = fc
  .record({ key: word(), value })
  .map((fields) => ({ ...fields, loc: LOC }));
const properties = fc.array(property, { maxLength: 3 });

const settingWith = (name: fc.Arbitrary<WordValue>): fc.Arbitrary<SettingStatement> =>
  fc
    .record({ base, name, args: values(0, 3), props: fc.option(properties, { nil: null }) })
    .map(({ base: common, ...fields }) => ({ kind: 'setting', ...common, ...fields, loc: LOC }));

const condition: fc.Arbitrary<Condition> = fc
  .record({ variant: word(), value: word() })
  .map((fields) => ({ ...fields, loc: LOC }));
const conditions = fc.array(condition, { maxLength: 2 });

const outcome: fc.Arbitrary<Outcome> = fc
  .record({
    negated: fc.boolean(),
    name: word(wordText.filter((text) => text !== 'no')),
    args: values(0, 2),
  })
  .map((fields) => ({ ...fields, loc: LOC }));

const expectation: fc.Arbitrary<Expectation> = fc
  .record({ outcomes: fc.array(outcome, { minLength: 1, maxLength: 3 }), when: conditions })
  .map((fields) => ({ ...fields, loc: LOC }));

const step: fc.Arbitrary<StepStatement> = fc
  .record({
    base,
    actor: actorWord,
    context: fc.option(word(), { nil: null }),
    action: word(),
    args: fc.array(fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: symbol }), { maxLength: 4 }),
    expectations: fc.array(expectation, { maxLength: 3 }),
  })
  .map(({ base: common, ...fields }) => ({ kind: 'step', ...common, ...fields, loc: LOC }));

function repeatOfDepth(depth: number): fc.Arbitrary<RepeatStatement> {
  const item: fc.Arbitrary<StepStatement | RepeatStatement | CommentStatement> =
    depth === 0 ? fc.oneof(step, comment) : fc.oneof(step, comment, repeatOfDepth(depth - 1));
  return fc
    .record({ base, count: number, body: fc.array(item, { maxLength: 3 }) })
    .map(({ base: common, ...fields }) => ({ kind: 'repeat', ...common, ...fields, loc: LOC }));
}

const simpleStatement: fc.Arbitrary<Statement> = fc.oneof(
  fc.record({ base, title: string }).map(({ base: common, title }) => ({ kind: 'scenario' as const, ...common, title, loc: LOC })),
  fc.record({ base, text: string }).map(({ base: common, text }) => ({ kind: 'about' as const, ...common, text, loc: LOC })),
  fc
    .record({ base, concepts: fc.array(number, { minLength: 1, maxLength: 3 }) })
    .map(({ base: common, concepts }) => ({ kind: 'teaches' as const, ...common, concepts, loc: LOC })),
  fc.record({ base, seed: number }).map(({ base: common, seed }) => ({ kind: 'seed' as const, ...common, seed, loc: LOC })),
  fc.record({ base, path: string }).map(({ base: common, path }) => ({ kind: 'import' as const, ...common, path, loc: LOC })),
  fc
    .record({ base, name: word(), values: fc.array(word(), { minLength: 1, maxLength: 3 }) })
    .map(({ base: common, ...fields }) => ({ kind: 'variant' as const, ...common, ...fields, loc: LOC })),
  fc
    .record({ base, names: fc.array(word(), { minLength: 1, maxLength: 3 }) })
    .map(({ base: common, names }) => ({ kind: 'invariant' as const, ...common, names, loc: LOC })),
  fc
    .record({ base, label: string, words: values(1, 4) })
    .map(({ base: common, ...fields }) => ({ kind: 'customInvariant' as const, ...common, ...fields, loc: LOC })),
  fc
    .record({ base, name: word(), props: properties })
    .map(({ base: common, ...fields }) => ({ kind: 'process' as const, ...common, ...fields, loc: LOC })),
  fc
    .record({ base, words: values(1, 4), when: conditions })
    .map(({ base: common, ...fields }) => ({ kind: 'assert' as const, ...common, ...fields, loc: LOC })),
);

const block: fc.Arbitrary<Statement> = fc
  .record({
    base,
    name: word(fc.constantFrom('machine', 'kernel', 'raw', 'fs')),
    body: fc.array(fc.oneof(settingWith(word()), comment), { maxLength: 4 }),
  })
  .map(({ base: common, ...fields }) => ({ kind: 'block' as const, ...common, ...fields, loc: LOC }));

export const statement: fc.Arbitrary<Statement> = fc.oneof(
  simpleStatement,
  settingWith(topSettingWord),
  block,
  step,
  repeatOfDepth(2),
  comment,
);

/** A random document, made canonical. */
export const document: fc.Arbitrary<Document> = fc
  .array(statement, { maxLength: 12 })
  .map((statements) => canonicalDocument(statements));

/**
 * The document the parser would build from these statements: no body starts with
 * `blankBefore`, and the comments after the last other statement are trailing comments.
 */
export function canonicalDocument(items: readonly Statement[]): Document {
  const body = canonicalBody(items);
  let cut = body.length;
  while (cut > 0 && body[cut - 1]?.kind === 'comment') cut -= 1;
  return {
    kind: 'document',
    source: GENERATED_SOURCE,
    statements: body.slice(0, cut),
    trailingComments: body.slice(cut) as CommentStatement[],
  };
}

function canonicalBody<T extends Statement>(items: readonly T[]): T[] {
  return items.map((item, index) => {
    const nested =
      item.kind === 'block' || item.kind === 'repeat' ? { body: canonicalBody(item.body as readonly Statement[]) } : {};
    return { ...item, ...nested, blankBefore: index > 0 && item.blankBefore };
  });
}
