/**
 * `impulse`: a momentum breakout. It goes with a move when the fast average pulls away from the
 * slow one by more than `entryZ` standard deviations of recent noise, but only when the spread
 * is tight and volatility is neither dead nor wild. It exits when the impulse fades.
 *
 * Everything is incremental (two EMAs and an EW variance per symbol): O(1) per tick.
 */
import { toNumber } from "../core/decimal.ts";
import type { BookEvent, SignalEvent } from "../core/events.ts";
import type { ParamSchema, Strategy, StrategyView } from "./strategy.ts";
import { Ema, EwVolatility } from "./volatility.ts";

export interface ImpulseParams {
  readonly fastPeriods: number;
  readonly slowPeriods: number;
  readonly entryZ: number;
  readonly exitZ: number;
  readonly maxSpreadBps: number;
  /** Per-tick return stdev bounds: below is a dead market, above is chaos. */
  readonly minVol: number;
  readonly maxVol: number;
  readonly cooldownMs: number;
  readonly warmupTicks: number;
}

export const DEFAULT_IMPULSE: ImpulseParams = {
  fastPeriods: 10,
  slowPeriods: 60,
  entryZ: 1.2,
  exitZ: 0.1,
  maxSpreadBps: 5,
  minVol: 1e-6,
  maxVol: 0.01,
  cooldownMs: 3_000,
  warmupTicks: 60,
};

export const IMPULSE_SCHEMA: ParamSchema = {
  fastPeriods: { kind: "number", min: 1, max: 1_000_000 },
  slowPeriods: { kind: "number", min: 1, max: 1_000_000 },
  entryZ: { kind: "number", min: 0, max: 1_000, minExclusive: true },
  exitZ: { kind: "number", min: -1_000, max: 1_000 },
  maxSpreadBps: { kind: "number", min: 0, max: 10_000, minExclusive: true },
  minVol: { kind: "number", min: 0, max: 1 },
  maxVol: { kind: "number", min: 0, max: 1, minExclusive: true },
  cooldownMs: { kind: "number", min: 0, max: Number.MAX_SAFE_INTEGER },
  warmupTicks: { kind: "number", min: 0, max: 1_000_000_000, integer: true },
};

interface SymbolState {
  readonly fast: Ema;
  readonly slow: Ema;
  readonly vol: EwVolatility;
  ticks: number;
  lastSignalAt: number;
}

export class ImpulseStrategy implements Strategy {
  readonly id: string;
  readonly #p: ImpulseParams;
  readonly #symbols = new Map<string, SymbolState>();

  constructor(params: Partial<ImpulseParams> = {}, id = "impulse") {
    this.id = id;
    this.#p = { ...DEFAULT_IMPULSE, ...params };
  }

  onBook(book: BookEvent, view: StrategyView): SignalEvent | undefined {
    const s = this.#state(book.symbol);
    const bid = toNumber(book.bid);
    const ask = toNumber(book.ask);
    const mid = (bid + ask) / 2;
    if (book.afterGap) {
      // After a gap the averages describe a market that may no longer exist: start over.
      this.#symbols.delete(book.symbol);
      return undefined;
    }
    const fast = s.fast.update(mid);
    const slow = s.slow.update(mid);
    s.vol.update(mid);
    if (++s.ticks < this.#p.warmupTicks) return undefined;

    const vol = s.vol.stdev;
    const z = vol > 0 ? (fast - slow) / slow / (vol * Math.sqrt(this.#p.fastPeriods)) : 0;
    const held = view.positionQty(book.symbol);
    const now = view.now();
    if (view.hasWorkingOrders(book.symbol) || now - s.lastSignalAt < this.#p.cooldownMs) return undefined;

    if (held !== 0) {
      const fading = held > 0 ? z < this.#p.exitZ : z > -this.#p.exitZ;
      if (!fading) return undefined;
      s.lastSignalAt = now;
      return this.#signal(book, now, "close", held > 0 ? "sell" : "buy", Math.min(1, Math.abs(z) / 4), vol, `impulse faded z=${z.toFixed(2)}`);
    }

    const spreadBps = ((ask - bid) / mid) * 1e4;
    if (spreadBps > this.#p.maxSpreadBps || vol < this.#p.minVol || vol > this.#p.maxVol) return undefined;
    if (Math.abs(z) < this.#p.entryZ) return undefined;
    s.lastSignalAt = now;
    const side = z > 0 ? "buy" : "sell";
    return this.#signal(book, now, "open", side, Math.min(1, Math.abs(z) / (2 * this.#p.entryZ)), vol, `impulse z=${z.toFixed(2)}`);
  }

  #signal(book: BookEvent, ts: number, action: "open" | "close", side: "buy" | "sell", confidence: number, vol: number, reason: string): SignalEvent {
    // Stop beyond a few standard deviations of the move we rode in on, never tighter than 0.2%.
    const stopDistance = Math.max(0.002, 4 * vol * Math.sqrt(this.#p.slowPeriods));
    return { type: "signal", ts, strategyId: this.id, symbol: book.symbol, action, side, confidence, stopDistance, reason };
  }

  #state(symbol: string): SymbolState {
    let s = this.#symbols.get(symbol);
    if (s === undefined) {
      s = {
        fast: new Ema(this.#p.fastPeriods),
        slow: new Ema(this.#p.slowPeriods),
        vol: new EwVolatility(this.#p.slowPeriods),
        ticks: 0,
        lastSignalAt: -Infinity,
      };
      this.#symbols.set(symbol, s);
    }
    return s;
  }
}
