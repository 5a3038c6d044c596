/**
 * Strategies in, candidate orders out: market data reaches the strategies, their signals are
 * sized and turned into candidate orders for the executor (which runs the pre-trade checks).
 * Entries and exits are marketable limits bounded at `entrySlippageBps` from the touch: hean
 * never sends an unbounded market order on a strategy's behalf.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { type Dec, ONE, abs, add, div, fromNumber, mul, sub, toNumber } from "../core/decimal.ts";
import type { BookEvent, HeanEvent, SignalEvent } from "../core/events.ts";
import { type InstrumentRegistry, roundPrice } from "../core/instrument.ts";
import type { EventBus } from "../bus/event-bus.ts";
import type { Engine } from "../engine/engine.ts";
import type { Executor } from "../execution/executor.ts";
import type { RiskConfig } from "../risk/config.ts";
import { sizeFactor } from "../risk/governor.ts";
import { readSignalContext } from "../risk/signal-context.ts";
import { sizeOrder } from "../risk/sizing.ts";
import type { Strategy, StrategyView } from "../strategies/strategy.ts";

export interface TradingLoopOptions {
  readonly engine: Engine;
  readonly executor: Executor;
  readonly outbox: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  readonly strategies: readonly Strategy[];
  readonly symbols: readonly string[];
  readonly risk: RiskConfig;
  readonly entrySlippageBps?: number;
  /** Latency probe: called with the book that led to an intent (bench: tick-to-intent). */
  readonly onIntent?: (book: BookEvent) => void;
}

export class TradingLoop {
  readonly #o: TradingLoopOptions;
  readonly #symbols: ReadonlySet<string>;
  readonly #view: StrategyView;
  #timer: TimerHandle | undefined;
  #running = false;
  contextProblems = 0;
  signals = 0;

  constructor(options: TradingLoopOptions) {
    this.#o = options;
    this.#symbols = new Set(options.symbols);
    const state = options.engine.state;
    this.#view = {
      now: () => options.clock.now(),
      positionQty: (symbol) => toNumber(state.portfolio.position(symbol).qty),
      hasWorkingOrders: (symbol) => state.workingOrders(symbol).length > 0,
    };
    options.outbox.subscribe("strategies", (e) => this.#onEvent(e), ["market.book", "market.trade", "order.filled"]);
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

  #onSignal(signal: SignalEvent, book: BookEvent): void {
    const { engine, executor, instruments } = this.#o;
    this.signals++;
    engine.record(signal);
    const instrument = instruments.find(signal.symbol);
    if (instrument === undefined) return;
    const held = engine.state.portfolio.position(signal.symbol).qty;
    const mid = div(add(book.bid, book.ask), fromNumber(2));
    const price = this.#boundedPrice(signal.side, book);
    if (signal.action === "close") {
      if (held === 0n) return;
      executor.submit({
        strategyId: signal.strategyId,
        symbol: signal.symbol,
        side: held > 0n ? "sell" : "buy",
        orderType: "limit",
        qty: abs(held),
        price: roundPrice(instrument, price, held > 0n ? "ceil" : "floor"),
        timeInForce: "IOC",
        reduceOnly: true,
        purpose: "exit",
        arrivalMid: mid,
      });
      return;
    }
    const context = readSignalContext(signal.context);
    if (context.problems.length > 0) this.contextProblems++;
    const confidence = context.prediction?.confidence ?? signal.confidence;
    const sized = sizeOrder(
      {
        equity: engine.state.portfolio.equity(),
        price: mid,
        stopDistance: signal.stopDistance,
        confidence,
        instrument,
        governorFactor: sizeFactor(engine.state.risk.state, this.#o.risk),
        maxLeverage: this.#o.risk.maxLeverage,
      },
      this.#o.risk,
    );
    if (sized.qty <= 0n) return;
    const result = executor.submit({
      strategyId: signal.strategyId,
      symbol: signal.symbol,
      side: signal.side,
      orderType: "limit",
      qty: sized.qty,
      price: roundPrice(instrument, price, signal.side === "buy" ? "floor" : "ceil"),
      timeInForce: "IOC",
      reduceOnly: false,
      purpose: "entry",
      arrivalMid: mid,
    });
    if (result.ok) this.#o.onIntent?.(book);
  }

  /** The touch, pushed `entrySlippageBps` through it: marketable, with a worst price. */
  #boundedPrice(side: "buy" | "sell", book: BookEvent): Dec {
    const slip = fromNumber((this.#o.entrySlippageBps ?? 5) / 10_000);
    return side === "buy" ? mul(book.ask, add(ONE, slip)) : mul(book.bid, sub(ONE, slip));
  }
}
