/**
 * A fill that arrives after its leg's cancel (issue 10, defect 7). On a live venue the order
 * update ("Cancelled", cumExecQty) and the execution travel separately, so the cancel can come
 * first: the next leg must be sized from the cumulative fill the cancel confirms, not from the
 * fills seen so far, or the parent overfills once the late fill lands.
 *
 * The real runtime and simulated venue on a simulated clock, with the venue's delivery reordered
 * the way a live stream can (fault injection around the real venue, like the Bybit simulator's
 * `reorderPrivate`): the maker leg's fills are held back until just after its cancel, then sent
 * twice (the stream's copy and a reconciliation's).
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { type Dec, ZERO, add, dec, format, toNumber } from "../../src/core/decimal.ts";
import type { FillEvent, HeanEvent } from "../../src/core/events.ts";
import { SimVenue } from "../../src/venues/sim/sim-venue.ts";
import type { EventSink, Venue, VenueOrderRequest } from "../../src/execution/venue-port.ts";
import { ofType, startTestRuntime, tempJournal } from "../runtime/helpers.ts";

const SYMBOL = "BTCUSDT";

/** The real simulated venue, with one order's fills delivered only after its cancel, twice. */
class LateFillVenue implements Venue {
  readonly id = "sim";
  readonly inner: SimVenue;
  readonly #late: (clientOrderId: string) => boolean;
  readonly held: FillEvent[] = [];
  /** The order of what reached hean for the late order: "cancelled", then its fills. */
  readonly delivered: string[] = [];

  constructor(inner: SimVenue, late: (clientOrderId: string) => boolean) {
    this.inner = inner;
    this.#late = late;
  }

  start(sink: EventSink): Promise<void> {
    return this.inner.start((e: HeanEvent) => {
      const id = "clientOrderId" in e ? e.clientOrderId : undefined;
      if (id === undefined || !this.#late(id)) return sink(e);
      if (e.type === "order.filled") {
        this.held.push(e);
        return;
      }
      sink(e);
      if (e.type !== "order.cancelled") return;
      this.delivered.push("cancelled");
      for (const f of this.held.splice(0)) {
        this.delivered.push(`fill ${format(f.qty)}`);
        sink(f);
        sink({ ...f, source: "reconciliation" });
      }
    });
  }

  instruments(): ReturnType<Venue["instruments"]> {
    return this.inner.instruments();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
  submit(order: VenueOrderRequest): void {
    this.inner.submit(order);
  }
  cancel(clientOrderId: string, symbol: string): void {
    this.inner.cancel(clientOrderId, symbol);
  }
  queryOrder(clientOrderId: string, symbol: string) {
    return this.inner.queryOrder(clientOrderId, symbol);
  }
  openOrders() {
    return this.inner.openOrders();
  }
  positions() {
    return this.inner.positions();
  }
  fillsSince(sinceMs: number) {
    return this.inner.fillsSince(sinceMs);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

test("a fill reported after its leg's cancel: the next leg is sized from the confirmed cumulative fill; the late fill counts once; the parent never overfills", async () => {
  const j = tempJournal();
  cleanups.push(j.cleanup);
  let sim!: SimVenue;
  let venue!: LateFillVenue;
  const { rt, events, advance, stop } = await startTestRuntime({
    journalPath: j.path,
    overrides: [
      "strategy.name=none",
      "initialCash=1000000",
      "risk.maxLeverage=30",
      "risk.maxOrderNotional=5000000",
      "risk.maxPositionNotional=5000000",
      "risk.maxGrossExposure=10000000",
      "execution.ttl.minMs=2000",
      "execution.ttl.maxMs=2000",
      "execution.ttl.baseMs=2000",
      "execution.maxReprices=0",
    ],
    venue: (config, clock) => {
      sim = new SimVenue({
        clock,
        seed: config.seed,
        scenario: config.scenario,
        symbols: config.symbols,
        latency: { ackMs: config.sim.latencyMs, marketDataMs: config.sim.latencyMs, jitterMs: 0 },
        startingBalance: config.initialCash,
        updatesPerSecond: config.sim.updatesPerSecond,
      });
      venue = new LateFillVenue(sim, (id) => id.endsWith("-m1"));
      return venue;
    },
  });
  cleanups.push(stop);

  await advance(2_050);
  const book = rt.engine.lastBook(SYMBOL)!;
  const r = rt.router.route({ strategyId: "test", symbol: SYMBOL, side: "buy", qty: dec("3"), urgency: "normal", purpose: "entry", reduceOnly: false });
  assert.ok(r.ok);
  await advance(30);
  // The market trades through the resting bid: the maker leg fills part of its 3 at the venue.
  sim.market.setPrice(SYMBOL, toNumber(book.bid) - 0.1);
  await advance(2_500);

  const legs = ofType(events, "router.leg").filter((l) => l.parentId === r.parentId);
  assert.deepEqual(legs.map((l) => `${l.kind}:${l.cause}`), ["maker:initial", "taker:reprice-exhausted"]);
  const [maker, taker] = legs as [(typeof legs)[0], (typeof legs)[0]];
  const cancelled = ofType(events, "order.cancelled").find((c) => c.clientOrderId === maker.clientOrderId)!;
  const confirmed = cancelled.filledQty!;
  assert.ok(confirmed > 0n && confirmed < dec("3"), `the cancel confirms a partial fill (${format(confirmed ?? ZERO)})`);

  // The sequence a live venue can produce: the cancel first, its fills after; and the next leg
  // was sized between the two.
  assert.equal(venue.delivered[0], "cancelled");
  assert.ok(venue.delivered.length > 1, "fills were held back until after the cancel");
  const seq = (e: HeanEvent): number => events.indexOf(e);
  const makerFills = ofType(events, "order.filled").filter((f) => f.clientOrderId === maker.clientOrderId);
  assert.ok(seq(taker) < seq(makerFills[0]!), "the fallback was sized before the late fill arrived");
  assert.ok(seq(cancelled) < seq(taker));
  assert.equal(taker.qty, (dec("3") - confirmed) as Dec, "sized from the venue-confirmed cumulative fill, not from the fills seen");

  // Each late fill counted once though it came twice.
  const makerFilled = makerFills.reduce((a, f) => add(a, f.qty), ZERO);
  assert.equal(makerFilled, confirmed);
  assert.ok(rt.engine.duplicateFills >= makerFills.length, "the reconciliation copies were dropped by execution id");
  assert.equal(rt.engine.state.orders.get(maker.clientOrderId)!.filledQty, confirmed);

  const done = ofType(events, "router.done").find((d) => d.parentId === r.parentId)!;
  assert.ok(done.filledQty <= dec("3"), `the parent never overfills (${format(done.filledQty)})`);
  assert.equal(done.filledQty, dec("3"));
  assert.equal(rt.engine.state.portfolio.position(SYMBOL).qty, dec("3"), "the account holds exactly the parent");
  assert.equal((await sim.positions()).find((p) => p.symbol === SYMBOL)?.qty, dec("3"), "and so does the venue");
});
