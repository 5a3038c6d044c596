/**
 * The `/fapi` endpoints: parameters checked the way Binance words its refusals, venue rules
 * (filters, reduce-only, margin, duplicate client ids, GTX) applied before the order reaches the
 * exchange. Each handler answers a JSON body or a BinanceError.
 */
import { abs, add, dec, div, isMultipleOf, max, mul, roundToStep, sub, tryDec, ZERO, type Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import { decimalsOf, decText, priceText, qtyText } from "../shared/number-text.ts";
import { ERR, isBinanceError, type BinanceError } from "./codes.ts";
import { FUNDING_RATE, type BinanceExchange, type BnOrderType, type BnSide, type BnTimeInForce, type NewOrder } from "./exchange.ts";
import { accountV2, accountV3, balanceRow, positionRiskV2, positionRiskV3, restOrder, restTrade } from "./wire.ts";

export interface RouteContext {
  readonly ex: BinanceExchange;
  readonly params: ReadonlyMap<string, string>;
  readonly now: number;
  readonly receivedAt: number;
  /** Set on SIGNED and USER_STREAM routes. */
  readonly accountId: string | undefined;
  readonly listenKeys: ListenKeyPort;
}

export interface ListenKeyPort {
  /** The account's key (made if none), extended by 60 minutes. */
  open(accountId: string): string;
  keepAlive(accountId: string): string | undefined;
  close(accountId: string): void;
}

export type Security = "NONE" | "SIGNED" | "USER_STREAM";
export interface Route {
  readonly security: Security;
  /** Request weight, fixed or by the parameters (depth by limit, openOrders with or without symbol). */
  readonly weight: number | ((params: ReadonlyMap<string, string>) => number);
  readonly isOrder?: boolean;
  readonly handle: (ctx: RouteContext) => unknown;
}

const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const ORDER_TYPES = new Set(["LIMIT", "MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET"]);
const KNOWN_TYPES = new Set([...ORDER_TYPES, "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"]);
const TIFS = new Set(["GTC", "IOC", "FOK", "GTX"]);
const DEPTH_LIMITS = new Set([5, 10, 20, 50, 100, 500, 1000]);
const SEVEN_DAYS = 7 * 24 * 3600 * 1000;
const KLINE_MS: Readonly<Record<string, number>> = { "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000 };

function symbolOf(ctx: RouteContext, required = true): Instrument | BinanceError | undefined {
  const s = ctx.params.get("symbol");
  if (s === undefined || s === "") return required ? ERR.mandatory("symbol") : undefined;
  return ctx.ex.instrument(s) ?? ERR.badSymbol;
}

function intParam(ctx: RouteContext, name: string, min: number, max: number): number | BinanceError | undefined {
  const v = ctx.params.get(name);
  if (v === undefined || v === "") return undefined;
  if (!/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max) return ERR.malformed(name);
  return Number(v);
}

/** A decimal on the instrument's step: too many decimals is -1111, off the step or out of range -1013. */
function stepped(ctx: RouteContext, name: string, step: Dec, filter: string): Dec | BinanceError | undefined {
  const text = ctx.params.get(name);
  if (text === undefined || text === "") return undefined;
  const value = tryDec(text);
  if (value === undefined) return ERR.malformed(name);
  const dot = text.indexOf(".");
  const places = dot < 0 ? 0 : text.replace(/0+$/, "").length - dot - 1;
  if (places > decimalsOf(step)) return ERR.badPrecision;
  if (value <= ZERO) return ERR.malformed(name);
  if (!isMultipleOf(value, step)) return ERR.filter(filter);
  return value;
}

function orderRef(ctx: RouteContext): { orderId?: number; clientOrderId?: string } | BinanceError {
  const id = ctx.params.get("orderId");
  const cid = ctx.params.get("origClientOrderId");
  if (id !== undefined && id !== "") return /^\d{1,16}$/.test(id) ? { orderId: Number(id) } : ERR.malformed("orderId");
  if (cid !== undefined && cid !== "") return { clientOrderId: cid };
  return ERR.mandatory("orderId");
}

function bool(ctx: RouteContext, name: string): boolean | BinanceError {
  const v = ctx.params.get(name);
  if (v === undefined || v === "" || v === "false" || v === "FALSE") return false;
  if (v === "true" || v === "TRUE") return true;
  return ERR.malformed(name);
}

// ------------------------------------------------------------------ market data

function exchangeInfo(ctx: RouteContext): unknown {
  return {
    timezone: "UTC",
    serverTime: ctx.now,
    futuresType: "U_MARGINED",
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 },
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [{ asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" }],
    symbols: ctx.ex.instruments().map((i) => ({
      symbol: i.symbol,
      pair: i.symbol,
      contractType: "PERPETUAL",
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: "TRADING",
      maintMarginPercent: "2.5000",
      requiredMarginPercent: "5.0000",
      baseAsset: i.baseAsset,
      quoteAsset: i.quoteAsset,
      marginAsset: i.quoteAsset,
      pricePrecision: decimalsOf(i.tickSize),
      quantityPrecision: decimalsOf(i.lotSize),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: "COIN",
      underlyingSubType: [],
      triggerProtect: "0.0500",
      liquidationFee: "0.012500",
      marketTakeBound: "0.05",
      maxMoveOrderLimit: 10000,
      filters: [
        { filterType: "PRICE_FILTER", minPrice: priceText(i, i.tickSize), maxPrice: "4529764", tickSize: decText(i.tickSize) },
        { filterType: "LOT_SIZE", minQty: decText(i.minQty), maxQty: decText(i.maxQty), stepSize: decText(i.lotSize) },
        { filterType: "MARKET_LOT_SIZE", minQty: decText(i.minQty), maxQty: decText(i.maxQty), stepSize: decText(i.lotSize) },
        { filterType: "MAX_NUM_ORDERS", limit: 200 },
        { filterType: "MAX_NUM_ALGO_ORDERS", limit: 10 },
        { filterType: "MIN_NOTIONAL", notional: decText(i.minNotional) },
        { filterType: "PERCENT_PRICE", multiplierUp: PERCENT_PRICE.up, multiplierDown: PERCENT_PRICE.down, multiplierDecimal: "4" },
      ],
      orderTypes: ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"],
      timeInForce: ["GTC", "IOC", "FOK", "GTX"],
    })),
  };
}

export interface DepthBook {
  /** The book as of the last update id the streams know (synchronised first). */
  snapshot(symbol: string, limit: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][]; ts: number };
}

function depth(ctx: RouteContext, books: DepthBook): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const limit = intParam(ctx, "limit", 1, 1000) ?? 500;
  if (isBinanceError(limit) || !DEPTH_LIMITS.has(limit)) return ERR.malformed("limit");
  const s = books.snapshot(i.symbol, limit);
  return { lastUpdateId: s.lastUpdateId, E: ctx.now, T: s.ts, bids: s.bids, asks: s.asks };
}

function bookTicker(ctx: RouteContext): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  const row = (inst: Instrument): unknown => {
    const t = ctx.ex.top(inst.symbol);
    return {
      symbol: inst.symbol,
      bidPrice: t.bid === undefined ? "0" : priceText(inst, t.bid.price),
      bidQty: t.bid === undefined ? "0" : qtyText(inst, t.bid.qty),
      askPrice: t.ask === undefined ? "0" : priceText(inst, t.ask.price),
      askQty: t.ask === undefined ? "0" : qtyText(inst, t.ask.qty),
      time: ctx.now,
    };
  };
  return i === undefined ? ctx.ex.instruments().map(row) : row(i);
}

