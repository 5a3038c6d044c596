/**
 * The read side and the command door of a running engine, for the operator surfaces.
 * Snapshots are built on demand from the single writer's state; commands enter through the
 * inbox like any venue event, so they are journaled before they act (rule 2) and idempotent by
 * commandId: a resend of the same command gets the first outcome back; another command under a
 * known commandId is refused with COMMAND_CONFLICT and changes nothing (also across restarts:
 * the engine keeps each command's payload in its journaled state).
 */
import { type PerformanceReport, performanceReport } from "../report/run-performance.ts";
import { commandPayload } from "../core/command-payload.ts";
import { format, toNumber } from "../core/decimal.ts";
import { HeanError, describeError } from "../core/errors.ts";
import type { AlertEvent, HeanEvent } from "../core/events.ts";
import { killSwitchSummary } from "../engine/engine-state.ts";
import { avgPrice, unrealizedPnl } from "../portfolio/position.ts";
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
} from "../control/engine-view.ts";
import { CandleBook, type CandleInterval } from "../control/candles.ts";
import { StrategyTracker } from "../control/strategy-tracker.ts";
import type { ReadinessInput, Runtime } from "./runtime.ts";

const HISTORY = 3_600;
const RECENT = 500;

export class RuntimeView implements EngineView {
  readonly #rt: Runtime;
  readonly #prices = new Map<string, { ts: number; price: number }[]>();
  readonly #fills: FillView[] = [];
  readonly #alerts: AlertEvent[] = [];
  readonly #alertListeners = new Set<(a: AlertEvent) => void>();
  readonly #eventListeners = new Set<(e: HeanEvent) => void>();
  /** Commands published but not yet answered, with everyone waiting for their outcome. */
  readonly #pendingCommands = new Map<string, PendingCommand>();
  /** Set once the runtime has stopped: its intake is closed and no command is applied any more. */
  #stopped = false;
  readonly #readiness: ReadinessInput;
  readonly #candles = new CandleBook();
  readonly #strategies = new StrategyTracker();
  #lastSampleAt = -Infinity;

  constructor(rt: Runtime, readiness: ReadinessInput = {}) {
    this.#rt = rt;
    this.#readiness = readiness;
    rt.outbox.subscribe("view", (e) => this.#onEvent(e));
    const sampler = rt.clock.setInterval(() => this.#sample(), 1_000);
    void rt.done.then(() => {
      sampler.cancel();
      // The engine's intake is closed: a command still waiting will never be answered by it.
      this.#stopped = true;
      for (const [commandId, pending] of this.#pendingCommands) for (const fail of pending.failures) fail(stoppedError(commandId, pending.command));
      this.#pendingCommands.clear();
    });
  }

  status(): StatusView {
    const { config, engine, clock } = this.#rt;
    const p = engine.state.portfolio;
    const ready = this.#ready();
    return {
      mode: config.mode,
      venue: config.venue,
      symbols: config.symbols,
      // Several strategies: their ids (`strategies[]`); one: its name.
      strategy: config.strategies.length > 0 ? this.#rt.trading.slots.map((s) => s.id).join(",") : config.strategy.name,
      strategies: this.#rt.trading.slots.map((s) => ({ id: s.id, disabled: s.disabled !== undefined })),
      startedAt: this.#rt.startedAt,
      now: clock.now(),
      tradingState: this.#tradingState(),
      cash: format(p.cash),
      equity: format(p.equity()),
      realizedPnl: format(p.realizedPnl),
      unrealizedPnl: format(p.unrealizedPnl()),
      fees: format(p.fees),
      riskState: engine.state.risk.state,
      riskReasons: engine.state.risk.reasons,
      journal: { path: engine.journal.path, events: engine.journal.lastSeq() },
      ready,
    };
  }

  positions(): readonly PositionView[] {
    const p = this.#rt.engine.state.portfolio;
    return p.positions().map((pos) => {
      const m = p.mark(pos.symbol);
      const markPrice = m === undefined ? null : format(pos.qty >= 0n ? m.bid : m.ask);
      return {
        symbol: pos.symbol,
        qty: format(pos.qty),
        avgPrice: format(avgPrice(pos)),
        markPrice,
        unrealizedPnl: format(unrealizedPnl(pos, m?.bid, m?.ask)),
        realizedPnl: format(pos.realizedPnl),
        openedAt: pos.openedAt,
      };
    });
  }

  orders(): readonly OrderView[] {
    return this.#rt.engine.state.workingOrders().map((o) => ({
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId ?? null,
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      price: o.price === undefined ? null : format(o.price),
      qty: format(o.qty),
      filledQty: format(o.filledQty),
      status: o.status,
      reduceOnly: o.reduceOnly,
      purpose: o.purpose,
      createdAt: o.createdAt,
    }));
  }

  recentFills(limit: number): readonly FillView[] {
    return this.#fills.slice(-Math.max(0, limit));
  }

