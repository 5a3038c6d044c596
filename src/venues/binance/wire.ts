/**
 * Binance USD-M wire objects (REST answers and stream events) read into exact values.
 *
 * The `parse…` functions are the strict boundary: a field of the wrong type, a number where
 * Binance sends a decimal string, an unknown enum value or a missing field throws
 * `VENUE_PROTOCOL` naming the kind and the field; nothing is coerced into a wrong number.
 * Numbers come from the wire strings through `Dec`, never through floats. Ids (order, trade,
 * update ids) are JSON integers at Binance.
 */
import { type Dec, ZERO, neg, tryDec } from "../../core/decimal.ts";
import type { Side } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { AccountReport, CashReport, FillReport, FundingReport, OrderStatusReport, PositionStatusReport } from "../venue.ts";
import type { VenueOrderStatus } from "../../execution/venue-port.ts";
import { type Levels, type WireLevel, priceKey, sizeKey } from "../live/level-book.ts";
import { type Raw, isRaw, wireFields } from "../live/wire-fields.ts";
import type { BinanceErrorBody } from "./classify.ts";

export type WireKind = "error" | "order" | "trade" | "position" | "account" | "income" | "depth" | "depth-update" | "agg-trade" | "frame" | "instrument" | "listen-key" | "time" | "order-update" | "mode";

const fields = wireFields<WireKind>("Binance");
export const { protocolError, objectOf, listOf } = fields;
const { text, decimal, flag } = fields;

/** A non-negative integer id or time, sent as a JSON number (or, in a few events, a digit string). */
function int(kind: WireKind, raw: Raw, field: string): number {
  const v = raw[field];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^\d{1,16}$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw protocolError(kind, field, v, "a non-negative integer");
}

function side(kind: WireKind, raw: Raw, field: string): Side {
  const v = raw[field];
  if (v === "BUY") return "buy";
  if (v === "SELL") return "sell";
  throw protocolError(kind, field, v, `"BUY" or "SELL"`);
}

/** `{code, msg}` with a negative code: Binance's error body; undefined for anything else. */
export function readErrorBody(parsed: unknown): BinanceErrorBody | undefined {
  if (!isRaw(parsed)) return undefined;
  const { code, msg } = parsed;
  if (typeof code !== "number" || !Number.isSafeInteger(code) || code >= 0 || typeof msg !== "string") return undefined;
  return { code, msg };
}

// ---------------------------------------------------------------- orders

/** Every order status Binance documents for USD-M. */
const ORDER_STATUSES: ReadonlySet<string> = new Set(["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED", "EXPIRED_IN_MATCH", "NEW_INSURANCE", "NEW_ADL"]);
const ORDER_TYPES: ReadonlySet<string> = new Set(["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET", "LIQUIDATION"]);

export interface WireOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** The order's type as placed (`origType`: a triggered stop keeps STOP_MARKET). */
  readonly type: string;
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly executedQty: Dec;
  readonly status: string;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly stopPrice: Dec | undefined;
  readonly updateTime: number;
}

const positiveOrNone = (d: Dec): Dec | undefined => (d === ZERO ? undefined : d);

function orderType(kind: WireKind, raw: Raw, field: string): string {
  const v = text(kind, raw, field, { nonEmpty: true });
  if (!ORDER_TYPES.has(v)) throw protocolError(kind, field, v, "a known order type");
  return v;
}

function orderStatus(kind: WireKind, raw: Raw, field: string): string {
  const v = text(kind, raw, field, { nonEmpty: true });
  if (!ORDER_STATUSES.has(v)) throw protocolError(kind, field, v, "a known order status");
  return v;
}

