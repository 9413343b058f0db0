// Proves that parseScenario builds the AST of ast.ts for every construct of the language, with locations, and forgives CRLF, trailing white space, tabs, a BOM and a missing final newline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Statement, StepStatement, Value } from '../../dsl/ast.js';
import { parseScenario, RESERVED_WORDS, STATEMENT_KEYWORDS, UNITS } from '../../dsl/parse.js';
import { ScenarioError } from '../../engine/core/errors.js';
import { stripLocations } from './helpers/ast-tools.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function only(text: string): Statement {
  const doc = parseScenario(text, 'test.isl');
  expect(doc.statements).toHaveLength(1);
  return doc.statements[0] as Statement;
}

function stepArgs(text: string): unknown {
  const step = only(`a: act ${text}\n`) as StepStatement;
  return stripLocations(step.args);
}

const word = (value: string) => ({ kind: 'word', value });
const num = (text: string, value: bigint, unit: string | null = null) => ({ kind: 'number', text, value, unit });
const str = (value: string) => ({ kind: 'string', value });

describe('values', () => {
  it('reads numbers in decimal, hex and binary, with separators, sign and unit', () => {
    expect(stepArgs('42 0x400000 0XFF_FF -1 -0x10 0b1010_0000 1_000 007 64 MiB 8 KiB 1000 ticks')).toEqual([
      num('42', 42n),
      num('0x400000', 0x400000n),
      num('0xff_ff', 0xffffn),
      num('-1', -1n),
      num('-0x10', -16n),
      num('0b1010_0000', 160n),
      num('1_000', 1000n),
      num('007', 7n),
      num('64', 64n, 'MiB'),
      num('8', 8n, 'KiB'),
      num('1000', 1000n, 'ticks'),
    ]);
  });

  it('keeps 64-bit values exact', () => {
    expect(stepArgs('0xffffffffffffffff')).toEqual([num('0xffffffffffffffff', (1n << 64n) - 1n)]);
  });

  it('reads words with digits, dots and dashes, and tries numbers first', () => {
    expect(stepArgs('x86_64 4-level cr0.wp r-x SIGSEGV _x 2M 0o')).toEqual(
      ['x86_64', '4-level', 'cr0.wp', 'r-x', 'SIGSEGV', '_x', '2M', '0o'].map(word),
    );
  });

  it('takes a unit only from the fixed list, and only after white space', () => {
    expect(stepArgs('4 KiBs 4 lines 64MiB')).toEqual([num('4', 4n), word('KiBs'), num('4', 4n), word('lines'), word('64MiB')]);
  });

  it('reads a unit after an address too (phys 0x2000 bytes "…")', () => {
    expect(stepArgs('0x2000 bytes "hi"')).toEqual([num('0x2000', 0x2000n, 'bytes'), str('hi')]);
  });

  it('decodes string escapes', () => {
    const text = String.raw`"q\" b\\ s\/ \b\f\n\r\t \x7fELF \u00e9 \u{1F600} raw é	tab"`;
    expect(stepArgs(text)).toEqual([str('q" b\\ s/ \b\f\n\r\t \x7fELF é 😀 raw é\ttab')]);
  });

  it('reads variables, faults, calls, unions and far pointers', () => {
    expect(stepArgs('$flush #PF #PF(present, user) #GP() openat("/etc/shadow", O_RDONLY|O_CLOEXEC) getpid() 1|2|x 0x08:0x1000')).toEqual([
      { kind: 'variable', name: 'flush' },
      { kind: 'fault', name: 'PF', args: null },
      { kind: 'fault', name: 'PF', args: [word('present'), word('user')] },
      { kind: 'fault', name: 'GP', args: [] },
      {
        kind: 'call',
        name: 'openat',
        args: [str('/etc/shadow'), { kind: 'union', parts: [word('O_RDONLY'), word('O_CLOEXEC')] }],
      },
      { kind: 'call', name: 'getpid', args: [] },
      { kind: 'union', parts: [num('1', 1n), num('2', 2n), word('x')] },
      { kind: 'far', selector: num('0x08', 8n), offset: num('0x1000', 0x1000n) },
    ]);
  });

  it('reads = and , as symbols in step arguments, spaced or not', () => {
    const symbol = (value: string) => ({ kind: 'symbol', value });
    expect(stepArgs('0x400000=0x41 mov cr3,0x1000')).toEqual([
      num('0x400000', 0x400000n),
      symbol('='),
      num('0x41', 0x41n),
      word('mov'),
      word('cr3'),
      symbol(','),
      num('0x1000', 0x1000n),
    ]);
  });
});

