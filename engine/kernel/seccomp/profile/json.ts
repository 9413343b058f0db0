/**
 * A strict JSON reader (RFC 8259) that keeps where every value came from, so a profile's
 * errors can point at the offending text, and keeps numbers as written, so 64-bit
 * argument values (uint64 in the OCI schema) stay exact. Deliberately left out: comments,
 * trailing commas and every other JSON5/JSONC extension (Docker's encoding/json rejects
 * them too).
 */
import { ScenarioError, type SourceLocation } from '../../../core/errors.js';

/** Where a value is: offsets into the text, half-open. */
export interface JsonSpan {
  readonly offset: number;
  readonly length: number;
}

export interface JsonMember {
  readonly key: string;
  readonly keySpan: JsonSpan;
  readonly value: JsonValue;
}

export type JsonValue =
  | { readonly kind: 'object'; readonly members: readonly JsonMember[]; readonly span: JsonSpan }
  | { readonly kind: 'array'; readonly items: readonly JsonValue[]; readonly span: JsonSpan }
  | { readonly kind: 'string'; readonly value: string; readonly span: JsonSpan }
  | { readonly kind: 'number'; readonly text: string; readonly span: JsonSpan }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly span: JsonSpan }
  | { readonly kind: 'null'; readonly span: JsonSpan };

/** A JSON text and its file name, with offset → line:column conversion. */
export class JsonSource {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let index = 0; index < text.length; index += 1) if (text.charCodeAt(index) === 10) this.lineStarts.push(index + 1);
  }

  locate(span: JsonSpan): SourceLocation {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= span.offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low];
    const lineEnd = low + 1 < this.lineStarts.length ? this.lineStarts[low + 1] - 1 : this.text.length;
    const length = Math.max(1, Math.min(span.length, lineEnd - span.offset));
    return { file: this.file, line: low + 1, column: span.offset - lineStart + 1, length };
  }

  /** The text of a span, shortened for messages. */
  excerpt(span: JsonSpan): string {
    const text = this.text.slice(span.offset, span.offset + span.length);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  fail(span: JsonSpan, message: string, notes: readonly string[] = []): never {
    throw new ScenarioError('E_PROFILE', message, this.locate(span), notes);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses a whole JSON text; a syntax error is an E_PROFILE ScenarioError at the offending character. */
export function parseJson(source: JsonSource): JsonValue {
  const reader = new JsonReader(source);
  reader.skipWhitespace();
  const value = reader.value();
  reader.skipWhitespace();
  if (!reader.atEnd()) reader.unexpected('the end of the document');
  return value;
}

class JsonReader {
  private position = 0;

  constructor(private readonly source: JsonSource) {}

  private get text(): string {
    return this.source.text;
  }

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipWhitespace(): void {
    while (!this.atEnd() && WHITESPACE.has(this.text[this.position])) this.position += 1;
  }

  unexpected(expected: string): never {
    if (this.atEnd()) this.source.fail({ offset: Math.max(0, this.text.length - 1), length: 1 }, `expected ${expected}, found the end of the file`);
    const found = this.text.slice(this.position).match(/^[A-Za-z0-9_.+-]+|^[\s\S]/)?.[0] ?? '';
    this.source.fail({ offset: this.position, length: found.length }, `expected ${expected}, found ${JSON.stringify(found)}`);
  }

  value(): JsonValue {
    const start = this.position;
    const char = this.text[this.position];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return { kind: 'string', value: this.string(), span: this.spanFrom(start) };
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        const span = this.spanFrom(start);
        return value === null ? { kind: 'null', span } : { kind: 'boolean', value, span };
      }
    }
    NUMBER.lastIndex = this.position;
    const number = NUMBER.exec(this.text);
    if (number !== null) {
      this.position += number[0].length;
      return { kind: 'number', text: number[0], span: this.spanFrom(start) };
    }
    return this.unexpected('a JSON value (object, array, string, number, true, false or null)');
  }

  private spanFrom(start: number): JsonSpan {
    return { offset: start, length: this.position - start };
  }

  private object(): JsonValue {
    const start = this.position;
    this.position += 1;
    const members: JsonMember[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return { kind: 'object', members, span: this.spanFrom(start) };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.unexpected('a member name in double quotes');
      const keyStart = this.position;
      const key = this.string();
      const keySpan = this.spanFrom(keyStart);
      const duplicate = members.find((member) => member.key === key);
      if (duplicate !== undefined) this.source.fail(keySpan, `the member "${key}" appears twice in this object`);
      this.skipWhitespace();
      if (this.text[this.position] !== ':') this.unexpected(`":" after the member name "${key}"`);
      this.position += 1;
      this.skipWhitespace();
      members.push({ key, keySpan, value: this.value() });
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      if (this.text[this.position] === '}') {
        this.position += 1;
        return { kind: 'object', members, span: this.spanFrom(start) };
      }
      this.unexpected('"," or "}" in an object');
    }
  }

  private array(): JsonValue {
    const start = this.position;
    this.position += 1;
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return { kind: 'array', items, span: this.spanFrom(start) };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value());
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      if (this.text[this.position] === ']') {
        this.position += 1;
        return { kind: 'array', items, span: this.spanFrom(start) };
      }
      this.unexpected('"," or "]" in an array');
    }
  }

  private string(): string {
    const start = this.position;
    this.position += 1;
    let out = '';
    for (;;) {
      if (this.atEnd()) this.source.fail({ offset: start, length: 1 }, 'this string is never closed: expected a closing double quote');
      const char = this.text[this.position];
      if (char === '"') {
        this.position += 1;
        return out;
      }
      if (char === '\n' || char.charCodeAt(0) < 0x20) this.source.fail({ offset: this.position, length: 1 }, 'a control character or line break inside a string must be escaped');
      if (char !== '\\') {
        out += char;
        this.position += 1;
        continue;
      }
      const escape = this.text[this.position + 1] ?? '';
      if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.position + 2, this.position + 6), 16));
        this.position += 6;
      } else if (escape in ESCAPES) {
        out += ESCAPES[escape];
        this.position += 2;
      } else {
        this.source.fail({ offset: this.position, length: 2 }, `"\\${escape}" is not a JSON escape: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`);
      }
    }
  }
}
