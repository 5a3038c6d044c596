/**
 * An in-memory EngineView for testing the operator surfaces without an engine: plausible state
 * (two symbols, a long position, a working order, history for the charts), commands recorded and
 * idempotent by commandId like the engine's (another command under a known id is a
 * COMMAND_CONFLICT), and hooks to emit events and alerts.
 */
import { commandPayload } from "../../src/core/command-payload.ts";
import { dec, format, toNumber } from "../../src/core/decimal.ts";
import { CandleBook, type CandleInterval } from "../../src/control/candles.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { accepted, fill as engineFill, intent, submitted } from "../engine/fixtures.ts";
import { HeanError } from "../../src/core/errors.ts";
import { type PerformanceReport, RunPerformance, performanceReport } from "../../src/report/run-performance.ts";
import type { AlertEvent, HeanEvent, RiskState } from "../../src/core/events.ts";
import type {
  BusView,
  CandlesView,
  CommandOutcome,
  CommandRequest,
  EngineView,
  FillView,
  OrderView,
  PositionView,
  RiskView,
  StatusView,
  StrategyStateView,
  VenueHealthView,
} from "../../src/control/engine-view.ts";

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

/** A small deterministic PRNG so charts and tests look the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk(start: number, steps: number, stepMs: number, vol: number, seed: number): { ts: number; v: number }[] {
  const rnd = mulberry32(seed);
  const out: { ts: number; v: number }[] = [];
  let v = start;
  for (let i = 0; i < steps; i += 1) {
    v *= 1 + (rnd() - 0.48) * vol;
    out.push({ ts: T0 + i * stepMs, v });
  }
  return out;
}

export interface FakeViewOptions {
  readonly symbols?: readonly string[];
  /** Delay before submitCommand answers (ms). */
  readonly commandDelayMs?: number;
  /** Makes submitCommand reject. */
  readonly failCommands?: boolean;
}

export class FakeEngineView implements EngineView {
  readonly commands: CommandRequest[] = [];
  readonly #outcomes = new Map<string, CommandOutcome>();
  readonly #eventListeners = new Set<(e: HeanEvent) => void>();
  readonly #alertListeners = new Set<(a: AlertEvent) => void>();
  readonly #options: FakeViewOptions;
  readonly symbols: readonly string[];

  now = T0 + 600_000;
  tradingState = "active";
  riskState: RiskState = "NORMAL";
  riskReasons: string[] = [];
  /** The last kill-switch trigger's reaction (null: it has sent no close). */
  killSwitchReactionMs: number | null = 42;
  ready = { ok: true, reasons: [] as string[] };
  statusThrows = false;
  /** The next submitCommand records the command, then fails (the engine took it, the answer is lost). */
  failNextCommand = false;
  equityPoints: { ts: number; equity: number }[];
  /** The run's trades and curve: a real EngineState fed the fake's marks and fills (see `#run`). */
  performanceReport: PerformanceReport = performanceReport(new RunPerformance(), dec("10000"), dec("10000"));
  /** Market trades for the candles: three per second along the price walk. */
  readonly candleBook = new CandleBook();
  strategyList: StrategyStateView[] = [];
  prices: Map<string, { ts: number; price: number }[]>;
  fills: FillView[];
  alerts: AlertEvent[] = [];
  positionList: PositionView[];
  orderList: OrderView[];
  venue: VenueHealthView = {
    connected: true,
    reconciled: true,
    streams: { public: true, private: true },
    circuitBreaker: "closed",
    missedFills: 2,
    reconciliationDifferences: 1,
    reconciliationRuns: 14,
    malformedMessages: { "ws.execution": 3 },
  };
  busView: BusView = {
    lanes: [
      { lane: "critical", depth: 0, capacity: 65536, utilisation: 0, published: 1843, delivered: 1843, dropped: 0, conflated: 0 },
      { lane: "market", depth: 37, capacity: 4096, utilisation: 37 / 4096, published: 912_334, delivered: 911_021, dropped: 1276, conflated: 48_112 },
    ],
    droppedByType: { "market.book": 1201, "market.trade": 75 },
    deadLetters: 1,
    recentDeadLetters: [{ ts: T0 + 300_000, eventType: "signal", handler: "strategy:impulse", error: "TypeError: x is undefined" }],
    eventLoopLagMs: { p50: 0.4, p99: 3.1, max: 11.7 },
  };

