/**
 * Recorded market data as the matching engine's outside liquidity: the backtest's market.
 *
 * Each symbol has a book the matching engine reads exactly as it reads the synthetic market's
 * (`SyntheticBook`), so takers, queues and crossing follow the one queue model of
 * src/venues/sim/README.md:
 *
 * - With book data (`bookTicker`, or a recording's books) the touch is the recorded one, its
 *   displayed size the recorded size; a passive order joining it is behind that size. Trades
 *   before a symbol's first book make no touch: there is none until the data shows one.
 * - With trades only, the touch is where the last trade printed (a sell printed on the bid, a
 *   buy on the ask, the other side one tick away and never through one of our resting orders)
 *   and each level is assumed to show `touchNotional` of quote currency: that is the queue a
 *   joining order stands behind. The touch stands until a trade moves it, and hean is shown it
 *   again every `STANDING_TOUCH_REPEAT_MS` while it stands (see there).
 * - Behind the touch, `depthLevels − 1` levels of the assumed size let a taker walk the book.
 * - Every trade goes through the engine's `onTrade`: resting orders priced better than the
 *   print fill first, and at the print's own price the print first eats the queue ahead.
 *
 * Prices are rounded to the tick and sizes down to the lot (the venue's own grid); a record that
 * does not fit the grid after that is counted, never silently changed.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { type Dec, toNumber } from "../../core/decimal.ts";
import type { Side } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketObserver } from "../../venues/sim/market/synthetic-market.ts";
import { SyntheticBook } from "../../venues/sim/market/synthetic-book.ts";
import type { MarketLiquidity } from "../../venues/sim/matching/matching-engine.ts";
import type { BookTickerRecord, TradeRecord } from "../data/records.ts";

export interface FillModel {
  /** Quote currency assumed at a level the data does not show (the queue ahead of a joining order). */
  readonly touchNotional: number;
  /** Levels of a side (the touch and the assumed depth behind it). */
  readonly depthLevels: number;
}

export const DEFAULT_FILL_MODEL: FillModel = { touchNotional: 50_000, depthLevels: 20 };

/**
 * How often hean is shown a trade-made touch again while it stands: while trades print on an
 * unchanged touch, or while the data says nothing at all. Live, the sizes at the touch change with
 * every order placed or cancelled there, so a venue's book stream does not stay quiet for long
 * while the venue is up, even when prices sit still; trades-only data has no book to show that.
 * Without the repeat, 10 s of prices sitting still (or a gap in the data) looked like a dead feed
 * to the stale-data rule, whose kill switch flattened the position and stopped the backtest's
 * trading for the rest of the run. Book data (`bookTicker`, a recording's books) is shown as
 * recorded, never repeated.
 */
export const STANDING_TOUCH_REPEAT_MS = 3_000;

/** Our resting orders' best prices in ticks: a trade-derived touch never goes through them. */
export type RestingTicks = (symbol: string) => { readonly bestBid: number | undefined; readonly bestAsk: number | undefined };

/** The touch the replay set (recorded, or made from a trade): what hean is shown as the public book. */
export interface Touch {
  readonly symbol: string;
  readonly ts: number;
  readonly bid: Dec;
  readonly bidQty: Dec;
  readonly ask: Dec;
  readonly askQty: Dec;
  /** A recorded book the venue flagged as the first after a gap (reconnect, resync). */
  readonly afterGap: boolean;
}

/**
 * Where the replay sends what hean is shown: the fields one by one, so that an event delivered at
 * once (no market-data latency, the default) is built once, by the venue, with no object between.
 */
export interface ReplayOutput {
  onTouch(symbol: string, ts: number, bid: Dec, bidQty: Dec, ask: Dec, askQty: Dec, afterGap: boolean): void;
  onTrade(symbol: string, ts: number, price: Dec, qty: Dec, side: Side): void;
}

/** A replayed trade on the instrument's grid. */
export interface GridTrade {
  readonly symbol: string;
  readonly ts: number;
  readonly price: Dec;
  readonly qty: Dec;
  readonly side: Side;
}

interface SymbolState {
  readonly book: SyntheticBook;
  readonly instrument: Instrument;
  readonly tickFloat: number;
  readonly lotFloat: number;
  /** Prices to ticks (nearest) and sizes to lots (down), exact. */
  readonly ticks: GridMemo;
  readonly lots: GridMemo;
  /** Book data has been seen, or the data has books for the symbol: trades do not move the touch. */
  booked: boolean;
  /** The last touch, in ticks (for marks and funding). */
  bid: number;
  ask: number;
  bidLots: number;
  askLots: number;
  /** When hean was last shown the touch (data time). */
  shownAt: number;
  /** The symbol's last trade or book record (data time). */
  heardAt: number;
  /** Due when a trade-made touch has stood `STANDING_TOUCH_REPEAT_MS` unshown. */
  repeat: TimerHandle | undefined;
}

export interface Silence {
  readonly symbol: string;
  /** Data time of the last record before it. */
  readonly from: number;
  readonly ms: number;
}

