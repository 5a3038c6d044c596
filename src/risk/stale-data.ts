/**
 * Stale market data: a position whose price nobody is telling us about cannot be risk-managed,
 * so the kill switch flattens it once the silence outlasts `staleMs`; and nothing may add
 * exposure on a symbol that silent (pre-trade and send checks, the watchdog's cancel of entries).
 * Silence is measured on the engine's clock.
 */

export interface StaleSymbol {
  readonly symbol: string;
  /** How long the symbol has been silent (Infinity: never any book and no `watchedSince`). */
  readonly silentMs: number;
  /** The last book time, or null when there never was one. */
  readonly lastBookAt: number | null;
}

/**
 * How long a symbol's market data has been silent at `now`, by the engine's clock: Infinity
 * without any. A time in the future (clock step back) counts as fresh.
 */
export function silentFor(lastAt: number | undefined, now: number): number {
  return lastAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now - lastAt);
}

/**
 * Held symbols with no book for longer than `staleMs`. A symbol that never had a book counts as
 * silent since `watchedSince` (when the feed was started or subscribed), so a restart with open
 * positions gets one threshold's grace for the first book; without it, a never-seen symbol is
 * stale at once. A book time in the future (clock step back) counts as fresh.
 */
export function staleSymbols(
  lastBookAt: ReadonlyMap<string, number>,
  heldSymbols: readonly string[],
  now: number,
  staleMs: number,
  watchedSince: number = Number.NEGATIVE_INFINITY,
): StaleSymbol[] {
  const out: StaleSymbol[] = [];
  const seen = new Set<string>();
  for (const symbol of heldSymbols) {
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    const last = lastBookAt.get(symbol);
    const silentMs = silentFor(last ?? watchedSince, now);
    if (silentMs > staleMs) out.push({ symbol, silentMs, lastBookAt: last ?? null });
  }
  return out;
}