describe('statements', () => {
  it('parses the full example into the expected statement kinds', () => {
    const doc = parseScenario(fixture('full.isl'), 'full.isl');
    expect(doc.source).toBe('full.isl');
    expect(doc.statements.map((statement) => statement.kind)).toEqual([
      'comment', 'scenario', 'about', 'teaches', 'seed', 'import', 'variant', 'variant', 'invariant',
      'block', 'block', 'block', 'setting', 'setting', 'process', 'process',
      'step', 'step', 'step', 'step', 'step', 'step', 'step', 'step', 'repeat', 'assert',
    ]);
    expect(doc.trailingComments).toEqual([]);
  });

  it('builds settings with arguments and properties', () => {
    expect(stripLocations(only('tlb 64 entries { replace: fifo, pcid: $pcid }'))).toEqual({
      kind: 'setting',
      blankBefore: false,
      trailingComment: null,
      name: word('tlb'),
      args: [num('64', 64n, 'entries')],
      props: [
        { key: word('replace'), value: word('fifo') },
        { key: word('pcid'), value: { kind: 'variable', name: 'pcid' } },
      ],
    });
  });

  it('tells a setting without braces (props null) from one with empty braces', () => {
    expect(only('secret kpass "hunter2" at 0x1000')).toMatchObject({ kind: 'setting', props: null });
    expect(only('region libc { }')).toMatchObject({ kind: 'setting', props: [] });
  });

  it('gives a process empty properties whether or not it has braces', () => {
    expect(only('process victim')).toMatchObject({ kind: 'process', props: [] });
    expect(only('process victim { }')).toMatchObject({ kind: 'process', props: [] });
  });

  it('lets a property list span lines and end with a comma', () => {
    const text = 'process p {\n  uid: 1000,\n  catch: SIGSEGV,\n}\n';
    expect(stripLocations(only(text))).toMatchObject({
      props: [
        { key: word('uid'), value: num('1000', 1000n) },
        { key: word('catch'), value: word('SIGSEGV') },
      ],
    });
  });

  it('builds a step with a context, same-line and continued expectations', () => {
    const text = [
      'kernel in attacker: read 0x400000 with ac expect ok, no leak kpass  # first line',
      '  expect fault #PF when flush=on and pcid=off',
    ].join('\n');
    expect(stripLocations(only(text))).toEqual({
      kind: 'step',
      blankBefore: false,
      trailingComment: 'first line',
      actor: word('kernel'),
      context: word('attacker'),
      action: word('read'),
      args: [num('0x400000', 0x400000n), word('with'), word('ac')],
      expectations: [
        {
          outcomes: [
            { negated: false, name: word('ok'), args: [] },
            { negated: true, name: word('leak'), args: [word('kpass')] },
          ],
          when: [],
        },
        {
          outcomes: [{ negated: false, name: word('fault'), args: [{ kind: 'fault', name: 'PF', args: null }] }],
          when: [
            { variant: word('flush'), value: word('on') },
            { variant: word('pcid'), value: word('off') },
          ],
        },
      ],
    });
  });

  it('accepts continuation lines without a same-line expectation', () => {
    const step = only('victim: read 0x1\nexpect ok\n\texpect value 1\n') as StepStatement;
    expect(step.expectations).toHaveLength(2);
  });

  it('reads every keyword statement', () => {
    const doc = parseScenario(
      'scenario "t"\nabout "a"\nteaches 8, 9\nseed 7\nimport "x.isl"\nvariant v: a | b\ninvariant i.j, k\n',
      'k.isl',
    );
    expect(stripLocations(doc.statements)).toEqual([
      { kind: 'scenario', blankBefore: false, trailingComment: null, title: str('t') },
      { kind: 'about', blankBefore: false, trailingComment: null, text: str('a') },
      { kind: 'teaches', blankBefore: false, trailingComment: null, concepts: [num('8', 8n), num('9', 9n)] },
      { kind: 'seed', blankBefore: false, trailingComment: null, seed: num('7', 7n) },
      { kind: 'import', blankBefore: false, trailingComment: null, path: str('x.isl') },
      { kind: 'variant', blankBefore: false, trailingComment: null, name: word('v'), values: [word('a'), word('b')] },
      { kind: 'invariant', blankBefore: false, trailingComment: null, names: [word('i.j'), word('k')] },
    ]);
  });

  it('reads assert with conditions', () => {
    expect(stripLocations(only('assert attacker never knows kpass when flush=on'))).toEqual({
      kind: 'assert',
      blankBefore: false,
      trailingComment: null,
      words: ['attacker', 'never', 'knows', 'kpass'].map(word),
      when: [{ variant: word('flush'), value: word('on') }],
    });
  });

  it('nests repeats and keeps comments in their bodies', () => {
    const text = 'repeat 3 {  # loop\n  # inner\n  a: x\n\n  repeat 2 {\n    b: y\n  }\n}\n';
    expect(stripLocations(only(text))).toMatchObject({
      kind: 'repeat',
      trailingComment: 'loop',
      count: num('3', 3n),
      body: [
        { kind: 'comment', text: 'inner', blankBefore: false },
        { kind: 'step', actor: word('a'), blankBefore: false },
        { kind: 'repeat', blankBefore: true, body: [{ kind: 'step', actor: word('b') }] },
      ],
    });
  });

  it('tells kernel blocks from kernel steps, and top-level settings from steps', () => {
    const doc = parseScenario('kernel {\n}\nkernel: read 1\nsecret s "x"\nfoo in bar\nfoo in bar: baz\n', 'k.isl');
    expect(doc.statements.map((statement) => statement.kind)).toEqual(['block', 'step', 'setting', 'setting', 'step']);
  });

  it('lets any non-keyword word be an actor', () => {
    const actors = ['in', 'no', 'and', 'Machine', 'x86_64', '4-level'];
    for (const actor of actors) expect(only(`${actor}: read 1`)).toMatchObject({ kind: 'step', actor: word(actor) });
  });
});

