/**
 * Parses scenario text into the AST of ast.ts, turning every failure into a located
 * ScenarioError (code E_SYNTAX) written for the person who wrote the scenario.
 *
 * Peggy reports the farthest position it reached and the set of things it expected
 * there, named by the rule descriptions in grammar.peggy. `describeSyntaxError` turns
 * that into a sentence from a small catalogue: it collapses families of expectations
 * into one phrase ("a statement", "a step", "a setting", "a value"), names the text
 * just before the failure ("after "attacker:""), quotes the offending token and adds
 * notes for the mistakes people actually make (misspelled keywords, a missing colon
 * after an actor, comments where the AST has no room for them, a lost "expect" line).
 * A few failures get their own sentence: unterminated strings, bad escapes, bad
 * numbers. The tests in test/dsl/errors.test.ts pin every message's exact text.
 *
 * Deliberately left out: error recovery (the first error stops the parse) and
 * semantic checks, which belong to the compiler.
 */

import { ScenarioError, type SourceLocation } from '../engine/core/errors.js';
import type { Document } from './ast.js';
import {
  parse as peggyParse,
  SyntaxError as PeggySyntaxError,
  type PeggyExpectation,
} from './generated/parser.js';
import { nearest } from './suggest.js';

export { valueText } from './format.js';

/** Keywords that open a statement at top level (secret and region open settings). */
export const STATEMENT_KEYWORDS: readonly string[] = [
  'scenario', 'about', 'teaches', 'seed', 'import', 'variant', 'invariant', 'machine',
  'kernel', 'raw', 'fs', 'process', 'repeat', 'assert', 'secret', 'region',
];

/** Words that can never be a value or a name: they start expectations and conditions. */
export const RESERVED_WORDS: readonly string[] = ['expect', 'when'];

/** Unit names recognised after a number (`64 MiB`, `1000 ticks`). */
export const UNITS: readonly string[] = [
  'B', 'bytes', 'KiB', 'MiB', 'GiB', 'KB', 'MB', 'GB', 'entries', 'ticks', 'bits', 'pages',
];

/**
 * Parses the text of `file`. Throws ScenarioError (code E_SYNTAX) on any failure and
 * nothing else: syntax errors, input nested too deeply for the stack, and unexpected
 * internal failures alike are reported with a location inside the text.
 */
export function parseScenario(text: string, file: string): Document {
  try {
    return peggyParse(text, { grammarSource: file }) as Document;
  } catch (error) {
    throw toScenarioError(error, text, file);
  }
}

function toScenarioError(error: unknown, text: string, file: string): ScenarioError {
  const start: SourceLocation = { file, line: 1, column: 1, length: 1 };
  if (error instanceof RangeError) {
    return new ScenarioError(
      'E_SYNTAX',
      'the file is nested too deeply to parse (too many blocks, repeats or parentheses inside one another)',
      start,
    );
  }
  if (error instanceof PeggySyntaxError) {
    try {
      return describeSyntaxError(error, text, file);
    } catch (describeFailure) {
      return toScenarioError(describeFailure, text, file);
    }
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ScenarioError('E_SYNTAX', `the parser failed unexpectedly: ${detail}`, start);
}

// ---------------------------------------------------------------- tokens

/** The text found where the parse failed, as the user would name it. */
interface Found {
  readonly kind: 'end-of-file' | 'end-of-line' | 'string' | 'text';
  /** Source text of the token; empty at the end of a line or the file. */
  readonly raw: string;
  /** For strings: whether the closing quote is on the same line. */
  readonly closed: boolean;
}

const TOKEN_PATTERN = /[#$]?[A-Za-z0-9_.-]+/y;

function foundAt(text: string, offset: number): Found {
  if (offset >= text.length) return { kind: 'end-of-file', raw: '', closed: false };
  const char = text[offset];
  if (char === '\n' || char === '\r') return { kind: 'end-of-line', raw: '', closed: false };
  if (char === '"') return stringAt(text, offset);
  TOKEN_PATTERN.lastIndex = offset;
  const match = TOKEN_PATTERN.exec(text);
  if (match !== null) return { kind: 'text', raw: match[0], closed: false };
  return { kind: 'text', raw: String.fromCodePoint(text.codePointAt(offset) ?? 0), closed: false };
}

function stringAt(text: string, offset: number): Found {
  let index = offset + 1;
  while (index < text.length && text[index] !== '\n' && text[index] !== '\r') {
    if (text[index] === '"') return { kind: 'string', raw: text.slice(offset, index + 1), closed: true };
    index += text[index] === '\\' ? 2 : 1;
  }
  const raw = text.slice(offset, Math.min(index, lineEnd(text, offset))).replace(/[ \t]+$/, '');
  return { kind: 'string', raw, closed: false };
}

function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : newline;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Quotes source text for a message, escaping only what would not print. */
function quote(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => '\\x' + char.charCodeAt(0).toString(16).padStart(2, '0'));
  return `"${printable}"`;
}

function describeFound(found: Found): string {
  switch (found.kind) {
    case 'end-of-file':
      return 'the end of the file';
    case 'end-of-line':
      return 'the end of the line';
    case 'string':
      return `the string ${found.raw}`;
    case 'text':
      return quote(found.raw);
  }
}

/** Tokens of the current line before `offset`, comments dropped; strings kept whole. */
function tokensBefore(text: string, offset: number): string[] {
  const prefix = text.slice(lineStart(text, offset), offset);
  const tokens: string[] = [];
  const pattern = /"(?:\\.|[^"\\])*"?|#[^A-Za-z0-9_$][^]*|#$|[^\s"]+/g;
  for (const match of prefix.matchAll(pattern)) {
    const token = match[0];
    const isComment = token.startsWith('#') && (tokens.length === 0 || !/^#[A-Za-z0-9_$]/.test(token));
    if (isComment) break;
    tokens.push(token);
  }
  return tokens;
}

