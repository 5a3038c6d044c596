/**
 * The exchange behind the Binance USD-M protocol: the sim matching engine over the seeded
 * synthetic market, configured the Binance way (a crossing GTX order is refused unrecorded; a
 * client order id is unique among open orders only), plus what Binance keeps that the engine
 * does not: numeric order and trade ids, leverage, stop orders that wait for the mark price,
 * funding settlements and the income history.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { abs, add, div, dec, mul, roundToStep, sub, ZERO, type Dec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { Side } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import { venueEntry } from "../../venues/registry.ts";
import { isScenarioName } from "../../venues/sim/market/scenarios.ts";
import { SyntheticMarket } from "../../venues/sim/market/synthetic-market.ts";
import { MatchingEngine } from "../../venues/sim/matching/matching-engine.ts";
import type { EngineEvent, Execution, OrderSnapshot, Rejection } from "../../venues/sim/matching/types.ts";
import { ERR, type BinanceError } from "./codes.ts";
import { appendBounded, DEFAULT_MAX_RECORDS } from "../shared/bounded-history.ts";

export type BnSide = "BUY" | "SELL";
export type BnOrderType = "LIMIT" | "MARKET" | "STOP_MARKET" | "TAKE_PROFIT_MARKET";
export type BnTimeInForce = "GTC" | "IOC" | "FOK" | "GTX";
export type BnStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";

/** Binance's rules for the built-in symbols: its lots and its base-tier fees (the registry's). */
export const BINANCE_INSTRUMENTS: readonly Instrument[] = venueEntry("binance").builtinInstruments;
const BOOK_DEPTH = 200;
const DEFAULT_LEVERAGE = 20;
/** Maintenance margin rate of the first bracket. */
export const MMR = dec("0.004");
export const FUNDING_RATE = dec("0.0001");
export const FUNDING_INTERVAL_MS = 8 * 3600 * 1000;
/**
 * With BNB fee deduction (`POST /fapi/v1/feeBurn`) trades report their commission in BNB at this
 * fixed price. The simulated wallet is USDT only, so the fee is still taken from it in USDT.
 */
export const SIM_BNB_PRICE = dec("600");
const FIRST_ORDER_ID = 4_000_000_001;
const FIRST_TRADE_ID = 700_000_001;

export interface NewOrder {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: BnSide;
  readonly type: BnOrderType;
  readonly timeInForce: BnTimeInForce;
  /** 0 for a closePosition stop. */
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly stopPrice: Dec | undefined;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly clientOrderId: string;
  readonly receivedAt: number;
}

/** An order as Binance reports it. */
export interface BnOrderView {
  readonly accountId: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: BnSide;
  /** MARKET once a stop has triggered; `origType` keeps what was sent. */
  readonly type: BnOrderType;
  readonly origType: BnOrderType;
  readonly timeInForce: BnTimeInForce;
  readonly price: Dec;
  readonly origQty: Dec;
  readonly executedQty: Dec;
  readonly cumQuote: Dec;
  readonly avgPrice: Dec;
  readonly stopPrice: Dec;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly status: BnStatus;
  readonly time: number;
  readonly updateTime: number;
  readonly receivedAt: number;
}

export interface BnTrade {
  readonly accountId: string;
  readonly id: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: BnSide;
  readonly price: Dec;
  readonly qty: Dec;
  /** In `commissionAsset`. */
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly realizedPnl: Dec;
  readonly maker: boolean;
  readonly time: number;
}

export interface BnPosition {
  readonly symbol: string;
  /** Signed. */
  readonly positionAmt: Dec;
  readonly entryPrice: Dec;
  readonly markPrice: Dec;
  readonly unRealizedProfit: Dec;
  readonly leverage: number;
  readonly notional: Dec;
  readonly initialMargin: Dec;
  readonly maintMargin: Dec;
  readonly openOrderInitialMargin: Dec;
  readonly updateTime: number;
}

export interface BnWallet {
  readonly walletBalance: Dec;
  readonly unrealizedProfit: Dec;
  readonly positionInitialMargin: Dec;
  readonly openOrderInitialMargin: Dec;
  readonly maintMargin: Dec;
  readonly availableBalance: Dec;
  readonly updateTime: number;
}

