/**
 * Binance market streams: `<symbol>@depth[@100ms|@500ms]` diffs, `@depth5/10/20[@speed]`
 * partial books, `@bookTicker`, `@aggTrade`, `@trade`, `@markPrice[@1s]`.
 *
 * One update-id log per symbol: every sync that finds the book changed takes the next id and
 * records the changed levels. A diff stream merges the log entries after the last id it sent, so
 * `U` = first id, `u` = last id, `pu` = the previous event's `u`, and a REST depth snapshot (which
 * syncs first) brackets exactly one event. A lost event (the `bookGaps` fault) breaks `pu`.
 */
import type { Clock } from "../../core/clock.ts";
import type { FaultState } from "../shared/faults.ts";
import type { WsPeer } from "../shared/ws-peer.ts";
import { diffLevels, sortLevels, type WireLevel } from "../shared/book-diff.ts";

type Level = WireLevel;

export interface MarketSource {
  hasSymbol(symbol: string): boolean;
  levels(symbol: string): { bids: Level[]; asks: Level[]; ts: number };
  markPrice(symbol: string): string;
  nextFundingTime(): number;
}

interface LogEntry {
  readonly id: number;
  readonly bids: Level[];
  readonly asks: Level[];
  readonly ts: number;
}

interface SymbolLog {
  id: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
  ts: number;
  entries: LogEntry[];
  topKey: string;
}

interface StreamState {
  /** Last update id delivered (diff streams) or pushed (others). */
  sentU: number;
  lastPushAt: number;
}

export interface ParsedStream {
  readonly symbol: string;
  readonly kind: "depth" | "partial" | "bookTicker" | "aggTrade" | "trade" | "markPrice";
  readonly intervalMs: number;
  readonly levels: number;
}

const FIRST_ID = 1_000_000;
const TICK_MS = 10;
const LOG_KEEP = 2000;

export function parseStream(name: string, hasSymbol: (symbol: string) => boolean): ParsedStream | undefined {
  const m = /^([a-z0-9]+)@(depth(5|10|20)?|bookTicker|aggTrade|trade|markPrice)(@(100ms|250ms|500ms|1s))?$/.exec(name);
  if (m === null) return undefined;
  const symbol = m[1]!.toUpperCase();
  if (!hasSymbol(symbol)) return undefined;
  const speed = m[5];
  const base = m[2]!;
  if (base.startsWith("depth")) {
    if (speed === "1s") return undefined;
    const intervalMs = speed === "100ms" ? 100 : speed === "500ms" ? 500 : 250;
    return m[3] === undefined ? { symbol, kind: "depth", intervalMs, levels: 0 } : { symbol, kind: "partial", intervalMs, levels: Number(m[3]) };
  }
  if (base === "markPrice") {
    if (speed !== undefined && speed !== "1s") return undefined;
    return { symbol, kind: "markPrice", intervalMs: speed === "1s" ? 1000 : 3000, levels: 0 };
  }
  if (speed !== undefined) return undefined;
  return { symbol, kind: base as "bookTicker" | "aggTrade" | "trade", intervalMs: 0, levels: 0 };
}

export class MarketStreams {
  readonly #source: MarketSource;
  readonly #faults: FaultState;
  readonly #clock: Clock;
  readonly #logs = new Map<string, SymbolLog>();
  /** peer → stream name → state. */
  readonly #subs = new Map<WsPeer, Map<string, StreamState>>();
  readonly #combined = new Set<WsPeer>();

