/**
 * Paper trading on a real venue's market data: the venue's public streams (books, trades) go to
 * the engine as they are, and orders fill in the in-process matching engine against them. No
 * keys, nothing private: the venue never sees an order.
 *
 * The venue's top of book is mirrored into the matching engine as the resting orders of a
 * "street" account, replaced on every book update: a taker fills against the venue's best price
 * and size; a resting order fills when the venue's touch comes through its price (as the maker,
 * at its own price). Queue position is optimistic (ours is always first at a price), and depth
 * beyond the touch is not taken; the engine's pre-trade checks hold every order to the venue's
 * real rules before it gets here.
 */
import type { Clock } from "../../core/clock.ts";
import { type Dec, dec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { AlertEvent, BookEvent, FillEvent, HeanEvent } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import { MatchingEngine } from "./matching/matching-engine.ts";
import type { EngineEvent } from "./matching/types.ts";
import * as paperAccount from "./paper-account.ts";
import { PAPER_ACCOUNT, type SimRestoreReport, type SimRestoreState } from "./paper-account.ts";
import { fillFromExecution, orderOutcome } from "./sim-venue-mapping.ts";
import type { EventSink, Venue, VenueOrderRequest, VenueOrderSnapshot, VenuePosition } from "../../execution/venue-port.ts";

/** A venue's public market data: its listing and its streams as hean events. */
export interface MarketFeed {
  instruments(): Promise<readonly Instrument[]>;
  /** Stream books, trades and market status to `emit`; alerts to `alert`. */
  start(emit: (event: HeanEvent) => void, alert: (alert: AlertEvent) => void): void;
  stop(): Promise<void>;
}

export interface PaperVenueOptions {
  /** The registry id of the venue whose data this is ("bybit"). */
  readonly id: string;
  readonly feed: MarketFeed;
  readonly clock: Clock;
  readonly symbols: readonly string[];
  readonly startingBalance: Dec;
}

/** The account mirroring the venue's touch; deep enough never to run out of margin. */
const STREET = "street";
const STREET_BALANCE = dec("1000000000000000");

export class PaperVenue implements Venue {
  readonly id: string;
  readonly #o: PaperVenueOptions;
  #listing: readonly Instrument[] | undefined;
  #engine: MatchingEngine | undefined;
  #sink: EventSink | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: PaperVenueOptions) {
    this.#o = options;
    this.id = options.id;
  }

  async instruments(): Promise<readonly Instrument[]> {
    this.#listing ??= await this.#o.feed.instruments();
    return this.#listing;
  }

  /** Put back what a restarted paper engine journaled (see `paper-account.ts`). */
  restore(state: SimRestoreState): SimRestoreReport {
    return paperAccount.restore(this.#matching(), state);
  }

  async start(sink: EventSink): Promise<void> {
    const engine = this.#matching();
    this.#sink = sink;
    this.#unsubscribe ??= engine.subscribe((e) => this.#onEngine(e));
    this.#o.feed.start(
      (e) => this.#onMarket(e),
      (a) => this.#sink?.(a),
    );
  }

  async stop(): Promise<void> {
    await this.#o.feed.stop();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#sink = undefined;
  }

  submit(order: VenueOrderRequest): void {
    if (this.#sink === undefined || this.#engine === undefined || typeof order !== "object" || order === null) return;
    const rejected = paperAccount.place(this.#engine, order);
    if (rejected !== undefined) this.#out(rejected);
  }

  cancel(clientOrderId: string, symbol: string): void {
    if (this.#sink === undefined || this.#engine === undefined || typeof clientOrderId !== "string") return;
    const result = this.#engine.cancel({ account: PAPER_ACCOUNT, clientOrderId, symbol });
    if (!result.ok) {
      const reason = `${result.rejection.code}: ${result.rejection.message}`;
      this.#out((ts) => ({ type: "order.cancel-rejected", ts, clientOrderId, reason }));
    }
  }

  async queryOrder(clientOrderId: string, symbol: string): Promise<VenueOrderSnapshot | undefined> {
    return this.#engine === undefined ? undefined : paperAccount.queryOrder(this.#engine, clientOrderId, symbol);
  }

  async openOrders(): Promise<VenueOrderSnapshot[]> {
    return this.#engine === undefined ? [] : paperAccount.openOrders(this.#engine);
  }

  async positions(): Promise<VenuePosition[]> {
    return this.#engine === undefined ? [] : paperAccount.positions(this.#engine);
  }

  async fillsSince(sinceMs: number): Promise<FillEvent[]> {
    return this.#engine === undefined ? [] : paperAccount.fillsSince(this.#engine, sinceMs);
  }

  /** The matching engine over the listed traded symbols, built once the listing is known. */
  #matching(): MatchingEngine {
    if (this.#engine !== undefined) return this.#engine;
    const listing = this.#listing;
    if (listing === undefined) throw new HeanError("VENUE_UNAVAILABLE", `paper trading on ${this.id} needs the venue's instruments, which could not be read`, { venue: this.id });
    const traded = new Set(this.#o.symbols);
    const { clock } = this.#o;
    this.#engine = new MatchingEngine({
      clock,
      // The street's mirrored levels may be smaller than an order the venue would accept: the
      // engine takes any lot; hean's pre-trade checks hold our orders to the venue's minimums.
      instruments: listing.filter((i) => traded.has(i.symbol)).map((i) => ({ ...i, minQty: i.lotSize, minNotional: 0n as Dec, maxQty: dec("1000000000000") })),
      // Unique per run: a restarted paper engine must never see an old fill id again.
      idPrefix: `paper-${this.id}-${clock.now().toString(36)}`,
      postOnlyCross: "cancel",
      clientOrderIdScope: "all",
    });
    this.#engine.ensureAccount(PAPER_ACCOUNT, this.#o.startingBalance);
    this.#engine.ensureAccount(STREET, STREET_BALANCE);
    return this.#engine;
  }

  #onMarket(e: HeanEvent): void {
    this.#sink?.(e);
    if (e.type === "market.book") this.#mirror(e);
  }

  /** Replace the street's quotes with the venue's touch; a touch through our resting order fills it. */
  #mirror(book: BookEvent): void {
    const engine = this.#engine;
    if (engine === undefined || engine.instrument(book.symbol) === undefined) return;
    engine.cancelAll(STREET, book.symbol);
    for (const [side, price, qty] of [
      ["sell", book.ask, book.askQty],
      ["buy", book.bid, book.bidQty],
    ] as const) {
      if (qty <= 0n) continue;
      engine.place({ account: STREET, symbol: book.symbol, side, type: "limit", qty, price, timeInForce: "GTC", reduceOnly: false });
    }
  }

  #onEngine(e: EngineEvent): void {
    if (e.type === "order" && e.order.account === PAPER_ACCOUNT) {
      const build = orderOutcome(e.change, e.order);
      if (build !== undefined) this.#out(build);
    } else if (e.type === "execution" && e.execution.account === PAPER_ACCOUNT) {
      const execution = e.execution;
      this.#out((ts) => fillFromExecution(execution, ts, "stream"));
    }
  }

  /** After the engine's current call: what we send may make the engine call us back. */
  #out(build: (ts: number) => HeanEvent): void {
    queueMicrotask(() => this.#sink?.(build(this.#o.clock.now())));
  }
}