function premiumIndex(ctx: RouteContext): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  const row = (inst: Instrument): unknown => {
    const mark = priceText(inst, ctx.ex.markPrice(inst.symbol));
    return {
      symbol: inst.symbol,
      markPrice: mark,
      indexPrice: mark,
      estimatedSettlePrice: mark,
      lastFundingRate: decText(FUNDING_RATE),
      interestRate: "0.00010000",
      nextFundingTime: ctx.ex.nextFundingTime(),
      time: ctx.now,
    };
  };
  return i === undefined ? ctx.ex.instruments().map(row) : row(i);
}

/** `GET /fapi/v1/openInterest?symbol=`: the symbol is required (Binance answers -1102 without it). */
function openInterest(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  return { symbol: i.symbol, openInterest: qtyText(i, ctx.ex.openInterest(i.symbol)), time: ctx.now };
}

/** Klines from the exchange's own prints (account fills and the synthetic tape's aggregated trades are not kept): a flat candle at the last price. */
function klines(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const interval = ctx.params.get("interval");
  const ms = interval === undefined ? undefined : KLINE_MS[interval];
  if (ms === undefined) return ERR.malformed("interval");
  const limit = intParam(ctx, "limit", 1, 1500) ?? 500;
  if (isBinanceError(limit)) return limit;
  const last = priceText(i, ctx.ex.lastPrice(i.symbol));
  const end = Math.floor(ctx.now / ms) * ms;
  const out: unknown[] = [];
  for (let k = Math.min(limit, 10) - 1; k >= 0; k--) {
    const open = end - k * ms;
    out.push([open, last, last, last, last, "0", open + ms - 1, "0", 0, "0", "0", "0"]);
  }
  return out;
}