  constructor(deps: { readonly source: MarketSource; readonly faults: FaultState; readonly clock: Clock }) {
    ({ source: this.#source, faults: this.#faults, clock: this.#clock } = deps);
  }

  /** Push on the clock every 10 ms; returns the stop. */
  run(): () => void {
    const timer = this.#clock.setInterval(() => this.tick(), TICK_MS);
    return () => timer.cancel();
  }

  clear(): void {
    this.#logs.clear();
    this.#subs.clear();
    this.#combined.clear();
  }

  attach(peer: WsPeer, combined: boolean): void {
    this.#subs.set(peer, new Map());
    if (combined) this.#combined.add(peer);
  }

  detach(peer: WsPeer): void {
    this.#subs.delete(peer);
    this.#combined.delete(peer);
  }

  setCombined(peer: WsPeer, on: boolean): void {
    if (on) this.#combined.add(peer);
    else this.#combined.delete(peer);
  }

  isCombined(peer: WsPeer): boolean {
    return this.#combined.has(peer);
  }

  subscribe(peer: WsPeer, name: string): void {
    const subs = this.#subs.get(peer);
    if (subs === undefined || subs.has(name)) return;
    const parsed = parseStream(name, (s) => this.#source.hasSymbol(s))!;
    // A diff stream starts from the current id: its first event's `pu` is the id a snapshot taken now would show.
    const log = this.#sync(parsed.symbol);
    subs.set(name, { sentU: log.id, lastPushAt: this.#clock.now() });
    peer.subscriptions.add(name);
  }

  unsubscribe(peer: WsPeer, name: string): void {
    this.#subs.get(peer)?.delete(name);
    peer.subscriptions.delete(name);
  }

  /** The book of `symbol` as of its newest update id (REST depth). */
  snapshot(symbol: string, limit: number): { lastUpdateId: number; bids: Level[]; asks: Level[]; ts: number } {
    const log = this.#sync(symbol);
    return { lastUpdateId: log.id, bids: sortLevels(log.bids, "desc").slice(0, limit), asks: sortLevels(log.asks, "asc").slice(0, limit), ts: log.ts };
  }

  /** A trade printed by the market, pushed at once to `@aggTrade` and `@trade` subscribers. */
  trade(t: { id: number; symbol: string; price: string; qty: string; buyerIsMaker: boolean; time: number }): void {
    const now = this.#clock.now();
    if (this.#faults.isPublicStale(now)) return;
    const lower = t.symbol.toLowerCase();
    for (const [peer, subs] of this.#subs) {
      if (subs.has(`${lower}@aggTrade`)) {
        this.#send(peer, `${lower}@aggTrade`, { e: "aggTrade", E: now, s: t.symbol, a: t.id, p: t.price, q: t.qty, f: t.id, l: t.id, T: t.time, m: t.buyerIsMaker });
      }
      if (subs.has(`${lower}@trade`)) {
        this.#send(peer, `${lower}@trade`, { e: "trade", E: now, T: t.time, s: t.symbol, t: t.id, p: t.price, q: t.qty, X: "MARKET", m: t.buyerIsMaker });
      }
    }
  }

  tick(): void {
    const now = this.#clock.now();
    if (this.#faults.isPublicStale(now)) return;
    const synced = new Set<string>();
    for (const [peer, subs] of this.#subs) {
      for (const [name, state] of subs) {
        const parsed = parseStream(name, (s) => this.#source.hasSymbol(s));
        if (parsed === undefined) continue;
        if (!synced.has(parsed.symbol)) {
          this.#sync(parsed.symbol);
          synced.add(parsed.symbol);
        }
        this.#push(peer, name, parsed, state, now);
      }
    }
  }

  #push(peer: WsPeer, name: string, p: ParsedStream, state: StreamState, now: number): void {
    const log = this.#logs.get(p.symbol)!;
    switch (p.kind) {
      case "depth": {
        if (now - state.lastPushAt < p.intervalMs || log.id === state.sentU) return;
        state.lastPushAt = now;
        const entries = log.entries.filter((e) => e.id > state.sentU);
        const pu = state.sentU;
        state.sentU = log.id;
        // The bookGaps fault: this event is lost, so the next one's `pu` is not the last `u` delivered.
        if (entries.length === 0 || this.#faults.takeBookGap(name)) return;
        const bids = new Map<string, string>();
        const asks = new Map<string, string>();
        for (const e of entries) {
          for (const [px, q] of e.bids) bids.set(px, q);
          for (const [px, q] of e.asks) asks.set(px, q);
        }
        this.#send(peer, name, { e: "depthUpdate", E: now, T: log.ts, s: p.symbol, U: entries[0]!.id, u: log.id, pu, b: sortLevels(bids, "desc"), a: sortLevels(asks, "asc") });
        return;
      }
      case "partial": {
        if (now - state.lastPushAt < p.intervalMs) return;
        state.lastPushAt = now;
        const pu = state.sentU;
        state.sentU = log.id;
        const first = log.entries.find((e) => e.id > pu)?.id ?? log.id;
        this.#send(peer, name, {
          e: "depthUpdate",
          E: now,
          T: log.ts,
          s: p.symbol,
          U: first,
          u: log.id,
          pu,
          b: sortLevels(log.bids, "desc").slice(0, p.levels),
          a: sortLevels(log.asks, "asc").slice(0, p.levels),
        });
        return;
      }
      case "bookTicker": {
        if (state.sentU === log.id && state.lastPushAt !== 0) return;
        const bid = sortLevels(log.bids, "desc")[0] ?? ["0", "0"];
        const ask = sortLevels(log.asks, "asc")[0] ?? ["0", "0"];
        const key = `${bid[0]}/${bid[1]}/${ask[0]}/${ask[1]}`;
        state.sentU = log.id;
        if (key === log.topKey && state.lastPushAt !== 0) return;
        log.topKey = key;
        state.lastPushAt = now;
        this.#send(peer, name, { e: "bookTicker", u: log.id, E: now, T: log.ts, s: p.symbol, b: bid[0], B: bid[1], a: ask[0], A: ask[1] });
        return;
      }
      case "markPrice": {
        if (now - state.lastPushAt < p.intervalMs) return;
        state.lastPushAt = now;
        const mark = this.#source.markPrice(p.symbol);
        this.#send(peer, name, { e: "markPriceUpdate", E: now, s: p.symbol, p: mark, i: mark, P: mark, r: "0.00010000", T: this.#source.nextFundingTime() });
        return;
      }
      default:
        return;
    }
  }

  #send(peer: WsPeer, stream: string, data: unknown): void {
    peer.send(this.#combined.has(peer) ? { stream, data } : data);
  }

  #sync(symbol: string): SymbolLog {
    let log = this.#logs.get(symbol);
    const view = this.#source.levels(symbol);
    if (log === undefined) {
      log = { id: FIRST_ID, bids: new Map(view.bids), asks: new Map(view.asks), ts: view.ts, entries: [], topKey: "" };
      this.#logs.set(symbol, log);
      return log;
    }
    const bids = diffLevels(log.bids, view.bids);
    const asks = diffLevels(log.asks, view.asks);
    if (bids.length === 0 && asks.length === 0) return log;
    log.id += 1;
    log.bids = new Map(view.bids);
    log.asks = new Map(view.asks);
    log.ts = view.ts;
    log.entries.push({ id: log.id, bids, asks, ts: view.ts });
    if (log.entries.length > LOG_KEEP) log.entries.splice(0, log.entries.length - LOG_KEEP);
    return log;
  }
}