  constructor(options: FakeViewOptions = {}) {
    this.#options = options;
    this.symbols = options.symbols ?? ["BTCUSDT", "ETHUSDT"];
    this.equityPoints = walk(10_000, 600, 1000, 0.0008, 7).map((p) => ({ ts: p.ts, equity: p.v }));
    this.prices = new Map(
      this.symbols.map((s, i) => [s, walk(i === 0 ? 97_000 : 3_400, 600, 1000, 0.0009, 11 + i).map((p) => ({ ts: p.ts, price: p.v }))]),
    );
    const btc = this.prices.get(this.symbols[0]!)!;
    this.fills = [120, 260, 410, 530].map((i, n) => ({
      fillId: `F${n + 1}`,
      clientOrderId: `hean-${n + 1}`,
      symbol: this.symbols[0]!,
      side: n % 2 === 0 ? ("buy" as const) : ("sell" as const),
      price: btc[i]!.price.toFixed(1),
      qty: "0.010",
      fee: "0.19",
      liquidity: n === 3 ? ("taker" as const) : ("maker" as const),
      ts: btc[i]!.ts,
    }));
    this.#run(btc);
    for (const [symbol, points] of this.prices) {
      points.forEach((p, i) => {
        for (const [dt, k] of [[0, 0.9999], [350, 1.0002], [800, 1]] as const) this.candleBook.addTrade(symbol, p.ts + dt, p.price * k, 0.001 * (1 + (i % 5)));
      });
    }
    this.strategyList = [
      {
        id: "impulse",
        state: "in-position",
        capitalShare: 1,
        signals: 4,
        lastSignal: { ts: btc[530]!.ts, symbol: this.symbols[0]!, action: "open", side: "buy", confidence: 0.62, reason: "impulse up 0.31% in 4 s, spread 1.2 bps" },
        lastDenial: { ts: btc[300]!.ts, symbol: this.symbols[0]!, code: "MAX_OPEN_ORDERS", message: "3 orders already working" },
        disabled: null,
        open: [{ symbol: this.symbols[0]!, direction: "long", qty: "0.01", entryPrice: "97105.5", openedAt: T0 + 530_000 }],
        closedTrades: this.performanceReport.trades.closed.length,
        wins: this.performanceReport.trades.closed.filter((t) => Number(t.netPnl) > 0).length,
        netPnl: this.performanceReport.trades.bySymbol[0]?.netPnl ?? "0",
      },
      {
        id: "scalper",
        state: "disabled",
        capitalShare: 0.5,
        signals: 1,
        lastSignal: null,
        lastDenial: null,
        disabled: { ts: T0 + 400_000, problem: "onBook threw TypeError: x is undefined (at /srv/strategies/scalper.ts:12:7)" },
        open: [],
        closedTrades: 0,
        wins: 0,
        netPnl: "0",
      },
    ];
    this.positionList = [
      { symbol: this.symbols[0]!, qty: "0.010", avgPrice: "97105.5", markPrice: "97230.1", unrealizedPnl: "1.246", realizedPnl: "12.5", openedAt: T0 + 530_000 },
      { symbol: this.symbols[1] ?? "ETHUSDT", qty: "0", avgPrice: "0", markPrice: "3401.2", unrealizedPnl: "0", realizedPnl: "-3.1", openedAt: null },
    ];
    this.orderList = [
      {
        clientOrderId: "hean-7",
        venueOrderId: "V-889",
        symbol: this.symbols[0]!,
        side: "sell",
        orderType: "limit",
        price: "97400.0",
        qty: "0.010",
        filledQty: "0",
        status: "open",
        reduceOnly: true,
        purpose: "exit",
        createdAt: T0 + 560_000,
      },
    ];
    this.alerts = [
      { type: "alert", ts: T0 + 200_000, severity: "warning", code: "BUS_LANE_80", message: "market lane above 80% for 2 s", context: {} },
      { type: "alert", ts: T0 + 400_000, severity: "info", code: "RECONCILED", message: "reconciliation found 1 difference", context: {} },
    ];
  }

