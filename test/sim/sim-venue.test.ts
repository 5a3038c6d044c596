import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { type Dec, ZERO, add, dec, format } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import type { VenueOrderRequest } from "../../src/execution/venue-port.ts";
import { SimVenue, type SimVenueOptions } from "../../src/venues/sim/sim-venue.ts";
import { STALE } from "../../src/venues/sim/market/scenarios.ts";

async function started(options: SimVenueOptions = {}) {
  const clock = new SimClock();
  const venue = new SimVenue({ clock, seed: 9, latency: { ackMs: 5, marketDataMs: 3, jitterMs: 0 }, ...options });
  const events: HeanEvent[] = [];
  await venue.start((e) => events.push(e));
  return { clock, venue, events, t0: clock.now() };
}

const order = (clientOrderId: string, extra: Partial<VenueOrderRequest> = {}): VenueOrderRequest => ({
  clientOrderId,
  symbol: "BTCUSDT",
  side: "buy",
  orderType: "market",
  qty: dec("0.01"),
  timeInForce: "IOC",
  reduceOnly: false,
  ...extra,
});

const orderEvents = (events: HeanEvent[]) => events.filter((e) => e.type.startsWith("order."));

test("market data: top of book every step, after the market-data latency, uncrossed", async () => {
  const { clock, venue, events, t0 } = await started();
  clock.advance(99);
  assert.equal(events.length, 0);
  clock.advance(1);
  assert.equal(events.length, 0, "the step at 100 ms is still in flight");
  clock.advance(3);
  const books = events.filter((e) => e.type === "market.book");
  assert.equal(books.length, 2, "one per symbol");
  for (const b of books) {
    assert.equal(b.ts, t0 + 103);
    assert.equal(b.venueTs, t0 + 100);
    assert.ok(b.bid < b.ask && b.bidQty > 0n && b.askQty > 0n);
    assert.equal(b.afterGap, false);
  }
  clock.advance(10_000);
  assert.equal(events.filter((e) => e.type === "market.book").length, 2 * 101);
  assert.ok(events.some((e) => e.type === "market.trade"));
  await venue.stop();
});

test("a market order: accepted and filled after the ack latency, fill ids are execution ids, fees taker", async () => {
  const { clock, venue, events, t0 } = await started();
  venue.submit(order("m-1"));
  clock.advance(4);
  assert.deepEqual(orderEvents(events), []);
  clock.advance(1);
  const out = orderEvents(events);
  assert.equal(out[0]?.type, "order.accepted");
  const fills = out.filter((e) => e.type === "order.filled");
  assert.ok(fills.length >= 1);
  assert.equal(fills.reduce((s, f) => add(s, f.qty), ZERO), dec("0.01"));
  const executions = venue.engine.executions(venue.account);
  assert.deepEqual(fills.map((f) => f.fillId), executions.map((e) => e.execId));
  for (const f of fills) {
    assert.equal(f.ts, t0 + 5);
    assert.equal(f.liquidity, "taker");
    assert.equal(f.clientOrderId, "m-1");
    assert.equal(f.source, "stream");
    assert.ok(f.fee > 0n);
  }
  assert.ok(!out.some((e) => e.type === "order.expired" || e.type === "order.cancelled"));
  await venue.stop();
});

test("IOC remainder expires, post-only crossing is cancelled with postOnlyWouldTake, a bad order is rejected", async () => {
  const { clock, venue, events } = await started();
  const top = venue.engine.top("BTCUSDT")!;
  venue.submit(order("ioc", { orderType: "limit", price: (top.bid!.price - dec("10")) as Dec }));
  venue.submit(order("po", { orderType: "limit", price: top.ask!.price, timeInForce: "POST_ONLY" }));
  venue.submit(order("bad", { qty: dec("0.0005") }));
  clock.advance(5);
  const out = orderEvents(events).map((e) => `${e.type} ${"clientOrderId" in e ? e.clientOrderId : ""}`);
  assert.deepEqual(out, [
    "order.accepted ioc",
    "order.expired ioc",
    "order.accepted po",
    "order.cancelled po",
    "order.rejected bad",
  ]);
  const cancelled = events.find((e) => e.type === "order.cancelled");
  assert.ok(cancelled?.type === "order.cancelled" && cancelled.postOnlyWouldTake === true);
  const rejected = events.find((e) => e.type === "order.rejected");
  assert.ok(rejected?.type === "order.rejected" && rejected.code === "QTY_NOT_LOT_MULTIPLE" && !rejected.postOnlyWouldTake);
  assert.equal((await venue.queryOrder("po", "BTCUSDT"))?.postOnlyWouldTake, true);
  assert.equal((await venue.queryOrder("ioc", "BTCUSDT"))?.status, "expired");
  assert.equal(await venue.queryOrder("bad", "BTCUSDT"), undefined);
  await venue.stop();
});

