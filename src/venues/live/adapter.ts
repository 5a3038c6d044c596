/**
 * The wire of one exchange, as the live core (`LiveVenue`) uses it. An exchange folder implements
 * this and nothing else: signing, REST calls, stream parsing, and the classification of its
 * answers into the shared outcome policy. Every answer comes back as a venue-neutral report
 * (`venue.ts`); what those reports mean for the engine (exactly-once orders, in-doubt settlement,
 * reconciliation, health) is decided once, in this folder.
 */
import type { Clock } from "../../core/clock.ts";
import type { Dec } from "../../core/decimal.ts";
import type { HeanError } from "../../core/errors.ts";
import type { HeanEvent } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { LiveTuning } from "../../config/venue-config.ts";
import type { AccountReport, CashReport, FillReport, FundingReport, OrderStatusReport, PositionStatusReport } from "../venue.ts";
import type { VenueOrderRequest } from "../../execution/venue-port.ts";
import type { Admission, CircuitBreaker } from "./circuit-breaker.ts";
import type { Classified } from "./outcome.ts";
import type { PagedRead, PagesTruncated } from "./paging.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { ServerTime } from "./server-time.ts";

export type Alert = (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;

/** One request that may change something at the venue (a create or a cancel): sent once. */
export interface WireAttempt {
  readonly classified: Classified;
  /** Whether the request left this process (false: refused by our limiter or breaker). */
  readonly sent: boolean;
  /**
   * The venue time the request carried (its signature timestamp), set when sent: the venue
   * refuses it once its clock is past this plus the receive window.
   */
  readonly stampedAt: number | undefined;
  /** The venue's id for the order, when the answer carried one. */
  readonly venueOrderId?: string | undefined;
}

/** A stream the core starts and stops; `ready`: every book synced (market data), authenticated and subscribed (private). */
export interface WireStream {
  readonly ready: boolean;
  /** Market data: symbols whose book is not trustworthy right now (no new exposure on a stale book). */
  staleSymbols?(): readonly string[];
  start(): void;
  stop(): Promise<void>;
}

/** What the private stream hands the core, already parsed into reports. */
export interface PrivateFeed {
  /** Authenticated and subscribed: the core reconciles before it trusts the stream. */
  readonly onReady: () => void;
  readonly onDown: (reason: string) => void;
  /** The venue refused the keys: retrying with the same keys cannot help. */
  readonly onAuthFailed: (reason: string) => void;
  readonly onOrder: (report: OrderStatusReport) => void;
  readonly onFill: (report: FillReport) => void;
  readonly onWallet: (report: AccountReport) => void;
  readonly onFunding: (report: FundingReport) => void;
}

/** What an execution search found: the trades, and the funding settlements the venue lists with them. */
export interface Executions {
  readonly fills: FillReport[];
  readonly funding: FundingReport[];
  /**
   * Set when the search stopped at its page bound while the venue had more: the executions
   * `newer` (a venue read oldest first) or `older` (newest first) than `at` (venue ms) were not
   * all read, nor perhaps those at `at` itself. The reconciler searches them next (`reconciler.ts`).
   */
  readonly cut?: ExecutionsCut | undefined;
}

/** Where a truncated execution search stopped, and on which side of it the unread executions lie. */
export interface ExecutionsCut {
  readonly unread: "newer" | "older";
  readonly at: number;
}

/** The shared pieces an adapter is built on: it paces, admits and times its requests with them. */
export interface LiveCore {
  readonly symbols: readonly string[];
  readonly tuning: LiveTuning;
  readonly clock: Clock;
  readonly random: () => number;
  readonly time: ServerTime;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  /** Market events (books, trades, status) go straight to the engine. */
  readonly emit: (event: HeanEvent) => void;
  readonly alert: Alert;
  /** A rate refusal made the limiter back off for `waitMs`. */
  readonly onRateLimited: (what: string, waitMs: number, detail: string) => void;
  readonly privateFeed: PrivateFeed;
  /**
   * A message that fails the wire's rules (`VENUE_PROTOCOL`) was dropped: counted by channel and
   * kind, and alerted. Stream items are recovered by reconciliation; a REST answer fails its call.
   */
  readonly onMalformed: (channel: "rest" | "ws", error: HeanError, context: Record<string, unknown>) => void;
  /**
   * A paged read stopped at its page bound while the venue still had more: alerted once per thing
   * cut short (an order, a list, a search window). The adapter returns what it read all the same.
   */
  readonly pagesTruncated: (t: PagesTruncated) => void;
  /**
   * A paged read that got all the venue had: what it was about is fine again, and cut short once
   * more it is said again (an open-order list that shrank below the bound and grew past it).
   */
  readonly pagesWhole: (read: PagedRead) => void;
}

export interface LiveAdapter {
  /** Measure the venue's clock into `core.time` (an unsigned request). */
  syncTime(): Promise<void>;
  /**
   * Check the account is set up the way hean trades it (e.g. Binance one-way position mode),
   * once at start: throws a HeanError naming what is wrong (`VENUE_POSITION_MODE`, `VENUE_ACCOUNT_MODE`), or
   * `VENUE_UNAVAILABLE` when the venue could not be asked (the start retries that).
   */
  checkAccount?(): Promise<void>;
  createOrder(request: VenueOrderRequest, admission: Admission): Promise<WireAttempt>;
  cancelOrder(symbol: string, clientOrderId: string): Promise<WireAttempt>;
  /** The venue's record of one order by client order id: open orders first, then history. */
  queryOrder(symbol: string, clientOrderId: string): Promise<OrderStatusReport | undefined>;
  openOrders(symbol: string): Promise<OrderStatusReport[]>;
  /** Every execution of one order (all pages). */
  orderFills(symbol: string, clientOrderId: string): Promise<FillReport[]>;
  /** Executions in [startMs, endMs] venue time (all pages, clamped to what the venue keeps). */
  executions(symbol: string, startMs: number, endMs: number): Promise<Executions>;
  position(symbol: string, admission: Admission): Promise<PositionStatusReport | undefined>;
  /** The account in the settle coin; undefined when the venue does not state every figure of it. */
  wallet(): Promise<AccountReport | undefined>;
  /**
   * Ledger entries in [startMs, endMs] venue time that moved cash without a trade or funding
   * (transfers, bonuses, refunds, …), oldest first (all pages).
   */
  cashLedger(startMs: number, endMs: number): Promise<CashReport[]>;
  /**
   * Rest a reduce-only stop for the whole position in `symbol` at `stopPrice` (undefined: remove
   * it), replacing any stop resting for it. Resolves once the venue accepted; throws otherwise.
   */
  protectiveStop(symbol: string, stopPrice: Dec | undefined): Promise<void>;
  /** Every instrument the venue lists for trading, with its rules (public: no keys needed). */
  instruments(): Promise<Instrument[]>;
  /**
   * The breaker's half-open probe: one cheap signed read admitted as the probe. `retryInMs`
   * when our own limiter held it back (it was not sent): try again then.
   */
  probe(): Promise<{ readonly sent: boolean; readonly retryInMs: number }>;
  readonly publicStream: WireStream;
  readonly privateStream: WireStream;
}

/** An exchange's wire: its name for messages, its rate-limit scopes, and the adapter over the core. */
export interface LiveWire {
  /** For people: "Bybit". */
  readonly name: string;
  /** The metered scope of a request key (a REST path) and the venue's budget for it. */
  readonly scopeOf: (key: string) => { readonly scope: string; readonly rule: { readonly limit: number; readonly windowMs: number } };
  connect(core: LiveCore): LiveAdapter;
}
