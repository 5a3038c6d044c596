/**
 * Bybit's wire objects (REST list items and private stream data) read into exact values.
 *
 * The `parse…` functions are the strict boundary: a field of the wrong type, a number where Bybit
 * sends a decimal string, a value that is not a plain decimal, an unknown enum value or a missing
 * field throws `VENUE_PROTOCOL` naming the kind and the field; nothing is coerced or defaulted
 * into a wrong number. Numbers come from the wire strings through `Dec`, never through floats
 * (a book level's price is keyed by a float64 only where that is exact: see `decKey`).
 * The `read…` forms return undefined instead, for callers that count and carry on.
 * `checkAnswer` holds a whole REST answer to the same rules before anyone reads it.
 */
import { type Dec, ZERO, neg, tryDec } from "../../core/decimal.ts";
import { isHeanError } from "../../core/errors.ts";
import type { Side } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import { type Levels, type WireLevel, priceKey, sizeKey } from "../live/level-book.ts";
import { type Raw, wireFields } from "../live/wire-fields.ts";
import type { AccountReport, CashReport, FillReport, FundingReport, OrderStatusReport, PositionStatusReport } from "../venue.ts";
import type { VenueOrderStatus } from "../../execution/venue-port.ts";

export interface WireOrder {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: "limit" | "market";
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly cumExecQty: Dec;
  readonly orderStatus: string;
  readonly cancelType: string;
  readonly rejectReason: string;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly updatedTime: number;
}

export interface WireExecution {
  readonly execId: string;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly execPrice: Dec;
  readonly execQty: Dec;
  /** execFee plus any extra fees charged in the fee currency (positive paid, negative rebate). */
  readonly fee: Dec;
  readonly isMaker: boolean;
  readonly execTime: number;
  readonly execType: string;
}

export interface WirePosition {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly size: Dec;
  readonly avgPrice: Dec;
  readonly markPrice: Dec | undefined;
  readonly seq: number;
  /** The position's stop-loss ("0" or "" at Bybit when none). */
  readonly stopLoss: Dec | undefined;
}

export interface WireWallet {
  readonly walletBalance: Dec;
  readonly equity: Dec | undefined;
  /** Account-level (UTA): `totalAvailableBalance`, `totalInitialMargin`, `totalMaintenanceMargin`. */
  readonly available: Dec | undefined;
  readonly initialMargin: Dec | undefined;
  readonly maintenanceMargin: Dec | undefined;
}

export const OPEN_STATUSES: ReadonlySet<string> = new Set(["New", "PartiallyFilled", "Untriggered"]);
/** Statuses that end an order without (more) fills. Fills, if any, travel as executions. */
export const CANCEL_STATUSES: ReadonlySet<string> = new Set(["Cancelled", "PartiallyFilledCanceled", "Deactivated"]);
/** Every order status Bybit documents; anything else is not understood (never read as open). */
const ORDER_STATUSES: ReadonlySet<string> = new Set([...OPEN_STATUSES, ...CANCEL_STATUSES, "Filled", "Rejected", "Triggered"]);
/** Cancellations that are the order's own terms (IOC/FOK remainder): hean calls them expired. */
export const EXPIRY_REASONS: ReadonlySet<string> = new Set(["EC_NoImmediateQtyToFill", "EC_NoEnoughQtyToFill", "EC_CancelForNoFullFill"]);
export const POST_ONLY_WOULD_TAKE = "EC_PostOnlyWillTakeLiquidity";
/** Executions that change a position. Funding, settlement and delivery do not trade. */
const TRADE_EXEC_TYPES: ReadonlySet<string> = new Set(["Trade", "AdlTrade", "BustTrade", "BlockTrade", "MovePosition"]);
/**
 * Documented executions that do not trade a linear position. An execType outside both sets may
 * be a fill hean would miss: it is a protocol error, never silently skipped.
 */
const NON_TRADE_EXEC_TYPES: ReadonlySet<string> = new Set(["Funding", "Settle", "Delivery", "FutureSpread", "CorporateAction", "UNKNOWN"]);

/** What a malformed message was, for the error and the metric's `kind` label. */
export type WireKind = "envelope" | "order" | "execution" | "position" | "wallet" | "ledger" | "list" | "order-ack" | "time" | "book" | "trade" | "frame" | "instrument";

const fields = wireFields<WireKind>("Bybit");
export const { protocolError } = fields;
const { objectOf, text, decimal, flag } = fields;

