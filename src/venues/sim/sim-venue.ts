/**
 * The in-process simulated venue for paper trading: one account on the matching engine, over
 * the seeded synthetic market, speaking only hean events.
 *
 * Latency (seeded, on the Clock): a request reaches the engine after the ack latency, and what
 * it causes (accepted, fills, cancelled/expired, rejected) comes back on the order channel at
 * once, so submit → ack takes the ack latency. Fills the market causes later travel the same
 * channel. Market data (top of book, trades) arrives after the market-data latency. Each
 * channel is FIFO: jitter never reorders it.
 */
import { type Clock, RealClock } from "../../core/clock.ts";
import { type Dec, dec } from "../../core/decimal.ts";
import { type BookEvent, type FillEvent, type TradeEvent, symbolIdOf } from "../../core/events.ts";
import { BUILTIN_INSTRUMENTS, type Instrument } from "../../core/instrument.ts";
import type { EventSink, Venue, VenueOrderRequest, VenueOrderSnapshot, VenuePosition } from "../../execution/venue-port.ts";
import { FifoDelay, type LatencySpec, sampleLatency } from "./latency.ts";
import { Prng } from "./market/prng.ts";
import type { ScenarioName } from "./market/scenarios.ts";
import { SyntheticMarket } from "./market/synthetic-market.ts";
import { MatchingEngine } from "./matching/matching-engine.ts";
import type { BookTop, EngineEvent, PublicTrade } from "./matching/types.ts";
import * as paperAccount from "./paper-account.ts";
import { PAPER_ACCOUNT, type SimRestoreReport, type SimRestoreState } from "./paper-account.ts";
import { PaperOrders } from "./paper-orders.ts";

export interface SimLatencyOptions {
  /** Submit/cancel → outcome, ms (fixed part). */
  readonly ackMs?: number | undefined;
  /** Market step → book/trade event, ms (fixed part). */
  readonly marketDataMs?: number | undefined;
  /** Extra uniform 0..jitterMs for both channels, unless overridden per channel. */
  readonly jitterMs?: number | undefined;
  readonly ackJitterMs?: number | undefined;
  readonly marketDataJitterMs?: number | undefined;
}

export const DEFAULT_SIM_LATENCY = { ackMs: 2, marketDataMs: 2, jitterMs: 3 } as const;

export interface SimVenueOptions {
  readonly clock?: Clock | undefined;
  readonly instruments?: readonly Instrument[] | undefined;
  readonly seed?: number | undefined;
  readonly scenario?: ScenarioName | undefined;
  /** Default: every instrument given. */
  readonly symbols?: readonly string[] | undefined;
  readonly latency?: SimLatencyOptions | undefined;
  readonly startingBalance?: Dec | undefined;
  readonly startPrices?: Readonly<Record<string, Dec | number>> | undefined;
  readonly updatesPerSecond?: number | undefined;
  /** Levels per side of the synthetic book. */
  readonly depth?: number | undefined;
  /** Scenario time zero (default: when `start` is called). */
  readonly startMs?: number | undefined;
}

export { PAPER_ACCOUNT, type SimRestoreOrder, type SimRestoreReport, type SimRestoreState } from "./paper-account.ts";

/** A book update this long after the previous one (market data was stopped) is flagged `afterGap`. */
const MIN_GAP_MS = 2_000;

type MarketItem = BookTop | PublicTrade;

export class SimVenue implements Venue {
  readonly id = "sim";
  readonly market: SyntheticMarket;
  readonly engine: MatchingEngine;
  readonly account = PAPER_ACCOUNT;
  readonly #clock: Clock;
  readonly #orders: PaperOrders;
  readonly #marketData: LatencySpec;
  readonly #marketDataRng: Prng;
  readonly #marketOut: FifoDelay<MarketItem>;
  /** Per symbol: its `symbolIdOf` number (stamped on books and trades for the bus) and its last book's time. */
  readonly #symbols = new Map<string, { readonly id: number; lastBookTs: number | undefined }>();
  readonly #gapMs: number;
  #sink: EventSink | undefined;
  readonly #listing: readonly Instrument[];
  #unsubscribe: (() => void) | undefined;

