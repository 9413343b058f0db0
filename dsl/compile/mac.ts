/**
 * The MAC settings and process properties of the language (see extensions.ts):
 *
 *   sandbox NAME { default: deny, allow_read: "^/usr/", deny_write: "^/etc/", network: deny, fork: deny }
 *   sandbox NAME from "profile.sb"          # an SBPL file (engine/kernel/mac/sbpl.ts)
 *   apparmor NAME { allow: "/etc/** r", allow: "/var/tmp/** rw", deny: "/proc/sys/** w", network: deny }
 *   apparmor NAME from "profile.aa"         # AppArmor rules, one per line ("/etc/** r,")
 *   process p { sandbox: NAME }             # or a named Apple profile: no-internet, no-network,
 *                                           # no-write, no-write-except-temporary, pure-computation
 *   process p { apparmor: NAME }            # `none` (or `unconfined`) leaves p unconfined
 *
 * An inline sandbox's keys become SBPL rules in the order written (the last matching rule
 * decides): `allow_read`/`deny_read`/`allow_write`/`deny_write`/`allow_exec`/`deny_exec`
 * take a regular expression on the resolved path; `network: allow|deny|FAMILY…` and
 * `fork: allow|deny` add a rule for all sockets (or those families) and for new processes.
 */
import type { Command } from '../../engine/core/decider.js';
import type { Property, SettingStatement, Span, Value } from '../ast.js';
import { parseAppArmorRule } from '../../engine/kernel/mac/apparmor.js';
import { NAMED_PROFILE_NAMES, namedProfile } from '../../engine/kernel/mac/named.js';
import { regexOf, SOCKET_FAMILIES, type MacOperation, type MacProfile, type MacRule, type MacVerdict, type SocketFamily } from '../../engine/kernel/mac/profile.js';
import { lineColumnOf, parseSbpl } from '../../engine/kernel/mac/sbpl.js';
import { nearest } from '../suggest.js';
import type { ExtensionContext, ProcessPropertyCompiler, SettingCompiler } from './extensions.js';
import { attachmentAt } from './index.js';
import { describe, expectString, fail, resolve, suggestionNotes, type Bindings } from './values.js';

const UNCONFINED = ['none', 'unconfined'];

const SANDBOX_PATH_KEYS: Readonly<Record<string, { verdict: MacVerdict; operation: MacOperation; sbpl: string }>> = {
  allow_read: { verdict: 'allow', operation: 'file-read', sbpl: 'file-read*' },
  deny_read: { verdict: 'deny', operation: 'file-read', sbpl: 'file-read*' },
  allow_write: { verdict: 'allow', operation: 'file-write', sbpl: 'file-write*' },
  deny_write: { verdict: 'deny', operation: 'file-write', sbpl: 'file-write*' },
  allow_exec: { verdict: 'allow', operation: 'process-exec', sbpl: 'process-exec' },
  deny_exec: { verdict: 'deny', operation: 'process-exec', sbpl: 'process-exec' },
};
const SANDBOX_KEYS = ['default', ...Object.keys(SANDBOX_PATH_KEYS), 'network', 'fork'];
const APPARMOR_KEYS = ['allow', 'deny', 'network'];

/** A word or a string naming something (a profile, a verdict). */
function nameOf(value: Value, what: string, bindings: Bindings): string {
  const resolved = resolve(value, bindings);
  if (resolved.kind === 'word' || resolved.kind === 'string') return resolved.value;
  return fail('E_TYPE', `expected ${what}, found ${describe(resolved)}`, value.loc);
}

function verdictOf(value: Value, key: string, bindings: Bindings): MacVerdict {
  const word = nameOf(value, `allow or deny for ${key}`, bindings);
  if (word === 'allow' || word === 'deny') return word;
  return fail('E_UNKNOWN_WORD', `expected allow or deny for ${key}, found "${word}"`, value.loc, suggestionNotes(nearest(word, ['allow', 'deny'])));
}

/** The profile's name (first argument): not a built-in one, and declared once across sandbox and apparmor settings. */
function profileName(statement: SettingStatement, context: ExtensionContext): string {
  const first = statement.args[0];
  if (first === undefined) fail('E_MISSING', `${statement.name.value} needs a profile name: ${statement.name.value} NAME { … }`, statement.loc);
  const name = nameOf(first, 'a profile name', context.bindings);
  if (NAMED_PROFILE_NAMES.includes(name) || UNCONFINED.includes(name)) fail('E_DUPLICATE', `"${name}" is a built-in profile name; choose another`, first.loc);
  const declarations = [...definedProfiles(context, 'sandbox'), ...definedProfiles(context, 'apparmor')].filter((defined) => defined === name);
  if (declarations.length > 1) fail('E_DUPLICATE', `MAC profile ${name} is declared ${declarations.length} times (sandbox and apparmor profiles share one namespace)`, first.loc);
  return name;
}

