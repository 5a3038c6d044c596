/**
 * The stateful side of risk: it listens to what the engine applied and acts within the same turn.
 *
 * - Governor: evaluated on every equity change (each fill, each top-of-book move of a held
 *   symbol), never on a timer. Escalation to HARD_STOP triggers the kill switch at once.
 * - Position monitor: stop-loss/take-profit on every book of a held symbol; max hold and UTC
 *   horizons on a 250 ms watchdog (time passes without ticks, so these cannot wait for data).
 * - Staleness: a held symbol without a book for `staleDataMs` triggers the kill switch, from a
 *   timer set for the first moment the oldest held symbol can be stale (not a poll), so it acts
 *   in the turn the threshold passes. On any symbol that silent, working orders that could add
 *   exposure are cancelled (by that timer and the watchdog), and no new one passes the pre-trade
 *   or send check (reduce-only exits do).
 * - Rejection storms, and venue health (private stream, circuit breaker) fed by the venue.
 * - Account truth: each reconciled venue wallet snapshot is compared with the engine's cash; a
 *   divergence at or beyond `maxAccountDivergence` is alerted and is a governor input (see
 *   governor.ts). Funding and cash adjustments re-evaluate the governor like fills do.
 * - Operator commands: stop, resume, flatten, cancel-all, set-stoploss, reset-hard-stop, each
 *   answered by a journaled `command.result`.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { type Dec, ZERO, abs, add, format, mul, sub, toNumber } from "../core/decimal.ts";
import type { AccountSnapshotEvent, BookEvent, CommandEvent, FillEvent, ForceCloseReason, HeanEvent, RiskState } from "../core/events.ts";
import type { Instrument, InstrumentRegistry } from "../core/instrument.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { Engine } from "../engine/engine.ts";
import type { RiskReference } from "../engine/engine-state.ts";
import type { CandidateOrder, Executor, PreTradeCheck, SendCheck } from "../execution/executor.ts";
import type { RiskConfig } from "./config.ts";
import { type GovernorInput, evaluateGovernor, governorMetrics, resetHardStop } from "./governor.ts";
import type { KillSwitch } from "./kill-switch.ts";
import { type ForceCloseDecision, checkPosition } from "./position-monitor.ts";
import { checkPreTrade, isReduceOnlyExit } from "./pretrade.ts";
import { recordInWindow } from "./sliding-window.ts";
import { circuitOpenTooLong, privateStreamBlind, rejectionStorm } from "./triggers.ts";
import { exitLimitPrice } from "../execution/exit-price.ts";
import { silentFor, staleSymbols } from "./stale-data.ts";
import { utcDayStart } from "./utc-day.ts";
import type { VenueHealthInput } from "./venue-health.ts";


const STALE_RECHECK_WHILE_ACTIVE_MS = 250;

/** Rejections that mean "slow down", not "this order is wrong": they never count toward a storm. */
const THROTTLE_CODES: ReadonlySet<string> = new Set(["VENUE_CIRCUIT_OPEN", "VENUE_RATE_LIMITED"]);
/** Refused by hean's own send check, never by the venue: no storm either. */
const STALE_CODE = "STALE_MARKET_DATA";

export interface RiskControllerOptions {
  readonly engine: Engine;
  readonly outbox: EventBus;
  readonly executor: Executor;
  readonly killSwitch: KillSwitch;
  readonly clock: Clock;
  readonly config: RiskConfig;
  readonly instruments: InstrumentRegistry;
  readonly symbols: readonly string[];
  readonly venueHealth?: VenueHealthInput;
  readonly onAlert: (severity: "info" | "warning" | "critical", code: string, message: string, context: Record<string, unknown>) => void;
}

export class RiskController {
  readonly #o: RiskControllerOptions;
  readonly #lastBookAt = new Map<string, number>();
  readonly #orderTimes: number[] = [];
  #rejections: number[] = [];
  #lastEquity: Dec | undefined;
  readonly #forceClosing = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #staleTimer: TimerHandle | undefined;
  #running = false;
  readonly #startedAt: number;
  /** Which strategy's entry opened each symbol's position (for per-strategy horizons). */
  readonly #entryStrategy = new Map<string, string>();
  /** Whether the last reconciled wallet snapshot diverged (alerts fire on the change). */
  #diverged: boolean;