/** An order as REST answers carry it (query, openOrders, cancel, create with RESULT or ACK). */
export function parseOrder(input: unknown): WireOrder {
  const kind = "order";
  const raw = objectOf(kind, input);
  const origType = raw.origType === undefined ? orderType(kind, raw, "type") : orderType(kind, raw, "origType");
  return {
    orderId: String(int(kind, raw, "orderId")),
    clientOrderId: text(kind, raw, "clientOrderId"),
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    side: side(kind, raw, "side"),
    type: origType,
    qty: decimal(kind, raw, "origQty", "non-negative"),
    price: positiveOrNone(decimal(kind, raw, "price", "non-negative")),
    executedQty: decimal(kind, raw, "executedQty", "non-negative"),
    status: orderStatus(kind, raw, "status"),
    timeInForce: text(kind, raw, "timeInForce"),
    reduceOnly: flag(kind, raw, "reduceOnly"),
    closePosition: raw.closePosition === undefined ? false : flag(kind, raw, "closePosition"),
    stopPrice: raw.stopPrice === undefined ? undefined : positiveOrNone(decimal(kind, raw, "stopPrice", "non-negative")),
    updateTime: int(kind, raw, "updateTime"),
  };
}

/** The `o` of an `ORDER_TRADE_UPDATE`, with the trade it reports (when `x` is TRADE). */
export interface WireOrderUpdate {
  readonly order: WireOrder;
  readonly executionType: string;
  readonly trade: WireTrade | undefined;
}

export function parseOrderUpdate(input: unknown): WireOrderUpdate {
  const kind = "order-update";
  const event = objectOf(kind, input);
  const o = objectOf(kind, event.o);
  const order: WireOrder = {
    orderId: String(int(kind, o, "i")),
    clientOrderId: text(kind, o, "c"),
    symbol: text(kind, o, "s", { nonEmpty: true }),
    side: side(kind, o, "S"),
    type: o.ot === undefined ? orderType(kind, o, "o") : orderType(kind, o, "ot"),
    qty: decimal(kind, o, "q", "non-negative"),
    price: positiveOrNone(decimal(kind, o, "p", "non-negative")),
    executedQty: decimal(kind, o, "z", "non-negative"),
    status: orderStatus(kind, o, "X"),
    timeInForce: text(kind, o, "f"),
    reduceOnly: flag(kind, o, "R"),
    closePosition: o.cp === undefined ? false : flag(kind, o, "cp"),
    stopPrice: o.sp === undefined ? undefined : positiveOrNone(decimal(kind, o, "sp", "non-negative")),
    updateTime: int(kind, o, "T"),
  };
  const executionType = text(kind, o, "x", { nonEmpty: true });
  if (executionType !== "TRADE") return { order, executionType, trade: undefined };
  const commissionAsset = o.N === undefined || o.N === null ? "" : text(kind, o, "N");
  return {
    order,
    executionType,
    trade: {
      id: String(int(kind, o, "t")),
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      price: decimal(kind, o, "L", "positive"),
      qty: decimal(kind, o, "l", "positive"),
      commission: decimal(kind, o, "n", "any"),
      commissionAsset,
      maker: flag(kind, o, "m"),
      time: int(kind, o, "T"),
    },
  };
}

function statusOf(o: WireOrder): VenueOrderStatus | "pending" {
  switch (o.status) {
    case "NEW":
      return "open";
    case "PARTIALLY_FILLED":
      return "partially-filled";
    case "FILLED":
      return "filled";
    case "CANCELED":
    case "EXPIRED_IN_MATCH":
      return "cancelled";
    case "EXPIRED":
      // IOC / market remainders and reduce-only orders cut by a shrinking position: the order's own terms.
      return "expired";
    case "REJECTED":
      return "rejected";
    default:
      // NEW_INSURANCE / NEW_ADL: the venue's liquidation machinery; it exists, nothing more.
      return "pending";
  }
}

export function orderReportOf(o: WireOrder): OrderStatusReport {
  const status = statusOf(o);
  return {
    clientOrderId: o.clientOrderId === "" ? undefined : o.clientOrderId,
    venueOrderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.type === "LIMIT" ? "limit" : "market",
    qty: o.qty,
    filledQty: o.executedQty,
    price: o.price,
    reduceOnly: o.reduceOnly,
    status,
    // A GTX that would take is refused at the REST answer (-5022); one cancelled later is not that.
    postOnlyWouldTake: false,
    reason: status === "open" || status === "partially-filled" ? "" : o.status,
    rejectCode: `BINANCE_${o.status}`,
  };
}

