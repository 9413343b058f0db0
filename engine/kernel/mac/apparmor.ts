/**
 * AppArmor profile rules (apparmor.d(5)), the part isolab models:
 *
 * - file rules `[deny] PATH_GLOB PERMS` with PERMS from r (read), w (write), a (append,
 *   a write for isolab), x or ix/px/ux/cx (execute; isolab keeps the profile across exec,
 *   which is ix), l and k accepted and ignored;
 * - network rules `[deny] network [FAMILY]` with FAMILY unix, inet or inet6 (none: all).
 *
 * Allow rules add up, deny rules win, and what no rule grants is denied (an enforcing
 * profile). Rules are plain strings so a scenario can write them as AppArmor does.
 */
import { globError } from './glob.js';
import type { MacOperation, MacRule, SocketFamily } from './profile.js';
import { SOCKET_FAMILIES } from './profile.js';

const PERMISSION_LETTERS: Readonly<Record<string, readonly MacOperation[]>> = {
  r: ['file-read'],
  w: ['file-write'],
  a: ['file-write'],
  x: ['process-exec'],
  l: [],
  k: [],
  m: [],
};

/** ix, px, ux, cx, Px, Ux, Cx: an execute permission with its transition letter. */
const EXEC_TRANSITION = /[ipucIPUC]x/g;

function permissionOperations(perms: string): MacOperation[] | string {
  const operations: MacOperation[] = [];
  const letters = perms.replace(EXEC_TRANSITION, 'x');
  for (const letter of letters) {
    const covered = PERMISSION_LETTERS[letter];
    if (covered === undefined) return `"${letter}" is not an AppArmor file permission isolab knows (r, w, a, x, ix, px, ux, cx, l, k, m)`;
    for (const operation of covered) if (!operations.includes(operation)) operations.push(operation);
  }
  if (operations.length === 0) return `"${perms}" grants nothing isolab mediates (r, w, a, x)`;
  return operations;
}

/** One rule from its text, or what is wrong with it. */
export function parseAppArmorRule(text: string, verdict: 'allow' | 'deny'): MacRule | string {
  const words = text.trim().replace(/,$/, '').split(/\s+/);
  const written = (verdict === 'deny' ? 'deny ' : '') + words.join(' ');
  if (words[0] === 'network') {
    const families: SocketFamily[] = [];
    for (const word of words.slice(1)) {
      if (word === 'stream' || word === 'dgram' || word === 'seqpacket' || word === 'raw') continue;
      if (!SOCKET_FAMILIES.includes(word as SocketFamily)) return `"${word}" is not a socket family isolab knows (${SOCKET_FAMILIES.join(', ')})`;
      families.push(word as SocketFamily);
    }
    return { verdict, operations: ['network'], paths: [], families, text: written };
  }
  if (words.length !== 2) return `an AppArmor file rule is "PATH PERMISSIONS" ("/etc/** r"), not "${text}"`;
  const [pattern, perms] = words as [string, string];
  const wrong = globError(pattern);
  if (wrong !== null) return wrong;
  const operations = permissionOperations(perms);
  if (typeof operations === 'string') return operations;
  return { verdict, operations, paths: [{ kind: 'glob', pattern }], families: [], text: written };
}
