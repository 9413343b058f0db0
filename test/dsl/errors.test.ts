// Proves the catalogue of syntax errors: each malformed input renders to its exact expected message, location, underline and notes.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../dsl/parse.js';
import { renderError } from '../../dsl/render-error.js';
import { ScenarioError } from '../../engine/core/errors.js';

interface CatalogueEntry {
  readonly title: string;
  readonly text: string;
  readonly rendered: readonly string[];
}

function failureOf(text: string, file = 'scenarios/x.isl'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

const CATALOGUE: readonly CatalogueEntry[] = [
  {
    title: 'a misspelled "and" between conditions',
    text: 'victim: read 0x400000\n  expect value 0x41 when flush=off adn pcid=on\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:36: expected "and" or the end of the line after "flush=off", found "adn"',
      '   2 |   expect value 0x41 when flush=off adn pcid=on',
      '     |                                    ^^^',
      '   = note: did you mean "and"?',
    ],
  },
  {
    title: 'a misspelled "when" swallowed as an outcome argument',
    text: 'victim: read 0x1 expect ok wehn flush=on\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:38: expected a value, ",", "when" or the end of the line after "flush", found "="',
      '   1 | victim: read 0x1 expect ok wehn flush=on',
      '     |                                      ^',
      '   = note: did you mean "when"?',
    ],
  },
  {
    title: 'a misspelled "in" after kernel',
    text: 'kernel ni attacker: read 0x400000\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:8: expected ":", "{" or "in" after "kernel", found "ni"',
      '   1 | kernel ni attacker: read 0x400000',
      '     |        ^^',
      '   = note: did you mean "in"?',
    ],
  },
  {
    title: 'a misspelled "expect" inside a repeat',
    text: 'repeat 3 {\n  attacker: read 0x1\n  expcet ok\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:3:10: expected ":" after the actor "expcet", found "ok"',
      '   3 |   expcet ok',
      '     |          ^^',
      '   = note: did you mean "expect"?',
    ],
  },
  {
    title: 'a misspelled block keyword',
    text: 'machin {\n  cpu x86_64 { smep: on }\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:7: expected ":" after "cpu", found "x86_64"',
      '   2 |   cpu x86_64 { smep: on }',
      '     |       ^^^^^^',
      '   = note: "machin" on line 1 is not a keyword, so its braces hold properties; did you mean "machine"?',
    ],
  },
  {
    title: 'a misspelled "repeat"',
    text: 'repaet 3 {\n  attacker: read 0x1\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:18: expected "," or "}" to close the property list opened at line 1 after "read", found "0x1"',
      '   2 |   attacker: read 0x1',
      '     |                  ^^^',
      '   = note: "repaet" on line 1 is not a keyword, so its braces hold properties; did you mean "repeat"?',
    ],
  },
  {
    title: 'an unclosed block',
    text: 'scenario "x"\n\nmachine {\n  cpu x86_64\n  paging 4-level\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:6:1: expected "}" to close the block opened at line 3, found the end of the file',
      '   6 | ',
      '     | ^',
    ],
  },
  {
    title: 'an unclosed property list',
    text: 'process attacker {\n  uid: 1000,\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:3:1: expected "}" to close the property list opened at line 1, found the end of the file',
      '   3 | ',
      '     | ^',
    ],
  },
  {
    title: 'an unterminated string',
    text: 'secret kpass "hunter2 at 0xffff888000001000\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:14: the string "hunter2 at 0xffff888000001000 has no closing quote before the end of the line',
      '   1 | secret kpass "hunter2 at 0xffff888000001000',
      '     |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      '   = note: a string cannot span lines; write a line break as \\n',
    ],
  },
  {
    title: 'an unknown escape',
    text: 'region libc { content: "\\q7fELF" }\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:25: unknown escape "\\q" in the string "\\q7fELF"',
      '   1 | region libc { content: "\\q7fELF" }',
      '     |                         ^^',
      '   = note: strings understand \\" \\\\ \\/ \\b \\f \\n \\r \\t \\xNN \\uNNNN and \\u{N…}',
    ],
  },
  {
    title: 'a bad hexadecimal number',
    text: 'attacker: write 0x400000 = 0x40z000\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:28: "0x40z000" is not a valid number',
      '   1 | attacker: write 0x400000 = 0x40z000',
      '     |                            ^^^^^^^^',
      '   = note: numbers are written in decimal (4096), hexadecimal (0x1000) or binary (0b1010), with optional _ between digits',
    ],
  },
  {
    title: 'a decimal fraction',
    text: 'memory 1.5 GiB\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:8: "1.5" is not a valid number',
      '   1 | memory 1.5 GiB',
      '     |        ^^^',
      '   = note: numbers are written in decimal (4096), hexadecimal (0x1000) or binary (0b1010), with optional _ between digits',
    ],
  },
  {
    title: 'a word where a number must be',
    text: 'seed seven\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:6: expected a number after "seed", found "seven"',
      '   1 | seed seven',
      '     |      ^^^^^',
    ],
  },
  {
    title: 'a missing actor colon inside a repeat',
    text: 'repeat 2 {\n  attacker read 0x400000\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:12: expected ":" after the actor "attacker", found "read"',
      '   2 |   attacker read 0x400000',
      '     |            ^^^^',
    ],
  },
  {
    title: 'a missing actor colon before an expectation',
    text: 'attacker read 0x400000 expect ok\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:24: expected a value, "{" or the end of the line after "0x400000", found "expect"',
      '   1 | attacker read 0x400000 expect ok',
      '     |                        ^^^^^^',
      '   = note: expectations follow a step, which needs ":" after its actor, as in "attacker: read 0x1000 expect ok"',
    ],
  },
  {
    title: 'a missing action',
    text: 'attacker:\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:10: expected an action after "attacker:", found the end of the line',
      '   1 | attacker:',
      '     |          ^',
    ],
  },
  {
    title: '"expect" used as an action',
    text: 'attacker: expect ok\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:11: expected an action after "attacker:", found "expect"',
      '   1 | attacker: expect ok',
      '     |           ^^^^^^',
      '   = note: "expect" is a reserved word: it cannot name anything or be a value',
    ],
  },
  {
    title: 'two expectations on one line',
    text: 'attacker: read 0x1 expect ok expect value 1\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:30: expected a value, ",", "when" or the end of the line after "ok", found "expect"',
      '   1 | attacker: read 0x1 expect ok expect value 1',
      '     |                              ^^^^^^',
      '   = note: a second expectation goes on a line of its own, starting with "expect"',
    ],
  },
  {
    title: '"when" without an expectation',
    text: 'attacker: read 0x1 when flush=on\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:20: expected a value, "expect" or the end of the line after "0x1", found "when"',
      '   1 | attacker: read 0x1 when flush=on',
      '     |                    ^^^^',
      '   = note: a condition belongs to an expectation, as in "expect ok when flush=on"',
    ],
  },
  {
    title: 'a missing condition',
    text: 'attacker: read 0x1 expect ok when\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:34: expected a condition such as "flush=on" after "when", found the end of the line',
      '   1 | attacker: read 0x1 expect ok when',
      '     |                                  ^',
    ],
  },
  {
    title: 'a condition without "="',
    text: 'attacker: read 0x1 expect ok when flush\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:40: expected "=" after "flush", found the end of the line',
      '   1 | attacker: read 0x1 expect ok when flush',
      '     |                                        ^',
    ],
  },
  {
    title: '"no" without an outcome',
    text: 'attacker: read 0x1 expect no\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:29: expected an outcome after "no", found the end of the line',
      '   1 | attacker: read 0x1 expect no',
      '     |                             ^',
    ],
  },
  {
    title: 'a comment on a continuation line',
    text: 'victim: read 0x1\n  expect ok  # the TLB still holds it\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:14: a comment cannot go here, after "ok"',
      '   2 |   expect ok  # the TLB still holds it',
      '     |              ^^^^^^^^^^^^^^^^^^^^^^^^',
      '   = note: a comment may end the first line of a statement or stand on a line of its own between statements',
    ],
  },
  {
    title: 'a comment after a closing brace',
    text: 'kernel {\n  timer every 1000 ticks\n}  # end of kernel\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:3:4: a comment cannot go here, after "}"',
      '   3 | }  # end of kernel',
      '     |    ^^^^^^^^^^^^^^^',
      '   = note: a comment may end the first line of a statement or stand on a line of its own between statements',
    ],
  },
  {
    title: 'a trailing comment without a space',
    text: 'seed 7 #lucky\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:8: expected the end of the line after "7", found "#lucky"',
      '   1 | seed 7 #lucky',
      '     |        ^^^^^^',
      '   = note: a comment at the end of a line needs a space after "#"; a fault is written in capitals, as in "#PF"',
    ],
  },
  {
    title: 'a lower-case fault vector',
    text: 'attacker: read 0x1 expect fault #pf\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:33: expected a value, ",", "when" or the end of the line after "fault", found "#pf"',
      '   1 | attacker: read 0x1 expect fault #pf',
      '     |                                 ^^^',
      '   = note: a comment at the end of a line needs a space after "#"; a fault is written in capitals, as in "#PF"',
    ],
  },
  {
    title: 'an expectation separated from its step',
    text: 'victim: read 0x1\n\n  expect ok\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:3:3: expected a statement, found "expect"',
      '   3 |   expect ok',
      '     |   ^^^^^^',
      '   = note: an "expect" line continues the step just above it, with no blank line or comment between them',
    ],
  },
  {
    title: 'a stray closing brace',
    text: 'seed 7\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:1: expected a statement, found "}"',
      '   2 | }',
      '     | ^',
      '   = note: there is no open "{" for this "}" to close',
    ],
  },
  {
    title: 'settings on the line of "{"',
    text: 'machine { cpu x86_64 }\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:11: expected "}" or the end of the line after "{", found "cpu"',
      '   1 | machine { cpu x86_64 }',
      '     |           ^^^',
      '   = note: a block holds one setting per line, starting on the line after "{"',
    ],
  },
  {
    title: 'a missing comma between properties',
    text: 'process attacker { uid: 1000 catch: SIGSEGV }\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:30: expected "," or "}" after "1000", found "catch"',
      '   1 | process attacker { uid: 1000 catch: SIGSEGV }',
      '     |                              ^^^^^',
    ],
  },
  {
    title: 'a missing comma between call arguments',
    text: 'attacker: syscall openat("/etc/shadow" O_RDONLY)\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:40: expected "," or ")" after the string "/etc/shadow", found "O_RDONLY"',
      '   1 | attacker: syscall openat("/etc/shadow" O_RDONLY)',
      '     |                                        ^^^^^^^^',
    ],
  },
  {
    title: 'a missing colon in a variant',
    text: 'variant flush on | off\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:15: expected ":" after "flush", found "on"',
      '   1 | variant flush on | off',
      '     |               ^^',
    ],
  },
  {
    title: 'a dangling comma',
    text: 'teaches 8,\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:11: expected a number after "8,", found the end of the line',
      '   1 | teaches 8,',
      '     |           ^',
    ],
  },
  {
    title: 'a far pointer without an offset',
    text: 'attacker: ljmp 0x08:\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:21: expected a number after "0x08:", found the end of the line',
      '   1 | attacker: ljmp 0x08:',
      '     |                     ^',
    ],
  },
  {
    title: 'an extra token after a statement',
    text: 'seed 7 8\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:8: expected the end of the line after "7", found "8"',
      '   1 | seed 7 8',
      '     |        ^',
    ],
  },
  {
    title: 'a statement that cannot start a line',
    text: '= 7\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:1: expected a statement, found "="',
      '   1 | = 7',
      '     | ^',
    ],
  },
  {
    title: 'a tab-indented line',
    text: 'repeat 2 {\n\tattacker read 0x1\n}\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:11: expected ":" after the actor "attacker", found "read"',
      '   2 |     attacker read 0x1',
      '     |              ^^^^',
    ],
  },
  {
    title: 'a CRLF file',
    text: 'seed 7\r\nseed x\r\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:2:6: expected a number after "seed", found "x"',
      '   2 | seed x',
      '     |      ^',
    ],
  },
  {
    title: 'a reserved word as a name',
    text: 'process when { }\n',
    rendered: [
      'error[E_SYNTAX]: scenarios/x.isl:1:9: expected a process name after "process", found "when"',
      '   1 | process when { }',
      '     |         ^^^^',
      '   = note: "when" is a reserved word: it cannot name anything or be a value',
    ],
  },
];