/** A protective stop of hean's (or anyone's): `STOP_MARKET` closing the whole position. */
export const isCloseStop = (o: WireOrder): boolean => o.closePosition && (o.type === "STOP_MARKET" || o.type === "STOP");

// ---------------------------------------------------------------- trades

export interface WireTrade {
  readonly id: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  /** Positive paid, negative rebate. */
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly maker: boolean;
  readonly time: number;
}

/** An item of `GET /fapi/v1/userTrades`. */
export function parseTrade(input: unknown): WireTrade {
  const kind = "trade";
  const raw = objectOf(kind, input);
  return {
    id: String(int(kind, raw, "id")),
    orderId: String(int(kind, raw, "orderId")),
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    side: side(kind, raw, "side"),
    price: decimal(kind, raw, "price", "positive"),
    qty: decimal(kind, raw, "qty", "positive"),
    commission: decimal(kind, raw, "commission", "any"),
    commissionAsset: text(kind, raw, "commissionAsset"),
    maker: flag(kind, raw, "maker"),
    time: int(kind, raw, "time"),
  };
}

/**
 * The fill id of a trade: Binance numbers trades per symbol, so the symbol is part of it
 * (`BTCUSDT:12345`); the stream's `t` and REST's `id` name the same trade.
 */
export const fillIdOf = (symbol: string, tradeId: string): string => `${symbol}:${tradeId}`;

/** The settlement asset of the USDⓈ-M contracts hean trades: fees in any other asset are flagged. */
const SETTLE_ASSET = "USDT";

export function fillReportOf(t: WireTrade, clientOrderId: string): FillReport {
  return {
    fillId: fillIdOf(t.symbol, t.id),
    venueOrderId: t.orderId,
    clientOrderId,
    symbol: t.symbol,
    side: t.side,
    price: t.price,
    qty: t.qty,
    fee: t.commission,
    feeAsset: t.commissionAsset === "" || t.commissionAsset === SETTLE_ASSET ? undefined : t.commissionAsset,
    liquidity: t.maker ? "maker" : "taker",
    venueTs: t.time,
  };
}

// ---------------------------------------------------------------- positions, account, income

export interface WirePosition {
  readonly symbol: string;
  readonly positionSide: string;
  /** Signed: positive long, negative short. */
  readonly amount: Dec;
  readonly entryPrice: Dec;
  readonly markPrice: Dec | undefined;
  readonly updateTime: number;
}

/** An item of `GET /fapi/v2/positionRisk` (or v3). */
export function parsePosition(input: unknown): WirePosition {
  const kind = "position";
  const raw = objectOf(kind, input);
  const positionSide = text(kind, raw, "positionSide", { nonEmpty: true });
  if (positionSide !== "BOTH" && positionSide !== "LONG" && positionSide !== "SHORT") throw protocolError(kind, "positionSide", positionSide, "BOTH, LONG or SHORT");
  return {
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    positionSide,
    amount: decimal(kind, raw, "positionAmt", "any"),
    entryPrice: decimal(kind, raw, "entryPrice", "non-negative"),
    markPrice: raw.markPrice === undefined ? undefined : positiveOrNone(decimal(kind, raw, "markPrice", "non-negative")),
    updateTime: int(kind, raw, "updateTime"),
  };
}

export function positionReportOf(p: WirePosition, stopLoss: Dec | undefined): PositionStatusReport {
  return { symbol: p.symbol, qty: p.amount, avgPrice: p.amount === ZERO ? ZERO : p.entryPrice, markPrice: p.markPrice, seq: p.updateTime, stopLoss };
}

