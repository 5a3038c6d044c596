/**
 * What the TTL model needs to know about each market, kept up to date in O(1) per book update:
 * the touch (spread, depth on each side) and a short-term volatility estimate.
 *
 * Volatility is an exponentially weighted variance rate of mid returns, weighted by elapsed
 * time (time constant `tauMs`), so it means the same at 10 updates a second as at 1 000.
 * Floats are fine here: these figures only ever scale a time to live.
 */
import { type Dec, toNumber } from "../../core/decimal.ts";
import type { BookEvent } from "../../core/events.ts";

export interface TouchStats {
  readonly bid: number;
  readonly ask: number;
  readonly bidQty: number;
  readonly askQty: number;
  readonly spreadBps: number;
  /** Standard deviation of mid returns, in bps per √second; undefined until warmed up. */
  readonly volBpsPerSqrtS: number | undefined;
  readonly ts: number;
}

interface SymbolState {
  mid: number;
  ts: number;
  variancePerS: number;
  samples: number;
  /** The last book's touch, as it came: `touch()` makes the figures when asked. */
  bid: number;
  ask: number;
  bidQty: Dec;
  askQty: Dec;
}

/** Book updates needed before the volatility estimate is trusted. */
const WARM_UP_SAMPLES = 10;

/**
 * Every book updates the state in place, without an object per book: the router asks for the
 * touch only when it arms a TTL or watches a resting leg, far less often than books arrive.
 */
export class MarketStats {
  readonly #tauMs: number;
  readonly #bySymbol = new Map<string, SymbolState>();

  constructor(tauMs = 5_000) {
    this.#tauMs = tauMs;
  }

  onBook(book: BookEvent): void {
    const bid = toNumber(book.bid);
    const ask = toNumber(book.ask);
    if (!(bid > 0 && ask >= bid)) return;
    const mid = (bid + ask) / 2;
    const s = this.#bySymbol.get(book.symbol);
    if (s === undefined) {
      this.#bySymbol.set(book.symbol, { mid, ts: book.ts, variancePerS: 0, samples: 0, bid, ask, bidQty: book.bidQty, askQty: book.askQty });
      return;
    }
    // An older book than the last changes nothing.
    if (!(book.ts >= s.ts)) return;
    const dt = book.ts - s.ts;
    if (dt > 0) {
      const r = (mid - s.mid) / s.mid;
      const sample = (r * r * 1_000) / dt;
      const w = 1 - Math.exp(-dt / this.#tauMs);
      s.variancePerS = s.samples === 0 ? sample : s.variancePerS + w * (sample - s.variancePerS);
      s.samples++;
    }
    s.mid = mid;
    s.ts = book.ts;
    s.bid = bid;
    s.ask = ask;
    s.bidQty = book.bidQty;
    s.askQty = book.askQty;
  }

  /** The touch's spread in basis points, as `touch` gives it, without building the touch (asked per book while a maker leg rests). */
  spreadBps(symbol: string): number | undefined {
    const s = this.#bySymbol.get(symbol);
    return s === undefined ? undefined : ((s.ask - s.bid) / s.mid) * 10_000;
  }

  /** A new object on each call: nothing a caller keeps changes under it. */
  touch(symbol: string): TouchStats | undefined {
    const s = this.#bySymbol.get(symbol);
    if (s === undefined) return undefined;
    return {
      bid: s.bid,
      ask: s.ask,
      bidQty: toNumber(s.bidQty),
      askQty: toNumber(s.askQty),
      spreadBps: ((s.ask - s.bid) / s.mid) * 10_000,
      volBpsPerSqrtS: s.samples >= WARM_UP_SAMPLES ? Math.sqrt(s.variancePerS) * 10_000 : undefined,
      ts: s.ts,
    };
  }
}