/** Epoch milliseconds: Bybit sends them as digit strings in REST and as integers on streams. */
function millis(kind: WireKind, raw: Raw, field: string): number {
  const v = raw[field];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^\d{1,15}$/.test(v)) return Number(v);
  throw protocolError(kind, field, v, "epoch milliseconds");
}

function side(kind: WireKind, raw: Raw, field = "side"): Side {
  const v = raw[field];
  if (v === "Buy") return "buy";
  if (v === "Sell") return "sell";
  throw protocolError(kind, field, v, `"Buy" or "Sell"`);
}

/** A safe integer sent as a number or a digit string (sequence numbers, position index). */
function integer(kind: WireKind, raw: Raw, field: string, absent: number): number {
  const v = raw[field];
  if (v === undefined) return absent;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^-?\d{1,15}$/.test(v)) return Number(v);
  throw protocolError(kind, field, v, "an integer");
}

/** Returns undefined where `parse` throws `VENUE_PROTOCOL`. */
function tolerant<A extends unknown[], T>(parse: (...args: A) => T): (...args: A) => T | undefined {
  return (...args) => {
    try {
      return parse(...args);
    } catch (e) {
      if (isHeanError(e, "VENUE_PROTOCOL")) return undefined;
      throw e;
    }
  };
}

export function parseOrder(input: unknown): WireOrder {
  const kind = "order";
  const raw = objectOf(kind, input);
  const orderStatus = text(kind, raw, "orderStatus");
  if (!ORDER_STATUSES.has(orderStatus)) throw protocolError(kind, "orderStatus", orderStatus, "a known order status");
  const orderType = raw.orderType;
  if (orderType !== "Market" && orderType !== "Limit") throw protocolError(kind, "orderType", orderType, `"Limit" or "Market"`);
  // Market orders carry price "0" (or ""): no limit price.
  const price = decimal(kind, raw, "price", "non-negative", { is: ZERO, absent: true });
  return {
    orderId: text(kind, raw, "orderId", { nonEmpty: true }),
    orderLinkId: text(kind, raw, "orderLinkId", { optional: true }),
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    side: side(kind, raw),
    orderType: orderType === "Market" ? "market" : "limit",
    qty: decimal(kind, raw, "qty", "positive"),
    price: price === ZERO ? undefined : price,
    cumExecQty: decimal(kind, raw, "cumExecQty", "non-negative"),
    orderStatus,
    cancelType: text(kind, raw, "cancelType", { optional: true }),
    rejectReason: text(kind, raw, "rejectReason", { optional: true }),
    timeInForce: text(kind, raw, "timeInForce", { optional: true }),
    reduceOnly: flag(kind, raw, "reduceOnly"),
    updatedTime: millis(kind, raw, "updatedTime"),
  };
}

/** An execution that traded; undefined for a documented non-trade (funding, settlement…). */
export function parseExecution(input: unknown): WireExecution | undefined {
  const kind = "execution";
  const raw = objectOf(kind, input);
  const execType = text(kind, raw, "execType", { nonEmpty: true });
  if (NON_TRADE_EXEC_TYPES.has(execType)) return undefined;
  if (!TRADE_EXEC_TYPES.has(execType)) throw protocolError(kind, "execType", execType, "a known execution type");
  const feeCurrency = text(kind, raw, "feeCurrency", { optional: true });
  let fee = decimal(kind, raw, "execFee", "any");
  // REST sends "" when there are none, streams an array.
  const extras = raw.extraFees;
  if (Array.isArray(extras)) {
    for (const item of extras) {
      const extra = objectOf(kind, item);
      const amount = decimal(kind, extra, "fee", "any");
      const coin = text(kind, extra, "feeCoin");
      if (feeCurrency === "" || coin === feeCurrency) fee = (fee + amount) as Dec;
    }
  } else if (extras !== undefined && extras !== "") {
    throw protocolError(kind, "extraFees", extras, "a list of fees");
  }
  return {
    execId: text(kind, raw, "execId", { nonEmpty: true }),
    orderId: text(kind, raw, "orderId"),
    orderLinkId: text(kind, raw, "orderLinkId", { optional: true }),
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    side: side(kind, raw),
    execPrice: decimal(kind, raw, "execPrice", "positive"),
    execQty: decimal(kind, raw, "execQty", "positive"),
    fee,
    isMaker: flag(kind, raw, "isMaker"),
    execTime: millis(kind, raw, "execTime"),
    execType,
  };
}