/** The settle coin's row of `GET /fapi/v2/account` as the account report; undefined when the coin is not there. */
export function parseAccount(input: unknown, venueTs: number, coin = "USDT"): AccountReport | undefined {
  const kind = "account";
  const raw = objectOf(kind, input);
  if (!Array.isArray(raw.assets)) throw protocolError(kind, "assets", raw.assets, "a list");
  for (const item of raw.assets) {
    const a = objectOf(kind, item);
    if (text(kind, a, "asset") !== coin) continue;
    return {
      walletBalance: decimal(kind, a, "walletBalance", "any"),
      equity: decimal(kind, a, "marginBalance", "any"),
      available: decimal(kind, a, "availableBalance", "any"),
      initialMargin: decimal(kind, a, "initialMargin", "non-negative"),
      maintenanceMargin: decimal(kind, a, "maintMargin", "non-negative"),
      venueTs,
    };
  }
  return undefined;
}

export interface WireIncome {
  readonly symbol: string;
  readonly incomeType: string;
  /** Credited to the account (negative: debited). */
  readonly income: Dec;
  readonly asset: string;
  readonly time: number;
  readonly tranId: string;
  /** The trade a REALIZED_PNL or COMMISSION record comes from ("" for the others). */
  readonly tradeId: string;
}

export function parseIncome(input: unknown): WireIncome {
  const kind = "income";
  const raw = objectOf(kind, input);
  return {
    symbol: text(kind, raw, "symbol"),
    incomeType: text(kind, raw, "incomeType", { nonEmpty: true }),
    income: decimal(kind, raw, "income", "any"),
    asset: text(kind, raw, "asset", { nonEmpty: true }),
    time: int(kind, raw, "time"),
    tranId: String(int(kind, raw, "tranId")),
    tradeId: typeof raw.tradeId === "number" ? String(raw.tradeId) : typeof raw.tradeId === "string" ? raw.tradeId : "",
  };
}

/**
 * A `FUNDING_FEE` income record as a funding report (`paid` = −income). Binance's record states
 * only the amount: the rate, position and mark it applied to are not in it and are left at 0
 * (the engine books the amount).
 */
export function fundingReportOf(i: WireIncome): FundingReport {
  return { fundingId: `funding-${i.tranId}`, symbol: i.symbol, paid: neg(i.income), rate: ZERO, positionQty: ZERO, markPrice: ZERO, venueTs: i.time };
}

/** Income that moves cash without a trade or funding (those are booked from trades and FUNDING_FEE). */
const CASH_INCOME: Readonly<Record<string, CashReport["reason"]>> = {
  TRANSFER: "transfer",
  INTERNAL_TRANSFER: "transfer",
  CROSS_COLLATERAL_TRANSFER: "transfer",
  WELCOME_BONUS: "venue",
  REFERRAL_KICKBACK: "venue",
  COMMISSION_REBATE: "venue",
  API_REBATE: "venue",
  CONTEST_REWARD: "venue",
  INSURANCE_CLEAR: "venue",
  STRATEGY_UMFUTURES_TRANSFER: "transfer",
};

/**
 * An income record that is a cash adjustment: a transfer, bonus or rebate; and a record of
 * someone else's trading on the account that hean books nowhere else (`untraded` says which).
 */
/** The adjustment id an income record is booked under. */
export const cashAdjustmentIdOf = (tranId: string): string => `income-${tranId}`;

export function cashReportOf(i: WireIncome, untraded: (i: WireIncome) => boolean = () => false): CashReport | undefined {
  if (i.symbol !== "" && !Object.hasOwn(CASH_INCOME, i.incomeType) && untraded(i)) {
    return { adjustmentId: cashAdjustmentIdOf(i.tranId), amount: i.income, reason: "untraded", detail: `${i.incomeType} ${i.symbol}`, venueTs: i.time };
  }
  const reason = Object.hasOwn(CASH_INCOME, i.incomeType) ? CASH_INCOME[i.incomeType] : undefined;
  if (reason === undefined) return undefined;
  return { adjustmentId: cashAdjustmentIdOf(i.tranId), amount: i.income, reason, detail: i.incomeType, venueTs: i.time };
}

