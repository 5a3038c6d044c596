/**
 * One local order book from Bybit's `orderbook.{depth}.{symbol}` topic: a snapshot replaces
 * everything, a delta sets absolute sizes (0 deletes) and must carry `u` = previous `u` + 1.
 * Anything else is a gap: the book is no longer trustworthy and must be resynced from a fresh
 * snapshot. A crossed result is treated the same way (a book that crosses is a book we lost).
 * The levels themselves are the shared `LevelBook`.
 */
import { LevelBook, type Levels, type Top } from "../live/level-book.ts";

export type { Top };

export type DeltaResult = "applied" | "gap" | "crossed" | "not-synced";

export class LocalBook {
  readonly #levels = new LevelBook();
  #u: number | undefined;

  get synced(): boolean {
    return this.#u !== undefined;
  }

  get lastU(): number | undefined {
    return this.#u;
  }

  snapshot(bids: Levels, asks: Levels, u: number): "applied" | "crossed" {
    this.#levels.clear();
    this.#levels.apply(bids, asks);
    this.#u = u;
    if (this.#levels.crossed()) {
      this.invalidate();
      return "crossed";
    }
    return "applied";
  }

  delta(bids: Levels, asks: Levels, u: number): DeltaResult {
    if (this.#u === undefined) return "not-synced";
    if (u !== this.#u + 1) {
      this.invalidate();
      return "gap";
    }
    this.#levels.apply(bids, asks);
    this.#u = u;
    if (this.#levels.crossed()) {
      this.invalidate();
      return "crossed";
    }
    return "applied";
  }

  /** Forget everything: the next trustworthy state is a snapshot. */
  invalidate(): void {
    this.#levels.clear();
    this.#u = undefined;
  }

  top(): Top | undefined {
    return this.#levels.top();
  }
}