/** REST (`avgPrice`) and stream (`entryPrice`) positions; undefined outside one-way mode (positionIdx 0). */
export function parsePosition(input: unknown): WirePosition | undefined {
  const kind = "position";
  const raw = objectOf(kind, input);
  const symbol = text(kind, raw, "symbol", { nonEmpty: true });
  const idx = integer(kind, raw, "positionIdx", 0);
  if (idx !== 0 && idx !== 1 && idx !== 2) throw protocolError(kind, "positionIdx", raw.positionIdx, "0, 1 or 2");
  if (idx !== 0) return undefined;
  const size = decimal(kind, raw, "size", "non-negative");
  const s = raw.side;
  // A flat position says side "" (or "None"); a position with size must say which way.
  if (s !== "Buy" && s !== "Sell" && !((s === "" || s === "None") && size === ZERO)) throw protocolError(kind, "side", s, `"Buy" or "Sell" (or "" when flat)`);
  const priceField = raw.avgPrice !== undefined ? "avgPrice" : "entryPrice";
  return {
    symbol,
    size: s === "Sell" ? neg(size) : size,
    avgPrice: decimal(kind, raw, priceField, "non-negative", { is: ZERO, absent: size === ZERO }),
    markPrice: decimal(kind, raw, "markPrice", "non-negative", { is: undefined, absent: true }),
    seq: integer(kind, raw, "seq", 0),
    stopLoss: nonZero(decimal(kind, raw, "stopLoss", "non-negative", { is: undefined, absent: true })),
  };
}

const nonZero = (d: Dec | undefined): Dec | undefined => (d === ZERO ? undefined : d);

/**
 * The `coin` of a wallet-balance list item (REST) or wallet message item (stream), with the
 * account's margin figures (UTA: `totalAvailableBalance`, `totalInitialMargin`,
 * `totalMaintenanceMargin`; blank where Bybit says they do not apply); undefined when the coin is
 * not held.
 */
export function parseWallet(input: unknown, coin = "USDT"): WireWallet | undefined {
  const kind = "wallet";
  const raw = objectOf(kind, input);
  if (!Array.isArray(raw.coin)) throw protocolError(kind, "coin", raw.coin, "a list of coins");
  for (const item of raw.coin) {
    const c = objectOf(kind, item);
    if (text(kind, c, "coin") !== coin) continue;
    return {
      walletBalance: decimal(kind, c, "walletBalance", "any"),
      equity: decimal(kind, c, "equity", "any", { is: undefined, absent: true }),
      available: decimal(kind, raw, "totalAvailableBalance", "any", { is: undefined }),
      initialMargin: decimal(kind, raw, "totalInitialMargin", "non-negative", { is: undefined }),
      maintenanceMargin: decimal(kind, raw, "totalMaintenanceMargin", "non-negative", { is: undefined }),
    };
  }
  return undefined;
}

/** The venue-neutral account report of a wallet; undefined when a figure the engine books is missing. */
export function accountReportOf(w: WireWallet, venueTs: number): AccountReport | undefined {
  const { equity, available, initialMargin, maintenanceMargin } = w;
  if (equity === undefined || available === undefined || initialMargin === undefined || maintenanceMargin === undefined) return undefined;
  return { walletBalance: w.walletBalance, equity, available, initialMargin, maintenanceMargin, venueTs };
}

/**
 * A funding settlement: an execution with `execType: "Funding"` (`execFee` positive paid, negative
 * received; `execPrice` the mark, `execQty` the position, `side` its side, `feeRate` the rate);
 * undefined for any other execution.
 */
export function parseFunding(input: unknown): FundingReport | undefined {
  const kind = "execution";
  const raw = objectOf(kind, input);
  if (text(kind, raw, "execType", { nonEmpty: true }) !== "Funding") return undefined;
  const qty = decimal(kind, raw, "execQty", "positive");
  return {
    fundingId: text(kind, raw, "execId", { nonEmpty: true }),
    symbol: text(kind, raw, "symbol", { nonEmpty: true }),
    paid: decimal(kind, raw, "execFee", "any"),
    rate: decimal(kind, raw, "feeRate", "any"),
    positionQty: side(kind, raw) === "buy" ? qty : neg(qty),
    markPrice: decimal(kind, raw, "execPrice", "positive"),
    venueTs: millis(kind, raw, "execTime"),
  };
}

/**
 * Transaction-log entries that move cash without a trade or funding (those are booked from
 * executions). Anything else in the log is not a cash adjustment.
 */