export interface TradeTape {
  recent(symbol: string, limit: number): { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean }[];
}

function aggTrades(ctx: RouteContext, tape: TradeTape): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const limit = intParam(ctx, "limit", 1, 1000) ?? 500;
  if (isBinanceError(limit)) return limit;
  return tape.recent(i.symbol, limit);
}

// ------------------------------------------------------------------ orders

function parseNewOrder(ctx: RouteContext, params: ReadonlyMap<string, string>): NewOrder | BinanceError {
  const local: RouteContext = { ...ctx, params };
  const i = symbolOf(local);
  if (isBinanceError(i) || i === undefined) return i ?? ERR.mandatory("symbol");
  const side = params.get("side");
  if (side === undefined || side === "") return ERR.mandatory("side");
  if (side !== "BUY" && side !== "SELL") return ERR.malformed("side");
  const type = params.get("type");
  if (type === undefined || type === "") return ERR.mandatory("type");
  if (!KNOWN_TYPES.has(type)) return ERR.orderType;
  if (!ORDER_TYPES.has(type)) return ERR.malformed(`type: ${type} is not simulated`);
  const positionSide = params.get("positionSide");
  if (ctx.accountId !== undefined && ctx.ex.dualSide(ctx.accountId)) return positionSide === "LONG" || positionSide === "SHORT" ? ERR.hedgeOrderNotSimulated : ERR.positionSide;
  if (positionSide !== undefined && positionSide !== "" && positionSide !== "BOTH") return ERR.positionSide;
  const reduceOnly = bool(local, "reduceOnly");
  if (isBinanceError(reduceOnly)) return reduceOnly;
  const closePosition = bool(local, "closePosition");
  if (isBinanceError(closePosition)) return closePosition;
  const isStop = type === "STOP_MARKET" || type === "TAKE_PROFIT_MARKET";
  if (closePosition && !isStop) return ERR.malformed("closePosition");
  if (closePosition && (reduceOnly || params.has("quantity"))) return ERR.malformed("closePosition");
  const qty = stepped(local, "quantity", i.lotSize, "LOT_SIZE");
  if (isBinanceError(qty)) return qty;
  if (qty === undefined && !closePosition) return ERR.mandatory("quantity");
  if (qty !== undefined && (qty < i.minQty || qty > i.maxQty)) return ERR.filter(type === "LIMIT" ? "LOT_SIZE" : "MARKET_LOT_SIZE");
  const price = stepped(local, "price", i.tickSize, "PRICE_FILTER");
  if (isBinanceError(price)) return price;
  if (type === "LIMIT" && price === undefined) return ERR.mandatory("price");
  const stopPrice = stepped(local, "stopPrice", i.tickSize, "PRICE_FILTER");
  if (isBinanceError(stopPrice)) return stopPrice;
  if (isStop && stopPrice === undefined) return ERR.mandatory("stopPrice");
  const workingType = params.get("workingType");
  if (workingType !== undefined && workingType !== "MARK_PRICE" && workingType !== "CONTRACT_PRICE") return ERR.malformed("workingType");
  const tifText = params.get("timeInForce");
  if (type === "LIMIT" && (tifText === undefined || tifText === "")) return ERR.mandatory("timeInForce");
  if (tifText !== undefined && tifText !== "" && !TIFS.has(tifText)) return ERR.malformed("timeInForce");
  const clientOrderId = params.get("newClientOrderId") ?? "";
  if (clientOrderId !== "" && !CLIENT_ORDER_ID.test(clientOrderId)) return ERR.clientOrderIdFormat;
  return {
    accountId: ctx.accountId!,
    symbol: i.symbol,
    side: side as BnSide,
    type: type as BnOrderType,
    timeInForce: (type === "LIMIT" ? tifText : "GTC") as BnTimeInForce,
    qty: qty ?? ZERO,
    price: type === "LIMIT" ? price : undefined,
    stopPrice,
    reduceOnly,
    closePosition,
    clientOrderId,
    receivedAt: ctx.receivedAt,
  };
}