  risk(): RiskView {
    const s = this.#rt.engine.state;
    const m = this.#rt.risk.metrics();
    return {
      state: s.risk.state,
      reasons: s.risk.reasons,
      tradingState: this.#tradingState(),
      drawdownPct: m.drawdownPct,
      dailyLossPct: m.dailyLossPct,
      accountDivergence: m.accountDivergence,
      killSwitch: killSwitchSummary(s.killSwitch),
      deniedByCode: Object.fromEntries(s.deniedByCode),
    };
  }

  bus(): BusView {
    const inbox = this.#rt.inbox.stats();
    const outbox = this.#rt.outbox.stats();
    const letters = [...this.#rt.inbox.deadLetters(), ...this.#rt.outbox.deadLetters()].sort((a, b) => a.ts - b.ts);
    return {
      lanes: inbox.lanes.map((l) => ({
        lane: l.lane,
        depth: l.depth,
        capacity: l.capacity,
        utilisation: l.utilisation,
        published: l.published,
        delivered: l.delivered,
        dropped: l.dropped,
        conflated: l.conflated,
      })),
      droppedByType: inbox.droppedByType,
      deadLetters: inbox.deadLetters + outbox.deadLetters,
      recentDeadLetters: letters.slice(-20).map((d) => ({ ts: d.ts, eventType: d.eventType, handler: d.handler, error: d.error.message })),
      eventLoopLagMs: this.#rt.lag.last(),
    };
  }

  /** The engine's own equity curve (the run performance every report reads), not a sampler of its own. */
  equityHistory(): readonly { ts: number; equity: number }[] {
    return this.#rt.engine.state.performance.equityCurve().map((p) => ({ ts: p.ts, equity: toNumber(p.equity) }));
  }

  performance(): PerformanceReport {
    const { state } = this.#rt.engine;
    return performanceReport(state.performance, state.portfolio.capitalIn, state.portfolio.equity());
  }

  candles(symbol: string, interval: CandleInterval, limit: number): CandlesView {
    return { symbol, interval, source: this.#candles.source(symbol), candles: this.#candles.candles(symbol, interval, limit) };
  }

  strategies(): readonly StrategyStateView[] {
    const running = this.#rt.trading.slots.map((s) => ({ id: s.id, capitalShare: s.capitalShare, disabled: s.disabled === undefined ? undefined : { ts: s.disabled.at, problem: s.disabled.problem } }));
    return this.#strategies.view(running, this.#tradingState(), this.performance());
  }

  priceHistory(symbol: string): readonly { ts: number; price: number }[] {
    return this.#prices.get(symbol) ?? [];
  }

  recentAlerts(limit: number): readonly AlertEvent[] {
    return this.#alerts.slice(-Math.max(0, limit));
  }

  /**
   * Resolves with the command's outcome (`duplicate` when its commandId was answered or is being
   * answered already); rejects with COMMAND_CONFLICT, before anything is published, when the
   * commandId is known with another payload, with JOURNAL_IO when the journal has failed, and with
   * BUS_CLOSED once the engine has stopped (also for a command still waiting when it stops).
   */
  async submitCommand(request: CommandRequest): Promise<CommandOutcome> {
    const { engine, inbox, clock } = this.#rt;
    const payload = commandPayload(request.command, request.args);
    const seen = engine.state.commands.get(request.commandId);
    const pending = this.#pendingCommands.get(request.commandId);
    const earlier = seen ?? pending;
    if (earlier !== undefined && earlier.payload !== payload) {
      const what = earlier.command === request.command ? `${earlier.command} with other arguments` : earlier.command;
      throw new HeanError(
        "COMMAND_CONFLICT",
        `commandId ${request.commandId} was already used for ${what}; nothing was done: send this ${request.command} with a new commandId`,
        { commandId: request.commandId, earlier: earlier.command, refused: request.command },
      );
    }
    if (seen?.result !== undefined) {
      return this.#durable(request, { commandId: request.commandId, ok: seen.result.ok, message: seen.result.message, duplicate: true });
    }
    if (this.#stopped) throw stoppedError(request.commandId, request.command);
    // Journal before effect: a command that cannot be journaled is not applied, and is refused at
    // once rather than answered as if it had been (the bus keeps it pending for the next run).
    const failure = engine.journalFailure;
    if (failure !== undefined && earlier === undefined) {
      throw new HeanError(
        "JOURNAL_IO",
        `the journal has failed (${failure}): ${request.command} cannot be journaled and was not applied; the engine sends no orders; restart it once the journal is writable`,
        { commandId: request.commandId, command: request.command },
      );
    }
    const outcome = new Promise<CommandOutcome>((resolve, reject) => {
      const waiting = pending ?? { command: request.command, payload, waiters: [], failures: [] };
      waiting.waiters.push((o) => resolve({ ...o, duplicate: o.duplicate || earlier !== undefined }));
      waiting.failures.push(reject);
      this.#pendingCommands.set(request.commandId, waiting);
    });
    if (earlier === undefined) {
      inbox.publish({
        type: "command",
        ts: clock.now(),
        commandId: request.commandId,
        command: request.command,
        source: request.source,
        args: request.args,
      });
    }
    return this.#durable(request, await outcome);
  }

  /**
   * The outcome, once the command and its result are durable: an operator told "stopped" must not
   * find, after a crash in the next millisecond, an engine that never heard of it (the engine acts
   * in the same turn; only the answer waits for the journal, as the command bus's does).
   */
  async #durable(request: CommandRequest, outcome: CommandOutcome): Promise<CommandOutcome> {
    try {
      await this.#rt.engine.flush();
    } catch (e) {
      // A stopped runtime flushed everything before closing its journal.
      if (this.#stopped) return outcome;
      throw new HeanError(
        "JOURNAL_IO",
        `${request.command} was applied (${outcome.message}) but the journal could not make it durable (${describeError(e).message}): it is lost if hean restarts`,
        { commandId: request.commandId, command: request.command },
      );
    }
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
    return (
      this.#readiness.venueHealth?.() ?? {
        connected: true,
        reconciled: true,
        streams: { market: true, orders: true },
        circuitBreaker: "closed",
        missedFills: 0,
        reconciliationDifferences: 0,
        reconciliationRuns: 0,
        malformedMessages: {},
      }
    );
  }

  /** As the pre-trade check has it: a failed journal halts everything (the executor sends nothing). */
  #tradingState(): ReturnType<RuntimeView["status"]>["tradingState"] {
    const { engine } = this.#rt;
    return engine.journalFailure === undefined ? engine.state.tradingState() : "halted";
  }

  #ready(): { ok: boolean; reasons: string[] } {
    const reasons: string[] = [];
    const health = this.venueHealth();
    if (!health.connected) reasons.push("venue not connected");
    if (!health.reconciled) reasons.push("venue not reconciled");
    if (this.#rt.engine.journalFailure !== undefined) reasons.push(`journal failing: ${this.#rt.engine.journalFailure}`);
    return { ok: reasons.length === 0, reasons };
  }

  #onEvent(e: HeanEvent): void {
    switch (e.type) {
      case "market.trade":
        this.#candles.addTrade(e.symbol, e.ts, toNumber(e.price), toNumber(e.qty));
        break;
      case "market.book":
        if (this.#candles.source(e.symbol) !== "trades") this.#candles.addMid(e.symbol, e.ts, (toNumber(e.bid) + toNumber(e.ask)) / 2);
        break;
      case "signal":
      case "order.denied":
        this.#strategies.apply(e);
        break;
      case "order.filled":
        push(this.#fills, {
          fillId: e.fillId,
          clientOrderId: e.clientOrderId ?? null,
          symbol: e.symbol,
          side: e.side,
          price: format(e.price),
          qty: format(e.qty),
          fee: format(e.fee),
          liquidity: e.liquidity,
          ts: e.ts,
        }, RECENT);
        break;
      case "alert":
        push(this.#alerts, e, RECENT);
        for (const l of this.#alertListeners) safely(() => l(e));
        break;
      case "command.result": {
        const pending = this.#pendingCommands.get(e.commandId);
        this.#pendingCommands.delete(e.commandId);
        for (const answer of pending?.waiters ?? []) answer({ commandId: e.commandId, ok: e.ok, message: e.message, duplicate: false });
        break;
      }
      default:
        break;
    }
    for (const l of this.#eventListeners) safely(() => l(e));
  }

  #sample(): void {
    const { engine, clock, config } = this.#rt;
    const now = clock.now();
    if (now - this.#lastSampleAt < 900) return;
    this.#lastSampleAt = now;
    for (const s of config.symbols) {
      const m = engine.state.portfolio.mark(s);
      if (m === undefined) continue;
      let list = this.#prices.get(s);
      if (list === undefined) this.#prices.set(s, (list = []));
      push(list, { ts: now, price: (toNumber(m.bid) + toNumber(m.ask)) / 2 }, HISTORY);
    }
  }
}

interface PendingCommand {
  readonly command: CommandRequest["command"];
  readonly payload: string;
  readonly waiters: ((o: CommandOutcome) => void)[];
  /** Told when the engine stops before answering. */
  readonly failures: ((e: Error) => void)[];
}

/** A command the stopped engine will never take: refused, never left waiting (the bus keeps it for the next run). */
function stoppedError(commandId: string, command: CommandRequest["command"]): HeanError {
  return new HeanError("BUS_CLOSED", `the engine has stopped taking commands (it is shutting down): ${command} was not applied; send it again with the same commandId once it runs`, {
    commandId,
    command,
  });
}

function push<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

/** A listener that throws must not take the engine's outbox down with it. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* observers are best effort */
  }
}
