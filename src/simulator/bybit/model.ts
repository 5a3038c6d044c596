/**
 * What the Bybit protocol layer reads from the exchange behind it, in exact numbers and Bybit's
 * own enum words. The backend adapter (backend.ts) builds these from the sim matching engine; the
 * wire mappers (wire-*.ts) turn them into Bybit's JSON shapes.
 */
import type { Dec } from "../../core/decimal.ts";

export type BybitSide = "Buy" | "Sell";
export type BybitOrderType = "Limit" | "Market";
export type BybitTimeInForce = "GTC" | "IOC" | "FOK" | "PostOnly";
export type BybitOrderStatus = "New" | "PartiallyFilled" | "Filled" | "Cancelled" | "Rejected";

export interface OrderView {
  readonly accountId: string;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  readonly side: BybitSide;
  readonly orderType: BybitOrderType;
  /** Undefined for market orders. */
  readonly price: Dec | undefined;
  readonly qty: Dec;
  readonly timeInForce: BybitTimeInForce;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  readonly orderStatus: BybitOrderStatus;
  /** "UNKNOWN" unless cancelled for a listed cause ("CancelByUser", "CancelByReduceOnly", …). */
  readonly cancelType: string;
  /** "EC_NoError" unless refused ("EC_PostOnlyWillTakeLiquidity", …). */
  readonly rejectReason: string;
  readonly cumExecQty: Dec;
  readonly cumExecValue: Dec;
  readonly cumExecFee: Dec;
  readonly closedPnl: Dec;
  readonly lastPriceOnCreated: Dec | undefined;
  readonly createdTime: number;
  readonly updatedTime: number;
  /** When the simulator received the request (ms). */
  readonly receivedAt: number;
}

/** `Funding`: a funding settlement of a position (at the mark, `feeRate` is the funding rate). */
export type BybitExecType = "Trade" | "Funding";

export interface ExecutionView {
  readonly accountId: string;
  readonly execId: string;
  readonly execType: BybitExecType;
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  /** For funding: the position's side. */
  readonly side: BybitSide;
  /** `UNKNOWN` for funding (no order). */
  readonly orderType: BybitOrderType | "UNKNOWN";
  readonly orderPrice: Dec | undefined;
  readonly orderQty: Dec;
  /** What the order still had open after this fill. */
  readonly leavesQty: Dec;
  readonly execPrice: Dec;
  readonly execQty: Dec;
  readonly execValue: Dec;
  /** Positive is paid; negative a rebate. */
  readonly execFee: Dec;
  readonly feeRate: Dec;
  readonly isMaker: boolean;
  readonly execTime: number;
  /** How much of the fill closed an existing position. */
  readonly closedSize: Dec;
  readonly execPnl: Dec;
  readonly markPrice: Dec;
  readonly seq: number;
}

export interface PositionView {
  readonly accountId: string;
  readonly symbol: string;
  /** Signed: positive long, negative short, zero flat. */
  readonly size: Dec;
  readonly avgPrice: Dec;
  readonly markPrice: Dec;
  readonly leverage: Dec;
  readonly unrealisedPnl: Dec;
  readonly curRealisedPnl: Dec;
  readonly cumRealisedPnl: Dec;
  readonly positionIM: Dec;
  readonly positionMM: Dec;
  readonly createdTime: number;
  readonly updatedTime: number;
  readonly seq: number;
  /** The position's stop-loss (trading-stop), triggered on the mark price; none when unset. */
  readonly stopLoss: Dec | undefined;
}

/**
 * One entry of the account's transaction log (`/v5/account/transaction-log`): the simulator logs
 * every trade (`TRADE`), funding settlements (`SETTLEMENT`) and transfers. As at Bybit,
 * `change = cashFlow + funding - fee` is what the entry moved the wallet by.
 */
export interface TransactionView {
  readonly accountId: string;
  readonly id: string;
  /** Empty for transfers. */
  readonly symbol: string;
  readonly type: "TRANSFER_IN" | "TRANSFER_OUT" | "TRADE" | "SETTLEMENT";
  /** The trade's side; for a settlement the position's; `None` for transfers. */
  readonly side: BybitSide | "None";
  /** The trade's quantity (a settlement: the position's size), unsigned; zero for transfers. */
  readonly qty: Dec;
  /** The position after the entry, signed (short negative). */
  readonly size: Dec;
  /** The trade's price (a settlement: the mark); zero for transfers. */
  readonly tradePrice: Dec;
  /** Funding of a settlement, positive when received (the log's sign, opposite to the execution's fee). */
  readonly funding: Dec;
  /** The trade's fee, positive paid (a rebate negative). */
  readonly fee: Dec;
  /** P&L a trade realised (the part of it that closed a position), or the amount transferred; fees and funding not included. */
  readonly cashFlow: Dec;
  /** The wallet balance change: cashFlow + funding - fee. */
  readonly change: Dec;
  /** The wallet balance after. */
  readonly cashBalance: Dec;
  readonly feeRate: Dec;
  readonly transactionTime: number;
  /** The trade's execId (a settlement: its `Funding` execution's). */
  readonly tradeId: string;
  readonly orderId: string;
  readonly orderLinkId: string;
}

/** The account's USDT (the only settle coin simulated). */
export interface WalletView {
  readonly accountId: string;
  readonly coin: "USDT";
  readonly walletBalance: Dec;
  readonly unrealisedPnl: Dec;
  readonly cumRealisedPnl: Dec;
  readonly totalOrderIM: Dec;
  readonly totalPositionIM: Dec;
  readonly totalPositionMM: Dec;
}

export interface TickerView {
  readonly symbol: string;
  readonly lastPrice: Dec;
  readonly markPrice: Dec;
  readonly indexPrice: Dec;
  readonly bid1Price: Dec | undefined;
  readonly bid1Size: Dec;
  readonly ask1Price: Dec | undefined;
  readonly ask1Size: Dec;
  readonly prevPrice24h: Dec;
  readonly highPrice24h: Dec;
  readonly lowPrice24h: Dec;
  readonly prevPrice1h: Dec;
  readonly volume24h: Dec;
  readonly turnover24h: Dec;
  readonly openInterest: Dec;
  readonly fundingRate: Dec;
  readonly nextFundingTime: number;
  /** PlusTick, ZeroPlusTick, MinusTick or ZeroMinusTick. */
  readonly tickDirection: string;
}

export interface BookLevel {
  readonly price: Dec;
  readonly qty: Dec;
}

export interface BookView {
  readonly symbol: string;
  /** Best first. */
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Matching-engine time of the last change. */
  readonly updatedAt: number;
}

export interface PublicTradeView {
  readonly tradeId: string;
  readonly symbol: string;
  /** The taker's side. */
  readonly takerSide: BybitSide;
  readonly price: Dec;
  readonly qty: Dec;
  readonly time: number;
  readonly tickDirection: string;
  readonly seq: number;
}
