/**
 * Public market data over one combined stream (`/stream?streams=<s>@depth@100ms/<s>@aggTrade/…`):
 * books kept by the documented diff-depth procedure (`order-book.ts`, snapshots from REST) and
 * published as `market.book` top-of-book events, aggregated trades as `market.trade`.
 *
 * A book is trusted only once synced. A `pu` break, a book that crosses, a snapshot that cannot
 * be bridged or a reconnect loses it: the symbol goes `resyncing` (a `market.status` event and a
 * `BOOK_RESYNC` alert), its diffs are buffered again and a fresh snapshot is taken; the first
 * book after it is flagged `afterGap`. While any book is not synced the stream is not `ready`,
 * and the live core takes no new exposure (`LiveVenue.blocksNewExposure`).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type HeanError, isHeanError, describeError } from "../../core/errors.ts";
import { type HeanEvent, type MarketStatusEvent, symbolIdOf } from "../../core/events.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { Top } from "../live/level-book.ts";
import { backoffMs } from "../live/backoff.ts";
import { type WireMessage, WsConnection } from "../live/ws-connection.ts";
import { DiffBook, type SyncResult } from "./order-book.ts";
import { type WireDepthSnapshot, parseAggTrade, parseDepthUpdate, protocolError } from "./wire.ts";
import { binanceStreamBasics } from "./stream-basics.ts";

export interface PublicStreamOptions {
  /** The market-stream base (`wss://fstream.binance.com`). */
  readonly url: string;
  readonly symbols: readonly string[];
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  /** The REST depth snapshot of a symbol (already parsed); throws when it cannot be had. */
  readonly snapshot: (symbol: string) => Promise<WireDepthSnapshot>;
  readonly emit: (event: HeanEvent) => void;
  readonly alert: (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;
  readonly onMalformed?: ((error: HeanError) => void) | undefined;
  /** Reconnect before the venue's 24 h connection limit (default 23 h 50 min). */
  readonly maxConnectionMs?: number | undefined;
}

interface SymbolBook {
  readonly symbol: string;
  /** `symbolIdOf(symbol)`, resolved once: every book and trade is stamped with it for the bus. */
  readonly symbolId: number;
  readonly book: DiffBook;
  gapPending: boolean;
  last: Top | undefined;
  status: MarketStatusEvent["status"] | undefined;
  /** A snapshot request under way (its generation), or undefined. */
  fetching: number | undefined;
  retry: TimerHandle | undefined;
  attempts: number;
}

export const DEFAULT_MAX_CONNECTION_MS = 24 * 3600_000 - 10 * 60_000;

/** The REST snapshot depth for a configured book depth (deep enough that the touch stays inside it). */
export function snapshotLimit(bookDepth: number): number {
  return bookDepth <= 50 ? 100 : bookDepth <= 200 ? 500 : 1000;
}

export class PublicStream {
  readonly #o: PublicStreamOptions;
  readonly #conn: WsConnection;
  readonly #books = new Map<string, SymbolBook>();
  /** Counts connections: a snapshot asked on an earlier one is thrown away. */
  #generation = 0;
  #lifetime: TimerHandle | undefined;
  resyncs = 0;
  gaps = 0;
  malformed = 0;
  snapshots = 0;