describe('comments and blank lines', () => {
  it('records blank lines as blankBefore, never on the first statement of a body', () => {
    const doc = parseScenario('\n\nseed 1\n\n\nseed 2\nseed 3\nmachine {\n\n  cpu x\n\n  paging p\n}\n', 'b.isl');
    expect(doc.statements.map((statement) => statement.blankBefore)).toEqual([false, true, false, false]);
    const block = doc.statements[3];
    expect(block?.kind === 'block' && block.body.map((setting) => setting.blankBefore)).toEqual([false, true]);
  });

  it('strips "#", one space and trailing white space from comment text', () => {
    const doc = parseScenario('#plain\n#  two spaces  \n#\nseed 1 #\nseed 2  #  note  \n', 'c.isl');
    expect(stripLocations(doc.statements.slice(0, 3))).toEqual([
      { kind: 'comment', blankBefore: false, text: 'plain' },
      { kind: 'comment', blankBefore: false, text: ' two spaces' },
      { kind: 'comment', blankBefore: false, text: '' },
    ]);
    expect(doc.statements.slice(3).map((statement) => 'trailingComment' in statement && statement.trailingComment)).toEqual(['', ' note']);
  });

  it('reads #PF after a step argument as a fault and "# PF" as a comment', () => {
    const step = only('a: raise #PF # PF') as StepStatement;
    expect(stripLocations(step.args)).toEqual([{ kind: 'fault', name: 'PF', args: null }]);
    expect(step.trailingComment).toBe('PF');
  });

  it('puts comment lines after the last statement into trailingComments', () => {
    const doc = parseScenario('# head\nseed 1\n# tail\n\n# more\n', 't.isl');
    expect(doc.statements.map((statement) => statement.kind)).toEqual(['comment', 'seed']);
    expect(stripLocations(doc.trailingComments)).toEqual([
      { kind: 'comment', blankBefore: false, text: 'tail' },
      { kind: 'comment', blankBefore: true, text: 'more' },
    ]);
  });

  it('puts every comment of a comment-only file into trailingComments', () => {
    const doc = parseScenario(fixture('comments-only.isl'), 'c.isl');
    expect(doc.statements).toEqual([]);
    expect(doc.trailingComments.map((comment) => comment.text)).toEqual(['Nothing here yet.', 'Just notes.']);
  });

  it('parses empty and blank files to an empty document', () => {
    for (const text of ['', '\n', '  \n\t\n', '   ']) {
      expect(parseScenario(text, 'e.isl')).toEqual({ kind: 'document', source: 'e.isl', statements: [], trailingComments: [] });
    }
  });
});

