// "Did you mean `thanks`?": the known key nearest to a mistyped one, so that a
// typo in front matter or publication settings is fixed at a glance.

/** Levenshtein distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) rows.push([i, ...Array<number>(t.length).fill(0)]);
  for (let j = 0; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[s.length]![t.length]!;
}

/**
 * The known key closest to `key`, or undefined when none is close enough to be
 * a plausible typo (at most a third of the key's length, at least one edit).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  // Very long keys are not typos of short ones; skip the quadratic work.
  if (key.length > 64) return undefined;
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** The " (did you mean `x`?)" tail of a message, or an empty string. */
export function didYouMean(key: string, known: readonly string[]): string {
  const guess = closestKey(key, known);
  return guess ? ` (did you mean \`${guess}\`?)` : '';
}