  constructor(options: SimVenueOptions = {}) {
    const clock = options.clock ?? new RealClock();
    const seed = options.seed ?? 1;
    const instruments = options.instruments ?? BUILTIN_INSTRUMENTS;
    const symbols = options.symbols ?? instruments.map((i) => i.symbol);
    this.#listing = instruments;
    const latency = options.latency ?? {};
    const jitter = latency.jitterMs ?? DEFAULT_SIM_LATENCY.jitterMs;
    this.#clock = clock;
    const ack = { fixedMs: latency.ackMs ?? DEFAULT_SIM_LATENCY.ackMs, jitterMs: latency.ackJitterMs ?? jitter };
    this.#marketData = {
      fixedMs: latency.marketDataMs ?? DEFAULT_SIM_LATENCY.marketDataMs,
      jitterMs: latency.marketDataJitterMs ?? jitter,
    };
    this.#marketDataRng = Prng.fork(seed, "latency:market-data");
    this.market = new SyntheticMarket({
      clock,
      instruments,
      symbols,
      seed,
      scenario: options.scenario,
      updatesPerSecond: options.updatesPerSecond,
      depth: options.depth,
      startPrices: options.startPrices,
      startMs: options.startMs,
    });
    this.#gapMs = Math.max(MIN_GAP_MS, 3_000 / this.market.updatesPerSecond);
    const simulated = new Set(this.market.symbols);
    this.engine = new MatchingEngine({
      clock,
      instruments: instruments.filter((i) => simulated.has(i.symbol)),
      market: this.market,
      // Unique per run: a restarted paper engine must never see an old fill id again.
      idPrefix: `sim${seed >>> 0}-${(options.startMs ?? clock.now()).toString(36)}`,
      postOnlyCross: "cancel",
      clientOrderIdScope: "all",
      defaultStartingBalance: options.startingBalance ?? dec("10000"),
    });
    this.engine.ensureAccount(PAPER_ACCOUNT);
    this.#orders = new PaperOrders(this.engine, clock, ack, seed);
    this.#marketOut = new FifoDelay(clock, (item) => this.#deliverMarket(item));
  }

  /** What this simulated venue lists: every instrument it was given. */
  instruments(): Promise<readonly Instrument[]> {
    return Promise.resolve(this.#listing);
  }

  async start(sink: EventSink): Promise<void> {
    this.#sink = sink;
    this.#orders.connect(sink);
    this.#unsubscribe ??= this.engine.subscribe((e) => this.#onEngine(e));
    this.market.start();
  }

  async stop(): Promise<void> {
    this.market.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#sink = undefined;
    this.#orders.disconnect();
    this.#marketOut.clear();
  }

  /** Ignored unless started (a stopped venue is disconnected), and when it is not even an object. */
  submit(order: VenueOrderRequest): void {
    this.#orders.submit(order);
  }

  /** Ignored unless started, and without a client order id to correlate the outcome with. */
  cancel(clientOrderId: string, symbol: string): void {
    this.#orders.cancel(clientOrderId, symbol);
  }

  queryOrder(clientOrderId: string, symbol: string): Promise<VenueOrderSnapshot | undefined> {
    return this.#orders.queryOrder(clientOrderId, symbol);
  }

  openOrders(): Promise<VenueOrderSnapshot[]> {
    return this.#orders.openOrders();
  }

  positions(): Promise<VenuePosition[]> {
    return this.#orders.positions();
  }

  fillsSince(sinceMs: number): Promise<FillEvent[]> {
    return this.#orders.fillsSince(sinceMs);
  }

  /**
   * Put back what a restarted paper engine journaled: cash, positions, then resting orders
   * (IOC and market orders never rest and are skipped). Emits no events: hean already knows.
   */
  restore(state: SimRestoreState): SimRestoreReport {
    return paperAccount.restore(this.engine, state);
  }

  #onEngine(e: EngineEvent): void {
    switch (e.type) {
      case "book":
      case "trade":
        this.#marketOut.push(e.type === "book" ? e.book : e.trade, sampleLatency(this.#marketData, this.#marketDataRng));
        return;
      default:
        this.#orders.onEngine(e);
    }
  }

  #deliverMarket(item: MarketItem): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    const ts = this.#clock.now();
    let s = this.#symbols.get(item.symbol);
    if (s === undefined) this.#symbols.set(item.symbol, (s = { id: symbolIdOf(item.symbol), lastBookTs: undefined }));
    if ("tradeId" in item) {
      const trade: TradeEvent = {
        type: "market.trade",
        ts,
        symbol: item.symbol,
        symbolId: s.id,
        price: item.price,
        qty: item.qty,
        side: item.aggressor,
        venueTs: item.ts,
      };
      sink(trade);
      return;
    }
    if (item.bid === undefined || item.ask === undefined) return;
    const last = s.lastBookTs;
    s.lastBookTs = item.ts;
    const book: BookEvent = {
      type: "market.book",
      ts,
      symbol: item.symbol,
      symbolId: s.id,
      bid: item.bid.price,
      bidQty: item.bid.qty,
      ask: item.ask.price,
      askQty: item.ask.qty,
      venueTs: item.ts,
      afterGap: last !== undefined && item.ts - last >= this.#gapMs,
    };
    sink(book);
  }
}