test("cancel: a resting order is cancelled; an unknown one gets cancel-rejected", async () => {
  const { clock, venue, events } = await started();
  const bid = venue.engine.top("BTCUSDT")!.bid!.price;
  venue.submit(order("rest", { orderType: "limit", price: (bid - dec("100")) as Dec, timeInForce: "GTC" }));
  venue.cancel("rest", "BTCUSDT");
  venue.cancel("ghost", "BTCUSDT");
  clock.advance(5);
  assert.deepEqual(
    orderEvents(events).map((e) => e.type),
    ["order.accepted", "order.cancelled", "order.cancel-rejected"],
  );
  assert.deepEqual(await venue.openOrders(), []);
  await venue.stop();
});

test("a resting order the market reaches later is filled as maker, reported on the order stream", async () => {
  const { clock, venue, events } = await started({ symbols: ["BTCUSDT"] });
  const bid = venue.engine.top("BTCUSDT")!.bid!.price;
  venue.submit(order("maker", { orderType: "limit", price: (bid - dec("20")) as Dec, timeInForce: "GTC", qty: dec("0.05") }));
  clock.advance(10);
  assert.equal((await venue.openOrders()).length, 1);
  venue.market.setPrice("BTCUSDT", 59_500);
  clock.advance(1);
  const fills = events.filter((e) => e.type === "order.filled");
  assert.ok(fills.length > 0 && fills.every((f) => f.liquidity === "maker" && f.fee > 0n));
  assert.equal(fills.reduce((s, f) => add(s, f.qty), ZERO), dec("0.05"));
  assert.deepEqual(await venue.positions(), [{ symbol: "BTCUSDT", qty: dec("0.05"), avgPrice: (bid - dec("20")) as Dec }]);
  const since = await venue.fillsSince(0);
  assert.deepEqual(since.map((f) => f.fillId), fills.map((f) => f.fillId));
  assert.ok(since.every((f) => f.source === "reconciliation"));
  assert.deepEqual(await venue.fillsSince(clock.now() + 1), []);
  await venue.stop();
});

test("latency jitter is seeded, bounded, and never reorders a channel", async () => {
  const run = async () => {
    const { clock, venue, events, t0 } = await started({ latency: { ackMs: 2, marketDataMs: 1, jitterMs: 6 } });
    const sentAt = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      clock.advance(37);
      sentAt.set(`o${i}`, clock.now());
      venue.submit(order(`o${i}`, { side: i % 2 === 0 ? "buy" : "sell" }));
    }
    clock.advance(2_000);
    await venue.stop();
    return { events, sentAt, t0 };
  };
  const a = await run();
  const b = await run();
  const show = (es: HeanEvent[]) => JSON.stringify(es, (_k, v: unknown) => (typeof v === "bigint" ? format(v as Dec) : v));
  assert.equal(show(a.events), show(b.events), "same seed, same events at the same times");
  let last = 0;
  const delays = new Set<number>();
  for (const e of a.events) {
    if (e.type === "order.accepted") {
      const delay = e.ts - a.sentAt.get(e.clientOrderId)!;
      assert.ok(delay >= 2 && delay <= 8 + 37, `delay ${delay}`);
      delays.add(delay);
    }
    if (e.type.startsWith("order.")) {
      assert.ok(e.ts >= last, "FIFO");
      last = e.ts;
    }
  }
  assert.ok(delays.size > 2, "jitter varies");
});

test("stale scenario: 30 s without any market data from 10 s; orders still work", async () => {
  const { clock, venue, events, t0 } = await started({ scenario: "stale" });
  clock.advance(STALE.startMs + 5_000);
  const n = events.length;
  venue.submit(order("during"));
  clock.advance(10);
  assert.ok(orderEvents(events.slice(n)).some((e) => e.type === "order.filled"));
  clock.advance(STALE.durationMs);
  const market = events.filter((e) => e.type === "market.book" || e.type === "market.trade");
  const silent = market.filter((e) => e.ts > t0 + STALE.startMs + 10 && e.ts < t0 + STALE.startMs + STALE.durationMs);
  assert.deepEqual(silent, []);
  const resumed = market.find((e) => e.type === "market.book" && e.ts >= t0 + STALE.startMs + STALE.durationMs);
  assert.ok(resumed?.type === "market.book" && resumed.afterGap === true, "the first book after the silence is flagged");
  await venue.stop();
});

