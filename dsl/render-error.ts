/**
 * Renders a ScenarioError for a terminal, in the style of rustc and Peggy:
 *
 *     error[E_SYNTAX]: scenarios/x.isl:12:11: expected an action after "attacker:", found "raed"
 *        12 | attacker: raed 0x400000
 *           |           ^^^^
 *        = note: did you mean "read"?
 *
 * The source line is shown with tabs expanded to the next multiple of TAB_WIDTH
 * columns, and the caret underline follows that expansion; the underline is `length`
 * characters long, clamped to the end of the line, and at least one caret. Without a
 * location (or without the source text) only the first line and the notes are shown.
 * Colour is the caller's decision (the CLI honours NO_COLOR); this module never reads
 * the environment.
 */

import type { ScenarioError } from '../engine/core/errors.js';

export interface RenderOptions {
  /** Paint "error" red with ANSI escapes. */
  readonly color?: boolean;
}

export const TAB_WIDTH = 4;
const GUTTER_PADDING = '   ';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

export function renderError(
  error: ScenarioError,
  sourceText: string | null,
  options: RenderOptions = {},
): string {
  const label = options.color === true ? `${RED}error${RESET}` : 'error';
  const location = error.location;
  const where = location === null ? '' : `${location.file}:${location.line}:${location.column}: `;
  const lines = [`${label}[${error.code}]: ${where}${error.message}`];
  if (location !== null && sourceText !== null) {
    lines.push(...excerpt(sourceText, location.line, location.column, location.length));
  }
  for (const note of error.notes) lines.push(`${GUTTER_PADDING}= note: ${note}`);
  return lines.join('\n');
}

/** The numbered source line and its caret underline. */
function excerpt(sourceText: string, lineNumber: number, column: number, length: number): string[] {
  const sourceLine = (sourceText.split('\n')[lineNumber - 1] ?? '').replace(/\r$/, '');
  const number = String(lineNumber);
  const blankGutter = ' '.repeat(GUTTER_PADDING.length + number.length);
  const startIndex = Math.max(0, column - 1);
  const endIndex = Math.max(startIndex + 1, Math.min(sourceLine.length, startIndex + Math.max(1, length)));
  const padding = displayWidth(sourceLine.slice(0, startIndex), 0);
  const underlined = sourceLine.slice(startIndex, endIndex);
  const caretCount = Math.max(1, displayWidth(underlined, padding) - padding + (endIndex - startIndex - underlined.length));
  return [
    `${GUTTER_PADDING}${number} | ${expandTabs(sourceLine)}`,
    `${blankGutter} | ${' '.repeat(padding)}${'^'.repeat(caretCount)}`,
  ];
}

function expandTabs(text: string): string {
  let out = '';
  for (const char of text) {
    out += char === '\t' ? ' '.repeat(TAB_WIDTH - (out.length % TAB_WIDTH)) : char;
  }
  return out;
}

/** Column reached after `text`, starting at column `start` (0-based), tabs expanded. */
function displayWidth(text: string, start: number): number {
  let width = start;
  for (const char of text) {
    width += char === '\t' ? TAB_WIDTH - (width % TAB_WIDTH) : char.length;
  }
  return width;
}
