/**
 * One local order book kept from Binance's diff-depth stream by the documented procedure:
 *
 * 1. buffer the stream's `depthUpdate` events;
 * 2. take a REST snapshot (`lastUpdateId` L);
 * 3. drop buffered events with `u` < L;
 * 4. the first event applied must bracket the snapshot: `U` ≤ L ≤ `u`, or follow on from it:
 *    its `pu` (where the stream's previous event ended) ≤ L, so nothing of this symbol happened
 *    between the snapshot and the event. Otherwise events were missed between: take a newer
 *    snapshot;
 * 5. from then on every event's `pu` must equal the previous event's `u`.
 *
 * A break of (5), or a book that crosses, means the book is lost: it is cleared and the
 * procedure starts over from (1). Only a `synced` book is trustworthy.
 */
import { LevelBook, type Top } from "../live/level-book.ts";
import type { WireDepthSnapshot, WireDepthUpdate } from "./wire.ts";

export type BookState = "buffering" | "bridging" | "synced";
/** What an event or snapshot did to the book. */
export type SyncResult =
  /** Held until a snapshot arrives. */
  | "buffered"
  /** Older than the book: nothing to do. */
  | "dropped"
  | "applied"
  /** The snapshot was applied with the buffered events after it: the book is synced (or waits for the bridging event). */
  | "synced"
  /** The snapshot is older than every event we hold: take another one. */
  | "snapshot-too-old"
  /** `pu` is not the previous `u`: updates were lost. */
  | "gap"
  | "crossed";

/**
 * Whether `e` (with `u` ≥ L) continues a snapshot taken at L. Only `U` ≤ L is the documented
 * test; a snapshot taken right after an event was pushed (L = that event's `u`) is followed by
 * an event starting at L + 1, which that test refuses although nothing was missed, and the
 * newer snapshot it asks for is as likely to land on a boundary again: a refetch loop that
 * spent the request weight of the minute (seen in the chaos scenarios).
 */
function bridges(e: WireDepthUpdate, lastUpdateId: number): boolean {
  return e.firstId <= lastUpdateId || e.prevLastId <= lastUpdateId;
}

/** A book that cannot sync in this many buffered events has a problem a snapshot will not fix by waiting. */
const MAX_BUFFER = 5_000;

export class DiffBook {
  readonly #levels = new LevelBook();
  #state: BookState = "buffering";
  #buffer: WireDepthUpdate[] = [];
  /** The snapshot's id while bridging. */
  #snapshotId = 0;
  #lastU = 0;

  get state(): BookState {
    return this.#state;
  }

  get synced(): boolean {
    return this.#state === "synced";
  }

  get lastU(): number {
    return this.#lastU;
  }

  /** Forget everything and buffer again (after a break or a reconnect). */
  reset(): void {
    this.#levels.clear();
    this.#state = "buffering";
    this.#buffer = [];
    this.#snapshotId = 0;
    this.#lastU = 0;
  }

  onUpdate(e: WireDepthUpdate): SyncResult {
    switch (this.#state) {
      case "buffering":
        if (this.#buffer.length >= MAX_BUFFER) this.#buffer.shift();
        this.#buffer.push(e);
        return "buffered";
      case "bridging":
        return this.#bridge(e);
      case "synced":
        if (e.lastId <= this.#lastU) return "dropped";
        if (e.prevLastId !== this.#lastU) return this.#lost("gap");
        return this.#apply(e);
    }
  }

  /** A REST snapshot for this book (only while buffering). */
  onSnapshot(s: WireDepthSnapshot): SyncResult {
    if (this.#state !== "buffering") return "dropped";
    const pending = this.#buffer.filter((e) => e.lastId >= s.lastUpdateId);
    const first = pending[0];
    if (first !== undefined && !bridges(first, s.lastUpdateId)) {
      // Events between the snapshot and the first we hold are gone: a newer snapshot is needed.
      this.#buffer = pending;
      return "snapshot-too-old";
    }
    this.#buffer = [];
    this.#levels.clear();
    this.#levels.apply(s.bids, s.asks);
    this.#snapshotId = s.lastUpdateId;
    this.#state = "bridging";
    for (const e of pending) {
      const r = this.onUpdate(e);
      if (r === "gap" || r === "crossed" || r === "snapshot-too-old") return r;
    }
    if (this.#levels.crossed()) return this.#lost("crossed");
    return "synced";
  }

  top(): Top | undefined {
    return this.#state === "synced" ? this.#levels.top() : undefined;
  }

  #bridge(e: WireDepthUpdate): SyncResult {
    if (e.lastId < this.#snapshotId) return "dropped";
    if (!bridges(e, this.#snapshotId)) return this.#lost("snapshot-too-old");
    this.#state = "synced";
    return this.#apply(e);
  }

  #apply(e: WireDepthUpdate): SyncResult {
    this.#levels.apply(e.bids, e.asks);
    this.#lastU = e.lastId;
    if (this.#levels.crossed()) return this.#lost("crossed");
    return "applied";
  }

  #lost<R extends SyncResult>(why: R): R {
    this.reset();
    return why;
  }
}
