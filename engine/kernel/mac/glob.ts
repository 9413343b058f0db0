/**
 * AppArmor's path globs (apparmor.d(5), "Globbing"), translated to an anchored regular
 * expression the way apparmor_parser does (parser/parser_regex.c, convert_aaregex_to_pcre):
 *
 * - `*` matches any characters but "/", `**` any characters including "/";
 * - when `*` or `**` is a whole path component (after a "/" and before a "/" or the end),
 *   it must match at least one character that is not "/": `/etc/*` does not match
 *   `/etc/`, and `/etc/**` matches `/etc/a` and `/etc/a/b` but not `/etc` or `/etc/`;
 * - `?` one character but "/"; `[abc]` a class; `{a,b}` alternatives; `\` escapes.
 *
 * A glob that does not parse (an unclosed `[` or `{`) is reported by `globError`.
 */

const compiled = new Map<string, RegExp>();

/** Whether the glob matches the whole path. */
export function globMatches(pattern: string, path: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp('^' + globToRegexSource(pattern) + '$');
    compiled.set(pattern, regex);
  }
  return regex.test(path);
}

/** What is wrong with the glob, or null when it parses. */
export function globError(pattern: string): string | null {
  if (!pattern.startsWith('/') && !pattern.startsWith('@') && !pattern.startsWith('{')) return `"${pattern}" is not an absolute path glob`;
  let depth = 0;
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\') {
      index++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') inClass = true;
    else if (char === '{') depth++;
    else if (char === '}') {
      if (depth === 0) return `"${pattern}": a "}" closes no "{"`;
      depth--;
    }
  }
  if (inClass) return `"${pattern}": a "[" is never closed`;
  if (depth > 0) return `"${pattern}": a "{" is never closed`;
  try {
    new RegExp('^' + globToRegexSource(pattern) + '$');
  } catch {
    return `"${pattern}" is not a glob isolab can read`;
  }
  return null;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '^', '$', '/']);

/** The regular-expression source of a glob (not anchored). */
export function globToRegexSource(pattern: string): string {
  let out = '';
  let inClass = false;
  let depth = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\' && index + 1 < pattern.length) {
      out += '\\' + pattern[++index];
      continue;
    }
    if (inClass) {
      out += char === ']' ? ']' : char === '\\' ? '\\\\' : char;
      if (char === ']') inClass = false;
      continue;
    }
    switch (char) {
      case '*': {
        const double = pattern[index + 1] === '*';
        let after = index + 1;
        while (pattern[after] === '*') after++;
        const wholeComponent = pattern[index - 1] === '/' && (after === pattern.length || pattern[after] === '/');
        if (wholeComponent) out += '[^/]';
        out += double ? '.*' : '[^/]*';
        index = after - 1;
        break;
      }
      case '?':
        out += '[^/]';
        break;
      case '[':
        inClass = true;
        out += '[';
        break;
      case '{':
        depth++;
        out += '(?:';
        break;
      case '}':
        depth--;
        out += ')';
        break;
      case ',':
        out += depth > 0 ? '|' : ',';
        break;
      default:
        out += REGEX_SPECIAL.has(char) ? '\\' + char : char;
    }
  }
  return out;
}