const CASH_ENTRY_TYPES: Readonly<Record<string, CashReport["reason"]>> = {
  TRANSFER_IN: "transfer",
  TRANSFER_OUT: "transfer",
  BONUS: "venue",
  BONUS_RECOLLECT: "venue",
  FEE_REFUND: "venue",
  INTEREST: "venue",
  AIRDROP: "venue",
};

/**
 * What says whether a ledger entry of a symbol (a trade, a settlement, …) is someone else's
 * trading on the account: a symbol hean neither trades nor holds, a trade it did not book.
 */
export type UntradedEntry = (entry: { readonly symbol: string; readonly tradeId: string }) => boolean;

/**
 * The adjustment id of an untraded entry that has a `tradeId` (the execId of its trade or funding
 * settlement: one entry each), so that the execution, if a later search finds it (the symbol
 * traded after a restart), is known as booked already.
 */
export const untradedAdjustmentId = (execId: string): string => `untraded-${execId}`;

/**
 * A `/v5/account/transaction-log` item that is a cash adjustment (by `change`, what it moved the
 * wallet by: `cashFlow + funding - fee`): a transfer, bonus or refund; and, when `untraded` says
 * so, an entry of a symbol (a `TRADE`, a funding `SETTLEMENT`, …) of trading hean books nowhere
 * else (reason `untraded`). Undefined for the rest (hean's own trades and funding are booked from
 * executions: only their type, symbol and tradeId are read).
 */
export function parseCashEntry(input: unknown, untraded?: UntradedEntry): CashReport | undefined {
  const kind = "ledger";
  const raw = objectOf(kind, input);
  const type = text(kind, raw, "type", { nonEmpty: true });
  const reason = Object.hasOwn(CASH_ENTRY_TYPES, type) ? CASH_ENTRY_TYPES[type] : undefined;
  if (reason === undefined) {
    if (untraded === undefined) return undefined;
    const symbol = text(kind, raw, "symbol", { optional: true });
    const tradeId = text(kind, raw, "tradeId", { optional: true });
    if (symbol === "" || !untraded({ symbol, tradeId })) return undefined;
    return cashEntry(kind, raw, "untraded", `${type} ${symbol}`, tradeId === "" ? undefined : untradedAdjustmentId(tradeId));
  }
  return cashEntry(kind, raw, reason, type);
}

function cashEntry(kind: WireKind, raw: Raw, reason: CashReport["reason"], detail: string, adjustmentId?: string): CashReport {
  const id = text(kind, raw, "id", { nonEmpty: true });
  return {
    adjustmentId: adjustmentId ?? id,
    amount: decimal(kind, raw, "change", "any"),
    reason,
    detail,
    venueTs: millis(kind, raw, "transactionTime"),
  };
}

const CONTRACT_KINDS: Readonly<Record<string, "perpetual" | "futures">> = { LinearPerpetual: "perpetual", LinearFutures: "futures" };
/**
 * Bybit's base-tier (VIP 0) linear rates: instruments-info carries no fees, and the account's own
 * rates (`/v5/account/fee-rate`) need keys that paper trading does not have.
 */
const BASE_MAKER_FEE = tryDec("0.0002")!;
const BASE_TAKER_FEE = tryDec("0.00055")!;

/**
 * An item of `GET /v5/market/instruments-info?category=linear`. A contract on a multiple of the
 * coin is named by it ("1000PEPE": a thousand PEPE per unit of quantity).
 */
export function parseInstrument(input: unknown): Instrument {
  const kind = "instrument";
  const raw = objectOf(kind, input);
  const symbol = text(kind, raw, "symbol", { nonEmpty: true });
  const contractType = raw.contractType;
  const contract = typeof contractType === "string" ? CONTRACT_KINDS[contractType] : undefined;
  if (contract === undefined) throw protocolError(kind, "contractType", contractType, `"LinearPerpetual" or "LinearFutures"`);
  const baseAsset = text(kind, raw, "baseCoin", { nonEmpty: true });
  const price = objectOf(kind, raw.priceFilter);
  const lot = objectOf(kind, raw.lotSizeFilter);
  const multiple = /^(10+)[A-Z]/.exec(baseAsset)?.[1];
  return {
    symbol,
    baseAsset,
    quoteAsset: text(kind, raw, "quoteCoin", { nonEmpty: true }),
    tickSize: decimal(kind, price, "tickSize", "positive"),
    lotSize: decimal(kind, lot, "qtyStep", "positive"),
    minQty: decimal(kind, lot, "minOrderQty", "positive"),
    maxQty: decimal(kind, lot, "maxOrderQty", "positive"),
    minNotional: decimal(kind, lot, "minNotionalValue", "non-negative"),
    makerFee: BASE_MAKER_FEE,
    takerFee: BASE_TAKER_FEE,
    contract: { kind: contract, multiplier: tryDec(multiple ?? "1")! },
  };
}

