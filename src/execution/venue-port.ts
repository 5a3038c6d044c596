/**
 * The one interface every venue implements (simulated, paper, backtest, Bybit, Binance): the
 * port between the engine's execution and the venues, as NautilusTrader's execution client is.
 *
 * A venue speaks only hean's own events: whatever its wire format, what leaves its folder is
 * `order.accepted`, `order.filled`, `market.book`, … from the catalogue. Commands go in as
 * plain method calls that never throw for venue-side failures: every outcome, including an
 * ambiguous one, comes back as an event through the sink given to `start`.
 *
 * It lives here, below risk and execution, so that the executor and the kill switch hand orders to
 * a venue without importing the venues' folder (which stands above them: it reads config, risk
 * and the engine). What only live adapters share (reports, account view, factories) stays in
 * `venues/venue.ts`.
 */
import type { Dec } from "../core/decimal.ts";
import type { FillEvent, HeanEvent, OrderType, Side, TimeInForce } from "../core/events.ts";
import type { Instrument } from "../core/instrument.ts";

export interface VenueOrderRequest {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly qty: Dec;
  readonly price?: Dec | undefined;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
}

/** Exactly the fields a venue is sent, picked from any richer order record. */
export function venueRequestOf(o: VenueOrderRequest): VenueOrderRequest {
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    qty: o.qty,
    price: o.price,
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
  };
}

export type VenueOrderStatus = "open" | "partially-filled" | "filled" | "cancelled" | "rejected" | "expired";

/** The venue's own view of one order, used by reconciliation. */
export interface VenueOrderSnapshot {
  readonly clientOrderId?: string | undefined;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly qty: Dec;
  readonly filledQty: Dec;
  readonly price?: Dec | undefined;
  readonly reduceOnly: boolean;
  readonly status: VenueOrderStatus;
  /** For a post-only order cancelled because it would take. */
  readonly postOnlyWouldTake?: boolean | undefined;
}

export interface VenuePosition {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly qty: Dec;
  readonly avgPrice: Dec;
}

export type EventSink = (event: HeanEvent) => void;

export interface Venue {
  /** "sim", "bybit", … */
  readonly id: string;
  /**
   * Every instrument the venue lists, with its rules (tick, lot, limits, fees, contract). Asked
   * once at start, before `start`; may reject when the venue cannot be reached (the runtime then
   * trades on the listing it journaled last).
   */
  instruments(): Promise<readonly Instrument[]>;
  /** Connect streams; every market and order event goes to `sink` from now on. */
  start(sink: EventSink): Promise<void>;
  /** Disconnect and release timers and sockets. */
  stop(): Promise<void>;
  /** Hand an order to the venue; outcome arrives as events. */
  submit(order: VenueOrderRequest): void;
  cancel(clientOrderId: string, symbol: string): void;
  /** The venue's truth about one order, by client order id (undefined: the venue never saw it). */
  queryOrder(clientOrderId: string, symbol: string): Promise<VenueOrderSnapshot | undefined>;
  openOrders(): Promise<VenueOrderSnapshot[]>;
  positions(): Promise<VenuePosition[]>;
  /** Executions at or after `sinceMs` (venue time), oldest first. */
  fillsSince(sinceMs: number): Promise<FillEvent[]>;
  /**
   * Optional, for venues that outlive the process (live adapters): compare the venue's truth
   * with the engine's and send every difference as ordinary events. `boot` runs after journal
   * replay and before trading, settles the orders the journal left in doubt, and rejects when
   * the venue cannot be reconciled (trading must not start blind).
   */
  reconcile?(reason: "boot" | "manual"): Promise<void>;
}
