// Proves that the engine and the language stay deterministic by construction: none of the
// banned sources of nondeterminism appears in engine/ or dsl/ (STYLE.md, "Determinism").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Each banned pattern with the replacement the failure message names. */
const BANNED: readonly { pattern: RegExp; replacement: string }[] = [
  { pattern: /\bDate\.now\b|\bnew Date\b/, replacement: 'the virtual clock (Envelope.tick / Engine.advanceClock)' },
  { pattern: /\bperformance\.now\b/, replacement: 'the virtual clock; measure speed only in bench/' },
  { pattern: /\bMath\.random\b/, replacement: 'drawInt from engine/core/prng.ts, with a named stream' },
  { pattern: /\bcrypto\.randomUUID\b|\brandomBytes\b/, replacement: 'ids derived from seq numbers or the seeded PRNG' },
  { pattern: /\bset(Timeout|Interval|Immediate)\s*\(/, replacement: 'commands queued by the engine' },
  { pattern: /\blocaleCompare\b|\btoLocale(Upper|Lower)Case\b/, replacement: 'plain < comparison or a fixed sort key' },
];

/** Files where a banned word is allowed, with why. */
const ALLOWED: Readonly<Record<string, RegExp>> = {
  // Limits print numbers with thousands separators for people; en-US is fixed, not the user's locale.
  'engine/core/limits.ts': /toLocaleString\('en-US'\)/,
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'generated') continue;
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

describe('determinism lint', () => {
  for (const area of ['engine', 'dsl']) {
    it(`${area}/ uses no wall clock, ambient randomness, timers or locale-dependent comparison`, () => {
      const problems: string[] = [];
      for (const file of sourceFiles(join(ROOT, area))) {
        const relative = file.slice(ROOT.length + 1);
        const code = stripComments(readFileSync(file, 'utf8'));
        code.split('\n').forEach((line, index) => {
          for (const { pattern, replacement } of BANNED) {
            if (!pattern.test(line)) continue;
            if (ALLOWED[relative]?.test(line)) continue;
            problems.push(`${relative}:${index + 1}: ${line.trim()} — use ${replacement}`);
          }
        });
      }
      expect(problems).toEqual([]);
    });
  }

  it('catches a banned call (the rule itself can fail)', () => {
    const line = 'const t = Date.now();';
    expect(BANNED.some(({ pattern }) => pattern.test(line))).toBe(true);
  });
});
