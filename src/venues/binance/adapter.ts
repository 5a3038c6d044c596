/**
 * Binance USD-M futures (USDT perpetuals, one-way position mode) as a `LiveWire`: the REST paths
 * and parameters of each question the live core asks, and the two streams. Every answer leaves
 * as a venue-neutral report; what the reports mean is decided in `venues/live`.
 *
 * - A create carries `newClientOrderId` = the client order id (journaled with the intent) and is
 *   sent once; -4116 (that id is open) and an unanswered create are settled by the core asking
 *   `GET /fapi/v1/order?origClientOrderId=`, never by sending again.
 * - Post-only is `timeInForce=GTX`: a GTX that would take is refused (-5022) and reported as
 *   "would take", so the maker-first router tries the next price.
 * - The protective stop is a `STOP_MARKET closePosition=true` order on the mark price resting at
 *   the venue; it is the position's, so open-order reconciliation leaves it alone.
 * - Trades carry no client order id at Binance: it is learnt from the order (create answers,
 *   stream, a query by `orderId`) and cached.
 */
import { type Dec, ZERO, format } from "../../core/decimal.ts";
import { HeanError, isHeanError } from "../../core/errors.ts";
import type { TimerHandle } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { Admission } from "../live/circuit-breaker.ts";
import type { Executions, LiveAdapter, LiveCore, LiveWire, WireAttempt } from "../live/adapter.ts";
import { LiveVenue, type LiveVenueOptions } from "../live/live-venue.ts";
import { type Paging, pagingOf } from "../live/paging.ts";
import { UntradedSymbols } from "../live/untraded-symbols.ts";
import type { Params } from "../live/rest-client.ts";
import type { AccountReport, AccountView, CashReport, FillReport, FundingReport, OrderStatusReport, PositionStatusReport } from "../venue.ts";
import type { VenueOrderRequest } from "../../execution/venue-port.ts";
import { CODE_LISTEN_KEY, CODE_NO_SUCH_ORDER, codeOf } from "./classify.ts";
import { PrivateStream, type KeyAnswer } from "./private-stream.ts";
import { PublicStream, snapshotLimit } from "./public-stream.ts";
import { binanceScopeOf } from "./rate-scopes.ts";
import { accountSettingsOf, BinanceRest, dualSideOf, listenKeyOf } from "./rest.ts";
import type { BinanceSigner } from "./signer.ts";
import {
  type WireOrder,
  type WireTrade,
  cashAdjustmentIdOf,
  cashReportOf,
  fillIdOf,
  fillReportOf,
  fundingReportOf,
  isCloseStop,
  listOf,
  orderReportOf,
  parseAccount,
  parseDepthSnapshot,
  parseExchangeInfo,
  parseIncome,
  parseOrder,
  parsePosition,
  parseTrade,
  positionReportOf,
  untradableListings,
} from "./wire.ts";

export interface BinanceEndpoints {
  /** The REST base under which `/fapi/...` lives (`https://fapi.binance.com`). */
  readonly restUrl: string;
  /** The market-stream base (`wss://fstream.binance.com`). */
  readonly wsPublicUrl: string;
  /** The user-data-stream base (`wss://fstream.binance.com`). */
  readonly wsPrivateUrl: string;
  readonly signer: BinanceSigner;
  /** Listen-key keepalive interval (default 30 min). */
  readonly keepAliveMs?: number | undefined;
  /** Reopen streams before the venue's 24 h connection limit (default 23 h 50 min). */
  readonly maxConnectionMs?: number | undefined;
  /**
   * How history is read (default: a search at most 20 pages, one order's trades 20, of 1000
   * records, the most userTrades and income answer); a read cut short at its bound returns what
   * it read and is alerted.
   */
  readonly paging?: Partial<Paging> | undefined;
}

const TIF: Readonly<Record<VenueOrderRequest["timeInForce"], string>> = { GTC: "GTC", IOC: "IOC", POST_ONLY: "GTX" };
/** userTrades and income answer at most 7 days a request (with a minute to spare). */
const SEARCH_WINDOW_MS = 7 * 24 * 3600 * 1000 - 60_000;
/** userTrades and income answer at most 1000 records a page. */
const MOST_PER_PAGE = 1000;
const PAGING: Paging = { listPages: 20, orderFillPages: 20, pageSize: MOST_PER_PAGE };
const CLIENT_ID_MEMORY = 50_000;
/** A pushed balance change is followed by one read of the account this soon (once per burst). */
const WALLET_PUSH_MS = 1_000;
/** How far back a funding update's records are read (settlements are 8 hours apart; the id dedupes). */
const FUNDING_LOOKBACK_MS = 10 * 60_000;

