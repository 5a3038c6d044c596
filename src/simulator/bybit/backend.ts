/**
 * The exchange behind the Bybit protocol: the sim matching engine over the seeded synthetic
 * market (src/venues/sim), configured the Bybit way (a crossing post-only order is accepted then
 * cancelled; an orderLinkId is unique across the orders it keeps: the open ones and the newest
 * 10,000 ended), plus what Bybit reports that the engine does not keep: UUID ids, leverage and
 * margin, mark price, per-symbol fees and realised P&L, 24h ticker statistics, and per-order
 * request facts (receivedAt, lastPriceOnCreated); and what moves the wallet without a trade:
 * funding settlements (a `Funding` execution per open position at the mark) and transfers; the
 * account's transaction log has them and every trade.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { abs, add, div, dec, mul, neg, roundToStep, sub, ZERO, type Dec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { Side } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import { isScenarioName } from "../../venues/sim/market/scenarios.ts";
import { SyntheticMarket } from "../../venues/sim/market/synthetic-market.ts";
import { MatchingEngine } from "../../venues/sim/matching/matching-engine.ts";
import type { EngineEvent, Execution, OrderSnapshot, PositionSnapshot, Rejection } from "../../venues/sim/matching/types.ts";
import { RET, type RetCode } from "./codes.ts";
import type { AmendInput, ExchangeEvent, ExchangePort, OrderRef, Outcome, PlaceOrderInput } from "./exchange-port.ts";
import type { BookView, BybitSide, ExecutionView, OrderView, PositionView, TickerView, TransactionView, WalletView } from "./model.ts";
import { BYBIT_SIM_INSTRUMENTS, BYBIT_SIM_START_PRICES } from "./instruments.ts";
import { TradeTape } from "./ticker-stats.ts";
import { appendBounded, DEFAULT_MAX_RECORDS } from "../shared/bounded-history.ts";

export interface BackendAccount {
  readonly accountId: string;
  readonly startingBalance: Dec;
}

export interface BackendOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly scenario: string;
  readonly accounts: readonly BackendAccount[];
  readonly instruments?: readonly Instrument[] | undefined;
  /** History kept per account: ended orders (the matching engine's default when absent). */
  readonly maxTerminalOrders?: number | undefined;
  /** History kept per account: executions, funding and the transaction log (`DEFAULT_MAX_RECORDS`). */
  readonly maxRecords?: number | undefined;
}

/** Levels per side of the synthetic book: enough to fill `orderbook.200`. */
const BOOK_DEPTH = 200;
const DEFAULT_LEVERAGE = dec("10");
/** Maintenance margin rate of the first risk tier. */
const MMR = dec("0.005");
const FUNDING_RATE = dec("0.0001");
const FUNDING_INTERVAL_MS = 8 * 3600 * 1000;

/** The fields of a transaction-log entry that no trade is behind (a transfer), to spread and override. */
const NO_TRADE = {
  side: "None",
  qty: ZERO,
  size: ZERO,
  tradePrice: ZERO,
  funding: ZERO,
  fee: ZERO,
  cashFlow: ZERO,
  feeRate: ZERO,
  tradeId: "",
  orderId: "",
  orderLinkId: "",
} as const;

/** Facts of a request the engine does not keep. */
interface OrderExtra {
  readonly receivedAt: number;
  readonly closeOnTrigger: boolean;
  readonly lastPriceOnCreated: Dec | undefined;
  closedPnl: Dec;
}

interface PositionBook {
  /** The engine position last seen (before the fill being reported, when an execution arrives). */
  last: PositionSnapshot | undefined;
  fees: Dec;
  openedAt: number;
  /** cumRealisedPnl when the current position opened (Bybit's curRealisedPnl counts from there). */
  realisedAtOpen: Dec;
}

