/**
 * The JSON form of a classic BPF program: an array of struct sock_filter objects
 * `{"code": 32, "jt": 0, "jf": 0, "k": 4}` (the form `isolab seccomp compile` writes).
 * Reading it gives located errors: a JSON syntax error at its position, a bad element at
 * the element, a bad field at the field's key.
 */
import { ScenarioError, type SourceLocation } from '../../../core/errors.js';
import { nearest } from '../../../../dsl/suggest.js';
import type { BpfInstruction, BpfProgram } from './types.js';

const FIELDS = [
  { name: 'code', bits: 16 },
  { name: 'jt', bits: 8 },
  { name: 'jf', bits: 8 },
  { name: 'k', bits: 32 },
] as const;

/** One instruction per line, fields in struct order: stable, diff-friendly output. */
export function formatProgramJson(program: BpfProgram): string {
  const lines = program.map(({ code, jt, jf, k }) => `  {"code": ${code}, "jt": ${jt}, "jf": ${jf}, "k": ${k >>> 0}}`);
  return `[\n${lines.join(',\n')}\n]\n`;
}

export function parseProgramJson(text: string, file: string): BpfProgram {
  const locate = (offset: number, length = 1): SourceLocation => locationAt(text, file, offset, length);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ScenarioError('E_SYNTAX', `${file} is not valid JSON: ${message}`, locate(syntaxErrorOffset(message, text)));
  }
  if (!Array.isArray(value)) {
    throw new ScenarioError('E_TYPE', 'a BPF program in JSON is an array of {"code", "jt", "jf", "k"} objects', locate(firstNonSpace(text)));
  }
  const offsets = topLevelElementOffsets(text);
  return value.map((element: unknown, index) => instructionFrom(element, index, text, offsets[index] ?? 0, locate));
}

function instructionFrom(element: unknown, index: number, text: string, offset: number, locate: (offset: number, length?: number) => SourceLocation): BpfInstruction {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    throw new ScenarioError('E_TYPE', `instruction ${index} is not an object with "code", "jt", "jf" and "k"`, locate(offset));
  }
  const record = element as Record<string, unknown>;
  const known: readonly string[] = FIELDS.map((field) => field.name);
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const suggestion = nearest(key, known);
    throw new ScenarioError('E_UNKNOWN_PROPERTY', `instruction ${index} has an unknown field "${key}"`, locate(keyOffset(text, offset, key), key.length + 2), suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
  }
  const read = (name: string, bits: number): number => {
    const field = record[name];
    if (field === undefined) throw new ScenarioError('E_MISSING', `instruction ${index} has no "${name}" field`, locate(offset));
    const ok = typeof field === 'number' && Number.isInteger(field) && field >= 0 && field < 2 ** bits;
    if (!ok) {
      throw new ScenarioError(typeof field === 'number' ? 'E_RANGE' : 'E_TYPE', `instruction ${index}: "${name}" must be an integer from 0 to ${2 ** bits - 1}, not ${JSON.stringify(field)}`, locate(keyOffset(text, offset, name), name.length + 2));
    }
    return field;
  };
  return { code: read('code', 16), jt: read('jt', 8), jf: read('jf', 8), k: read('k', 32) };
}

/** Node reports "at position N" (or "line L column C" in newer versions). */
function syntaxErrorOffset(message: string, text: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position !== null) return Number(position[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) {
    const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((match) => (match.index ?? 0) + 1)];
    return (lineStarts[Number(lineColumn[1]) - 1] ?? 0) + Number(lineColumn[2]) - 1;
  }
  return text.length;
}

function firstNonSpace(text: string): number {
  const match = /\S/.exec(text);
  return match === null ? 0 : match.index;
}

/** Where each element of the top-level array starts (the text is valid JSON). */
function topLevelElementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (/\s/.test(character)) continue;
    if (depth === 1 && expectElement && character !== ']') {
      offsets.push(index);
      expectElement = false;
    }
    if (character === '"') inString = true;
    else if (character === '[' || character === '{') {
      depth += 1;
      if (depth === 1) expectElement = true;
    } else if (character === ']' || character === '}') depth -= 1;
    else if (character === ',' && depth === 1) expectElement = true;
  }
  return offsets;
}

/** The offset of `"key"` inside the element starting at `start`, or the element itself. */
function keyOffset(text: string, start: number, key: string): number {
  const found = text.indexOf(JSON.stringify(key), start);
  return found === -1 ? start : found;
}

function locationAt(text: string, file: string, offset: number, length: number): SourceLocation {
  const before = text.slice(0, Math.min(offset, text.length));
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { file, line, column, length };
}
