// Proves that formatScenario prints the canonical layout: blank lines, indentation, one-line properties, spacing of symbols, expectation wrapping at 100 columns, comments, escaped strings and a single final newline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../dsl/ast.js';
import { formatScenario, quoteString, valueText } from '../../dsl/format.js';
import { parseScenario } from '../../dsl/parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const fmt = (text: string) => formatScenario(parseScenario(text, 'f.isl'));

describe('formatScenario', () => {
  it('formats a messy file to its canonical text', () => {
    expect(fmt(fixture('messy.isl'))).toBe(fixture('messy.formatted.isl'));
  });

  it('leaves canonical files unchanged', () => {
    for (const name of ['kpti.isl', 'comments-only.isl', 'messy.formatted.isl']) {
      expect(fmt(fixture(name))).toBe(fixture(name));
    }
  });

  it('keeps exactly one blank line where there were several, and none at the start', () => {
    expect(fmt('\n\n\nseed 1\n\n\n\nseed 2\n\n')).toBe('seed 1\n\nseed 2\n');
  });

  it('prints an empty document as nothing at all', () => {
    expect(fmt('\n\n')).toBe('');
  });

  it('spaces "=" and puts a space only after ","', () => {
    expect(fmt('a:write 0x10=1 , 2,3')).toBe('a: write 0x10 = 1, 2, 3\n');
  });

  it('prints properties on one line, and empty ones as { }', () => {
    expect(fmt('cpu x {\n  a: 1,\n  b: 2,\n}\nregion r {}\nprocess p')).toBe('cpu x { a: 1, b: 2 }\nregion r { }\nprocess p { }\n');
  });

  it('keeps one expectation inline up to 100 columns and wraps beyond', () => {
    const head = 'attacker: read ';
    const tail = ' expect ok';
    const fits = head + 'x'.repeat(100 - head.length - tail.length) + tail;
    expect(fits).toHaveLength(100);
    expect(fmt(fits)).toBe(fits + '\n');
    const tooLong = head + 'x'.repeat(101 - head.length - tail.length) + tail;
    expect(fmt(tooLong)).toBe(tooLong.slice(0, -tail.length) + '\n  expect ok\n');
  });

  it('counts indentation but not the trailing comment in the 100 columns', () => {
    const step = 'a: r ' + 'x'.repeat(84) + ' expect ok'; // 99 columns
    expect(fmt(`${step}  # ${'c'.repeat(40)}`)).toBe(`${step}  # ${'c'.repeat(40)}\n`);
    expect(fmt(`repeat 1 {\n${step}\n}`)).toBe(`repeat 1 {\n  ${step.slice(0, -10)}\n    expect ok\n}\n`);
  });

  it('puts several expectations on continuation lines, the comment on the step line', () => {
    expect(fmt('a: r expect ok  # why\nexpect value 1 when x=y')).toBe('a: r  # why\n  expect ok\n  expect value 1 when x=y\n');
  });

  it('prints comments with one space after "#", and a bare "#" for empty text', () => {
    expect(fmt('#x\n#\n   #   y\nseed 1 #\n')).toBe('# x\n#\n#   y\nseed 1  #\n');
  });

  it('indents nested bodies by two spaces per level', () => {
    expect(fmt('repeat 1 {\nrepeat 2 {\n# c\na: r\n}\n}')).toBe('repeat 1 {\n  repeat 2 {\n    # c\n    a: r\n  }\n}\n');
  });
});

describe('valueText and quoteString', () => {
  const at = { source: 's', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
  const n = (text: string, unit: string | null = null): Value => ({ kind: 'number', value: 0n, text, unit, loc: at });
  const w = (value: string): Value => ({ kind: 'word', value, loc: at });

  it('prints every value kind', () => {
    expect(valueText(n('64', 'MiB'))).toBe('64 MiB');
    expect(valueText({ kind: 'variable', name: 'flush', loc: at })).toBe('$flush');
    expect(valueText({ kind: 'fault', name: 'PF', args: null, loc: at })).toBe('#PF');
    expect(valueText({ kind: 'fault', name: 'GP', args: [], loc: at })).toBe('#GP()');
    expect(valueText({ kind: 'fault', name: 'PF', args: [w('present'), w('user')], loc: at })).toBe('#PF(present, user)');
    expect(valueText({ kind: 'call', name: 'openat', args: [{ kind: 'union', parts: [w('A'), n('1')], loc: at }], loc: at })).toBe('openat(A|1)');
    expect(valueText({ kind: 'far', selector: { kind: 'number', value: 8n, text: '0x08', unit: null, loc: at }, offset: { kind: 'number', value: 1n, text: '1', unit: null, loc: at }, loc: at })).toBe('0x08:1');
    expect(valueText({ kind: 'symbol', value: '=', loc: at })).toBe('=');
  });

  it('escapes quotes, backslashes, controls, line separators and lone surrogates', () => {
    expect(quoteString('say "hi" \\ /')).toBe(String.raw`"say \"hi\" \\ /"`);
    expect(quoteString('\b\f\n\r\t')).toBe(String.raw`"\b\f\n\r\t"`);
    expect(quoteString('\x00\x1b\x7f\x85')).toBe(String.raw`"\x00\x1b\x7f\x85"`);
    expect(quoteString('\u2028\u2029')).toBe(String.raw`"\u2028\u2029"`);
    expect(quoteString('\ud800x\udfff')).toBe(String.raw`"\u{d800}x\u{dfff}"`);
    expect(quoteString('é 😀 \u00a0')).toBe('"é 😀 \u00a0"');
  });
});