describe('forgiveness', () => {
  const text = fixture('kpti.isl');
  const reference = stripLocations(parseScenario(text, 'k.isl'));

  it('accepts CRLF line endings', () => {
    expect(stripLocations(parseScenario(text.replace(/\n/g, '\r\n'), 'k.isl'))).toEqual(reference);
  });

  it('accepts trailing white space and indentation', () => {
    const messy = text
      .split('\n')
      .map((line) => (line === '' ? line : `\t ${line} \t `))
      .join('\n');
    expect(stripLocations(parseScenario(messy, 'k.isl'))).toEqual(reference);
  });

  it('accepts a missing final newline and a byte-order mark', () => {
    expect(stripLocations(parseScenario('\uFEFF' + text.trimEnd(), 'k.isl'))).toEqual(reference);
  });
});

describe('locations', () => {
  it('spans statements from their first to their last token, and values exactly', () => {
    const doc = parseScenario('seed 1\n  attacker: read 0x10  # c\n    expect ok\n', 'loc.isl');
    const step = doc.statements[1] as StepStatement;
    expect(step.loc).toEqual({
      source: 'loc.isl',
      start: { offset: 9, line: 2, column: 3 },
      end: { offset: 47, line: 3, column: 14 },
    });
    const address = step.args[0] as Value;
    expect(address.loc).toEqual({
      source: 'loc.isl',
      start: { offset: 24, line: 2, column: 18 },
      end: { offset: 28, line: 2, column: 22 },
    });
    expect(step.actor.loc.start).toEqual({ offset: 9, line: 2, column: 3 });
  });

  it('ends a block at its closing brace', () => {
    const block = only('machine {\n  cpu x\n}\n');
    expect(block.loc.start).toEqual({ offset: 0, line: 1, column: 1 });
    expect(block.loc.end).toEqual({ offset: 19, line: 3, column: 2 });
  });
});

describe('the word lists exported by parse.ts match the grammar', () => {
  const fails = (text: string) => expect(() => parseScenario(text, 'w.isl')).toThrow(ScenarioError);

  it('no statement keyword but kernel can be an actor', () => {
    for (const keyword of STATEMENT_KEYWORDS) {
      if (keyword === 'kernel') expect(only(`${keyword}: read 1`)).toMatchObject({ kind: 'step' });
      else fails(`${keyword}: read 1`);
    }
  });

  it('no reserved word can be an action, a value or a name', () => {
    for (const reserved of RESERVED_WORDS) {
      fails(`a: ${reserved}`);
      fails(`cpu x { k: ${reserved} }`);
      fails(`process ${reserved}`);
    }
  });

  it('every unit is read as the unit of the number before it', () => {
    for (const unit of UNITS) expect(stepArgs(`1 ${unit}`)).toEqual([num('1', 1n, unit)]);
  });
});
