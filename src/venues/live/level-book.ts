/**
 * The price levels of one local order book: absolute sizes per price (0 deletes), the best bid
 * and ask, and whether the book crosses. How updates are sequenced (and when the book is lost)
 * is each exchange's own protocol, kept in its folder on top of this.
 *
 * Levels are kept as the venue wrote them and keyed by `decKey` of the price: a book frame
 * carries a hundred decimal strings of which the engine reads four (the top), so exact decimals
 * are built only for the top, when it is asked for.
 */
import { type Dec, dec, decKey, tryDec } from "../../core/decimal.ts";

export interface Top {
  readonly bid: Dec;
  readonly bidQty: Dec;
  readonly ask: Dec;
  readonly askQty: Dec;
}

/** A level as it came off the wire, already checked: [price, size] as plain decimal strings. */
export type WireLevel = readonly [string, string, ...unknown[]];

/**
 * One side of an update: the checked wire levels and, for level i, its price's key at 2i and its
 * size's key at 2i+1 (from `priceKey` and `sizeKey`). A size keyed 0 deletes the level.
 */
export interface Levels {
  readonly levels: readonly WireLevel[];
  readonly keys: readonly number[];
}

/**
 * The key of a positive plain decimal string, NaN when it is one too long for a float64 key
 * (the book then keys it exactly), undefined when it is not one.
 */
export function priceKey(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const k = decKey(v);
  if (k > 0) return k;
  if (k === k) return undefined;
  const d = tryDec(v);
  return d !== undefined && d > 0n ? NaN : undefined;
}

/** The key of a non-negative plain decimal string (0 for every zero), NaN when too long, undefined when it is not one. */
export function sizeKey(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const k = decKey(v);
  if (k >= 0) return k;
  if (k === k) return undefined;
  const d = tryDec(v);
  return d !== undefined && d >= 0n ? NaN : undefined;
}

export class LevelBook {
  readonly #bids = new Side(1);
  readonly #asks = new Side(-1);

  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
  }

  apply(bids: Levels, asks: Levels): void {
    this.#bids.apply(bids);
    this.#asks.apply(asks);
  }

  top(): Top | undefined {
    const bid = this.#bids.best();
    const ask = this.#asks.best();
    if (bid === undefined || ask === undefined) return undefined;
    return { bid: dec(bid[0]), bidQty: dec(bid[1]), ask: dec(ask[0]), askQty: dec(ask[1]) };
  }

  crossed(): boolean {
    if (this.#bids.hasLong || this.#asks.hasLong) {
      const t = this.top();
      return t !== undefined && t.bid >= t.ask;
    }
    // An empty side's key is NaN, which compares false: a one-sided book does not cross.
    return this.#bids.bestKey() >= this.#asks.bestKey();
  }
}

class Side {
  readonly #dir: 1 | -1;
  readonly #levels = new Map<number, WireLevel>();
  /** Prices of more than 15 significant digits, which have no float64 key: keyed exactly. */
  readonly #long = new Map<bigint, WireLevel>();
  /**
   * The best key, kept as levels come and go (an update rarely moves it) so that crossing and the
   * top need no scan; NaN when the side is empty. Only deleting it forces a scan, on next use.
   */
  #best = NaN;
  #rescan = false;

  constructor(dir: 1 | -1) {
    this.#dir = dir;
  }

  get hasLong(): boolean {
    return this.#long.size > 0;
  }

  clear(): void {
    this.#levels.clear();
    this.#long.clear();
    this.#best = NaN;
    this.#rescan = false;
  }

  apply(update: Levels): void {
    const { levels, keys } = update;
    const dir = this.#dir;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const key = keys[2 * i]!;
      const gone = keys[2 * i + 1] === 0;
      if (key !== key) {
        const exact = dec(level[0]);
        if (gone) this.#long.delete(exact);
        else this.#long.set(exact, level);
      } else if (gone) {
        if (this.#levels.delete(key) && key === this.#best) this.#rescan = true;
      } else {
        this.#levels.set(key, level);
        // NaN (empty) compares false, so the first level becomes the best.
        if (!this.#rescan && !((this.#best - key) * dir >= 0)) this.#best = key;
      }
    }
  }

  /** The best keyed price (highest bid, lowest ask); NaN when there is none. */
  bestKey(): number {
    if (this.#rescan) {
      let best = NaN;
      const dir = this.#dir;
      for (const k of this.#levels.keys()) if (!((best - k) * dir >= 0)) best = k;
      this.#best = best;
      this.#rescan = false;
    }
    return this.#best;
  }

  best(): WireLevel | undefined {
    const level = this.#levels.get(this.bestKey());
    if (this.#long.size === 0) return level;
    let best: bigint | undefined;
    for (const k of this.#long.keys()) if (best === undefined || (this.#dir === 1 ? k > best : k < best)) best = k;
    if (level === undefined) return this.#long.get(best!);
    const keyed = dec(level[0]);
    return (this.#dir === 1 ? best! > keyed : best! < keyed) ? this.#long.get(best!) : level;
  }
}
