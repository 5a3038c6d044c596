import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import type { EventType, HeanEvent } from "../../src/core/events.ts";
import { EventBus, type BusOptions } from "../../src/bus/event-bus.ts";
import { ALL_LANES, laneOf } from "../../src/bus/lanes.ts";
import { MARKET_KINDS } from "../../src/bus/market-slots.ts";
import { ALL_EVENT_TYPES } from "../../src/core/events.ts";
import { book, critical, isMarket, nextTurn, trade, until } from "./fixtures.ts";

const label = (e: HeanEvent): string => (isMarket(e) ? `${e.type}:${e.symbol}:${e.venueTs}` : `${e.type}#${e.ts}`);

function recordingBus(options: Partial<BusOptions> = {}): { bus: EventBus; log: string[] } {
  const bus = new EventBus({ clock: new SimClock(0), mode: "manual", ...options });
  const log: string[] = [];
  bus.subscribe("log", (e) => void log.push(label(e)));
  return { bus, log };
}

describe("lanes", () => {
  test("every event type has a lane; only book and trade travel in the market lane", () => {
    for (const t of ALL_EVENT_TYPES) {
      const lane = laneOf({ type: t } as HeanEvent);
      assert.ok(ALL_LANES.includes(lane), t);
      assert.equal(lane === "market", (MARKET_KINDS as readonly string[]).includes(t), t);
    }
    assert.deepEqual([...MARKET_KINDS].sort(), ["market.book", "market.trade"]);
  });
});

describe("ordering and priority", () => {
  test("critical events keep global publish order across lanes and go before waiting market data", () => {
    const { bus, log } = recordingBus();
    bus.publish(book("BTCUSDT", 1));
    bus.publish(trade("ETHUSDT", 2));
    for (let n = 0; n < 20; n++) bus.publish(critical(n));
    bus.publish(book("SOLUSDT", 3));
    bus.publish(critical(20));
    assert.equal(bus.pending(), 24);
    bus.drain();
    assert.deepEqual(log, [
      ...Array.from({ length: 21 }, (_, n) => label(critical(n))),
      "market.book:BTCUSDT:1",
      "market.trade:ETHUSDT:2",
      "market.book:SOLUSDT:3",
    ]);
    assert.equal(bus.pending(), 0);
  });

  test("a critical event published by a market handler overtakes the market data still waiting", () => {
    const { bus, log } = recordingBus();
    bus.subscribe("reactor", (e) => {
      if (e.type === "market.book" && e.symbol === "BTCUSDT") bus.publish(critical(99));
    });
    bus.publish(book("BTCUSDT", 1));
    bus.publish(book("ETHUSDT", 2));
    bus.drain();
    assert.deepEqual(log, ["market.book:BTCUSDT:1", label(critical(99)), "market.book:ETHUSDT:2"]);
  });

  test("handlers run in subscription order; a type filter limits what a handler sees", () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "sync" });
    const seen: string[] = [];
    bus.subscribe("first", (e) => void seen.push(`first:${e.type}`));
    bus.subscribe("fills-only", (e) => void seen.push(`fills:${e.type}`), ["order.filled"]);
    bus.subscribe("last", (e) => void seen.push(`last:${e.type}`));
    bus.publish(critical(2)); // order.accepted
    bus.publish(critical(3)); // order.filled
    assert.deepEqual(seen, ["first:order.accepted", "last:order.accepted", "first:order.filled", "fills:order.filled", "last:order.filled"]);
  });

  test("sync mode: a re-entrant publish queues behind the current dispatch and keeps order", () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "sync" });
    const seen: string[] = [];
    bus.subscribe("A", (e) => {
      seen.push(`A:${label(e)}`);
      if (e.ts === 0 && !isMarket(e)) {
        bus.publish(book("BTCUSDT", 7));
        bus.publish(critical(1));
        bus.publish(critical(2));
      }
    });
    bus.subscribe("B", (e) => void seen.push(`B:${label(e)}`));
    bus.publish(critical(0));
    assert.deepEqual(seen, [
      `A:${label(critical(0))}`,
      `B:${label(critical(0))}`,
      `A:${label(critical(1))}`,
      `B:${label(critical(1))}`,
      `A:${label(critical(2))}`,
      `B:${label(critical(2))}`,
      "A:market.book:BTCUSDT:7",
      "B:market.book:BTCUSDT:7",
    ]);
    assert.equal(bus.pending(), 0);
  });

  test("async mode: publish returns at once, delivery happens on a later turn", async () => {
    const { bus, log } = recordingBus({ mode: "async" });
    bus.publish(critical(0));
    bus.publish(book("BTCUSDT", 1));
    assert.deepEqual(log, []);
    assert.equal(bus.pending(), 2);
    await until(() => bus.pending() === 0);
    assert.deepEqual(log, [label(critical(0)), "market.book:BTCUSDT:1"]);
  });

  test("async mode: a long drain yields to other work between slices", async () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "async", sliceMs: 1 });
    let delivered = 0;
    bus.subscribe("slow", () => {
      delivered++;
      const end = performance.now() + 0.05;
      while (performance.now() < end) {
        // 50 µs per event: 32 events pass the 1 ms slice
      }
    });
    const total = 2_000;
    for (let n = 0; n < total; n++) bus.publish(critical(n));
    let deliveredWhenOtherWorkRan = -1;
    setImmediate(() => setImmediate(() => (deliveredWhenOtherWorkRan = delivered)));
    await until(() => bus.pending() === 0);
    assert.equal(delivered, total);
    assert.ok(deliveredWhenOtherWorkRan > 0 && deliveredWhenOtherWorkRan < total, `other work ran after ${deliveredWhenOtherWorkRan} events`);
  });

  test("async mode: a drain whose handlers turn slow after a fast start still yields (the clock is read by pace, at most 256 events apart)", async () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "async", sliceMs: 1 });
    let delivered = 0;
    bus.subscribe("fast-then-slow", () => {
      if (++delivered <= 1_000) return;
      const end = performance.now() + 0.05;
      while (performance.now() < end) {
        // 50 µs per event from the 1001st on
      }
    });
    const total = 3_000;
    for (let n = 0; n < total; n++) bus.publish(critical(n));
    let deliveredWhenOtherWorkRan = -1;
    setImmediate(() => setImmediate(() => (deliveredWhenOtherWorkRan = delivered)));
    await until(() => bus.pending() === 0);
    assert.equal(delivered, total);
    assert.ok(deliveredWhenOtherWorkRan > 0 && deliveredWhenOtherWorkRan < total, `other work ran after ${deliveredWhenOtherWorkRan} events`);
  });

  test("unsubscribe stops delivery, also in the middle of dispatching an event", () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "sync" });
    const seen: string[] = [];
    let offB: () => void = () => {};
    const offA = bus.subscribe("A", (e) => {
      seen.push(`A${e.ts}`);
      if (e.ts === 1) offB();
    });
    offB = bus.subscribe("B", (e) => void seen.push(`B${e.ts}`));
    bus.publish(critical(0));
    bus.publish(critical(1)); // A unsubscribes B before B sees it
    bus.publish(critical(2));
    offA();
    bus.publish(critical(3));
    offA(); // twice is harmless
    assert.deepEqual(seen, ["A0", "B0", "A1", "A2"]);
  });

  test("a closed bus ignores publishes", () => {
    const { bus, log } = recordingBus({ mode: "sync" });
    bus.close();
    bus.publish(critical(0));
    bus.publish(book("BTCUSDT", 1));
    assert.deepEqual(log, []);
    assert.equal(bus.pending(), 0);
    assert.equal(bus.stats().lanes.reduce((n, l) => n + l.published, 0), 0);
  });
});