/** `result.list` of a REST answer, with its cursor. */
export function parseList(result: unknown): { readonly list: readonly unknown[]; readonly cursor: string } {
  const raw = objectOf("list", result);
  if (!Array.isArray(raw.list)) throw protocolError("list", "list", raw.list, "a list");
  return { list: raw.list, cursor: text("list", raw, "nextPageCursor", { optional: true }) };
}

/**
 * Order book levels `[[price, size], …]`: prices positive, sizes non-negative (0 deletes). Checked
 * and keyed here, before anything is applied, but kept as the wire's strings: the book builds
 * exact decimals only for its top.
 */
export function parseLevels(input: unknown): Levels {
  if (!Array.isArray(input)) throw protocolError("book", "b/a", input, "a list of levels");
  // Sized up front: growing it by push costs more than the checks.
  const keys = new Array<number>(2 * input.length);
  for (let i = 0; i < input.length; i++) {
    const level: unknown = input[i];
    if (!Array.isArray(level) || level.length !== 2) throw protocolError("book", "level", level, "[price, size]");
    const p = priceKey(level[0]);
    if (p === undefined) throw protocolError("book", "price", level[0], "a positive plain decimal string");
    const q = sizeKey(level[1]);
    if (q === undefined) throw protocolError("book", "size", level[1], "a non-negative plain decimal string");
    keys[2 * i] = p;
    keys[2 * i + 1] = q;
  }
  return { levels: input as WireLevel[], keys };
}

export interface WireBook {
  readonly type: "snapshot" | "delta";
  readonly u: number;
  readonly bids: Levels;
  readonly asks: Levels;
  /** The venue's time of the message (ms). */
  readonly ts: number;
}

/** An `orderbook.{depth}.{symbol}` message: a snapshot or a delta with its update id `u`. */
export function parseBook(message: unknown): WireBook {
  const kind = "book";
  const raw = objectOf(kind, message);
  const type = raw.type;
  if (type !== "snapshot" && type !== "delta") throw protocolError(kind, "type", type, `"snapshot" or "delta"`);
  const data = objectOf(kind, raw.data);
  const u = integer(kind, data, "u", -1);
  if (u < 1) throw protocolError(kind, "u", data.u, "a positive integer");
  return { type, u, bids: parseLevels(data.b), asks: parseLevels(data.a), ts: millis(kind, raw, "ts") };
}

export interface WireTrade {
  readonly symbol: string;
  /** The taker's side. */
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  readonly time: number;
}

/** One item of a `publicTrade.{symbol}` message. */
export function parseTrade(item: unknown): WireTrade {
  const kind = "trade";
  const raw = objectOf(kind, item);
  return {
    symbol: text(kind, raw, "s", { nonEmpty: true }),
    side: side(kind, raw, "S"),
    price: decimal(kind, raw, "p", "positive"),
    qty: decimal(kind, raw, "v", "positive"),
    time: millis(kind, raw, "T"),
  };
}

export const readOrder = tolerant(parseOrder);
/** An execution that traded (qty and price positive); undefined for funding and malformed items. */
export const readExecution = tolerant(parseExecution);
export const readPosition = tolerant(parsePosition);
export const readWallet = tolerant(parseWallet);
/** A funding settlement; undefined for other executions and malformed items. */
export const readFunding = tolerant(parseFunding);
export const readCashEntry = tolerant(parseCashEntry);
export const readLevels = tolerant(parseLevels);

/** `result.list` of a REST answer, with its cursor; empty when malformed (`checkAnswer` refuses those first). */
export function readList(result: unknown): { readonly list: readonly unknown[]; readonly cursor: string } {
  return tolerant(parseList)(result) ?? { list: [], cursor: "" };
}

export interface Envelope {
  readonly retCode: number;
  readonly retMsg: string;
  readonly result: unknown;
  /** The server's clock when it answered (ms). */
  readonly time?: number;
}

