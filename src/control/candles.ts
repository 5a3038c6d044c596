/**
 * Price candles for the dashboard, built from the market trades the engine sees (price and
 * volume), at 1 s, 1 m and 5 m. A symbol whose feed has given no trade yet (a quiet market, a
 * venue without a trade stream) gets candles from the book's mid price instead, with zero volume,
 * so the chart is never empty; its first trade switches it to trades for good.
 *
 * Memory is bounded whatever the run's length: each (symbol, interval) keeps its most recent
 * `keep` candles (an hour of seconds, a day of minutes, a week of 5-minute bars). Trades arrive
 * in time order per symbol; a late one lands in its candle if that is still kept, else it is
 * counted and dropped. Prices are floats: candles are for the eye, never for a decision.
 */

export type CandleInterval = "1s" | "1m" | "5m";

export const CANDLE_INTERVALS: Readonly<Record<CandleInterval, { readonly ms: number; readonly keep: number }>> = {
  "1s": { ms: 1_000, keep: 3_600 },
  "1m": { ms: 60_000, keep: 1_440 },
  "5m": { ms: 300_000, keep: 2_016 },
};

export const isCandleInterval = (value: unknown): value is CandleInterval => typeof value === "string" && Object.hasOwn(CANDLE_INTERVALS, value);

export interface Candle {
  /** Start of the candle (epoch ms, a multiple of the interval). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base quantity traded in the candle (0 for mid-price candles). */
  readonly volume: number;
  readonly trades: number;
}

interface MutableCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

/** Candles of one symbol at one interval: a bounded, time-ordered list. */
class Series {
  readonly #ms: number;
  readonly #keep: number;
  #candles: MutableCandle[] = [];
  /** Index of the first kept candle (the list is trimmed in batches, not one shift per candle). */
  #start = 0;

  constructor(ms: number, keep: number) {
    this.#ms = ms;
    this.#keep = keep;
  }

  /** False when the point is older than every kept candle. */
  add(ts: number, price: number, qty: number, trade: boolean): boolean {
    const time = Math.floor(ts / this.#ms) * this.#ms;
    const last = this.#candles.at(-1);
    if (last === undefined || time > last.time) {
      this.#candles.push({ time, open: price, high: price, low: price, close: price, volume: qty, trades: trade ? 1 : 0 });
      this.#trim();
      return true;
    }
    // Late (or same-candle) point: find its candle from the newest backwards.
    for (let i = this.#candles.length - 1; i >= this.#start; i--) {
      const c = this.#candles[i]!;
      if (c.time < time) break;
      if (c.time !== time) continue;
      if (price > c.high) c.high = price;
      if (price < c.low) c.low = price;
      // Only the newest candle's close moves: a late trade is not the latest price.
      if (i === this.#candles.length - 1) c.close = price;
      c.volume += qty;
      if (trade) c.trades++;
      return true;
    }
    return false;
  }

  list(limit: number): Candle[] {
    const from = Math.max(this.#start, this.#candles.length - limit);
    return this.#candles.slice(from).map((c) => ({ ...c }));
  }

  get size(): number {
    return this.#candles.length - this.#start;
  }

  #trim(): void {
    if (this.#candles.length - this.#start > this.#keep) this.#start = this.#candles.length - this.#keep;
    // Compact once the dead head is as long as the kept part.
    if (this.#start >= this.#keep) {
      this.#candles = this.#candles.slice(this.#start);
      this.#start = 0;
    }
  }
}

export type CandleSource = "trades" | "mid";

export class CandleBook {
  readonly #series = new Map<string, Map<CandleInterval, Series>>();
  readonly #source = new Map<string, CandleSource>();
  readonly #intervals: Readonly<Record<CandleInterval, { readonly ms: number; readonly keep: number }>>;
  /** Points older than every kept candle of some interval. */
  late = 0;

  constructor(intervals = CANDLE_INTERVALS) {
    this.#intervals = intervals;
  }

  /** A market trade: price and volume. */
  addTrade(symbol: string, ts: number, price: number, qty: number): void {
    if (!valid(ts, price) || !Number.isFinite(qty) || qty < 0) return;
    this.#source.set(symbol, "trades");
    this.#add(symbol, ts, price, qty, true);
  }

  /** A book mid: used only until the symbol's first trade. */
  addMid(symbol: string, ts: number, price: number): void {
    if (this.#source.get(symbol) === "trades" || !valid(ts, price)) return;
    this.#source.set(symbol, "mid");
    this.#add(symbol, ts, price, 0, false);
  }

  /** Oldest first, the most recent `limit`. */
  candles(symbol: string, interval: CandleInterval, limit = Number.MAX_SAFE_INTEGER): Candle[] {
    return this.#series.get(symbol)?.get(interval)?.list(limit) ?? [];
  }

  source(symbol: string): CandleSource | null {
    return this.#source.get(symbol) ?? null;
  }

  #add(symbol: string, ts: number, price: number, qty: number, trade: boolean): void {
    let bySize = this.#series.get(symbol);
    if (bySize === undefined) {
      bySize = new Map(Object.entries(this.#intervals).map(([k, v]) => [k as CandleInterval, new Series(v.ms, v.keep)]));
      this.#series.set(symbol, bySize);
    }
    for (const s of bySize.values()) if (!s.add(ts, price, qty, trade)) this.late++;
  }
}

const valid = (ts: number, price: number): boolean => Number.isFinite(ts) && Number.isFinite(price) && price > 0;
