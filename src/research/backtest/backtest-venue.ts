/**
 * The backtest's venue: the paper account on the matching engine, with recorded market data
 * (`ReplayMarket`) as its outside liquidity, speaking hean events like every other venue. The
 * runtime above it (engine, risk, router, journal) is the one that trades live.
 *
 * Latency (seeded, on the simulated clock): a request reaches the engine after the ack latency,
 * its outcome comes straight back; market data reaches hean after the market-data latency (0 by
 * default: the recorded times already are when the venue published them). Each channel is FIFO.
 * Funding: a funding record settles the position held at that moment at the touch's mid price.
 * Klines: replayed as trades (bar-trades.ts) for the symbols whose only data they are.
 */
import type { Clock } from "../../core/clock.ts";
import { type Dec, ZERO, mul } from "../../core/decimal.ts";
import type { BookEvent, FillEvent, FundingPaidEvent, Side, TradeEvent } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { EventSink, Venue, VenueOrderRequest, VenueOrderSnapshot, VenuePosition } from "../../execution/venue-port.ts";
import { FifoDelay, type LatencySpec, sampleLatency } from "../../venues/sim/latency.ts";
import { Prng } from "../../venues/sim/market/prng.ts";
import { MatchingEngine } from "../../venues/sim/matching/matching-engine.ts";
import type { EngineEvent } from "../../venues/sim/matching/types.ts";
import { PAPER_ACCOUNT } from "../../venues/sim/paper-account.ts";
import { PaperOrders } from "../../venues/sim/paper-orders.ts";
import type { FundingRecord, KlineRecord, MarketRecord } from "../data/records.ts";
import { barTrades } from "./bar-trades.ts";
import { type FillModel, type GridTrade, ReplayMarket, type Touch } from "./replay-market.ts";

export interface BacktestLatency {
  /** Submit/cancel → outcome, ms. */
  readonly ackMs: number;
  /** Recorded event → hean, ms. */
  readonly marketDataMs: number;
  /** Extra uniform 0..jitterMs on both channels (seeded). */
  readonly jitterMs: number;
}

export const DEFAULT_BACKTEST_LATENCY: BacktestLatency = { ackMs: 5, marketDataMs: 0, jitterMs: 0 };

export interface BacktestVenueOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  readonly startingBalance: Dec;
  readonly fill: FillModel;
  readonly latency: BacktestLatency;
  readonly seed: number;
  /** Symbols whose klines are replayed as trades (their only data); other klines are not replayed. */
  readonly barSymbols?: ReadonlySet<string> | undefined;
  /** Symbols the data has books for: no touch is made from their trades (`ReplayMarketOptions`). */
  readonly bookSymbols?: ReadonlySet<string> | undefined;
}

type RestingBest = { readonly bestBid: number | undefined; readonly bestAsk: number | undefined };
const NO_RESTING: RestingBest = { bestBid: undefined, bestAsk: undefined };
type MarketItem = Touch | GridTrade;

export class BacktestVenue implements Venue {
  readonly id = "backtest";
  readonly market: ReplayMarket;
  readonly engine: MatchingEngine;
  readonly #o: BacktestVenueOptions;
  readonly #orders: PaperOrders;
  readonly #md: LatencySpec;
  readonly #mdRng: Prng;
  readonly #marketOut: FifoDelay<MarketItem>;
  #sink: EventSink | undefined;
  #unsubscribe: (() => void) | undefined;
  #fundingN = 0;
  /** Each bar-replayed symbol's last close: the side of the next bar's open print. */
  readonly #lastClose = new Map<string, Dec>();
  /** Our best resting prices per symbol, in ticks, as last computed (see `#restingTicks`). */
  readonly #resting = new Map<string, RestingBest>();
  /** Recorded events of symbols not traded, or not fitting the instrument's grid. */
  ignored = 0;

