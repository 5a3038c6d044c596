/**
 * Bybit's wire objects (REST list items and private stream data) read into exact values.
 * Numbers come from the wire strings through `Dec`, never through floats. Anything malformed
 * reads as undefined: the caller counts it and carries on, it never throws into a socket.
 */
import { type Dec, ZERO, neg, tryDec } from "../../core/decimal.ts";
import type { FillEvent, Side } from "../../core/events.ts";
import type { AccountReport, CashReport, FundingReport } from "../venue.ts";

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
/** Cancellations that are the order's own terms (IOC/FOK remainder): hean calls them expired. */
export const EXPIRY_REASONS: ReadonlySet<string> = new Set(["EC_NoImmediateQtyToFill", "EC_NoEnoughQtyToFill", "EC_CancelForNoFullFill"]);
export const POST_ONLY_WOULD_TAKE = "EC_PostOnlyWillTakeLiquidity";
/** Executions that change a position. Funding, settlement and delivery do not trade. */
const TRADE_EXEC_TYPES: ReadonlySet<string> = new Set(["Trade", "AdlTrade", "BustTrade", "BlockTrade", "MovePosition"]);

type Raw = Record<string, unknown>;

const isRaw = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const decOf = (v: unknown): Dec | undefined => (typeof v === "string" && v !== "" ? tryDec(v) : undefined);
const msOf = (v: unknown): number | undefined => {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^\d{1,16}$/.test(v)) return Number(v);
  return undefined;
};
const sideOf = (v: unknown): Side | undefined => (v === "Buy" ? "buy" : v === "Sell" ? "sell" : undefined);

export function readOrder(raw: unknown): WireOrder | undefined {
  if (!isRaw(raw)) return undefined;
  const orderId = str(raw.orderId);
  const symbol = str(raw.symbol);
  const side = sideOf(raw.side);
  const qty = decOf(raw.qty);
  const cumExecQty = decOf(raw.cumExecQty) ?? ZERO;
  const orderStatus = str(raw.orderStatus);
  if (orderId === undefined || orderId === "" || symbol === undefined || side === undefined || qty === undefined || orderStatus === undefined) return undefined;
  const price = decOf(raw.price);
  return {
    orderId,
    orderLinkId: str(raw.orderLinkId) ?? "",
    symbol,
    side,
    orderType: raw.orderType === "Market" ? "market" : "limit",
    qty,
    price: price === undefined || price === ZERO ? undefined : price,
    cumExecQty,
    orderStatus,
    cancelType: str(raw.cancelType) ?? "",
    rejectReason: str(raw.rejectReason) ?? "",
    timeInForce: str(raw.timeInForce) ?? "",
    reduceOnly: raw.reduceOnly === true,
    updatedTime: msOf(raw.updatedTime) ?? 0,
  };
}

/** An execution that traded (qty and price positive); undefined for funding and malformed items. */
export function readExecution(raw: unknown): WireExecution | undefined {
  if (!isRaw(raw)) return undefined;
  const execType = str(raw.execType) ?? "Trade";
  if (!TRADE_EXEC_TYPES.has(execType)) return undefined;
  const execId = str(raw.execId);
  const symbol = str(raw.symbol);
  const side = sideOf(raw.side);
  const execPrice = decOf(raw.execPrice);
  const execQty = decOf(raw.execQty);
  const execTime = msOf(raw.execTime);
  if (execId === undefined || execId === "" || symbol === undefined || side === undefined) return undefined;
  if (execPrice === undefined || execQty === undefined || execTime === undefined || execPrice <= 0n || execQty <= 0n) return undefined;
  let fee = decOf(raw.execFee) ?? ZERO;
  const feeCurrency = str(raw.feeCurrency);
  if (Array.isArray(raw.extraFees)) {
    for (const extra of raw.extraFees) {
      if (!isRaw(extra)) continue;
      const amount = decOf(extra.fee);
      const coin = str(extra.feeCoin);
      if (amount !== undefined && (feeCurrency === undefined || feeCurrency === "" || coin === feeCurrency)) fee = (fee + amount) as Dec;
    }
  }
  return {
    execId,
    orderId: str(raw.orderId) ?? "",
    orderLinkId: str(raw.orderLinkId) ?? "",
    symbol,
    side,
    execPrice,
    execQty,
    fee,
    isMaker: raw.isMaker === true,
    execTime,
    execType,
  };
}

