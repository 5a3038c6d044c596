/**
 * What the TTL model needs to know about each market, kept up to date in O(1) per book update:
 * the touch (spread, depth on each side) and a short-term volatility estimate.
 *
 * Volatility is an exponentially weighted variance rate of mid returns, weighted by elapsed
 * time (time constant `tauMs`), so it means the same at 10 updates a second as at 1 000.
 * Floats are fine here: these figures only ever scale a time to live.
 */
import { toNumber } from "../../core/decimal.ts";
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
  touch: TouchStats;
}

/** Book updates needed before the volatility estimate is trusted. */
const WARM_UP_SAMPLES = 10;

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
    let variancePerS = 0;
    let samples = 0;
    if (s !== undefined) {
      variancePerS = s.variancePerS;
      samples = s.samples;
      const dt = book.ts - s.ts;
      if (dt > 0) {
        const r = (mid - s.mid) / s.mid;
        const sample = (r * r * 1_000) / dt;
        const w = 1 - Math.exp(-dt / this.#tauMs);
        variancePerS = samples === 0 ? sample : variancePerS + w * (sample - variancePerS);
        samples++;
      }
    }
    const touch: TouchStats = {
      bid,
      ask,
      bidQty: toNumber(book.bidQty),
      askQty: toNumber(book.askQty),
      spreadBps: ((ask - bid) / mid) * 10_000,
      volBpsPerSqrtS: samples >= WARM_UP_SAMPLES ? Math.sqrt(variancePerS) * 10_000 : undefined,
      ts: book.ts,
    };
    if (s === undefined) {
      this.#bySymbol.set(book.symbol, { mid, ts: book.ts, variancePerS, samples, touch });
    } else if (book.ts >= s.ts) {
      s.mid = mid;
      s.ts = book.ts;
      s.variancePerS = variancePerS;
      s.samples = samples;
      s.touch = touch;
    }
  }

  touch(symbol: string): TouchStats | undefined {
    return this.#bySymbol.get(symbol)?.touch;
  }
}
