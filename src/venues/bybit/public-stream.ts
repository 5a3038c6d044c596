/**
 * Public market data: `orderbook.{depth}.{symbol}` kept as local books and published as
 * `market.book` top-of-book events, `publicTrade.{symbol}` as `market.trade`.
 *
 * A book is trusted only from a snapshot on: a delta whose `u` is not the previous + 1, a
 * `u=1` snapshot (Bybit restarted the feed), a crossed book or any later snapshot means the
 * local book was lost. The symbol goes `resyncing` (a `market.status` event and an alert), the
 * topic is resubscribed to force a fresh snapshot, and the first book after it is flagged
 * `afterGap` so strategies and risk know it is not continuous. After a reconnect every book is
 * stale until its fresh snapshot, with the same flag.
 */
import type { Clock } from "../../core/clock.ts";
import { type HeanError, isHeanError } from "../../core/errors.ts";
import { type HeanEvent, type MarketStatusEvent, symbolIdOf } from "../../core/events.ts";
import { LocalBook, type Top } from "./order-book.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import { type WireTrade, parseBook, parseTrade, protocolError } from "./wire.ts";
import { type WireMessage, WsConnection } from "../live/ws-connection.ts";
import { bybitStreamBasics } from "./stream-basics.ts";

export interface PublicStreamOptions {
  readonly url: string;
  readonly symbols: readonly string[];
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly emit: (event: HeanEvent) => void;
  readonly alert: (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;
  /** A frame or item that fails the wire rules (`VENUE_PROTOCOL`); it has been dropped. */
  readonly onMalformed?: (error: HeanError) => void;
}

interface SymbolBook {
  readonly symbol: string;
  /** `symbolIdOf(symbol)`, resolved once: every book and trade is stamped with it for the bus. */
  readonly symbolId: number;
  readonly topic: string;
  readonly book: LocalBook;
  /** The next book published must say afterGap (set by gaps, restarts and reconnects). */
  gapPending: boolean;
  /** A snapshot has been seen since this connection opened. */
  seenSnapshot: boolean;
  last: Top | undefined;
  status: MarketStatusEvent["status"] | undefined;
}

export class PublicStream {
  readonly #o: PublicStreamOptions;
  readonly #conn: WsConnection;
  readonly #books = new Map<string, SymbolBook>();
  readonly #byTopic = new Map<string, SymbolBook>();
  resyncs = 0;
  gaps = 0;
  malformed = 0;
  idleReconnects = 0;