export interface BnIncome {
  readonly symbol: string;
  readonly incomeType: "REALIZED_PNL" | "COMMISSION" | "FUNDING_FEE";
  readonly income: Dec;
  readonly time: number;
  readonly tranId: number;
  readonly tradeId: string;
}

export interface BnPublicTrade {
  readonly id: number;
  readonly symbol: string;
  readonly price: Dec;
  readonly qty: Dec;
  readonly buyerIsMaker: boolean;
  readonly time: number;
}

/** What the streams report. `execution` carries the order after that fill. */
export type BnEvent =
  | { readonly kind: "order"; readonly accountId: string; readonly order: BnOrderView; readonly execution: "NEW" | "CANCELED" | "EXPIRED" }
  | { readonly kind: "fill"; readonly accountId: string; readonly order: BnOrderView; readonly trade: BnTrade }
  | { readonly kind: "account"; readonly accountId: string; readonly reason: "ORDER" | "FUNDING_FEE"; readonly symbols: readonly string[] }
  | { readonly kind: "trade"; readonly trade: BnPublicTrade };

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BinanceError };

interface StopOrder {
  readonly input: NewOrder;
  readonly orderId: number;
  readonly time: number;
  status: "NEW" | "CANCELED" | "EXPIRED" | "TRIGGERED";
  updateTime: number;
}

export interface ExchangeOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly scenario: string;
  readonly accounts: readonly { readonly accountId: string; readonly startingBalance: Dec }[];
  /** Accounts start in hedge mode (`dualSidePosition` true): clients must check and refuse it. */
  readonly hedgeMode?: boolean | undefined;
  /** History kept per account: ended orders (the matching engine's default when absent). */
  readonly maxTerminalOrders?: number | undefined;
  /** History kept per account: executions, user trades and income (`DEFAULT_MAX_RECORDS`). */
  readonly maxRecords?: number | undefined;
}

function rejectionError(r: Rejection): BinanceError {
  switch (r.code) {
    case "DUPLICATE_CLIENT_ORDER_ID":
      return ERR.duplicateClientOrderId;
    case "REDUCE_ONLY_WOULD_INCREASE":
      return ERR.reduceOnly;
    case "POST_ONLY_WOULD_TAKE":
      return ERR.gtxReject;
    case "NOTIONAL_BELOW_MIN":
      return ERR.minNotional("5");
    case "ORDER_NOT_FOUND":
    case "ORDER_NOT_OPEN":
      return ERR.cancelUnknown;
    case "TOO_MANY_OPEN_ORDERS":
      return { status: 400, code: -2025, msg: "Reach max open order limit." };
    default:
      return ERR.malformed(r.message);
  }
}

const bnSide = (side: Side): BnSide => (side === "buy" ? "BUY" : "SELL");

export class BinanceExchange {
  readonly #clock: Clock;
  readonly #market: SyntheticMarket;
  readonly #engine: MatchingEngine;
  readonly #accounts: readonly string[];
  readonly #numericOf = new Map<string, number>();
  readonly #engineOf = new Map<number, string>();
  readonly #request = new Map<number, { type: BnOrderType; stopPrice: Dec | undefined; closePosition: boolean; receivedAt: number; time: number }>();
  readonly #stops = new Map<number, StopOrder>();
  readonly #trades = new Map<string, BnTrade[]>();
  readonly #income = new Map<string, BnIncome[]>();
  readonly #leverage = new Map<string, number>();
  /** Accounts in hedge mode (dual side position). */
  readonly #dualSide = new Set<string>();
  /** Accounts paying fees in BNB. */
  readonly #feeBurn = new Set<string>();
  /** The engine position last reported (before the fill being reported, when an execution arrives). */
  readonly #lastPosition = new Map<string, { qty: Dec; avgPrice: Dec }>();
  readonly #listeners = new Set<(event: BnEvent) => void>();
  readonly #unsubscribe: () => void;
  readonly #fundingTimer: TimerHandle;
  readonly #maxRecords: number;
  #nextOrderId = FIRST_ORDER_ID;
  #nextTradeId = FIRST_TRADE_ID;
  #nextAggId = 1;
  #nextTranId = 1;
  #triggerScheduled: TimerHandle | undefined;
  /** Request facts of the order being placed: the engine reports it before `place` returns. */
  #placing: { numericId: number; type: BnOrderType; stopPrice: Dec | undefined; closePosition: boolean; receivedAt: number } | undefined;

