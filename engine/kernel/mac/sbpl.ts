/**
 * A small subset of SBPL, the Apple sandbox's profile language (a Scheme dialect read by
 * libsandbox; sandbox-exec(1) -f FILE). What isolab reads:
 *
 *   (version 1)
 *   (allow default) | (deny default)
 *   (allow|deny OPERATION… FILTER…)
 *
 * Operations: default, file*, file-read*, file-read-data, file-read-metadata, file-write*,
 * file-write-data, file-write-create, file-write-unlink, file-write-mode, file-write-owner,
 * process*, process-exec, process-fork, network*, network-outbound, network-inbound,
 * network-bind, system-socket. isolab folds each into one of its five operations
 * (profile.ts). Filters (several in one rule are alternatives, as in SBPL): (literal
 * "/p"), (subpath "/p"), (regex #"^/p") or (regex "^/p"), and for network rules (remote
 * ip), (local ip), (remote tcp), (remote unix)… naming socket families. Comments start
 * with ";". Anything else is an error naming the line and column.
 */
import type { MacOperation, MacProfile, MacRule, MacVerdict, PathFilter, SocketFamily } from './profile.js';
import { regexOf } from './profile.js';

export interface SbplError {
  readonly message: string;
  /** Offset of the offending text in the profile. */
  readonly offset: number;
}

type Node = { readonly kind: 'list'; readonly items: readonly Node[]; readonly offset: number; readonly end: number } | { readonly kind: 'atom'; readonly text: string; readonly quoted: boolean; readonly offset: number };

/** SBPL operation names and the isolab operations each covers. */
export const SBPL_OPERATIONS: Readonly<Record<string, readonly MacOperation[]>> = {
  'file*': ['file-read', 'file-write'],
  'file-read*': ['file-read'],
  'file-read-data': ['file-read'],
  'file-read-metadata': ['file-read'],
  'file-write*': ['file-write'],
  'file-write-data': ['file-write'],
  'file-write-create': ['file-write'],
  'file-write-unlink': ['file-write'],
  'file-write-mode': ['file-write'],
  'file-write-owner': ['file-write'],
  'process*': ['process-exec', 'process-fork'],
  'process-exec': ['process-exec'],
  'process-exec*': ['process-exec'],
  'process-fork': ['process-fork'],
  'network*': ['network'],
  'network-outbound': ['network'],
  'network-inbound': ['network'],
  'network-bind': ['network'],
  'system-socket': ['network'],
};

/** Network filter words and the families they name. */
const NETWORK_WORDS: Readonly<Record<string, readonly SocketFamily[]>> = {
  ip: ['inet', 'inet6'],
  ip4: ['inet'],
  ip6: ['inet6'],
  tcp: ['inet', 'inet6'],
  tcp4: ['inet'],
  tcp6: ['inet6'],
  udp: ['inet', 'inet6'],
  udp4: ['inet'],
  udp6: ['inet6'],
  unix: ['unix'],
};

