/**
 * The bus's queues against plain models. The market lane against a Map whose delete-then-set moves
 * a key to the back: for any sequence of publishes and drains (drains that publish part-way
 * through, so that queuing and delivery interleave) both give the same events in the same order,
 * with the same drops and conflations. The critical ring against publish order, across growth and
 * wrap-around.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { EventBus } from "../../src/bus/event-bus.ts";
import { SimClock } from "../../src/core/clock.ts";
import { symbolIdOf, type BookEvent, type HeanEvent, type TradeEvent } from "../../src/core/events.ts";
import { book, trade } from "./fixtures.ts";

type Market = BookEvent | TradeEvent;

class Model {
  readonly map = new Map<string, Market>();
  readonly capacity: number;
  dropped = 0;
  conflated = 0;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  enqueue(e: Market): void {
    const key = `${e.type}|${e.symbol}`;
    if (this.map.has(key)) {
      this.map.delete(key);
      this.map.set(key, e);
      this.conflated++;
    } else if (this.map.size >= this.capacity) this.dropped++;
    else this.map.set(key, e);
  }
  dequeue(): Market | undefined {
    const first = this.map.entries().next();
    if (first.done === true) return undefined;
    this.map.delete(first.value[0]);
    return first.value[1];
  }
}

/** A manual-mode bus whose market deliveries are recorded (alerts about utilisation are not). */
function marketBus(capacity: number): { bus: EventBus; delivered: Market[]; onDelivery: { hook: ((count: number) => void) | undefined } } {
  const bus = new EventBus({ clock: new SimClock(0), mode: "manual", marketCapacity: capacity });
  const delivered: Market[] = [];
  const onDelivery: { hook: ((count: number) => void) | undefined } = { hook: undefined };
  bus.subscribe(
    "recorder",
    (e) => {
      delivered.push(e as Market);
      onDelivery.hook?.(delivered.length);
    },
    ["market.book", "market.trade"],
  );
  return { bus, delivered, onDelivery };
}

type Publish = { readonly kind: number; readonly symbol: number };
type Op = ({ readonly op: "publish" } & Publish) | { readonly op: "drain"; readonly at: number; readonly then: readonly Publish[] };

const publish = fc.record({ kind: fc.integer({ min: 0, max: 1 }), symbol: fc.integer({ min: 0, max: 150 }) });
const ops = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: publish.map((p): Op => ({ op: "publish", ...p })) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("drain" as const), at: fc.integer({ min: 0, max: 40 }), then: fc.array(publish, { maxLength: 60 }) }) },
  ),
  { maxLength: 600 },
);