/** A UUID-shaped id derived from the engine's id: stable, unique, and the shape Bybit uses. */
function uuidOf(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const bybitSide = (side: Side): BybitSide => (side === "buy" ? "Buy" : "Sell");

function rejectionCode(r: Rejection): { retCode: RetCode; retMsg?: string } {
  switch (r.code) {
    case "DUPLICATE_CLIENT_ORDER_ID":
      return { retCode: RET.DUPLICATE_LINK_ID };
    case "REDUCE_ONLY_WOULD_INCREASE":
      return { retCode: RET.REDUCE_ONLY };
    case "TOO_MANY_OPEN_ORDERS":
      return { retCode: RET.TOO_MANY_ORDERS };
    case "NOTIONAL_BELOW_MIN":
      return { retCode: RET.NOTIONAL_TOO_LOW };
    case "ORDER_NOT_FOUND":
    case "ORDER_NOT_OPEN":
      return { retCode: RET.ORDER_NOT_EXIST };
    default:
      return { retCode: RET.PARAM, retMsg: `params error: ${r.message}` };
  }
}

export function createEngineBackend(options: BackendOptions): ExchangePort {
  return new EngineBackend(options);
}

export class EngineBackend implements ExchangePort {
  readonly #clock: Clock;
  readonly #instruments: readonly Instrument[];
  readonly #market: SyntheticMarket;
  readonly #engine: MatchingEngine;
  readonly #accounts: ReadonlySet<string>;
  readonly #extras = new Map<string, OrderExtra>();
  readonly #engineIdOf = new Map<string, string>();
  readonly #bybitIdOf = new Map<string, string>();
  readonly #positions = new Map<string, PositionBook>();
  readonly #leverage = new Map<string, Dec>();
  /** Stop-losses of open positions (trading-stop), by account and symbol. */
  readonly #stops = new Map<string, Dec>();
  /** Symbols whose stops are due a check after the current engine event. */
  readonly #stopChecks = new Set<string>();
  readonly #tapes = new Map<string, TradeTape>();
  readonly #listeners = new Set<(accountId: string | undefined, event: ExchangeEvent) => void>();
  /** Per account, oldest first: funding executions (the engine's executions are trades only). */
  readonly #funding = new Map<string, ExecutionView[]>();
  /** Per account, oldest first. */
  readonly #ledger = new Map<string, TransactionView[]>();
  /** Per account: funding paid so far (Bybit counts it in cumRealisedPnl). */
  readonly #fundingPaid = new Map<string, Dec>();
  readonly #maxRecords: number;
  #ledgerCounter = 0;
  /** Extras of the order being placed: the engine reports it before `place` returns its id. */
  #placing: OrderExtra | undefined;
  readonly #unsubscribe: () => void;

  constructor(options: BackendOptions) {
    if (!isScenarioName(options.scenario)) {
      throw new HeanError("CONFIG_INVALID", `unknown scenario ${JSON.stringify(options.scenario)} (calm, trend, flash-crash, stale)`, {
        scenario: options.scenario,
      });
    }
    this.#clock = options.clock;
    this.#maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    this.#instruments = options.instruments ?? BYBIT_SIM_INSTRUMENTS;
    this.#market = new SyntheticMarket({
      clock: options.clock,
      instruments: this.#instruments,
      startPrices: BYBIT_SIM_START_PRICES,
      seed: options.seed,
      scenario: options.scenario,
      depth: BOOK_DEPTH,
    });
    this.#engine = new MatchingEngine({
      clock: options.clock,
      instruments: this.#instruments,
      market: this.#market,
      idPrefix: `bybit${options.seed >>> 0}-${options.clock.now().toString(36)}`,
      postOnlyCross: "cancel",
      clientOrderIdScope: "all",
      maxTerminalOrders: options.maxTerminalOrders,
      maxExecutions: options.maxRecords,
      onOrderForgotten: (orderId) => this.#forget(orderId),
    });
    for (const a of options.accounts) this.#engine.ensureAccount(a.accountId, a.startingBalance);
    this.#accounts = new Set(options.accounts.map((a) => a.accountId));
    for (const i of this.#instruments) this.#tapes.set(i.symbol, new TradeTape());
    this.#unsubscribe = this.#engine.subscribe((e) => this.#onEngineEvent(e));
    this.#market.start();
  }

  // ------------------------------------------------------------------ market

  instruments(): readonly Instrument[] {
    return this.#instruments;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.#engine.instrument(symbol);
  }

  book(symbol: string, levels: number): BookView {
    const depth = this.#engine.depth(symbol, levels);
    return { symbol, bids: depth?.bids ?? [], asks: depth?.asks ?? [], updatedAt: depth?.ts ?? this.#clock.now() };
  }

  crossSeq(): number {
    return this.#engine.sequence();
  }

  setPrice(symbol: string, price: Dec): void {
    this.#market.setPrice(symbol, price);
  }

  /** Mid of the touch on the tick grid; the last trade when one side is empty. */
  #markPrice(symbol: string): Dec {
    const i = this.instrument(symbol)!;
    const top = this.#engine.top(symbol);
    const bid = top?.bid?.price;
    const ask = top?.ask?.price;
    if (bid !== undefined && ask !== undefined) return roundToStep(div(add(bid, ask), dec("2")), i.tickSize, "floor");
    return bid ?? ask ?? this.#tapes.get(symbol)!.stats(this.#clock.now()).lastPrice ?? ZERO;
  }

  ticker(symbol: string): TickerView {
    const now = this.#clock.now();
    const top = this.#engine.top(symbol);
    const mark = this.#markPrice(symbol);
    const s = this.#tapes.get(symbol)!.stats(now);
    const last = s.lastPrice ?? mark;
    let openInterest = ZERO;
    for (const account of this.#accounts) {
      const qty = this.#engine.position(account, symbol)?.qty ?? ZERO;
      if (qty > ZERO) openInterest = add(openInterest, qty);
    }
    return {
      symbol,
      lastPrice: last,
      markPrice: mark,
      indexPrice: mark,
      bid1Price: top?.bid?.price,
      bid1Size: top?.bid?.qty ?? ZERO,
      ask1Price: top?.ask?.price,
      ask1Size: top?.ask?.qty ?? ZERO,
      prevPrice24h: s.prevPrice24h ?? last,
      highPrice24h: s.highPrice24h ?? last,
      lowPrice24h: s.lowPrice24h ?? last,
      prevPrice1h: s.prevPrice1h ?? last,
      volume24h: s.volume24h,
      turnover24h: s.turnover24h,
      openInterest,
      fundingRate: FUNDING_RATE,
      nextFundingTime: (Math.floor(now / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS,
      tickDirection: s.tickDirection,
    };
  }

  // ------------------------------------------------------------------ orders

  placeOrder(input: PlaceOrderInput): Outcome<OrderView> {
    this.#placing = {
      receivedAt: input.receivedAt,
      closeOnTrigger: input.closeOnTrigger,
      lastPriceOnCreated: this.#tapes.get(input.symbol)?.stats(this.#clock.now()).lastPrice,
      closedPnl: ZERO,
    };
    try {
      const result = this.#engine.place({
        account: input.accountId,
        symbol: input.symbol,
        side: input.side === "Buy" ? "buy" : "sell",
        type: input.orderType === "Limit" ? "limit" : "market",
        qty: input.qty,
        price: input.price,
        timeInForce: input.timeInForce === "PostOnly" ? "POST_ONLY" : input.timeInForce,
        reduceOnly: input.reduceOnly,
        clientOrderId: input.orderLinkId === "" ? undefined : input.orderLinkId,
      });
      if (!result.ok) return { ok: false, ...rejectionCode(result.rejection) };
      return { ok: true, value: this.#orderView(result.order) };
    } finally {
      this.#placing = undefined;
    }
  }

  #engineRef(accountId: string, symbol: string | undefined, ref: OrderRef): { account: string; orderId?: string; clientOrderId?: string; symbol?: string } {
    const base = symbol === undefined ? { account: accountId } : { account: accountId, symbol };
    if (ref.orderId !== undefined) return { ...base, orderId: this.#engineIdOf.get(ref.orderId) ?? `unknown:${ref.orderId}` };
    return { ...base, clientOrderId: ref.orderLinkId ?? "" };
  }

  amendOrder(accountId: string, symbol: string, ref: OrderRef, change: AmendInput): Outcome<OrderView> {
    const result = this.#engine.amend({ ...this.#engineRef(accountId, symbol, ref), qty: change.qty, price: change.price });
    if (!result.ok) {
      if (result.rejection.code === "POST_ONLY_WOULD_TAKE") return { ok: false, retCode: RET.PARAM, retMsg: "params error: the new price would take liquidity (PostOnly)" };
      return { ok: false, ...rejectionCode(result.rejection) };
    }
    return { ok: true, value: this.#orderView(result.order) };
  }

  cancelOrder(accountId: string, symbol: string, ref: OrderRef): Outcome<OrderView> {
    const result = this.#engine.cancel(this.#engineRef(accountId, symbol, ref));
    if (!result.ok) return { ok: false, ...rejectionCode(result.rejection) };
    return { ok: true, value: this.#orderView(result.order) };
  }

  cancelAll(accountId: string, symbol: string | undefined): OrderView[] {
    return this.#engine.cancelAll(accountId, symbol).map((o) => this.#orderView(o));
  }

  findOrder(accountId: string, ref: OrderRef): OrderView | undefined {
    const found = this.#engine.order(this.#engineRef(accountId, undefined, ref));
    return found === undefined ? undefined : this.#orderView(found);
  }

  orders(accountId: string): OrderView[] {
    return this.#engine.orderHistory(accountId).map((o) => this.#orderView(o));
  }

  openOrders(accountId: string, symbol?: string): OrderView[] {
    return this.#engine.openOrders(accountId, symbol).map((o) => this.#orderView(o));
  }

  executions(accountId: string): ExecutionView[] {
    const trades = this.#engine
      .executions(accountId)
      .map((e) => this.#executionView(e, ZERO))
      .reverse();
    const funding = [...(this.#funding.get(accountId) ?? [])].reverse();
    // Newest first; the sort is stable, so each list keeps its own order within a millisecond.
    return funding.length === 0 ? trades : [...trades, ...funding].sort((a, b) => b.execTime - a.execTime);
  }

  transactions(accountId: string): TransactionView[] {
    return [...(this.#ledger.get(accountId) ?? [])].reverse();
  }

  settleFunding(rate: Dec | undefined, symbol: string | undefined): ExecutionView[] {
    const r = rate ?? FUNDING_RATE;
    const now = this.#clock.now();
    const out: ExecutionView[] = [];
    for (const accountId of this.#accounts) {
      for (const i of this.#instruments) {
        if (symbol !== undefined && i.symbol !== symbol) continue;
        const qty = this.#engine.position(accountId, i.symbol)?.qty ?? ZERO;
        if (qty === ZERO) continue;
        const mark = this.#markPrice(i.symbol);
        // Longs pay a positive rate: the fee is positive when paid, as for trades.
        const fee = mul(mul(qty, mark), r);
        const n = ++this.#ledgerCounter;
        const execution: ExecutionView = {
          accountId,
          execId: uuidOf(`${accountId}-funding-${n}`),
          execType: "Funding",
          orderId: `${Math.floor(now / 1000)}-${n}-funding`,
          orderLinkId: "",
          symbol: i.symbol,
          side: qty > ZERO ? "Buy" : "Sell",
          orderType: "UNKNOWN",
          orderPrice: undefined,
          orderQty: ZERO,
          leavesQty: ZERO,
          execPrice: mark,
          execQty: abs(qty),
          execValue: mul(abs(qty), mark),
          execFee: fee,
          feeRate: r,
          isMaker: false,
          execTime: now,
          closedSize: ZERO,
          execPnl: ZERO,
          markPrice: mark,
          seq: this.#engine.sequence(),
        };
        appendBounded(this.#funding, accountId, execution, this.#maxRecords);
        this.#fundingPaid.set(accountId, add(this.#fundingPaid.get(accountId) ?? ZERO, fee));
        // As on Bybit: the execution is pushed, then the wallet it changed.
        this.#emit(accountId, { kind: "execution", execution });
        const balance = this.#moveBalance(accountId, neg(fee));
        this.#log(accountId, {
          ...NO_TRADE,
          symbol: i.symbol,
          type: "SETTLEMENT",
          side: execution.side,
          qty: abs(qty),
          size: qty,
          tradePrice: mark,
          funding: neg(fee),
          feeRate: r,
          change: neg(fee),
          cashBalance: balance,
          tradeId: execution.execId,
        }, n);
        out.push(execution);
      }
    }
    return out;
  }

  adjustWallet(accountId: string, amount: Dec, logged: boolean): Outcome<WalletView> {
    if (!this.#accounts.has(accountId)) return { ok: false, retCode: RET.PARAM, retMsg: `params error: unknown account ${accountId}` };
    const before = this.#engine.wallet(accountId)?.balance ?? ZERO;
    if (add(before, amount) < ZERO) return { ok: false, retCode: RET.AVAILABLE_INSUFFICIENT, retMsg: "the wallet balance cannot go below zero" };
    const balance = this.#moveBalance(accountId, amount);
    if (logged) {
      const type = amount < ZERO ? "TRANSFER_OUT" : "TRANSFER_IN";
      this.#log(accountId, { ...NO_TRADE, symbol: "", type, cashFlow: amount, change: amount, cashBalance: balance }, ++this.#ledgerCounter);
    }
    return { ok: true, value: this.wallet(accountId) };
  }

  /** Moves the wallet balance (the engine pushes the wallet message); returns the new balance. */
  #moveBalance(accountId: string, amount: Dec): Dec {
    const balance = add(this.#engine.wallet(accountId)?.balance ?? ZERO, amount);
    this.#engine.setBalance(accountId, balance);
    return balance;
  }

  #log(accountId: string, entry: Omit<TransactionView, "accountId" | "id" | "transactionTime">, n: number): void {
    appendBounded(this.#ledger, accountId, { accountId, id: uuidOf(`${accountId}-log-${n}`), transactionTime: this.#clock.now(), ...entry }, this.#maxRecords);
  }

  /** The matching engine forgot an ended order: so do its Bybit id and request extras. */
  #forget(engineId: string): void {
    this.#extras.delete(engineId);
    const bybitId = this.#bybitIdOf.get(engineId);
    if (bybitId === undefined) return;
    this.#bybitIdOf.delete(engineId);
    this.#engineIdOf.delete(bybitId);
  }

  /** Entries kept beside the matching engine's orders and per-account records (bounded: see `maxRecords`). */
  retained(): { readonly orderIds: number; readonly orderExtras: number; readonly records: number } {
    let records = 0;
    for (const list of [...this.#funding.values(), ...this.#ledger.values()]) records += list.length;
    return { orderIds: this.#bybitIdOf.size, orderExtras: this.#extras.size, records };
  }

  // ------------------------------------------------------------------ account

  leverage(accountId: string, symbol: string): Dec {
    return this.#leverage.get(`${accountId}\u0000${symbol}`) ?? DEFAULT_LEVERAGE;
  }

  setLeverage(accountId: string, symbol: string, leverage: Dec): Outcome<void> {
    this.#leverage.set(`${accountId}\u0000${symbol}`, leverage);
    this.#emit(accountId, { kind: "position", position: this.position(accountId, symbol) });
    return { ok: true, value: undefined };
  }

  setStopLoss(accountId: string, symbol: string, stopLoss: Dec | undefined): Outcome<void> {
    const p = this.position(accountId, symbol);
    if (p.size === ZERO) return { ok: false, retCode: RET.PARAM, retMsg: "can not set tp/sl/ts for zero position" };
    const key = `${accountId}\u0000${symbol}`;
    if (this.#stops.get(key) === stopLoss) return { ok: false, retCode: RET.NOT_MODIFIED, retMsg: "not modified" };
    if (stopLoss === undefined) {
      this.#stops.delete(key);
    } else {
      const long = p.size > ZERO;
      // Bybit refuses a stop already on the wrong side of the mark: it would trigger at once.
      if (long ? stopLoss >= p.markPrice : stopLoss <= p.markPrice) {
        return { ok: false, retCode: RET.PARAM, retMsg: `StopLoss set for ${long ? "Buy" : "Sell"} position should be ${long ? "lower" : "higher"} than MarkPrice` };
      }
      this.#stops.set(key, stopLoss);
    }
    this.#emit(accountId, { kind: "position", position: this.position(accountId, symbol) });
    return { ok: true, value: undefined };
  }

  /** Close every position of `symbol` whose stop the mark has reached, with a reduce-only market order. */
  #triggerStops(symbol: string): void {
    const mark = this.#markPrice(symbol);
    for (const accountId of this.#accounts) {
      const key = `${accountId}\u0000${symbol}`;
      const stop = this.#stops.get(key);
      if (stop === undefined) continue;
      const size = this.#engine.position(accountId, symbol)?.qty ?? ZERO;
      if (size === ZERO) {
        this.#stops.delete(key);
        continue;
      }
      if (size > ZERO ? mark > stop : mark < stop) continue;
      this.#stops.delete(key);
      this.placeOrder({
        accountId,
        symbol,
        side: size > ZERO ? "Sell" : "Buy",
        orderType: "Market",
        qty: abs(size),
        price: undefined,
        timeInForce: "IOC",
        reduceOnly: true,
        closeOnTrigger: true,
        orderLinkId: "",
        receivedAt: this.#clock.now(),
      });
    }
  }

  position(accountId: string, symbol: string): PositionView {
    const snap = this.#engine.position(accountId, symbol);
    return this.#positionView(accountId, symbol, snap);
  }

  #positionView(accountId: string, symbol: string, snap: PositionSnapshot | undefined): PositionView {
    const book = this.#positionBook(accountId, symbol);
    const size = snap?.qty ?? ZERO;
    const avgPrice = snap?.avgPrice ?? ZERO;
    const mark = this.#markPrice(symbol);
    const leverage = this.leverage(accountId, symbol);
    const value = mul(abs(size), mark);
    const cumRealised = sub(snap?.realisedPnl ?? ZERO, book.fees);
    return {
      accountId,
      symbol,
      size,
      avgPrice,
      markPrice: mark,
      leverage,
      unrealisedPnl: size === ZERO ? ZERO : mul(size, sub(mark, avgPrice)),
      curRealisedPnl: size === ZERO ? ZERO : sub(cumRealised, book.realisedAtOpen),
      cumRealisedPnl: cumRealised,
      positionIM: div(value, leverage),
      positionMM: mul(value, MMR),
      createdTime: book.openedAt,
      updatedTime: snap?.updatedAt ?? book.openedAt,
      seq: snap?.seq ?? 0,
      stopLoss: size === ZERO ? undefined : this.#stops.get(`${accountId}\u0000${symbol}`),
    };
  }

  wallet(accountId: string): WalletView {
    const w = this.#engine.wallet(accountId);
    let upl = ZERO;
    let positionIM = ZERO;
    let positionMM = ZERO;
    for (const i of this.#instruments) {
      const p = this.position(accountId, i.symbol);
      upl = add(upl, p.unrealisedPnl);
      positionIM = add(positionIM, p.positionIM);
      positionMM = add(positionMM, p.positionMM);
    }
    let orderIM = ZERO;
    for (const o of this.#engine.openOrders(accountId)) {
      if (o.reduceOnly || o.price === undefined) continue;
      orderIM = add(orderIM, div(mul(o.leavesQty, o.price), this.leverage(accountId, o.symbol)));
    }
    return {
      accountId,
      coin: "USDT",
      walletBalance: w?.balance ?? ZERO,
      unrealisedPnl: upl,
      cumRealisedPnl: w === undefined ? ZERO : sub(sub(w.realisedPnl, w.feesPaid), this.#fundingPaid.get(accountId) ?? ZERO),
      totalOrderIM: orderIM,
      totalPositionIM: positionIM,
      totalPositionMM: positionMM,
    };
  }

  // ------------------------------------------------------------------ events

  subscribe(listener: (accountId: string | undefined, event: ExchangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#market.stop();
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #emit(accountId: string | undefined, event: ExchangeEvent): void {
    for (const listener of [...this.#listeners]) listener(accountId, event);
  }

  #onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case "order": {
        if (e.change === "created" && this.#placing !== undefined && !this.#extras.has(e.order.orderId)) {
          this.#extras.set(e.order.orderId, this.#placing);
        }
        const account = e.order.account;
        this.#emit(account, { kind: "order", order: this.#orderView(e.order) });
        // Bybit pushes a position message on every create, amend and cancel, changed or not, and the
        // wallet moves with the order margin.
        if (e.change !== "filled") {
          this.#emit(account, { kind: "position", position: this.position(account, e.order.symbol) });
          this.#emit(account, { kind: "wallet", wallet: this.wallet(account) });
        }
        return;
      }
      case "execution": {
        const x = e.execution;
        const book = this.#positionBook(x.account, x.symbol);
        const before = book.last;
        const pnl = before === undefined || x.closedQty === ZERO ? ZERO : mul(x.closedQty, before.qty > ZERO ? sub(x.price, before.avgPrice) : sub(before.avgPrice, x.price));
        book.fees = add(book.fees, x.fee);
        const extra = this.#extras.get(x.orderId);
        if (extra !== undefined) extra.closedPnl = add(extra.closedPnl, sub(pnl, x.fee));
        const view = this.#executionView(x, pnl);
        // The engine has booked the fill: the wallet and the position are those after it.
        this.#log(x.account, {
          symbol: x.symbol,
          type: "TRADE",
          side: view.side,
          qty: x.qty,
          size: this.#engine.position(x.account, x.symbol)?.qty ?? ZERO,
          tradePrice: x.price,
          funding: ZERO,
          fee: x.fee,
          cashFlow: pnl,
          change: sub(pnl, x.fee),
          cashBalance: this.#engine.wallet(x.account)?.balance ?? ZERO,
          feeRate: x.feeRate,
          tradeId: view.execId,
          orderId: view.orderId,
          orderLinkId: view.orderLinkId,
        }, ++this.#ledgerCounter);
        this.#emit(x.account, { kind: "execution", execution: view });
        return;
      }
      case "position": {
        const p = e.position;
        const book = this.#positionBook(p.account, p.symbol);
        const wasFlat = book.last === undefined || book.last.qty === ZERO;
        const flipped = book.last !== undefined && book.last.qty !== ZERO && p.qty !== ZERO && book.last.qty > ZERO !== p.qty > ZERO;
        if ((wasFlat && p.qty !== ZERO) || flipped) {
          book.openedAt = p.updatedAt;
          book.realisedAtOpen = sub(p.realisedPnl, book.fees);
        }
        book.last = p;
        // A position that closes takes its stop-loss with it, as at Bybit.
        if (p.qty === ZERO) this.#stops.delete(`${p.account}\u0000${p.symbol}`);
        this.#emit(p.account, { kind: "position", position: this.#positionView(p.account, p.symbol, p) });
        return;
      }
      case "wallet":
        this.#emit(e.wallet.account, { kind: "wallet", wallet: this.wallet(e.wallet.account) });
        return;
      case "trade": {
        const t = e.trade;
        const tickDirection = this.#tapes.get(t.symbol)?.record(t.price, t.qty, t.ts) ?? "ZeroPlusTick";
        this.#emit(undefined, {
          kind: "trade",
          trade: { tradeId: uuidOf(t.tradeId), symbol: t.symbol, takerSide: bybitSide(t.aggressor), price: t.price, qty: t.qty, time: t.ts, tickDirection, seq: t.seq },
        });
        return;
      }
      case "book":
        // Checked once the engine is done with this event: a triggered stop places an order.
        if (this.#stops.size > 0 && !this.#stopChecks.has(e.book.symbol)) {
          const symbol = e.book.symbol;
          this.#stopChecks.add(symbol);
          queueMicrotask(() => {
            this.#stopChecks.delete(symbol);
            this.#triggerStops(symbol);
          });
        }
        return;
    }
  }

  #positionBook(accountId: string, symbol: string): PositionBook {
    const key = `${accountId}\u0000${symbol}`;
    let book = this.#positions.get(key);
    if (book === undefined) {
      book = { last: undefined, fees: ZERO, openedAt: this.#clock.now(), realisedAtOpen: ZERO };
      this.#positions.set(key, book);
    }
    return book;
  }

  // ------------------------------------------------------------------ views

  #bybitOrderId(engineId: string): string {
    let id = this.#bybitIdOf.get(engineId);
    if (id === undefined) {
      id = uuidOf(engineId);
      this.#bybitIdOf.set(engineId, id);
      this.#engineIdOf.set(id, engineId);
    }
    return id;
  }

  #orderView(o: OrderSnapshot): OrderView {
    const extra = this.#extras.get(o.orderId);
    const cause = o.cancelCause;
    return {
      accountId: o.account,
      orderId: this.#bybitOrderId(o.orderId),
      orderLinkId: o.clientOrderId ?? "",
      symbol: o.symbol,
      side: bybitSide(o.side),
      orderType: o.type === "limit" ? "Limit" : "Market",
      price: o.price,
      qty: o.qty,
      timeInForce: o.type === "market" ? "IOC" : o.timeInForce === "POST_ONLY" ? "PostOnly" : o.timeInForce,
      reduceOnly: o.reduceOnly,
      closeOnTrigger: extra?.closeOnTrigger ?? false,
      orderStatus:
        o.status === "new" ? "New" : o.status === "partially-filled" ? "PartiallyFilled" : o.status === "filled" ? "Filled" : "Cancelled",
      cancelType: cause === "user" || cause === "cancel-all" ? "CancelByUser" : cause === "reduce-only" ? "CancelByReduceOnly" : "UNKNOWN",
      rejectReason:
        cause === "post-only-would-take"
          ? "EC_PostOnlyWillTakeLiquidity"
          : cause === "fok-not-fillable"
            ? "EC_CancelForNoFullFill"
            : cause === "ioc-remainder"
              ? "EC_NoImmediateQtyToFill"
              : cause === "market-depth-exhausted"
                ? "EC_NoEnoughQtyToFill"
                : "EC_NoError",
      cumExecQty: o.filledQty,
      cumExecValue: o.filledValue,
      cumExecFee: o.cumFee,
      closedPnl: extra?.closedPnl ?? ZERO,
      lastPriceOnCreated: extra?.lastPriceOnCreated,
      createdTime: o.createdAt,
      updatedTime: o.updatedAt,
      receivedAt: extra?.receivedAt ?? o.createdAt,
    };
  }

  #executionView(x: Execution, pnl: Dec): ExecutionView {
    const order = this.#engine.order({ account: x.account, orderId: x.orderId });
    return {
      accountId: x.account,
      execId: uuidOf(x.execId),
      execType: "Trade",
      orderId: this.#bybitOrderId(x.orderId),
      orderLinkId: x.clientOrderId ?? "",
      symbol: x.symbol,
      side: bybitSide(x.side),
      orderType: order?.type === "market" ? "Market" : "Limit",
      orderPrice: order?.price,
      orderQty: x.orderQty,
      leavesQty: x.leavesQty,
      execPrice: x.price,
      execQty: x.qty,
      execValue: mul(x.price, x.qty),
      execFee: x.fee,
      feeRate: x.feeRate,
      isMaker: x.liquidity === "maker",
      execTime: x.ts,
      closedSize: x.closedQty,
      execPnl: pnl,
      markPrice: this.#markPrice(x.symbol),
      seq: x.seq,
    };
  }
}
