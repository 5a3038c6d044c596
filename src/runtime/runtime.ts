/**
 * The composition root: journal → replay → engine → venue → risk → strategies, and the orderly
 * way back down. Paper trading, tests and benchmarks all run this same code; only the venue and
 * the clock differ.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Clock, RealClock, type TimerHandle } from "../core/clock.ts";
import { type Dec, dec, format, sub } from "../core/decimal.ts";
import { HeanError, describeError, isHeanError } from "../core/errors.ts";
import type { AlertEvent, BookEvent, HeanEvent } from "../core/events.ts";
import { BUILTIN_INSTRUMENTS, type Instrument, InstrumentRegistry, assertListed, sameRules } from "../core/instrument.ts";
import { type DispatchMode, EventBus } from "../bus/event-bus.ts";
import { LoopLagMonitor } from "../bus/loop-lag.ts";
import type { HeanConfig } from "../config/config.ts";
import { Engine } from "../engine/engine.ts";
import type { JournalPort } from "../engine/journal-port.ts";
import { type ReplayReport, replayJournal } from "../engine/replay.ts";
import { Executor } from "../execution/executor.ts";
import { Router } from "../execution/router/router.ts";
import { describeLoss } from "../journal/loss.ts";
import { SqliteJournal } from "../journal/sqlite-journal.ts";
import type { LossPolicy, Recovery } from "../journal/types.ts";
import { KillSwitch } from "../risk/kill-switch.ts";
import { RiskController } from "../risk/risk-controller.ts";
import type { VenueHealthInput } from "../risk/venue-health.ts";
import { singleStrategySpec } from "../config/strategies-config.ts";
import { withStrategyLimits } from "../risk/position-monitor.ts";
import { buildStrategies } from "../strategies/build.ts";
import type { PlacedStrategy } from "../strategies/spec.ts";
import type { Strategy } from "../strategies/strategy.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import type { Venue } from "../execution/venue-port.ts";
import { venueEntry } from "../venues/registry.ts";
import type { LiveCredentials, LiveVenueParts, PaperVenueFactory } from "../venues/venue.ts";
import { PaperVenue } from "../venues/sim/paper-venue.ts";
import type { EngineStateView } from "../engine/engine-state-view.ts";
import { settleForPaperRestart } from "./paper-restore.ts";
import { SnapshotKeeper } from "../engine/snapshot-keeper.ts";
import { type RunReport, buildReport } from "./report.ts";
import { TradingLoop } from "./trading-loop.ts";
import { statusLine } from "./status-line.ts";
import type { VenueHealthView } from "../control/engine-view.ts";

export interface ReadinessInput {
  /** Venue facts from a live adapter; the simulated venue is always connected and reconciled. */
  venueHealth?(): VenueHealthView;
}

export interface RuntimeOptions {
  readonly config: HeanConfig;
  readonly clock?: Clock;
  /** Inbox dispatch: async in production; sync for deterministic tests on a SimClock. */
  readonly busMode?: DispatchMode;
  /** A venue built elsewhere (live adapters, tests); default: the simulated venue. */
  readonly venue?: Venue;
  readonly venueHealth?: VenueHealthInput;
  /** Live mode: the venue's API keys. Never needed, never read, in paper mode. */
  readonly live?: LiveCredentials;
  /** Journal to use instead of opening `config.journal.path` (tests). */
  readonly journal?: JournalPort;
  /** A damaged journal: refuse to start (default) or, on the operator's word, cut it back and reconcile. */
  readonly journalLoss?: LossPolicy;
  readonly onAlert?: (alert: AlertEvent) => void;
  /** Strategies to run instead of the configured ones (benchmarks, tests, backtests): bare ones run on every symbol with all of the capital. */
  readonly strategies?: readonly (Strategy | PlacedStrategy)[];
  /**
   * Snapshot the engine state into the journal, every `journal.snapshotEvery` records and at the
   * stop (default true). Snapshots only shorten the next boot from this journal: a journal thrown
   * away when the run ends (a backtest's temporary one) has no next boot, and skips them.
   */
  readonly snapshots?: boolean;
  /** Latency probes for benchmarks. */
  readonly onIntent?: (book: BookEvent) => void;
  readonly onHandedToVenue?: (clientOrderId: string) => void;
}