/**
 * Every symbol's PERCENT_PRICE filter (BTCUSDT's: a limit price within 5% of the mark; smaller
 * contracts have wider ones). Published in exchangeInfo, enforced on every LIMIT order.
 */
const PERCENT_PRICE = { up: "1.0500", down: "0.9500" };

/** Venue rules over the account: price band (-4016 / -4024), reduce-only (-2022), min notional (-4164), margin (-2019), stop trigger (-2021). */
function checkRules(ctx: RouteContext, o: NewOrder): BinanceError | undefined {
  const ex = ctx.ex;
  const i = ex.instrument(o.symbol)!;
  const mark = ex.markPrice(o.symbol);
  if (o.type === "LIMIT" && o.price !== undefined && mark > ZERO) {
    const highest = roundToStep(mul(mark, dec(PERCENT_PRICE.up)), i.tickSize, "floor");
    const lowest = roundToStep(mul(mark, dec(PERCENT_PRICE.down)), i.tickSize, "ceil");
    if (o.side === "BUY" && o.price > highest) return ERR.priceAboveBand(priceText(i, highest));
    if (o.side === "SELL" && o.price < lowest) return ERR.priceBelowBand(priceText(i, lowest));
  }
  const pos = ex.position(o.accountId, o.symbol).positionAmt;
  if (o.type === "STOP_MARKET" || o.type === "TAKE_PROFIT_MARKET") {
    const upward = (o.type === "STOP_MARKET") === (o.side === "BUY");
    if (upward ? mark >= o.stopPrice! : mark <= o.stopPrice!) return ERR.wouldTrigger;
    if (o.reduceOnly && !((pos > ZERO && o.side === "SELL") || (pos < ZERO && o.side === "BUY"))) return ERR.reduceOnly;
    return undefined;
  }
  const top = ex.top(o.symbol);
  const price = o.price ?? (o.side === "BUY" ? top.ask?.price : top.bid?.price) ?? mark;
  if (o.reduceOnly) {
    const reduces = (pos > ZERO && o.side === "SELL") || (pos < ZERO && o.side === "BUY");
    return reduces ? undefined : ERR.reduceOnly;
  }
  if (mul(o.qty, price) < i.minNotional) return ERR.minNotional(decText(i.minNotional));
  const leverage = dec(String(ex.leverage(o.accountId, o.symbol)));
  const after = add(pos, o.side === "BUY" ? o.qty : (-o.qty as Dec));
  const growth = max(ZERO, sub(abs(after), abs(pos)));
  const cost = add(div(mul(growth, price), leverage), mul(mul(o.qty, price), i.takerFee));
  if (growth > ZERO && cost > ex.wallet(o.accountId).availableBalance) return ERR.marginInsufficient;
  return undefined;
}

function placeOne(ctx: RouteContext, params: ReadonlyMap<string, string>): unknown {
  const order = parseNewOrder(ctx, params);
  if (isBinanceError(order)) return order;
  const broken = checkRules(ctx, order);
  if (broken !== undefined) return broken;
  const placed = ctx.ex.place(order);
  if (!placed.ok) return placed.error;
  const i = ctx.ex.instrument(order.symbol)!;
  // ACK (the default) answers what was accepted; RESULT the order after matching.
  if (params.get("newOrderRespType") === "RESULT") return restOrder(i, placed.value, "new");
  return restOrder(i, { ...placed.value, status: "NEW", executedQty: ZERO, cumQuote: ZERO, avgPrice: ZERO }, "new");
}