/** The file a `from "path"` names, or null when the setting has a block instead. */
function attachedText(statement: SettingStatement, context: ExtensionContext): { file: string; text: string; at: Span } | null {
  const fromIndex = statement.args.findIndex((arg) => arg.kind === 'word' && arg.value === 'from');
  if (fromIndex < 0) return null;
  const path = statement.args[fromIndex + 1];
  if (path === undefined || path.kind !== 'string') return fail('E_MISSING', 'from needs a "path" to the profile file', statement.args[fromIndex]!.loc);
  const attached = attachmentAt(context.loaded, path.loc);
  if (attached === null) return fail('E_READ', `the profile file "${path.value}" was not loaded`, path.loc);
  return { file: attached.file, text: attached.text, at: path.loc };
}

function spanIn(file: string, text: string, offset: number): Span {
  const { line, column } = lineColumnOf(text, offset);
  const position = { offset, line, column };
  return { source: file, start: position, end: position };
}

/** network: deny | allow | inet inet6 (a union inet|inet6): the families, or every one. */
function networkFamilies(value: Value, bindings: Bindings): { verdict: MacVerdict; families: SocketFamily[] } {
  const parts = value.kind === 'union' ? value.parts : [value];
  const words = parts.map((part) => nameOf(part, 'allow, deny or socket families (unix, inet, inet6)', bindings));
  if (words.length === 1 && (words[0] === 'allow' || words[0] === 'deny')) return { verdict: words[0], families: [] };
  for (const [index, word] of words.entries()) {
    if (!SOCKET_FAMILIES.includes(word as SocketFamily)) {
      fail('E_UNKNOWN_WORD', `expected allow, deny or socket families (${SOCKET_FAMILIES.join(', ')}), found "${word}"`, parts[index]!.loc, suggestionNotes(nearest(word, [...SOCKET_FAMILIES, 'allow', 'deny'])));
    }
  }
  return { verdict: 'allow', families: words as SocketFamily[] };
}

function sandboxRule(prop: Property, bindings: Bindings): MacRule | { fallback: MacVerdict } {
  const key = prop.key.value;
  if (key === 'default') return { fallback: verdictOf(prop.value, key, bindings) };
  const pathKey = SANDBOX_PATH_KEYS[key];
  if (pathKey !== undefined) {
    const source = expectString(prop.value, `a regular expression on the path for ${key}`, prop.key.loc, bindings);
    if (regexOf(source) === null) fail('E_REGEX', `${JSON.stringify(source)} is not a regular expression`, prop.value.loc);
    return { verdict: pathKey.verdict, operations: [pathKey.operation], paths: [{ kind: 'regex', source }], families: [], text: `(${pathKey.verdict} ${pathKey.sbpl} (regex #"${source}"))` };
  }
  if (key === 'network') {
    const { verdict, families } = networkFamilies(prop.value, bindings);
    if (families.length === 0) return { verdict, operations: ['network'], paths: [], families, text: `(${verdict} network*)` };
    // Naming families allows them and denies the others, as an AppArmor network list does.
    return { verdict: 'allow', operations: ['network'], paths: [], families, text: `(allow network* ${families.map((f) => `(family ${f})`).join(' ')})` };
  }
  if (key === 'fork') {
    const verdict = verdictOf(prop.value, key, bindings);
    return { verdict, operations: ['process-fork'], paths: [], families: [], text: `(${verdict} process-fork)` };
  }
  return fail('E_UNKNOWN_PROPERTY', `"${key}" is not a key of a sandbox profile (${SANDBOX_KEYS.join(', ')})`, prop.key.loc, suggestionNotes(nearest(key, SANDBOX_KEYS)));
}

function inlineSandbox(name: string, statement: SettingStatement, bindings: Bindings): MacProfile {
  let fallback: MacVerdict = 'allow';
  const rules: MacRule[] = [];
  for (const prop of statement.props ?? []) {
    const rule = sandboxRule(prop, bindings);
    if ('fallback' in rule) fallback = rule.fallback;
    else {
      // A family list is an allow list: a deny-all network rule goes first so it is overridden.
      if (rule.families.length > 0) rules.push({ verdict: 'deny', operations: ['network'], paths: [], families: [], text: '(deny network*)' });
      rules.push(rule);
    }
  }
  return { name, style: 'sandbox', fallback, rules };
}

function compileSandbox(statement: SettingStatement, context: ExtensionContext): Command[] {
  const name = profileName(statement, context);
  const attached = attachedText(statement, context);
  let profile: MacProfile;
  if (attached !== null) {
    const parsed = parseSbpl(name, attached.text);
    if ('message' in parsed) return fail('E_SBPL', `${attached.file}: ${parsed.message}`, spanIn(attached.file, attached.text, parsed.offset));
    profile = parsed;
  } else {
    if (statement.props === null) fail('E_MISSING', `sandbox ${name} needs rules: { default: deny, allow_read: "^/usr/" } or from "profile.sb"`, statement.loc);
    profile = inlineSandbox(name, statement, context.bindings);
  }
  return [{ type: 'mac.loadProfile', actor: 'kernel', data: { profile } }];
}

