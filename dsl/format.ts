/**
 * The canonical text of a scenario: `isolab fmt` prints parse(text) with this module.
 *
 * Layout rules, chosen so that format(parse(format(d))) === format(d) and so that
 * parse(format(d)) equals d apart from locations (both property-tested):
 * - statements in order, one per line; exactly one blank line where `blankBefore` is
 *   set, except at the start of the file or of a block body, which never open with one;
 * - two spaces of indentation per block or repeat level; `}` on a line of its own;
 *   an empty block prints as `name {` and `}` on two lines;
 * - properties on one line as `{ key: value, key: value }`, and `{ }` when empty
 *   (a process always shows its braces, a setting only when it had them);
 * - steps as `actor: action args`, with `=` spaced and `,` followed by a space;
 * - a step with exactly one expectation keeps it on its own line when that line fits
 *   in 100 columns (trailing comment not counted); otherwise every expectation goes on
 *   a continuation line indented two spaces more than the step;
 * - a trailing comment follows two spaces as `# text`; a comment line is `# text`
 *   (`#` alone when the text is empty);
 * - strings are re-escaped canonically (see `quoteString`); numbers print as written
 *   (lower-cased) plus ` unit`;
 * - the text ends with exactly one newline; an empty document formats to "".
 * Deliberately left out: alignment of trailing comments into columns, and wrapping
 * of anything but expectations.
 */

import { assertNever } from '../engine/core/errors.js';
import type {
  CommentStatement,
  Condition,
  Document,
  Expectation,
  Outcome,
  Property,
  RepeatStatement,
  SettingStatement,
  Statement,
  StepStatement,
  Value,
} from './ast.js';

/** Maximum width of a step line that keeps its single expectation inline. */
export const MAX_LINE_COLUMNS = 100;
const INDENT = '  ';

