/**
 * Bybit V5 (linear USDT perpetuals, one-way mode) as a `LiveWire`: the REST paths, parameters
 * and pages of each question the live core asks, and the two streams. Every answer leaves as a
 * venue-neutral report; what the reports mean is decided in `venues/live`.
 */
import { type Dec, format } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { Admission } from "../live/circuit-breaker.ts";
import type { Executions, LiveAdapter, LiveCore, LiveWire, WireAttempt } from "../live/adapter.ts";
import { LiveVenue, type LiveVenueOptions } from "../live/live-venue.ts";
import { type Paging, type PagesTruncated, pagingOf } from "../live/paging.ts";
import { UntradedSymbols } from "../live/untraded-symbols.ts";
import type { AccountReport, AccountView, CashReport, FillReport, FundingReport, OrderStatusReport, PositionStatusReport } from "../venue.ts";
import type { VenueOrderRequest } from "../../execution/venue-port.ts";
import { PrivateStream } from "./private-stream.ts";
import { PublicStream } from "./public-stream.ts";
import { bybitScopeOf } from "./rate-scopes.ts";
import { BybitRestClient, type Params } from "./rest-client.ts";
import type { BybitSigner } from "./signer.ts";
import { fetchInstruments } from "./instruments.ts";
import { accountReportOf, fillReportOf, orderReportOf, positionReportOf, readCashEntry, readExecution, readFunding, readList, readOrder, readPosition, readWallet, untradedAdjustmentId } from "./wire.ts";

export interface BybitEndpoints {
  readonly restUrl: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  readonly signer: BybitSigner;
  /**
   * How history is read (default: a list or search at most 50 pages, one order's executions 20,
   * each page as large as its endpoint allows); a read cut short at its bound returns what it
   * read and is alerted.
   */
  readonly paging?: Partial<Paging> | undefined;
}

const TIF: Readonly<Record<VenueOrderRequest["timeInForce"], string>> = { GTC: "GTC", IOC: "IOC", POST_ONLY: "PostOnly" };
/**
 * Bybit keeps executions for 7 days, and a transaction-log search spans at most 7 days: a search
 * must start inside them (with a minute to spare).
 */
const SEARCH_WINDOW_MS = 7 * 24 * 3600 * 1000 - 60_000;
/** Bybit's largest pages: 50 orders or ledger entries, 100 executions. */
const PAGING: Paging = { listPages: 50, orderFillPages: 20, pageSize: 100 };
const RET_NOT_MODIFIED = 34040;

/** The exact create body: key order is part of what is signed. */
export function createParams(r: VenueOrderRequest): Record<string, string | boolean> {
  const params: Record<string, string | boolean> = {
    category: "linear",
    symbol: r.symbol,
    side: r.side === "buy" ? "Buy" : "Sell",
    orderType: r.orderType === "market" ? "Market" : "Limit",
    qty: format(r.qty),
  };
  if (r.orderType === "limit" && r.price !== undefined) params.price = format(r.price);
  params.timeInForce = r.orderType === "market" ? "IOC" : TIF[r.timeInForce];
  params.orderLinkId = r.clientOrderId;
  if (r.reduceOnly) params.reduceOnly = true;
  return params;
}

export function bybitWire(endpoints: BybitEndpoints, account: AccountView): LiveWire {
  return { name: "Bybit", scopeOf: bybitScopeOf, connect: (core) => new BybitAdapter(endpoints, core, account) };
}

class BybitAdapter implements LiveAdapter {
  readonly #core: LiveCore;
  readonly #rest: BybitRestClient;
  readonly #paging: Paging;
  readonly publicStream: PublicStream;
  readonly privateStream: PrivateStream;
  readonly #account: AccountView;
  readonly #untraded: UntradedSymbols;

