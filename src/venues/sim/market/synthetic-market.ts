/**
 * The seeded synthetic market: for each symbol a fair price that follows the scenario, and a
 * full-depth book around it that moves, trades and refills at a fixed update rate.
 *
 * Deterministic given (seed, scenario, start time, the sequence of calls): all randomness comes
 * from seeded streams forked per symbol and purpose, and time only from the Clock. Step k of a
 * run is always at `startMs + k × 1000 / rate` of scenario time, whenever the timer actually
 * fires, so a late timer delays data but never changes it.
 */
import type { Clock, TimerHandle } from "../../../core/clock.ts";
import { type Dec, toNumber } from "../../../core/decimal.ts";
import { HeanError } from "../../../core/errors.ts";
import type { Side } from "../../../core/events.ts";
import type { Instrument } from "../../../core/instrument.ts";
import { Prng } from "./prng.ts";
import { PricePath, type ScenarioName, isScenarioName, isSilent } from "./scenarios.ts";
import { SyntheticBook } from "./synthetic-book.ts";
import { showValue } from "../show-value.ts";

/** Where a symbol starts when the caller does not say. */
export const DEFAULT_START_PRICES: Readonly<Record<string, number>> = { BTCUSDT: 60_000, ETHUSDT: 3_000 };

export const DEFAULT_UPDATES_PER_SECOND = 10;
export const DEFAULT_DEPTH = 60;
/** Average notional of a level near the touch, in quote currency. */
export const DEFAULT_LEVEL_NOTIONAL = 30_000;
/** Size-noise touches per step, and the chance of a trade at the touch per step. */
const PERTURBATIONS_PER_STEP = 3;
const TOUCH_TRADE_PROBABILITY = 0.5;
/** A timer that fires late catches up at most this much scenario time; the rest is skipped. */
const MAX_CATCH_UP_MS = 250;

export interface MarketObserver {
  /** A synthetic trade printed: aggressor side, price in ticks, size in lots. */
  onTrade(book: SyntheticBook, aggressor: Side, tick: number, lots: number, ts: number): void;
  /** A book finished an update (after its trades). */
  onUpdate(book: SyntheticBook, ts: number): void;
}

export interface SyntheticMarketOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Which instruments to simulate (default: all given). */
  readonly symbols?: readonly string[] | undefined;
  readonly seed?: number | undefined;
  readonly scenario?: ScenarioName | undefined;
  readonly updatesPerSecond?: number | undefined;
  /** Levels per side. */
  readonly depth?: number | undefined;
  readonly levelNotional?: number | undefined;
  /** Per-symbol start price (e.g. the last journaled mark, so a restart does not jump back). */
  readonly startPrices?: Readonly<Record<string, Dec | number>> | undefined;
  /** Scenario time zero (default: when `start` is first called, or the first manual step). */
  readonly startMs?: number | undefined;
}

export type SetPriceResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

interface SymbolState {
  readonly book: SyntheticBook;
  readonly path: PricePath;
  readonly rng: Prng;
}

export class SyntheticMarket {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly updatesPerSecond: number;
  readonly symbols: readonly string[];
  readonly #clock: Clock;
  readonly #states: SymbolState[] = [];
  readonly #bySymbol = new Map<string, SymbolState>();
  readonly #observers: MarketObserver[] = [];
  #startMs: number | undefined;
  #steps = 0;
  #stepTs = 0;
  #silent = false;
  #timer: TimerHandle | undefined;