/** The canonical text of a whole document, ending with one newline. */
export function formatScenario(doc: Document): string {
  const lines = formatBody([...doc.statements, ...doc.trailingComments], '');
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** How the formatter prints a value: `0x1000`, `64 MiB`, `"a\n"`, `#PF(present, user)`. */
export function valueText(value: Value): string {
  switch (value.kind) {
    case 'number':
      return value.unit === null ? value.text : `${value.text} ${value.unit}`;
    case 'string':
      return quoteString(value.value);
    case 'word':
      return value.value;
    case 'variable':
      return `$${value.name}`;
    case 'fault':
      return value.args === null ? `#${value.name}` : `#${value.name}(${argumentsText(value.args)})`;
    case 'call':
      return `${value.name}(${argumentsText(value.args)})`;
    case 'union':
      return value.parts.map(valueText).join('|');
    case 'far':
      return `${valueText(value.selector)}:${valueText(value.offset)}`;
    case 'symbol':
      return value.value;
    default:
      return assertNever(value, 'value kind');
  }
}

/**
 * A string literal that parses back to `value`: JSON.stringify's escapes for `"`, `\`
 * and \b \f \n \r \t; \xNN for the other C0 and C1 control characters and DEL;
 * \u2028 and \u2029 (line separators to some editors); \u{…} for lone surrogates.
 * Everything else, including non-ASCII text, is written as itself.
 */
export function quoteString(value: string): string {
  let out = '"';
  for (const char of value) {
    out += escapeCharacter(char);
  }
  return out + '"';
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeCharacter(char: string): string {
  const simple = SIMPLE_ESCAPES[char];
  if (simple !== undefined) return simple;
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return '\\x' + code.toString(16).padStart(2, '0');
  if (code === 0x2028 || code === 0x2029) return '\\u' + code.toString(16);
  // A surrogate reaches here only unpaired: for…of yields pairs as one code point.
  if (code >= 0xd800 && code <= 0xdfff) return `\\u{${code.toString(16)}}`;
  return char;
}

function argumentsText(args: readonly Value[]): string {
  return args.map(valueText).join(', ');
}

// ---------------------------------------------------------------- statements

type BodyItem = Statement;

function formatBody(items: readonly BodyItem[], indent: string): string[] {
  const lines: string[] = [];
  items.forEach((item, index) => {
    if (index > 0 && item.blankBefore) lines.push('');
    lines.push(...formatStatement(item, indent));
  });
  return lines;
}

function formatStatement(statement: Statement, indent: string): string[] {
  switch (statement.kind) {
    case 'comment':
      return [indent + commentText(statement)];
    case 'scenario':
      return [line(indent, `scenario ${valueText(statement.title)}`, statement.trailingComment)];
    case 'about':
      return [line(indent, `about ${valueText(statement.text)}`, statement.trailingComment)];
    case 'teaches':
      return [line(indent, `teaches ${statement.concepts.map(valueText).join(', ')}`, statement.trailingComment)];
    case 'seed':
      return [line(indent, `seed ${valueText(statement.seed)}`, statement.trailingComment)];
    case 'import':
      return [line(indent, `import ${valueText(statement.path)}`, statement.trailingComment)];
    case 'variant':
      return [line(indent, variantText(statement.name.value, statement.values), statement.trailingComment)];
    case 'invariant':
      return [line(indent, `invariant ${statement.names.map(valueText).join(', ')}`, statement.trailingComment)];
    case 'customInvariant':
      return [line(indent, `invariant ${valueText(statement.label)}: ${statement.words.map(valueText).join(' ')}`, statement.trailingComment)];
    case 'setting':
      return [line(indent, settingText(statement), statement.trailingComment)];
    case 'block':
      return formatBraced(indent, statement.name.value, statement.body, statement.trailingComment);
    case 'process':
      return [line(indent, `process ${statement.name.value} ${propsText(statement.props)}`, statement.trailingComment)];
    case 'step':
      return formatStep(statement, indent);
    case 'repeat':
      return formatRepeat(statement, indent);
    case 'assert':
      return [line(indent, `assert ${statement.words.map(valueText).join(' ')}${whenText(statement.when)}`, statement.trailingComment)];
    default:
      return assertNever(statement, 'statement kind');
  }
}

function line(indent: string, code: string, trailingComment: string | null): string {
  return trailingComment === null ? indent + code : `${indent}${code}  ${commentMarker(trailingComment)}`;
}

function commentText(comment: CommentStatement): string {
  return commentMarker(comment.text);
}

function commentMarker(text: string): string {
  return text === '' ? '#' : `# ${text}`;
}

function variantText(name: string, values: readonly Value[]): string {
  return `variant ${name}: ${values.map(valueText).join(' | ')}`;
}

function settingText(setting: SettingStatement): string {
  const parts = [setting.name.value, ...setting.args.map(valueText)];
  if (setting.props !== null) parts.push(propsText(setting.props));
  return parts.join(' ');
}

function propsText(props: readonly Property[]): string {
  if (props.length === 0) return '{ }';
  return `{ ${props.map((property) => `${property.key.value}: ${valueText(property.value)}`).join(', ')} }`;
}

function formatBraced(
  indent: string,
  header: string,
  body: readonly Statement[],
  trailingComment: string | null,
): string[] {
  return [line(indent, `${header} {`, trailingComment), ...formatBody(body, indent + INDENT), `${indent}}`];
}

function formatRepeat(repeat: RepeatStatement, indent: string): string[] {
  return formatBraced(indent, `repeat ${valueText(repeat.count)}`, repeat.body, repeat.trailingComment);
}

// ---------------------------------------------------------------- steps

function formatStep(step: StepStatement, indent: string): string[] {
  const context = step.context === null ? '' : ` in ${step.context.value}`;
  const head = `${indent}${step.actor.value}${context}: ${step.action.value}${stepArgumentsText(step.args)}`;
  const expectations = step.expectations.map(expectationText);
  const [only] = expectations;
  if (expectations.length === 1 && only !== undefined) {
    const inline = `${head} ${only}`;
    if (inline.length <= MAX_LINE_COLUMNS) return [line('', inline, step.trailingComment)];
  }
  const continuation = indent + INDENT;
  return [line('', head, step.trailingComment), ...expectations.map((text) => continuation + text)];
}

/** Step arguments with a leading space each, except that `,` hugs the value before it. */
function stepArgumentsText(args: readonly Value[]): string {
  let out = '';
  for (const arg of args) {
    out += arg.kind === 'symbol' && arg.value === ',' ? ',' : ` ${valueText(arg)}`;
  }
  return out;
}

function expectationText(expectation: Expectation): string {
  return `expect ${expectation.outcomes.map(outcomeText).join(', ')}${whenText(expectation.when)}`;
}

function outcomeText(outcome: Outcome): string {
  const words = [outcome.name.value, ...outcome.args.map(valueText)].join(' ');
  return outcome.negated ? `no ${words}` : words;
}

function whenText(conditions: readonly Condition[]): string {
  if (conditions.length === 0) return '';
  return ` when ${conditions.map((condition) => `${condition.variant.value}=${condition.value.value}`).join(' and ')}`;
}
