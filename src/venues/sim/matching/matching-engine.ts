/**
 * The venue-agnostic matching engine behind every simulated venue (in-process paper trading,
 * the Bybit and Binance protocol simulators).
 *
 * One book per symbol holds the accounts' resting orders (price-time priority) on top of the
 * synthetic market's liquidity. Takers walk both, best price first, the synthetic level first at
 * an equal price. Resting orders trade with the synthetic flow under the queue model in
 * README.md. Every change is reported to listeners, in the order it happened; requests are
 * validated first and a rejection changes nothing.
 */
import type { Clock } from "../../../core/clock.ts";
import { type Dec, ZERO, add, dec, fromUnits, mul, sub } from "../../../core/decimal.ts";
import type { Liquidity, Side } from "../../../core/events.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketObserver } from "../market/synthetic-market.ts";
import type { SyntheticBook } from "../market/synthetic-book.ts";
import { AccountState } from "./account.ts";
import { type OrderRecord, isOpen, leaves, snapshotOrder } from "./order-record.ts";
import { type MatchEffects, crossSynthetic, take, tradeThrough } from "./match.ts";
import {
  type SymbolBook,
  availableThrough,
  bestOppositePrice,
  bookTop,
  mergedLevels,
  newSymbolBook,
  wouldTake,
} from "./symbol-book.ts";
import { applyFill, avgEntryPrice, reduceCapacity, unrealised } from "./position.ts";
import type {
  AmendOrderRequest,
  BookTop,
  CancelCause,
  DepthSnapshot,
  EngineEvent,
  EngineListener,
  Execution,
  OrderChange,
  OrderRef,
  OrderResult,
  OrderSnapshot,
  PlaceOrderRequest,
  PlaceResult,
  PositionSnapshot,
  RestoreOrderInput,
  Rejection,
  WalletSnapshot,
} from "./types.ts";
import { checkAmendTerms, checkPlace, checkRestore, rejection } from "./validate.ts";
import { showValue } from "../show-value.ts";
import { HeanError } from "../../../core/errors.ts";

export const DEFAULT_STARTING_BALANCE: Dec = dec("10000");
export const DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL = 500;
/**
 * Ended orders and executions kept per account. A venue is asked about an order seconds to
 * minutes after it ended (an ambiguous send, a reconciliation), and paper trading ends a few
 * thousand orders a day: days of history, where keeping all of it grew the heap without end.
 */
export const DEFAULT_MAX_TERMINAL_ORDERS = 10_000;
export const DEFAULT_MAX_EXECUTIONS = 20_000;

/**
 * Where the engine's outside liquidity comes from: the seeded synthetic market, or a replay of
 * recorded market data (backtests). The engine reads its books and hears its trades and updates.
 */
export interface MarketLiquidity {
  book(symbol: string): SyntheticBook | undefined;
  observe(observer: MarketObserver): () => void;
  /** Market data stopped: public streams publish nothing. */
  readonly silent: boolean;
}

export interface MatchingEngineOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** The synthetic liquidity; without it the books hold only the accounts' orders. */
  readonly market?: MarketLiquidity | undefined;
  /** Prefix of order, execution and trade ids (make it unique per run: ids must not repeat across restarts). */
  readonly idPrefix?: string | undefined;
  /** A crossing post-only order: "cancel" it after acceptance (Bybit) or "reject" it unrecorded (Binance GTX). */
  readonly postOnlyCross?: "cancel" | "reject" | undefined;
  /**
   * Duplicate client order ids: refused against every order kept ("all", Bybit) or open ones
   * only ("open", Binance). Open orders are always kept; an ended order past
   * `maxTerminalOrders` is forgotten and its id accepted again, as by a venue whose history has
   * let it go. Ids never repeating is the client's duty (hean derives them from its journal).
   */
  readonly clientOrderIdScope?: "all" | "open" | undefined;
  readonly maxOpenOrdersPerSymbol?: number | undefined;
  /** Ended orders kept per account, newest first (default `DEFAULT_MAX_TERMINAL_ORDERS`). */
  readonly maxTerminalOrders?: number | undefined;
  /** Executions kept per account, newest first (default `DEFAULT_MAX_EXECUTIONS`). */
  readonly maxExecutions?: number | undefined;
  readonly defaultStartingBalance?: Dec | undefined;
  /** A listener threw: the engine carries on (its state is consistent) and reports it here. */
  readonly onListenerError?: ((error: unknown) => void) | undefined;
  /**
   * Publish the public book and trades (default). A backtest shows hean the recorded data
   * instead and only needs the accounts' events: it saves building a book per update.
   */
  readonly publicEvents?: boolean | undefined;
  /**
   * An ended order has just been forgotten (`maxTerminalOrders`): a protocol simulator drops
   * what it keeps beside the order (its wire id, request facts), so its memory is bounded too.
   */
  readonly onOrderForgotten?: ((orderId: string) => void) | undefined;
}