export class Runtime {
  readonly config: HeanConfig;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly inbox: EventBus;
  readonly outbox: EventBus;
  readonly venue: Venue;
  readonly executor: Executor;
  /** Maker-first routing of strategy orders (the kill switch and force-closes go straight to the executor). */
  readonly router: Router;
  readonly killSwitch: KillSwitch;
  readonly risk: RiskController;
  readonly trading: TradingLoop;
  readonly instruments: InstrumentRegistry;
  readonly lag: LoopLagMonitor;
  /** Takes the periodic snapshots off the trading thread (undefined: the engine takes them). */
  readonly snapshotKeeper: SnapshotKeeper | undefined;
  readonly replay: ReplayReport;
  readonly startedAt: number;
  /** Venue facts for /ready and metrics (live venues); undefined for the simulated venue. */
  readonly venueReadiness: ReadinessInput | undefined;
  readonly #timers: TimerHandle[] = [];
  #stopping: Promise<RunReport> | undefined;
  #resolveDone!: (r: RunReport) => void;
  /** Whether this run snapshots its state into the journal (`RuntimeOptions.snapshots`). */
  readonly #snapshots: boolean;
  /** Resolves with the final report once the runtime has stopped, however it was stopped. */
  readonly done: Promise<RunReport> = new Promise((resolve) => (this.#resolveDone = resolve));

  private constructor(
    options: RuntimeOptions,
    journal: JournalPort,
    replay: ReturnType<typeof replayJournal>,
    liveVenue: LiveVenueFactory | undefined,
    paperVenue: PaperVenueFactory | undefined,
    strategies: readonly (Strategy | PlacedStrategy)[],
  ) {
    const { config } = options;
    this.config = config;
    this.clock = options.clock ?? new RealClock();
    this.startedAt = this.clock.now();
    this.replay = replay.report;
    // Filled with the venue's listing at boot, before anything trades (`#readListing`, `#useListing`).
    this.instruments = new InstrumentRegistry([]);
    this.inbox = new EventBus({
      clock: this.clock,
      mode: options.busMode ?? "async",
      marketCapacity: config.bus.marketCapacity,
      criticalCapacity: config.bus.criticalCapacity,
    });
    this.outbox = new EventBus({ clock: this.clock, mode: "sync" });
    const alert = (severity: AlertEvent["severity"], code: string, message: string, context: Record<string, unknown>): void => {
      this.engine.record({ type: "alert", ts: this.clock.now(), severity, code, message, context });
    };
    // Before the engine changes anything: the keeper starts from the state as replayed.
    this.#snapshots = options.snapshots ?? true;
    this.snapshotKeeper = this.#snapshots
      ? SnapshotKeeper.start(journal, {
          state: replay.state,
          stateOptions: engineStateOptions(config),
          snapshotEvery: config.journal.snapshotEvery,
          onStopped: (reason) => {
            this.engine.setPeriodicSnapshots(true);
            if (this.#stopping === undefined) alert("warning", "SNAPSHOT_KEEPER_STOPPED", `snapshots are taken on the trading thread again: ${reason}`, { reason });
          },
          onReport: (report) => {
            if (report.t === "refused") alert("warning", "SNAPSHOT_FAILED", `snapshot at seq ${report.seq} not stored: ${report.message}`, { seq: report.seq });
          },
        })
      : undefined;
    this.engine = new Engine({
      state: replay.state,
      journal,
      inbox: this.inbox,
      outbox: this.outbox,
      clock: this.clock,
      markIntervalMs: config.journal.markIntervalMs,
      snapshotEvery: config.journal.snapshotEvery,
    });
    this.engine.setPeriodicSnapshots(this.#snapshots && this.snapshotKeeper === undefined);
    const live = options.venue === undefined ? liveVenue?.(replay.state, this.clock, journal.journalId) : undefined;
    this.venue = options.venue ?? live?.venue ?? paperVenue?.(config, this.clock) ?? this.#simVenue();
    this.venueReadiness = live === undefined ? undefined : { venueHealth: () => live.health.view() };
    const venueHealth = options.venueHealth ?? live?.health;
    const preTrade: ConstructorParameters<typeof Executor>[0]["preTrade"] = (o) => this.risk.preTrade(o);
    this.executor = new Executor({
      engine: this.engine,
      venue: this.venue,
      clock: this.clock,
      preTrade,
      sendCheck: (o) => this.risk.sendCheck(o),
      ...(options.onHandedToVenue !== undefined ? { onHandedToVenue: options.onHandedToVenue } : {}),
    });
    this.killSwitch = new KillSwitch({
      engine: this.engine,
      executor: this.executor,
      venue: this.venue,
      clock: this.clock,
      instruments: this.instruments,
      slippageBps: config.risk.killSwitchSlippageBps,
      staleDataMs: config.risk.staleDataMs,
      onAlert: alert,
    });
    this.risk = new RiskController({
      engine: this.engine,
      outbox: this.outbox,
      executor: this.executor,
      killSwitch: this.killSwitch,
      clock: this.clock,
      // Each strategy's own max hold and horizon (`strategies[]`) over the account-wide ones.
      config: withStrategyLimits(config.risk, strategies.flatMap((s) => ("strategy" in s ? [{ id: s.strategy.id, maxHoldMs: s.maxHoldMs, horizonUtc: s.horizonUtc }] : []))),
      instruments: this.instruments,
      symbols: config.symbols,
      ...(venueHealth !== undefined ? { venueHealth } : {}),
      onAlert: alert,
    });
    this.router = new Router({
      engine: this.engine,
      executor: this.executor,
      outbox: this.outbox,
      clock: this.clock,
      instruments: this.instruments,
      config: config.execution,
    });
    this.trading = new TradingLoop({
      engine: this.engine,
      router: this.router,
      execution: config.execution,
      outbox: this.outbox,
      clock: this.clock,
      instruments: this.instruments,
      strategies,
      symbols: config.symbols,
      risk: config.risk,
      ...(options.onIntent !== undefined ? { onIntent: options.onIntent } : {}),
    });
    if (options.onAlert !== undefined) this.outbox.subscribe("alerts", (e) => options.onAlert!(e as AlertEvent), ["alert"]);
    this.lag = new LoopLagMonitor({
      thresholdMs: config.bus.loopLagAlertMs,
      onAlert: (lag) => alert("warning", "EVENT_LOOP_LAG", `event loop lag ${lag.max.toFixed(1)} ms`, { ...lag }),
    });
  }

  /** Open the journal, replay it, connect the venue and start trading. */
  static async start(options: RuntimeOptions): Promise<Runtime> {
    const rt = await Runtime.open(options);
    await rt.boot();
    return rt;
  }

  /**
   * Open the journal and replay it; nothing connects yet. `stop()` works from here on, so a
   * signal or `--duration` during `boot()` stops it cleanly, with a report.
   */
  static async open(options: RuntimeOptions): Promise<Runtime> {
    const { config } = options;
    assertSafeMode(config);
    // The live adapter (and its signer) is loaded only here, only in live mode.
    const liveVenue = config.mode === "live" && options.venue === undefined ? await loadLiveVenue(config, options) : undefined;
    // Paper trading on a real venue's public data (no keys, nothing private).
    const paperLoader = config.mode === "paper" && options.venue === undefined ? venueEntry(config.venue).loadPaper : undefined;
    const paperVenue = paperLoader === undefined ? undefined : await paperLoader();
    // Strategy files are loaded and checked here, before the journal opens: a bad one changes nothing.
    const strategies = options.strategies ?? (await configuredStrategies(config));
    const journal = options.journal ?? openJournal(config, options.journalLoss ?? "refuse");
    try {
      const replay = replayJournal(journal, config.initialCash, engineStateOptions(config));
      assertHeldSymbolsTraded(config.symbols, replay.state.portfolio.openPositions());
      return new Runtime(options, journal, replay, liveVenue, paperVenue, strategies);
    } catch (e) {
      // The journal's writer thread would keep the process alive forever after a failed start.
      journal.close();
      throw e;
    }
  }

  /**
   * Connect the venue, reconcile, start trading. When the start fails (keys refused, venue
   * unreachable past its boot deadline) or a stop interrupts it, the runtime stops (the report
   * is in `done`) and this rejects with the reason.
   */
  async boot(): Promise<void> {
    try {
      await this.#boot(this.engine.journal);
    } catch (e) {
      const interrupted = this.#stopping !== undefined;
      await this.stop(`start failed: ${describeError(e).message}`);
      if (interrupted && !isHeanError(e, "VENUE_AUTH_FAILED")) {
        throw new HeanError("START_ABORTED", `stopped before trading started (${this.#stopReason ?? "stop"})`, { cause: describeError(e).message });
      }
      throw e;
    }
  }

  #booted = false;
  #stopReason: string | undefined;
  /** Whether this run journaled its start: a start refused before it did leaves the journal as it found it. */
  #journaledStart = false;

  async #boot(journal: JournalPort): Promise<void> {
    const { engine, clock, config } = this;
    const fresh = journal.lastSeq() === 0;
    const recovery = (journal as Partial<SqliteJournal>).recovery;
    // Records a crash had left only in the kill switch's urgent file: said with the start.
    const urgentRestored = (journal as Partial<SqliteJournal>).urgentRestored ?? 0;
    const lossAccepted = recovery !== undefined && recovery.status !== "clean" ? recovery : undefined;
    // A start refused by the venue's listing (a symbol it does not list, or cannot be traded)
    // changed nothing and is not journaled: the listing is read before the start is recorded, and
    // the stop records nothing either (see `#journaledStart`). Unless the journal was cut back at
    // open (an accepted loss): that change is journaled with the start, refused or not.
    const listing = lossAccepted === undefined ? await this.#readListing() : undefined;
    this.#assertNotStopping();
    this.#journaledStart = true;
    if (lossAccepted !== undefined) {
      // The operator's decision is journaled with the start below (alerts are not journaled);
      // the venue start then reconciles (paper: the restart settlement; live: the boot
      // reconciliation) before anything trades.
      engine.record({
        type: "alert",
        ts: clock.now(),
        severity: "critical",
        code: "JOURNAL_LOSS_ACCEPTED",
        message: `journal damage accepted by the operator: ${describeLoss(lossAccepted.lost)} cut; reconciling with the venue before trading`,
        context: { ...lossAccepted, acceptedBy: ACCEPTED_BY },
      });
    }
    engine.record({
      type: "system.started",
      ts: clock.now(),
      detail: JSON.stringify({ mode: config.mode, venue: config.venue, symbols: config.symbols, strategy: config.strategy.name, ...(config.strategies.length > 0 ? { strategies: this.trading.slots.map((s) => s.id) } : {}), restart: !fresh, ...(urgentRestored > 0 ? { urgentRestored } : {}), ...lossDetail(lossAccepted) }),
      initialCash: fresh ? config.initialCash : undefined,
    });
    const listed = this.#useListing(listing ?? (await this.#readListing()), true);
    this.#assertNotStopping();
    if (this.venue instanceof SimVenue || this.venue instanceof PaperVenue) this.venue.restore(settleForPaperRestart(engine, clock));
    await engine.flush();
    this.#assertNotStopping();
    await this.venue.start((e: HeanEvent) => this.inbox.publish(e));
    this.#assertNotStopping();
    if (this.venue.reconcile !== undefined) {
      // A live venue outlived the last run: settle what the journal left in doubt, recover fills
      // and compare positions, and have the engine apply all of it before anything trades.
      await this.venue.reconcile("boot");
      this.inbox.drain();
      await engine.flush();
    }
    this.#assertNotStopping();
    // Once the venue answered its boot reconciliation, it can be asked for its listing too.
    if (!listed) this.#useListing(await this.#readListing(), false);
    this.#booted = true;
    this.risk.start();
    // After the venue is connected: a parent the journal left working may send its next leg at once.
    this.router.start();
    this.trading.start();
    this.killSwitch.resume();
    this.lag.start();
  }

  /**
   * The venue's rules for every listed symbol, asked before the venue starts: an unknown
   * configured symbol is refused at once, naming a listed one it may be a typo of. A venue that cannot be
   * asked yet is asked again once its start and boot reconciliation (which retry until its boot
   * deadline) have passed; if it still cannot, trading goes on the rules the journal holds for
   * every configured symbol. The traded symbols' rules are journaled whenever they changed.
   * Returns false when the listing is still to be read (after the start).
   */
  async #readListing(): Promise<Listing> {
    const { config, venue } = this;
    try {
      const listed = await venue.instruments();
      // Checked here, before anything is journaled: a symbol the venue does not list refuses the start.
      assertListed(venue.id, config.symbols, new InstrumentRegistry(listed));
      return { listed };
    } catch (e) {
      // The venue answered and refused a configured symbol: no journaled rules make it tradable.
      // A REST base that serves no such path (HTTP 404) will not serve the start either.
      if (isHeanError(e, "CONFIG_INVALID") || isHeanError(e, "VENUE_URL_NOT_FOUND")) throw e;
      return { failed: e };
    }
  }

  #useListing(listing: Listing, retry: boolean): boolean {
    const { engine, clock, config, venue } = this;
    let listed: readonly Instrument[];
    if ("listed" in listing) listed = listing.listed;
    else {
      const e = listing.failed;
      const missing = config.symbols.filter((s) => !engine.state.instruments.has(s));
      if (missing.length > 0) {
        if (retry) return false;
        throw new HeanError("VENUE_UNAVAILABLE", `cannot read ${venue.id}'s instruments (${describeError(e).message}) and the journal has no rules for ${missing.join(", ")}`, {
          venue: venue.id,
          missing,
        });
      }
      engine.record({
        type: "alert",
        ts: clock.now(),
        severity: "warning",
        code: "VENUE_INSTRUMENTS_JOURNALED",
        message: `cannot read ${venue.id}'s instruments (${describeError(e).message}): trading on the rules journaled last`,
        context: { venue: venue.id },
      });
      listed = [...engine.state.instruments.values()];
    }
    this.instruments.load(listed);
    assertListed(venue.id, config.symbols, this.instruments);
    const changed = config.symbols.map((s) => this.instruments.get(s)).filter((i) => {
      const before = engine.state.instruments.get(i.symbol);
      return before === undefined || !sameRules(before, i);
    });
    if (changed.length > 0) engine.record({ type: "venue.instruments", ts: clock.now(), venue: venue.id, instruments: changed });
    return true;
  }

  #simVenue(): SimVenue {
    const { config, engine } = this;
    // Continue from the last journaled marks, so a restarted market does not jump back to the seed's start.
    const startPrices: Record<string, ReturnType<typeof dec>> = {};
    for (const s of config.symbols) {
      const m = engine.state.portfolio.mark(s);
      if (m !== undefined) startPrices[s] = ((m.bid + m.ask) / 2n) as ReturnType<typeof dec>;
    }
    return new SimVenue({
      clock: this.clock,
      seed: config.seed + engine.state.eventsApplied,
      scenario: config.scenario,
      symbols: config.symbols,
      latency: { ackMs: config.sim.latencyMs, marketDataMs: config.sim.latencyMs, jitterMs: config.sim.jitterMs },
      startingBalance: config.initialCash,
      startPrices,
      updatesPerSecond: config.sim.updatesPerSecond,
    });
  }

