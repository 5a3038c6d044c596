/**
 * The hot path allocates nothing per event: publish and delivery, in async mode (production), on
 * both lanes. Measured in bytes (exact for the JS heap), not in time, so it holds on a busy machine.
 * A closure written in a function that runs per event (V8 then allocates a context on every call,
 * even when the closure is not created) once cost ~40 bytes an event and most of the bus's GC time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { allocatedBytes } from "../../bench/allocation.ts";
import { EventBus } from "../../src/bus/event-bus.ts";
import { SimClock } from "../../src/core/clock.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { book, nextTurn } from "./fixtures.ts";

const BATCH = 1_000;
const ROUNDS = 50;
const WINDOWS = 3;
/**
 * Per event. The bus itself measures ~1 byte an event (a time check every 32 events); the turns of
 * the event loop and the test runner's async hooks add ~6 more at this batch size. A regression to
 * an allocation per event costs 16 bytes or more.
 */
const MAX_BYTES_PER_EVENT = 16;

async function bytesPerEvent(events: readonly HeanEvent[]): Promise<number> {
  const bus = new EventBus({ clock: new SimClock(0), mode: "async" });
  let seen = 0;
  bus.subscribe("counter", () => {
    seen++;
  });
  const round = async (): Promise<void> => {
    // Indexed, not for-of: an async function may run unoptimised, and then each step of an
    // iterator allocates its result object, which this test would blame on the bus.
    for (let i = 0; i < events.length; i++) bus.publish(events[i]!);
    while (bus.pending() > 0) await nextTurn();
  };
  // Warm up first: the first rounds include compilation and the queues' one-off growth.
  for (let r = 0; r < 10; r++) await round();
  // The median of three windows: a major GC that overlaps a window skews its count by up to ~20
  // bytes an event either way (windows measuring below zero were seen), while an allocation on the
  // hot path shows in every window.
  const windows: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const bytes = await allocatedBytes(async () => {
      for (let r = 0; r < ROUNDS; r++) await round();
    });
    windows.push(bytes / (events.length * ROUNDS));
  }
  assert.equal(seen, events.length * (ROUNDS * WINDOWS + 10));
  return windows.sort((a, b) => a - b)[WINDOWS >> 1]!;
}

test("the market lane allocates nothing per event", async () => {
  const symbols = Array.from({ length: BATCH }, (_, i) => `SYM${i}`);
  const bytes = await bytesPerEvent(symbols.map((s, i) => book(s, i)));
  assert.ok(bytes < MAX_BYTES_PER_EVENT, `${bytes.toFixed(1)} bytes per event`);
});

test("the critical lanes allocate nothing per event", async () => {
  const events = Array.from({ length: BATCH }, (_, i): HeanEvent => ({ type: "order.accepted", ts: i, clientOrderId: `o${i}`, venueOrderId: `v${i}` }));
  const bytes = await bytesPerEvent(events);
  assert.ok(bytes < MAX_BYTES_PER_EVENT, `${bytes.toFixed(1)} bytes per event`);
});
