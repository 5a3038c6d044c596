/**
 * One side of a synthetic order book: `count` contiguous price levels from the touch outward,
 * kept in a ring buffer indexed by absolute tick, so moving the touch by k ticks costs O(k) and
 * never copies the book.
 *
 * Prices are integer ticks and sizes integer lots (plain numbers: exact far beyond any real
 * book), converted to decimals only at the edge. Every live level holds at least one lot.
 */
import type { Prng } from "./prng.ts";

/** A sweep through more levels than this prints the rest as one trade at the deepest price. */
export const MAX_SWEEP_TRADES = 8;

export type LevelTradeSink = (tick: number, lots: number) => void;

export class SideLevels {
  /** +1 for asks (deeper = higher price), −1 for bids. */
  readonly dir: 1 | -1;
  readonly depth: number;
  readonly #sizes: Float64Array;
  readonly #mask: number;
  #best = 0;
  #count = 0;
  /** Mean size of a level near the touch, in lots; the owner refreshes it as the price moves. */
  baseLots = 1;
  /**
   * What levels 1 … count − 1 all hold since the last `setLevels` filled them (taking at the touch
   * keeps that true); NaN once anything else changed them.
   */
  #uniformDeep = Number.NaN;

  constructor(dir: 1 | -1, depth: number) {
    this.dir = dir;
    this.depth = depth;
    let capacity = 1;
    while (capacity < depth) capacity *= 2;
    this.#sizes = new Float64Array(capacity);
    this.#mask = capacity - 1;
  }

  /** Tick of the touch; meaningless when `count` is 0. */
  get best(): number {
    return this.#best;
  }

  get count(): number {
    return this.#count;
  }