  constructor(options: RiskControllerOptions) {
    this.#o = options;
    this.#startedAt = options.clock.now();
    for (const [symbol, strategyId] of options.engine.state.lastEntryStrategy) this.#entryStrategy.set(symbol, strategyId);
    options.outbox.subscribe("risk", (e) => this.#onEvent(e), [
      "market.book",
      "order.filled",
      "order.rejected",
      "order.intent",
      "command",
      "account.snapshot",
      "funding.paid",
      "cash.adjusted",
    ]);
    this.#diverged = this.#divergence() >= toNumber(options.config.maxAccountDivergence);
  }

  start(): void {
    this.#running = true;
    this.#timer = this.#o.clock.setInterval(() => this.#watchdog(), 250);
    this.#ensureReference();
    this.#armStaleDeadline();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#staleTimer?.cancel();
  }

  /** The pre-trade gate the executor calls for every candidate order. */
  readonly preTrade: PreTradeCheck = (order: CandidateOrder) => {
    const { engine, config, instruments, clock } = this.#o;
    const state = engine.state;
    const now = clock.now();
    let pendingBuyQty = ZERO;
    let pendingSellQty = ZERO;
    let pendingNotional = ZERO;
    // One copy of the working orders per candidate (it was taken twice: here and for the count).
    const working = state.workingOrders();
    for (const w of working) {
      const remaining = sub(w.qty, w.filledQty);
      if (w.symbol === order.symbol) {
        if (w.side === "buy") pendingBuyQty = add(pendingBuyQty, remaining);
        else pendingSellQty = add(pendingSellQty, remaining);
      }
      const px = w.price ?? state.portfolio.mark(w.symbol)?.ask;
      if (px !== undefined && !w.reduceOnly) pendingNotional = add(pendingNotional, mul(px, remaining));
    }
    // While the venue's order path fails or backs off, new exposure waits; exits may always try.
    const blocked = this.#o.venueHealth?.blocksNewExposure?.();
    if (blocked !== undefined && !isReduceOnlyExit(order)) {
      return { ok: false, denial: { code: "TRADING_HALTED", message: `new exposure paused: ${blocked}`, values: { reason: blocked } } };
    }
    const mark = state.portfolio.mark(order.symbol);
    const result = checkPreTrade(
      order,
      {
        tradingState: engine.journalFailure === undefined ? state.tradingState() : "halted",
        instrument: instruments.find(order.symbol),
        mark: mark === undefined ? undefined : { bid: mark.bid, ask: mark.ask },
        marketDataAt: mark?.ts,
        positionQty: state.portfolio.position(order.symbol).qty,
        pendingBuyQty,
        pendingSellQty,
        grossExposure: add(state.portfolio.grossExposure(), pendingNotional),
        equity: state.portfolio.equity(),
        openOrders: working.length,
        recentOrderTimes: this.#orderTimes,
        now,
      },
      config,
    );
    if (!result.ok) return result;
    this.#orderTimes.push(now);
    if (this.#orderTimes.length > 1_000) this.#orderTimes.splice(0, this.#orderTimes.length - 1_000);
    return { ok: true, order: { ...order, ...result.order } };
  };

  /**
   * The last look before a durable intent goes out: market data may have gone stale while its
   * commit was in flight. Only orders that could add exposure are held back.
   */
  readonly sendCheck: SendCheck = (order) => {
    if (order.reduceOnly) return undefined;
    const { engine, clock, config } = this.#o;
    const silentMs = silentFor(engine.state.portfolio.mark(order.symbol)?.ts, clock.now());
    if (silentMs <= config.staleDataMs) return undefined;
    return { code: STALE_CODE, message: `market data for ${order.symbol} went ${silentMs} ms silent (limit ${config.staleDataMs} ms) before the send` };
  };

  #onEvent(e: HeanEvent): void {
    switch (e.type) {
      case "market.book":
        this.#lastBookAt.set(e.symbol, e.ts);
        if (this.#o.engine.state.portfolio.position(e.symbol).qty !== 0n) {
          this.#evaluateGovernor(e.ts);
          this.#monitorPositions(e.ts, false);
        }
        return;
      case "order.filled":
        this.#onFill(e);
        return;
      case "order.rejected":
        // Post-only refusals are the maker router working; throttling is the venue's breaker's business.
        if (!e.postOnlyWouldTake && !THROTTLE_CODES.has(e.code) && e.code !== STALE_CODE) this.#onRejected(e.ts);
        return;
      case "order.intent":
        if (e.purpose === "entry") this.#entryStrategy.set(e.symbol, e.strategyId);
        return;
      case "command":
        this.#onCommand(e);
        return;
      case "account.snapshot":
        this.#onAccountSnapshot(e);
        return;
      case "funding.paid":
      case "cash.adjusted":
        this.#evaluateGovernor(e.ts);
        return;
      default:
        return;
    }
  }

  #onFill(e: FillEvent): void {
    if (this.#o.engine.state.portfolio.position(e.symbol).qty === 0n) this.#forceClosing.delete(e.symbol);
    this.#evaluateGovernor(e.ts);
    // A newly held symbol may already be older than the deadline set for the others.
    this.#armStaleDeadline();
  }

  /**
   * Only a snapshot read by reconciliation decides: a stream message may arrive before the
   * execution or ledger entry that explains it, and the next reconciled read settles that.
   */
  #onAccountSnapshot(e: AccountSnapshotEvent): void {
    const record = this.#o.engine.state.reconciledAccount;
    if (e.source !== "reconciliation" || record === undefined) return;
    if (record.opening !== undefined && record.ts === e.ts) {
      this.#o.onAlert("info", "ACCOUNT_OPENED", `account opened at the ${e.venue} wallet balance ${format(e.walletBalance)} (cash moved by ${format(record.opening)})`, {
        venue: e.venue,
        walletBalance: format(e.walletBalance),
        opening: format(record.opening),
      });
    }
    const limit = this.#o.config.maxAccountDivergence;
    const diverged = this.#divergence() >= toNumber(limit);
    const context = { venue: e.venue, walletBalance: format(record.walletBalance), engineCash: format(record.engineCash), divergence: format(record.divergence), limit: format(limit) };
    if (diverged && !this.#diverged) {
      this.#o.onAlert(
        "critical",
        "ACCOUNT_DIVERGENCE",
        `${e.venue} wallet ${format(record.walletBalance)} and engine cash ${format(record.engineCash)} differ by ${format(record.divergence)} (limit ${format(limit)}): no new risk until they agree`,
        context,
      );
    } else if (!diverged && this.#diverged) {
      this.#o.onAlert("info", "ACCOUNT_RECONCILED", `${e.venue} wallet and engine cash agree again (difference ${format(record.divergence)})`, context);
    }
    this.#diverged = diverged;
    this.#evaluateGovernor(e.ts);
  }

  /** |venue wallet − engine cash| at the last reconciled snapshot (0 before the first). */
  #divergence(): number {
    const d = this.#o.engine.state.reconciledAccount?.divergence;
    return d === undefined ? 0 : Math.abs(toNumber(d));
  }

  #onRejected(now: number): void {
    this.#rejections = recordInWindow(this.#rejections, now, this.#o.config.rejectionStorm.windowMs);
    const storm = rejectionStorm(this.#rejections, now, this.#o.config);
    if (storm !== undefined) this.#o.killSwitch.trigger(storm.reason, storm.detail);
  }

  // ------------------------------------------------------------------ governor

  /**
   * The governor's input, filled in place: it is evaluated on every book, and `evaluateGovernor`
   * keeps nothing of its input (a decision copies the figures it explains into strings).
   */
  readonly #input: { -readonly [K in keyof GovernorInput]-?: GovernorInput[K] } = {
    state: "NORMAL",
    since: 0,
    now: 0,
    equity: 0,
    initialCapital: 0,
    highWaterMark: 0,
    dayStartEquity: 0,
    accountDivergence: 0,
  };

  #governorInput(now: number, equityDec: Dec, equity = toNumber(equityDec)): GovernorInput {
    const { engine } = this.#o;
    const ref = this.#referenceNumbers(this.#ensureReference());
    const input = this.#input;
    input.state = engine.state.risk.state;
    input.since = engine.state.risk.since;
    input.now = now;
    input.equity = equity;
    input.initialCapital = ref.capitalBase;
    input.highWaterMark = Math.max(ref.highWaterMark, equity);
    input.dayStartEquity = ref.dayStartEquity;
    input.accountDivergence = this.#divergence();
    return input;
  }

  /**
   * The reference's figures as numbers, converted once per reference: the governor reads them on
   * every book while a position is held, and a reference changes only when one is journaled
   * (a new object each time, so its identity says whether these are still its figures).
   */
  #referenceNumbers(ref: RiskReference): { readonly capitalBase: number; readonly highWaterMark: number; readonly dayStartEquity: number } {
    const known = this.#refNumbers;
    if (known.of === ref) return known;
    known.of = ref;
    known.capitalBase = toNumber(ref.capitalBase);
    known.highWaterMark = toNumber(ref.highWaterMark);
    known.dayStartEquity = toNumber(ref.dayStartEquity);
    return known;
  }

  readonly #refNumbers: { of: RiskReference | undefined; capitalBase: number; highWaterMark: number; dayStartEquity: number } = {
    of: undefined,
    capitalBase: 0,
    highWaterMark: 0,
    dayStartEquity: 0,
  };

  #evaluateGovernor(now: number): void {
    // Valued once: it walks every position, and recording a reference moves no position or cash.
    const equity = this.#o.engine.state.portfolio.equity();
    const equityNumber = toNumber(equity);
    this.#updateReference(now, equity, equityNumber);
    const decision = evaluateGovernor(this.#governorInput(now, equity, equityNumber), this.#o.config);
    if (decision === undefined) return;
    this.#transition(decision.next, decision.reasons, decision.values, now);
  }

  #transition(next: RiskState, reasons: readonly string[], values: Record<string, string>, now: number): void {
    const from = this.#o.engine.state.risk.state;
    if (from === next) return;
    this.#o.engine.record({ type: "risk.state", ts: now, from, to: next, reasons, values });
    const severity = next === "NORMAL" ? "info" : next === "SOFT_BRAKE" ? "warning" : "critical";
    this.#o.onAlert(severity, "RISK_STATE", `risk ${from} → ${next}: ${reasons.join("; ")}`, { from, to: next, values });
    if (next === "HARD_STOP") this.#o.killSwitch.trigger("HARD_STOP", reasons.join("; "));
  }

  /**
   * The journaled references; created on first use from the capital put in (the initial cash in
   * paper, the venue's opening balance and transfers live). Cash adjustments move them later.
   */
  #ensureReference() {
    const { engine, clock } = this.#o;
    const existing = engine.state.riskReference;
    if (existing !== undefined) return existing;
    const equity = engine.state.portfolio.equity();
    const base = engine.state.portfolio.capitalIn;
    engine.record({
      type: "risk.reference",
      ts: clock.now(),
      capitalBase: base,
      highWaterMark: equity > base ? equity : base,
      dayStart: utcDayStart(clock.now()),
      dayStartEquity: equity,
    });
    return engine.state.riskReference!;
  }

  /**
   * New UTC day, or a new high-water mark (journaled only when it grows by ≥ 0.1 %). A new day
   * starts at the last equity seen before midnight: a crash on the day's first tick counts as
   * that day's loss.
   */
  #updateReference(now: number, equity: Dec, equityNumber: number): void {
    const ref = this.#ensureReference();
    const before = this.#lastEquity ?? equity;
    this.#lastEquity = equity;
    const day = utcDayStart(now);
    const newDay = day > ref.dayStart;
    const newHigh = equityNumber > this.#referenceNumbers(ref).highWaterMark * 1.001;
    if (!newDay && !newHigh) return;
    this.#o.engine.record({
      type: "risk.reference",
      ts: now,
      capitalBase: ref.capitalBase,
      highWaterMark: newHigh ? equity : ref.highWaterMark,
      dayStart: newDay ? day : ref.dayStart,
      dayStartEquity: newDay ? before : ref.dayStartEquity,
    });
  }

  // ------------------------------------------------------------------ watchdog (time-based rules)

  #watchdog(): void {
    const now = this.#o.clock.now();
    const { engine, config, killSwitch } = this.#o;
    this.#cancelStaleEntries(now);
    const held = engine.state.portfolio.openPositions().map((p) => p.symbol);
    // Positions change only by fills, which set the stale deadline; this is the belt to those braces.
    if (held.length > 0 && this.#staleTimer === undefined) this.#armStaleDeadline();
    if (held.length > 0 && !killSwitch.active) {
      const health = this.#o.venueHealth;
      const venueTrigger =
        health === undefined
          ? undefined
          : (privateStreamBlind({ downSince: health.privateDownSince(), lastReconcileOkAt: health.lastReconcileOkAt() }, now, config) ??
            circuitOpenTooLong(health.circuitOpenSince(), held.length, now, config));
      if (venueTrigger !== undefined) {
        killSwitch.trigger(venueTrigger.reason, venueTrigger.detail);
        return;
      }
    }
    this.#monitorPositions(now, true);
  }

  /**
   * A working order that could add exposure on a symbol whose data has gone silent past
   * `staleDataMs` is cancelled now, in the turn the silence is seen: resting on data nobody
   * confirms is how a stale entry gets filled. A symbol never heard since start counts from the
   * start (one threshold's grace after a restart). Reduce-only orders stay: they only get out.
   */
  #cancelStaleEntries(now: number): void {
    const { engine, executor, config } = this.#o;
    const entries = engine.state.workingOrders().filter((o) => !o.reduceOnly && o.status !== "PENDING_CANCEL");
    if (entries.length === 0) return;
    const symbols = [...new Set(entries.map((o) => o.symbol))];
    const lastBook = new Map(symbols.map((s) => [s, this.#lastBookAt.get(s) ?? this.#startedAt]));
    const stale = new Map(staleSymbols(lastBook, symbols, now, config.staleDataMs).map((s) => [s.symbol, s.silentMs]));
    for (const o of entries) {
      const silentMs = stale.get(o.symbol);
      if (silentMs !== undefined) executor.cancel(o.clientOrderId, `stale market data: ${o.symbol} silent ${silentMs} ms`);
    }
  }

  /** The last book time of each held symbol; a symbol never seen since start counts from the start, not from the epoch. */
  #heldLastBooks(): Map<string, number> {
    const held = this.#o.engine.state.portfolio.openPositions().map((p) => p.symbol);
    return new Map(held.map((s) => [s, this.#lastBookAt.get(s) ?? this.#startedAt]));
  }

  /**
   * One timer, due when the oldest held symbol's silence first exceeds `staleDataMs`. Books move
   * no timer: when it fires, it either triggers or sets itself for the new oldest deadline.
   */
  #armStaleDeadline(): void {
    if (!this.#running) return;
    const { clock, config, engine } = this.#o;
    // Every fill comes here: a loop, not a map and two arrays per fill.
    let oldest = Infinity;
    for (const p of engine.state.portfolio.positions()) if (p.qty !== 0n) oldest = Math.min(oldest, this.#lastBookAt.get(p.symbol) ?? this.#startedAt);
    // Nothing held: a timer already armed stays. Firing finds nothing held and does not re-arm;
    // cancelling it here and re-creating it on the next opening fill cost a timer per round trip.
    if (oldest === Infinity) return;
    const now = clock.now();
    // While the kill switch is on, a stale symbol is its business: look again shortly (for after a resume), not in a loop.
    const wait = Math.max(0, this.#o.killSwitch.active ? STALE_RECHECK_WHILE_ACTIVE_MS : oldest + config.staleDataMs + 1 - now);
    // A timer already due no later stays: firing early only checks the real silence and re-arms
    // (`#checkStale`). Re-arming on every fill cost a clearTimeout and a setTimeout on the path
    // of the fill that the next tick-to-intent waits behind.
    if (this.#staleTimer !== undefined && this.#staleDue <= now + wait) return;
    this.#staleTimer?.cancel();
    this.#staleDue = now + wait;
    this.#staleTimer = clock.setTimeout(this.#onStaleTimer, wait);
  }

  /** When the armed stale timer fires (clock time). */
  #staleDue = 0;
  readonly #onStaleTimer = (): void => {
    this.#staleTimer = undefined;
    this.#checkStale();
  };

  #checkStale(): void {
    const { clock, config, killSwitch } = this.#o;
    const lastBooks = this.#heldLastBooks();
    this.#cancelStaleEntries(clock.now());
    if (!killSwitch.active) {
      const stale = staleSymbols(lastBooks, [...lastBooks.keys()], clock.now(), config.staleDataMs);
      if (stale.length > 0) killSwitch.trigger("STALE_MARKET_DATA", stale.map((s) => `${s.symbol} silent ${s.silentMs} ms`).join(", "));
    }
    this.#armStaleDeadline();
  }

  /** The position being checked, filled in place (runs on every book; the check keeps nothing of it). */
  readonly #monitored: { symbol: string; qty: Dec; entryValue: Dec; openedAt: number | null; strategyId: string | undefined } = {
    symbol: "",
    qty: 0n as Dec,
    entryValue: 0n as Dec,
    openedAt: null,
    strategyId: undefined,
  };

  #monitorPositions(now: number, includeTime: boolean): void {
    const { engine, config, killSwitch } = this.#o;
    if (killSwitch.active) return;
    const portfolio = engine.state.portfolio;
    const m = this.#monitored;
    // Decided for every position first, acted on after (closing moves positions).
    let decisions: ForceCloseDecision[] | undefined;
    for (const p of portfolio.positionsInOrder()) {
      if (p.qty === 0n) continue;
      m.symbol = p.symbol;
      m.qty = p.qty;
      m.entryValue = p.entryValue;
      m.openedAt = p.openedAt;
      m.strategyId = this.#entryStrategy.get(p.symbol);
      const d = checkPosition(m, portfolio.mark(p.symbol), now, config, engine.state.stopLosses, includeTime);
      if (d !== undefined) (decisions ??= []).push(d);
    }
    if (decisions === undefined) return;
    for (const d of decisions) this.#forceClose(d.symbol, d.reason, d.detail, now);
  }

  #forceClose(symbol: string, reason: ForceCloseReason, detail: string, now: number): void {
    const { engine, executor, instruments } = this.#o;
    // One close at a time per symbol; retried after 2 s if the position is still there.
    const last = this.#forceClosing.get(symbol);
    if (last !== undefined && now - last < 2_000) return;
    const working = engine.state.workingOrders(symbol).filter((o) => o.reduceOnly);
    // A marketable close is already on its way: let it finish.
    if (working.some((o) => o.timeInForce !== "POST_ONLY")) return;
    // A resting exit (the router's maker leg) must not hold a forced close back: pull it.
    for (const o of working) if (o.status !== "PENDING_CANCEL") executor.cancel(o.clientOrderId, `force-close ${reason}`);
    const position = engine.state.portfolio.position(symbol);
    const book = engine.lastBook(symbol);
    const instrument = instruments.find(symbol);
    if (position.qty === 0n || instrument === undefined) return;
    this.#forceClosing.set(symbol, now);
    engine.record({ type: "risk.force-close", ts: now, symbol, reason, detail });
    this.#o.onAlert("warning", "FORCE_CLOSE", `force-closing ${symbol}: ${reason} (${detail})`, { symbol, reason });
    this.#submitClose(symbol, position.qty, book, instrument, "risk", "force-close");
  }

  // ------------------------------------------------------------------ operator commands

  #onCommand(c: CommandEvent): void {
    const { engine, killSwitch, executor, instruments, clock } = this.#o;
    const reply = (ok: boolean, message: string): void => {
      engine.record({ type: "command.result", ts: clock.now(), commandId: c.commandId, ok, message });
    };
    switch (c.command) {
      case "stop":
        killSwitch.trigger("OPERATOR_STOP", `stop from ${c.source}`);
        return reply(true, "stopped: new exposure blocked, working orders cancelled, positions closing");
      case "flatten":
        killSwitch.trigger("OPERATOR_FLATTEN", `flatten from ${c.source}`);
        return reply(true, "flattening: working orders cancelled, positions closing; send resume to trade again");
      case "resume":
        if (engine.state.risk.state === "HARD_STOP") return reply(false, "in HARD_STOP: send reset-hard-stop first");
        if (!killSwitch.active) return reply(true, "already trading");
        killSwitch.reset(`resume from ${c.source}`);
        return reply(true, "resumed");
      case "cancel-all": {
        let n = 0;
        for (const o of engine.state.workingOrders()) if (o.status !== "PENDING_CANCEL" && executor.cancel(o.clientOrderId, `cancel-all from ${c.source}`)) n++;
        return reply(true, `${n} orders cancelling`);
      }
      case "set-stoploss": {
        const symbol = String(c.args.symbol ?? "");
        const pct = Number(c.args.pct);
        if (instruments.find(symbol) === undefined) return reply(false, `unknown symbol ${JSON.stringify(symbol)}`);
        if (!Number.isFinite(pct) || pct <= 0 || pct >= 100) return reply(false, `pct must be a number between 0 and 100, got ${JSON.stringify(c.args.pct)}`);
        engine.record({ type: "risk.stoploss-set", ts: clock.now(), symbol, pct });
        return reply(true, `stop-loss for ${symbol} set to ${pct}%`);
      }
      case "close-position": {
        const symbol = String(c.args.symbol ?? "");
        if (instruments.find(symbol) === undefined) return reply(false, `unknown symbol ${JSON.stringify(symbol)}`);
        const closing = this.#operatorClose(symbol, c.source);
        return reply(closing.ok, closing.message);
      }
      case "reset-hard-stop": {
        const now = clock.now();
        // Start over from here: drawdown is measured from the equity the operator accepted.
        const equity = engine.state.portfolio.equity();
        const decision = resetHardStop(this.#governorInput(now, equity), this.#o.config);
        if (decision === undefined) return reply(false, `not in HARD_STOP (state is ${engine.state.risk.state})`);
        engine.record({ type: "risk.reference", ts: now, capitalBase: equity, highWaterMark: equity, dayStart: utcDayStart(now), dayStartEquity: equity });
        this.#transition("NORMAL", ["operator reset", `drawdown now measured from ${format(equity)}`], decision.values, now);
        return reply(true, `HARD_STOP reset; drawdown rebased to ${format(equity)}; send resume to trade again`);
      }
    }
  }

  /**
   * The operator's close of one position (the dashboard's close button): resting reduce-only
   * orders on the symbol are pulled, then one reduce-only IOC order, bounded beyond the touch
   * like the kill switch's, takes the position off. It is allowed in any trading state (an exit
   * always may try) and its fills close the trade with exit reason "operator".
   */
  #operatorClose(symbol: string, source: string): { ok: boolean; message: string } {
    const { engine, executor, instruments } = this.#o;
    const position = engine.state.portfolio.position(symbol);
    if (position.qty === 0n) return { ok: false, message: `no open position in ${symbol}: nothing to close` };
    const working = engine.state.workingOrders(symbol).filter((o) => o.reduceOnly);
    if (working.some((o) => o.timeInForce !== "POST_ONLY" && o.status !== "PENDING_CANCEL")) {
      return { ok: true, message: `${symbol}: a closing order is already working` };
    }
    for (const o of working) if (o.status !== "PENDING_CANCEL") executor.cancel(o.clientOrderId, `close-position from ${source}`);
    const { side, price, submitted } = this.#submitClose(symbol, position.qty, engine.lastBook(symbol), instruments.find(symbol)!, "operator", "operator");
    if (!submitted.ok) return { ok: false, message: `${symbol} not closed: ${submitted.code} ${submitted.message}` };
    return { ok: true, message: `closing ${symbol}: reduce-only ${side} ${format(abs(position.qty))}${price === undefined ? " at market" : ` limit ${format(price)}`}` };
  }

  /** One reduce-only IOC order taking `held` off, a limit bounded beyond the touch (a market order without a book). */
  #submitClose(symbol: string, held: Dec, book: BookEvent | undefined, instrument: Instrument, strategyId: string, purpose: "force-close" | "operator") {
    const side = held > 0n ? ("sell" as const) : ("buy" as const);
    const price = book === undefined ? undefined : exitLimitPrice(side, book, this.#o.config.killSwitchSlippageBps, instrument);
    const submitted = this.#o.executor.submit({
      strategyId,
      symbol,
      side,
      orderType: price === undefined ? "market" : "limit",
      qty: abs(held),
      price,
      timeInForce: "IOC",
      reduceOnly: true,
      purpose,
    });
    return { side, price, submitted };
  }

  /** Governor metrics for status views. */
  metrics(): { drawdownPct: number; dailyLossPct: number; accountDivergence: number } {
    const m = governorMetrics(this.#governorInput(this.#o.clock.now(), this.#o.engine.state.portfolio.equity()), this.#o.config);
    return { drawdownPct: m?.drawdownPct ?? 0, dailyLossPct: m?.dailyLossPct ?? 0, accountDivergence: this.#divergence() };
  }
}