  constructor(options: ExchangeOptions) {
    if (!isScenarioName(options.scenario)) {
      throw new HeanError("CONFIG_INVALID", `unknown scenario ${JSON.stringify(options.scenario)} (calm, trend, flash-crash, stale)`, { scenario: options.scenario });
    }
    this.#clock = options.clock;
    this.#maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    this.#market = new SyntheticMarket({ clock: options.clock, instruments: BINANCE_INSTRUMENTS, seed: options.seed, scenario: options.scenario, depth: BOOK_DEPTH });
    this.#engine = new MatchingEngine({
      clock: options.clock,
      instruments: BINANCE_INSTRUMENTS,
      market: this.#market,
      idPrefix: `binance${options.seed >>> 0}-${options.clock.now().toString(36)}`,
      postOnlyCross: "reject",
      clientOrderIdScope: "open",
      maxTerminalOrders: options.maxTerminalOrders,
      maxExecutions: options.maxRecords,
      onOrderForgotten: (orderId) => this.#forget(orderId),
    });
    for (const a of options.accounts) this.#engine.ensureAccount(a.accountId, a.startingBalance);
    this.#accounts = options.accounts.map((a) => a.accountId);
    if (options.hedgeMode === true) for (const a of this.#accounts) this.#dualSide.add(a);
    this.#unsubscribe = this.#engine.subscribe((e) => this.#onEngineEvent(e));
    // Funding settles on the 8-hour boundaries of the (simulated) clock.
    const now = options.clock.now();
    const first = (Math.floor(now / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS - now;
    let interval: TimerHandle | undefined;
    const firstTimer = options.clock.setTimeout(() => {
      this.settleFunding(undefined, FUNDING_RATE);
      interval = options.clock.setInterval(() => this.settleFunding(undefined, FUNDING_RATE), FUNDING_INTERVAL_MS);
    }, first);
    this.#fundingTimer = { cancel: () => (interval ?? firstTimer).cancel() };
    this.#market.start();
  }

  // ------------------------------------------------------------------ market

  instruments(): readonly Instrument[] {
    return BINANCE_INSTRUMENTS;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.#engine.instrument(symbol);
  }

  book(symbol: string, levels: number): { bids: readonly { price: Dec; qty: Dec }[]; asks: readonly { price: Dec; qty: Dec }[]; ts: number } {
    const d = this.#engine.depth(symbol, levels);
    return { bids: d?.bids ?? [], asks: d?.asks ?? [], ts: d?.ts ?? this.#clock.now() };
  }

  top(symbol: string): { bid: { price: Dec; qty: Dec } | undefined; ask: { price: Dec; qty: Dec } | undefined } {
    const t = this.#engine.top(symbol);
    return { bid: t?.bid, ask: t?.ask };
  }

  /** Mid of the touch on the tick grid; the last trade when one side is empty. */
  markPrice(symbol: string): Dec {
    const i = this.instrument(symbol)!;
    const t = this.#engine.top(symbol);
    const bid = t?.bid?.price;
    const ask = t?.ask?.price;
    if (bid !== undefined && ask !== undefined) return roundToStep(div(add(bid, ask), dec("2")), i.tickSize, "floor");
    return bid ?? ask ?? this.#engine.lastPrice(symbol) ?? ZERO;
  }

  lastPrice(symbol: string): Dec {
    return this.#engine.lastPrice(symbol) ?? this.markPrice(symbol);
  }

  /** Open interest as Binance counts it (one side): the sum of long positions over every account. */
  openInterest(symbol: string): Dec {
    let total = ZERO;
    for (const account of this.#accounts) {
      const qty = this.#engine.position(account, symbol)?.qty ?? ZERO;
      if (qty > ZERO) total = add(total, qty);
    }
    return total;
  }

  nextFundingTime(): number {
    return (Math.floor(this.#clock.now() / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS;
  }

  setPrice(symbol: string, price: Dec): void {
    this.#market.setPrice(symbol, price);
  }

  // ------------------------------------------------------------------ orders

  /** Books a checked order (LIMIT/MARKET into the engine; stops wait for the mark price). */
  place(input: NewOrder): Outcome<BnOrderView> {
    if (input.type === "STOP_MARKET" || input.type === "TAKE_PROFIT_MARKET") {
      if (input.clientOrderId !== "" && this.#clientIdOpen(input.accountId, input.clientOrderId)) return { ok: false, error: ERR.duplicateClientOrderId };
      const orderId = this.#nextOrderId++;
      const now = this.#clock.now();
      const stop: StopOrder = { input, orderId, time: now, status: "NEW", updateTime: now };
      this.#stops.set(orderId, stop);
      const view = this.#stopView(stop);
      this.#emit({ kind: "order", accountId: input.accountId, order: view, execution: "NEW" });
      return { ok: true, value: view };
    }
    if (input.clientOrderId !== "" && this.#openStopWithClientId(input.accountId, input.clientOrderId) !== undefined) return { ok: false, error: ERR.duplicateClientOrderId };
    // Binance refuses a FOK the book cannot fill whole (-5021) without recording it.
    if (input.timeInForce === "FOK" && input.type === "LIMIT" && this.#fillableQty(input) < input.qty) return { ok: false, error: ERR.fokReject };
    return this.#placeInEngine(input, this.#nextOrderId++, input.type);
  }

  #placeInEngine(input: NewOrder, numericId: number, type: BnOrderType): Outcome<BnOrderView> {
    this.#placing = { numericId, type, stopPrice: input.stopPrice, closePosition: input.closePosition, receivedAt: input.receivedAt };
    try {
      const market = input.type !== "LIMIT";
      const result = this.#engine.place({
        account: input.accountId,
        symbol: input.symbol,
        side: input.side === "BUY" ? "buy" : "sell",
        type: market ? "market" : "limit",
        qty: input.qty,
        price: market ? undefined : input.price,
        timeInForce: market ? "IOC" : input.timeInForce === "GTX" ? "POST_ONLY" : input.timeInForce,
        reduceOnly: input.reduceOnly || input.closePosition,
        clientOrderId: input.clientOrderId === "" ? undefined : input.clientOrderId,
      });
      if (!result.ok) return { ok: false, error: rejectionError(result.rejection) };
      return { ok: true, value: this.#view(result.order) };
    } finally {
      this.#placing = undefined;
    }
  }

  /** What the opposite side of the book holds at or better than the order's limit price. */
  #fillableQty(input: NewOrder): Dec {
    const d = this.#engine.depth(input.symbol, BOOK_DEPTH);
    const levels = input.side === "BUY" ? (d?.asks ?? []) : (d?.bids ?? []);
    const within = levels.filter((l) => (input.side === "BUY" ? l.price <= input.price! : l.price >= input.price!));
    return within.reduce((acc, l) => add(acc, l.qty), ZERO);
  }

  cancel(accountId: string, symbol: string, ref: { orderId?: number; clientOrderId?: string }): Outcome<BnOrderView> {
    const stop = this.#findStop(accountId, ref);
    if (stop !== undefined) {
      if (stop.input.symbol !== symbol || stop.status !== "NEW") return { ok: false, error: ERR.cancelUnknown };
      stop.status = "CANCELED";
      stop.updateTime = this.#clock.now();
      const view = this.#stopView(stop);
      this.#emit({ kind: "order", accountId, order: view, execution: "CANCELED" });
      return { ok: true, value: view };
    }
    const engineId = ref.orderId === undefined ? undefined : this.#engineOf.get(ref.orderId);
    if (ref.orderId !== undefined && engineId === undefined) return { ok: false, error: ERR.cancelUnknown };
    const result = this.#engine.cancel(engineId !== undefined ? { account: accountId, symbol, orderId: engineId } : { account: accountId, symbol, clientOrderId: ref.clientOrderId ?? "" });
    if (!result.ok) return { ok: false, error: ERR.cancelUnknown };
    return { ok: true, value: this.#view(result.order) };
  }

  cancelAll(accountId: string, symbol: string): BnOrderView[] {
    const out: BnOrderView[] = [];
    for (const stop of this.#stops.values()) {
      if (stop.input.accountId !== accountId || stop.input.symbol !== symbol || stop.status !== "NEW") continue;
      const cancelled = this.cancel(accountId, symbol, { orderId: stop.orderId });
      if (cancelled.ok) out.push(cancelled.value);
    }
    for (const o of this.#engine.cancelAll(accountId, symbol)) out.push(this.#view(o));
    return out;
  }

  /** Any order of the account by id or client id (client ids: the newest order that used it). */
  find(accountId: string, ref: { orderId?: number; clientOrderId?: string }): BnOrderView | undefined {
    const stop = this.#findStop(accountId, ref);
    if (stop !== undefined && stop.status !== "TRIGGERED") return this.#stopView(stop);
    if (ref.orderId !== undefined) {
      const engineId = this.#engineOf.get(ref.orderId);
      const o = engineId === undefined ? undefined : this.#engine.order({ account: accountId, orderId: engineId });
      return o === undefined ? undefined : this.#view(o);
    }
    const o = this.#engine.order({ account: accountId, clientOrderId: ref.clientOrderId ?? "" });
    return o === undefined ? undefined : this.#view(o);
  }

  openOrders(accountId: string, symbol?: string): BnOrderView[] {
    const stops = [...this.#stops.values()].filter((s) => s.input.accountId === accountId && s.status === "NEW" && (symbol === undefined || s.input.symbol === symbol));
    return [...this.#engine.openOrders(accountId, symbol).map((o) => this.#view(o)), ...stops.map((s) => this.#stopView(s))].sort((a, b) => a.orderId - b.orderId);
  }

  /** Every order of the account, oldest first. */
  orders(accountId: string): BnOrderView[] {
    const engineOrders = this.#engine.orderHistory(accountId).map((o) => this.#view(o));
    const stops = [...this.#stops.values()].filter((s) => s.input.accountId === accountId && s.status !== "TRIGGERED").map((s) => this.#stopView(s));
    return [...engineOrders, ...stops].sort((a, b) => a.orderId - b.orderId);
  }

  trades(accountId: string): readonly BnTrade[] {
    return this.#trades.get(accountId) ?? [];
  }

  income(accountId: string): readonly BnIncome[] {
    return this.#income.get(accountId) ?? [];
  }

  // ------------------------------------------------------------------ account

  leverage(accountId: string, symbol: string): number {
    return this.#leverage.get(`${accountId}\u0000${symbol}`) ?? DEFAULT_LEVERAGE;
  }

  setLeverage(accountId: string, symbol: string, leverage: number): void {
    this.#leverage.set(`${accountId}\u0000${symbol}`, leverage);
  }

  /** `GET /fapi/v1/positionSide/dual`. */
  dualSide(accountId: string): boolean {
    return this.#dualSide.has(accountId);
  }

  /** `POST /fapi/v1/positionSide/dual`, by Binance's rules: no change while a position or an open order exists. */
  feeBurn(accountId: string): boolean {
    return this.#feeBurn.has(accountId);
  }

  setFeeBurn(accountId: string, on: boolean): void {
    if (on) this.#feeBurn.add(accountId);
    else this.#feeBurn.delete(accountId);
  }

  setDualSide(accountId: string, dual: boolean): BinanceError | undefined {
    if (this.#dualSide.has(accountId) === dual) return ERR.noNeedChangeMode;
    if (this.instruments().some((i) => this.position(accountId, i.symbol).positionAmt !== ZERO)) return ERR.modeWithPosition;
    if (this.openOrders(accountId).length > 0) return ERR.modeWithOpenOrders;
    if (dual) this.#dualSide.add(accountId);
    else this.#dualSide.delete(accountId);
    return undefined;
  }

  position(accountId: string, symbol: string): BnPosition {
    const p = this.#engine.position(accountId, symbol);
    const amt = p?.qty ?? ZERO;
    const entry = p?.avgPrice ?? ZERO;
    const mark = this.markPrice(symbol);
    const leverage = dec(String(this.leverage(accountId, symbol)));
    const notional = mul(amt, mark);
    let orderIM = ZERO;
    for (const o of this.#engine.openOrders(accountId, symbol)) {
      if (!o.reduceOnly && o.price !== undefined) orderIM = add(orderIM, div(mul(o.leavesQty, o.price), leverage));
    }
    return {
      symbol,
      positionAmt: amt,
      entryPrice: entry,
      markPrice: mark,
      unRealizedProfit: amt === ZERO ? ZERO : mul(amt, sub(mark, entry)),
      leverage: this.leverage(accountId, symbol),
      notional,
      initialMargin: div(abs(notional), leverage),
      maintMargin: mul(abs(notional), MMR),
      openOrderInitialMargin: orderIM,
      updateTime: p?.updatedAt ?? 0,
    };
  }

  wallet(accountId: string): BnWallet {
    const positions = BINANCE_INSTRUMENTS.map((i) => this.position(accountId, i.symbol));
    const sum = (field: "unRealizedProfit" | "initialMargin" | "openOrderInitialMargin" | "maintMargin"): Dec => positions.reduce((acc, p) => add(acc, p[field]), ZERO);
    const w = this.#engine.wallet(accountId);
    const balance = w?.balance ?? ZERO;
    const upl = sum("unRealizedProfit");
    const posIM = sum("initialMargin");
    const orderIM = sum("openOrderInitialMargin");
    return {
      walletBalance: balance,
      unrealizedProfit: upl,
      positionInitialMargin: posIM,
      openOrderInitialMargin: orderIM,
      maintMargin: sum("maintMargin"),
      availableBalance: sub(sub(add(balance, upl), posIM), orderIM),
      updateTime: w?.updatedAt ?? this.#clock.now(),
    };
  }

  /**
   * Funding: every open position of `symbol` (all symbols when undefined) pays or receives
   * `positionAmt × mark × rate` (longs pay a positive rate), as FUNDING_FEE income and an
   * ACCOUNT_UPDATE with the balance only (cross margin).
   */
  settleFunding(symbol: string | undefined, rate: Dec): number {
    let settled = 0;
    const now = this.#clock.now();
    for (const accountId of this.#accounts) {
      const touched: string[] = [];
      for (const i of BINANCE_INSTRUMENTS) {
        if (symbol !== undefined && i.symbol !== symbol) continue;
        const amt = this.#engine.position(accountId, i.symbol)?.qty ?? ZERO;
        if (amt === ZERO) continue;
        const payment = -mul(mul(amt, this.markPrice(i.symbol)), rate) as Dec;
        const balance = this.#engine.wallet(accountId)?.balance ?? ZERO;
        this.#engine.setBalance(accountId, add(balance, payment));
        this.#addIncome(accountId, { symbol: i.symbol, incomeType: "FUNDING_FEE", income: payment, time: now, tranId: this.#nextTranId++, tradeId: "" });
        touched.push(i.symbol);
        settled += 1;
      }
      if (touched.length > 0) this.#emit({ kind: "account", accountId, reason: "FUNDING_FEE", symbols: [] });
    }
    return settled;
  }

  // ------------------------------------------------------------------ events

  subscribe(listener: (event: BnEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#market.stop();
    this.#fundingTimer.cancel();
    this.#triggerScheduled?.cancel();
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #emit(event: BnEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  #onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case "order": {
        if (e.change === "created" && this.#placing !== undefined && !this.#numericOf.has(e.order.orderId)) {
          const p = this.#placing;
          this.#numericOf.set(e.order.orderId, p.numericId);
          this.#engineOf.set(p.numericId, e.order.orderId);
          this.#request.set(p.numericId, { type: p.type, stopPrice: p.stopPrice, closePosition: p.closePosition, receivedAt: p.receivedAt, time: this.#clock.now() });
        }
        const view = this.#view(e.order);
        if (e.change === "created") this.#emit({ kind: "order", accountId: e.order.account, order: { ...view, status: "NEW", executedQty: ZERO, cumQuote: ZERO, avgPrice: ZERO }, execution: "NEW" });
        else if (e.change === "cancelled") this.#emit({ kind: "order", accountId: e.order.account, order: view, execution: view.status === "EXPIRED" ? "EXPIRED" : "CANCELED" });
        return;
      }
      case "execution":
        this.#onExecution(e.execution);
        return;
      case "position":
        this.#lastPosition.set(`${e.position.account}\u0000${e.position.symbol}`, { qty: e.position.qty, avgPrice: e.position.avgPrice });
        this.#emit({ kind: "account", accountId: e.position.account, reason: "ORDER", symbols: [e.position.symbol] });
        return;
      case "trade":
        this.#emit({
          kind: "trade",
          trade: { id: this.#nextAggId++, symbol: e.trade.symbol, price: e.trade.price, qty: e.trade.qty, buyerIsMaker: e.trade.aggressor === "sell", time: e.trade.ts },
        });
        this.#scheduleTriggers();
        return;
      case "book":
        this.#scheduleTriggers();
        return;
      case "wallet":
        return;
    }
  }

  #onExecution(x: Execution): void {
    // The P&L is of the part closed, at the entry price before this fill.
    const before = this.#lastPosition.get(`${x.account}\u0000${x.symbol}`);
    const entry = before?.avgPrice ?? ZERO;
    const longBefore = x.side === "sell";
    const pnl = x.closedQty === ZERO ? ZERO : mul(x.closedQty, longBefore ? sub(x.price, entry) : sub(entry, x.price));
    const numericId = this.#numericOf.get(x.orderId) ?? 0;
    const trade: BnTrade = {
      accountId: x.account,
      id: this.#nextTradeId++,
      orderId: numericId,
      clientOrderId: x.clientOrderId ?? "",
      symbol: x.symbol,
      side: bnSide(x.side),
      price: x.price,
      qty: x.qty,
      ...(this.#feeBurn.has(x.account) ? { commission: div(x.fee, SIM_BNB_PRICE), commissionAsset: "BNB" } : { commission: x.fee, commissionAsset: "USDT" }),
      realizedPnl: pnl,
      maker: x.liquidity === "maker",
      time: x.ts,
    };
    appendBounded(this.#trades, x.account, trade, this.#maxRecords);
    if (pnl !== ZERO) this.#addIncome(x.account, { symbol: x.symbol, incomeType: "REALIZED_PNL", income: pnl, time: x.ts, tranId: this.#nextTranId++, tradeId: String(trade.id) });
    this.#addIncome(x.account, { symbol: x.symbol, incomeType: "COMMISSION", income: -x.fee as Dec, time: x.ts, tranId: this.#nextTranId++, tradeId: String(trade.id) });
    const order = this.#engine.order({ account: x.account, orderId: x.orderId });
    if (order === undefined) return;
    const filled = sub(x.orderQty, x.leavesQty);
    const view = this.#view(order);
    this.#emit({
      kind: "fill",
      accountId: x.account,
      order: { ...view, status: x.leavesQty === ZERO ? "FILLED" : "PARTIALLY_FILLED", executedQty: filled },
      trade,
    });
  }

  #addIncome(accountId: string, income: BnIncome): void {
    appendBounded(this.#income, accountId, income, this.#maxRecords);
  }

  /** The matching engine forgot an ended order: so do its numeric id, request facts and the stop it came from. */
  #forget(engineId: string): void {
    const numericId = this.#numericOf.get(engineId);
    if (numericId === undefined) return;
    this.#numericOf.delete(engineId);
    this.#engineOf.delete(numericId);
    this.#request.delete(numericId);
    // A triggered stop lives on as this engine order, under the same id.
    this.#stops.delete(numericId);
  }

  /** Entries kept beside the matching engine's orders and per-account records (bounded: see `maxRecords`). */
  retained(): { readonly orderIds: number; readonly requests: number; readonly records: number } {
    let records = 0;
    for (const list of [...this.#trades.values(), ...this.#income.values()]) records += list.length;
    return { orderIds: this.#numericOf.size, requests: this.#request.size, records };
  }

  /** Stops are checked after the engine's listeners return (the engine is not re-entrant). */
  #scheduleTriggers(): void {
    if (this.#triggerScheduled !== undefined || ![...this.#stops.values()].some((s) => s.status === "NEW")) return;
    this.#triggerScheduled = this.#clock.setTimeout(() => {
      this.#triggerScheduled = undefined;
      this.#runTriggers();
    }, 0);
  }

  #runTriggers(): void {
    for (const stop of [...this.#stops.values()]) {
      if (stop.status !== "NEW") continue;
      const { input } = stop;
      const mark = this.markPrice(input.symbol);
      const stopPrice = input.stopPrice!;
      const upward = (input.type === "STOP_MARKET") === (input.side === "BUY");
      if (upward ? mark < stopPrice : mark > stopPrice) continue;
      const now = this.#clock.now();
      stop.updateTime = now;
      let qty = input.qty;
      if (input.closePosition) {
        const amt = this.#engine.position(input.accountId, input.symbol)?.qty ?? ZERO;
        const closes = (amt > ZERO && input.side === "SELL") || (amt < ZERO && input.side === "BUY");
        qty = closes ? abs(amt) : ZERO;
      }
      if (qty === ZERO) {
        // Nothing to close: Binance expires the stop.
        stop.status = "EXPIRED";
        this.#emit({ kind: "order", accountId: input.accountId, order: this.#stopView(stop), execution: "EXPIRED" });
        continue;
      }
      stop.status = "TRIGGERED";
      const placed = this.#placeInEngine({ ...input, qty, type: "MARKET" }, stop.orderId, input.type);
      if (!placed.ok) {
        stop.status = "EXPIRED";
        this.#emit({ kind: "order", accountId: input.accountId, order: this.#stopView(stop), execution: "EXPIRED" });
      }
    }
  }

  #clientIdOpen(accountId: string, clientOrderId: string): boolean {
    if (this.#openStopWithClientId(accountId, clientOrderId) !== undefined) return true;
    return this.#engine.openOrders(accountId).some((o) => o.clientOrderId === clientOrderId);
  }

  #openStopWithClientId(accountId: string, clientOrderId: string): StopOrder | undefined {
    for (const s of this.#stops.values()) if (s.input.accountId === accountId && s.status === "NEW" && s.input.clientOrderId === clientOrderId) return s;
    return undefined;
  }

  #findStop(accountId: string, ref: { orderId?: number; clientOrderId?: string }): StopOrder | undefined {
    if (ref.orderId !== undefined) {
      const s = this.#stops.get(ref.orderId);
      return s?.input.accountId === accountId ? s : undefined;
    }
    let found: StopOrder | undefined;
    for (const s of this.#stops.values()) if (s.input.accountId === accountId && s.input.clientOrderId === ref.clientOrderId) found = s;
    // An engine order with the same client id placed later wins.
    const engine = ref.clientOrderId === undefined ? undefined : this.#engine.order({ account: accountId, clientOrderId: ref.clientOrderId });
    if (found !== undefined && engine !== undefined && (this.#numericOf.get(engine.orderId) ?? 0) > found.orderId) return undefined;
    return found;
  }

  // ------------------------------------------------------------------ views

  #stopView(s: StopOrder): BnOrderView {
    const i = s.input;
    return {
      accountId: i.accountId,
      orderId: s.orderId,
      clientOrderId: i.clientOrderId,
      symbol: i.symbol,
      side: i.side,
      type: i.type,
      origType: i.type,
      timeInForce: "GTC",
      price: ZERO,
      origQty: i.qty,
      executedQty: ZERO,
      cumQuote: ZERO,
      avgPrice: ZERO,
      stopPrice: i.stopPrice ?? ZERO,
      reduceOnly: i.reduceOnly || i.closePosition,
      closePosition: i.closePosition,
      status: s.status === "TRIGGERED" ? "NEW" : s.status,
      time: s.time,
      updateTime: s.updateTime,
      receivedAt: i.receivedAt,
    };
  }

  #view(o: OrderSnapshot): BnOrderView {
    const numericId = this.#numericOf.get(o.orderId) ?? 0;
    const req = this.#request.get(numericId);
    const origType = req?.type ?? (o.type === "limit" ? "LIMIT" : "MARKET");
    const stop = this.#stops.get(numericId);
    const cause = o.cancelCause;
    const status: BnStatus =
      o.status === "new"
        ? "NEW"
        : o.status === "partially-filled"
          ? "PARTIALLY_FILLED"
          : o.status === "filled"
            ? "FILLED"
            : cause === "user" || cause === "cancel-all"
              ? "CANCELED"
              : "EXPIRED";
    return {
      accountId: o.account,
      orderId: numericId,
      clientOrderId: o.clientOrderId ?? "",
      symbol: o.symbol,
      side: bnSide(o.side),
      type: o.type === "limit" ? "LIMIT" : "MARKET",
      origType,
      timeInForce: o.type === "market" ? "GTC" : o.timeInForce === "POST_ONLY" ? "GTX" : o.timeInForce,
      price: o.price ?? ZERO,
      origQty: stop?.input.closePosition === true ? ZERO : o.qty,
      executedQty: o.filledQty,
      cumQuote: o.filledValue,
      avgPrice: o.avgFillPrice ?? ZERO,
      stopPrice: req?.stopPrice ?? ZERO,
      reduceOnly: o.reduceOnly,
      closePosition: req?.closePosition ?? false,
      status,
      time: stop?.time ?? req?.time ?? o.createdAt,
      updateTime: o.updatedAt,
      receivedAt: stop?.input.receivedAt ?? req?.receivedAt ?? o.createdAt,
    };
  }
}
