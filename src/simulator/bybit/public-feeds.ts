/**
 * The public stream's data: per-topic order books (snapshot, then deltas whose `u` counts up by
 * one per topic; level 1 sends only snapshots and re-pushes an unchanged book every 3 s with the
 * same `u`), public trades, and tickers (a snapshot, then only the fields that changed).
 *
 * Every subscriber of a topic sees the same `u` sequence, as on Bybit. Deltas are diffs against
 * what was last sent, so a stale period or a lost (gap-injected) delta leaves exactly the
 * inconsistency a real client would have to detect.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { FaultState } from "../shared/faults.ts";
import type { WsPeer } from "../shared/ws-peer.ts";
import { diffLevels as diff, sortLevels, type WireLevel } from "../shared/book-diff.ts";

export type { WireLevel } from "../shared/book-diff.ts";
export interface WireBook {
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
}
export interface WirePublicTrade {
  readonly T: number;
  readonly s: string;
  readonly S: "Buy" | "Sell";
  readonly v: string;
  readonly p: string;
  readonly L: string;
  readonly i: string;
  readonly BT: boolean;
  readonly seq: number;
}

/** What the feeds read from the market. */
export interface MarketView {
  hasSymbol(symbol: string): boolean;
  bookLevels(symbol: string, depth: number): WireBook;
  /** Every linear ticker field, as wire strings. */
  ticker(symbol: string): Readonly<Record<string, string>>;
  /** The cross sequence: grows with every book or trade change. */
  crossSeq(): number;
}

export const BOOK_DEPTHS: Readonly<Record<number, number>> = { 1: 10, 50: 20, 200: 100, 1000: 200 };
const TICKER_INTERVAL_MS = 100;
const LEVEL1_REPUSH_MS = 3000;
const TICK_MS = 10;
/** Topics start well above 1 so that `u=1` only ever means a restart. */
const FIRST_U = 1000;

interface BookTopic {
  readonly topic: string;
  readonly symbol: string;
  readonly depth: number;
  u: number;
  sentBids: Map<string, string>;
  sentAsks: Map<string, string>;
  lastPushAt: number;
  readonly synced: Set<WsPeer>;
  readonly pendingSnapshot: Set<WsPeer>;
}

interface TickerTopic {
  readonly topic: string;
  readonly symbol: string;
  sent: Readonly<Record<string, string>>;
  lastPushAt: number;
  readonly synced: Set<WsPeer>;
  readonly pendingSnapshot: Set<WsPeer>;
}

export type TopicCheck = { readonly ok: true } | { readonly ok: false; readonly error: string };

export class PublicFeeds {
  readonly #market: MarketView;
  readonly #faults: FaultState;
  readonly #clock: Clock;
  readonly #books = new Map<string, BookTopic>();
  readonly #tickers = new Map<string, TickerTopic>();
  readonly #tradeSubscribers = new Map<string, Set<WsPeer>>();
  readonly #pendingTrades = new Map<string, WirePublicTrade[]>();
  #timer: TimerHandle | undefined;

  constructor(market: MarketView, faults: FaultState, clock: Clock) {
    this.#market = market;
    this.#faults = faults;
    this.#clock = clock;
  }