  /** Lots at `tick`, 0 outside the live levels. */
  sizeAt(tick: number): number {
    const i = (tick - this.#best) * this.dir;
    return i >= 0 && i < this.#count ? this.#sizes[tick & this.#mask]! : 0;
  }

  /** Lots at the i-th level from the touch (0 = touch). */
  sizeAtLevel(i: number): number {
    return i >= 0 && i < this.#count ? this.#sizes[(this.#best + this.dir * i) & this.#mask]! : 0;
  }

  tickAtLevel(i: number): number {
    return this.#best + this.dir * i;
  }

  /** Total lots from the touch through `limitTick` inclusive (every level when undefined). */
  lotsThrough(limitTick: number | undefined): number {
    let total = 0;
    for (let i = 0; i < this.#count; i++) {
      const tick = this.#best + this.dir * i;
      if (limitTick !== undefined && (tick - limitTick) * this.dir > 0) break;
      total += this.#sizes[tick & this.#mask]!;
    }
    return total;
  }

  /** Remove up to `lots` from the touch; an emptied touch gives way to the next level. */
  takeAtTouch(lots: number): number {
    if (this.#count === 0 || lots <= 0) return 0;
    const idx = this.#best & this.#mask;
    const have = this.#sizes[idx]!;
    const take = have < lots ? have : lots;
    this.#sizes[idx] = have - take;
    if (have - take === 0) {
      this.#best += this.dir;
      this.#count--;
    }
    return take;
  }

  /**
   * Replace the side with `levels` contiguous levels from `touch` outward: the touch holds
   * `touchLots`, the deeper ones `deepLots` each (a replayed book: the recorded touch, and an
   * assumed depth behind it). No lots at the touch empties the side.
   *
   * A replay calls this on every trade, mostly with the touch a tick or two from the last one and
   * the same assumed depth: the deep levels that already hold `deepLots` from the last call (and
   * nothing changed since) are left as they are, so a one-tick move writes about three levels, not all.
   */
  setLevels(touch: number, touchLots: number, deepLots: number, levels: number): void {
    const lastBest = this.#best;
    const lastDeep = this.#uniformDeep;
    const lastLevels = this.#count;
    this.#uniformDeep = Number.NaN;
    this.#best = touch;
    this.#count = 0;
    if (touchLots < 1) return;
    const n = Math.min(Math.max(1, levels), this.depth);
    this.#sizes[touch & this.#mask] = touchLots;
    this.#count = 1;
    if (n === 1 || deepLots < 1) return;
    // New level i is the last call's level i + shift: those in 1 … lastLevels − 1 hold deepLots
    // already (when that is still the depth), and only the levels either side of them are written.
    let keepFrom = n;
    let keepTo = n - 1;
    if (deepLots === lastDeep) {
      const shift = (touch - lastBest) * this.dir;
      keepFrom = Math.max(1, 1 - shift);
      keepTo = Math.min(n - 1, lastLevels - 1 - shift);
      if (keepFrom > keepTo) keepFrom = n;
    }
    for (let i = 1; i < keepFrom; i++) this.#sizes[(touch + this.dir * i) & this.#mask] = deepLots;
    for (let i = Math.max(keepFrom, keepTo + 1); i < n; i++) this.#sizes[(touch + this.dir * i) & this.#mask] = deepLots;
    this.#count = n;
    this.#uniformDeep = deepLots;
  }

  /** Rebuild every level with the touch at `touch`. */
  regenerate(touch: number, rng: Prng): void {
    this.#uniformDeep = Number.NaN;
    this.#best = touch;
    this.#count = 0;
    this.#fillDeep(rng);
  }

  /**
   * Move the touch to `target`. Receding (bids down, asks up) takes the passed levels out as
   * trades, reported touch-first; advancing adds fresh levels in front. Then refill to `depth`.
   */
  moveTouch(target: number, rng: Prng, onTrade: LevelTradeSink): void {
    this.#uniformDeep = Number.NaN;
    if (this.#count === 0) {
      this.regenerate(target, rng);
      return;
    }
    const delta = (target - this.#best) * this.dir;
    if (delta > 0) {
      const taken = delta < this.#count ? delta : this.#count;
      let restLots = 0;
      let restTick = 0;
      for (let i = 0; i < taken; i++) {
        const tick = this.#best + this.dir * i;
        const lots = this.#sizes[tick & this.#mask]!;
        if (i < MAX_SWEEP_TRADES - 1) {
          onTrade(tick, lots);
        } else {
          restLots += lots;
          restTick = tick;
        }
      }
      if (restLots > 0) onTrade(restTick, restLots);
      if (delta >= this.#count) {
        this.regenerate(target, rng);
        return;
      }
      this.#best = target;
      this.#count -= delta;
    } else if (delta < 0) {
      const k = -delta;
      if (k >= this.depth) {
        this.regenerate(target, rng);
        return;
      }
      for (let j = 1; j <= k; j++) {
        this.#sizes[(this.#best - this.dir * j) & this.#mask] = this.#fresh(k - j, rng);
      }
      this.#best = target;
      this.#count = Math.min(this.depth, this.#count + k);
    }
    this.#fillDeep(rng);
  }

  /** Nudge one level's size toward the profile, biased to the top of the book. */
  perturb(rng: Prng): void {
    if (this.#count === 0) return;
    this.#uniformDeep = Number.NaN;
    const u = rng.next();
    const i = Math.floor(this.#count * u * u);
    const idx = (this.#best + this.dir * i) & this.#mask;
    this.#sizes[idx] = Math.max(1, Math.round(0.5 * this.#sizes[idx]! + 0.5 * this.#fresh(i, rng)));
  }

  #fillDeep(rng: Prng): void {
    while (this.#count < this.depth) {
      this.#sizes[(this.#best + this.dir * this.#count) & this.#mask] = this.#fresh(this.#count, rng);
      this.#count++;
    }
  }

  /** A new level's size: grows gently with distance from the touch, ±70 % noise, at least one lot. */
  #fresh(distance: number, rng: Prng): number {
    return Math.max(1, Math.round(this.baseLots * (1 + distance * 0.04) * (0.3 + 1.4 * rng.next())));
  }
}
