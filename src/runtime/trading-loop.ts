/**
 * Strategies in, parent orders out: market data reaches the strategies, their signals are
 * sized and handed to the router as parent orders (entries and exits, each with its configured
 * urgency, or the one the strategy asked for within what risk allows); the router works them
 * maker-first through the executor, which runs the pre-trade checks. hean never sends an
 * unbounded market order on a strategy's behalf: a router's taker leg is a limit bounded beyond
 * the touch.
 *
 * Each strategy runs in its own slot (strategy-slot.ts): it sees only its symbols, sizes against
 * its capital share, and a strategy that throws or breaks the signal contract is disabled with an
 * alert while the engine and the other strategies go on. Every entry's size is journaled with its
 * reasons (`order.sized`) before the order.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { midPrice } from "../core/bid-ask.ts";
import { type Dec, ZERO, abs, add, mul, sub, toNumber } from "../core/decimal.ts";
import type { BookEvent, HeanEvent, SignalEvent, SizingInputs, Urgency } from "../core/events.ts";
import type { InstrumentRegistry } from "../core/instrument.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { Engine } from "../engine/engine.ts";
import type { ExecutionConfig } from "../execution/router/config.ts";
import { highestLegPrice } from "../execution/router/pricing.ts";
import type { Router } from "../execution/router/router.ts";
import type { RiskConfig } from "../risk/config.ts";
import { sizeFactor } from "../risk/governor.ts";
import { lossStepDownFactor, losingStreak } from "../risk/loss-step-down.ts";
import { RealisedVol } from "../risk/realised-vol.ts";
import { readSignalContext } from "../risk/signal-context.ts";
import { sizeOrder } from "../risk/sizing.ts";
import type { PlacedStrategy } from "../strategies/spec.ts";
import type { Strategy, StrategyView } from "../strategies/strategy.ts";
import { type DisabledStrategy, StrategySlot, entryUrgency, exitUrgency } from "./strategy-slot.ts";
import { type ContextReading, type ContextSource, NO_CONTEXT } from "../strategies/context.ts";

export interface TradingLoopOptions {
  readonly engine: Engine;
  readonly router: Router;
  readonly outbox: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  /** Bare strategies run on every symbol with all of the capital; placed ones where and with what they are given. */
  readonly strategies: readonly (Strategy | PlacedStrategy)[];
  readonly symbols: readonly string[];
  readonly risk: RiskConfig;
  readonly execution: ExecutionConfig;
  /** Latency probe: called with the book that led to an intent, entry or exit (bench: tick-to-intent). */
  readonly onIntent?: (book: BookEvent) => void;
}

export class TradingLoop {
  readonly #o: TradingLoopOptions;
  readonly #symbols: ReadonlySet<string>;
  readonly #view: StrategyView;
  readonly slots: readonly StrategySlot[];
  /** Strategies disabled in this process, in order (alerts are not journaled: a replay cannot know). */
  readonly disabled: DisabledStrategy[] = [];
  readonly #vol = new Map<string, RealisedVol>();
  /** The last zero-size explanation per strategy and symbol: repeated refusals are journaled once. */
  readonly #lastZero = new Map<string, string>();
  #timer: TimerHandle | undefined;
  #running = false;
  #context: ContextSource | undefined;
  contextProblems = 0;
  signals = 0;

  constructor(options: TradingLoopOptions) {
    this.#o = options;
    this.#symbols = new Set(options.symbols);
    const state = options.engine.state;
    this.#view = {
      now: () => options.clock.now(),
      positionQty: (symbol) => toNumber(state.portfolio.position(symbol).qty),
      // A parent between two legs has no working order for a moment: it still counts.
      hasWorkingOrders: (symbol) => state.hasWorkingOrders(symbol) || options.router.hasWorking(symbol),
      context: (symbol) => this.#readContext(symbol),
    };
    this.slots = options.strategies.map((s) =>
      new StrategySlot("strategy" in s ? s : { strategy: s, symbols: undefined, capitalShare: 1 }, options.symbols, () => options.clock.now(), (disabled, handler, problem) => this.#disable(disabled, handler, problem)),
    );
    options.outbox.subscribe("strategies", (e) => this.#onEvent(e), ["market.book", "market.trade", "order.filled"]);
  }

  /** Context feeds (distributed mode) for the strategies' view and the signals; undefined: none. */
  setContextSource(source: ContextSource | undefined): void {
    this.#context = source;
  }

  #readContext(symbol: string): ContextReading {
    try {
      return this.#context?.(symbol) ?? NO_CONTEXT;
    } catch {
      // A feed bug is the feed's problem: the strategy sees no context, not an exception.
      return NO_CONTEXT;
    }
  }

