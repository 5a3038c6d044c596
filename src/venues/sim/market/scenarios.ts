/**
 * The synthetic market's scenarios: how the fair price of each symbol moves, and when market
 * data goes silent. Times are ms since the market started, so a scenario plays out the same on
 * a SimClock and a RealClock.
 *
 * fair(t) = base × shape(t) × level × (1 + y)
 *   shape: the scenario's scripted moves (1 except the flash crash),
 *   level: a random walk with drift and bursts (trend only; 1 otherwise),
 *   y:     mean-reverting noise (an Ornstein–Uhlenbeck process in relative terms).
 */
import type { Prng } from "./prng.ts";

export type ScenarioName = "calm" | "trend" | "flash-crash" | "stale";

export const SCENARIO_NAMES: readonly ScenarioName[] = ["calm", "trend", "flash-crash", "stale"];

export const isScenarioName = (value: unknown): value is ScenarioName =>
  typeof value === "string" && (SCENARIO_NAMES as readonly string[]).includes(value);

/** The scripted timings, exported so tests and docs state them once. */
export const FLASH_CRASH = {
  startMs: 10_000,
  fallMs: 3_000,
  /** Fraction lost at the bottom. */
  depth: 0.3,
  recoverMs: 20_000,
  /** Fraction of the pre-crash price reached after recovering. */
  recoverTo: 0.85,
} as const;

export const STALE = { startMs: 10_000, durationMs: 30_000 } as const;

interface Tuning {
  /** Noise volatility, relative, per √second. */
  readonly sigma: number;
  /** Mean-reversion speed of the noise, per second. */
  readonly theta: number;
  /** Trend only: drift of `level` per second, its volatility per √second, and bursts. */
  readonly drift: number;
  readonly levelSigma: number;
  readonly burstsPerSecond: number;
  readonly burstDrift: number;
}

const CALM: Tuning = { sigma: 5e-5, theta: 1 / 300, drift: 0, levelSigma: 0, burstsPerSecond: 0, burstDrift: 0 };
// Drift ~0.36 %/min, with bursts of a few seconds at ~0.08 %/s (mostly with the trend, sometimes
// against it): enough for momentum/impulse signals to fire and for pullbacks to exist.
const TREND: Tuning = {
  sigma: 5e-5,
  theta: 1 / 60,
  drift: 6e-5,
  levelSigma: 1e-4,
  burstsPerSecond: 1 / 20,
  burstDrift: 8e-4,
};

const TUNING: Readonly<Record<ScenarioName, Tuning>> = {
  calm: CALM,
  trend: TREND,
  "flash-crash": CALM,
  stale: CALM,
};

/** True while the scenario's market data is stopped. */
export function isSilent(scenario: ScenarioName, elapsedMs: number): boolean {
  return scenario === "stale" && elapsedMs >= STALE.startMs && elapsedMs < STALE.startMs + STALE.durationMs;
}

/** The scripted multiplier at `elapsedMs`. */
export function shapeAt(scenario: ScenarioName, elapsedMs: number): number {
  if (scenario !== "flash-crash") return 1;
  const { startMs, fallMs, depth, recoverMs, recoverTo } = FLASH_CRASH;
  const t = elapsedMs - startMs;
  if (t <= 0) return 1;
  const bottom = 1 - depth;
  if (t < fallMs) return 1 - (depth * t) / fallMs;
  const r = t - fallMs;
  if (r < recoverMs) return bottom + ((recoverTo - bottom) * r) / recoverMs;
  return recoverTo;
}

/** One symbol's fair price under a scenario. */
export class PricePath {
  readonly #scenario: ScenarioName;
  readonly #tuning: Tuning;
  readonly #rng: Prng;
  #base: number;
  #level = 1;
  #y = 0;
  #burstLeft = 0;
  #burstDrift = 0;
  #fair: number;

  constructor(scenario: ScenarioName, startPrice: number, rng: Prng) {
    this.#scenario = scenario;
    this.#tuning = TUNING[scenario];
    this.#rng = rng;
    this.#base = startPrice;
    this.#fair = startPrice;
  }

  get fair(): number {
    return this.#fair;
  }

  /** Buy (+) or sell (−) pressure in [-1, 1], for the side of synthetic trades. */
  flowBias(elapsedMs: number): number {
    if (this.#scenario === "trend") return this.#burstLeft > 0 ? Math.sign(this.#burstDrift) * 0.6 : 0.2;
    if (this.#scenario === "flash-crash") {
      const t = elapsedMs - FLASH_CRASH.startMs;
      if (t > 0 && t < FLASH_CRASH.fallMs) return -0.8;
      if (t >= FLASH_CRASH.fallMs && t < FLASH_CRASH.fallMs + FLASH_CRASH.recoverMs) return 0.3;
    }
    return 0;
  }

  /** Move time forward by `dtSec`, arriving at `elapsedMs`; returns the new fair price. */
  advance(elapsedMs: number, dtSec: number): number {
    const k = this.#tuning;
    const rng = this.#rng;
    const sqrtDt = Math.sqrt(dtSec);
    this.#y += -k.theta * this.#y * dtSec + k.sigma * sqrtDt * rng.normal();
    if (this.#y > 0.5) this.#y = 0.5;
    else if (this.#y < -0.5) this.#y = -0.5;
    if (k.levelSigma > 0) {
      if (this.#burstLeft > 0) {
        this.#burstLeft -= dtSec;
      } else if (rng.next() < k.burstsPerSecond * dtSec) {
        this.#burstLeft = 2 + rng.next() * 3;
        this.#burstDrift = rng.next() < 0.8 ? k.burstDrift : -k.burstDrift;
      }
      const burst = this.#burstLeft > 0 ? this.#burstDrift : 0;
      this.#level *= 1 + (k.drift + burst) * dtSec + k.levelSigma * sqrtDt * rng.normal();
      if (this.#level < 0.01) this.#level = 0.01;
    }
    this.#fair = this.#base * shapeAt(this.#scenario, elapsedMs) * this.#level * (1 + this.#y);
    return this.#fair;
  }

  /** Jump to `price` now; the scenario carries on from there (its shape stays relative). */
  setPrice(price: number, elapsedMs: number): void {
    this.#y = 0;
    this.#level = 1;
    this.#base = price / shapeAt(this.#scenario, elapsedMs);
    this.#fair = price;
  }
}