class Reader {
  index = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    for (;;) {
      while (this.index < this.text.length && /\s/.test(this.text[this.index]!)) this.index++;
      if (this.text[this.index] !== ';') return;
      while (this.index < this.text.length && this.text[this.index] !== '\n') this.index++;
    }
  }

  node(): Node | SbplError {
    this.skipSpace();
    const offset = this.index;
    const char = this.text[this.index];
    if (char === undefined) return { message: 'the profile ends inside a rule; a ")" is missing', offset };
    if (char === '(') {
      this.index++;
      const items: Node[] = [];
      for (;;) {
        this.skipSpace();
        if (this.index >= this.text.length) return { message: 'a "(" is never closed', offset };
        if (this.text[this.index] === ')') {
          this.index++;
          return { kind: 'list', items, offset, end: this.index };
        }
        const item = this.node();
        if ('message' in item) return item;
        items.push(item);
      }
    }
    if (char === ')') return { message: 'a ")" closes no "("', offset };
    if (char === '"' || (char === '#' && this.text[this.index + 1] === '"')) return this.quoted(offset);
    while (this.index < this.text.length && !/[\s()";]/.test(this.text[this.index]!)) this.index++;
    return { kind: 'atom', text: this.text.slice(offset, this.index), quoted: false, offset };
  }

  /** "…" with backslash escapes, or #"…" (a raw string: backslashes stay, for regexes). */
  private quoted(offset: number): Node | SbplError {
    const raw = this.text[this.index] === '#';
    this.index += raw ? 2 : 1;
    let value = '';
    while (this.index < this.text.length && this.text[this.index] !== '"') {
      const char = this.text[this.index]!;
      if (char === '\\' && this.index + 1 < this.text.length) {
        value += raw ? char + this.text[this.index + 1] : this.text[this.index + 1];
        this.index += 2;
        continue;
      }
      value += char;
      this.index++;
    }
    if (this.index >= this.text.length) return { message: 'a string is never closed', offset };
    this.index++;
    return { kind: 'atom', text: value, quoted: true, offset };
  }
}

function isError(value: object): value is SbplError {
  return 'message' in value;
}

function pathFilter(node: Node): PathFilter | SbplError {
  if (node.kind !== 'list' || node.items.length !== 2 || node.items[0]!.kind !== 'atom' || node.items[1]!.kind !== 'atom' || !node.items[1]!.quoted) {
    return { message: 'a filter is (literal "/path"), (subpath "/path") or (regex #"^/path")', offset: node.offset };
  }
  const kind = node.items[0]!.text;
  const value = node.items[1]!.text;
  if (kind === 'regex') {
    if (regexOf(value) === null) return { message: `the regular expression ${JSON.stringify(value)} does not compile`, offset: node.items[1]!.offset };
    return { kind: 'regex', source: value };
  }
  if (kind !== 'literal' && kind !== 'subpath') return { message: `"${kind}" is not a path filter isolab knows (literal, subpath, regex)`, offset: node.items[0]!.offset };
  if (!value.startsWith('/')) return { message: `${kind} takes an absolute path, not ${JSON.stringify(value)}`, offset: node.items[1]!.offset };
  return { kind, path: value };
}

/** (remote ip), (local tcp "*:80"), (remote unix): the families a network filter names. */
function networkFilter(node: Node): SocketFamily[] | SbplError {
  const word = node.kind === 'list' ? node.items[1] : undefined;
  const head = node.kind === 'list' ? node.items[0] : undefined;
  if (head?.kind !== 'atom' || (head.text !== 'remote' && head.text !== 'local') || word?.kind !== 'atom') {
    return { message: 'a network filter is (remote ip), (local ip), (remote unix)…', offset: node.offset };
  }
  const families = NETWORK_WORDS[word.text];
  if (families === undefined) return { message: `"${word.text}" is not a network filter isolab knows (${Object.keys(NETWORK_WORDS).join(', ')})`, offset: word.offset };
  return [...families];
}

function ruleOf(node: Node, text: string): MacRule | { readonly defaultVerdict: MacVerdict } | SbplError {
  if (node.kind !== 'list' || node.items[0]?.kind !== 'atom') return { message: 'a rule is (allow …) or (deny …)', offset: node.offset };
  const verdict = node.items[0].text;
  if (verdict !== 'allow' && verdict !== 'deny') return { message: `"${verdict}" is not allow or deny`, offset: node.items[0].offset };
  const operations: MacOperation[] = [];
  const paths: PathFilter[] = [];
  const families: SocketFamily[] = [];
  let isDefault = false;
  for (const item of node.items.slice(1)) {
    if (item.kind === 'atom') {
      if (item.text === 'default') {
        isDefault = true;
        continue;
      }
      const covered = SBPL_OPERATIONS[item.text];
      if (covered === undefined) return { message: `"${item.text}" is not an operation isolab knows (${['default', ...Object.keys(SBPL_OPERATIONS)].join(', ')})`, offset: item.offset };
      for (const operation of covered) if (!operations.includes(operation)) operations.push(operation);
      continue;
    }
    const head = item.items[0];
    if (head?.kind === 'atom' && (head.text === 'remote' || head.text === 'local')) {
      const named = networkFilter(item);
      if (isError(named)) return named;
      for (const family of named) if (!families.includes(family)) families.push(family);
      continue;
    }
    const filter = pathFilter(item);
    if (isError(filter)) return filter;
    paths.push(filter);
  }
  if (isDefault) {
    if (operations.length > 0 || paths.length > 0) return { message: '(allow default) and (deny default) take nothing else', offset: node.offset };
    return { defaultVerdict: verdict };
  }
  if (operations.length === 0) return { message: 'the rule names no operation', offset: node.offset };
  return { verdict: verdict as MacVerdict, operations, paths, families, text: text.slice(node.offset, node.end).replace(/\s+/g, ' ') };
}

/** Reads an SBPL profile; the default is (allow default) unless it says otherwise. */
export function parseSbpl(name: string, text: string): MacProfile | SbplError {
  const reader = new Reader(text);
  const rules: MacRule[] = [];
  let fallback: MacVerdict = 'allow';
  for (;;) {
    reader.skipSpace();
    if (reader.index >= text.length) break;
    const node = reader.node();
    if (isError(node)) return node;
    if (node.kind === 'list' && node.items[0]?.kind === 'atom' && node.items[0].text === 'version') continue;
    const rule = ruleOf(node, text);
    if (isError(rule)) return rule;
    if ('defaultVerdict' in rule) fallback = rule.defaultVerdict;
    else rules.push(rule);
  }
  return { name, style: 'sandbox', fallback, rules };
}

/** Line and column (1-based) of an offset, for error messages. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
