/**
 * One symbol's synthetic liquidity: a bid side and an ask side of contiguous levels, moved by
 * the market's steps and consumed by the matching engine's takers.
 */
import { type Dec, fromUnits, toNumber } from "../../../core/decimal.ts";
import type { Side } from "../../../core/events.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { Prng } from "./prng.ts";
import { SideLevels } from "./side-levels.ts";

const UNITS_MEMO_SIZE = 4096;

/**
 * `units × step` for whole numbers of ticks or lots, remembered in a direct-mapped table: the
 * slot is the count's low bits, a hit is checked against the whole count. Ticks walk around the
 * touch and sizes repeat, so most calls find their answer with no hashing and no BigInt.
 */
class UnitsMemo {
  readonly #step: Dec;
  readonly #keys = new Float64Array(UNITS_MEMO_SIZE).fill(Number.NaN);
  readonly #values: Dec[] = new Array<Dec>(UNITS_MEMO_SIZE).fill(0n as Dec);

  constructor(step: Dec) {
    this.#step = step;
  }

  get(units: number): Dec {
    const slot = units & (UNITS_MEMO_SIZE - 1);
    if (this.#keys[slot] === units) return this.#values[slot]!;
    const value = fromUnits(BigInt(units), this.#step);
    this.#keys[slot] = units;
    this.#values[slot] = value;
    return value;
  }
}

export type SyntheticTradeSink = (aggressor: Side, tick: number, lots: number) => void;

export class SyntheticBook {
  readonly instrument: Instrument;
  readonly bids: SideLevels;
  readonly asks: SideLevels;
  /** Tick and lot as floats, only for turning the float fair price into ticks. */
  readonly #tickFloat: number;
  readonly #lotFloat: number;
  readonly #levelNotional: number;
  /** Where trades go; set once by the market. */
  #onTrade: SyntheticTradeSink = () => {};
  // Built once so a step allocates no closures.
  readonly #sellSweep = (tick: number, lots: number): void => this.#onTrade("sell", tick, lots);
  readonly #buySweep = (tick: number, lots: number): void => this.#onTrade("buy", tick, lots);

  // A replay asks for the same few prices and sizes on every trade; each answer is two BigInt allocations.
  readonly #prices: UnitsMemo;
  readonly #sizes: UnitsMemo;

  constructor(instrument: Instrument, depth: number, levelNotional: number) {
    this.instrument = instrument;
    this.bids = new SideLevels(-1, depth);
    this.asks = new SideLevels(1, depth);
    this.#tickFloat = toNumber(instrument.tickSize);
    this.#lotFloat = toNumber(instrument.lotSize);
    this.#levelNotional = levelNotional;
    this.#prices = new UnitsMemo(instrument.tickSize);
    this.#sizes = new UnitsMemo(instrument.lotSize);
  }

  set onTrade(sink: SyntheticTradeSink) {
    this.#onTrade = sink;
  }

  get symbol(): string {
    return this.instrument.symbol;
  }

  priceOf(tick: number): Dec {
    return this.#prices.get(tick);
  }

  qtyOf(lots: number): Dec {
    return this.#sizes.get(lots);
  }

  /** Whole lots in a quantity, rounded down. */
  lotsOf(qty: Dec): number {
    return Number(qty / this.instrument.lotSize);
  }

  /** Rebuild both sides around `fair` (start, or a resync). */
  reset(fair: number, rng: Prng): void {
    this.#refreshProfile(fair);
    const bid = this.#bidTarget(fair, 1);
    this.bids.regenerate(bid, rng);
    this.asks.regenerate(bid + 1, rng);
  }

  /** Move the touches to where `fair` says, with a spread of `spreadTicks`; passed levels trade. */
  retarget(fair: number, spreadTicks: number, rng: Prng): void {
    this.#refreshProfile(fair);
    const bid = this.#bidTarget(fair, spreadTicks);
    this.asks.moveTouch(bid + spreadTicks, rng, this.#buySweep);
    this.bids.moveTouch(bid, rng, this.#sellSweep);
  }

  /** A trade at the touch that takes part of the level (never all of it). */
  touchTrade(aggressor: Side, rng: Prng): void {
    const side = aggressor === "buy" ? this.asks : this.bids;
    if (side.count === 0) return;
    const tick = side.best;
    const lots = Math.floor(side.sizeAtLevel(0) * rng.next() * 0.5);
    if (lots < 1) return;
    side.takeAtTouch(lots);
    this.#onTrade(aggressor, tick, lots);
  }

  #refreshProfile(fair: number): void {
    const lots = Math.max(1, this.#levelNotional / (fair * this.#lotFloat));
    this.bids.baseLots = lots;
    this.asks.baseLots = lots;
  }

  #bidTarget(fair: number, spreadTicks: number): number {
    // Keep every bid level at a positive price even when a crash pushes the fair price low.
    return Math.max(this.bids.depth, Math.floor(fair / this.#tickFloat - spreadTicks / 2));
  }
}