  /**
   * The engine's own arithmetic over the fake's history: a mark every second along the BTC walk,
   * the four fills as orders (buy, sell, buy, sell: two closed trades), so the performance report,
   * its equity curve and the status figures agree like the real engine's.
   */
  #run(btc: readonly { ts: number; price: number }[]): void {
    const st = new EngineState(dec("10000"));
    const fillAt = new Map(this.fills.map((f) => [f.ts, f]));
    for (const p of btc) {
      const half = p.price * 0.00001;
      st.apply({ type: "mark", ts: p.ts, symbol: this.symbols[0]!, bid: dec((p.price - half).toFixed(2)), ask: dec((p.price + half).toFixed(2)) });
      const f = fillAt.get(p.ts);
      if (f === undefined) continue;
      const id = f.clientOrderId!;
      st.apply(intent(id, { ts: p.ts, side: f.side, symbol: f.symbol, strategyId: "impulse", purpose: f.side === "buy" ? "entry" : "exit", qty: dec(f.qty) }));
      st.apply({ ...submitted(id), ts: p.ts });
      st.apply({ ...accepted(id), ts: p.ts });
      st.apply(engineFill(f.fillId, id, f.qty, f.price, { side: f.side, symbol: f.symbol, fee: dec(f.fee), liquidity: f.liquidity, ts: p.ts, venueTs: p.ts }));
    }
    this.performanceReport = performanceReport(st.performance, st.portfolio.capitalIn, st.portfolio.equity());
    this.equityPoints = st.performance.equityCurve().map((p) => ({ ts: p.ts, equity: toNumber(p.equity) }));
    this.runEquity = format(st.portfolio.equity());
  }

  /** Equity at the end of the fake run (decimal string), what /api/status shows. */
  runEquity = "10000";

  status(): StatusView {
    if (this.statusThrows) throw new Error("engine is starting");
    return {
      mode: "paper",
      venue: "sim",
      symbols: this.symbols,
      strategy: "impulse",
      strategies: this.strategyList.map((s) => ({ id: s.id, disabled: s.disabled !== null })),
      startedAt: T0,
      now: this.now,
      tradingState: this.tradingState,
      cash: "9990.50",
      equity: this.runEquity,
      realizedPnl: "9.4",
      unrealizedPnl: "1.246",
      fees: "0.76",
      riskState: this.riskState,
      riskReasons: this.riskReasons,
      journal: { path: "/tmp/journal.sqlite", events: 4211 },
      ready: this.ready,
    };
  }

  positions(): readonly PositionView[] {
    return this.positionList;
  }

  orders(): readonly OrderView[] {
    return this.orderList;
  }

  recentFills(limit: number): readonly FillView[] {
    return this.fills.slice(-limit);
  }

  risk(): RiskView {
    return {
      state: this.riskState,
      reasons: this.riskReasons,
      tradingState: this.tradingState,
      drawdownPct: 1.8,
      dailyLossPct: 0.4,
      accountDivergence: 0,
      killSwitch: {
        active: this.tradingState === "halted",
        reason: this.tradingState === "halted" ? "OPERATOR_STOP" : null,
        triggeredAt: null,
        flatAt: null,
        reactionMs: this.killSwitchReactionMs,
      },
      deniedByCode: { MAX_OPEN_ORDERS: 3, PRICE_BAND: 1 },
    };
  }

  bus(): BusView {
    return this.busView;
  }

  equityHistory(): readonly { ts: number; equity: number }[] {
    return this.equityPoints;
  }

  performance(): PerformanceReport {
    return this.performanceReport;
  }

  candles(symbol: string, interval: CandleInterval, limit: number): CandlesView {
    return { symbol, interval, source: this.candleBook.source(symbol), candles: this.candleBook.candles(symbol, interval, limit) };
  }

  strategies(): readonly StrategyStateView[] {
    return this.strategyList;
  }

  priceHistory(symbol: string): readonly { ts: number; price: number }[] {
    return this.prices.get(symbol) ?? [];
  }

  recentAlerts(limit: number): readonly AlertEvent[] {
    return this.alerts.slice(-limit);
  }

  async submitCommand(request: CommandRequest): Promise<CommandOutcome> {
    const known = this.commands.find((c) => c.commandId === request.commandId);
    if (known !== undefined && commandPayload(known.command, known.args) !== commandPayload(request.command, request.args)) {
      throw new HeanError("COMMAND_CONFLICT", `commandId ${request.commandId} was already used for ${known.command}`, { earlier: known.command });
    }
    const earlier = this.#outcomes.get(request.commandId);
    if (earlier !== undefined) return { ...earlier, duplicate: true };
    this.commands.push(request);
    if (this.#options.commandDelayMs !== undefined) await new Promise((r) => setTimeout(r, this.#options.commandDelayMs));
    if (this.#options.failCommands === true) throw new Error("journal write failed");
    if (this.failNextCommand) {
      this.failNextCommand = false;
      throw new Error("the answer was lost");
    }
    let outcome: CommandOutcome;
    switch (request.command) {
      case "stop":
        this.tradingState = "halted";
        outcome = { commandId: request.commandId, ok: true, message: "trading halted; new exposure blocked", duplicate: false };
        break;
      case "resume":
        if (this.riskState === "HARD_STOP") {
          outcome = { commandId: request.commandId, ok: false, message: "HARD_STOP needs reset-hard-stop first", duplicate: false };
        } else {
          this.tradingState = "active";
          outcome = { commandId: request.commandId, ok: true, message: "trading resumed", duplicate: false };
        }
        break;
      default:
        outcome = { commandId: request.commandId, ok: true, message: `${request.command} done`, duplicate: false };
    }
    this.#outcomes.set(request.commandId, outcome);
    this.emit({ type: "command.result", ts: this.now, commandId: request.commandId, ok: outcome.ok, message: outcome.message });
    return outcome;
  }

  onAlert(listener: (alert: AlertEvent) => void): () => void {
    this.#alertListeners.add(listener);
    return () => this.#alertListeners.delete(listener);
  }

  onEvent(listener: (event: HeanEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  venueHealth(): VenueHealthView {
    return this.venue;
  }

  get eventListenerCount(): number {
    return this.#eventListeners.size;
  }

  get alertListenerCount(): number {
    return this.#alertListeners.size;
  }

  emit(event: HeanEvent): void {
    for (const l of this.#eventListeners) l(event);
  }

  raise(alert: AlertEvent): void {
    this.alerts.push(alert);
    for (const l of this.#alertListeners) l(alert);
    this.emit(alert);
  }

  /** A book update for the charts and staleness metrics. */
  book(symbol: string, mid: number, ts = this.now): void {
    const half = mid * 0.00001;
    this.emit({
      type: "market.book",
      ts,
      symbol,
      bid: dec((mid - half).toFixed(2)),
      bidQty: dec("1"),
      ask: dec((mid + half).toFixed(2)),
      askQty: dec("1"),
      venueTs: ts,
      afterGap: false,
    });
  }
}
