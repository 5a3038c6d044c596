/**
 * Rolling 24-hour ticker statistics from the trade tape, kept in one-minute buckets so memory
 * stays bounded (1441 buckets per symbol) however long the simulator runs.
 */
import { add, max, min, mul, ZERO, type Dec } from "../../core/decimal.ts";

interface Bucket {
  readonly minute: number;
  readonly open: Dec;
  high: Dec;
  low: Dec;
  volume: Dec;
  turnover: Dec;
}

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;

export interface TickerStats {
  readonly lastPrice: Dec | undefined;
  readonly tickDirection: string;
  readonly prevPrice24h: Dec | undefined;
  readonly prevPrice1h: Dec | undefined;
  readonly highPrice24h: Dec | undefined;
  readonly lowPrice24h: Dec | undefined;
  readonly volume24h: Dec;
  readonly turnover24h: Dec;
}

export class TradeTape {
  readonly #buckets: Bucket[] = [];
  #last: Dec | undefined;
  #direction = "ZeroPlusTick";

  /** Record a trade; returns its tick direction (PlusTick, ZeroPlusTick, MinusTick, ZeroMinusTick). */
  record(price: Dec, qty: Dec, ts: number): string {
    if (this.#last !== undefined) {
      if (price > this.#last) this.#direction = "PlusTick";
      else if (price < this.#last) this.#direction = "MinusTick";
      else this.#direction = this.#direction.endsWith("PlusTick") ? "ZeroPlusTick" : "ZeroMinusTick";
    }
    this.#last = price;
    const minute = Math.floor(ts / MINUTE);
    let bucket = this.#buckets[this.#buckets.length - 1];
    if (bucket === undefined || bucket.minute !== minute) {
      bucket = { minute, open: price, high: price, low: price, volume: ZERO, turnover: ZERO };
      this.#buckets.push(bucket);
      while (this.#buckets.length > DAY_MINUTES + 1) this.#buckets.shift();
    }
    bucket.high = max(bucket.high, price);
    bucket.low = min(bucket.low, price);
    bucket.volume = add(bucket.volume, qty);
    bucket.turnover = add(bucket.turnover, mul(price, qty));
    return this.#direction;
  }

  stats(now: number): TickerStats {
    const nowMinute = Math.floor(now / MINUTE);
    const day = this.#buckets.filter((b) => b.minute > nowMinute - DAY_MINUTES);
    const hour = this.#buckets.filter((b) => b.minute > nowMinute - 60);
    let high: Dec | undefined;
    let low: Dec | undefined;
    let volume = ZERO;
    let turnover = ZERO;
    for (const b of day) {
      high = high === undefined ? b.high : max(high, b.high);
      low = low === undefined ? b.low : min(low, b.low);
      volume = add(volume, b.volume);
      turnover = add(turnover, b.turnover);
    }
    return {
      lastPrice: this.#last,
      tickDirection: this.#direction,
      prevPrice24h: day[0]?.open ?? this.#last,
      prevPrice1h: hour[0]?.open ?? this.#last,
      highPrice24h: high,
      lowPrice24h: low,
      volume24h: volume,
      turnover24h: turnover,
    };
  }
}