describe("market lane: conflation and bound", () => {
  test("keeps only the newest per (kind, symbol) and counts every replaced event", () => {
    const { bus, log } = recordingBus();
    bus.publish(book("BTCUSDT", 1));
    bus.publish(trade("BTCUSDT", 1));
    bus.publish(book("BTCUSDT", 2));
    bus.publish(book("ETHUSDT", 1));
    bus.publish(book("BTCUSDT", 3));
    bus.publish(trade("BTCUSDT", 2));
    assert.equal(bus.pending(), 3);
    bus.drain();
    // A replaced key moves to the back: the freshest data waits its fair turn.
    assert.deepEqual(log, ["market.book:ETHUSDT:1", "market.book:BTCUSDT:3", "market.trade:BTCUSDT:2"]);
    const market = bus.stats().lanes.find((l) => l.lane === "market")!;
    assert.deepEqual(
      { published: market.published, delivered: market.delivered, conflated: market.conflated, dropped: market.dropped, depth: market.depth },
      { published: 6, delivered: 3, conflated: 3, dropped: 0, depth: 0 },
    );
    assert.deepEqual(bus.stats().droppedByType, { "market.book": 2, "market.trade": 1 });
  });

  test("the bound drops new keys when full, counts them, and still conflates waiting keys", () => {
    const { bus, log } = recordingBus({ marketCapacity: 3 });
    for (const [i, s] of ["A", "B", "C", "D", "E"].entries()) bus.publish(book(s, i));
    bus.publish(book("B", 10)); // a waiting key: replaced, not dropped
    bus.publish(trade("A", 11)); // a new key while full: dropped
    const m = bus.stats().lanes.find((l) => l.lane === "market")!;
    assert.equal(m.depth, 3);
    assert.equal(m.dropped, 3);
    assert.equal(m.conflated, 1);
    assert.equal(m.highWater, 3);
    assert.equal(m.published, m.delivered + m.dropped + m.conflated + m.depth);
    assert.deepEqual(bus.stats().droppedByType, { "market.book": 3, "market.trade": 1 });
    bus.drain();
    assert.deepEqual(log.filter((l) => l.startsWith("market")), ["market.book:A:0", "market.book:C:2", "market.book:B:10"]);
    const after = bus.stats().lanes.find((l) => l.lane === "market")!;
    assert.equal(after.published, after.delivered + after.dropped + after.conflated + after.depth);
  });

  test("critical lanes never drop, however far past their soft capacity", () => {
    const { bus, log } = recordingBus({ criticalCapacity: 10 });
    for (let n = 0; n < 100; n++) bus.publish(critical(5 * n + 2)); // all order.accepted
    bus.drain();
    const ordered = log.filter((l) => l.startsWith("order.accepted"));
    assert.equal(ordered.length, 100);
    const orders = bus.stats().lanes.find((l) => l.lane === "orders")!;
    assert.equal(orders.dropped, 0);
    assert.equal(orders.highWater, 100);
    assert.equal(orders.delivered, 100);
  });
});

