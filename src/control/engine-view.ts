/**
 * What the operator surfaces (HTTP API, dashboard, Telegram, metrics) may see of a running
 * engine and how they may act on it. Readers get immutable snapshots (plain JSON-able objects
 * with decimals as strings); the only way to change anything is `submitCommand`, which goes
 * through the engine's journal like every other command.
 */
import type { PerformanceReport } from "../report/run-performance.ts";
import type { Candle, CandleInterval, CandleSource } from "./candles.ts";
import type { AlertEvent, CommandType, HeanEvent, RiskState } from "../core/events.ts";

export interface PositionView {
  readonly symbol: string;
  /** Signed decimal string. */
  readonly qty: string;
  readonly avgPrice: string;
  readonly markPrice: string | null;
  readonly unrealizedPnl: string;
  readonly realizedPnl: string;
  /** When the position was opened (journaled time, ms), null when flat. */
  readonly openedAt: number | null;
}

export interface OrderView {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly orderType: "limit" | "market";
  readonly price: string | null;
  readonly qty: string;
  readonly filledQty: string;
  readonly status: string;
  readonly reduceOnly: boolean;
  readonly purpose: string;
  readonly createdAt: number;
}

export interface FillView {
  readonly fillId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly qty: string;
  readonly fee: string;
  readonly liquidity: "maker" | "taker";
  readonly ts: number;
}

export interface KillSwitchView {
  readonly active: boolean;
  readonly reason: string | null;
  readonly triggeredAt: number | null;
  readonly flatAt: number | null;
  readonly reactionMs: number | null;
}

export interface RiskView {
  readonly state: RiskState;
  readonly reasons: readonly string[];
  /** "active" | "reduce-only" | "halted" */
  readonly tradingState: string;
  readonly drawdownPct: number;
  readonly dailyLossPct: number;
  /** |venue wallet − engine cash| at the last reconciled wallet snapshot, in quote currency (0 before one). */
  readonly accountDivergence: number;
  readonly killSwitch: KillSwitchView;
  readonly deniedByCode: Readonly<Record<string, number>>;
}

export interface LaneView {
  readonly lane: string;
  readonly depth: number;
  readonly capacity: number;
  readonly utilisation: number;
  readonly published: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly conflated: number;
}

export interface BusView {
  readonly lanes: readonly LaneView[];
  readonly droppedByType: Readonly<Record<string, number>>;
  readonly deadLetters: number;
  readonly recentDeadLetters: readonly { readonly ts: number; readonly eventType: string; readonly handler: string; readonly error: string }[];
  readonly eventLoopLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface StatusView {
  readonly mode: "paper" | "live";
  readonly venue: string;
  readonly symbols: readonly string[];
  readonly strategy: string;
  /** The run's strategies by id, and whether each was disabled (cheap: `strategies()` has the detail). */
  readonly strategies: readonly { readonly id: string; readonly disabled: boolean }[];
  readonly startedAt: number;
  readonly now: number;
  readonly tradingState: string;
  readonly cash: string;
  readonly equity: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  readonly riskState: RiskState;
  readonly riskReasons: readonly string[];
  readonly journal: { readonly path: string; readonly events: number };
  readonly ready: { readonly ok: boolean; readonly reasons: readonly string[] };
}

export interface CommandRequest {
  readonly commandId: string;
  readonly command: CommandType;
  readonly source: string;
  readonly args: Readonly<Record<string, string | number>>;
}

export interface CommandOutcome {
  readonly commandId: string;
  readonly ok: boolean;
  readonly message: string;
  /** True when this commandId was seen before and the earlier outcome is returned. */
  readonly duplicate: boolean;
}

/** A symbol's candles for the price chart. */
export interface CandlesView {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** "trades" (OHLCV of market trades), "mid" (book mids, no volume, until the first trade) or null (no data yet). */
  readonly source: CandleSource | null;
  readonly candles: readonly Candle[];
}

/** What the engine knows of one strategy, for the strategy panel. */
export interface StrategyStateView {
  readonly id: string;
  /**
   * "trading" | "in-position" | "reduce-only" | "halted": the engine's trading state applies to
   * every strategy; "in-position" when one of its trades is open. "disabled" once it threw or
   * broke the signal contract (it gets no data; its positions stay under risk), "stopped" for a
   * strategy of an earlier run that still holds a trade.
   */
  readonly state: string;
  /** When and why it was disabled (the handler and what it did, where it threw); null while it runs. */
  readonly disabled: { readonly ts: number; readonly problem: string } | null;
  /** The fraction of equity its orders are sized from (1 = all of it). */
  readonly capitalShare: number;
  readonly signals: number;
  readonly lastSignal: {
    readonly ts: number;
    readonly symbol: string;
    readonly action: "open" | "close";
    readonly side: "buy" | "sell";
    readonly confidence: number;
    readonly reason: string;
  } | null;
  /** The last pre-trade denial of one of its orders: why a signal did not become an order. */
  readonly lastDenial: { readonly ts: number; readonly symbol: string; readonly code: string; readonly message: string } | null;
  /** Its open trades (symbol, direction, qty, entry). */
  readonly open: readonly { readonly symbol: string; readonly direction: "long" | "short"; readonly qty: string; readonly entryPrice: string; readonly openedAt: number }[];
  /** Over the closed trades the run keeps one by one (`performance.trades.closed`). */
  readonly closedTrades: number;
  readonly wins: number;
  readonly netPnl: string;
}

export interface EngineView {
  status(): StatusView;
  positions(): readonly PositionView[];
  orders(): readonly OrderView[];
  recentFills(limit: number): readonly FillView[];
  risk(): RiskView;
  bus(): BusView;
  /** Equity samples (ms, equity as number) for charts, oldest first. */
  equityHistory(): readonly { readonly ts: number; readonly equity: number }[];
  /** Round-trip trades and the run's figures, from the same code as the exit report. */
  performance(): PerformanceReport;
  /** Price candles of a symbol at an interval, oldest first (bounded). */
  candles(symbol: string, interval: CandleInterval, limit: number): CandlesView;
  /** Each strategy's state, last signal and capital share. */
  strategies(): readonly StrategyStateView[];
  /** Mid price samples per symbol for charts, oldest first. */
  priceHistory(symbol: string): readonly { readonly ts: number; readonly price: number }[];
  recentAlerts(limit: number): readonly AlertEvent[];
  /** Journals the command, applies it, journals the result. Idempotent by commandId. */
  submitCommand(request: CommandRequest): Promise<CommandOutcome>;
  /** Subscribe to alerts as they are raised (for Telegram pushes); returns an unsubscribe function. */
  onAlert(listener: (alert: AlertEvent) => void): () => void;
  /**
   * Every event the engine processes (market data included, after conflation), for metrics and
   * live dashboard pushes. Listeners must be cheap and must not throw; returns an unsubscribe.
   */
  onEvent(listener: (event: HeanEvent) => void): () => void;
  /** Venue connectivity and reconciliation facts for /ready and metrics. */
  venueHealth(): VenueHealthView;
}

export interface VenueHealthView {
  readonly connected: boolean;
  readonly reconciled: boolean;
  /** WebSocket streams by name ("public", "private"), true when connected. */
  readonly streams: Readonly<Record<string, boolean>>;
  /** "closed" | "open" | "half-open" */
  readonly circuitBreaker: string;
  readonly missedFills: number;
  readonly reconciliationDifferences: number;
  readonly reconciliationRuns: number;
  /** Venue messages dropped because hean could not read them, by "channel.kind" (e.g. "ws.execution"). */
  readonly malformedMessages: Readonly<Record<string, number>>;
}
