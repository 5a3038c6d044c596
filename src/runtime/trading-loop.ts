/**
 * Strategies in, parent orders out: market data reaches the strategies, their signals are
 * sized and handed to the router as parent orders (entries and exits, each with its configured
 * urgency); the router works them maker-first through the executor, which runs the pre-trade
 * checks. hean never sends an unbounded market order on a strategy's behalf: a router's taker
 * leg is a limit bounded beyond the touch.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { abs, add, div, fromNumber, toNumber } from "../core/decimal.ts";
import type { BookEvent, HeanEvent, SignalEvent } from "../core/events.ts";
import type { InstrumentRegistry } from "../core/instrument.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { Engine } from "../engine/engine.ts";
import type { ExecutionConfig } from "../execution/router/config.ts";
import type { Router } from "../execution/router/router.ts";
import type { RiskConfig } from "../risk/config.ts";
import { sizeFactor } from "../risk/governor.ts";
import { readSignalContext } from "../risk/signal-context.ts";
import { sizeOrder } from "../risk/sizing.ts";
import type { Strategy, StrategyView } from "../strategies/strategy.ts";
import { type ContextReading, type ContextSource, NO_CONTEXT } from "../strategies/context.ts";

export interface TradingLoopOptions {
  readonly engine: Engine;
  readonly router: Router;
  readonly outbox: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  readonly strategies: readonly Strategy[];
  readonly symbols: readonly string[];
  readonly risk: RiskConfig;
  readonly execution: ExecutionConfig;
  /** Latency probe: called with the book that led to an intent (bench: tick-to-intent). */
  readonly onIntent?: (book: BookEvent) => void;
}

export class TradingLoop {
  readonly #o: TradingLoopOptions;
  readonly #symbols: ReadonlySet<string>;
  readonly #view: StrategyView;
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
      hasWorkingOrders: (symbol) => state.workingOrders(symbol).length > 0 || options.router.hasWorking(symbol),
      context: (symbol) => this.#readContext(symbol),
    };
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
        for (const s of this.#o.strategies) {
          const signal = s.onBook(e, this.#view);
          if (signal !== undefined) this.#onSignal(signal, e);
        }
        return;
      case "market.trade":
        for (const s of this.#o.strategies) s.onTrade?.(e, this.#view);
        return;
      case "order.filled":
        for (const s of this.#o.strategies) s.onFill?.(e, this.#view);
        return;
      default:
        return;
    }
  }

  #onTimer(): void {
    if (!this.#running) return;
    for (const s of this.#o.strategies) {
      for (const signal of s.onTimer?.(this.#view) ?? []) {
        const book = this.#o.engine.lastBook(signal.symbol);
        if (book !== undefined) this.#onSignal(signal, book);
      }
    }
  }

  #onSignal(original: SignalEvent, book: BookEvent): void {
    const { engine, router, instruments, execution } = this.#o;
    const signal = this.#context === undefined ? original : this.#withContext(original);
    this.signals++;
    engine.record(signal);
    const instrument = instruments.find(signal.symbol);
    if (instrument === undefined) return;
    const held = engine.state.portfolio.position(signal.symbol).qty;
    if (signal.action === "close") {
      if (held === 0n) return;
      router.route({
        strategyId: signal.strategyId,
        symbol: signal.symbol,
        side: held > 0n ? "sell" : "buy",
        qty: abs(held),
        urgency: execution.exitUrgency,
        purpose: "exit",
        reduceOnly: true,
      });
      return;
    }
    const context = readSignalContext(signal.context);
    if (context.problems.length > 0) this.contextProblems++;
    const confidence = context.prediction?.confidence ?? signal.confidence;
    const sized = sizeOrder(
      {
        equity: engine.state.portfolio.equity(),
        price: div(add(book.bid, book.ask), fromNumber(2)),
        stopDistance: signal.stopDistance,
        confidence,
        instrument,
        governorFactor: sizeFactor(engine.state.risk.state, this.#o.risk),
        maxLeverage: this.#o.risk.maxLeverage,
      },
      this.#o.risk,
    );
    if (sized.qty <= 0n) return;
    const result = router.route({
      strategyId: signal.strategyId,
      symbol: signal.symbol,
      side: signal.side,
      qty: sized.qty,
      urgency: execution.urgency,
      purpose: "entry",
      reduceOnly: false,
    });
    if (result.ok) this.#o.onIntent?.(book);
  }
}
