/**
 * Bybit's wire objects (REST list items and private stream data) read into exact values.
 * Numbers come from the wire strings through `Dec`, never through floats. Anything malformed
 * reads as undefined: the caller counts it and carries on, it never throws into a socket.
 */
import { type Dec, ZERO, neg, tryDec } from "../../core/decimal.ts";
import type { Side } from "../../core/events.ts";
import type { FillReport, OrderStatusReport, PositionStatusReport, VenueOrderStatus, WalletReport } from "../venue.ts";

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
    return { walletBalance, equity: decOf(c.equity) };
  }
  return undefined;
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
  return { symbol: p.symbol, qty: p.size, avgPrice: p.avgPrice, markPrice: p.markPrice, seq: p.seq };
}

export function walletReportOf(w: WireWallet): WalletReport {
  return { balance: w.walletBalance, equity: w.equity };
}
