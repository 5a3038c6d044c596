/**
 * Prometheus metrics for a running engine.
 *
 * State (equity, risk, bus, venue health) is read from the engine view at scrape time, in one
 * pass, so a scrape is one consistent snapshot and costs nothing between scrapes. What only
 * events can tell (order lifecycle, latencies, triggers) is counted as the events pass
 * (`order-metrics.ts`). Money is in the account's quote currency (`_quote`), durations in
 * seconds, fractions as `_ratio` (0.15 = 15%).
 *
 * Use `render()` for the exposition text: it refreshes the snapshot first.
 */
import { Counter, Gauge, Registry, type LabelValues } from "@prometheus-io/client";
import { describeError } from "../../core/errors.ts";
import type { RiskState } from "../../core/events.ts";
import type { EngineView } from "../engine-view.ts";
import type { Logger } from "../../observability/logger.ts";
import { OrderMetrics } from "./order-metrics.ts";
import { RouterMetrics } from "./router-metrics.ts";

export interface HeanMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** Refreshes the snapshot metrics and returns the text exposition format. */
  render(): Promise<string>;
  /** Stops listening to the engine's events. */
  close(): void;
}

export interface MetricsOptions {
  /** Process CPU and memory (to watch against the container's limits). Default true. */
  readonly processMetrics?: boolean;
  /** Told when the engine view fails during a scrape (the previous values are kept). */
  readonly logger?: Logger;
  /** Distributed mode (Redis) facts, when it is on. */
  readonly distributed?: () => DistributedMetricFacts | undefined;
}

export interface DistributedMetricFacts {
  readonly engineId: string;
  readonly up: boolean;
  readonly contextAges: readonly { readonly symbol: string; readonly field: string; readonly ageSeconds: number }[];
  readonly contextMalformed: ReadonlyMap<string, number>;
}

const RISK_STATES: readonly RiskState[] = ["NORMAL", "SOFT_BRAKE", "QUARANTINE", "HARD_STOP"];
const TRADING_STATES = ["active", "reduce-only", "halted"];
const BREAKER_STATES = ["closed", "open", "half-open"];

const num = (text: string): number => {
  const n = Number(text);
  return Number.isFinite(n) ? n : Number.NaN;
};

