/**
 * The matching engine's own vocabulary: requests, results, snapshots and change events.
 * No venue's wire format appears here; each protocol simulator maps these to its own fields.
 */
import type { Dec } from "../../../core/decimal.ts";
import type { Liquidity, Side } from "../../../core/events.ts";

export type SimOrderType = "limit" | "market";
/** Market orders take GTC as IOC; POST_ONLY is for limit orders only. */
export type SimTimeInForce = "GTC" | "IOC" | "FOK" | "POST_ONLY";

export type SimOrderStatus = "new" | "partially-filled" | "filled" | "cancelled";

/** Why an order ended without filling completely. */
export type CancelCause =
  | "user"
  | "cancel-all"
  /** A post-only order that would have crossed (Bybit: EC_PostOnlyWillTakeLiquidity; Binance GTX: expired). */
  | "post-only-would-take"
  /** The unfilled rest of an IOC (or market) order. */
  | "ioc-remainder"
  /** A FOK order the book could not fill completely. */
  | "fok-not-fillable"
  /** A market order that used up all visible depth. */
  | "market-depth-exhausted"
  /** A reduce-only order that could no longer reduce (the position closed or turned). */
  | "reduce-only";

export interface PlaceOrderRequest {
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly qty: Dec;
  /** Required for limit orders; ignored for market orders. */
  readonly price?: Dec | undefined;
  readonly timeInForce: SimTimeInForce;
  readonly reduceOnly?: boolean | undefined;
  readonly clientOrderId?: string | undefined;
}

/** Which order a request means: the venue id wins when both are given. */
export interface OrderRef {
  readonly account: string;
  readonly orderId?: string | undefined;
  readonly clientOrderId?: string | undefined;
  /** When given, the order must be on this symbol. */
  readonly symbol?: string | undefined;
}

export interface AmendOrderRequest extends OrderRef {
  /** New total quantity (including what has filled). */
  readonly qty?: Dec | undefined;
  readonly price?: Dec | undefined;
}

export type RejectCode =
  | "UNKNOWN_ACCOUNT"
  | "UNKNOWN_SYMBOL"
  | "INVALID_SIDE"
  | "INVALID_ORDER_TYPE"
  | "INVALID_TIME_IN_FORCE"
  | "INVALID_CLIENT_ORDER_ID"
  | "DUPLICATE_CLIENT_ORDER_ID"
  | "QTY_NOT_POSITIVE"
  | "QTY_NOT_LOT_MULTIPLE"
  | "QTY_BELOW_MIN"
  | "QTY_ABOVE_MAX"
  | "PRICE_REQUIRED"
  | "PRICE_NOT_POSITIVE"
  | "PRICE_NOT_TICK_MULTIPLE"
  | "NOTIONAL_BELOW_MIN"
  | "MARKET_POST_ONLY"
  | "POST_ONLY_WOULD_TAKE"
  | "REDUCE_ONLY_WOULD_INCREASE"
  | "TOO_MANY_OPEN_ORDERS"
  | "ORDER_NOT_FOUND"
  | "ORDER_NOT_OPEN"
  | "AMEND_NOTHING"
  | "QTY_NOT_ABOVE_FILLED"
  | "INVALID_REQUEST";

export interface Rejection {
  readonly code: RejectCode;
  readonly message: string;
  /** The numbers behind it, as strings (rule, limits, the existing order id of a duplicate, …). */
  readonly details: Readonly<Record<string, string>>;
}

export interface OrderSnapshot {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly timeInForce: SimTimeInForce;
  readonly price: Dec | undefined;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly leavesQty: Dec;
  /** Σ price × qty of the fills, and their average price (undefined before the first fill). */
  readonly filledValue: Dec;
  readonly avgFillPrice: Dec | undefined;
  readonly cumFee: Dec;
  readonly reduceOnly: boolean;
  readonly status: SimOrderStatus;
  readonly cancelCause: CancelCause | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Execution {
  readonly execId: string;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  /** Quote currency; negative is a rebate. */
  readonly fee: Dec;
  readonly feeRate: Dec;
  readonly liquidity: Liquidity;
  /** The order after this execution. */
  readonly orderQty: Dec;
  readonly leavesQty: Dec;
  /** How much of this execution reduced an existing position. */
  readonly closedQty: Dec;
  /** "market" for the synthetic liquidity, else the counterparty account. */
  readonly counterparty: string;
  readonly ts: number;
  /** The engine's cross sequence at this execution. */
  readonly seq: number;
}

export interface PositionSnapshot {
  readonly account: string;
  readonly symbol: string;
  /** Signed: positive long, negative short (one-way mode). */
  readonly qty: Dec;
  /** Average entry price; 0 when flat. */
  readonly avgPrice: Dec;
  /** Realised P&L of this symbol since the account began. */
  readonly realisedPnl: Dec;
  readonly updatedAt: number;
  readonly seq: number;
}

export interface WalletSnapshot {
  readonly account: string;
  /** Starting balance + realised P&L − fees (quote currency). */
  readonly balance: Dec;
  readonly realisedPnl: Dec;
  readonly feesPaid: Dec;
  /** Mark-to-market of open positions (longs at the bid, shorts at the ask). */
  readonly unrealisedPnl: Dec;
  readonly equity: Dec;
  readonly updatedAt: number;
}

export interface PublicLevel {
  readonly price: Dec;
  readonly qty: Dec;
}

export interface BookTop {
  readonly symbol: string;
  readonly bid: PublicLevel | undefined;
  readonly ask: PublicLevel | undefined;
  readonly ts: number;
  /** Counts up by one per public book update of this symbol. */
  readonly updateId: number;
}

export interface DepthSnapshot extends BookTop {
  /** Best first. */
  readonly bids: readonly PublicLevel[];
  readonly asks: readonly PublicLevel[];
}

export interface PublicTrade {
  readonly tradeId: string;
  readonly symbol: string;
  readonly price: Dec;
  readonly qty: Dec;
  readonly aggressor: Side;
  readonly ts: number;
  /** True for trades of the synthetic market alone (no account involved). */
  readonly synthetic: boolean;
  readonly seq: number;
}

export type OrderChange = "created" | "filled" | "amended" | "cancelled" | "restored";

export type EngineEvent =
  | { readonly type: "order"; readonly change: OrderChange; readonly order: OrderSnapshot }
  | { readonly type: "execution"; readonly execution: Execution }
  | { readonly type: "position"; readonly position: PositionSnapshot }
  | { readonly type: "wallet"; readonly wallet: WalletSnapshot }
  | { readonly type: "book"; readonly book: BookTop }
  | { readonly type: "trade"; readonly trade: PublicTrade };

export type EngineListener = (event: EngineEvent) => void;

export type PlaceResult =
  | { readonly ok: true; readonly order: OrderSnapshot; readonly executions: readonly Execution[] }
  | { readonly ok: false; readonly rejection: Rejection };

export type OrderResult =
  | { readonly ok: true; readonly order: OrderSnapshot }
  | { readonly ok: false; readonly rejection: Rejection };

/** A working order put back from a journal (paper restarts). */
export interface RestoreOrderInput {
  readonly account: string;
  /** The venue id it had; a new one is made when absent. */
  readonly orderId?: string | undefined;
  readonly clientOrderId?: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly reduceOnly: boolean;
  readonly timeInForce?: "GTC" | "POST_ONLY" | undefined;
  readonly createdAt?: number | undefined;
}
