/**
 * Mean reversion, a complete strategy of one's own (docs/STRATEGIES.md walks through it).
 *
 * It keeps the last `window` mid prices of its symbol and their mean and standard deviation.
 * When the mid strays more than `entryZ` standard deviations from the mean it bets on the way
 * back: it buys below the band and (when `sides` is "both") sells above it. It closes when the
 * price is back within `exitZ` deviations. The stop sits `stopZ` deviations away, which sizes the
 * position (hean risks `risk.riskPerTradePct` of the strategy's capital share on it), and the
 * further the stretch the larger the share of its allowance it asks for (`sizeFraction`).
 *
 * Run it: hean run --strategy-file examples/strategies/mean-reversion.ts --set strategy.params.window=120
 */
import type { MarketBook, StrategyDefinition, StrategyHandlers, StrategySignal, StrategyView } from "../../src/strategies/module.ts";

export interface MeanReversionParams {
  /** Mid prices in the rolling window (one per book update). */
  readonly window: number;
  readonly entryZ: number;
  readonly exitZ: number;
  /** The stop, in standard deviations from the entry. */
  readonly stopZ: number;
  /** Books wider than this (basis points of the mid) are not traded. */
  readonly maxSpreadBps: number;
  /** Quiet time after each signal, so one stretch is one trade. */
  readonly cooldownMs: number;
  readonly sides: "long" | "both";
  /** How entries are executed: wait in the book for a maker fill, or take now. */
  readonly entryUrgency: "passive" | "aggressive";
}

/** A rolling window with O(1) mean and variance (sums kept as it slides). */
class Window {
  readonly #values: number[] = [];
  #next = 0;
  #sum = 0;
  #sumSq = 0;
  readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  push(x: number): void {
    if (this.#values.length < this.size) this.#values.push(x);
    else {
      const old = this.#values[this.#next]!;
      this.#sum -= old;
      this.#sumSq -= old * old;
      this.#values[this.#next] = x;
    }
    this.#next = (this.#next + 1) % this.size;
    this.#sum += x;
    this.#sumSq += x * x;
  }

  get full(): boolean {
    return this.#values.length === this.size;
  }

  get mean(): number {
    return this.#sum / this.#values.length;
  }

  get stdev(): number {
    const n = this.#values.length;
    const variance = this.#sumSq / n - this.mean * this.mean;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  clear(): void {
    this.#values.length = 0;
    this.#next = 0;
    this.#sum = 0;
    this.#sumSq = 0;
  }
}

function create(p: MeanReversionParams): StrategyHandlers {
  const windows = new Map<string, Window>();
  const lastSignalAt = new Map<string, number>();

  const signal = (book: MarketBook, view: StrategyView): StrategySignal | undefined => {
    let w = windows.get(book.symbol);
    if (w === undefined) windows.set(book.symbol, (w = new Window(p.window)));
    // After a gap the window describes a market that may be gone: start it again.
    if (book.afterGap) w.clear();
    const mid = (book.bid + book.ask) / 2;
    w.push(mid);
    if (!w.full || view.hasWorkingOrders(book.symbol)) return undefined;
    const now = view.now();
    if (now - (lastSignalAt.get(book.symbol) ?? -Infinity) < p.cooldownMs) return undefined;
    const sd = w.stdev;
    if (sd <= 0) return undefined;
    const z = (mid - w.mean) / sd;
    const held = view.positionQty(book.symbol);

    if (held !== 0) {
      // Back inside the band, or stretched the other way: the bet is over.
      const over = held > 0 ? z > -p.exitZ : z < p.exitZ;
      if (!over) return undefined;
      lastSignalAt.set(book.symbol, now);
      return { action: "close", symbol: book.symbol, reason: `back to the mean (z=${z.toFixed(2)})` };
    }

    const spreadBps = ((book.ask - book.bid) / mid) * 1e4;
    if (spreadBps > p.maxSpreadBps || Math.abs(z) < p.entryZ) return undefined;
    if (z > 0 && p.sides === "long") return undefined;
    lastSignalAt.set(book.symbol, now);
    return {
      action: "open",
      symbol: book.symbol,
      side: z < 0 ? "buy" : "sell",
      stopDistance: Math.max(0.001, (p.stopZ * sd) / mid),
      confidence: 0.5,
      // The further the stretch, the more of its allowance it uses (half at the entry band).
      sizeFraction: Math.min(1, Math.abs(z) / (2 * p.entryZ)),
      urgency: p.entryUrgency,
      reason: `stretched z=${z.toFixed(2)}`,
    };
  };

  return { onBook: signal };
}

const meanReversion: StrategyDefinition<MeanReversionParams> = {
  name: "mean-reversion",
  description: "Fades stretches of the mid beyond a z-score band and exits back at the mean.",
  params: {
    window: { kind: "number", min: 2, max: 100_000, integer: true },
    entryZ: { kind: "number", min: 0, max: 100, minExclusive: true },
    exitZ: { kind: "number", min: 0, max: 100 },
    stopZ: { kind: "number", min: 0, max: 100, minExclusive: true },
    maxSpreadBps: { kind: "number", min: 0, max: 10_000, minExclusive: true },
    cooldownMs: { kind: "number", min: 0, max: 86_400_000 },
    sides: { kind: "choice", values: ["long", "both"] },
    entryUrgency: { kind: "choice", values: ["passive", "aggressive"] },
  },
  defaults: { window: 60, entryZ: 2, exitZ: 0.25, stopZ: 3, maxSpreadBps: 5, cooldownMs: 2_000, sides: "both", entryUrgency: "passive" },
  create,
};

export default meanReversion;
