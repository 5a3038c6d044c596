/**
 * The one interface every venue implements (simulated, Bybit, Binance).
 *
 * A venue speaks only hean's own events: whatever its wire format, what leaves its folder is
 * `order.accepted`, `order.filled`, `market.book`, … from the catalogue. Commands go in as
 * plain method calls that never throw for venue-side failures: every outcome, including an
 * ambiguous one, comes back as an event through the sink given to `start`.
 */
import type { Dec } from "../core/decimal.ts";
import type {
  AccountSnapshotEvent,
  AccountSource,
  CashAdjustedEvent,
  FillEvent,
  FundingPaidEvent,
  HeanEvent,
  OrderType,
  Side,
  TimeInForce,
} from "../core/events.ts";
import type { Instrument } from "../core/instrument.ts";
import type { VenueHealthView } from "../control/engine-view.ts";
import type { OrderRecord } from "../engine/engine-state.ts";
import type { Clock } from "../core/clock.ts";
import type { HeanConfig } from "../config/config.ts";
import type { Secret } from "../core/secrets.ts";
import type { EngineStateView } from "../engine/engine-state-view.ts";
import type { VenueHealthInput } from "../risk/venue-health.ts";

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

// ---------------------------------------------------------------- reports (live venues)
//
// What a live adapter's wire code turns every venue answer and stream message into, and all the
// shared live core (`venues/live`) reads: NautilusTrader's OrderStatusReport / FillReport /
// PositionStatusReport, in hean's exact numbers.

/**
 * The venue's word on one order, from a query, a list or the private stream. `pending`: the
 * venue has it but has not decided yet (neither working nor over), so it proves only existence.
 */
export interface OrderStatusReport extends Omit<VenueOrderSnapshot, "status"> {
  readonly status: VenueOrderStatus | "pending";
  /** Why it ended, in the venue's words (empty while open). */
  readonly reason: string;
  /** For `status: "rejected"`: the code the `order.rejected` event carries. */
  readonly rejectCode: string;
}

/** One execution at the venue. `fillId` is the venue's execution id: fills are de-duplicated by it. */
export interface FillReport {
  readonly fillId: string;
  readonly venueOrderId: string;
  /** The client order id the venue reports with it ("" for none: manual trades, liquidations). */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
  readonly qty: Dec;
  /** Positive paid, negative rebate, in the settlement currency (see `feeAsset`). */
  readonly fee: Dec;
  /**
   * Set when the venue charged the fee in another asset (Binance with BNB fee deduction): `fee`
   * is then an amount of that asset, which the live core must not book as settlement currency.
   */
  readonly feeAsset?: string | undefined;
  readonly liquidity: "maker" | "taker";
  /** Venue time of the execution (ms). */
  readonly venueTs: number;
}

/** The venue's position in one symbol (one-way mode). */
export interface PositionStatusReport extends VenuePosition {
  readonly markPrice: Dec | undefined;
  /** The venue's sequence for this position's state (0 when it has none): equal means unchanged. */
  readonly seq: number;
  /** The reduce-only stop resting at the venue for this position (undefined: none). */
  readonly stopLoss?: Dec | undefined;
}

/** The venue's wallet in the settle coin, as the venue states it (a wire adapter fills this in). */
export type AccountReport = Omit<AccountSnapshotEvent, "type" | "ts" | "venue" | "source">;
/** One funding settlement of one position, under the venue's own id for it. */
export type FundingReport = Omit<FundingPaidEvent, "type" | "ts" | "source">;
/** A ledger entry that moved cash without a trade or funding (transfer, bonus, refund, …). */
export type CashReport = Omit<CashAdjustedEvent, "type" | "ts" | "source">;

// Built field by field: a wire object that carries more than the report must not leak into the journal.
export const accountSnapshotOf = (venue: string, r: AccountReport, ts: number, source: AccountSource): AccountSnapshotEvent => ({
  type: "account.snapshot",
  ts,
  venue,
  walletBalance: r.walletBalance,
  equity: r.equity,
  available: r.available,
  initialMargin: r.initialMargin,
  maintenanceMargin: r.maintenanceMargin,
  venueTs: r.venueTs,
  source,
});

export const fundingPaidOf = (r: FundingReport, ts: number, source: AccountSource): FundingPaidEvent => ({
  type: "funding.paid",
  ts,
  fundingId: r.fundingId,
  symbol: r.symbol,
  paid: r.paid,
  rate: r.rate,
  positionQty: r.positionQty,
  markPrice: r.markPrice,
  venueTs: r.venueTs,
  source,
});

export const cashAdjustedOf = (r: CashReport, ts: number, source: AccountSource): CashAdjustedEvent => ({
  type: "cash.adjusted",
  ts,
  adjustmentId: r.adjustmentId,
  amount: r.amount,
  reason: r.reason,
  detail: r.detail,
  venueTs: r.venueTs,
  source,
});

// ---------------------------------------------------------------- what a live venue reads and shows

/** What a live venue reads of one engine order: a read-only slice of the engine's record. */
export type AccountOrder = Readonly<
  Pick<
    OrderRecord,
    "clientOrderId" | "symbol" | "side" | "orderType" | "qty" | "price" | "timeInForce" | "reduceOnly" | "purpose" | "createdAt" | "status" | "filledQty" | "venueOrderId"
  >
>;

/**
 * What a live venue may read of the engine's account: its orders (by client order id), the fill
 * ids it has applied and its positions. Read only: a venue changes nothing except by sending
 * events through the sink. Reading is safe because the engine is the single writer on this same
 * thread.
 */
export interface AccountView {
  order(clientOrderId: string): AccountOrder | undefined;
  /**
   * An order this engine placed, whether still in its state or remembered after it left it (a
   * late fill for it is still the engine's, not an external one).
   */
  placed(clientOrderId: string): Pick<AccountOrder, "symbol" | "side"> | undefined;
  orders(): Iterable<AccountOrder>;
  hasFill(fillId: string): boolean;
  positionQty(symbol: string): Dec;
  /** True once the journal holds any order or fill (a fresh journal has no past to recover). */
  hasHistory(): boolean;
}

/**
 * A live venue's health: what risk reads (private stream blind since, last good reconciliation,
 * breaker open since, whether new exposure must wait) and what /ready, the API and metrics show.
 */
export interface VenueHealth extends VenueHealthInput {
  view(): VenueHealthView;
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

// ---------------------------------------------------------------- how the runtime builds a venue

export interface LiveCredentials {
  readonly apiKey: Secret;
  readonly apiSecret: Secret;
}

/** A live venue as the runtime wires it: the venue, and its health for risk and the operator. */
export interface LiveVenueParts {
  readonly venue: Venue;
  readonly health: VenueHealth;
}

export type LiveVenueFactory = (config: HeanConfig, credentials: LiveCredentials, state: EngineStateView, clock: Clock) => LiveVenueParts;

/** Paper trading on the venue's public market data (no keys), filling in the in-process matching engine. */
export type PaperVenueFactory = (config: HeanConfig, clock: Clock) => Venue;