  constructor(options: PublicStreamOptions) {
    this.#o = options;
    for (const symbol of options.symbols) {
      const topic = `orderbook.${options.tuning.bookDepth}.${symbol}`;
      const b: SymbolBook = { symbol, symbolId: symbolIdOf(symbol), topic, book: new LocalBook(), gapPending: false, seenSnapshot: false, last: undefined, status: undefined };
      this.#books.set(symbol, b);
      this.#byTopic.set(topic, b);
    }
    const t = options.tuning;
    this.#conn = new WsConnection({
      url: options.url,
      clock: options.clock,
      random: options.random,
      ...bybitStreamBasics(t),
      idleTimeoutMs: t.publicIdleMs,
      onMalformed: (e) => options.onMalformed?.(e),
      onOpen: () => this.#onOpen(),
      onMessage: (m) => this.#onMessage(m),
      onDown: (reason) => this.#onDown(reason),
      onIdle: (silentMs) => {
        this.idleReconnects++;
        options.alert("warning", "PUBLIC_STREAM_SILENT", `public stream open but silent for ${silentMs} ms: reconnecting`, { silentMs });
      },
    });
  }

  get up(): boolean {
    return this.#conn.up;
  }

  /** Every book has had its snapshot on the current connection. */
  get synced(): boolean {
    return this.#conn.up && [...this.#books.values()].every((b) => b.book.synced);
  }

  get ready(): boolean {
    return this.synced;
  }

  /** Symbols whose book is not synced: the live core takes no new exposure on them. */
  staleSymbols(): string[] {
    return [...this.#books.values()].filter((b) => !this.#conn.up || !b.book.synced).map((b) => b.symbol);
  }

  get reconnects(): number {
    return this.#conn.reconnects;
  }

  start(): void {
    this.#conn.start();
  }

  stop(): Promise<void> {
    return this.#conn.stop();
  }

  #onOpen(): void {
    for (const b of this.#books.values()) {
      b.book.invalidate();
      b.seenSnapshot = false;
      if (b.last !== undefined) b.gapPending = true;
      this.#status(b, "resyncing", "connected: waiting for a fresh snapshot");
    }
    const topics = [...this.#books.values()].flatMap((b) => [b.topic, `publicTrade.${b.symbol}`]);
    this.#conn.send({ op: "subscribe", req_id: "hean-public", args: topics });
  }

  #onDown(reason: string): void {
    for (const b of this.#books.values()) {
      b.book.invalidate();
      if (b.last !== undefined) b.gapPending = true;
      this.#status(b, "stale", `public stream lost: ${reason}`);
    }
  }

  #onMessage(m: WireMessage): void {
    const topic = typeof m.topic === "string" ? m.topic : undefined;
    if (topic === undefined) {
      if (m.op === "subscribe" && m.success === false) {
        this.#o.alert("warning", "PUBLIC_SUBSCRIBE_FAILED", `public subscribe refused: ${String(m.ret_msg)}`, { reply: String(m.ret_msg) });
      }
      // Neither data nor a reply to anything we asked.
      if (typeof m.op !== "string") this.#malformed(protocolError("frame", "topic", m.topic, "a topic or an op"));
      return;
    }
    if (topic.startsWith("publicTrade.")) {
      this.#onTrades(m);
      return;
    }
    const b = this.#byTopic.get(topic);
    if (b !== undefined) this.#onBook(b, m);
    else this.#malformed(protocolError("frame", "topic", topic, "a subscribed topic"));
  }

  #onBook(b: SymbolBook, m: WireMessage): void {
    const msg = this.#parsed(m, parseBook);
    if (msg === undefined) {
      // The update is lost, and with it the sequence: only a fresh snapshot can be trusted.
      this.#resync(b, "malformed book message");
      return;
    }
    const { u, bids, asks, ts: venueTs } = msg;
    if (msg.type === "snapshot") {
      // Any snapshot after the first of this connection, or u=1 (feed restart), replaces a book we
      // thought continuous: whatever came before is no longer comparable.
      // Level 1 re-pushes snapshots as its normal updates: only a step back in u is a break there.
      const routine = this.#o.tuning.bookDepth === 1 && b.book.lastU !== undefined && u >= b.book.lastU && u !== 1;
      if ((b.seenSnapshot && !routine) || u === 1) b.gapPending ||= b.last !== undefined;
      if (u === 1 && b.seenSnapshot) {
        this.resyncs++;
        this.#o.alert("warning", "BOOK_RESTART", `${b.symbol}: the venue restarted its book (u=1 snapshot)`, { symbol: b.symbol });
      }
      b.seenSnapshot = true;
      if (b.book.snapshot(bids, asks, u) === "crossed") {
        this.#resync(b, "snapshot is crossed");
        return;
      }
      this.#status(b, "live", `snapshot u=${u}`);
      this.#conn.healthy();
      this.#publish(b, venueTs);
      return;
    }
    const before = b.book.lastU;
    const result = b.book.delta(bids, asks, u);
    if (result === "not-synced") return;
    if (result === "gap") {
      this.gaps++;
      this.#resync(b, `sequence gap: expected u=${(before ?? 0) + 1}, got u=${u}`);
      return;
    }
    if (result === "crossed") {
      this.#resync(b, `book crossed after u=${u}`);
      return;
    }
    this.#publish(b, venueTs);
  }

  /** The book is lost: say so, and ask for a fresh snapshot by resubscribing the topic. */
  #resync(b: SymbolBook, why: string): void {
    this.resyncs++;
    b.book.invalidate();
    b.gapPending = true;
    this.#status(b, "resyncing", why);
    this.#o.alert("warning", "BOOK_RESYNC", `${b.symbol}: ${why}; resyncing from a fresh snapshot`, { symbol: b.symbol, why });
    this.#conn.send({ op: "unsubscribe", req_id: `hean-unsub-${b.symbol}`, args: [b.topic] });
    this.#conn.send({ op: "subscribe", req_id: `hean-resub-${b.symbol}`, args: [b.topic] });
  }

  /**
   * A top of book that moved is published (the first after a gap, reconnect or restart flagged
   * `afterGap`). One that did not move is not fresh market data, not even in a fresh snapshot: a
   * feed gone quiet (Bybit's stream open and silent) is reconnected every `publicIdleMs`, and
   * each reconnect's snapshot, published, reset the risk's clock on the symbol's silence, so a
   * dead feed never read as stale (no flatten, entries taken on the last prices). It stays
   * flagged until the top moves, and the silence counts from the last move.
   */
  #publish(b: SymbolBook, venueTs: number): void {
    const top = b.book.top();
    if (top === undefined) return;
    const last = b.last;
    const changed = last === undefined || last.bid !== top.bid || last.ask !== top.ask || last.bidQty !== top.bidQty || last.askQty !== top.askQty;
    if (!changed) return;
    b.last = top;
    const afterGap = b.gapPending;
    b.gapPending = false;
    this.#o.emit({ type: "market.book", ts: this.#o.clock.now(), symbol: b.symbol, symbolId: b.symbolId, bid: top.bid, bidQty: top.bidQty, ask: top.ask, askQty: top.askQty, venueTs, afterGap });
  }

  #onTrades(m: WireMessage): void {
    const items = this.#parsed(m.data, (data) => {
      if (!Array.isArray(data)) throw protocolError("trade", "data", data, "a list of trades");
      return data as unknown[];
    });
    if (items === undefined) return;
    const now = this.#o.clock.now();
    for (const item of items) {
      const t: WireTrade | undefined = this.#parsed(item, parseTrade);
      if (t === undefined) continue;
      const b = this.#books.get(t.symbol);
      if (b === undefined) continue;
      // The book's symbol, not the message's copy: the bus then meets one string per symbol.
      this.#o.emit({ type: "market.trade", ts: now, symbol: b.symbol, symbolId: b.symbolId, price: t.price, qty: t.qty, side: t.side, venueTs: t.time });
    }
  }

  /** `parse(raw)`, or undefined (counted) when it fails the wire rules. */
  #parsed<T>(raw: unknown, parse: (raw: unknown) => T): T | undefined {
    try {
      return parse(raw);
    } catch (e) {
      if (!isHeanError(e, "VENUE_PROTOCOL")) throw e;
      this.#malformed(e);
      return undefined;
    }
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