/** A REST body: `{retCode, retMsg, result, time}`, retCode and time integers (time drives the clock offset). */
export function parseEnvelope(body: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw protocolError("envelope", "(body)", body, "JSON");
  }
  const raw = objectOf("envelope", parsed);
  const retCode = raw.retCode;
  if (typeof retCode !== "number" || !Number.isSafeInteger(retCode) || retCode < 0) throw protocolError("envelope", "retCode", retCode, "a non-negative integer");
  const retMsg = text("envelope", raw, "retMsg", { optional: true });
  if (raw.time === undefined) return { retCode, retMsg, result: raw.result };
  if (typeof raw.time !== "number" || !Number.isSafeInteger(raw.time) || raw.time <= 0) throw protocolError("envelope", "time", raw.time, "epoch milliseconds");
  return { retCode, retMsg, result: raw.result, time: raw.time };
}

/** How each REST path's `result` must look; every item of a list is parsed in full. */
const ANSWERS: Readonly<Record<string, (result: unknown) => void>> = {
  "/v5/order/create": ack,
  "/v5/order/cancel": ack,
  "/v5/order/realtime": (r) => eachItem(r, parseOrder),
  "/v5/order/history": (r) => eachItem(r, parseOrder),
  "/v5/execution/list": (r) => eachItem(r, (item) => parseExecution(item) ?? parseFunding(item)),
  "/v5/position/list": (r) => eachItem(r, parsePosition),
  "/v5/account/wallet-balance": (r) => eachItem(r, parseWallet),
  "/v5/account/transaction-log": (r) => eachItem(r, parseCashEntry),
  "/v5/market/instruments-info": (r) => eachItem(r, parseInstrument),
  "/v5/market/time": (r) => {
    const raw = objectOf("time", r);
    if (typeof raw.timeSecond !== "string" || !/^\d{1,12}$/.test(raw.timeSecond)) throw protocolError("time", "timeSecond", raw.timeSecond, "epoch seconds");
  },
};

function ack(result: unknown): void {
  text("order-ack", objectOf("order-ack", result), "orderId", { nonEmpty: true });
}

function eachItem(result: unknown, parse: (item: unknown) => unknown): void {
  for (const item of parseList(result).list) parse(item);
}

/**
 * Throws `VENUE_PROTOCOL` unless a successful answer's `result` has the shape its path promises.
 * A half-read answer is never taken as "nothing there": an open order or a position skipped as
 * unreadable would look closed or flat.
 */
export function checkAnswer(path: string, result: unknown): void {
  ANSWERS[path]?.(result);
}

// ---------------------------------------------------------------- venue-neutral reports

function statusOf(o: WireOrder): VenueOrderStatus | "pending" {
  if (o.orderStatus === "PartiallyFilled") return "partially-filled";
  if (OPEN_STATUSES.has(o.orderStatus)) return "open";
  if (o.orderStatus === "Filled") return "filled";
  if (o.orderStatus === "Rejected") return "rejected";
  if (CANCEL_STATUSES.has(o.orderStatus)) return EXPIRY_REASONS.has(o.rejectReason) ? "expired" : "cancelled";
  // Created (not yet through the matching engine), conditional states: it exists, nothing more.
  return "pending";
}

function reasonOf(o: WireOrder): string {
  const parts = [o.orderStatus, o.cancelType !== "" && o.cancelType !== "UNKNOWN" ? o.cancelType : "", o.rejectReason !== "" && o.rejectReason !== "EC_NoError" ? o.rejectReason : ""];
  return parts.filter((p) => p !== "").join(": ");
}

export function orderReportOf(o: WireOrder): OrderStatusReport {
  return {
    clientOrderId: o.orderLinkId === "" ? undefined : o.orderLinkId,
    venueOrderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    qty: o.qty,
    filledQty: o.cumExecQty,
    price: o.price,
    reduceOnly: o.reduceOnly,
    status: statusOf(o),
    postOnlyWouldTake: o.rejectReason === POST_ONLY_WOULD_TAKE,
    reason: reasonOf(o),
    rejectCode: `BYBIT_${o.rejectReason || "Rejected"}`,
  };
}

export function fillReportOf(e: WireExecution): FillReport {
  return {
    fillId: e.execId,
    venueOrderId: e.orderId,
    clientOrderId: e.orderLinkId,
    symbol: e.symbol,
    side: e.side,
    price: e.execPrice,
    qty: e.execQty,
    fee: e.fee,
    liquidity: e.isMaker ? "maker" : "taker",
    venueTs: e.execTime,
  };
}

export function positionReportOf(p: WirePosition): PositionStatusReport {
  return { symbol: p.symbol, qty: p.size, avgPrice: p.avgPrice, markPrice: p.markPrice, seq: p.seq, stopLoss: p.stopLoss };
}