/** The exact create parameters (in the order they are signed). */
export function createParams(r: VenueOrderRequest): Params {
  const limit = r.orderType === "limit" && r.price !== undefined;
  return {
    symbol: r.symbol,
    side: r.side === "buy" ? "BUY" : "SELL",
    type: limit ? "LIMIT" : "MARKET",
    timeInForce: limit ? TIF[r.timeInForce] : undefined,
    quantity: format(r.qty),
    price: limit ? format(r.price!) : undefined,
    reduceOnly: r.reduceOnly ? "true" : undefined,
    newClientOrderId: r.clientOrderId,
    newOrderRespType: "ACK",
  };
}

export function binanceWire(endpoints: BinanceEndpoints, account: AccountView): LiveWire {
  return { name: "Binance", scopeOf: binanceScopeOf, connect: (core) => new BinanceAdapter(endpoints, core, account) };
}

class BinanceAdapter implements LiveAdapter {
  readonly #core: LiveCore;
  readonly #rest: BinanceRest;
  readonly #paging: Paging;
  /** Records a page asks for (and a full page holds). */
  readonly #page: number;
  readonly publicStream: PublicStream;
  readonly privateStream: PrivateStream;
  /** orderId → clientOrderId, per symbol, for trades (which carry no client order id). */
  readonly #clientIds = new Map<string, string>();
  #walletPush: TimerHandle | undefined;
  readonly #untraded: UntradedSymbols;
  /** A FUNDING_FEE update came in the burst the next account push covers. */
  #fundingDue = false;
  readonly #account: AccountView;