  constructor(options: SyntheticMarketOptions) {
    this.#clock = options.clock;
    this.seed = options.seed ?? 1;
    this.scenario = options.scenario ?? "calm";
    this.updatesPerSecond = options.updatesPerSecond ?? DEFAULT_UPDATES_PER_SECOND;
    this.#startMs = options.startMs;
    const depth = options.depth ?? DEFAULT_DEPTH;
    const levelNotional = options.levelNotional ?? DEFAULT_LEVEL_NOTIONAL;
    checkConfig(this.scenario, this.updatesPerSecond, depth, levelNotional, this.seed);

    const bySymbol = new Map(options.instruments.map((i) => [i.symbol, i]));
    const symbols = options.symbols ?? options.instruments.map((i) => i.symbol);
    for (const symbol of symbols) {
      const instrument = bySymbol.get(symbol);
      if (instrument === undefined) {
        throw new HeanError("CONFIG_INVALID", `simulated symbol ${symbol} is not among the instruments`, { symbol });
      }
      const start = startPriceFor(symbol, options.startPrices);
      const book = new SyntheticBook(instrument, depth, levelNotional);
      const state: SymbolState = {
        book,
        path: new PricePath(this.scenario, start, Prng.fork(this.seed, `path:${symbol}`)),
        rng: Prng.fork(this.seed, `book:${symbol}`),
      };
      book.onTrade = (aggressor, tick, lots) => {
        for (const o of this.#observers) o.onTrade(book, aggressor, tick, lots, this.#stepTs);
      };
      book.reset(start, state.rng);
      this.#states.push(state);
      this.#bySymbol.set(symbol, state);
    }
    this.symbols = [...this.#bySymbol.keys()];
  }

  book(symbol: string): SyntheticBook | undefined {
    return this.#bySymbol.get(symbol)?.book;
  }

  /** The scenario's fair price (a float: for reports and tests, never for an order). */
  fairPrice(symbol: string): number | undefined {
    return this.#bySymbol.get(symbol)?.path.fair;
  }

  /** Add an observer; returns its removal. */
  observe(observer: MarketObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const i = this.#observers.indexOf(observer);
      if (i >= 0) this.#observers.splice(i, 1);
    };
  }

  /** True while the scenario has market data stopped (as of the latest step). */
  get silent(): boolean {
    return this.#silent;
  }

  get stepCount(): number {
    return this.#steps;
  }

  /** Scenario time of the latest step, ms since the start. */
  get elapsedMs(): number {
    return (this.#steps * 1000) / this.updatesPerSecond;
  }

  get startMs(): number | undefined {
    return this.#startMs;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#startMs ??= this.#clock.now();
    const behind = Math.floor(((this.#clock.now() - this.#startMs) * this.updatesPerSecond) / 1000);
    if (this.#steps === 0 && behind > 0) {
      // Resuming a run already under way: skip to its scenario time, and read the start prices
      // as the prices now (the scripted shape continues from them, it does not replay).
      this.#steps = behind;
      for (const s of this.#states) s.path.setPrice(s.path.fair, this.elapsedMs);
    }
    const rate = this.updatesPerSecond;
    const intervalMs = Math.max(1, Math.floor(1000 / rate));
    this.#timer = this.#clock.setInterval(() => this.#onTimer(), intervalMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** One update of every symbol, now (the timer calls this; benchmarks may call it directly). */
  step(): void {
    this.#startMs ??= this.#clock.now();
    this.#steps++;
    const elapsed = this.elapsedMs;
    const dtSec = 1 / this.updatesPerSecond;
    this.#stepTs = this.#clock.now();
    this.#silent = isSilent(this.scenario, elapsed);
    for (const s of this.#states) {
      const fair = s.path.advance(elapsed, dtSec);
      // While silent the price keeps moving unseen; the book catches up on the first step after.
      if (this.#silent) continue;
      const rng = s.rng;
      const u = rng.next();
      const spread = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
      s.book.retarget(fair, spread, rng);
      for (let i = 0; i < PERTURBATIONS_PER_STEP; i++) {
        (rng.next() < 0.5 ? s.book.bids : s.book.asks).perturb(rng);
      }
      if (rng.next() < TOUCH_TRADE_PROBABILITY) {
        const buyChance = 0.5 + s.path.flowBias(elapsed) / 2;
        s.book.touchTrade(rng.next() < buyChance ? "buy" : "sell", rng);
      }
      for (const o of this.#observers) o.onUpdate(s.book, this.#stepTs);
    }
  }

  /**
   * Move a symbol's market to `price` at once: the book jumps there (passed levels trade) and the
   * scenario continues from it. While the scenario is silent only the hidden price moves.
   */
  setPrice(symbol: string, price: Dec | number): SetPriceResult {
    const s = this.#bySymbol.get(symbol);
    if (s === undefined) return { ok: false, reason: `unknown symbol ${showValue(symbol)}` };
    const value = typeof price === "bigint" ? toNumber(price) : price;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      return { ok: false, reason: `price must be a positive number, got ${showValue(price)}` };
    }
    this.#startMs ??= this.#clock.now();
    s.path.setPrice(value, this.elapsedMs);
    if (this.#silent) return { ok: true };
    this.#stepTs = this.#clock.now();
    s.book.retarget(value, 1, s.rng);
    for (const o of this.#observers) o.onUpdate(s.book, this.#stepTs);
    return { ok: true };
  }

  #onTimer(): void {
    const start = this.#startMs ?? this.#clock.now();
    const due = Math.floor(((this.#clock.now() - start) * this.updatesPerSecond) / 1000);
    const maxBehind = Math.max(1, Math.floor((MAX_CATCH_UP_MS * this.updatesPerSecond) / 1000));
    // Too far behind (a blocked event loop): skip scenario time rather than flood a burst of steps.
    if (due - this.#steps > maxBehind) this.#steps = due - maxBehind;
    while (this.#steps < due) this.step();
  }
}

function startPriceFor(symbol: string, startPrices: Readonly<Record<string, Dec | number>> | undefined): number {
  const given = startPrices?.[symbol];
  const value = given === undefined ? DEFAULT_START_PRICES[symbol] : typeof given === "bigint" ? toNumber(given) : given;
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new HeanError("CONFIG_INVALID", `no valid start price for simulated symbol ${symbol}`, {
      symbol,
      given: given === undefined ? null : showValue(given),
    });
  }
  return value;
}

function checkConfig(scenario: unknown, rate: number, depth: number, levelNotional: number, seed: number): void {
  if (!isScenarioName(scenario)) {
    throw new HeanError("CONFIG_INVALID", `unknown scenario ${showValue(scenario)}`, { scenario: showValue(scenario) });
  }
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
    throw new HeanError("CONFIG_INVALID", "updatesPerSecond must be in (0, 100000]", { updatesPerSecond: rate });
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > 10_000) {
    throw new HeanError("CONFIG_INVALID", "depth must be an integer in [1, 10000]", { depth });
  }
  if (!Number.isFinite(levelNotional) || levelNotional <= 0) {
    throw new HeanError("CONFIG_INVALID", "levelNotional must be positive", { levelNotional });
  }
  if (!Number.isInteger(seed)) throw new HeanError("CONFIG_INVALID", "seed must be an integer", { seed });
}