function describeToken(token: string): string {
  if (token.startsWith('"')) {
    const body = token.slice(1).replace(/"$/, '');
    return `the string "${body.length > 40 ? body.slice(0, 37) + '…' : body}"`;
  }
  return quote(token.length > 40 ? token.slice(0, 37) + '…' : token);
}

// ---------------------------------------------------------------- braces

interface OpenBrace {
  readonly line: number;
  /** First word of the line holding the brace. */
  readonly lineWord: string | null;
  /** Whether only white space or a comment follows the brace on its line. */
  readonly endsLine: boolean;
}

/** The `{` still open at `offset`, innermost last, skipping strings and comments. */
function openBraces(text: string, offset: number): OpenBrace[] {
  const stack: OpenBrace[] = [];
  let line = 1;
  let index = 0;
  let atLineStart = true;
  while (index < offset) {
    const char = text[index];
    if (char === '\n') {
      line += 1;
      atLineStart = true;
      index += 1;
      continue;
    }
    if (char === '"') {
      index = skipString(text, index);
      atLineStart = false;
      continue;
    }
    if (char === '#' && (atLineStart || !/[A-Za-z0-9_$]/.test(text[index + 1] ?? ''))) {
      index = lineEnd(text, index);
      continue;
    }
    if (char === '{') stack.push(openBraceAt(text, index, line));
    if (char === '}') stack.pop();
    if (char !== ' ' && char !== '\t' && char !== '\r') atLineStart = false;
    index += 1;
  }
  return stack;
}

function skipString(text: string, offset: number): number {
  let index = offset + 1;
  while (index < text.length && text[index] !== '\n') {
    if (text[index] === '"') return index + 1;
    index += text[index] === '\\' ? 2 : 1;
  }
  return index;
}

function openBraceAt(text: string, offset: number, line: number): OpenBrace {
  const start = lineStart(text, offset);
  const lineWord = /^[ \t]*([A-Za-z0-9_.-]+)/.exec(text.slice(start, offset))?.[1] ?? null;
  const rest = text.slice(offset + 1, lineEnd(text, offset));
  return { line, lineWord, endsLine: /^[ \t]*(#.*)?$/.test(rest) };
}

// ---------------------------------------------------------------- the catalogue

/** Everything `describeSyntaxError` knows about one failure. */
interface Failure {
  readonly text: string;
  readonly offset: number;
  readonly found: Found;
  readonly literals: ReadonlySet<string>;
  readonly descriptions: ReadonlySet<string>;
  readonly previous: string | null;
  readonly braces: readonly OpenBrace[];
}

const VALUE_LEAVES = ['a number', 'a string', 'a word', 'a variable', 'a fault'];

/** Order of phrases in "expected A, B or C"; later phrases are less specific. */
const PHRASE_ORDER = [
  'a statement', 'a step', 'a setting', 'a value', 'an action', 'an outcome', 'a condition',
  'a variant name', 'a variant value', 'an invariant name', 'a process name', 'a property name',
  'a number', 'a string', 'a word', 'a variable', 'a fault',
  '":"', '"="', '","', '"|"', '"("', '")"', '"{"', '"in"', '"no"', '"when"', '"and"', '"expect"',
];

const PHRASE_TEXT: Readonly<Record<string, string>> = {
  'a condition': 'a condition such as "flush=on"',
  'a fault': 'a fault such as "#PF"',
};

const NUMBER_HELP =
  'numbers are written in decimal (4096), hexadecimal (0x1000) or binary (0b1010), with optional _ between digits';

/** Keywords inside a statement that a misspelling can turn into an argument. */
const SEPARATING_KEYWORDS = ['when', 'and', 'in', 'expect', 'no'];
/** Keywords whose braces hold statements rather than properties. */
const BLOCK_OPENERS = ['machine', 'kernel', 'raw', 'fs', 'repeat'];
/** Keywords a misspelled word before `{` most likely meant. */
const BLOCK_KEYWORDS = [...BLOCK_OPENERS, 'process'];

function describeSyntaxError(error: PeggySyntaxError, text: string, file: string): ScenarioError {
  const offset = Math.min(error.location.start.offset, text.length);
  const failure: Failure = {
    text,
    offset,
    found: foundAt(text, offset),
    literals: new Set((error.expected ?? []).filter((e) => e.type === 'literal').map((e) => e.text ?? '')),
    descriptions: new Set((error.expected ?? []).map(expectationDescription).filter((d) => d !== null)),
    previous: tokensBefore(text, offset).at(-1) ?? null,
    braces: openBraces(text, offset),
  };
  const located = (at: number, length: number): SourceLocation => ({ file, ...positionOf(text, at), length: Math.max(1, length) });
  const special = specialMessage(failure, located);
  if (special !== null) return special;
  return new ScenarioError(
    'E_SYNTAX',
    `${expectedText(failure)}, found ${describeFound(failure.found)}`,
    located(offset, failure.found.raw.length),
    notesFor(failure),
  );
}

function expectationDescription(expectation: PeggyExpectation): string | null {
  switch (expectation.type) {
    case 'literal':
      return JSON.stringify(expectation.text ?? '');
    case 'other':
      return expectation.description ?? null;
    case 'end':
      return 'the end of the line';
    default:
      return null;
  }
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    start = index + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Failures that deserve their own sentence rather than "expected …, found …". */
function specialMessage(
  failure: Failure,
  located: (at: number, length: number) => SourceLocation,
): ScenarioError | null {
  const { found, offset } = failure;
  if (found.kind === 'string' && !found.closed) {
    return new ScenarioError(
      'E_SYNTAX',
      `the string ${found.raw.length > 41 ? found.raw.slice(0, 38) + '…' : found.raw} has no closing quote before the end of the line`,
      located(offset, found.raw.length),
      ['a string cannot span lines; write a line break as \\n'],
    );
  }
  if (found.kind === 'string') {
    const escape = badEscape(found.raw);
    if (escape !== null) {
      return new ScenarioError(
        'E_SYNTAX',
        `unknown escape ${quote(escape.text)} in the string ${found.raw}`,
        located(offset + escape.index, escape.text.length),
        ['strings understand \\" \\\\ \\/ \\b \\f \\n \\r \\t \\xNN \\uNNNN and \\u{N…}'],
      );
    }
  }
  if (found.kind === 'text' && expectsValue(failure) && /^-?[0-9]/.test(found.raw) && !isWordOrNumber(found.raw)) {
    return new ScenarioError(
      'E_SYNTAX',
      `${quote(found.raw)} is not a valid number`,
      located(offset, found.raw.length),
      [NUMBER_HELP],
    );
  }
  if (found.kind === 'text' && isCommentStart(found.raw) && !failure.descriptions.has('a comment')) {
    const after = failure.previous === null ? '' : `, after ${describeToken(failure.previous)}`;
    return new ScenarioError(
      'E_SYNTAX',
      `a comment cannot go here${after}`,
      located(offset, lineEnd(failure.text, offset) - offset),
      ['a comment may end the first line of a statement or stand on a line of its own between statements'],
    );
  }
  return null;
}

function expectsValue(failure: Failure): boolean {
  return failure.descriptions.has('a value') || VALUE_LEAVES.some((leaf) => failure.descriptions.has(leaf));
}

function isWordOrNumber(raw: string): boolean {
  const number = /^-?(0x[0-9a-f](_?[0-9a-f])*|0b[01](_?[01])*|[0-9](_?[0-9])*)$/i;
  const word = /^([A-Za-z_][A-Za-z0-9_.-]*|(?!0[xb])[0-9][0-9.-]*[A-Za-z_][A-Za-z0-9_.-]*)$/i;
  return number.test(raw) || word.test(raw);
}

function isCommentStart(raw: string): boolean {
  return raw === '#' || (raw.startsWith('#') && !/^#[A-Za-z0-9_$]/.test(raw));
}

/** The first invalid escape in a closed string literal, with its index in `raw`. */
function badEscape(raw: string): { index: number; text: string } | null {
  const valid = /^\\(["\\/bfnrt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]{1,6}\})/;
  for (let index = 1; index < raw.length - 1; index += 1) {
    if (raw[index] !== '\\') continue;
    const match = valid.exec(raw.slice(index));
    if (match === null) return { index, text: escapeShown(raw.slice(index, raw.length - 1)) };
    const braced = /^\\u\{([0-9a-fA-F]+)\}/.exec(match[0]);
    if (braced !== null && parseInt(braced[1] ?? '0', 16) > 0x10ffff) return { index, text: match[0] };
    index += match[0].length - 1;
  }
  return null;
}

/** How much of a bad escape to show: \x and \u with what follows, others one letter. */
function escapeShown(rest: string): string {
  const introducer = rest[1] ?? '';
  if (introducer === 'x') return rest.slice(0, 4);
  if (introducer === 'u') return rest.startsWith('\\u{') ? (/^\\u\{[^}]*\}?/.exec(rest)?.[0] ?? rest) : rest.slice(0, 6);
  return rest.slice(0, 1 + Math.max(1, String.fromCodePoint(rest.codePointAt(1) ?? 0x3f).length));
}

/** "expected A, B or C after X" from Peggy's expectations at the failure. */
function expectedText(failure: Failure): string {
  const phrases = expectedPhrases(failure);
  const previous = failure.previous;
  if (phrases.length === 2 && phrases[0] === '":"' && phrases[1] === '"in"' && previous !== null) {
    return `expected ":" after the actor ${describeToken(previous)}`;
  }
  // "to close the block opened at line 3" already says where; "after" would only blur it.
  const closesOnly = phrases.length === 1 && phrases[0]?.startsWith('"}" to close') === true;
  const after = previous === null || closesOnly ? '' : ` after ${describeToken(previous)}`;
  return `expected ${joinWithOr(phrases)}${after}`;
}

function expectedPhrases(failure: Failure): string[] {
  const { descriptions, literals } = failure;
  const closing = literals.has('}') ? closingPhrase(failure) : null;
  if (failure.found.kind === 'end-of-file' && closing !== null) return [closing];
  if (STATEMENT_KEYWORDS.some((keyword) => literals.has(keyword))) return ['a statement'];
  const phrases = new Set<string>();
  const consumed = new Set<string>(['white space', 'a comment', 'the end of the line', '"}"']);
  if (descriptions.has('an actor')) {
    phrases.add('a step');
    for (const hidden of ['an actor', '"repeat"', '"expect"']) consumed.add(hidden);
  }
  if (descriptions.has('a setting name')) {
    phrases.add('a setting');
    consumed.add('a setting name');
  }
  const leaves = VALUE_LEAVES.filter((leaf) => descriptions.has(leaf));
  if (descriptions.has('a value') || leaves.length >= 2) {
    phrases.add('a value');
    for (const hidden of [...VALUE_LEAVES, 'a value']) consumed.add(hidden);
  }
  if (descriptions.has('an outcome')) consumed.add('"no"');
  for (const description of descriptions) {
    if (!consumed.has(description)) phrases.add(description);
  }
  const ordered = [...phrases].sort(byPhraseOrder).map((phrase) => PHRASE_TEXT[phrase] ?? phrase);
  if (closing !== null) ordered.push(closing);
  // At the start of a line in a body, "the end of the line" only means a blank line.
  const startsLine = ['a step', 'a setting'].some((phrase) => phrases.has(phrase));
  if (descriptions.has('the end of the line') && !startsLine) ordered.push('the end of the line');
  else if (ordered.length === 0 && descriptions.has('a comment')) ordered.push('a comment');
  return ordered;
}

function byPhraseOrder(a: string, b: string): number {
  const rank = (phrase: string): number => {
    const index = PHRASE_ORDER.indexOf(phrase);
    return index === -1 ? PHRASE_ORDER.length : index;
  };
  const difference = rank(a) - rank(b);
  if (difference !== 0) return difference;
  return a < b ? -1 : a > b ? 1 : 0;
}

function closingPhrase(failure: Failure): string {
  const open = failure.braces.at(-1);
  if (open === undefined) return '"}"';
  const here = positionOf(failure.text, failure.offset).line;
  if (open.line === here) return '"}"';
  const what = open.lineWord !== null && BLOCK_OPENERS.includes(open.lineWord) ? 'block' : 'property list';
  return `"}" to close the ${what} opened at line ${open.line}`;
}

function joinWithOr(phrases: readonly string[]): string {
  if (phrases.length <= 1) return phrases[0] ?? 'something else';
  return `${phrases.slice(0, -1).join(', ')} or ${phrases[phrases.length - 1]}`;
}

// ---------------------------------------------------------------- notes

function notesFor(failure: Failure): string[] {
  const notes = [
    misspellingNote(failure),
    actorKeywordNote(failure),
    braceOwnerNote(failure),
    reservedWordNote(failure),
    oneLineBlockNote(failure),
    hashNote(failure),
    strayBraceNote(failure),
  ];
  return notes.filter((note): note is string => note !== null);
}

/** `found "adn"` where "and" was expected, or `wehn x=y` where "when" was. */
function misspellingNote(failure: Failure): string | null {
  const keywords = [...failure.literals].filter((literal) => /^[a-z]+$/.test(literal));
  if (keywords.length === 0) return null;
  const candidates = failure.found.kind === 'text' ? [failure.found.raw] : [];
  const separators = keywords.filter((keyword) => SEPARATING_KEYWORDS.includes(keyword));
  const earlier = tokensBefore(failure.text, failure.offset).reverse();
  for (const [index, token] of [...candidates, ...earlier].entries()) {
    const pool = index < candidates.length ? keywords : separators;
    if (!/^[A-Za-z]+$/.test(token) || pool.includes(token)) continue;
    const suggestion = nearest(token, pool);
    if (suggestion !== null) return `did you mean ${quote(suggestion)}?`;
  }
  return null;
}

/** `repaet 3 {` in a repeat body reads as an actor missing its colon. */
function actorKeywordNote(failure: Failure): string | null {
  const { literals, previous } = failure;
  if (!literals.has(':') || !literals.has('in') || previous === null) return null;
  if ([...STATEMENT_KEYWORDS, 'expect'].includes(previous)) return null;
  const suggestion = nearest(previous, [...STATEMENT_KEYWORDS, 'expect']);
  return suggestion === null ? null : `did you mean ${quote(suggestion)}?`;
}

/** `machin {` opens a property list, so the error shows up lines later. */
function braceOwnerNote(failure: Failure): string | null {
  const open = failure.braces.at(-1);
  if (open === undefined || !open.endsLine || open.lineWord === null) return null;
  if (STATEMENT_KEYWORDS.includes(open.lineWord)) return null;
  const suggestion = nearest(open.lineWord, BLOCK_KEYWORDS);
  if (suggestion === null) return null;
  return `${quote(open.lineWord)} on line ${open.line} is not a keyword, so its braces hold properties; did you mean ${quote(suggestion)}?`;
}

/** `expect` or `when` where they cannot go: the reserved words' usual mix-ups. */
function reservedWordNote(failure: Failure): string | null {
  const { found, literals, descriptions } = failure;
  if (found.kind !== 'text' || !RESERVED_WORDS.includes(found.raw) || literals.has(found.raw)) return null;
  if (found.raw === 'expect') {
    if (descriptions.has('an actor')) {
      return 'an "expect" line continues the step just above it, with no blank line or comment between them';
    }
    if (literals.has('{') && expectsValue(failure)) {
      return 'expectations follow a step, which needs ":" after its actor, as in "attacker: read 0x1000 expect ok"';
    }
    if (literals.has('when')) return 'a second expectation goes on a line of its own, starting with "expect"';
  }
  if (found.raw === 'when' && literals.has('expect')) {
    return 'a condition belongs to an expectation, as in "expect ok when flush=on"';
  }
  return `${quote(found.raw)} is a reserved word: it cannot name anything or be a value`;
}

function oneLineBlockNote(failure: Failure): string | null {
  if (failure.previous !== '{' || !failure.literals.has('}') || failure.found.kind !== 'text') return null;
  const opener = tokensBefore(failure.text, failure.offset)[0] ?? '';
  if (!BLOCK_OPENERS.includes(opener)) return null;
  return 'a block holds one setting per line, starting on the line after "{"';
}

function hashNote(failure: Failure): string | null {
  const raw = failure.found.raw;
  if (failure.found.kind !== 'text' || !/^#[A-Za-z0-9_$]/.test(raw)) return null;
  return 'a comment at the end of a line needs a space after "#"; a fault is written in capitals, as in "#PF"';
}

function strayBraceNote(failure: Failure): string | null {
  if (failure.found.raw !== '}' || failure.braces.length > 0) return null;
  return 'there is no open "{" for this "}" to close';
}
