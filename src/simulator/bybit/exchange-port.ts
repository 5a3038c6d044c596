/**
 * The exchange behind the Bybit protocol: what the REST handlers and streams call. Implemented
 * by backend.ts over the sim matching engine and synthetic market; the protocol code never
 * matches orders itself.
 */
import type { Dec } from "../../core/decimal.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { RetCode } from "./codes.ts";
import type {
  BookView,
  BybitOrderType,
  BybitSide,
  BybitTimeInForce,
  ExecutionView,
  OrderView,
  PositionView,
  PublicTradeView,
  TickerView,
  TransactionView,
  WalletView,
} from "./model.ts";

export interface PlaceOrderInput {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: BybitSide;
  readonly orderType: BybitOrderType;
  readonly qty: Dec;
  readonly price: Dec | undefined;
  readonly timeInForce: BybitTimeInForce;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  /** "" when the client sent none. */
  readonly orderLinkId: string;
  readonly receivedAt: number;
}

export interface OrderRef {
  readonly orderId?: string | undefined;
  readonly orderLinkId?: string | undefined;
}

export interface AmendInput {
  readonly qty?: Dec | undefined;
  readonly price?: Dec | undefined;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly retCode: RetCode; readonly retMsg?: string };

/** Something changed that a private or public stream reports. */
export type ExchangeEvent =
  | { readonly kind: "order"; readonly order: OrderView }
  | { readonly kind: "execution"; readonly execution: ExecutionView }
  | { readonly kind: "position"; readonly position: PositionView }
  | { readonly kind: "wallet"; readonly wallet: WalletView }
  | { readonly kind: "trade"; readonly trade: PublicTradeView };

export interface ExchangePort {
  instruments(): readonly Instrument[];
  instrument(symbol: string): Instrument | undefined;
  /** Up to `levels` levels per side. */
  book(symbol: string, levels: number): BookView;
  ticker(symbol: string): TickerView;
  /** Cross sequence: grows with every book or trade change. */
  crossSeq(): number;
  /** Move the market to `price` at once (the scenario carries on from there). */
  setPrice(symbol: string, price: Dec): void;

  placeOrder(input: PlaceOrderInput): Outcome<OrderView>;
  amendOrder(accountId: string, symbol: string, ref: OrderRef, change: AmendInput): Outcome<OrderView>;
  cancelOrder(accountId: string, symbol: string, ref: OrderRef): Outcome<OrderView>;
  /** Cancels the open orders of the account (of one symbol when given); returns those cancelled. */
  cancelAll(accountId: string, symbol: string | undefined): OrderView[];
  findOrder(accountId: string, ref: OrderRef): OrderView | undefined;
  /** Every order of the account, newest first. */
  orders(accountId: string): OrderView[];
  /** The account's open orders (of one symbol when given). */
  openOrders(accountId: string, symbol?: string): OrderView[];
  /** Every execution of the account, newest first. */
  executions(accountId: string): ExecutionView[];
  /** The account's transaction log (transfers and funding settlements), newest first. */
  transactions(accountId: string): TransactionView[];
  /**
   * Settle funding now for every open position of every account (of one symbol when given), at
   * the mark and `rate` (default: the ticker's rate): a `Funding` execution each, the wallet moved,
   * both pushed on the private stream and logged. Returns the executions.
   */
  settleFunding(rate: Dec | undefined, symbol: string | undefined): ExecutionView[];
  /**
   * Deposit (positive) or withdraw (negative) on the account's wallet; `logged: false` moves it
   * without a transaction-log entry (a change no client can explain: tests of divergence).
   */
  adjustWallet(accountId: string, amount: Dec, logged: boolean): Outcome<WalletView>;
  position(accountId: string, symbol: string): PositionView;
  wallet(accountId: string): WalletView;
  leverage(accountId: string, symbol: string): Dec;
  setLeverage(accountId: string, symbol: string, leverage: Dec): Outcome<void>;
  /**
   * The open position's stop-loss (undefined clears it). When the mark price reaches it the
   * venue closes the whole position with a reduce-only market order; a flat position drops it.
   */
  setStopLoss(accountId: string, symbol: string, stopLoss: Dec | undefined): Outcome<void>;

  subscribe(listener: (accountId: string | undefined, event: ExchangeEvent) => void): () => void;
  close(): void;
}
