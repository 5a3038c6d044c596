/**
 * What every live-venue rig shares, whatever the exchange: an `EngineState` that applies every
 * event the venue sends (as the engine would, recording what it refused and fills it saw twice),
 * and orders placed the way the executor places them (intent and `submitted` applied first, then
 * `venue.submit`). An exchange's rig adds its simulator and the venue built on it.
 */
import { createServer } from "node:net";
import { dec, type Dec, mul, roundToStep } from "../../../src/core/decimal.ts";
import { describeError } from "../../../src/core/errors.ts";
import type { BookEvent, FillEvent, HeanEvent, OrderType, Side, TimeInForce } from "../../../src/core/events.ts";
import { BUILTIN_INSTRUMENTS } from "../../../src/core/instrument.ts";
import type { EngineState } from "../../../src/engine/engine-state.ts";
import type { Venue } from "../../../src/execution/venue-port.ts";
import type { AccountView } from "../../../src/venues/venue.ts";
import { journalTag } from "../../../src/core/ids.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The timeout only names what never came; a loaded machine may take a while to bring it. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface PlaceInput {
  readonly symbol?: string;
  readonly side: Side;
  readonly qty: string;
  readonly price?: Dec | undefined;
  readonly orderType?: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly reduceOnly?: boolean;
}

export class VenueRig<V extends Venue> {
  readonly state: EngineState;
  readonly venue: V;
  readonly events: HeanEvent[] = [];
  readonly refused: string[] = [];
  duplicateFills = 0;
  /** Called with each event as the venue emits it, before the engine applies it. */
  onEvent: ((e: HeanEvent) => void) | undefined;
  #n = 0;

  constructor(state: EngineState, venue: V) {
    this.state = state;
    this.venue = venue;
  }

  /** The sink the venue is started with. */
  readonly apply = (e: HeanEvent): void => {
    this.events.push(e);
    this.onEvent?.(e);
    try {
      if (this.state.apply(e) === "duplicate-fill") this.duplicateFills++;
    } catch (err) {
      this.refused.push(`${e.type}: ${describeError(err).message}`);
    }
  };

  of<T extends HeanEvent["type"]>(type: T): Extract<HeanEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<HeanEvent, { type: T }> => e.type === type);
  }

  alerts(code: string): HeanEvent[] {
    return this.events.filter((e) => e.type === "alert" && e.code === code);
  }

  book(symbol = "BTCUSDT"): BookEvent | undefined {
    return this.of("market.book").filter((b) => b.symbol === symbol).at(-1);
  }

  async waitBook(symbol = "BTCUSDT"): Promise<BookEvent> {
    return waitFor(`a ${symbol} book`, () => this.book(symbol));
  }

  /** A marketable limit price `bps` through the touch, on the instrument's tick. */
  async through(side: Side, bps = 50, symbol = "BTCUSDT"): Promise<Dec> {
    const b = await this.waitBook(symbol);
    const tick = BUILTIN_INSTRUMENTS.find((i) => i.symbol === symbol)!.tickSize;
    const f = dec(String(1 + (side === "buy" ? bps : -bps) / 10_000));
    return roundToStep(mul(side === "buy" ? b.ask : b.bid, f), tick, side === "buy" ? "ceil" : "floor");
  }

  /** A resting price `bps` away from the touch on the passive side. */
  async away(side: Side, bps = 200, symbol = "BTCUSDT"): Promise<Dec> {
    return this.through(side, -bps, symbol);
  }

  /** Intent and submitted applied (as the executor does), then handed to the venue. */
  place(o: PlaceInput, id = `rig${Date.now().toString(36)}${++this.#n}`): string {
    const symbol = o.symbol ?? "BTCUSDT";
    const orderType = o.orderType ?? "limit";
    const ts = Date.now();
    this.state.apply({
      type: "order.intent",
      ts,
      clientOrderId: id,
      strategyId: "rig",
      symbol,
      side: o.side,
      orderType,
      qty: dec(o.qty),
      price: o.price,
      timeInForce: o.timeInForce ?? "IOC",
      reduceOnly: o.reduceOnly ?? false,
      purpose: o.reduceOnly === true ? "exit" : "entry",
    });
    this.state.apply({ type: "order.submitted", ts, clientOrderId: id, attempt: 1 });
    this.venue.submit({ clientOrderId: id, symbol, side: o.side, orderType, qty: dec(o.qty), price: o.price, timeInForce: o.timeInForce ?? "IOC", reduceOnly: o.reduceOnly ?? false });
    return id;
  }

  cancel(id: string): void {
    const o = this.state.orders.get(id)!;
    this.state.apply({ type: "order.cancel-requested", ts: Date.now(), clientOrderId: id, reason: "rig" });
    this.venue.cancel(id, o.symbol);
  }

  status(id: string): string | undefined {
    return this.state.orders.get(id)?.status;
  }

  fillsOf(id: string): FillEvent[] {
    return this.of("order.filled").filter((f) => f.clientOrderId === id);
  }
}

/** A loopback port nothing listens on (opened and closed again): a venue that refuses connections. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The account view of an engine whose journal is `journalId` (its order ids carry that journal's tag). */
export const engineOfJournal =
  (journalId: string) =>
  (a: AccountView): AccountView => ({ ...a, orderTag: journalTag(journalId) });