// ---------------------------------------------------------------- market data

/** Depth levels `[[price, qty], …]`, checked and keyed before anything is applied (see `Levels`). */
export function parseLevels(kind: WireKind, input: unknown): Levels {
  if (!Array.isArray(input)) throw protocolError(kind, "levels", input, "a list of levels");
  // Sized up front: growing it by push costs more than the checks.
  const keys = new Array<number>(2 * input.length);
  for (let i = 0; i < input.length; i++) {
    const level: unknown = input[i];
    if (!Array.isArray(level) || level.length < 2) throw protocolError(kind, "level", level, "[price, qty]");
    const p = priceKey(level[0]);
    if (p === undefined) throw protocolError(kind, "p", level[0], "a positive plain decimal string");
    const q = sizeKey(level[1]);
    if (q === undefined) throw protocolError(kind, "q", level[1], "a non-negative plain decimal string");
    keys[2 * i] = p;
    keys[2 * i + 1] = q;
  }
  return { levels: input as WireLevel[], keys };
}

export interface WireDepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: Levels;
  readonly asks: Levels;
  readonly time: number;
}

/** `GET /fapi/v1/depth`. */
export function parseDepthSnapshot(input: unknown): WireDepthSnapshot {
  const kind = "depth";
  const raw = objectOf(kind, input);
  return { lastUpdateId: int(kind, raw, "lastUpdateId"), bids: parseLevels(kind, raw.bids), asks: parseLevels(kind, raw.asks), time: raw.T === undefined ? 0 : int(kind, raw, "T") };
}

export interface WireDepthUpdate {
  readonly symbol: string;
  readonly firstId: number;
  readonly lastId: number;
  readonly prevLastId: number;
  readonly bids: Levels;
  readonly asks: Levels;
  readonly time: number;
}

/** A `depthUpdate` event (`U`, `u`, `pu`). */
export function parseDepthUpdate(raw: Raw): WireDepthUpdate {
  const kind = "depth-update";
  return {
    symbol: text(kind, raw, "s", { nonEmpty: true }),
    firstId: int(kind, raw, "U"),
    lastId: int(kind, raw, "u"),
    prevLastId: int(kind, raw, "pu"),
    bids: parseLevels(kind, raw.b),
    asks: parseLevels(kind, raw.a),
    time: int(kind, raw, "E"),
  };
}

export interface WireAggTrade {
  readonly symbol: string;
  readonly price: Dec;
  readonly qty: Dec;
  /** The taker's side (`m`: the buyer was the maker, so the taker sold). */
  readonly side: Side;
  readonly time: number;
}

export function parseAggTrade(raw: Raw): WireAggTrade {
  const kind = "agg-trade";
  return {
    symbol: text(kind, raw, "s", { nonEmpty: true }),
    price: decimal(kind, raw, "p", "positive"),
    qty: decimal(kind, raw, "q", "positive"),
    side: flag(kind, raw, "m") ? "sell" : "buy",
    time: int(kind, raw, "T"),
  };
}

// ---------------------------------------------------------------- instruments

/**
 * Binance's base-tier (VIP 0) USD-M rates: exchangeInfo carries no fees, and the account's own
 * (`/fapi/v1/commissionRate`) need keys that paper trading does not have.
 */
const BASE_MAKER_FEE = tryDec("0.0002")!;
const BASE_TAKER_FEE = tryDec("0.0005")!;
const CONTRACTS: Readonly<Record<string, "perpetual" | "futures">> = { PERPETUAL: "perpetual", CURRENT_QUARTER: "futures", NEXT_QUARTER: "futures" };

/**
 * A `symbols` item of `GET /fapi/v1/exchangeInfo` in trading; undefined for symbols not trading
 * (or of a contract kind hean does not trade). A contract on a multiple of the coin is named by
 * it ("1000PEPEUSDT": a thousand PEPE per unit of quantity).
 */