export type AdminResult = { readonly ok: true } | { readonly ok: false; readonly rejection: Rejection };

const fail = (code: Rejection["code"], message: string, details: Record<string, string> = {}) =>
  ({ ok: false, rejection: rejection(code, message, details) }) as const;

export class MatchingEngine implements MarketObserver {
  readonly market: MarketLiquidity | undefined;
  readonly #clock: Clock;
  readonly #books = new Map<string, SymbolBook>();
  readonly #accounts = new Map<string, AccountState>();
  readonly #orders = new Map<string, OrderRecord>();
  readonly #listeners: EngineListener[] = [];
  readonly #prefix: string;
  readonly #postOnlyCross: "cancel" | "reject";
  readonly #cidScope: "all" | "open";
  readonly #maxOpen: number;
  readonly #maxTerminal: number;
  readonly #maxExecutions: number;
  readonly #defaultBalance: Dec;
  readonly #onListenerError: ((error: unknown) => void) | undefined;
  readonly #publicEvents: boolean;
  readonly #onOrderForgotten: ((orderId: string) => void) | undefined;
  #seq = 0;
  #orderCounter = 0;
  #execCounter = 0;
  #tradeCounter = 0;
  #busy = false;
  readonly #fx: MatchEffects = {
    fill: (o, price, qty, liquidity, counterparty) => this.#fill(o, price, qty, liquidity, counterparty),
    makerQty: (m, max) => this.#makerQty(m, max),
    reduceCapacity: (o) => this.#reduceCapacity(o),
    trade: (book, price, qty, aggressor) => this.#publishTrade(price, qty, aggressor, book),
  };

  constructor(options: MatchingEngineOptions) {
    this.#clock = options.clock;
    this.market = options.market;
    this.#prefix = options.idPrefix ?? "sim";
    this.#postOnlyCross = options.postOnlyCross ?? "cancel";
    this.#cidScope = options.clientOrderIdScope ?? "all";
    this.#maxOpen = options.maxOpenOrdersPerSymbol ?? DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL;
    this.#maxTerminal = positiveCount(options.maxTerminalOrders ?? DEFAULT_MAX_TERMINAL_ORDERS, "maxTerminalOrders");
    this.#maxExecutions = positiveCount(options.maxExecutions ?? DEFAULT_MAX_EXECUTIONS, "maxExecutions");
    this.#defaultBalance = options.defaultStartingBalance ?? DEFAULT_STARTING_BALANCE;
    this.#onListenerError = options.onListenerError;
    this.#publicEvents = options.publicEvents ?? true;
    this.#onOrderForgotten = options.onOrderForgotten;
    for (const instrument of options.instruments) {
      this.#books.set(instrument.symbol, newSymbolBook(instrument, options.market?.book(instrument.symbol), this.#clock.now()));
    }
    options.market?.observe(this);
  }

  // ------------------------------------------------------------------ listeners and accounts

  /** Every change, as it happens; returns the unsubscribe. Listeners must not call back in synchronously. */
  subscribe(listener: EngineListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Create the account if new (with `startingBalance` or the default); an existing one is unchanged. */
  ensureAccount(id: string, startingBalance?: Dec): void {
    if (this.#accounts.has(id)) return;
    this.#accounts.set(id, new AccountState(id, startingBalance ?? this.#defaultBalance, this.#clock.now()));
  }

  hasAccount(id: string): boolean {
    return this.#accounts.has(id);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.#books.get(symbol)?.instrument;
  }

  symbols(): string[] {
    return [...this.#books.keys()];
  }

  /** The cross sequence: grows with every execution, position change, book update and trade. */
  sequence(): number {
    return this.#seq;
  }

  // ------------------------------------------------------------------ order entry

  place(req: PlaceOrderRequest): PlaceResult {
    const account = this.#account(req);
    if (account === undefined) return fail("UNKNOWN_ACCOUNT", `unknown account ${showValue(req?.account)}`);
    if (this.#busy) return fail("INVALID_REQUEST", "the engine was called from inside one of its listeners");
    const checked = checkPlace(
      req,
      (symbol) => this.#books.get(symbol)?.instrument,
      (instrument, side) => bestOppositePrice(this.#books.get(instrument.symbol)!, side),
    );
    if (!checked.ok) return checked;
    const t = checked.value;
    const book = this.#books.get(t.instrument.symbol)!;
    if (t.clientOrderId !== undefined) {
      const existing = account.byClientId.get(t.clientOrderId);
      if (existing !== undefined && (this.#cidScope === "all" || isOpen(existing))) {
        return fail("DUPLICATE_CLIENT_ORDER_ID", `client order id ${t.clientOrderId} is already used`, {
          clientOrderId: t.clientOrderId,
          orderId: existing.orderId,
        });
      }
    }
    if (account.openCount(t.instrument.symbol) >= this.#maxOpen) {
      return fail("TOO_MANY_OPEN_ORDERS", `at most ${this.#maxOpen} open orders per symbol`, {
        limit: showValue(this.#maxOpen),
      });
    }
    let qty = t.qty;
    if (t.reduceOnly) {
      const cap = reduceCapacity(account.position(t.instrument.symbol).qty, t.side);
      if (cap === 0n) {
        return fail("REDUCE_ONLY_WOULD_INCREASE", "a reduce-only order must be against an open position", {
          position: showValue(account.position(t.instrument.symbol).qty),
        });
      }
      if (qty > cap) qty = cap;
    }
    const ticks = t.price === undefined ? Number.NaN : Number(t.price / t.instrument.tickSize);
    const crosses = t.price !== undefined && wouldTake(book, t.side, ticks);
    if (crosses && t.timeInForce === "POST_ONLY" && this.#postOnlyCross === "reject") {
      return fail("POST_ONLY_WOULD_TAKE", "a post-only order would take liquidity", { price: showValue(t.price) });
    }

    const now = this.#clock.now();
    const o: OrderRecord = {
      orderId: this.#newOrderId(),
      clientOrderId: t.clientOrderId,
      account: account.id,
      symbol: t.instrument.symbol,
      side: t.side,
      type: t.type,
      timeInForce: t.timeInForce,
      reduceOnly: t.reduceOnly,
      createdAt: now,
      price: t.price,
      ticks,
      qty,
      filled: ZERO,
      filledValue: ZERO,
      cumFee: ZERO,
      status: "new",
      cancelCause: undefined,
      updatedAt: now,
      queueAhead: ZERO,
      resting: false,
    };
    const executions: Execution[] = [];
    this.#busy = true;
    try {
      this.#register(account, o);
      this.#emitOrder("created", o);
      if (crosses && t.timeInForce === "POST_ONLY") {
        this.#close(o, "post-only-would-take");
      } else if (t.timeInForce === "FOK" && availableThrough(book, o.side, o.type === "limit" ? o.ticks : undefined) < leaves(o)) {
        this.#close(o, "fok-not-fillable");
      } else {
        this.#execute(book, o, executions);
      }
      this.#flush();
    } finally {
      this.#busy = false;
    }
    return { ok: true, order: snapshotOrder(o), executions };
  }

  amend(req: AmendOrderRequest): OrderResult {
    const found = this.#findOpen(req);
    if (!found.ok) return found;
    const o = found.order;
    const book = this.#books.get(o.symbol)!;
    if (o.type !== "limit" || o.price === undefined) return fail("ORDER_NOT_OPEN", "only a resting limit order can be amended");
    const bad = checkAmendTerms(book.instrument, req.qty, req.price, o.price, o.reduceOnly);
    if (bad !== undefined) return { ok: false, rejection: bad };
    let qty = req.qty ?? o.qty;
    const price = req.price ?? o.price;
    if (qty <= o.filled) {
      return fail("QTY_NOT_ABOVE_FILLED", "the new qty must be above what has filled", {
        qty: showValue(qty),
        filledQty: showValue(o.filled),
      });
    }
    if (o.reduceOnly) {
      const cap = reduceCapacity(this.#accounts.get(o.account)!.position(o.symbol).qty, o.side);
      if (sub(qty, o.filled) > cap) qty = add(o.filled, cap);
    }
    const ticks = Number(price / book.instrument.tickSize);
    const crosses = price !== o.price && wouldTake(book, o.side, ticks);
    if (crosses && o.timeInForce === "POST_ONLY") {
      return fail("POST_ONLY_WOULD_TAKE", "the new price would take liquidity", { price: showValue(price) });
    }
    this.#busy = true;
    try {
      o.updatedAt = this.#clock.now();
      if (price === o.price && qty <= o.qty) {
        // A smaller order at the same price keeps its place in the queue.
        o.qty = qty;
        book.dirty = true;
        this.#emitOrder("amended", o);
      } else {
        this.#unrest(o);
        o.qty = qty;
        o.price = price;
        o.ticks = ticks;
        this.#emitOrder("amended", o);
        this.#execute(book, o, []);
      }
      this.#flush();
    } finally {
      this.#busy = false;
    }
    return { ok: true, order: snapshotOrder(o) };
  }

  cancel(ref: OrderRef): OrderResult {
    const found = this.#findOpen(ref);
    if (!found.ok) return found;
    this.#busy = true;
    try {
      this.#close(found.order, "user");
      this.#flush();
    } finally {
      this.#busy = false;
    }
    return { ok: true, order: snapshotOrder(found.order) };
  }

  /** Cancel every open order of the account (on one symbol when given); returns what was cancelled. */
  cancelAll(account: string, symbol?: string): OrderSnapshot[] {
    const acct = this.#accounts.get(account);
    if (acct === undefined || this.#busy) return [];
    const cancelled: OrderSnapshot[] = [];
    this.#busy = true;
    try {
      for (const o of [...acct.open.values()]) {
        if (symbol !== undefined && o.symbol !== symbol) continue;
        this.#close(o, "cancel-all");
        cancelled.push(snapshotOrder(o));
      }
      this.#flush();
    } finally {
      this.#busy = false;
    }
    return cancelled;
  }

  // ------------------------------------------------------------------ queries

  /** An order by venue id (wins) or client order id; undefined when the account has no such order. */
  order(ref: OrderRef): OrderSnapshot | undefined {
    const o = this.#find(ref);
    return o === undefined ? undefined : snapshotOrder(o);
  }

  /** The latest kept order with this client order id (the duplicate check a protocol layer needs). */
  orderByClientId(account: string, clientOrderId: string): OrderSnapshot | undefined {
    const o = this.#accounts.get(account)?.byClientId.get(clientOrderId);
    return o === undefined ? undefined : snapshotOrder(o);
  }

  openOrders(account: string, symbol?: string): OrderSnapshot[] {
    const acct = this.#accounts.get(account);
    if (acct === undefined) return [];
    const out: OrderSnapshot[] = [];
    for (const o of acct.open.values()) if (symbol === undefined || o.symbol === symbol) out.push(snapshotOrder(o));
    return out;
  }

  /**
   * The highest open buy and the lowest open sell limit price of an account on a symbol: what
   * `openOrders` would give, without a snapshot per order (a backtest asks on every trade).
   */
  bestOpenPrices(account: string, symbol: string): { readonly bid: Dec | undefined; readonly ask: Dec | undefined } {
    let bid: Dec | undefined;
    let ask: Dec | undefined;
    const acct = this.#accounts.get(account);
    if (acct !== undefined) {
      for (const o of acct.open.values()) {
        if (o.symbol !== symbol || o.price === undefined) continue;
        if (o.side === "buy") bid = bid === undefined || o.price > bid ? o.price : bid;
        else ask = ask === undefined || o.price < ask ? o.price : ask;
      }
    }
    return { bid, ask };
  }

  /** The account's open orders and the ended ones kept (`maxTerminalOrders`), newest first. */
  orderHistory(account: string, filter: { symbol?: string; limit?: number } = {}): OrderSnapshot[] {
    const acct = this.#accounts.get(account);
    if (acct === undefined) return [];
    const out: OrderSnapshot[] = [];
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const orders = [...acct.orders.values()];
    for (let i = orders.length - 1; i >= 0 && out.length < limit; i--) {
      const o = orders[i]!;
      if (filter.symbol === undefined || o.symbol === filter.symbol) out.push(snapshotOrder(o));
    }
    return out;
  }

  /** The account's newest executions (`maxExecutions`), oldest first. */
  executions(account: string, filter: { symbol?: string; orderId?: string; sinceTs?: number } = {}): Execution[] {
    const acct = this.#accounts.get(account);
    if (acct === undefined) return [];
    const out: Execution[] = [];
    for (const e of acct.executions) {
      if (
        (filter.symbol === undefined || e.symbol === filter.symbol) &&
        (filter.orderId === undefined || e.orderId === filter.orderId) &&
        (filter.sinceTs === undefined || e.ts >= filter.sinceTs)
      ) {
        out.push(e);
      }
    }
    return out;
  }

  /** Orders ever placed (and restored) and executions ever made by the account, forgotten ones included. */
  totals(account: string): { readonly orders: number; readonly executions: number } | undefined {
    const acct = this.#accounts.get(account);
    return acct === undefined ? undefined : { orders: acct.ordersTotal, executions: acct.executionsTotal };
  }

  position(account: string, symbol: string): PositionSnapshot | undefined {
    const acct = this.#accounts.get(account);
    if (acct === undefined || !this.#books.has(symbol)) return undefined;
    return snapshotPosition(acct, symbol);
  }

  /** Every symbol the account has ever held (flat ones included). */
  positions(account: string): PositionSnapshot[] {
    const acct = this.#accounts.get(account);
    if (acct === undefined) return [];
    return [...acct.positions.keys()].map((symbol) => snapshotPosition(acct, symbol));
  }

  wallet(account: string): WalletSnapshot | undefined {
    const acct = this.#accounts.get(account);
    return acct === undefined ? undefined : this.#snapshotWallet(acct);
  }

  /** Best bid and ask of the public book (synthetic + resting orders). */
  top(symbol: string): BookTop | undefined {
    const book = this.#books.get(symbol);
    return book === undefined ? undefined : bookTop(book);
  }

  /** Price of the latest trade (synthetic or between accounts), undefined before the first. */
  lastPrice(symbol: string): Dec | undefined {
    const book = this.#books.get(symbol);
    if (book === undefined || Number.isNaN(book.lastTradeTicks)) return undefined;
    return fromUnits(BigInt(book.lastTradeTicks), book.instrument.tickSize);
  }

  /** Up to `levels` price levels per side of the public book, best first. */
  depth(symbol: string, levels: number): DepthSnapshot | undefined {
    const book = this.#books.get(symbol);
    if (book === undefined) return undefined;
    return {
      ...bookTop(book),
      bids: mergedLevels(book, "buy", levels),
      asks: mergedLevels(book, "sell", levels),
    };
  }

  // ------------------------------------------------------------------ restore (paper restarts)

  /** Put back a working order from a journal, resting at the back of its level, without matching. */
  restoreOrder(input: RestoreOrderInput): OrderResult {
    const account = this.#account(input);
    if (account === undefined) return fail("UNKNOWN_ACCOUNT", `unknown account ${showValue(input?.account)}`);
    const book = typeof input.symbol === "string" ? this.#books.get(input.symbol) : undefined;
    if (book === undefined) return fail("UNKNOWN_SYMBOL", `unknown symbol ${showValue(input.symbol)}`);
    if (input.orderId !== undefined && (typeof input.orderId !== "string" || input.orderId === "" || this.#orders.has(input.orderId))) {
      return fail("INVALID_REQUEST", "a restored order's venue id must be unused", { orderId: showValue(input.orderId) });
    }
    if (input.clientOrderId !== undefined && account.byClientId.has(input.clientOrderId)) {
      return fail("DUPLICATE_CLIENT_ORDER_ID", `client order id ${input.clientOrderId} is already used`);
    }
    const bad = checkRestore(input, book.instrument);
    if (bad !== undefined) return { ok: false, rejection: bad };
    const filled = input.filledQty;
    const now = this.#clock.now();
    const o: OrderRecord = {
      orderId: input.orderId ?? this.#newOrderId(),
      clientOrderId: input.clientOrderId,
      account: account.id,
      symbol: input.symbol,
      side: input.side,
      type: "limit",
      timeInForce: input.timeInForce ?? "GTC",
      reduceOnly: input.reduceOnly,
      createdAt: input.createdAt ?? now,
      price: input.price,
      ticks: Number(input.price / book.instrument.tickSize),
      qty: input.qty,
      filled,
      // The journal knows the fills; here only their size matters, valued at the limit price.
      filledValue: mul(filled, input.price),
      cumFee: ZERO,
      status: filled === 0n ? "new" : "partially-filled",
      cancelCause: undefined,
      updatedAt: now,
      queueAhead: ZERO,
      resting: false,
    };
    this.#register(account, o);
    this.#rest(book, o);
    this.#emitOrder("restored", o);
    this.#flush();
    return { ok: true, order: snapshotOrder(o) };
  }

  /** Set a position outright (restore, operator tools); realised P&L so far is kept. */
  setPosition(account: string, symbol: string, qty: Dec, avgPrice: Dec): AdminResult {
    const acct = this.#accounts.get(account);
    const book = this.#books.get(symbol);
    if (acct === undefined) return fail("UNKNOWN_ACCOUNT", `unknown account ${showValue(account)}`);
    if (book === undefined) return fail("UNKNOWN_SYMBOL", `unknown symbol ${showValue(symbol)}`);
    if (typeof qty !== "bigint" || qty % book.instrument.lotSize !== 0n) {
      return fail("QTY_NOT_LOT_MULTIPLE", "position qty must be a lot multiple", { qty: showValue(qty) });
    }
    if (typeof avgPrice !== "bigint" || avgPrice < 0n || (qty !== 0n && avgPrice === 0n)) {
      return fail("PRICE_NOT_POSITIVE", "an open position needs a positive average price", { avgPrice: showValue(avgPrice) });
    }
    const prev = acct.position(symbol);
    const abs = qty < 0n ? -qty : qty;
    acct.positions.set(symbol, {
      qty,
      cost: mul(abs as Dec, avgPrice),
      realised: prev.realised,
      updatedAt: this.#clock.now(),
      seq: ++this.#seq,
    });
    this.#emit(() => ({ type: "position", position: snapshotPosition(acct, symbol) }));
    return { ok: true };
  }

  setBalance(account: string, balance: Dec): AdminResult {
    const acct = this.#accounts.get(account);
    if (acct === undefined) return fail("UNKNOWN_ACCOUNT", `unknown account ${showValue(account)}`);
    if (typeof balance !== "bigint") return fail("INVALID_REQUEST", "balance must be a decimal");
    acct.balance = balance;
    acct.updatedAt = this.#clock.now();
    this.#emit(() => ({ type: "wallet", wallet: this.#snapshotWallet(acct) }));
    return { ok: true };
  }

  // ------------------------------------------------------------------ the synthetic market's flow

  /** A synthetic trade: resting orders priced through it trade first (queue model, README.md). */
  onTrade(sbook: SyntheticBook, aggressor: Side, tick: number, lots: number, ts: number): void {
    const book = this.#books.get(sbook.symbol);
    if (book === undefined) return;
    book.lastTs = ts;
    book.lastTradeTicks = tick;
    // Ids and sequence advance whether or not anyone listens, so they are the same in every run.
    const seq = ++this.#seq;
    const n = ++this.#tradeCounter;
    // The id's text is built only for a listener: a backtest publishes no public trades.
    if (this.#publicEvents) this.#emit(() => ({
      type: "trade",
      trade: Object.freeze({
        tradeId: `${this.#prefix}-t-${n}`,
        symbol: sbook.symbol,
        price: sbook.priceOf(tick),
        qty: sbook.qtyOf(lots),
        aggressor,
        ts,
        synthetic: true,
        seq,
      }),
    }));
    const makers = aggressor === "sell" ? book.bids : book.asks;
    const first = makers.best();
    if (first === undefined || makers.better(tick, first.ticks)) return;
    const was = this.#busy;
    this.#busy = true;
    try {
      tradeThrough(book, makers, aggressor, tick, sbook.qtyOf(lots), this.#fx);
    } finally {
      this.#busy = was;
    }
  }

  /** The synthetic book moved: resting orders it now crosses trade with it, then the book is published. */
  onUpdate(sbook: SyntheticBook, ts: number): void {
    const book = this.#books.get(sbook.symbol);
    if (book === undefined) return;
    book.lastTs = ts;
    const was = this.#busy;
    this.#busy = true;
    try {
      if (book.bids.orderCount > 0 || book.asks.orderCount > 0) crossSynthetic(book, sbook, this.#fx);
      book.dirty = true;
      this.#flush();
    } finally {
      this.#busy = was;
    }
  }

  /** Take liquidity as far as the order allows, then rest, expire or cancel what is left. */
  #execute(book: SymbolBook, o: OrderRecord, out: Execution[]): void {
    const stop = take(book, o, this.#fx, out);
    if (!isOpen(o)) return;
    if (stop === "reduce-only") this.#close(o, "reduce-only");
    else if (o.type === "market") this.#close(o, "market-depth-exhausted");
    else if (o.timeInForce === "IOC") this.#close(o, "ioc-remainder");
    else if (o.timeInForce === "FOK") this.#close(o, "fok-not-fillable");
    else this.#rest(book, o);
  }

  /** What a resting order may fill now, at most `max`; a reduce-only order with nothing to reduce is cancelled. */
  #makerQty(m: OrderRecord, max: Dec): Dec {
    let q = leaves(m) < max ? leaves(m) : max;
    if (m.reduceOnly) {
      const cap = this.#reduceCapacity(m);
      if (cap === 0n) {
        this.#close(m, "reduce-only");
        return ZERO;
      }
      if (cap < q) q = cap;
    }
    return q;
  }

  #reduceCapacity(o: OrderRecord): Dec {
    return reduceCapacity(this.#accounts.get(o.account)!.position(o.symbol).qty, o.side);
  }

  #fill(o: OrderRecord, price: Dec, qty: Dec, liquidity: Liquidity, counterparty: string): Execution {
    const book = this.#books.get(o.symbol)!;
    const account = this.#accounts.get(o.account)!;
    const now = this.#clock.now();
    const feeRate = liquidity === "maker" ? book.instrument.makerFee : book.instrument.takerFee;
    const value = mul(qty, price);
    const fee = mul(value, feeRate);
    o.filled = add(o.filled, qty);
    o.filledValue = add(o.filledValue, value);
    o.cumFee = add(o.cumFee, fee);
    o.updatedAt = now;
    o.status = o.filled === o.qty ? "filled" : "partially-filled";
    const pos = account.position(o.symbol);
    const effect = applyFill(pos, o.side, qty, price);
    const seq = ++this.#seq;
    account.positions.set(o.symbol, {
      qty: effect.qty,
      cost: effect.cost,
      realised: add(pos.realised, effect.realised),
      updatedAt: now,
      seq,
    });
    account.realised = add(account.realised, effect.realised);
    account.fees = add(account.fees, fee);
    account.balance = sub(add(account.balance, effect.realised), fee);
    account.updatedAt = now;
    const execution: Execution = Object.freeze({
      execId: `${this.#prefix}-e-${++this.#execCounter}`,
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      account: o.account,
      symbol: o.symbol,
      side: o.side,
      price,
      qty,
      fee,
      feeRate,
      liquidity,
      orderQty: o.qty,
      leavesQty: leaves(o),
      closedQty: effect.closedQty,
      counterparty,
      ts: now,
      seq,
    });
    account.executions.push(execution);
    account.executionsTotal++;
    if (account.executions.length > this.#maxExecutions) account.executions.shift();
    if (o.status === "filled") {
      this.#unrest(o);
      this.#ended(account, o);
    }
    this.#emit(() => ({ type: "execution", execution }));
    this.#emitOrder("filled", o);
    this.#emit(() => ({ type: "position", position: snapshotPosition(account, o.symbol) }));
    this.#emit(() => ({ type: "wallet", wallet: this.#snapshotWallet(account) }));
    this.#enforceReduceOnly(account, o.symbol);
    return execution;
  }

  /** After a position change: no resting reduce-only order may be able to increase or flip it. */
  #enforceReduceOnly(account: AccountState, symbol: string): void {
    if (account.reduceOnlyResting === 0) return;
    const qty = account.position(symbol).qty;
    for (const o of [...account.open.values()]) {
      if (!o.resting || !o.reduceOnly || o.symbol !== symbol) continue;
      const cap = reduceCapacity(qty, o.side);
      if (cap === 0n) {
        this.#close(o, "reduce-only");
      } else if (leaves(o) > cap) {
        o.qty = add(o.filled, cap);
        o.updatedAt = this.#clock.now();
        this.#books.get(symbol)!.dirty = true;
        this.#emitOrder("amended", o);
      }
    }
  }

  #register(account: AccountState, o: OrderRecord): void {
    this.#orders.set(o.orderId, o);
    account.orders.set(o.orderId, o);
    account.ordersTotal++;
    if (o.clientOrderId !== undefined) account.byClientId.set(o.clientOrderId, o);
    account.addOpen(o);
  }

  /** The order ended: it stays known until `#maxTerminal` later orders of the account have ended. */
  #ended(account: AccountState, o: OrderRecord): void {
    account.removeOpen(o);
    account.ended.add(o);
    if (account.ended.size <= this.#maxTerminal) return;
    const oldest = account.ended.values().next().value!;
    account.ended.delete(oldest);
    account.orders.delete(oldest.orderId);
    this.#orders.delete(oldest.orderId);
    // A later order may have taken the id (an open-only scope): that one stays findable.
    if (oldest.clientOrderId !== undefined && account.byClientId.get(oldest.clientOrderId) === oldest) {
      account.byClientId.delete(oldest.clientOrderId);
    }
    this.#onOrderForgotten?.(oldest.orderId);
  }

  #rest(book: SymbolBook, o: OrderRecord): void {
    const mine = o.side === "buy" ? book.bids : book.asks;
    const synth = o.side === "buy" ? book.synthetic?.bids : book.synthetic?.asks;
    o.queueAhead = synth === undefined ? ZERO : book.synthetic!.qtyOf(synth.sizeAt(o.ticks));
    mine.insert(o);
    o.resting = true;
    if (o.reduceOnly) this.#accounts.get(o.account)!.reduceOnlyResting++;
    book.dirty = true;
  }

  #unrest(o: OrderRecord): void {
    if (!o.resting) return;
    const book = this.#books.get(o.symbol)!;
    (o.side === "buy" ? book.bids : book.asks).remove(o);
    o.resting = false;
    if (o.reduceOnly) this.#accounts.get(o.account)!.reduceOnlyResting--;
    book.dirty = true;
  }

  #close(o: OrderRecord, cause: CancelCause): void {
    this.#unrest(o);
    o.status = "cancelled";
    o.cancelCause = cause;
    o.updatedAt = this.#clock.now();
    this.#ended(this.#accounts.get(o.account)!, o);
    this.#emitOrder("cancelled", o);
  }

  #newOrderId(): string {
    let id: string;
    do id = `${this.#prefix}-o-${++this.#orderCounter}`;
    while (this.#orders.has(id));
    return id;
  }

  #account(req: { readonly account?: unknown } | null | undefined): AccountState | undefined {
    const id = typeof req === "object" && req !== null ? req.account : undefined;
    return typeof id === "string" ? this.#accounts.get(id) : undefined;
  }

  #find(ref: OrderRef): OrderRecord | undefined {
    const account = this.#account(ref);
    if (account === undefined) return undefined;
    let o: OrderRecord | undefined;
    if (typeof ref.orderId === "string") {
      o = this.#orders.get(ref.orderId);
      if (o !== undefined && o.account !== account.id) o = undefined;
    } else if (typeof ref.clientOrderId === "string") {
      o = account.byClientId.get(ref.clientOrderId);
    }
    if (o !== undefined && ref.symbol !== undefined && o.symbol !== ref.symbol) return undefined;
    return o;
  }

  #findOpen(ref: OrderRef): { ok: true; order: OrderRecord } | { ok: false; rejection: Rejection } {
    if (this.#account(ref) === undefined) return fail("UNKNOWN_ACCOUNT", `unknown account ${showValue(ref?.account)}`);
    if (this.#busy) return fail("INVALID_REQUEST", "the engine was called from inside one of its listeners");
    const o = this.#find(ref);
    if (o === undefined) {
      return fail("ORDER_NOT_FOUND", "no such order", {
        orderId: showValue(ref.orderId ?? ""),
        clientOrderId: showValue(ref.clientOrderId ?? ""),
      });
    }
    if (!isOpen(o)) return fail("ORDER_NOT_OPEN", `the order is ${o.status}`, { orderId: o.orderId, status: o.status });
    return { ok: true, order: o };
  }

  // ------------------------------------------------------------------ publication

  #flush(): void {
    for (const book of this.#books.values()) if (book.dirty) this.#publishBook(book);
  }

  #publishBook(book: SymbolBook): void {
    book.dirty = false;
    // Stopped market data (the stale scenario) publishes nothing, private streams carry on.
    if (this.market?.silent === true) return;
    book.updateId++;
    this.#seq++;
    if (this.#publicEvents) this.#emit(() => ({ type: "book", book: bookTop(book) }));
  }

  /** A trade involving an account (the synthetic market's own trades are published by onTrade). */
  #publishTrade(price: Dec, qty: Dec, aggressor: Side, book: SymbolBook): void {
    const seq = ++this.#seq;
    const n = ++this.#tradeCounter;
    book.lastTradeTicks = Number(price / book.instrument.tickSize);
    if (this.market?.silent === true) return;
    const symbol = book.instrument.symbol;
    const ts = this.#clock.now();
    if (this.#publicEvents) this.#emit(() => ({
      type: "trade",
      trade: Object.freeze({ tradeId: `${this.#prefix}-t-${n}`, symbol, price, qty, aggressor, ts, synthetic: false, seq }),
    }));
  }

  #snapshotWallet(acct: AccountState): WalletSnapshot {
    let upnl = ZERO;
    for (const [symbol, pos] of acct.positions) {
      if (pos.qty === 0n) continue;
      const top = bookTop(this.#books.get(symbol)!);
      upnl = add(upnl, unrealised(pos, top.bid?.price, top.ask?.price));
    }
    return Object.freeze({
      account: acct.id,
      balance: acct.balance,
      realisedPnl: acct.realised,
      feesPaid: acct.fees,
      unrealisedPnl: upnl,
      equity: add(acct.balance, upnl),
      updatedAt: acct.updatedAt,
    });
  }

  #emitOrder(change: OrderChange, o: OrderRecord): void {
    this.#emit(() => ({ type: "order", change, order: snapshotOrder(o) }));
  }

  /** Builds the event only when someone listens; a throwing listener never breaks a match. */
  #emit(build: () => EngineEvent): void {
    if (this.#listeners.length === 0) return;
    const event = build();
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError?.(error);
      }
    }
  }
}

function positiveCount(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new HeanError("CONFIG_INVALID", `${name} must be a positive integer, got ${showValue(n)}`, { [name]: showValue(n) });
  }
  return n;
}

function snapshotPosition(acct: AccountState, symbol: string): PositionSnapshot {
  const p = acct.position(symbol);
  return Object.freeze({
    account: acct.id,
    symbol,
    qty: p.qty,
    avgPrice: avgEntryPrice(p),
    realisedPnl: p.realised,
    updatedAt: p.updatedAt,
    seq: p.seq,
  });
}