describe("stats", () => {
  test("has one entry per lane with depth, capacity, utilisation, high water and counters", () => {
    const { bus } = recordingBus({ criticalCapacity: 50, marketCapacity: 20 });
    for (let n = 0; n < 10; n++) bus.publish(critical(5 * n + 3)); // order.filled
    bus.publish(book("A", 1));
    bus.publish(book("A", 2));
    const s = bus.stats();
    assert.deepEqual(
      s.lanes.map((l) => l.lane),
      ["commands", "risk", "orders", "fills", "system", "market"],
    );
    const keys: readonly string[] = ["lane", "depth", "capacity", "utilisation", "highWater", "published", "delivered", "dropped", "conflated"];
    for (const l of s.lanes) assert.deepEqual(Object.keys(l).sort(), [...keys].sort());
    assert.deepEqual(s.lanes.find((l) => l.lane === "fills"), {
      lane: "fills",
      depth: 10,
      capacity: 50,
      utilisation: 0.2,
      highWater: 10,
      published: 10,
      delivered: 0,
      dropped: 0,
      conflated: 0,
    });
    assert.deepEqual(s.lanes.find((l) => l.lane === "market"), {
      lane: "market",
      depth: 1,
      capacity: 20,
      utilisation: 0.05,
      highWater: 1,
      published: 2,
      delivered: 0,
      dropped: 0,
      conflated: 1,
    });
    assert.deepEqual(s.droppedByType, { "market.book": 1 });
    assert.equal(s.deadLetters, 0);
    bus.drain();
    const fills = bus.stats().lanes.find((l) => l.lane === "fills")!;
    assert.equal(fills.depth, 0);
    assert.equal(fills.utilisation, 0);
    assert.equal(fills.highWater, 10, "high water survives the drain");
    assert.equal(fills.delivered, 10);
  });

  test("types not subscribed by anyone are still counted as delivered", async () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "async" });
    bus.subscribe("only-fills", () => {}, ["order.filled" satisfies EventType]);
    bus.publish(critical(0));
    await nextTurn();
    await until(() => bus.pending() === 0);
    assert.equal(bus.stats().lanes.find((l) => l.lane === "commands")!.delivered, 1);
  });
});

test("a gap flag survives conflation: the book that replaces a flagged one is flagged too", () => {
  const bus = new EventBus({ clock: new SimClock(0), mode: "manual" });
  const seen: HeanEvent[] = [];
  bus.subscribe("log", (e) => void seen.push(e));
  bus.publish({ ...book("BTCUSDT", 1), afterGap: true });
  bus.publish(book("BTCUSDT", 2));
  bus.publish(book("ETHUSDT", 3));
  bus.drain();
  const btc = seen.filter((e) => e.type === "market.book" && e.symbol === "BTCUSDT");
  assert.equal(btc.length, 1);
  assert.ok(btc[0]!.type === "market.book" && btc[0]!.afterGap && btc[0]!.venueTs === book("BTCUSDT", 2).venueTs, "the newest book, carrying the gap flag");
  const eth = seen.find((e) => e.type === "market.book" && e.symbol === "ETHUSDT");
  assert.ok(eth?.type === "market.book" && !eth.afterGap, "other symbols are untouched");
});