  constructor(options: BacktestVenueOptions) {
    this.#o = options;
    const { clock } = options;
    this.#md = { fixedMs: options.latency.marketDataMs, jitterMs: options.latency.jitterMs };
    this.#mdRng = Prng.fork(options.seed, "latency:market-data");
    // hean is shown the replayed data itself (the recorded or trade-made touch, the recorded
    // trades), as a venue's public streams would show it; the matching engine's own public
    // view (which counts our orders and fills) only decides our fills.
    // Without market-data latency an event goes to hean at once (no timer per event): it is
    // handed over before the matching engine sees it, exactly where the zero-delay channel
    // would have delivered it, and hean's answer to it reaches the engine only after the ack latency.
    const immediate = this.#md.fixedMs === 0 && this.#md.jitterMs === 0;
    this.market = new ReplayMarket({
      clock,
      instruments: options.instruments,
      fill: options.fill,
      resting: (symbol) => this.#restingTicks(symbol),
      bookSymbols: options.bookSymbols,
      out: {
        onTouch: (symbol, ts, bid, bidQty, ask, askQty, afterGap) => {
          if (immediate && this.#marketOut.pending === 0) this.#deliverBook(symbol, ts, bid, bidQty, ask, askQty, afterGap);
          else this.#marketOut.push({ symbol, ts, bid, bidQty, ask, askQty, afterGap }, sampleLatency(this.#md, this.#mdRng));
        },
        onTrade: (symbol, ts, price, qty, side) => {
          if (immediate && this.#marketOut.pending === 0) this.#deliverTrade(symbol, ts, price, qty, side);
          else this.#marketOut.push({ symbol, ts, price, qty, side }, sampleLatency(this.#md, this.#mdRng));
        },
      },
    });
    this.engine = new MatchingEngine({
      clock,
      instruments: options.instruments,
      market: this.market,
      idPrefix: `bt-${clock.now().toString(36)}`,
      postOnlyCross: "cancel",
      clientOrderIdScope: "all",
      defaultStartingBalance: options.startingBalance,
      publicEvents: false,
    });
    this.engine.ensureAccount(PAPER_ACCOUNT);
    this.#orders = new PaperOrders(this.engine, clock, { fixedMs: options.latency.ackMs, jitterMs: options.latency.jitterMs }, options.seed);
    this.#marketOut = new FifoDelay(clock, (item) => this.#deliverMarket(item));
  }

  instruments(): Promise<readonly Instrument[]> {
    return Promise.resolve(this.#o.instruments);
  }

  async start(sink: EventSink): Promise<void> {
    this.#sink = sink;
    this.#orders.connect(sink);
    this.#unsubscribe ??= this.engine.subscribe((e) => this.#onEngine(e));
  }

  async stop(): Promise<void> {
    this.market.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#resting.clear();
    this.#sink = undefined;
    this.#orders.disconnect();
    this.#marketOut.clear();
  }

  /** One recorded event, at its time (the driver has moved the clock there). */
  replay(r: MarketRecord): void {
    switch (r.kind) {
      case "trade":
        if (!this.market.trade(r)) this.ignored++;
        return;
      case "book-ticker":
        if (!this.market.bookTicker(r)) this.ignored++;
        return;
      case "funding":
        this.#funding(r);
        return;
      case "kline":
        this.#bar(r);
        return;
    }
  }

  submit(order: VenueOrderRequest): void {
    this.#orders.submit(order);
  }

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

  /** Work still in flight (requests, outcomes, market data): the driver lets it land before stopping. */
  get pending(): number {
    return this.#orders.pending + this.#marketOut.pending;
  }

  #restingTicks(symbol: string): RestingBest {
    // Asked on every trade, changed only when one of our orders does: kept until the matching
    // engine reports any change (every change to an open order's price, side or openness is
    // followed by an "order" event, synchronously). Without a listener, nothing is reported.
    const known = this.#unsubscribe === undefined ? undefined : this.#resting.get(symbol);
    if (known !== undefined) return known;
    const tick = this.#o.instruments.find((i) => i.symbol === symbol)?.tickSize;
    if (tick === undefined) return NO_RESTING;
    // Dividing a positive price by the tick keeps the order: the best price gives the best tick.
    const best = this.engine.bestOpenPrices(PAPER_ACCOUNT, symbol);
    const ticks: RestingBest = { bestBid: best.bid === undefined ? undefined : Number(best.bid / tick), bestAsk: best.ask === undefined ? undefined : Number(best.ask / tick) };
    if (this.#unsubscribe !== undefined) this.#resting.set(symbol, ticks);
    return ticks;
  }

  #bar(r: KlineRecord): void {
    // With trades or book data for the symbol, a bar adds nothing that data does not say better.
    if (this.#o.barSymbols?.has(r.symbol) !== true) {
      this.ignored++;
      return;
    }
    for (const t of barTrades(r, this.#lastClose.get(r.symbol))) if (!this.market.trade(t)) this.ignored++;
    this.#lastClose.set(r.symbol, r.close);
  }

  #funding(r: FundingRecord): void {
    const position = this.engine.position(PAPER_ACCOUNT, r.symbol);
    const mark = this.market.mid(r.symbol);
    if (position === undefined || position.qty === ZERO || mark === undefined) return;
    const paid = mul(mul(position.qty, mark), r.rate);
    const wallet = this.engine.wallet(PAPER_ACCOUNT);
    if (wallet !== undefined) this.engine.setBalance(PAPER_ACCOUNT, (wallet.balance - paid) as Dec);
    const fundingId = `bt-funding-${++this.#fundingN}`;
    const qty = position.qty;
    this.#orders.send((ts): FundingPaidEvent => ({ type: "funding.paid", ts, fundingId, symbol: r.symbol, paid, rate: r.rate, positionQty: qty, markPrice: mark, venueTs: r.ts, source: "stream" }));
  }

  #onEngine(e: EngineEvent): void {
    // Orders, fills, positions, wallets: whatever changed, our best resting prices may have.
    this.#resting.clear();
    this.#orders.onEngine(e);
  }

  #deliverMarket(item: MarketItem): void {
    if ("side" in item) this.#deliverTrade(item.symbol, item.ts, item.price, item.qty, item.side);
    else this.#deliverBook(item.symbol, item.ts, item.bid, item.bidQty, item.ask, item.askQty, item.afterGap);
  }

  #deliverTrade(symbol: string, venueTs: number, price: Dec, qty: Dec, side: Side): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    const trade: TradeEvent = { type: "market.trade", ts: this.#o.clock.now(), symbol, price, qty, side, venueTs };
    sink(trade);
  }

  #deliverBook(symbol: string, venueTs: number, bid: Dec, bidQty: Dec, ask: Dec, askQty: Dec, afterGap: boolean): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    const book: BookEvent = { type: "market.book", ts: this.#o.clock.now(), symbol, bid, bidQty, ask, askQty, venueTs, afterGap };
    sink(book);
  }
}
