/**
 * "Did you mean …?" for mistyped words: commands, flags, strategies, event types, symbols.
 * Pure and small: the caller names what it expected and where; this only ranks and phrases.
 */

/** Edit distance (case-insensitive) counting a swap of neighbours as one edit: `rnu` is 1 from `run`. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The known words close enough to `input` to be what was meant, best first: within a third of
 * the word's length in edits (at least 1, at most 3), or a known word that starts with or contains
 * the input (`ord` → `order.intent`). Nothing when nothing is close: a list of unrelated words
 * is not a suggestion. A word that differs only in case is the one meant, alone.
 */
export function suggest(input: string, known: readonly string[], limit = 3): string[] {
  const target = input.toLowerCase();
  if (target === "") return [];
  const sameWord = known.find((k) => k.toLowerCase() === target);
  if (sameWord !== undefined) return [sameWord];
  const budget = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  return known
    .map((k) => {
      const lower = k.toLowerCase();
      const d = editDistance(target, lower);
      const within = lower.startsWith(target) ? 0 : lower.includes(target) && target.length >= 3 ? 1 : 2;
      return { k, d, within };
    })
    .filter((c) => c.d <= budget || c.within < 2)
    .sort((a, b) => a.d - b.d || a.within - b.within || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, limit)
    .map((c) => c.k);
}

/**
 * One phrase for an error message: "did you mean X? (valid: a, b, c)". The valid list is given
 * in full up to `listUpTo` words, otherwise shortened with how many more there are.
 */
export function didYouMean(input: string, known: readonly string[], listUpTo = 50): string {
  const near = suggest(input, known);
  const list = known.length <= listUpTo ? known.join(", ") : `${known.slice(0, listUpTo).join(", ")}, … ${known.length - listUpTo} more`;
  const hint = near.length === 0 ? "" : `did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}? `;
  return `${hint}(valid: ${list})`;
}