  constructor(endpoints: BybitEndpoints, core: LiveCore, account: AccountView) {
    this.#core = core;
    this.#account = account;
    this.#untraded = new UntradedSymbols(core, account, "its P&L, fees and funding come from the transaction log");
    this.#paging = pagingOf(PAGING, endpoints.paging);
    const { clock, random, tuning } = core;
    this.#rest = new BybitRestClient({
      baseUrl: endpoints.restUrl.replace(/\/+$/, ""),
      signer: endpoints.signer,
      clock,
      time: core.time,
      limiter: core.limiter,
      breaker: core.breaker,
      tuning,
      random,
      onRateLimited: core.onRateLimited,
      onMalformed: (path, error) => core.onMalformed("rest", error, { path }),
    });
    const { emit, alert } = core;
    this.publicStream = new PublicStream({
      url: endpoints.wsPublicUrl,
      symbols: core.symbols,
      tuning,
      clock,
      random,
      emit,
      alert,
      onMalformed: (error) => core.onMalformed("ws", error, { stream: "public" }),
    });
    this.privateStream = new PrivateStream({
      url: endpoints.wsPrivateUrl,
      signer: endpoints.signer,
      time: core.time,
      tuning,
      clock,
      random,
      alert,
      feed: {
        ...core.privateFeed,
        // The stream carries every symbol's executions: one hean does not trade is someone else's
        // on this account (the operator by hand, another bot). Booked as an external fill it became
        // a position hean neither reconciles nor has market data for (its kill switch then closed
        // it as stale); its cash comes from the transaction log instead (see cashLedger).
        onFill: (report) => {
          if (this.#untraded.books(report.symbol, report.clientOrderId)) core.privateFeed.onFill(report);
          else this.#untraded.leftOut(report.symbol);
        },
        onFunding: (report) => {
          if (this.#untraded.books(report.symbol, undefined)) core.privateFeed.onFunding(report);
        },
      },
      onMalformed: (error) => core.onMalformed("ws", error, { stream: "private" }),
    });
  }

  syncTime(): Promise<void> {
    return this.#rest.syncTime();
  }

  async createOrder(request: VenueOrderRequest, admission: Admission): Promise<WireAttempt> {
    const { tuning } = this.#core;
    const r = await this.#rest.send("POST", "/v5/order/create", createParams(request), { signed: true, timeoutMs: tuning.orderTimeoutMs, maxWaitMs: tuning.orderMaxWaitMs, admission });
    const orderId = (r.result as { orderId?: unknown } | undefined)?.orderId;
    return { classified: r.classified, sent: r.sent, stampedAt: r.stampedAt, venueOrderId: typeof orderId === "string" ? orderId : undefined };
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<WireAttempt> {
    const { tuning } = this.#core;
    const r = await this.#rest.send("POST", "/v5/order/cancel", { category: "linear", symbol, orderLinkId: clientOrderId }, {
      signed: true,
      timeoutMs: tuning.requestTimeoutMs,
      maxWaitMs: tuning.orderMaxWaitMs,
      admission: "essential",
    });
    return { classified: r.classified, sent: r.sent, stampedAt: r.stampedAt };
  }

  async queryOrder(symbol: string, clientOrderId: string): Promise<OrderStatusReport | undefined> {
    const params = { category: "linear", symbol, orderLinkId: clientOrderId };
    for (const path of ["/v5/order/realtime", "/v5/order/history"]) {
      const result = await this.#rest.read(path, params, { signed: true });
      for (const item of readList(result).list) {
        const o = readOrder(item);
        if (o !== undefined && o.orderLinkId === clientOrderId) return orderReportOf(o);
      }
    }
    return undefined;
  }

  async openOrders(symbol: string): Promise<OrderStatusReport[]> {
    const out: OrderStatusReport[] = [];
    for (const item of await this.#pages("/v5/order/realtime", { category: "linear", symbol, openOnly: 0, limit: this.#limit(50) }, this.#paging.listPages, { symbol })) {
      const o = readOrder(item);
      if (o !== undefined) out.push(orderReportOf(o));
    }
    return out;
  }

  async orderFills(symbol: string, clientOrderId: string): Promise<FillReport[]> {
    const params = { category: "linear", symbol, orderLinkId: clientOrderId, limit: this.#limit(100) };
    return this.#executionsOf(await this.#pages("/v5/execution/list", params, this.#paging.orderFillPages, { symbol, clientOrderId })).fills;
  }

  async executions(symbol: string, startMs: number, endMs: number): Promise<Executions> {
    const startTime = Math.max(startMs, endMs - SEARCH_WINDOW_MS);
    const params = { category: "linear", symbol, startTime, endTime: endMs, limit: this.#limit(100) };
    const read: { more?: boolean } = {};
    const found = this.#executionsOf(await this.#pages("/v5/execution/list", params, this.#paging.listPages, { symbol, since: startTime }, read));
    if (read.more !== true) return found;
    // Bybit lists newest first: a search cut short left unread what is older than the oldest read.
    const at = Math.min(endMs, ...found.fills.map((f) => f.venueTs), ...found.funding.map((f) => f.venueTs));
    return { ...found, cut: { unread: "older", at } };
  }

  async position(symbol: string, admission: Admission): Promise<PositionStatusReport | undefined> {
    const result = await this.#rest.read("/v5/position/list", { category: "linear", symbol }, { signed: true, admission });
    const p = readList(result).list.map(readPosition).find((x) => x?.symbol === symbol);
    return p === undefined ? undefined : positionReportOf(p);
  }

  async wallet(): Promise<AccountReport | undefined> {
    const result = await this.#rest.read("/v5/account/wallet-balance", { accountType: "UNIFIED", coin: "USDT" }, { signed: true });
    const w = readList(result).list.map((item) => readWallet(item)).find((x) => x !== undefined);
    // The answer carries no time of its own: the balance is the venue's as of now.
    return w === undefined ? undefined : accountReportOf(w, this.#core.time.now());
  }

  async cashLedger(startMs: number, endMs: number): Promise<CashReport[]> {
    const startTime = Math.max(startMs, endMs - SEARCH_WINDOW_MS);
    const params = { accountType: "UNIFIED", currency: "USDT", startTime, endTime: endMs, limit: this.#limit(50) };
    const out: CashReport[] = [];
    // Someone else's trading: a symbol hean neither trades nor holds, a trade it did not book (one
    // of its own there, read here before the stream brought it, is held).
    const untraded = (e: { readonly symbol: string; readonly tradeId: string }): boolean => !this.#untraded.books(e.symbol, undefined) && (e.tradeId === "" || !this.#account.hasFill(e.tradeId));
    for (const item of await this.#pages("/v5/account/transaction-log", params, this.#paging.listPages, { since: startTime })) {
      const entry = readCashEntry(item, untraded);
      if (entry !== undefined) out.push(entry);
    }
    // Bybit lists newest first; a stable sort keeps entries of one millisecond in a fixed order.
    return out.sort((a, b) => a.venueTs - b.venueTs);
  }

  /** The position's stop-loss on the mark price (Full mode: the whole position, reduce-only by nature); "0" removes it. */
  async protectiveStop(symbol: string, stopPrice: Dec | undefined): Promise<void> {
    const { tuning } = this.#core;
    const params = { category: "linear", symbol, tpslMode: "Full", positionIdx: 0, stopLoss: stopPrice === undefined ? "0" : format(stopPrice), slTriggerBy: "MarkPrice" };
    const r = await this.#rest.send("POST", "/v5/position/trading-stop", params, { signed: true, timeoutMs: tuning.requestTimeoutMs, maxWaitMs: tuning.orderMaxWaitMs, admission: "essential" });
    // 34040 "not modified": the venue already holds exactly this stop.
    if (r.classified.outcome === "ok" || r.classified.code === `BYBIT_${RET_NOT_MODIFIED}`) return;
    throw new HeanError(r.classified.outcome === "rejected" ? "VENUE_REJECTED" : "VENUE_UNAVAILABLE", `trading-stop ${symbol}: ${r.classified.code} ${r.classified.message}`, { symbol, code: r.classified.code });
  }

  /** Every linear instrument in trading (public: no keys needed). */
  async instruments(): Promise<Instrument[]> {
    return fetchInstruments((path, params) => this.#rest.read(path, params, { signed: false }));
  }

  /** One cheap private read (its budget resets every second, and a position is worth knowing anyway). */
  async probe(): Promise<{ readonly sent: boolean; readonly retryInMs: number }> {
    const path = "/v5/position/list";
    const params = { category: "linear", symbol: this.#core.symbols[0] ?? "BTCUSDT" };
    const r = await this.#rest.send("GET", path, params, { signed: true, timeoutMs: this.#core.tuning.requestTimeoutMs, maxWaitMs: 0, admission: "probe" });
    return { sent: r.sent, retryInMs: r.sent ? 0 : this.#core.limiter.waitMs(path) };
  }

  /**
   * The trades and funding of a page of executions, less those booked already as someone else's
   * (their transaction-log entries read as `untraded` cash while hean did not trade the symbol:
   * found again once it does, after a restart on more symbols, they would count twice).
   */
  #executionsOf(items: readonly unknown[]): Executions {
    const fills: FillReport[] = [];
    const funding: FundingReport[] = [];
    const untraded = (execId: string): boolean => this.#account.hasAdjustment(untradedAdjustmentId(execId));
    for (const item of items) {
      const e = readExecution(item);
      if (e !== undefined && !untraded(e.execId)) fills.push(fillReportOf(e));
      const f = e === undefined ? readFunding(item) : undefined;
      if (f !== undefined && !untraded(f.fundingId)) funding.push(f);
    }
    return { fills, funding };
  }

  /** A page's `limit`: the endpoint's most, or less when the paging says so. */
  #limit(endpointMost: number): number {
    return Math.min(endpointMost, this.#paging.pageSize);
  }

  /**
   * Every item of a paged list endpoint, up to `maxPages` pages: each page's `nextPageCursor` is
   * sent as the next page's `cursor`, and "" (or an empty page) is the last one. A cursor still
   * given at the bound means the venue has more: what was read is returned all the same, and the
   * core is told what was cut short (`about`), and `read.more` set; a read that got it all tells
   * the core so too (`pagesWhole`: cut short again later, it is said again).
   */
  async #pages(path: string, params: Params, maxPages: number, about: Pick<PagesTruncated, "symbol" | "clientOrderId" | "since">, read: { more?: boolean } = {}): Promise<unknown[]> {
    const out: unknown[] = [];
    let cursor = "";
    for (let page = 0; page < maxPages; page++) {
      const result = await this.#rest.read(path, cursor === "" ? params : { ...params, cursor }, { signed: true });
      const { list, cursor: next } = readList(result);
      out.push(...list);
      if (next === "" || list.length === 0) {
        this.#core.pagesWhole({ endpoint: `GET ${path}`, ...about });
        return out;
      }
      cursor = next;
    }
    this.#core.pagesTruncated({ endpoint: `GET ${path}`, ...about, pages: maxPages, records: out.length });
    read.more = true;
    return out;
  }
}

export interface BybitVenueOptions extends BybitEndpoints, Omit<LiveVenueOptions, "id" | "wire"> {}

/** The live core over Bybit's wire. */
export class BybitVenue extends LiveVenue {
  constructor(options: BybitVenueOptions) {
    super({ ...options, id: "bybit", wire: bybitWire(options, options.account) });
  }
}
