/**
 * Each symbol's mid price over a run, for the HTML report's price chart: one point per bucket
 * (1 s at first), the bucket doubling whenever a series would pass `max` points, so memory stays
 * bounded however long the run.
 */
import { type Dec, toNumber } from "../core/decimal.ts";
import type { HeanEvent } from "../core/events.ts";

export class PriceSampler {
  readonly #series = new Map<string, { ts: number; value: number }[]>();
  #bucketMs = 1_000;
  readonly #max: number;

  constructor(max = 2_000) {
    this.#max = max;
  }

  /**
   * `mid` is asked only when a new bucket starts (it may cost something to compute); it gets the
   * symbol so that a caller sampling every record can pass one function, not a closure per record.
   */
  sample(symbol: string, ts: number, mid: (symbol: string) => bigint | undefined): void {
    let s = this.#series.get(symbol);
    const last = s === undefined ? undefined : s[s.length - 1];
    if (last !== undefined && Math.floor(last.ts / this.#bucketMs) === Math.floor(ts / this.#bucketMs)) return;
    const m = mid(symbol);
    if (m === undefined) return;
    if (s === undefined) this.#series.set(symbol, (s = []));
    s.push({ ts, value: toNumber(m as Dec) });
    if (s.length > this.#max) {
      this.#bucketMs *= 2;
      for (const [k, v] of this.#series) this.#series.set(k, v.filter((p, i) => i === 0 || Math.floor(p.ts / this.#bucketMs) !== Math.floor(v[i - 1]!.ts / this.#bucketMs)));
    }
  }

  /** Feed an engine's published events (a live or paper run): books give the mid. */
  onEvent(e: HeanEvent): void {
    if (e.type === "market.book") this.sample(e.symbol, e.ts, () => (e.bid + e.ask) / 2n);
  }

  series(): Record<string, { ts: number; value: number }[]> {
    return Object.fromEntries([...this.#series].sort(([a], [b]) => a.localeCompare(b)));
  }
}