function getOrder(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const ref = orderRef(ctx);
  if (isBinanceError(ref)) return ref;
  const o = ctx.ex.find(ctx.accountId!, ref);
  if (o === undefined || o.symbol !== i.symbol) return ERR.noSuchOrder;
  return restOrder(i, o);
}

function cancelOrder(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const ref = orderRef(ctx);
  if (isBinanceError(ref)) return ref;
  const r = ctx.ex.cancel(ctx.accountId!, i.symbol, ref);
  return r.ok ? restOrder(i, r.value, "cancel") : r.error;
}

function openOrders(ctx: RouteContext): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  return ctx.ex.openOrders(ctx.accountId!, i?.symbol).map((o) => restOrder(ctx.ex.instrument(o.symbol)!, o));
}

function cancelAll(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  ctx.ex.cancelAll(ctx.accountId!, i.symbol);
  return { code: 200, msg: "The operation of cancel all open order is done." };
}

/** A JSON array parameter (batchOrders, origClientOrderIdList, orderIdList). */
function jsonList(ctx: RouteContext, name: string): unknown[] | BinanceError | undefined {
  const text = ctx.params.get(name);
  if (text === undefined || text === "") return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : ERR.malformed(name);
  } catch {
    return ERR.malformed(name);
  }
}

function batchPlace(ctx: RouteContext): unknown {
  const list = jsonList(ctx, "batchOrders");
  if (isBinanceError(list)) return list;
  if (list === undefined) return ERR.mandatory("batchOrders");
  if (list.length === 0 || list.length > 5) return ERR.malformed("batchOrders");
  return list.map((item) => {
    if (typeof item !== "object" || item === null) return { code: ERR.malformed("batchOrders").code, msg: ERR.malformed("batchOrders").msg };
    const params = new Map(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const r = placeOne(ctx, params);
    return isBinanceError(r) ? { code: r.code, msg: r.msg } : r;
  });
}

function batchCancel(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const ids = jsonList(ctx, "orderIdList");
  const cids = jsonList(ctx, "origClientOrderIdList");
  if (isBinanceError(ids)) return ids;
  if (isBinanceError(cids)) return cids;
  const refs = ids !== undefined ? ids.map((id) => ({ orderId: Number(id) })) : (cids ?? []).map((c) => ({ clientOrderId: String(c) }));
  if (refs.length === 0 || refs.length > 10) return ERR.mandatory("orderIdList");
  return refs.map((ref) => {
    const r = ctx.ex.cancel(ctx.accountId!, i.symbol, ref);
    return r.ok ? restOrder(i, r.value, "cancel") : { code: r.error.code, msg: r.error.msg };
  });
}

function window(ctx: RouteContext): { start: number; end: number } | BinanceError {
  const start = intParam(ctx, "startTime", 0, Number.MAX_SAFE_INTEGER);
  const end = intParam(ctx, "endTime", 0, Number.MAX_SAFE_INTEGER);
  if (isBinanceError(start)) return start;
  if (isBinanceError(end)) return end;
  const e = end ?? (start === undefined ? ctx.now : start + SEVEN_DAYS);
  const s = start ?? e - SEVEN_DAYS;
  if (e < s || e - s > SEVEN_DAYS) return ERR.malformed("startTime/endTime: the window must be at most 7 days");
  return { start: s, end: e };
}

function userTrades(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const limit = intParam(ctx, "limit", 1, 1000) ?? 500;
  if (isBinanceError(limit)) return limit;
  const orderId = intParam(ctx, "orderId", 0, Number.MAX_SAFE_INTEGER);
  if (isBinanceError(orderId)) return orderId;
  const fromId = intParam(ctx, "fromId", 0, Number.MAX_SAFE_INTEGER);
  if (isBinanceError(fromId)) return fromId;
  if (fromId !== undefined && (ctx.params.has("startTime") || ctx.params.has("endTime"))) return ERR.malformed("fromId");
  const w = fromId === undefined && orderId === undefined ? window(ctx) : { start: 0, end: Number.MAX_SAFE_INTEGER };
  if (isBinanceError(w)) return w;
  const list = ctx.ex
    .trades(ctx.accountId!)
    .filter((t) => t.symbol === i.symbol && (orderId === undefined || t.orderId === orderId) && (fromId === undefined || t.id >= fromId) && t.time >= w.start && t.time <= w.end);
  // A time window (startTime and/or endTime) is answered from its start, oldest first, up to
  // `limit`, as Binance does: the next page is asked for by fromId. Without a window or fromId
  // (the default 7 days, or orderId alone) the newest `limit` ("Default gets most recent trades").
  const timed = ctx.params.has("startTime") || ctx.params.has("endTime");
  return (fromId === undefined && !(timed && orderId === undefined) ? list.slice(-limit) : list.slice(0, limit)).map((t) => restTrade(i, t));
}

function income(ctx: RouteContext): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  const limit = intParam(ctx, "limit", 1, 1000) ?? 100;
  if (isBinanceError(limit)) return limit;
  const type = ctx.params.get("incomeType");
  const start = intParam(ctx, "startTime", 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const end = intParam(ctx, "endTime", 0, Number.MAX_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
  if (isBinanceError(start) || isBinanceError(end)) return ERR.malformed("startTime/endTime");
  return ctx.ex
    .income(ctx.accountId!)
    .filter((r) => (i === undefined || r.symbol === i.symbol) && (type === undefined || type === "" || r.incomeType === type) && r.time >= start && r.time <= end)
    .slice(0, limit)
    .map((r) => ({ symbol: r.symbol, incomeType: r.incomeType, income: decText(r.income), asset: "USDT", info: r.incomeType, time: r.time, tranId: r.tranId, tradeId: r.tradeId }));
}

function positionRisk(ctx: RouteContext, version: 2 | 3): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  const symbols = i === undefined ? ctx.ex.instruments() : [i];
  return symbols.flatMap((inst) => {
    const p = ctx.ex.position(ctx.accountId!, inst.symbol);
    if (version === 2) return [positionRiskV2(inst, p)];
    // v3 lists only symbols with a position or open orders.
    const open = ctx.ex.openOrders(ctx.accountId!, inst.symbol).length > 0;
    return p.positionAmt !== ZERO || open ? [positionRiskV3(inst, p)] : [];
  });
}

function leverageBracket(ctx: RouteContext): unknown {
  const i = symbolOf(ctx, false);
  if (isBinanceError(i)) return i;
  const row = (inst: Instrument): unknown => ({
    symbol: inst.symbol,
    notionalCoef: 1,
    brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50000000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }],
  });
  return i === undefined ? ctx.ex.instruments().map(row) : [row(i)];
}