  constructor(options: PublicStreamOptions) {
    this.#o = options;
    for (const symbol of options.symbols) {
      this.#books.set(symbol, { symbol, symbolId: symbolIdOf(symbol), book: new DiffBook(), gapPending: false, last: undefined, status: undefined, fetching: undefined, retry: undefined, attempts: 0 });
    }
    const streams = options.symbols.flatMap((s) => [`${s.toLowerCase()}@depth@100ms`, `${s.toLowerCase()}@aggTrade`]);
    const t = options.tuning;
    this.#conn = new WsConnection({
      url: `${options.url.replace(/\/+$/, "")}/stream?streams=${streams.join("/")}`,
      clock: options.clock,
      random: options.random,
      ...binanceStreamBasics(t),
      idleTimeoutMs: t.publicIdleMs,
      onMalformed: (e) => this.#malformed(e),
      onOpen: () => this.#onOpen(),
      onMessage: (m) => this.#onMessage(m),
      onDown: (reason) => this.#onDown(reason),
      onIdle: (silentMs) => options.alert("warning", "PUBLIC_STREAM_SILENT", `public stream open but silent for ${silentMs} ms: reconnecting`, { silentMs }),
    });
  }

  get up(): boolean {
    return this.#conn.up;
  }

  get ready(): boolean {
    return this.#conn.up && [...this.#books.values()].every((b) => b.book.synced);
  }

  /** Symbols whose book is not synced (no new exposure on them). */
  staleSymbols(): string[] {
    return [...this.#books.values()].filter((b) => !this.#conn.up || !b.book.synced).map((b) => b.symbol);
  }

  get reconnects(): number {
    return this.#conn.reconnects;
  }

  start(): void {
    this.#conn.start();
  }

  async stop(): Promise<void> {
    this.#lifetime?.cancel();
    for (const b of this.#books.values()) b.retry?.cancel();
    this.#generation++;
    await this.#conn.stop();
  }

  #onOpen(): void {
    this.#generation++;
    this.#lifetime?.cancel();
    // Binance closes every connection after 24 h: leave a little before, on our own terms.
    this.#lifetime = this.#o.clock.setTimeout(() => this.#conn.restart("connection lifetime reached: reconnecting before the venue's 24 h limit"), this.#o.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS);
    for (const b of this.#books.values()) {
      if (b.last !== undefined) b.gapPending = true;
      this.#startSync(b, "connected: buffering diffs for a fresh snapshot");
    }
  }

  #onDown(reason: string): void {
    this.#lifetime?.cancel();
    this.#generation++;
    for (const b of this.#books.values()) {
      b.book.reset();
      b.retry?.cancel();
      b.fetching = undefined;
      if (b.last !== undefined) b.gapPending = true;
      this.#status(b, "stale", `public stream lost: ${reason}`);
    }
  }

  #onMessage(m: WireMessage): void {
    const data = m.data;
    if (typeof m.stream !== "string" || typeof data !== "object" || data === null || Array.isArray(data)) {
      // Replies to requests (`{result, id}`) are not data; anything else is not understood.
      if (!("id" in m)) this.#malformed(protocolError("frame", "stream", m.stream, "a combined-stream message"));
      return;
    }
    const d = data as Record<string, unknown>;
    try {
      if (d.e === "depthUpdate") this.#onDepth(parseDepthUpdate(d));
      else if (d.e === "aggTrade") {
        const t = parseAggTrade(d);
        const b = this.#books.get(t.symbol);
        // The book's symbol, not the message's copy: the bus then meets one string per symbol.
        if (b !== undefined) this.#o.emit({ type: "market.trade", ts: this.#o.clock.now(), symbol: b.symbol, symbolId: b.symbolId, price: t.price, qty: t.qty, side: t.side, venueTs: t.time });
      } else this.#malformed(protocolError("frame", "e", d.e, "depthUpdate or aggTrade"));
    } catch (e) {
      if (!isHeanError(e, "VENUE_PROTOCOL")) throw e;
      this.#malformed(e);
      // A lost diff is a lost sequence: only a fresh snapshot can be trusted.
      const symbol = typeof d.s === "string" ? d.s : undefined;
      const b = symbol === undefined || d.e !== "depthUpdate" ? undefined : this.#books.get(symbol);
      if (b !== undefined) this.#resync(b, "malformed depth update");
    }
  }

  #onDepth(e: ReturnType<typeof parseDepthUpdate>): void {
    const b = this.#books.get(e.symbol);
    if (b === undefined) return;
    const before = b.book.lastU;
    const r = b.book.onUpdate(e);
    if (r === "applied" && b.status === "live") {
      this.#publish(b, e.time);
      return;
    }
    if (r === "gap") {
      this.gaps++;
      this.#resync(b, `sequence break: pu=${e.prevLastId} is not the previous u=${before}`);
      b.book.onUpdate(e);
      return;
    }
    this.#settled(b, r, e.time);
  }

  /** What a bridging event or a snapshot did. */
  #settled(b: SymbolBook, r: SyncResult, venueTs: number): void {
    if (r === "crossed") this.#resync(b, "the book crossed");
    else if (r === "snapshot-too-old") this.#refetch(b, "the snapshot is older than the buffered diffs");
    else if (b.book.synced && b.status !== "live") {
      // The first event after the snapshot bridged it (now, or as the snapshot was applied).
      b.attempts = 0;
      this.#status(b, "live", `synced at u=${b.book.lastU}`);
      if ([...this.#books.values()].every((x) => x.book.synced)) this.#conn.healthy();
      this.#publish(b, venueTs);
    }
  }

  /** The book is lost: say so, buffer again and take a fresh snapshot. */
  #resync(b: SymbolBook, why: string): void {
    this.resyncs++;
    b.gapPending = true;
    this.#o.alert("warning", "BOOK_RESYNC", `${b.symbol}: ${why}; resyncing from a fresh snapshot`, { symbol: b.symbol, why });
    this.#startSync(b, why);
  }

  #startSync(b: SymbolBook, why: string): void {
    b.book.reset();
    this.#status(b, "resyncing", why);
    this.#refetch(b, why);
  }

  /**
   * The first snapshot of a sync at once, the next ones (until the book is live again) with
   * backoff: a book whose snapshots keep missing must not spend the minute's request weight
   * (a depth snapshot weighs up to 20 of 2,400) and stall every other request with it.
   */
  #refetch(b: SymbolBook, why: string): void {
    const attempt = b.attempts++;
    if (attempt === 0) return this.#fetch(b, why);
    b.retry?.cancel();
    b.retry = this.#o.clock.setTimeout(() => this.#fetch(b, why), backoffMs(attempt - 1, 250, 5_000, this.#o.random));
  }

  #fetch(b: SymbolBook, why: string): void {
    b.retry?.cancel();
    b.retry = undefined;
    const generation = this.#generation;
    if (b.fetching === generation) return;
    b.fetching = generation;
    void this.#o.snapshot(b.symbol).then(
      (s) => {
        if (b.fetching !== generation || this.#generation !== generation) return;
        b.fetching = undefined;
        this.snapshots++;
        const r = b.book.onSnapshot(s);
        if (r === "gap") {
          this.gaps++;
          this.#resync(b, "sequence break in the buffered diffs");
        } else this.#settled(b, r, s.time);
      },
      (e: unknown) => {
        if (b.fetching !== generation || this.#generation !== generation) return;
        b.fetching = undefined;
        const delay = backoffMs(b.attempts++, 250, 5_000, this.#o.random);
        this.#o.alert("warning", "BOOK_RESYNC", `${b.symbol}: depth snapshot failed (${describeError(e).message}); retrying in ${delay} ms`, { symbol: b.symbol, why });
        b.retry = this.#o.clock.setTimeout(() => this.#fetch(b, why), delay);
      },
    );
  }

  #publish(b: SymbolBook, venueTs: number): void {
    const top = b.book.top();
    if (top === undefined) return;
    const last = b.last;
    const changed = last === undefined || last.bid !== top.bid || last.ask !== top.ask || last.bidQty !== top.bidQty || last.askQty !== top.askQty;
    if (!changed && !b.gapPending) return;
    b.last = top;
    const afterGap = b.gapPending;
    b.gapPending = false;
    this.#o.emit({ type: "market.book", ts: this.#o.clock.now(), symbol: b.symbol, symbolId: b.symbolId, bid: top.bid, bidQty: top.bidQty, ask: top.ask, askQty: top.askQty, venueTs, afterGap });
  }

  #malformed(error: HeanError): void {
    this.malformed++;
    this.#o.onMalformed?.(error);
  }

  #status(b: SymbolBook, status: MarketStatusEvent["status"], detail: string): void {
    if (b.status === status) return;
    b.status = status;
    this.#o.emit({ type: "market.status", ts: this.#o.clock.now(), symbol: b.symbol, status, detail });
  }
}