export interface ReplayMarketOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  readonly fill: FillModel;
  readonly resting: RestingTicks;
  readonly out: ReplayOutput;
  /**
   * Symbols the data has books for (a recording, `bookTicker`): their touch is only ever a
   * recorded one, from the first record on. A recording starts with whatever the venue sent
   * first, often a trade before the first book; a touch made from that trade was a book hean
   * never saw live, and strategies acted on it one book early (paper/backtest parity).
   */
  readonly bookSymbols?: ReadonlySet<string> | undefined;
}

export class ReplayMarket implements MarketLiquidity {
  readonly #symbols = new Map<string, SymbolState>();
  readonly #observers: MarketObserver[] = [];
  readonly #fill: FillModel;
  readonly #resting: RestingTicks;
  /** Records whose price or size is not on the instrument's grid. */
  offGrid = 0;
  /** The longest stretch a replayed symbol's data said nothing (a trade-made touch stood through it). */
  longestSilence: Silence | undefined;

  readonly #out: ReplayOutput;
  readonly #clock: Clock;
  #stopped = false;

  constructor({ clock, instruments, fill, resting, out, bookSymbols }: ReplayMarketOptions) {
    this.#clock = clock;
    this.#fill = fill;
    this.#resting = resting;
    this.#out = out;
    for (const instrument of instruments) {
      // Half a tick, for rounding prices to the nearest tick.
      const halfTick = instrument.tickSize / 2n;
      this.#symbols.set(instrument.symbol, {
        book: new SyntheticBook(instrument, Math.max(1, fill.depthLevels), fill.touchNotional),
        instrument,
        tickFloat: toNumber(instrument.tickSize),
        lotFloat: toNumber(instrument.lotSize),
        ticks: new GridMemo(instrument.tickSize, (price) => Number((price + halfTick) / instrument.tickSize)),
        lots: new GridMemo(instrument.lotSize, (qty) => Number(qty / instrument.lotSize)),
        booked: bookSymbols?.has(instrument.symbol) === true,
        bid: Number.NaN,
        ask: Number.NaN,
        bidLots: 0,
        askLots: 0,
        shownAt: Number.NaN,
        heardAt: Number.NaN,
        repeat: undefined,
      });
    }
  }

  /** No more touches shown (the venue stopped). */
  stop(): void {
    this.#stopped = true;
    for (const s of this.#symbols.values()) {
      s.repeat?.cancel();
      s.repeat = undefined;
    }
  }

  get silent(): boolean {
    return false;
  }

  book(symbol: string): SyntheticBook | undefined {
    return this.#symbols.get(symbol)?.book;
  }

  observe(observer: MarketObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const i = this.#observers.indexOf(observer);
      if (i >= 0) this.#observers.splice(i, 1);
    };
  }

  /** Mid price of the last touch (undefined before one). */
  mid(symbol: string): Dec | undefined {
    const s = this.#symbols.get(symbol);
    if (s === undefined || Number.isNaN(s.bid)) return undefined;
    return ((s.book.priceOf(s.bid) + s.book.priceOf(s.ask)) / 2n) as Dec;
  }

  trade(r: TradeRecord): boolean {
    const s = this.#symbols.get(r.symbol);
    if (s === undefined) return false;
    this.#heard(s, r.ts);
    const tick = this.#ticks(s, r.price);
    const lots = this.#lots(s, r.qty);
    if (tick <= 0 || lots <= 0) {
      this.offGrid++;
      return false;
    }
    this.#out.onTrade(r.symbol, r.ts, s.book.priceOf(tick), s.book.qtyOf(lots), r.takerSide);
    for (const o of this.#observers) o.onTrade(s.book, r.takerSide, tick, lots, r.ts);
    if (!s.booked) this.#touchFromTrade(s, r.takerSide, tick, r.ts);
    return true;
  }

  bookTicker(r: BookTickerRecord): boolean {
    const s = this.#symbols.get(r.symbol);
    if (s === undefined) return false;
    this.#heard(s, r.ts);
    const bid = this.#ticks(s, r.bid);
    const ask = this.#ticks(s, r.ask);
    if (bid <= 0 || ask <= bid) {
      this.offGrid++;
      return false;
    }
    s.booked = true;
    // A recorded book is shown as recorded, the same touch again included: hean was shown it
    // (a recording holds every book the engine saw), and strategies count and average books.
    this.#setTouch(s, bid, this.#lots(s, r.bidQty), ask, this.#lots(s, r.askQty), r.ts, r.afterGap, true);
    return true;
  }

  /**
   * The symbols no trade or book record reached (heard never set): the data has none of them, or
   * none within the run's period. Asked once, at the end: the replay's hot path is not touched.
   */
  unheard(): string[] {
    return [...this.#symbols.values()].filter((s) => Number.isNaN(s.heardAt)).map((s) => s.instrument.symbol);
  }

  /**
   * The data ended at `ts`: a symbol whose data stopped earlier was silent from its last record
   * until then (its trade-made touch stood, and strategies went on trading on it), the
   * longest silence of all when one day's file of one symbol is missing at the end of a run.
   */
  endAt(ts: number): void {
    for (const s of this.#symbols.values()) if (!Number.isNaN(s.heardAt) && ts > s.heardAt) this.#heard(s, ts);
  }

  #heard(s: SymbolState, ts: number): void {
    const ms = ts - s.heardAt;
    if (ms > (this.longestSilence?.ms ?? 0)) this.longestSilence = { symbol: s.instrument.symbol, from: s.heardAt, ms };
    s.heardAt = ts;
  }

  #touchFromTrade(s: SymbolState, taker: Side, tick: number, ts: number): void {
    const ours = this.#resting(s.instrument.symbol);
    const assumed = this.#assumedLots(s, tick);
    if (taker === "sell") {
      const ask = Math.max(tick + 1, ours.bestBid === undefined ? 0 : ours.bestBid + 1);
      this.#setTouch(s, tick, assumed, ask, assumed, ts, false);
    } else {
      // Integers only (no Infinity for "none"): the ticks stay small integers, never boxed numbers.
      const bid = Math.max(1, ours.bestAsk === undefined ? tick - 1 : Math.min(tick - 1, ours.bestAsk - 1));
      this.#setTouch(s, bid, assumed, tick, assumed, ts, false);
    }
  }

  #setTouch(s: SymbolState, bid: number, bidLots: number, ask: number, askLots: number, ts: number, afterGap: boolean, recorded = false): void {
    const deep = this.#assumedLots(s, bid);
    const levels = this.#fill.depthLevels;
    s.book.bids.setLevels(bid, bidLots, deep, Math.min(levels, bid));
    s.book.asks.setLevels(ask, askLots, deep, levels);
    // The same touch again (trades printing at an unchanged book): a venue's book stream says
    // nothing, and nothing can newly cross; the levels above are refilled all the same. Unless
    // it is a recorded book (hean was shown that one) or the first book after a gap (its flag matters).
    if (bid === s.bid && ask === s.ask && bidLots === s.bidLots && askLots === s.askLots && !afterGap && !recorded) return;
    s.bid = bid;
    s.ask = ask;
    s.bidLots = bidLots;
    s.askLots = askLots;
    if (bidLots >= 1 && askLots >= 1) this.#show(s, ts, afterGap);
    for (const o of this.#observers) o.onUpdate(s.book, ts);
  }

  #show(s: SymbolState, ts: number, afterGap: boolean): void {
    this.#out.onTouch(s.instrument.symbol, ts, s.book.priceOf(s.bid), s.book.qtyOf(s.bidLots), s.book.priceOf(s.ask), s.book.qtyOf(s.askLots), afterGap);
    s.shownAt = ts;
    if (!s.booked && s.repeat === undefined && !this.#stopped) this.#armRepeat(s);
  }

  /** One timer per symbol, moved on only when it fires: a touch shown meanwhile costs nothing. */
  #armRepeat(s: SymbolState): void {
    s.repeat = this.#clock.setTimeout(() => this.#onRepeatDue(s), s.shownAt + STANDING_TOUCH_REPEAT_MS - this.#clock.now());
  }

  #onRepeatDue(s: SymbolState): void {
    s.repeat = undefined;
    // Book data took over: it is shown as recorded.
    if (s.booked || this.#stopped) return;
    const now = this.#clock.now();
    // Shown again, not changed (no observer is told: nothing can newly cross). Showing arms the next.
    if (now - s.shownAt >= STANDING_TOUCH_REPEAT_MS) this.#show(s, now, false);
    else this.#armRepeat(s);
  }

  #assumedLots(s: SymbolState, tick: number): number {
    return Math.max(1, Math.floor(this.#fill.touchNotional / (tick * s.tickFloat * s.lotFloat)));
  }

  /** Nearest tick; NaN-free for any positive price. */
  #ticks(s: SymbolState, price: Dec): number {
    return s.ticks.get(price);
  }

  /** Whole lots, rounded down. */
  #lots(s: SymbolState, qty: Dec): number {
    return s.lots.get(qty);
  }
}

const GRID_SLOTS = 4096;

/**
 * An exact BigInt conversion (price → ticks, size → lots) remembered per value in a direct-mapped
 * table: the slot comes from the value's float64 (no allocation), a hit is checked against the
 * exact value, a miss computes exactly. Prices walk around the last few hundred ticks and sizes
 * repeat, so most records convert without the two BigInts a division and a rounding cost.
 */
class GridMemo {
  readonly #keys: (Dec | undefined)[] = new Array<Dec | undefined>(GRID_SLOTS).fill(undefined);
  readonly #values = new Float64Array(GRID_SLOTS);
  readonly #unitFloat: number;
  readonly #exact: (value: Dec) => number;

  constructor(unit: Dec, exact: (value: Dec) => number) {
    this.#unitFloat = Number(unit);
    this.#exact = exact;
  }

  get(value: Dec): number {
    const slot = Math.round(Number(value) / this.#unitFloat) & (GRID_SLOTS - 1);
    if (this.#keys[slot] === value) return this.#values[slot]!;
    const result = this.#exact(value);
    this.#keys[slot] = value;
    this.#values[slot] = result;
    return result;
  }
}