  start(): void {
    this.#timer ??= this.#clock.setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  check(topic: string): TopicCheck {
    const parts = topic.split(".");
    const [kind] = parts;
    const shapeOk =
      (kind === "orderbook" && parts.length === 3 && BOOK_DEPTHS[Number(parts[1])] !== undefined) ||
      ((kind === "publicTrade" || kind === "tickers") && parts.length === 2);
    if (!shapeOk) return { ok: false, error: `error:handler not found,topic:${topic}` };
    if (!this.#market.hasSymbol(parts[parts.length - 1]!)) return { ok: false, error: `Invalid symbol :[${topic}]` };
    return { ok: true };
  }

  /** Add a (checked) topic for `peer`; its first data message is a snapshot. */
  subscribe(peer: WsPeer, topic: string): void {
    const parts = topic.split(".");
    if (parts[0] === "orderbook") {
      const book = this.#book(topic, parts[2]!, Number(parts[1]));
      book.pendingSnapshot.add(peer);
    } else if (parts[0] === "tickers") {
      this.#ticker(topic, parts[1]!).pendingSnapshot.add(peer);
    } else {
      const set = this.#tradeSubscribers.get(parts[1]!) ?? new Set<WsPeer>();
      set.add(peer);
      this.#tradeSubscribers.set(parts[1]!, set);
    }
    // Bybit may send the snapshot before the subscribe ack; we send it on the next tick, after.
  }

  unsubscribe(peer: WsPeer, topic: string): void {
    const parts = topic.split(".");
    for (const t of [this.#books.get(topic), this.#tickers.get(topic)]) {
      t?.synced.delete(peer);
      t?.pendingSnapshot.delete(peer);
    }
    if (parts[0] === "publicTrade") this.#tradeSubscribers.get(parts[1] ?? "")?.delete(peer);
  }

  drop(peer: WsPeer): void {
    for (const topic of peer.subscriptions) this.unsubscribe(peer, topic);
  }

  /** A trade printed by the market; delivered on the next tick (Bybit batches trades). */
  trade(trade: WirePublicTrade): void {
    if (this.#faults.isPublicStale(this.#clock.now())) return;
    if ((this.#tradeSubscribers.get(trade.s)?.size ?? 0) === 0) return;
    const list = this.#pendingTrades.get(trade.s) ?? [];
    list.push(trade);
    this.#pendingTrades.set(trade.s, list);
  }

  /** Every order-book topic restarts: a `u=1` snapshot to every subscriber, deltas continue from 2. */
  restartBooks(): void {
    const now = this.#clock.now();
    for (const book of this.#books.values()) {
      this.#refreshSent(book);
      book.u = 1;
      book.lastPushAt = now;
      for (const peer of book.synced) peer.send(this.#bookMessage(book, "snapshot", [...book.sentBids], [...book.sentAsks], now));
    }
  }

  /** Forget all topic state (after a reset: the market is new). */
  clear(): void {
    this.#books.clear();
    this.#tickers.clear();
    this.#tradeSubscribers.clear();
    this.#pendingTrades.clear();
  }

  tick(): void {
    const now = this.#clock.now();
    if (this.#faults.isPublicStale(now)) return;
    for (const book of this.#books.values()) this.#tickBook(book, now);
    for (const ticker of this.#tickers.values()) this.#tickTicker(ticker, now);
    for (const [symbol, trades] of this.#pendingTrades) {
      if (trades.length === 0) continue;
      this.#pendingTrades.set(symbol, []);
      const message = { topic: `publicTrade.${symbol}`, type: "snapshot", ts: now, data: trades };
      for (const peer of this.#tradeSubscribers.get(symbol) ?? []) peer.send(message);
    }
  }

  #book(topic: string, symbol: string, depth: number): BookTopic {
    let book = this.#books.get(topic);
    if (book === undefined) {
      book = { topic, symbol, depth, u: FIRST_U, sentBids: new Map(), sentAsks: new Map(), lastPushAt: 0, synced: new Set(), pendingSnapshot: new Set() };
      this.#refreshSent(book);
      this.#books.set(topic, book);
    }
    return book;
  }

  #ticker(topic: string, symbol: string): TickerTopic {
    let ticker = this.#tickers.get(topic);
    if (ticker === undefined) {
      ticker = { topic, symbol, sent: this.#market.ticker(symbol), lastPushAt: 0, synced: new Set(), pendingSnapshot: new Set() };
      this.#tickers.set(topic, ticker);
    }
    return ticker;
  }

  #refreshSent(book: BookTopic): void {
    const view = this.#market.bookLevels(book.symbol, book.depth);
    book.sentBids = new Map(view.bids);
    book.sentAsks = new Map(view.asks);
  }

  #tickBook(book: BookTopic, now: number): void {
    if (book.synced.size === 0 && book.pendingSnapshot.size === 0) return;
    const interval = BOOK_DEPTHS[book.depth] ?? TICK_MS;
    if (now - book.lastPushAt >= interval) {
      const view = this.#market.bookLevels(book.symbol, book.depth);
      const bids = diff(book.sentBids, view.bids);
      const asks = diff(book.sentAsks, view.asks);
      const changed = bids.length > 0 || asks.length > 0;
      if (changed) {
        book.u += 1;
        book.sentBids = new Map(view.bids);
        book.sentAsks = new Map(view.asks);
        book.lastPushAt = now;
        if (book.depth === 1) {
          for (const peer of book.synced) peer.send(this.#bookMessage(book, "snapshot", view.bids, view.asks, now));
        } else if (!this.#faults.takeBookGap(book.topic)) {
          const message = this.#bookMessage(book, "delta", bids, asks, now);
          for (const peer of book.synced) peer.send(message);
        }
      } else if (book.depth === 1 && now - book.lastPushAt >= LEVEL1_REPUSH_MS) {
        book.lastPushAt = now;
        for (const peer of book.synced) peer.send(this.#bookMessage(book, "snapshot", [...book.sentBids], [...book.sentAsks], now));
      }
    }
    for (const peer of book.pendingSnapshot) {
      peer.send(this.#bookMessage(book, "snapshot", [...book.sentBids], [...book.sentAsks], now));
      book.synced.add(peer);
    }
    book.pendingSnapshot.clear();
  }

  #bookMessage(book: BookTopic, type: "snapshot" | "delta", bids: readonly WireLevel[], asks: readonly WireLevel[], now: number): unknown {
    return {
      topic: book.topic,
      type,
      ts: now,
      data: { s: book.symbol, b: sortLevels(bids, "desc"), a: sortLevels(asks, "asc"), u: book.u, seq: this.#market.crossSeq() },
      cts: now,
    };
  }

  #tickTicker(ticker: TickerTopic, now: number): void {
    if (ticker.synced.size === 0 && ticker.pendingSnapshot.size === 0) return;
    if (now - ticker.lastPushAt >= TICKER_INTERVAL_MS) {
      const current = this.#market.ticker(ticker.symbol);
      const changed: Record<string, string> = {};
      for (const [k, v] of Object.entries(current)) if (ticker.sent[k] !== v) changed[k] = v;
      if (Object.keys(changed).length > 0) {
        ticker.sent = current;
        ticker.lastPushAt = now;
        const message = { topic: ticker.topic, type: "delta", data: { symbol: ticker.symbol, ...changed }, cs: this.#market.crossSeq(), ts: now };
        for (const peer of ticker.synced) peer.send(message);
      }
    }
    for (const peer of ticker.pendingSnapshot) {
      peer.send({ topic: ticker.topic, type: "snapshot", data: { ...ticker.sent }, cs: this.#market.crossSeq(), ts: now });
      ticker.synced.add(peer);
    }
    ticker.pendingSnapshot.clear();
  }
}
