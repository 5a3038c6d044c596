/**
 * A million market-data events across four symbols and two kinds, with ~10k critical events
 * (commands, risk, orders, fills, system) interleaved and a handler that is slow on market data.
 * Critical events must all arrive, in global publish order, none overtaken by market data; market
 * data must arrive newest-only per (kind, symbol), never older after newer, and the newest is never
 * lost; every event is accounted for.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EventBus, type DispatchMode } from "../../src/bus/event-bus.ts";
import { book, busyWait, critical, isMarket, nextTurn, trade, until } from "./fixtures.ts";

const FLOOD = 1_000_000;
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"];
/** A critical event after every 97th market event: several per drain, across all lanes. */
const CRITICAL_EVERY = 97;
/** Manual mode drains after this many market events; async mode yields to the bus after each chunk. */
const CHUNK = 1_000;
const SLOW_US = 50;

const marketEvent = (i: number): HeanEvent => {
  const symbol = SYMBOLS[(i >> 1) % SYMBOLS.length]!;
  return i % 2 === 0 ? book(symbol, i) : trade(symbol, i);
};

class Recorder {
  readonly critical: number[] = [];
  /** Critical events that market data overtook between their publish and their delivery. */
  readonly overtaken: number[] = [];
  /** Market events delivered older than (or equal to) one already delivered for the same key. */
  readonly stale: string[] = [];
  readonly marketAtPublish = new Map<number, number>();
  readonly lastDelivered = new Map<string, number>();
  readonly lastPublished = new Map<string, number>();
  marketDelivered = 0;

  // Assertions inside a handler would be dead-lettered, not fail the test: record, assert afterwards.
  readonly handler = (e: HeanEvent): void => {
    if (isMarket(e)) {
      const key = `${e.type}|${e.symbol}`;
      if ((this.lastDelivered.get(key) ?? -1) >= e.venueTs) this.stale.push(`${key}@${e.venueTs}`);
      this.lastDelivered.set(key, e.venueTs);
      this.marketDelivered++;
      busyWait(SLOW_US);
      return;
    }
    this.critical.push(e.ts);
    if (this.marketAtPublish.get(e.ts) !== this.marketDelivered) this.overtaken.push(e.ts);
  };

  publish(bus: EventBus, i: number, nextCritical: () => number): void {
    const e = marketEvent(i);
    if (isMarket(e)) this.lastPublished.set(`${e.type}|${e.symbol}`, e.venueTs);
    bus.publish(e);
    if (i % CRITICAL_EVERY === 0) {
      const n = nextCritical();
      this.marketAtPublish.set(n, this.marketDelivered);
      bus.publish(critical(n));
    }
  }
}

function check(bus: EventBus, rec: Recorder, criticalCount: number): void {
  assert.equal(bus.pending(), 0);
  assert.equal(rec.critical.length, criticalCount, "every critical event arrives");
  assert.deepEqual(rec.critical, Array.from({ length: criticalCount }, (_, i) => i), "in global publish order");
  assert.deepEqual(rec.overtaken, [], "no market data overtakes a waiting critical event");
  assert.deepEqual(rec.stale, [], "never an older tick after a newer one");
  assert.deepEqual(rec.lastDelivered, rec.lastPublished, "the newest tick of every key is delivered");
  assert.ok(rec.marketDelivered < FLOOD / 10, `conflation did its job (${rec.marketDelivered} delivered)`);
  assert.deepEqual(bus.deadLetters(), []);

  const stats = bus.stats();
  const market = stats.lanes.find((l) => l.lane === "market")!;
  assert.equal(market.published, FLOOD);
  assert.equal(market.delivered, rec.marketDelivered);
  assert.equal(market.dropped, 0);
  assert.equal(market.published, market.delivered + market.dropped + market.conflated + market.depth);
  assert.equal(
    (stats.droppedByType["market.book"] ?? 0) + (stats.droppedByType["market.trade"] ?? 0),
    market.conflated + market.dropped,
  );
  let criticalPublished = 0;
  for (const lane of stats.lanes) {
    if (lane.lane === "market") continue;
    assert.equal(lane.published, lane.delivered, `${lane.lane}: nothing waits`);
    assert.equal(lane.dropped, 0, `${lane.lane}: never dropped`);
    assert.equal(lane.conflated, 0, `${lane.lane}: never conflated`);
    criticalPublished += lane.published;
  }
  assert.equal(criticalPublished, criticalCount);
}

describe("a flood of a million market events with a slow handler", () => {
  for (const mode of ["manual", "async"] as const satisfies readonly DispatchMode[]) {
    test(`${mode} mode: critical events in order and never behind ticks; ticks conflated to the newest`, async () => {
      const bus = new EventBus({ clock: new SimClock(0), mode });
      const rec = new Recorder();
      bus.subscribe("recorder", rec.handler);
      let n = 0;
      const nextCritical = (): number => n++;

      if (mode === "manual") {
        for (let i = 0; i < FLOOD; i++) {
          rec.publish(bus, i, nextCritical);
          if (i % CHUNK === CHUNK - 1) bus.drain();
        }
        bus.drain();
      } else {
        // A producer that yields between chunks, as a socket would: the bus drains in the gaps.
        for (let i = 0; i < FLOOD; ) {
          const end = Math.min(i + CHUNK, FLOOD);
          for (; i < end; i++) rec.publish(bus, i, nextCritical);
          await nextTurn();
        }
        await until(() => bus.pending() === 0);
      }
      check(bus, rec, n);
    });
  }
});