/** REST (`avgPrice`) and stream (`entryPrice`) positions; one-way mode (positionIdx 0) only. */
export function readPosition(raw: unknown): WirePosition | undefined {
  if (!isRaw(raw)) return undefined;
  const symbol = str(raw.symbol);
  const size = decOf(raw.size);
  if (symbol === undefined || size === undefined) return undefined;
  if (raw.positionIdx !== undefined && raw.positionIdx !== 0 && raw.positionIdx !== "0") return undefined;
  const signed = raw.side === "Sell" ? neg(size) : raw.side === "Buy" ? size : ZERO;
  const seqRaw = raw.seq;
  return {
    symbol,
    size: signed,
    avgPrice: decOf(raw.avgPrice) ?? decOf(raw.entryPrice) ?? ZERO,
    markPrice: decOf(raw.markPrice),
    seq: typeof seqRaw === "number" && Number.isFinite(seqRaw) ? seqRaw : typeof seqRaw === "string" && /^-?\d+$/.test(seqRaw) ? Number(seqRaw) : 0,
  };
}

/** The USDT coin of a wallet-balance list item (REST) or wallet message item (stream). */
export function readWallet(raw: unknown, coin = "USDT"): WireWallet | undefined {
  if (!isRaw(raw) || !Array.isArray(raw.coin)) return undefined;
  for (const c of raw.coin) {
    if (!isRaw(c) || c.coin !== coin) continue;
    const walletBalance = decOf(c.walletBalance);
    if (walletBalance === undefined) return undefined;
    return {
      walletBalance,
      equity: decOf(c.equity),
      available: decOf(raw.totalAvailableBalance),
      initialMargin: decOf(raw.totalInitialMargin),
      maintenanceMargin: decOf(raw.totalMaintenanceMargin),
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
 * received; `execPrice` the mark, `execQty` the position, `side` its side, `feeRate` the rate).
 */
export function readFunding(raw: unknown): FundingReport | undefined {
  if (!isRaw(raw) || raw.execType !== "Funding") return undefined;
  const fundingId = str(raw.execId);
  const symbol = str(raw.symbol);
  const side = sideOf(raw.side);
  const paid = decOf(raw.execFee);
  const qty = decOf(raw.execQty);
  const markPrice = decOf(raw.execPrice) ?? decOf(raw.markPrice);
  const venueTs = msOf(raw.execTime);
  if (fundingId === undefined || fundingId === "" || symbol === undefined || symbol === "" || side === undefined) return undefined;
  if (paid === undefined || qty === undefined || markPrice === undefined || venueTs === undefined) return undefined;
  return { fundingId, symbol, paid, rate: decOf(raw.feeRate) ?? ZERO, positionQty: side === "buy" ? qty : neg(qty), markPrice, venueTs };
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

/** A `/v5/account/transaction-log` item that is a cash adjustment (by `change`), else undefined. */
export function readCashEntry(raw: unknown): CashReport | undefined {
  if (!isRaw(raw)) return undefined;
  const type = str(raw.type);
  const reason = type === undefined ? undefined : CASH_ENTRY_TYPES[type];
  const adjustmentId = str(raw.id);
  const amount = decOf(raw.change);
  const venueTs = msOf(raw.transactionTime);
  if (reason === undefined || adjustmentId === undefined || adjustmentId === "" || amount === undefined || venueTs === undefined) return undefined;
  return { adjustmentId, amount, reason, detail: type!, venueTs };
}

/** `result.list` of a REST answer, with its cursor. */
export function readList(result: unknown): { readonly list: readonly unknown[]; readonly cursor: string } {
  if (!isRaw(result) || !Array.isArray(result.list)) return { list: [], cursor: "" };
  return { list: result.list, cursor: str(result.nextPageCursor) ?? "" };
}

/** Order book levels `[[price, size], …]`; undefined when any level is malformed. */
export function readLevels(raw: unknown): [Dec, Dec][] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: [Dec, Dec][] = [];
  for (const level of raw) {
    if (!Array.isArray(level) || level.length < 2) return undefined;
    const price = decOf(level[0]);
    const size = typeof level[1] === "string" ? tryDec(level[1]) : undefined;
    if (price === undefined || size === undefined || price <= 0n || size < 0n) return undefined;
    out.push([price, size]);
  }
  return out;
}

/** hean's fill event for one Bybit execution; `clientOrderId` undefined adopts it as external. */
export function fillEventOf(e: WireExecution, ts: number, clientOrderId: string | undefined, source: FillEvent["source"]): FillEvent {
  return {
    type: "order.filled",
    ts,
    fillId: e.execId,
    clientOrderId,
    venueOrderId: e.orderId,
    symbol: e.symbol,
    side: e.side,
    price: e.execPrice,
    qty: e.execQty,
    fee: e.fee,
    liquidity: e.isMaker ? "maker" : "taker",
    venueTs: e.execTime,
    source,
  };
}
