/**
 * The price levels of one local order book: absolute sizes per price (0 deletes), the best bid
 * and ask, and whether the book crosses. How updates are sequenced (and when the book is lost)
 * is each exchange's own protocol, kept in its folder on top of this.
 */
import type { Dec } from "../../core/decimal.ts";

export interface Top {
  readonly bid: Dec;
  readonly bidQty: Dec;
  readonly ask: Dec;
  readonly askQty: Dec;
}

export type Levels = readonly (readonly [Dec, Dec])[];

export class LevelBook {
  readonly #bids = new Map<bigint, Dec>();
  readonly #asks = new Map<bigint, Dec>();

  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
  }

  apply(bids: Levels, asks: Levels): void {
    set(this.#bids, bids);
    set(this.#asks, asks);
  }

  top(): Top | undefined {
    const bid = best(this.#bids, 1n);
    const ask = best(this.#asks, -1n);
    if (bid === undefined || ask === undefined) return undefined;
    return { bid: bid[0] as Dec, bidQty: bid[1], ask: ask[0] as Dec, askQty: ask[1] };
  }

  crossed(): boolean {
    const t = this.top();
    return t !== undefined && t.bid >= t.ask;
  }
}

function set(side: Map<bigint, Dec>, levels: Levels): void {
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
