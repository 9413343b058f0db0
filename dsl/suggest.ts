/**
 * "Did you mean …?" suggestions for misspelled keywords and names, shared by the parser
 * (syntax errors) and the compiler (unknown actions, settings, outcomes…).
 *
 * Distance is Damerau–Levenshtein in its optimal-string-alignment form: insertions,
 * deletions, substitutions and transpositions of adjacent characters each cost 1, and
 * no substring is edited twice. Comparison is case-insensitive (String#toLowerCase,
 * which does not depend on the locale). Deliberately left out: phonetic matching and
 * any ranking beyond "smallest distance, then earliest candidate", so results are
 * deterministic and easy to predict from the candidate list.
 */

/**
 * The candidate closest to `word`, or null when none is close enough.
 *
 * A candidate is close enough when its distance is at most max(1, floor(len / 3)),
 * where len is the length of `word`: one typo in short words, roughly one per three
 * characters in longer ones. Ties go to the candidate that comes first. A candidate
 * equal to `word` (ignoring case) has distance 0 and is returned.
 */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const needle = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const lowered = candidate.toLowerCase();
    if (Math.abs(lowered.length - needle.length) >= bestDistance) continue;
    const distance = editDistance(needle, lowered);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal-string-alignment distance between two strings, compared by UTF-16 unit. */
export function editDistance(a: string, b: string): number {
  // Three rows suffice: the transposition step looks back two rows.
  let beforePrevious: number[] = new Array<number>(b.length + 1).fill(0);
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current: number[] = new Array<number>(b.length + 1).fill(0);
    current[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let distance = Math.min(
        previous[j] + 1, // deletion
        current[j - 1] + 1, // insertion
        previous[j - 1] + cost, // substitution
      );
      const transposed =
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1);
      if (transposed) distance = Math.min(distance, beforePrevious[j - 2] + 1);
      current[j] = distance;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}
