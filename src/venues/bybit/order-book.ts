/**
 * One local order book from Bybit's `orderbook.{depth}.{symbol}` topic: a snapshot replaces
 * everything, a delta sets absolute sizes (0 deletes) and must carry `u` = previous `u` + 1.
 * Anything else is a gap: the book is no longer trustworthy and must be resynced from a fresh
 * snapshot. A crossed result is treated the same way (a book that crosses is a book we lost).
 */
import type { Dec } from "../../core/decimal.ts";

export interface Top {
  readonly bid: Dec;
  readonly bidQty: Dec;
  readonly ask: Dec;
  readonly askQty: Dec;
}

export type DeltaResult = "applied" | "gap" | "crossed" | "not-synced";

export class LocalBook {
  readonly #bids = new Map<bigint, Dec>();
  readonly #asks = new Map<bigint, Dec>();
  #u: number | undefined;

  get synced(): boolean {
    return this.#u !== undefined;
  }

  get lastU(): number | undefined {
    return this.#u;
  }

  snapshot(bids: readonly (readonly [Dec, Dec])[], asks: readonly (readonly [Dec, Dec])[], u: number): "applied" | "crossed" {
    this.#bids.clear();
    this.#asks.clear();
    set(this.#bids, bids);
    set(this.#asks, asks);
    this.#u = u;
    if (this.#crossed()) {
      this.invalidate();
      return "crossed";
    }
    return "applied";
  }

  delta(bids: readonly (readonly [Dec, Dec])[], asks: readonly (readonly [Dec, Dec])[], u: number): DeltaResult {
    if (this.#u === undefined) return "not-synced";
    if (u !== this.#u + 1) {
      this.invalidate();
      return "gap";
    }
    set(this.#bids, bids);
    set(this.#asks, asks);
    this.#u = u;
    if (this.#crossed()) {
      this.invalidate();
      return "crossed";
    }
    return "applied";
  }

  /** Forget everything: the next trustworthy state is a snapshot. */
  invalidate(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#u = undefined;
  }

  top(): Top | undefined {
    const bid = best(this.#bids, 1n);
    const ask = best(this.#asks, -1n);
    if (bid === undefined || ask === undefined) return undefined;
    return { bid: bid[0] as Dec, bidQty: bid[1], ask: ask[0] as Dec, askQty: ask[1] };
  }

  #crossed(): boolean {
    const t = this.top();
    return t !== undefined && t.bid >= t.ask;
  }
}

function set(side: Map<bigint, Dec>, levels: readonly (readonly [Dec, Dec])[]): void {
  for (const [price, size] of levels) {
    if (size === 0n) side.delete(price);
    else side.set(price, size);
  }
}

/** Highest key for `dir` 1n, lowest for -1n. */
function best(side: Map<bigint, Dec>, dir: 1n | -1n): [bigint, Dec] | undefined {
  let out: [bigint, Dec] | undefined;
  for (const entry of side) {
    if (out === undefined || (dir === 1n ? entry[0] > out[0] : entry[0] < out[0])) out = entry;
  }
  return out;
}