  constructor(endpoints: BinanceEndpoints, core: LiveCore, account: AccountView) {
    this.#core = core;
    this.#account = account;
    this.#untraded = new UntradedSymbols(core, account, "its P&L and fees come from the income ledger");
    this.#paging = pagingOf(PAGING, endpoints.paging);
    this.#page = Math.min(MOST_PER_PAGE, this.#paging.pageSize);
    const { clock, random, tuning, emit, alert } = core;
    this.#rest = new BinanceRest({
      baseUrl: endpoints.restUrl,
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
    this.publicStream = new PublicStream({
      url: endpoints.wsPublicUrl,
      symbols: core.symbols,
      tuning,
      clock,
      random,
      snapshot: async (symbol) => parseDepthSnapshot(await this.#rest.read("/fapi/v1/depth", { symbol, limit: snapshotLimit(tuning.bookDepth) }, { signed: false })),
      emit,
      alert,
      onMalformed: (error) => core.onMalformed("ws", error, { stream: "public" }),
      maxConnectionMs: endpoints.maxConnectionMs,
    });
    this.privateStream = new PrivateStream({
      url: endpoints.wsPrivateUrl,
      keys: { create: () => this.#listenKey("POST"), keepAlive: () => this.#listenKey("PUT") },
      tuning,
      clock,
      random,
      alert,
      feed: {
        ...core.privateFeed,
        // The stream carries every symbol's trades: one hean does not trade is someone else's on
        // this account (the operator, another bot). Booked as an external fill it became a position
        // hean neither reconciles nor closes (the opposite of a position opened before hean
        // started); its cash comes from the income ledger instead (see cashLedger).
        onFill: (report) => {
          if (this.#untraded.books(report.symbol, report.clientOrderId)) core.privateFeed.onFill(report);
          else this.#untraded.leftOut(report.symbol);
        },
        onOrder: (report) => {
          if (report.clientOrderId !== undefined) this.#remember(report.symbol, report.venueOrderId, report.clientOrderId);
          core.privateFeed.onOrder(report);
        },
      },
      onMalformed: (error) => core.onMalformed("ws", error, { stream: "private" }),
      onAccountUpdate: (reason) => this.#onAccountUpdate(reason),
      keepAliveMs: endpoints.keepAliveMs,
      maxConnectionMs: endpoints.maxConnectionMs,
    });
  }

  syncTime(): Promise<void> {
    return this.#rest.syncTime();
  }

  /**
   * One-way position mode is required (hedge mode is refused with `VENUE_POSITION_MODE`), and
   * fees and margin in USDT alone: BNB fee deduction or multi-assets margin would book fees and
   * margin in coins hean does not account for (`VENUE_ACCOUNT_MODE`).
   */
  async checkAccount(): Promise<void> {
    const dual = dualSideOf(await this.#rest.read("/fapi/v1/positionSide/dual", {}, { signed: true }));
    if (dual) {
      throw new HeanError(
        "VENUE_POSITION_MODE",
        "the Binance account is in hedge mode (dualSidePosition=true): hean trades one-way mode only; switch it (POST /fapi/v1/positionSide/dual dualSidePosition=false, with no open positions or orders) and start again",
        { venue: "binance", dualSidePosition: true },
      );
    }
    const settings = accountSettingsOf(await this.#rest.read("/fapi/v2/account", {}, { signed: true }));
    if (settings.feeBurn === true) {
      throw new HeanError(
        "VENUE_ACCOUNT_MODE",
        "the Binance account pays futures fees in BNB (feeBurn=true): hean books fees in USDT and would misstate them; turn BNB fee deduction off (POST /fapi/v1/feeBurn feeBurn=false) and start again",
        { venue: "binance", feeBurn: true },
      );
    }
    if (settings.multiAssetsMargin === true) {
      throw new HeanError(
        "VENUE_ACCOUNT_MODE",
        "the Binance account is in multi-assets margin mode (multiAssetsMargin=true): hean accounts margin in USDT alone; switch to single-asset mode (POST /fapi/v1/multiAssetsMargin multiAssetsMargin=false) and start again",
        { venue: "binance", multiAssetsMargin: true },
      );
    }
  }

  async createOrder(request: VenueOrderRequest, admission: Admission): Promise<WireAttempt> {
    const { tuning } = this.#core;
    const r = await this.#rest.send("POST", "/fapi/v1/order", createParams(request), { signed: true, timeoutMs: tuning.orderTimeoutMs, maxWaitMs: tuning.orderMaxWaitMs, admission });
    const o = r.classified.outcome === "ok" ? parseOrder(r.result) : undefined;
    if (o !== undefined) this.#remember(o.symbol, o.orderId, request.clientOrderId);
    return { classified: r.classified, sent: r.sent, stampedAt: r.stampedAt, venueOrderId: o?.orderId };
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<WireAttempt> {
    const { tuning } = this.#core;
    const r = await this.#rest.send("DELETE", "/fapi/v1/order", { symbol, origClientOrderId: clientOrderId }, {
      signed: true,
      timeoutMs: tuning.requestTimeoutMs,
      maxWaitMs: tuning.orderMaxWaitMs,
      admission: "essential",
    });
    return { classified: r.classified, sent: r.sent, stampedAt: r.stampedAt };
  }

  async queryOrder(symbol: string, clientOrderId: string): Promise<OrderStatusReport | undefined> {
    const o = await this.#order(symbol, { origClientOrderId: clientOrderId });
    return o === undefined || o.clientOrderId !== clientOrderId ? undefined : orderReportOf(o);
  }

  async openOrders(symbol: string): Promise<OrderStatusReport[]> {
    return (await this.#openOrders(symbol)).filter((o) => !isCloseStop(o)).map(orderReportOf);
  }

  async orderFills(symbol: string, clientOrderId: string): Promise<FillReport[]> {
    const o = await this.#order(symbol, { origClientOrderId: clientOrderId });
    if (o === undefined) return [];
    return (await this.#orderTrades(symbol, o.orderId, clientOrderId)).map((t) => fillReportOf(t, clientOrderId));
  }

  /**
   * The symbol's trades and funding since `startMs`, less those booked already as someone else's:
   * their income records read as `untraded` cash while hean did not trade the symbol (found again
   * once it does, after a restart on more symbols, they would count twice).
   */
  async executions(symbol: string, startMs: number, endMs: number): Promise<Executions> {
    const startTime = Math.max(startMs, endMs - SEARCH_WINDOW_MS);
    // Both reads go oldest first: one cut short leaves unread what is newer than its last record.
    const cut: { at?: number } = {};
    const trades = await this.#trades(symbol, startTime, endMs, cut);
    let fills: FillReport[] = [];
    for (const t of trades) fills.push(fillReportOf(t, await this.#clientIdOf(symbol, t.orderId)));
    const booked = (tranId: string): boolean => this.#account.hasAdjustment(cashAdjustmentIdOf(tranId));
    // Trades hean has not booked and did not order: the income ledger says whether they were
    // someone else's (an income read only when there are any: the operator's, rarely).
    if (fills.some((f) => !this.#account.hasFill(f.fillId) && !this.#untraded.books(symbol, f.clientOrderId, false))) {
      const untraded = new Set((await this.#income({ symbol }, startTime, endMs)).filter((i) => i.tradeId !== "" && booked(i.tranId)).map((i) => fillIdOf(symbol, i.tradeId)));
      if (untraded.size > 0) fills = fills.filter((f) => !untraded.has(f.fillId));
    }
    const funding: FundingReport[] = (await this.#income({ symbol, incomeType: "FUNDING_FEE" }, startTime, endMs, cut))
      .filter((i) => i.incomeType === "FUNDING_FEE" && !booked(i.tranId))
      .map(fundingReportOf);
    return { fills, funding, cut: cut.at === undefined ? undefined : { unread: "newer", at: cut.at } };
  }

  async position(symbol: string, admission: Admission): Promise<PositionStatusReport | undefined> {
    const rows = listOf("position", await this.#rest.read("/fapi/v2/positionRisk", { symbol }, { signed: true, admission })).map(parsePosition).filter((p) => p.symbol === symbol);
    if (rows.some((p) => p.positionSide !== "BOTH")) {
      throw new HeanError("VENUE_POSITION_MODE", `Binance reports ${symbol} in hedge mode (LONG/SHORT positions): hean trades one-way mode only`, { symbol });
    }
    const p = rows[0];
    if (p === undefined) return undefined;
    // Flat: any close stop still resting is reported (the core removes it); else the one against the position.
    const stop = (await this.#openOrders(symbol, admission)).find((o) => isCloseStop(o) && (p.amount === ZERO || o.side === (p.amount > ZERO ? "sell" : "buy")));
    return positionReportOf(p, stop?.stopPrice);
  }

  async wallet(): Promise<AccountReport | undefined> {
    return parseAccount(await this.#rest.read("/fapi/v2/account", {}, { signed: true }), this.#core.time.now());
  }

  async cashLedger(startMs: number, endMs: number): Promise<CashReport[]> {
    const startTime = Math.max(startMs, endMs - SEARCH_WINDOW_MS);
    const out: CashReport[] = [];
    for (const i of await this.#income({}, startTime, endMs)) {
      // Someone else's trading: a symbol hean neither trades nor holds, a trade it did not book (a
      // fill of its own on such a symbol, read here before the stream brought it, is held).
      const c = cashReportOf(i, (x) => !this.#untraded.books(x.symbol, "") && (x.tradeId === "" || !this.#account.hasFill(fillIdOf(x.symbol, x.tradeId))));
      if (c !== undefined) out.push(c);
    }
    return out.sort((a, b) => a.venueTs - b.venueTs);
  }

  /**
   * The position's stop: one `STOP_MARKET closePosition=true` on the mark price against the
   * position's side. Binance holds at most one such stop per direction, so the old one is
   * cancelled before the new one is placed; undefined removes it.
   */
  async protectiveStop(symbol: string, stopPrice: Dec | undefined): Promise<void> {
    const open = (await this.#openOrders(symbol, "essential")).filter(isCloseStop);
    let side: "BUY" | "SELL" | undefined;
    if (stopPrice !== undefined) {
      const p = await this.position(symbol, "essential");
      if (p === undefined || p.qty === ZERO) return;
      side = p.qty > ZERO ? "SELL" : "BUY";
      if (open.length === 1 && open[0]!.stopPrice === stopPrice && open[0]!.side === (side === "SELL" ? "sell" : "buy")) return;
    }
    for (const o of open) await this.#essential("DELETE", "/fapi/v1/order", { symbol, orderId: o.orderId }, `cancel the protective stop of ${symbol}`, true);
    if (stopPrice === undefined || side === undefined) return;
    const clientOrderId = `hsl-${symbol}-${this.#core.time.now().toString(36)}`.slice(0, 36);
    await this.#essential(
      "POST",
      "/fapi/v1/order",
      { symbol, side, type: "STOP_MARKET", stopPrice: format(stopPrice), closePosition: "true", workingType: "MARK_PRICE", newClientOrderId: clientOrderId, newOrderRespType: "ACK" },
      `place the protective stop of ${symbol} at ${format(stopPrice)}`,
      false,
    );
  }

  /**
   * A configured symbol Binance lists but hean cannot trade is refused with why (it read as "does
   * not list", or a USDC-margined BTCUSDC was traded as if margined in USDT).
   */
  async instruments(): Promise<Instrument[]> {
    const raw = await this.#rest.read("/fapi/v1/exchangeInfo", {}, { signed: false });
    const untradable = untradableListings(raw);
    const refused = this.#core.symbols.filter((s) => untradable.has(s));
    if (refused.length > 0) {
      throw new HeanError("CONFIG_INVALID", `binance lists ${refused.map((s) => `${s}, but hean cannot trade it: ${untradable.get(s)}`).join("; ")}`, { symbols: refused });
    }
    return parseExchangeInfo(raw);
  }

  /** One cheap signed read (weight 1). */
  async probe(): Promise<{ readonly sent: boolean; readonly retryInMs: number }> {
    const params = { symbol: this.#core.symbols[0] ?? "BTCUSDT" };
    const r = await this.#rest.send("GET", "/fapi/v1/openOrders", params, { signed: true, timeoutMs: this.#core.tuning.requestTimeoutMs, maxWaitMs: 0, admission: "probe" });
    return { sent: r.sent, retryInMs: r.sent ? 0 : this.#core.limiter.waitMs("GET /fapi/v1/openOrders") };
  }

  // ------------------------------------------------------------------ helpers

  /** One order by `orderId` or `origClientOrderId`; undefined when the venue has no such order (-2013). */
  async #order(symbol: string, ref: Params): Promise<WireOrder | undefined> {
    try {
      const o = parseOrder(await this.#rest.read("/fapi/v1/order", { symbol, ...ref }, { signed: true }));
      if (o.clientOrderId !== "") this.#remember(symbol, o.orderId, o.clientOrderId);
      return o;
    } catch (e) {
      if (isHeanError(e) && (e.context as { code?: unknown }).code === codeOf(CODE_NO_SUCH_ORDER)) return undefined;
      throw e;
    }
  }

  async #openOrders(symbol: string, admission: Admission = "normal"): Promise<WireOrder[]> {
    const orders = listOf("order", await this.#rest.read("/fapi/v1/openOrders", { symbol }, { signed: true, admission })).map(parseOrder);
    for (const o of orders) if (o.clientOrderId !== "") this.#remember(symbol, o.orderId, o.clientOrderId);
    return orders;
  }

  /**
   * Trades in [start, end], oldest first: the window, then onwards by id (`fromId` = the last id
   * + 1) while pages come back full and end inside the window. Trade ids grow with time, so a
   * page with a trade past `end` is the last one the window needs. A full page at the page bound
   * means the venue has more: what was read is returned, the core told, and `cut.at` set to the
   * time of the newest trade read (lowered, when already set), where the next search resumes.
   */
  async #trades(symbol: string, start: number, end: number, cut: { at?: number }): Promise<WireTrade[]> {
    const read = async (params: Params): Promise<WireTrade[]> => listOf("trade", await this.#rest.read("/fapi/v1/userTrades", { symbol, ...params, limit: this.#page }, { signed: true })).map(parseTrade);
    const byId = new Map<string, WireTrade>();
    let page = await read({ startTime: start, endTime: end });
    for (let pages = 1; ; pages++) {
      for (const t of page) if (t.time >= start && t.time <= end) byId.set(t.id, t);
      if (page.length < this.#page || page.some((t) => t.time > end)) break;
      if (pages >= this.#paging.listPages) {
        this.#core.pagesTruncated({ endpoint: "GET /fapi/v1/userTrades", symbol, since: start, pages, records: byId.size });
        cutAt(cut, Math.max(start, ...[...byId.values()].map((t) => t.time)));
        break;
      }
      page = await read({ fromId: Math.max(...page.map((t) => Number(t.id))) + 1 });
    }
    return [...byId.values()].sort((a, b) => a.time - b.time || Number(a.id) - Number(b.id));
  }

  /**
   * Every trade of one order, oldest first. Binance USD-M "Account Trade List"
   * (developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List):
   * `limit` is at most 1000; `fromId` is the trade id to fetch from ("Default gets most recent
   * trades"), so which 1000 of a longer order `orderId` alone answers is not said. A full first page
   * is therefore read again from trade id 0 and onwards from the last id + 1 while pages come back
   * full. `fromId` may go with `orderId`: only startTime/endTime exclude it (the spot docs of the same
   * endpoint list `symbol + orderId + fromId` outright); the 7-day default window is stated for
   * requests without times, not for `orderId` or `fromId`. Past the page bound the trades read are
   * still returned (a thrown error would drop them all) and the core told (it alerts once per order).
   */
  async #orderTrades(symbol: string, orderId: string, clientOrderId: string): Promise<WireTrade[]> {
    const read = async (fromId?: number): Promise<WireTrade[]> =>
      listOf("trade", await this.#rest.read("/fapi/v1/userTrades", { symbol, orderId, fromId, limit: this.#page }, { signed: true })).map(parseTrade);
    const first = await read();
    if (first.length < this.#page) return first;
    const byId = new Map(first.map((t) => [t.id, t]));
    const sorted = (): WireTrade[] => [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
    let fromId = 0;
    for (let pages = 1; pages < this.#paging.orderFillPages; pages++) {
      const page = await read(fromId);
      for (const t of page) byId.set(t.id, t);
      if (page.length < this.#page) return sorted();
      fromId = Math.max(...page.map((t) => Number(t.id))) + 1;
    }
    this.#core.pagesTruncated({ endpoint: "GET /fapi/v1/userTrades", symbol, clientOrderId, pages: this.#paging.orderFillPages, records: byId.size });
    return sorted();
  }

  /**
   * Income records in [start, end], paged forward by time: the next page starts at the last
   * page's latest time (records of that millisecond come again and are kept once, by `tranId`).
   * A full page ends the read short when the page bound is reached, or when all of it lies in
   * the millisecond it started from (paging by time cannot get past it): what was read is
   * returned, the core told, and `cut.at` set to the latest time read (as `#trades` does).
   */
  async #income(filter: Params, start: number, end: number, cut: { at?: number } = {}): Promise<ReturnType<typeof parseIncome>[]> {
    const byId = new Map<string, ReturnType<typeof parseIncome>>();
    let from = start;
    for (let pages = 1; ; pages++) {
      const page = listOf("income", await this.#rest.read("/fapi/v1/income", { ...filter, startTime: from, endTime: end, limit: this.#page }, { signed: true })).map(parseIncome);
      for (const i of page) byId.set(i.tranId, i);
      if (page.length < this.#page) break;
      const last = Math.max(...page.map((i) => i.time));
      if (last <= from || pages >= this.#paging.listPages) {
        const endpoint = `GET /fapi/v1/income${typeof filter.incomeType === "string" ? ` (${filter.incomeType})` : ""}`;
        this.#core.pagesTruncated({ endpoint, symbol: typeof filter.symbol === "string" ? filter.symbol : undefined, since: start, pages, records: byId.size });
        cutAt(cut, Math.max(start, last));
        break;
      }
      from = last;
    }
    return [...byId.values()].sort((a, b) => a.time - b.time);
  }

  /** The client order id of a trade's order ("" when it has none or the venue cannot say). */
  async #clientIdOf(symbol: string, orderId: string): Promise<string> {
    const known = this.#clientIds.get(`${symbol}:${orderId}`);
    if (known !== undefined) return known;
    const o = await this.#order(symbol, { orderId });
    const id = o?.clientOrderId ?? "";
    this.#remember(symbol, orderId, id);
    return id;
  }

  #remember(symbol: string, orderId: string, clientOrderId: string): void {
    const key = `${symbol}:${orderId}`;
    if (this.#clientIds.has(key)) return;
    if (this.#clientIds.size >= CLIENT_ID_MEMORY) this.#clientIds.delete(this.#clientIds.keys().next().value!);
    this.#clientIds.set(key, clientOrderId);
  }

  /** A request that must go (stops): sent as essential; anything but an ok throws. `gone`: -2011 is fine (already gone). */
  async #essential(method: "POST" | "DELETE", path: string, params: Params, what: string, gone: boolean): Promise<void> {
    const { tuning } = this.#core;
    const r = await this.#rest.send(method, path, params, { signed: true, timeoutMs: tuning.requestTimeoutMs, maxWaitMs: tuning.orderMaxWaitMs, admission: "essential" });
    if (r.classified.outcome === "ok" || (gone && r.classified.fact === "order-not-open")) return;
    throw new HeanError(r.classified.outcome === "rejected" ? "VENUE_REJECTED" : "VENUE_UNAVAILABLE", `${what}: ${r.classified.code} ${r.classified.message}`, { code: r.classified.code });
  }

  /** `POST` (create, or get the live key) / `PUT` (keep alive) `/fapi/v1/listenKey`. */
  async #listenKey(method: "POST" | "PUT"): Promise<KeyAnswer> {
    const { tuning } = this.#core;
    const r = await this.#rest.send(method, "/fapi/v1/listenKey", {}, { signed: "key", timeoutMs: tuning.requestTimeoutMs, maxWaitMs: tuning.requestTimeoutMs, admission: "essential" });
    const c = r.classified;
    if (c.outcome === "ok") {
      try {
        return { ok: true, key: listenKeyOf(r.result) };
      } catch (e) {
        return { ok: false, why: "failed", detail: e instanceof Error ? e.message : String(e) };
      }
    }
    const detail = `${c.code} ${c.message}`;
    if (c.code === codeOf(CODE_LISTEN_KEY)) return { ok: false, why: "expired", detail };
    if (c.fact === "auth-failed" || c.httpStatus === 401) return { ok: false, why: "auth-failed", detail };
    return { ok: false, why: "failed", detail };
  }

  /**
   * The balance moved: read the account once the burst is over and push it as a wallet report
   * (the core then reconciles the ledger and the wallet, to explain a transfer). Not for a trade
   * (`m` ORDER): its effect on the balance comes with its fill, and the periodic reconciliation
   * compares the wallet. Binance meters reads by weight per IP (2 400 a minute): the account read
   * (5), the ledger (`/fapi/v1/income`, 30) and the account again after every fill burst took
   * ~1 000 a minute for one busy engine, and past the budget hean's limiter holds every read and
   * cancel (reconciliation, the kill switch's check) until the minute turns.
   */
  #onAccountUpdate(reason: string): void {
    if (reason === "ORDER") return;
    if (reason === "FUNDING_FEE") this.#fundingDue = true;
    this.#walletPush ??= this.#core.clock.setTimeout(() => {
      this.#walletPush = undefined;
      // Stopped or reconnecting: the next reconciliation reads the account anyway.
      if (!this.privateStream.ready) return;
      const funding = this.#fundingDue;
      this.#fundingDue = false;
      void this.#pushAccount(funding);
    }, WALLET_PUSH_MS);
  }

  /**
   * A funding settlement is booked before the balance it moved is shown and compared with the
   * engine's cash: the core compares a pushed wallet within a second or two, and funding was
   * otherwise booked only by the executions reconciliation (every `reconcileOrdersMs`), so a
   * funding above `risk.maxAccountDivergence` read as ACCOUNT_DIVERGENCE and put the engine in
   * QUARANTINE until then. The stream states only the balance: the records come from the ledger
   * (booked once by their id, whichever path reads them first).
   */
  async #pushAccount(funding: boolean): Promise<void> {
    if (funding) {
      try {
        const end = this.#core.time.now();
        const records = await this.#income({ incomeType: "FUNDING_FEE" }, end - FUNDING_LOOKBACK_MS, end);
        for (const i of records) if (i.incomeType === "FUNDING_FEE" && this.#core.symbols.includes(i.symbol)) this.#core.privateFeed.onFunding(fundingReportOf(i));
      } catch {
        // The executions reconciliation books it; the wallet is still shown.
      }
    }
    try {
      const w = await this.wallet();
      if (w !== undefined && this.privateStream.ready) this.#core.privateFeed.onWallet(w);
    } catch {
      // The next reconciliation reads the account anyway.
    }
  }
}

export interface BinanceVenueOptions extends BinanceEndpoints, Omit<LiveVenueOptions, "id" | "wire"> {}

/** The live core over Binance's wire. */
export class BinanceVenue extends LiveVenue {
  constructor(options: BinanceVenueOptions) {
    super({ ...options, id: "binance", wire: binanceWire(options, options.account) });
  }
}

/** A read cut short at `at`: the earliest of the cuts of one search is where it resumes. */
function cutAt(cut: { at?: number }, at: number): void {
  cut.at = cut.at === undefined ? at : Math.min(cut.at, at);
}