export function parseInstrument(input: unknown): Instrument | undefined {
  const kind = "instrument";
  const raw = objectOf(kind, input);
  if (raw.status !== "TRADING") return undefined;
  const contract = typeof raw.contractType === "string" ? CONTRACTS[raw.contractType] : undefined;
  if (contract === undefined) return undefined;
  // Margined in another asset (BTCUSDC): not hean's to trade (see untradableListings).
  const margin = typeof raw.marginAsset === "string" ? raw.marginAsset : raw.quoteAsset;
  if (margin !== "USDT") return undefined;
  if (!Array.isArray(raw.filters)) throw protocolError(kind, "filters", raw.filters, "a list");
  const filters = new Map<string, Raw>();
  for (const f of raw.filters) {
    const o = objectOf(kind, f);
    if (typeof o.filterType === "string") filters.set(o.filterType, o);
  }
  const need = (name: string): Raw => {
    const f = filters.get(name);
    if (f === undefined) throw protocolError(kind, "filters", name, `a ${name} filter`);
    return f;
  };
  const price = need("PRICE_FILTER");
  const lot = need("LOT_SIZE");
  const notional = filters.get("MIN_NOTIONAL");
  const band = filters.get("PERCENT_PRICE");
  const baseAsset = text(kind, raw, "baseAsset", { nonEmpty: true });
  const symbol = text(kind, raw, "symbol", { nonEmpty: true });
  const multiple = /^(10+)[A-Z]/.exec(baseAsset)?.[1];
  return {
    symbol,
    baseAsset,
    quoteAsset: text(kind, raw, "quoteAsset", { nonEmpty: true }),
    tickSize: decimal(kind, price, "tickSize", "positive"),
    lotSize: decimal(kind, lot, "stepSize", "positive"),
    minQty: decimal(kind, lot, "minQty", "positive"),
    maxQty: decimal(kind, lot, "maxQty", "positive"),
    minNotional: notional === undefined ? ZERO : decimal(kind, notional, "notional", "non-negative"),
    makerFee: BASE_MAKER_FEE,
    takerFee: BASE_TAKER_FEE,
    contract: { kind: contract, multiplier: tryDec(multiple ?? "1")! },
    ...(band === undefined ? {} : { priceBand: { up: decimal(kind, band, "multiplierUp", "positive"), down: decimal(kind, band, "multiplierDown", "positive") } }),
  };
}

/**
 * The listed symbols hean cannot trade live, each with why: not in trading (a delisting settles,
 * a break), a contract kind it does not trade, or margined in another asset than USDT (Binance's
 * BTCUSDC perpetual is margined and charged in USDC; hean books margin, fees and P&L in USDT).
 */
export function untradableListings(input: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const raw = objectOf("instrument", input);
  for (const item of listOf("instrument", raw.symbols)) {
    if (typeof item !== "object" || item === null) continue;
    const i = item as Raw;
    if (typeof i.symbol !== "string") continue;
    const margin = typeof i.marginAsset === "string" ? i.marginAsset : i.quoteAsset;
    if (i.status !== "TRADING") out.set(i.symbol, `its status is ${String(i.status)}, not TRADING`);
    else if (typeof i.contractType !== "string" || CONTRACTS[i.contractType] === undefined) out.set(i.symbol, `it is a ${String(i.contractType)} contract (hean trades PERPETUAL and quarterly ones)`);
    else if (margin !== "USDT") out.set(i.symbol, `it is margined in ${String(margin)} (hean books margin, fees and P&L in USDT)`);
  }
  return out;
}

/** Every instrument in trading of an exchangeInfo answer. */
export function parseExchangeInfo(input: unknown): Instrument[] {
  const raw = objectOf("instrument", input);
  const out: Instrument[] = [];
  for (const item of listOf("instrument", raw.symbols)) {
    const i = parseInstrument(item);
    if (i !== undefined) out.push(i);
  }
  return out;
}
