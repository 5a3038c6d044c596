/**
 * Realised volatility for volatility-targeted sizing (`risk.volatilityTargetPct`).
 *
 * The mid is sampled on a fixed grid of `sampleMs` (the last mid seen in each slot of event time,
 * never wall time, so a backtest and a replay of the same events see the same figure), the log
 * returns between consecutive samples are kept for the last `samples` of them, and their standard
 * deviation is scaled to `horizonMs` (√(horizon / sample)) and given in percent. A gap of k empty
 * slots counts as one return over k slots (its square divided by k), so a quiet spell neither
 * hides nor invents a move. Until `samples` returns are in, there is no estimate (undefined): the
 * sizer then skips the step rather than trust a handful of points.
 *
 * O(1) per update: a ring of squared returns and their running sums.
 */

export interface RealisedVolConfig {
  readonly sampleMs: number;
  readonly samples: number;
  readonly horizonMs: number;
}

export class RealisedVol {
  readonly #c: RealisedVolConfig;
  readonly #r: number[] = [];
  #next = 0;
  #sum = 0;
  #sumSq = 0;
  #slot = NaN;
  #slotMid = NaN;
  #lastSlot = NaN;
  #lastMid = NaN;

  constructor(config: RealisedVolConfig) {
    this.#c = config;
  }

  /** Feed a mid price at event time `ts`. Non-positive or non-finite prices are ignored. */
  update(ts: number, mid: number): void {
    if (!(mid > 0) || !Number.isFinite(mid) || !Number.isFinite(ts)) return;
    const slot = Math.floor(ts / this.#c.sampleMs);
    if (slot === this.#slot) {
      this.#slotMid = mid;
      return;
    }
    if (slot < this.#slot) return;
    this.#close();
    this.#slot = slot;
    this.#slotMid = mid;
  }

  /** A slot is closed when the next one starts: its last mid is the sample. */
  #close(): void {
    if (Number.isNaN(this.#slot)) return;
    if (!Number.isNaN(this.#lastSlot)) {
      const k = this.#slot - this.#lastSlot;
      // One return over k slots: per-slot variance contribution r² / k, kept as a per-slot return.
      this.#push(Math.log(this.#slotMid / this.#lastMid) / Math.sqrt(k));
    }
    this.#lastSlot = this.#slot;
    this.#lastMid = this.#slotMid;
  }

  #push(r: number): void {
    if (this.#r.length < this.#c.samples) this.#r.push(r);
    else {
      const old = this.#r[this.#next]!;
      this.#sum -= old;
      this.#sumSq -= old * old;
      this.#r[this.#next] = r;
    }
    this.#next = (this.#next + 1) % this.#c.samples;
    this.#sum += r;
    this.#sumSq += r * r;
  }

  /** Returns in the window (at most `samples`). */
  get count(): number {
    return this.#r.length;
  }

  /** Realised volatility over `horizonMs`, in percent; undefined until the window is full. */
  pct(): number | undefined {
    const n = this.#r.length;
    if (n < this.#c.samples || n < 2) return undefined;
    const mean = this.#sum / n;
    const variance = Math.max(0, (this.#sumSq - n * mean * mean) / (n - 1));
    return Math.sqrt(variance) * Math.sqrt(this.#c.horizonMs / this.#c.sampleMs) * 100;
  }
}

/** The same estimate from a list of returns (tests, reports): sample stdev × √(horizon/sample) × 100. */
export function realisedVolPct(returns: readonly number[], sampleMs: number, horizonMs: number): number | undefined {
  const n = returns.length;
  if (n < 2) return undefined;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const variance = returns.reduce((a, r) => a + (r - mean) * (r - mean), 0) / (n - 1);
  return Math.sqrt(variance) * Math.sqrt(horizonMs / sampleMs) * 100;
}