function setLeverage(ctx: RouteContext): unknown {
  const i = symbolOf(ctx);
  if (isBinanceError(i) || i === undefined) return i;
  const leverage = intParam(ctx, "leverage", 1, 125);
  if (isBinanceError(leverage)) return leverage;
  if (leverage === undefined) return ERR.mandatory("leverage");
  ctx.ex.setLeverage(ctx.accountId!, i.symbol, leverage);
  return { leverage, maxNotionalValue: "50000000", symbol: i.symbol };
}

function setFeeBurn(ctx: RouteContext): unknown {
  const v = ctx.params.get("feeBurn");
  if (v === undefined || v === "") return ERR.mandatory("feeBurn");
  if (v !== "true" && v !== "false") return ERR.malformed("feeBurn");
  ctx.ex.setFeeBurn(ctx.accountId!, v === "true");
  return { code: 200, msg: "success" };
}

function setDual(ctx: RouteContext): unknown {
  const v = ctx.params.get("dualSidePosition");
  if (v === undefined || v === "") return ERR.mandatory("dualSidePosition");
  if (v !== "true" && v !== "false") return ERR.malformed("dualSidePosition");
  return ctx.ex.setDualSide(ctx.accountId!, v === "true") ?? { code: 200, msg: "success" };
}

export function buildRoutes(books: DepthBook, tape: TradeTape): ReadonlyMap<string, Route> {
  const r = (security: Security, weight: Route["weight"], handle: (ctx: RouteContext) => unknown, isOrder = false): Route => ({ security, weight, handle, isOrder });
  const depthWeight = (p: ReadonlyMap<string, string>): number => {
    const limit = Number(p.get("limit") ?? "500");
    return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
  };
  return new Map<string, Route>([
    ["GET /fapi/v1/ping", r("NONE", 1, () => ({}))],
    ["GET /fapi/v1/time", r("NONE", 1, (c) => ({ serverTime: c.now }))],
    ["GET /fapi/v1/exchangeInfo", r("NONE", 1, exchangeInfo)],
    ["GET /fapi/v1/depth", r("NONE", depthWeight, (c) => depth(c, books))],
    ["GET /fapi/v1/ticker/bookTicker", r("NONE", 2, bookTicker)],
    ["GET /fapi/v1/premiumIndex", r("NONE", 1, premiumIndex)],
    ["GET /fapi/v1/openInterest", r("NONE", 1, openInterest)],
    ["GET /fapi/v1/klines", r("NONE", 5, klines)],
    ["GET /fapi/v1/aggTrades", r("NONE", 20, (c) => aggTrades(c, tape))],
    ["POST /fapi/v1/order", r("SIGNED", 0, (c) => placeOne(c, c.params), true)],
    ["GET /fapi/v1/order", r("SIGNED", 1, getOrder)],
    ["DELETE /fapi/v1/order", r("SIGNED", 1, cancelOrder)],
    ["GET /fapi/v1/openOrders", r("SIGNED", (p) => (p.has("symbol") ? 1 : 40), openOrders)],
    ["DELETE /fapi/v1/allOpenOrders", r("SIGNED", 1, cancelAll)],
    ["POST /fapi/v1/batchOrders", r("SIGNED", 5, batchPlace, true)],
    ["DELETE /fapi/v1/batchOrders", r("SIGNED", 1, batchCancel)],
    ["GET /fapi/v1/userTrades", r("SIGNED", 5, userTrades)],
    ["GET /fapi/v1/income", r("SIGNED", 30, income)],
    ["GET /fapi/v2/account", r("SIGNED", 5, (c) => accountV2(c.ex, c.accountId!))],
    ["GET /fapi/v3/account", r("SIGNED", 5, (c) => accountV3(c.ex, c.accountId!))],
    ["GET /fapi/v2/balance", r("SIGNED", 5, (c) => [balanceRow(c.ex.wallet(c.accountId!), c.accountId!)])],
    ["GET /fapi/v3/balance", r("SIGNED", 5, (c) => [balanceRow(c.ex.wallet(c.accountId!), c.accountId!)])],
    ["GET /fapi/v2/positionRisk", r("SIGNED", 5, (c) => positionRisk(c, 2))],
    ["GET /fapi/v3/positionRisk", r("SIGNED", 5, (c) => positionRisk(c, 3))],
    ["GET /fapi/v1/leverageBracket", r("SIGNED", 1, leverageBracket)],
    ["GET /fapi/v1/positionSide/dual", r("SIGNED", 30, (c) => ({ dualSidePosition: c.ex.dualSide(c.accountId!) }))],
    ["POST /fapi/v1/positionSide/dual", r("SIGNED", 1, setDual)],
    ["GET /fapi/v1/feeBurn", r("SIGNED", 30, (c) => ({ feeBurn: c.ex.feeBurn(c.accountId!) }))],
    ["POST /fapi/v1/feeBurn", r("SIGNED", 1, setFeeBurn)],
    ["POST /fapi/v1/leverage", r("SIGNED", 1, setLeverage)],
    ["POST /fapi/v1/listenKey", r("USER_STREAM", 1, (c) => ({ listenKey: c.listenKeys.open(c.accountId!) }))],
    ["PUT /fapi/v1/listenKey", r("USER_STREAM", 1, (c) => {
      const key = c.listenKeys.keepAlive(c.accountId!);
      return key === undefined ? ERR.badListenKey : { listenKey: key };
    })],
    ["DELETE /fapi/v1/listenKey", r("USER_STREAM", 1, (c) => {
      c.listenKeys.close(c.accountId!);
      return {};
    })],
  ]);
}
