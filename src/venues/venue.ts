/**
 * What the venues share beyond the port every venue implements (`execution/venue-port.ts`): the
 * reports a live adapter's wire code produces for the shared live core, the read-only account
 * view a live venue reads, its health, and the factories the runtime builds venues with.
 */
import type { Dec } from "../core/decimal.ts";
import type { AccountSnapshotEvent, AccountSource, CashAdjustedEvent, FundingPaidEvent, Side } from "../core/events.ts";
import type { VenueHealthView } from "../control/engine-view.ts";
import type { OrderRecord } from "../engine/engine-state.ts";
import type { Clock } from "../core/clock.ts";
import type { HeanConfig } from "../config/config.ts";
import type { Secret } from "../core/secrets.ts";
import type { EngineStateView } from "../engine/engine-state-view.ts";
import type { Venue, VenueOrderSnapshot, VenueOrderStatus, VenuePosition } from "../execution/venue-port.ts";
import type { VenueHealthInput } from "../risk/venue-health.ts";

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
  /** Whether a cash adjustment under this id is booked (a venue's wire may derive it from an execution's id). */
  hasAdjustment(adjustmentId: string): boolean;
  positionQty(symbol: string): Dec;
  /** True once the journal holds any order or fill (a fresh journal has no past to recover). */
  hasHistory(): boolean;
  /**
   * When this journal's account opened at the venue's wallet (venue time; undefined before it
   * has, or in a journal from before this was kept): what the account did before is in the
   * opening balance.
   */
  openedAt(): number | undefined;
  /**
   * When the journal last read the account reconciled (venue time of its latest reconciled wallet
   * snapshot; undefined before any): what the venue did since is news to it.
   */
  reconciledAt(): number | undefined;
  /** The journal tag every order id of this engine carries (`hn<tag>…`: another tag is another engine's). */
  readonly orderTag: string;
}

/**
 * A live venue's health: what risk reads (private stream blind since, last good reconciliation,
 * breaker open since, whether new exposure must wait) and what /ready, the API and metrics show.
 */
export interface VenueHealth extends VenueHealthInput {
  view(): VenueHealthView;
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

/** `journalId`: the engine's journal, whose tag its order ids carry. */
export type LiveVenueFactory = (config: HeanConfig, credentials: LiveCredentials, state: EngineStateView, clock: Clock, journalId: string) => LiveVenueParts;

/** Paper trading on the venue's public market data (no keys), filling in the in-process matching engine. */
export type PaperVenueFactory = (config: HeanConfig, clock: Clock) => Venue;
