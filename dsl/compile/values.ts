/**
 * Reading AST values with meaning: numbers, sizes, words from a fixed set, on/off,
 * variables bound to the run's variant. Every failure is a located ScenarioError that
 * names the offending text, says what was expected and suggests the nearest word.
 */
import { ScenarioError, type SourceLocation } from '../../engine/core/errors.js';
import type { Span, Value, WordValue } from '../ast.js';
import { nearest } from '../suggest.js';

export function locationOf(span: Span): SourceLocation {
  const sameLine = span.start.line === span.end.line;
  return {
    file: span.source,
    line: span.start.line,
    column: span.start.column,
    length: Math.max(1, sameLine ? span.end.offset - span.start.offset : 1),
  };
}

export function fail(code: string, message: string, span: Span, notes: readonly string[] = []): never {
  throw new ScenarioError(code, message, locationOf(span), notes);
}

/** How a value is shown in messages. */
export function describe(value: Value): string {
  switch (value.kind) {
    case 'number':
      return value.text + (value.unit === null ? '' : ' ' + value.unit);
    case 'string':
      return JSON.stringify(value.value);
    case 'word':
      return value.value;
    case 'variable':
      return '$' + value.name;
    case 'fault':
      return (value.name.startsWith('#') ? '' : '#') + value.name + (value.args === null ? '' : '(' + value.args.map(describe).join(', ') + ')');
    case 'call':
      return value.name + '(' + value.args.map(describe).join(', ') + ')';
    case 'union':
      return value.parts.map(describe).join('|');
    case 'far':
      return value.selector.text + ':' + value.offset.text;
    case 'symbol':
      return value.value;
  }
}

/** Variables resolve to the run's variant values (as words, located at the variable). */
export type Bindings = Readonly<Record<string, string>>;

export function resolve(value: Value, bindings: Bindings): Value {
  if (value.kind !== 'variable') return value;
  const bound = bindings[value.name];
  if (bound === undefined) {
    const suggestion = nearest(value.name, Object.keys(bindings));
    fail('E_UNKNOWN_VARIANT', `$${value.name} is not a variant of this scenario`, value.loc, suggestionNotes(suggestion, '$'));
  }
  return { kind: 'word', value: bound, loc: value.loc };
}

export function suggestionNotes(suggestion: string | null, prefix = ''): string[] {
  return suggestion === null ? [] : [`did you mean "${prefix}${suggestion}"?`];
}

export function expectWord(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): WordValue {
  if (value === undefined) fail('E_MISSING', `expected ${what} here`, anchor);
  const resolved = resolve(value, bindings);
  if (resolved.kind !== 'word') fail('E_TYPE', `expected ${what}, found ${describe(resolved)}`, value.loc);
  return resolved;
}

/** A word from a fixed set, with a suggestion for a misspelling. */
export function expectChoice<T extends string>(value: Value | undefined, choices: readonly T[], what: string, anchor: Span, bindings: Bindings): T {
  const word = expectWord(value, what, anchor, bindings);
  if ((choices as readonly string[]).includes(word.value)) return word.value as T;
  const suggestion = nearest(word.value, choices);
  return fail('E_UNKNOWN_WORD', `expected ${what} (${choices.join(', ')}), found "${word.value}"`, word.loc, suggestionNotes(suggestion));
}

export function expectOnOff(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): boolean {
  const word = expectWord(value, `${what} (on or off)`, anchor, bindings);
  if (word.value === 'on' || word.value === 'yes' || word.value === 'true') return true;
  if (word.value === 'off' || word.value === 'no' || word.value === 'false') return false;
  const suggestion = nearest(word.value, ['on', 'off']);
  return fail('E_UNKNOWN_WORD', `expected on or off for ${what}, found "${word.value}"`, word.loc, suggestionNotes(suggestion));
}

const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  bytes: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** An exact integer (no unit), e.g. an address or a value. */
export function expectInteger(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): bigint {
  if (value === undefined) fail('E_MISSING', `expected ${what} here`, anchor);
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'word' && /^-?(0x[0-9a-f_]+|0b[01_]+|[0-9_]+)$/i.test(resolved.value)) {
    return BigInt(resolved.value.replace(/_/g, ''));
  }
  if (resolved.kind !== 'number') fail('E_TYPE', `expected ${what} (a number), found ${describe(resolved)}`, value.loc);
  if (resolved.unit !== null) fail('E_TYPE', `expected ${what} without a unit, found ${describe(resolved)}`, value.loc);
  return resolved.value;
}

export function expectSmallInteger(value: Value | undefined, what: string, anchor: Span, bindings: Bindings, min: number, max: number): number {
  const big = expectInteger(value, what, anchor, bindings);
  if (big < BigInt(min) || big > BigInt(max)) {
    fail('E_RANGE', `${what} must be between ${min} and ${max}, found ${big}`, (value ?? { loc: anchor }).loc);
  }
  return Number(big);
}

/** A size with a byte unit (4 KiB) or a plain count of bytes. */
export function expectSize(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): number {
  if (value === undefined) fail('E_MISSING', `expected ${what} (a size such as 4 KiB)`, anchor);
  const resolved = resolve(value, bindings);
  if (resolved.kind !== 'number') fail('E_TYPE', `expected ${what} (a size such as 4 KiB), found ${describe(resolved)}`, value.loc);
  const unit = resolved.unit ?? 'B';
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) {
    fail('E_UNIT', `expected a size unit (B, KiB, MiB, GiB) for ${what}, found "${unit}"`, value.loc, suggestionNotes(nearest(unit, Object.keys(UNIT_BYTES))));
  }
  const bytes = resolved.value * BigInt(factor);
  if (bytes <= 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) fail('E_RANGE', `${what} must be positive and below 2^53 bytes`, value.loc);
  return Number(bytes);
}

/** A count with an optional expected unit (64 entries, 1000 ticks). */
export function expectCount(value: Value | undefined, unit: string, what: string, anchor: Span, bindings: Bindings): number {
  if (value === undefined) fail('E_MISSING', `expected ${what}`, anchor);
  const resolved = resolve(value, bindings);
  if (resolved.kind !== 'number' || (resolved.unit !== null && resolved.unit !== unit)) {
    fail('E_TYPE', `expected ${what} (such as 64 ${unit}), found ${describe(resolved)}`, value.loc);
  }
  if (resolved.value < 0n || resolved.value > 1_000_000_000n) fail('E_RANGE', `${what} is out of range`, value.loc);
  return Number(resolved.value);
}

export function expectString(value: Value | undefined, what: string, anchor: Span, bindings: Bindings): string {
  if (value === undefined) fail('E_MISSING', `expected ${what} (a "string")`, anchor);
  const resolved = resolve(value, bindings);
  if (resolved.kind !== 'string') fail('E_TYPE', `expected ${what} (a "string"), found ${describe(resolved)}`, value.loc);
  return resolved.value;
}

export function spanOf(values: readonly Value[], fallback: Span): Span {
  if (values.length === 0) return fallback;
  return { source: values[0]!.loc.source, start: values[0]!.loc.start, end: values[values.length - 1]!.loc.end };
}

/** A byte count as people read it: "1 MiB (0x100000 bytes)", "4096 bytes". */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit} (0x${bytes.toString(16)} bytes)`;
  }
  return `${bytes} bytes`;
}