  #assertNotStopping(): void {
    if (this.#stopping !== undefined) throw new HeanError("START_ABORTED", `stopped before trading started (${this.#stopReason ?? "stop"})`, {});
  }

  /**
   * Work started on this turn that waits on a promise: an intent on its commit (ordinary or the
   * kill switch's), a kill-switch check on the venue's positions. A backtest lets it finish
   * before it moves time on, as it would have finished long before the next tick live.
   */
  get inFlight(): boolean {
    return this.executor.sending || this.killSwitch.verifying;
  }

  /** Schedule a clean stop after `ms`. */
  stopAfter(ms: number): void {
    this.#timers.push(this.clock.setTimeout(() => void this.stop("duration elapsed"), ms));
  }

  /**
   * Stop intake, settle working orders as configured, journal the final marks, flush, snapshot,
   * close. Idempotent: a second call returns the same report.
   */
  stop(reason: string): Promise<RunReport> {
    this.#stopReason ??= reason;
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: string): Promise<RunReport> {
    const { engine, clock, config } = this;
    this.trading.stop();
    this.router.stop();
    for (const t of this.#timers) t.cancel();
    // Before the boot finished this process sent nothing: what the journal left working is the
    // venue's to report on the next start, not ours to wait for now.
    if (config.shutdown.workingOrders === "cancel" && this.#booted) await this.#cancelWorking(config.shutdown.settleTimeoutMs);
    this.executor.close();
    // Intents recorded and waiting on their commit go out before the venue stops (else the
    // journal would say "submitted" for orders the stopped venue dropped).
    await this.executor.idle();
    this.inbox.drain();
    this.risk.stop();
    this.killSwitch.stop();
    this.lag.stop();
    await this.venue.stop();
    this.inbox.drain();
    // A start refused before it was journaled stops without a record: nothing happened to say.
    if (this.#journaledStart) {
      engine.recordMarks();
      engine.record({ type: "system.stopped", ts: clock.now(), detail: reason });
    }
    try {
      await engine.flush();
    } catch {
      /* already alerted; the journal keeps what it has */
    }
    await this.snapshotKeeper?.stop();
    if (this.#snapshots && this.#journaledStart) engine.snapshot();
    const report = this.report();
    engine.journal.close();
    this.inbox.close();
    this.#resolveDone(report);
    return report;
  }

  async #cancelWorking(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const working = this.engine.state.workingOrders();
      if (working.length === 0) return;
      for (const o of working) {
        if (o.status !== "PENDING_CANCEL" && o.status !== "PENDING_SUBMIT") this.executor.cancel(o.clientOrderId, "shutdown");
      }
      if (this.clock.now() >= deadline) {
        this.engine.record({
          type: "alert",
          ts: this.clock.now(),
          severity: "warning",
          code: "SHUTDOWN_ORDERS_WORKING",
          message: `${working.length} orders still working at shutdown`,
          context: { orders: working.map((o) => o.clientOrderId) },
        });
        return;
      }
      await new Promise<void>((r) => this.clock.setTimeout(r, 20));
      this.inbox.drain();
    }
  }

  report(): RunReport {
    return { ...buildReport(this.engine.state, { path: this.engine.journal.path, events: this.engine.journal.lastSeq() }), disabled: [...this.trading.disabled] };
  }

  /** One compact line for the terminal. */
  statusLine(): string {
    const s = this.engine.state;
    const p = s.portfolio;
    return statusLine({
      mode: this.config.mode,
      venue: this.config.venue,
      uptimeSeconds: Math.round((this.clock.now() - this.startedAt) / 1000),
      equity: p.equity(),
      pnl: sub(p.equity(), p.capitalIn),
      positions: this.config.symbols.map((symbol) => ({ symbol, qty: p.position(symbol).qty, instrument: this.instruments.find(symbol) })),
      orders: s.intentCount,
      fills: s.fillCount,
      riskState: s.risk.state,
      tradingState: s.tradingState(),
      lagP99Ms: this.lag.last().p99,
    });
  }
}

/** The venue's listing, or why it could not be read (then the journaled rules may serve). */
type Listing = { readonly listed: readonly Instrument[] } | { readonly failed: unknown };

const ACCEPTED_BY = "operator (--accept-journal-loss)";

const lossDetail = (recovery: Recovery | undefined): object => (recovery === undefined ? {} : { journalLossAccepted: { ...recovery, acceptedBy: ACCEPTED_BY } });

/** The configured strategies, built and checked (a strategy file is loaded here): `strategies[]`, else `strategy`. */
export function configuredStrategies(config: HeanConfig): Promise<PlacedStrategy[]> {
  return buildStrategies(config.strategies.length > 0 ? config.strategies : [singleStrategySpec(config.strategy)], config.symbols);
}

/**
 * A restart on fewer symbols than the journal holds positions in is refused before anything
 * connects: hean subscribes to the configured symbols only, so a held one got no market data,
 * looked stale after `risk.staleDataMs` and the kill switch flattened every position and halted
 * ("STALE_MARKET_DATA (ETHUSDT silent 10006 ms)"), which nobody asked for.
 */
function assertHeldSymbolsTraded(symbols: readonly string[], open: readonly { readonly symbol: string; readonly qty: Dec }[]): void {
  const held = open.filter((p) => !symbols.includes(p.symbol));
  if (held.length === 0) return;
  const named = held.map((p) => `${p.symbol} (${format(p.qty)})`).join(", ");
  throw new HeanError(
    "CONFIG_INVALID",
    `the journal holds positions in ${named}, which the run's symbols (${symbols.join(", ")}) do not include: hean would have no market data for them and its kill switch would flatten everything once they look stale; add them to --symbols (hean then reconciles and manages them), or close them first with the symbols they were traded with`,
    { held: held.map((p) => p.symbol), symbols: [...symbols] },
  );
}

/** The engine state's windows, as the config sets them: the replay and the snapshot keeper build the same state. */
function engineStateOptions(config: HeanConfig): Pick<HeanConfig["journal"], "recentTerminalOrders" | "rememberedOrders" | "rememberedFillIds"> {
  const { recentTerminalOrders, rememberedOrders, rememberedFillIds } = config.journal;
  return { recentTerminalOrders, rememberedOrders, rememberedFillIds };
}

function openJournal(config: HeanConfig, onLoss: LossPolicy): JournalPort {
  mkdirSync(dirname(config.journal.path), { recursive: true });
  return SqliteJournal.open(config.journal.path, { durability: config.journal.durability, onLoss });
}

function assertSafeMode(config: HeanConfig): void {
  const entry = venueEntry(config.venue);
  // The simulated venue lists the built-in instruments: unknown symbols fail here, before a
  // journal is created or anything runs. A real venue's listing is read at boot.
  if (config.venue === "sim") assertListed("sim", config.symbols, new InstrumentRegistry(BUILTIN_INSTRUMENTS));
  if (config.mode === "paper" && !entry.modes.includes("paper")) {
    throw new HeanError("CONFIG_INVALID", `venue ${config.venue} has no paper trading: use --venue sim`, {
      venue: config.venue,
    });
  }
  if (config.mode === "live") {
    if (!config.live.iUnderstandLiveTrading) {
      throw new HeanError("LIVE_NOT_CONFIRMED", "live trading needs --i-understand-live-trading (or live.iUnderstandLiveTrading in the config)", {});
    }
    if (!entry.modes.includes("live")) throw new HeanError("CONFIG_INVALID", `live mode needs a real venue (--venue bybit), not ${config.venue}`, { venue: config.venue });
  }
}

type LiveVenueFactory = (state: EngineStateView, clock: Clock, journalId: string) => LiveVenueParts;

async function loadLiveVenue(config: HeanConfig, options: RuntimeOptions): Promise<LiveVenueFactory> {
  const entry = venueEntry(config.venue);
  if (entry.loadLive === undefined) throw new HeanError("CONFIG_INVALID", `no live adapter for venue ${config.venue}`, { venue: config.venue });
  const credentials = options.live;
  if (credentials === undefined) {
    throw new HeanError("CONFIG_INVALID", `live trading on ${config.venue} needs API keys: set ${entry.secrets.join(" and ")} (or their _FILE twins)`, {});
  }
  const create = await entry.loadLive();
  return (state, clock, journalId) => create(config, credentials, state, clock, journalId);
}