function appArmorRule(text: string, verdict: MacVerdict, at: Span): MacRule {
  const rule = parseAppArmorRule(text, verdict);
  if (typeof rule === 'string') return fail('E_APPARMOR', rule, at);
  return rule;
}

/** Rules from an AppArmor-style file: one per line, "deny" in front for a deny rule, trailing commas and #-comments allowed. */
function appArmorFileRules(file: string, text: string): MacRule[] {
  const rules: MacRule[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/#.*$/, '').trim();
    const at = spanIn(file, text, offset + line.indexOf(trimmed.charAt(0) === '' ? ' ' : trimmed.charAt(0)));
    offset += line.length + 1;
    if (trimmed === '' || trimmed === '{' || trimmed === '}' || trimmed.startsWith('profile ')) continue;
    const deny = trimmed.startsWith('deny ');
    rules.push(appArmorRule(deny ? trimmed.slice(5) : trimmed, deny ? 'deny' : 'allow', at));
  }
  return rules;
}

function appArmorPropRules(prop: Property, bindings: Bindings): MacRule[] {
  const key = prop.key.value;
  if (key === 'allow' || key === 'deny') {
    return [appArmorRule(expectString(prop.value, `an AppArmor rule ("/etc/** r") for ${key}`, prop.key.loc, bindings), key, prop.value.loc)];
  }
  if (key === 'network') {
    const { verdict, families } = networkFamilies(prop.value, bindings);
    const text = `${verdict === 'deny' ? 'deny ' : ''}network${families.length === 0 ? '' : ' ' + families.join(' ')}`;
    return [{ verdict, operations: ['network'], paths: [], families, text }];
  }
  return fail('E_UNKNOWN_PROPERTY', `"${key}" is not a key of an apparmor profile (${APPARMOR_KEYS.join(', ')})`, prop.key.loc, suggestionNotes(nearest(key, APPARMOR_KEYS)));
}

function compileAppArmor(statement: SettingStatement, context: ExtensionContext): Command[] {
  const name = profileName(statement, context);
  const attached = attachedText(statement, context);
  let rules: MacRule[];
  if (attached !== null) rules = appArmorFileRules(attached.file, attached.text);
  else {
    if (statement.props === null) fail('E_MISSING', `apparmor ${name} needs rules: { allow: "/etc/** r", network: deny } or from "profile"`, statement.loc);
    rules = (statement.props ?? []).flatMap((prop) => appArmorPropRules(prop, context.bindings));
  }
  const profile: MacProfile = { name, style: 'apparmor', fallback: 'deny', rules };
  return [{ type: 'mac.loadProfile', actor: 'kernel', data: { profile } }];
}

/** The profiles the scenario defines with this setting keyword, by name. */
function definedProfiles(context: ExtensionContext, keyword: string): string[] {
  const names: string[] = [];
  for (const statement of context.loaded.statements) {
    if (statement.kind !== 'setting' || statement.name.value !== keyword) continue;
    const first = statement.args[0];
    const resolved = first === undefined ? null : resolve(first, context.bindings);
    if (resolved !== null && (resolved.kind === 'word' || resolved.kind === 'string')) names.push(resolved.value);
  }
  return names;
}

function attach(keyword: 'sandbox' | 'apparmor'): ProcessPropertyCompiler {
  return (prop, processName, context) => {
    const name = nameOf(prop.value, `a ${keyword} profile name`, context.bindings);
    if (UNCONFINED.includes(name)) return [];
    const defined = definedProfiles(context, keyword);
    const confine: Command = { type: 'mac.confine', actor: 'kernel', data: { process: processName, profile: name } };
    if (defined.includes(name)) return [confine];
    const builtIn = keyword === 'sandbox' ? namedProfile(name) : null;
    if (builtIn !== null) return [{ type: 'mac.loadProfile', actor: 'kernel', data: { profile: builtIn } }, confine];
    const known = [...defined, ...(keyword === 'sandbox' ? NAMED_PROFILE_NAMES : []), ...UNCONFINED];
    return fail('E_UNKNOWN_PROFILE', `no ${keyword} profile "${name}" (known: ${known.join(', ')})`, prop.value.loc, suggestionNotes(nearest(name, known)));
  };
}

export const MAC_SETTINGS: Readonly<Record<string, SettingCompiler>> = {
  sandbox: compileSandbox,
  apparmor: compileAppArmor,
};

export const MAC_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = {
  sandbox: attach('sandbox'),
  apparmor: attach('apparmor'),
};