test("restore puts back cash, positions and working orders, silently", async () => {
  const clock = new SimClock();
  const venue = new SimVenue({ clock, seed: 3, symbols: ["BTCUSDT", "ETHUSDT"] });
  const report = venue.restore({
    cash: dec("12345.6"),
    positions: [{ symbol: "BTCUSDT", qty: dec("-0.02"), avgPrice: dec("60100") }],
    orders: [
      { clientOrderId: "keep", venueOrderId: "old-o-7", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("0.02"), filledQty: dec("0.005"), price: dec("59000"), timeInForce: "GTC", reduceOnly: true },
      { clientOrderId: "new-id", symbol: "ETHUSDT", side: "sell", orderType: "limit", qty: dec("1"), filledQty: ZERO, price: dec("3500"), timeInForce: "POST_ONLY", reduceOnly: false },
      { clientOrderId: "ioc", symbol: "BTCUSDT", side: "buy", orderType: "limit", qty: dec("1"), filledQty: ZERO, price: dec("1"), timeInForce: "IOC", reduceOnly: false },
      { clientOrderId: "junk", symbol: "NOPE", side: "buy", orderType: "limit", qty: dec("1"), filledQty: ZERO, price: dec("1"), timeInForce: "GTC", reduceOnly: false },
    ],
  });
  assert.equal(report.orders, 2);
  assert.equal(report.positions, 1);
  assert.deepEqual(report.skipped.map((s) => s.what), ["order ioc", "order junk"]);
  const events: HeanEvent[] = [];
  await venue.start((e) => events.push(e));
  assert.equal(format(venue.engine.wallet(venue.account)!.balance), "12345.6");
  assert.deepEqual(await venue.positions(), [{ symbol: "BTCUSDT", qty: dec("-0.02"), avgPrice: dec("60100") }]);
  const open = await venue.openOrders();
  assert.deepEqual(
    open.map((o) => [o.clientOrderId, o.venueOrderId, format(o.filledQty), o.status]),
    [
      ["keep", "old-o-7", "0.005", "partially-filled"],
      ["new-id", open[1]!.venueOrderId, "0", "open"],
    ],
  );
  // A restored order is a live order: it can be cancelled by its client id.
  venue.cancel("keep", "BTCUSDT");
  clock.advance(10);
  assert.ok(events.some((e) => e.type === "order.cancelled" && e.clientOrderId === "keep"));
  assert.equal((await venue.queryOrder("keep", "BTCUSDT"))?.status, "cancelled");
  assert.ok(!events.some((e) => e.type === "order.accepted"), "restore itself emitted nothing");
  await venue.stop();
});

test("start prices continue a previous run; ids never repeat across restarts", async () => {
  const c1 = new SimClock(1_000_000);
  const v1 = new SimVenue({ clock: c1, seed: 4, symbols: ["BTCUSDT"], startPrices: { BTCUSDT: dec("61234.5") } });
  const mid = v1.engine.top("BTCUSDT")!;
  assert.ok(Math.abs(Number(format(mid.bid!.price)) - 61_234.5) < 1);
  await v1.start(() => {});
  v1.submit(order("x"));
  c1.advance(10);
  const c2 = new SimClock(2_000_000);
  const v2 = new SimVenue({ clock: c2, seed: 4, symbols: ["BTCUSDT"] });
  await v2.start(() => {});
  v2.submit(order("x"));
  c2.advance(10);
  const ids1 = v1.engine.executions(v1.account).map((e) => e.execId);
  const ids2 = v2.engine.executions(v2.account).map((e) => e.execId);
  assert.ok(ids1.length > 0 && ids2.length > 0);
  assert.deepEqual(ids1.filter((id) => ids2.includes(id)), []);
  await v1.stop();
  await v2.stop();
});

test("after stop nothing more is emitted and submits are ignored", async () => {
  const { clock, venue, events } = await started();
  clock.advance(500);
  await venue.stop();
  const n = events.length;
  venue.submit(order("late"));
  clock.advance(5_000);
  assert.equal(events.length, n);
  assert.equal(await venue.queryOrder("late", "BTCUSDT"), undefined);
});

test("garbage submitted to the venue comes back as order.rejected, never as a throw", async () => {
  const { clock, venue, events } = await started();
  venue.submit({ clientOrderId: "g1", symbol: 5, side: "up", orderType: "limit", qty: { toString: 0 } } as never);
  venue.submit({ ...order("g2"), qty: Number.NaN as never });
  venue.submit(null as never);
  venue.cancel(undefined as never, undefined as never);
  clock.advance(10);
  const out = orderEvents(events);
  assert.deepEqual(
    out.map((e) => [e.type, "clientOrderId" in e ? e.clientOrderId : ""]),
    [
      ["order.rejected", "g1"],
      ["order.rejected", "g2"],
    ],
  );
  await venue.stop();
});
