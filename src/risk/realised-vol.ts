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
import { type BidAsk, midPrice } from "../core/bid-ask.ts";
import { toNumber } from "../core/decimal.ts";

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
  #slotTouch: BidAsk | undefined;
  #lastSlot = NaN;
  #lastMid = NaN;

  constructor(config: RealisedVolConfig) {
    this.#c = config;
  }

  /** Feed a mid price at event time `ts`. Non-positive or non-finite prices are ignored. */
  update(ts: number, mid: number): void {
    if (!(mid > 0) || !Number.isFinite(mid) || !this.#enter(ts)) return;
    this.#slotMid = mid;
    this.#slotTouch = undefined;
  }

  /**
   * `update` with a touch's mid, converted only when it is its slot's last: fed on every book,
   * where most of a slot's books are followed by another.
   */
  updateTouch(ts: number, touch: BidAsk): void {
    if (this.#enter(ts)) this.#slotTouch = touch;
  }

  /** Moves to `ts`'s slot (closing the one before); false for a time that goes back. */
  #enter(ts: number): boolean {
    if (!Number.isFinite(ts)) return false;
    const slot = Math.floor(ts / this.#c.sampleMs);
    if (slot === this.#slot) return true;
    if (slot < this.#slot) return false;
    this.#close();
    this.#slot = slot;
    return true;
  }

  /** A slot is closed when the next one starts: its last mid is the sample. */
  #close(): void {
    if (Number.isNaN(this.#slot)) return;
    const mid = this.#slotTouch === undefined ? this.#slotMid : toNumber(midPrice(this.#slotTouch));
    this.#slotTouch = undefined;
    // A touch without a usable mid leaves the slot empty, as a bad price given to `update` does.
    if (!(mid > 0) || !Number.isFinite(mid)) return;
    if (!Number.isNaN(this.#lastSlot)) {
      const k = this.#slot - this.#lastSlot;
      // One return over k slots: per-slot variance contribution r² / k, kept as a per-slot return.
      this.#push(Math.log(mid / this.#lastMid) / Math.sqrt(k));
    }
    this.#lastSlot = this.#slot;
    this.#lastMid = mid;
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