describe('the catalogue of syntax errors', () => {
  it.each(CATALOGUE)('$title', ({ text, rendered }) => {
    const error = failureOf(text);
    expect(error.code).toBe('E_SYNTAX');
    expect(renderError(error, text)).toBe(rendered.join('\n'));
  });

  it('has no two entries with the same message', () => {
    const firstLines = CATALOGUE.map((entry) => entry.rendered[0]);
    expect(new Set(firstLines).size).toBe(firstLines.length);
  });
});

describe('error fields', () => {
  it('carries file, line, column, token length and notes', () => {
    const error = failureOf('repeat 2 {\n  attacker: read 0x1\n  expcet ok\n}\n', 'a/b.isl');
    expect(error.location).toEqual({ file: 'a/b.isl', line: 3, column: 10, length: 2 });
    expect(error.message).toBe('expected ":" after the actor "expcet", found "ok"');
    expect(error.notes).toEqual(['did you mean "expect"?']);
  });

  it('gives the end of the file a length of one', () => {
    expect(failureOf('seed').location).toEqual({ file: 'scenarios/x.isl', line: 1, column: 5, length: 1 });
  });

  it('reports input nested too deeply at the start of the file', () => {
    const error = failureOf('a: b ' + '#PF('.repeat(100_000));
    expect(error.message).toBe(
      'the file is nested too deeply to parse (too many blocks, repeats or parentheses inside one another)',
    );
    expect(error.location).toEqual({ file: 'scenarios/x.isl', line: 1, column: 1, length: 1 });
  });
});