  /**
   * The signal as journaled: with the symbol's context (each field with its age) under
   * `context.feed`, and a fresh `prediction.confidence`/`prediction.direction` from the feed as
   * the signal's prediction when the strategy gave none.
   */
  #withContext(signal: SignalEvent): SignalEvent {
    const feed = this.#readContext(signal.symbol);
    if (Object.keys(feed).length === 0 || signal.context?.["feed"] !== undefined) return signal;
    const confidence = feed["prediction.confidence"]?.value;
    const direction = feed["prediction.direction"]?.value;
    const prediction = signal.context?.prediction ?? (confidence !== undefined && direction !== undefined ? { confidence, direction } : undefined);
    return { ...signal, context: { ...signal.context, ...(prediction !== undefined ? { prediction } : {}), feed: { ...feed } } };
  }

  start(): void {
    this.#running = true;
    this.#timer = this.#o.clock.setInterval(() => this.#onTimer(), 1_000);
  }

  /** Stop intake: no more signals become orders. */
  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
  }

  #onEvent(e: HeanEvent): void {
    if (!this.#running) return;
    switch (e.type) {
      case "market.book":
        if (!this.#symbols.has(e.symbol)) return;
        // Every book, held or flat: the marks the engine journals come mostly while a position
        // is held, so an estimate from them would size a first entry blind and the rest from the
        // moments the strategy chose to trade.
        this.#volOf(e.symbol).updateTouch(e.ts, e);
        for (const slot of this.slots) {
          if (!slot.trades(e.symbol)) continue;
          // The hot path: no closure per book (slot.call's fence, inlined).
          let signal: SignalEvent | undefined;
          try {
            signal = slot.strategy.onBook(e, this.#view);
          } catch (err) {
            slot.fail("onBook", err);
            continue;
          }
          if (signal !== undefined && signal !== null) this.#onSignal(slot, signal, e, "onBook");
        }
        return;
      case "market.trade":
        for (const slot of this.slots) if (slot.trades(e.symbol) && slot.strategy.onTrade !== undefined) slot.call("onTrade", () => slot.strategy.onTrade!(e, this.#view));
        return;
      case "order.filled":
        for (const slot of this.slots) if (slot.trades(e.symbol) && slot.strategy.onFill !== undefined) slot.call("onFill", () => slot.strategy.onFill!(e, this.#view));
        return;
      default:
        return;
    }
  }

  #onTimer(): void {
    if (!this.#running) return;
    for (const slot of this.slots) {
      if (slot.strategy.onTimer === undefined) continue;
      const signals = slot.call("onTimer", () => slot.strategy.onTimer!(this.#view)) ?? [];
      for (const signal of signals) {
        if (slot.disabled !== undefined) break;
        this.#onSignal(slot, signal, this.#o.engine.lastBook(signal.symbol), "onTimer");
      }
    }
  }

  #disable(disabled: DisabledStrategy, handler: string, problem: string): void {
    this.disabled.push(disabled);
    this.#o.engine.record({
      type: "alert",
      ts: disabled.at,
      severity: "critical",
      code: "STRATEGY_DISABLED",
      message: `strategy ${disabled.strategyId} disabled: ${handler} ${problem}; it gets no more data and its signals are ignored (its positions stay under risk's stops, max hold and horizon)`,
      context: { strategyId: disabled.strategyId, handler, problem },
    });
  }

  /** `handler`: the one that returned it, named when the signal breaks the contract (the author's lead). */
  #onSignal(slot: StrategySlot, raw: SignalEvent, book: BookEvent | undefined, handler: "onBook" | "onTimer"): void {
    if (!slot.checkSignal(raw, handler) || book === undefined) return;
    const { engine, router, instruments, execution } = this.#o;
    // A strategy signs its signals with its own id, whatever it wrote.
    const signed = raw.strategyId === slot.id ? raw : { ...raw, strategyId: slot.id };
    const signal = this.#context === undefined ? signed : this.#withContext(signed);
    this.signals++;
    engine.record(signal);
    const instrument = instruments.find(signal.symbol);
    if (instrument === undefined) return;
    const held = engine.state.portfolio.position(signal.symbol).qty;
    if (signal.action === "close") {
      if (held === 0n) return;
      const exit = router.route({
        strategyId: signal.strategyId,
        symbol: signal.symbol,
        side: held > 0n ? "sell" : "buy",
        qty: abs(held),
        urgency: exitUrgency(signal.urgency, execution.exitUrgency),
        purpose: "exit",
        reduceOnly: true,
      });
      if (exit.ok) this.#o.onIntent?.(book);
      return;
    }
    const context = readSignalContext(signal.context);
    if (context.problems.length > 0) this.contextProblems++;
    const confidence = context.prediction?.confidence ?? signal.confidence;
    const risk = this.#o.risk;
    const state = engine.state;
    const streak = risk.lossStepDown === undefined ? 0 : losingStreak(state.performance.recentTrades(), slot.id);
    const lossFactor = lossStepDownFactor(streak, risk.lossStepDown);
    const urgency: Urgency = entryUrgency(signal.urgency, execution.urgency, state.risk.state);
    const inputs: SizingInputs = {
      equity: state.portfolio.equity(),
      price: midPrice(book),
      notionalPrice: highestLegPrice(signal.side, urgency, book, execution.fallbackSlippageBps, instrument),
      stopDistance: signal.stopDistance,
      confidence,
      governorFactor: sizeFactor(state.risk.state, risk),
      maxLeverage: risk.maxLeverage,
      positionNotional: state.portfolio.positionNotional(signal.symbol),
      grossExposure: this.#grossWithWorking(),
      capitalShare: slot.capitalShare,
      strategyExposure: this.#exposureOf(slot),
      sizeFraction: signal.sizeFraction,
      realisedVolPct: this.#vol.get(signal.symbol)?.pct(),
      lossStepDown: lossFactor < 1 ? { factor: lossFactor, streak } : undefined,
    };
    const sized = sizeOrder({ ...inputs, instrument }, risk);
    const decisive = sized.steps.find((s) => s.qty === ZERO)?.step ?? "";
    const key = `${slot.id}\u0000${signal.symbol}`;
    if (sized.qty > 0n || this.#lastZero.get(key) !== decisive) {
      engine.record({
        type: "order.sized",
        ts: this.#o.clock.now(),
        strategyId: slot.id,
        symbol: signal.symbol,
        side: signal.side,
        qty: sized.qty,
        inputs,
        steps: sized.steps.map((s) => ({ step: s.step, qty: s.qty, note: s.note })),
        urgency,
        requestedUrgency: signal.urgency,
      });
    }
    if (sized.qty <= 0n) {
      this.#lastZero.set(key, decisive);
      return;
    }
    this.#lastZero.delete(key);
    const result = router.route({ strategyId: slot.id, symbol: signal.symbol, side: signal.side, qty: sized.qty, urgency, purpose: "entry", reduceOnly: false });
    if (result.ok) this.#o.onIntent?.(book);
  }

  #volOf(symbol: string): RealisedVol {
    let v = this.#vol.get(symbol);
    if (v === undefined) this.#vol.set(symbol, (v = new RealisedVol(this.#o.risk.realisedVolatility)));
    return v;
  }

  /** Gross exposure with the working entries' notional, as the pre-trade check counts it. */
  #grossWithWorking(): Dec {
    const state = this.#o.engine.state;
    let gross = state.portfolio.grossExposure();
    for (const w of state.workingOrders()) {
      if (w.reduceOnly) continue;
      const px = w.price ?? state.portfolio.mark(w.symbol)?.ask;
      if (px !== undefined) gross = add(gross, mul(px, sub(w.qty, w.filledQty)));
    }
    return gross;
  }

  /** What a strategy holds: the notional of its symbols' positions (one strategy per symbol). */
  #exposureOf(slot: StrategySlot): Dec {
    const portfolio = this.#o.engine.state.portfolio;
    let total = ZERO;
    for (const symbol of slot.symbols ?? this.#o.symbols) total = add(total, portfolio.positionNotional(symbol));
    return total;
  }
}

