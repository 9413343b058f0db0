// Proves that renderError prints the header, a numbered source line with tabs expanded, a caret underline clamped to the line, and notes, with colour only on request.
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../engine/core/errors.js';
import { renderError } from '../../dsl/render-error.js';

const source = [
  'scenario "x"',
  '',
  ...Array.from({ length: 9 }, (_, index) => `# filler ${index}`),
  'attacker: raed 0x400000',
  '\tattacker:\traed 0x1',
  'short',
].join('\n');

describe('renderError', () => {
  it('renders the example from the design', () => {
    const error = new ScenarioError(
      'E_SYNTAX',
      'expected an action after "attacker:", found "raed"',
      { file: 'scenarios/x.isl', line: 12, column: 11, length: 4 },
      ['did you mean "read"?'],
    );
    expect(renderError(error, source)).toBe(
      [
        'error[E_SYNTAX]: scenarios/x.isl:12:11: expected an action after "attacker:", found "raed"',
        '   12 | attacker: raed 0x400000',
        '      |           ^^^^',
        '   = note: did you mean "read"?',
      ].join('\n'),
    );
  });

  it('expands tabs to multiples of four columns under and before the caret', () => {
    const error = new ScenarioError('E_X', 'm', { file: 'f', line: 13, column: 12, length: 4 });
    expect(renderError(error, source)).toBe(
      ['error[E_X]: f:13:12: m', '   13 |     attacker:   raed 0x1', '      |                 ^^^^'].join('\n'),
    );
  });

  it('underlines a tab as the width it occupies', () => {
    const error = new ScenarioError('E_X', 'm', { file: 'f', line: 13, column: 11, length: 1 });
    expect(renderError(error, source).split('\n')[2]).toBe('      |              ^^^');
  });

  it('clamps the underline to the end of the line, leaving at least one caret', () => {
    const long = new ScenarioError('E_X', 'm', { file: 'f', line: 14, column: 3, length: 40 });
    expect(renderError(long, source).split('\n').slice(1)).toEqual(['   14 | short', '      |   ^^^']);
    const pastEnd = new ScenarioError('E_X', 'm', { file: 'f', line: 14, column: 6, length: 1 });
    expect(renderError(pastEnd, source).split('\n')[2]).toBe('      |      ^');
  });

  it('shows an empty line for a location past the last line', () => {
    const error = new ScenarioError('E_X', 'm', { file: 'f', line: 15, column: 1, length: 1 });
    expect(renderError(error, source).split('\n').slice(1)).toEqual(['   15 | ', '      | ^']);
  });

  it('strips the carriage return of a CRLF line', () => {
    const error = new ScenarioError('E_X', 'm', { file: 'f', line: 1, column: 1, length: 4 });
    expect(renderError(error, 'seed x\r\n')).toBe(['error[E_X]: f:1:1: m', '   1 | seed x', '     | ^^^^'].join('\n'));
  });

  it('prints only the first line and the notes without a location', () => {
    const error = new ScenarioError('E_IMPORT', 'cannot read "common/x86.isl"', null, ['it was imported twice']);
    expect(renderError(error, source)).toBe(
      ['error[E_IMPORT]: cannot read "common/x86.isl"', '   = note: it was imported twice'].join('\n'),
    );
  });

  it('prints the location but no excerpt without the source text', () => {
    const error = new ScenarioError('E_X', 'm', { file: 'f', line: 2, column: 3, length: 1 }, ['n']);
    expect(renderError(error, null)).toBe(['error[E_X]: f:2:3: m', '   = note: n'].join('\n'));
  });

  it('paints "error" red only when asked', () => {
    const error = new ScenarioError('E_X', 'm');
    expect(renderError(error, null, { color: true })).toBe('\u001b[31merror\u001b[0m[E_X]: m');
    expect(renderError(error, null, { color: false })).toBe('error[E_X]: m');
  });
});
