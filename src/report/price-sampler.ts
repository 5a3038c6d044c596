/**
 * Each symbol's mid price over a run, for the HTML report's price chart: one point per bucket
 * (1 s at first), the bucket doubling whenever a series would pass `max` points, so memory stays
 * bounded however long the run.
 */
import { type Dec, toNumber } from "../core/decimal.ts";
import type { HeanEvent } from "../core/events.ts";

interface Series {
  points: { ts: number; value: number }[];
  /** The bucket of the last point, [start, end): a time inside it adds nothing. */
  start: number;
  end: number;
}

export class PriceSampler {
  readonly #series = new Map<string, Series>();
  #bucketMs = 1_000;
  readonly #max: number;

  constructor(max = 2_000) {
    this.#max = max;
  }

  /**
   * `mid` is asked only when a new bucket starts (it may cost something to compute); it gets the
   * symbol so that a caller sampling every record can pass one function, not a closure per record.
   * A backtest calls this for every record: the common case is two comparisons with the last
   * point's bucket bounds (no division; a time outside the small-integer range would be boxed).
   */
  sample(symbol: string, ts: number, mid: (symbol: string) => bigint | undefined): void {
    let s = this.#series.get(symbol);
    if (s !== undefined && ts >= s.start && ts < s.end) return;
    const m = mid(symbol);
    if (m === undefined) return;
    if (s === undefined) this.#series.set(symbol, (s = { points: [], start: 0, end: 0 }));
    s.points.push({ ts, value: toNumber(m as Dec) });
    this.#bound(s);
    if (s.points.length > this.#max) {
      this.#bucketMs *= 2;
      for (const v of this.#series.values()) {
        const points = v.points;
        v.points = points.filter((p, i) => i === 0 || Math.floor(p.ts / this.#bucketMs) !== Math.floor(points[i - 1]!.ts / this.#bucketMs));
        this.#bound(v);
      }
    }
  }

  #bound(s: Series): void {
    const last = s.points[s.points.length - 1]!;
    s.start = Math.floor(last.ts / this.#bucketMs) * this.#bucketMs;
    s.end = s.start + this.#bucketMs;
  }

  /** Feed an engine's published events (a live or paper run): books give the mid. */
  onEvent(e: HeanEvent): void {
    if (e.type === "market.book") this.sample(e.symbol, e.ts, () => (e.bid + e.ask) / 2n);
  }

  series(): Record<string, { ts: number; value: number }[]> {
    return Object.fromEntries([...this.#series].sort(([a], [b]) => a.localeCompare(b)).map(([symbol, s]) => [symbol, s.points]));
  }
}