export function createMetrics(view: EngineView, options: MetricsOptions = {}): HeanMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> =>
    new Gauge<L>({ name, help, labelNames: [...labelNames], registers });
  // Cumulative figures the engine keeps itself: exposed as counters, set to its value at scrape.
  const total = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
    new Counter<L>({ name, help, labelNames: [...labelNames], registers });

  // prom-client's default metrics fail `promtool check metrics` (gauges named *_total), so the
  // few that matter against a container limit are kept here instead.
  const withProcess = options.processMetrics ?? true;
  const cpu = withProcess ? total("hean_process_cpu_seconds_total", "CPU time used by the engine process (user and system), in seconds.") : undefined;
  const rss = withProcess ? gauge("hean_process_resident_memory_bytes", "Resident memory of the engine process, in bytes.") : undefined;
  const heap = withProcess ? gauge("hean_process_heap_used_bytes", "V8 heap in use, in bytes.") : undefined;

  const info = gauge("hean_info", "Constant 1, labelled with the run's mode, venue and strategy.", ["mode", "venue", "strategy"]);
  const startTime = gauge("hean_start_time_seconds", "When the engine started, Unix time in seconds.");
  const ready = gauge("hean_ready", "1 when the engine is ready to trade (journal replayed, venue connected and reconciled).");
  const viewErrors = total("hean_metrics_snapshot_errors_total", "Scrapes where the engine view could not give a snapshot.");
  const journalEvents = total("hean_journal_events_total", "Events written to the journal.");

  const equity = gauge("hean_equity_quote", "Account equity (cash plus unrealised P&L), in quote currency.");
  const cash = gauge("hean_cash_quote", "Cash balance, in quote currency.");
  const realized = gauge("hean_realized_pnl_quote", "Realised P&L since the journal began, in quote currency.");
  const unrealized = gauge("hean_unrealized_pnl_quote", "Unrealised P&L of open positions (longs at bid, shorts at ask), in quote currency.");
  const fees = gauge("hean_fees_quote", "Fees paid since the journal began (negative for net rebates), in quote currency.");
  const drawdown = gauge("hean_drawdown_ratio", "Drawdown from the configured reference, as a fraction (0.15 = 15%).");
  const dailyLoss = gauge("hean_daily_loss_ratio", "Loss since the start of the UTC day, as a fraction (0.02 = 2%).");
  const divergence = gauge("hean_account_divergence_quote", "Venue wallet balance minus engine cash at the last reconciled wallet snapshot, absolute, in quote currency.");
  const openPositions = gauge("hean_open_positions", "Positions with a non-zero quantity.");
  const positionQty = gauge("hean_position_quantity_base", "Signed position size per symbol, in base units (negative = short).", ["symbol"]);
  const positionPnl = gauge("hean_position_unrealized_pnl_quote", "Unrealised P&L per symbol, in quote currency.", ["symbol"]);
  const workingOrders = gauge("hean_working_orders", "Orders working at the venue (not yet filled, cancelled, rejected or expired).");

  const riskState = gauge("hean_risk_governor_state", "Risk governor state: 1 for the current state, 0 for the others.", ["state"]);
  const tradingState = gauge("hean_trading_state", "Trading state: 1 for the current state (active, reduce-only, halted), 0 for the others.", ["state"]);
  const killSwitchActive = gauge("hean_kill_switch_active", "1 while the kill switch is engaged.");
  const killSwitchNotFlat = gauge(
    "hean_kill_switch_not_flat",
    "1 while the kill switch has fired and the venue has not yet confirmed the account flat (no positions, no working orders).",
  );
  // The reaction the engine measures (and the report's reactionMs): trigger to the first close
  // handed to the venue, not to flat (hean_kill_switch_not_flat says that). No sample while the
  // last trigger has sent no close: a previous trigger's reaction is not this one's.
  const killSwitchReaction = gauge(
    "hean_kill_switch_reaction_seconds",
    "Time from the last kill-switch trigger to its first close order handed to the venue, in seconds (absent until that trigger sent one).",
  );
  const denials = total("hean_risk_denials_total", "Orders denied by pre-trade checks, by denial code.", ["code"]);

  const laneDepth = gauge("hean_bus_queue_depth_events", "Events waiting in a bus lane.", ["lane"]);
  const laneCapacity = gauge("hean_bus_queue_capacity_events", "Capacity of a bus lane, in events.", ["lane"]);
  const laneUtilisation = gauge("hean_bus_queue_utilisation_ratio", "Depth over capacity of a bus lane (0..1).", ["lane"]);
  const lanePublished = total("hean_bus_events_published_total", "Events published to a bus lane.", ["lane"]);
  const laneDelivered = total("hean_bus_events_delivered_total", "Events delivered from a bus lane.", ["lane"]);
  const laneDropped = total("hean_bus_events_dropped_total", "Events dropped from a bus lane (market data only; critical lanes never drop).", ["lane"]);
  const laneConflated = total("hean_bus_events_conflated_total", "Market-data events replaced by a newer one while queued, by lane.", ["lane"]);
  const droppedByType = total("hean_bus_dropped_events_by_type_total", "Events dropped by the bus, by event type.", ["event_type"]);
  const deadLetters = total("hean_bus_dead_letters_total", "Events whose handler threw (kept in the dead-letter store).");
  const lagP50 = gauge("hean_event_loop_lag_p50_seconds", "Event-loop lag, median over the recent window, in seconds.");
  const lagP99 = gauge("hean_event_loop_lag_p99_seconds", "Event-loop lag, 99th percentile over the recent window, in seconds.");
  const lagMax = gauge("hean_event_loop_lag_max_seconds", "Event-loop lag, maximum over the recent window, in seconds.");

  const venueConnected = gauge("hean_venue_connected", "1 when the venue is connected.");
  const venueReconciled = gauge("hean_venue_reconciled", "1 when the last reconciliation against the venue completed.");
  const wsConnected = gauge("hean_websocket_connected", "1 when a venue WebSocket stream is connected, by stream (public, private).", ["stream"]);
  const breaker = gauge("hean_circuit_breaker_state", "Venue REST circuit breaker: 1 for the current state (closed, open, half-open).", ["state"]);
  const missedFills = total("hean_missed_fills_total", "Fills found by reconciliation that the streams never delivered.");
  const reconDiffs = total("hean_reconciliation_differences_total", "Differences between hean and the venue found by reconciliation.");
  const reconRuns = total("hean_reconciliation_runs_total", "Reconciliation runs against the venue.");
  const malformed = total("hean_venue_malformed_messages_total", "Venue messages dropped because they break the wire rules, by venue and channel.kind (e.g. ws.execution).", ["venue", "kind"]);

  const marketAge = gauge("hean_market_data_age_seconds", "Seconds since the last order-book update per symbol (engine clock).", ["symbol"]);
  const strategyDisabled = gauge("hean_strategy_disabled", "1 for a strategy the run disabled (it threw or broke the signal contract; its positions stay under risk), 0 while it runs.", ["strategy"]);

  const orders = new OrderMetrics(registry);
  const router = new RouterMetrics(registry);
  const unsubscribe = view.onEvent((event) => {
    orders.observe(event);
    router.observe(event);
  });
  let firstScrapeAt: number | undefined;

  const setTotal = <L extends string>(c: Counter<L>, value: number, labels?: LabelValues<L>): void => {
    if (labels === undefined) c.inc(value);
    else c.inc(labels, value);
  };

  const oneOf = (g: Gauge<"state">, states: readonly string[], current: string): void => {
    g.reset();
    for (const state of states) g.set({ state }, state === current ? 1 : 0);
    if (!states.includes(current)) g.set({ state: current }, 1);
  };

  const refreshProcess = (): void => {
    if (cpu === undefined || rss === undefined || heap === undefined) return;
    const usage = process.cpuUsage();
    cpu.reset();
    cpu.inc((usage.user + usage.system) / 1e6);
    rss.set(process.memoryUsage.rss());
    heap.set(process.memoryUsage().heapUsed);
  };

  const refresh = (): void => {
    const status = view.status();
    const risk = view.risk();
    const bus = view.bus();
    const venue = view.venueHealth();
    const positions = view.positions();
    const working = view.orders();
    firstScrapeAt ??= status.now;

    info.reset();
    info.set({ mode: status.mode, venue: status.venue, strategy: status.strategy }, 1);
    startTime.set(status.startedAt / 1000);
    ready.set(status.ready.ok ? 1 : 0);
    journalEvents.reset();
    setTotal(journalEvents, status.journal.events);

    equity.set(num(status.equity));
    cash.set(num(status.cash));
    realized.set(num(status.realizedPnl));
    unrealized.set(num(status.unrealizedPnl));
    fees.set(num(status.fees));
    // The view reports percents (1 = 1%), as the risk configuration does.
    drawdown.set(risk.drawdownPct / 100);
    dailyLoss.set(risk.dailyLossPct / 100);
    divergence.set(risk.accountDivergence);
    const open = positions.filter((p) => num(p.qty) !== 0);
    openPositions.set(open.length);
    positionQty.reset();
    positionPnl.reset();
    for (const p of positions) {
      positionQty.set({ symbol: p.symbol }, num(p.qty));
      positionPnl.set({ symbol: p.symbol }, num(p.unrealizedPnl));
    }
    workingOrders.set(working.length);

    oneOf(riskState, RISK_STATES, risk.state);
    oneOf(tradingState, TRADING_STATES, risk.tradingState);
    killSwitchActive.set(risk.killSwitch.active ? 1 : 0);
    killSwitchNotFlat.set(risk.killSwitch.active && risk.killSwitch.flatAt === null ? 1 : 0);
    if (risk.killSwitch.reactionMs !== null) killSwitchReaction.set(risk.killSwitch.reactionMs / 1000);
    else killSwitchReaction.remove();
    denials.reset();
    for (const [code, count] of Object.entries(risk.deniedByCode)) setTotal(denials, count, { code });

    for (const g of [laneDepth, laneCapacity, laneUtilisation]) g.reset();
    for (const c of [lanePublished, laneDelivered, laneDropped, laneConflated]) c.reset();
    for (const l of bus.lanes) {
      const lane = { lane: l.lane };
      laneDepth.set(lane, l.depth);
      laneCapacity.set(lane, l.capacity);
      laneUtilisation.set(lane, l.utilisation);
      setTotal(lanePublished, l.published, lane);
      setTotal(laneDelivered, l.delivered, lane);
      setTotal(laneDropped, l.dropped, lane);
      setTotal(laneConflated, l.conflated, lane);
    }
    droppedByType.reset();
    for (const [type, count] of Object.entries(bus.droppedByType)) setTotal(droppedByType, count, { event_type: type });
    deadLetters.reset();
    setTotal(deadLetters, bus.deadLetters);
    lagP50.set(bus.eventLoopLagMs.p50 / 1000);
    lagP99.set(bus.eventLoopLagMs.p99 / 1000);
    lagMax.set(bus.eventLoopLagMs.max / 1000);

    venueConnected.set(venue.connected ? 1 : 0);
    venueReconciled.set(venue.reconciled ? 1 : 0);
    wsConnected.reset();
    for (const [stream, up] of Object.entries(venue.streams)) wsConnected.set({ stream }, up ? 1 : 0);
    oneOf(breaker, BREAKER_STATES, venue.circuitBreaker);
    for (const [c, v] of [[missedFills, venue.missedFills], [reconDiffs, venue.reconciliationDifferences], [reconRuns, venue.reconciliationRuns]] as const) {
      c.reset();
      setTotal(c, v);
    }
    malformed.reset();
    for (const [kind, count] of Object.entries(venue.malformedMessages)) setTotal(malformed, count, { venue: status.venue, kind });

    strategyDisabled.reset();
    for (const s of status.strategies) strategyDisabled.set({ strategy: s.id }, s.disabled ? 1 : 0);

    orders.knowSymbols(status.symbols);
    marketAge.reset();
    for (const symbol of status.symbols) {
      // A symbol that never had a book is as stale as the time we have been waiting for one.
      const last = orders.lastBookAt(symbol) ?? firstScrapeAt;
      marketAge.set({ symbol }, Math.max(0, status.now - last) / 1000);
    }
  };

  // Distributed mode: labelled by engine, so an embedded engine exports no series (and no alert fires).
  const redisUp = gauge("hean_redis_up", "1 while the engine reaches Redis (distributed mode), 0 while it is down.", ["engine"]);
  const contextAge = gauge("hean_context_age_seconds", "Age of each context feed field, in seconds (stale beyond redis.contextMaxAgeMs: strategies see it as absent).", ["symbol", "field"]);
  const contextMalformed = total("hean_context_malformed_total", "Context feed fields dropped as malformed, per symbol.", ["symbol"]);
  const refreshDistributed = (): void => {
    const d = options.distributed?.();
    if (d === undefined) return;
    redisUp.reset();
    redisUp.set({ engine: d.engineId }, d.up ? 1 : 0);
    contextAge.reset();
    for (const a of d.contextAges) contextAge.set({ symbol: a.symbol, field: a.field }, a.ageSeconds);
    contextMalformed.reset();
    for (const [symbol, n] of d.contextMalformed) contextMalformed.inc({ symbol }, n);
  };

  return {
    registry,
    contentType: registry.contentType,
    render: async () => {
      refreshProcess();
      refreshDistributed();
      try {
        refresh();
      } catch (e) {
        viewErrors.inc();
        options.logger?.warn({ err: describeError(e) }, "metrics: the engine view failed during a scrape");
      }
      return registry.metrics();
    },
    close: unsubscribe,
  };
}