describe("the market lane's queue", () => {
  test("behaves like the delete-then-set Map model, including the bound, growth past 64 slots and publishes during delivery", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), ops, (capacity, sequence: Op[]) => {
        const { bus, delivered, onDelivery } = marketBus(capacity);
        const model = new Model(capacity);
        const expected: Market[] = [];
        let n = 0;
        const eventOf = (p: Publish): Market => (p.kind === 0 ? book(`S${p.symbol}`, n++) : trade(`S${p.symbol}`, n++));
        for (const o of sequence) {
          if (o.op === "publish") {
            const e = eventOf(o);
            model.enqueue(e);
            bus.publish(e);
          } else {
            const later = o.then.map(eventOf);
            // The model: `at + 1` deliveries, then the publishes, then the rest.
            const before = delivered.length;
            let published = false;
            for (let i = 0; i <= o.at; i++) {
              const e = model.dequeue();
              if (e === undefined) break;
              expected.push(e);
              if (i === o.at) {
                for (const p of later) model.enqueue(p);
                published = true;
              }
            }
            if (!published) for (const p of later) model.enqueue(p);
            for (let e = model.dequeue(); e !== undefined; e = model.dequeue()) expected.push(e);
            // The bus: the handler publishes when it has delivered `at + 1` events of this drain.
            let fired = false;
            onDelivery.hook = (count) => {
              if (!fired && count - before === o.at + 1) {
                fired = true;
                for (const p of later) bus.publish(p);
              }
            };
            bus.drain();
            onDelivery.hook = undefined;
            if (!fired) {
              for (const p of later) bus.publish(p);
              bus.drain();
            }
          }
          const lane = bus.stats().lanes.find((l) => l.lane === "market")!;
          assert.equal(lane.depth, model.map.size);
          assert.equal(lane.dropped, model.dropped);
          assert.equal(lane.conflated, model.conflated);
        }
        for (let e = model.dequeue(); e !== undefined; e = model.dequeue()) expected.push(e);
        bus.drain();
        assert.deepEqual(
          delivered.map((e) => `${e.type}|${e.symbol}|${e.venueTs}`),
          expected.map((e) => `${e.type}|${e.symbol}|${e.venueTs}`),
        );
        assert.equal(bus.pending(), 0);
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  test("symbols named like object properties or numbers get slots of their own", () => {
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "0", "1", "-1", "1.5", "", "BTCUSDT"];
    const { bus, delivered } = marketBus(100);
    names.forEach((symbol, n) => bus.publish(book(symbol, n)));
    names.forEach((symbol, n) => bus.publish(book(symbol, n + 100)));
    bus.drain();
    assert.deepEqual(
      delivered.map((e) => [e.symbol, e.venueTs]),
      names.map((symbol, n) => [symbol, n + 100]),
    );
    assert.equal(bus.stats().lanes.find((l) => l.lane === "market")!.conflated, names.length);
  });

  test("a flood of replacements leaves the ring bounded by the waiting slots, not by the events published", () => {
    const { bus, delivered } = marketBus(8);
    // Round-robin over three symbols: every publish after the first three replaces a slot that is
    // not last, so each leaves a tombstone behind.
    for (let n = 0; n < 100_000; n++) bus.publish(book(`S${n % 3}`, n));
    assert.equal(bus.pending(), 3);
    assert.ok(bus.marketRingLength <= 64, `ring of ${bus.marketRingLength}`);
    bus.drain();
    assert.deepEqual(
      delivered.map((e) => [e.symbol, e.venueTs]),
      [
        ["S1", 99_997],
        ["S2", 99_998],
        ["S0", 99_999],
      ],
    );
  });

  test("the ring grows past its first length when that many slots wait, and keeps their order", () => {
    const { bus, delivered } = marketBus(1_000);
    for (let n = 0; n < 1_000; n++) bus.publish(n & 1 ? trade(`S${n >> 1}`, n) : book(`S${n >> 1}`, n));
    // (Two utilisation alerts wait in the system lane besides.)
    assert.equal(bus.stats().lanes.find((l) => l.lane === "market")!.depth, 1_000);
    assert.ok(bus.marketRingLength <= 4_096, `ring of ${bus.marketRingLength}`);
    bus.drain();
    assert.deepEqual(
      delivered.map((e) => e.venueTs),
      Array.from({ length: 1_000 }, (_, n) => n),
    );
  });

  test("a stamped symbolId shares the slot of its symbol; one that names another symbol, or none, is ignored", () => {
    const { bus, delivered } = marketBus(10);
    const a = symbolIdOf("STAMP-A");
    const b = symbolIdOf("STAMP-B");
    const stamped = (symbol: string, n: number, symbolId?: number): BookEvent => (symbolId === undefined ? book(symbol, n) : { ...book(symbol, n), symbolId });
    bus.publish(stamped("STAMP-A", 1));
    // Stamped or not, the same symbol conflates into one slot.
    bus.publish(stamped("STAMP-A", 2, a));
    // A stale or foreign id (another symbol's, one never given out, not an integer) must not put the
    // event in another symbol's slot: it is looked up by its symbol instead.
    bus.publish(stamped("STAMP-B", 3, a));
    bus.publish(stamped("STAMP-B", 4, 1e9));
    bus.publish(stamped("STAMP-B", 5, -1));
    bus.publish(stamped("STAMP-B", 6, b + 0.5));
    bus.publish(stamped("STAMP-B", 7, b));
    assert.equal(bus.pending(), 2);
    bus.drain();
    assert.deepEqual(
      delivered.map((e) => [e.symbol, e.venueTs]),
      [
        ["STAMP-A", 2],
        ["STAMP-B", 7],
      ],
    );
  });
});

describe("the critical lanes' ring", () => {
  test("events come out in publish order across growth and wrap-around, including those published during delivery", () => {
    const bus = new EventBus({ clock: new SimClock(0), mode: "manual" });
    const seen: number[] = [];
    let next = 0;
    const accepted = (): HeanEvent => ({ type: "order.accepted", ts: next, clientOrderId: `o${next++}`, venueOrderId: "v" });
    bus.subscribe(
      "recorder",
      (e) => {
        seen.push(e.ts);
        // Every third delivery publishes one more: queuing while the ring is being emptied.
        if (e.ts % 3 === 0 && next < 20_000) bus.publish(accepted());
      },
      ["order.accepted"],
    );
    // Part-way round the first ring, then more than it holds (it grows while wrapped), several times.
    for (const count of [700, 3_000, 100, 5_000, 1_500]) {
      for (let i = 0; i < count; i++) bus.publish(accepted());
      assert.ok(bus.pending() >= count);
      bus.drain();
      assert.equal(bus.pending(), 0);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: next }, (_, n) => n),
    );
  });
});
