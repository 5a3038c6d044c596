import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import type { AlertEvent } from "../../src/core/events.ts";
import { EventBus } from "../../src/bus/event-bus.ts";
import { book, critical } from "./fixtures.ts";

const THROTTLE = 10_000;
/** An order event (orders lane). */
const order = (n: number) => critical(5 * n + 2);

function setup() {
  const clock = new SimClock(0);
  const bus = new EventBus({ clock, mode: "manual", criticalCapacity: 100, marketCapacity: 20, alertThrottleMs: THROTTLE });
  // In manual mode the alerts wait in the system lane like any event: read them from there by draining.
  const alerts: AlertEvent[] = [];
  bus.subscribe("alerts", (e) => void (e.type === "alert" && alerts.push(e)), ["alert"]);
  const saturation = (): { lane: unknown; level: unknown; severity: string }[] => {
    bus.drain();
    return alerts.filter((a) => a.code === "BUS_LANE_SATURATED").map((a) => ({ lane: a.context["lane"], level: a.context["level"], severity: a.severity }));
  };
  return { clock, bus, alerts, saturation };
}

describe("lane utilisation alerts", () => {
  test("a critical lane raises a warning at 80% and nothing below", () => {
    const { bus, saturation } = setup();
    for (let n = 0; n < 79; n++) bus.publish(order(n));
    assert.equal(bus.stats().lanes.find((l) => l.lane === "orders")!.utilisation, 0.79);
    assert.deepEqual(saturation(), []);
    const again = setup();
    for (let n = 0; n < 80; n++) again.bus.publish(order(n));
    assert.deepEqual(again.saturation(), [{ lane: "orders", level: 80, severity: "warning" }]);
  });

  test("escalating from 80% to 95% raises the critical alert even inside the throttle window", () => {
    const { bus, saturation } = setup();
    for (let n = 0; n < 100; n++) bus.publish(order(n));
    assert.deepEqual(saturation(), [
      { lane: "orders", level: 80, severity: "warning" },
      { lane: "orders", level: 95, severity: "critical" },
    ]);
  });

  test("staying above a level does not repeat its alert", () => {
    const { clock, bus, saturation } = setup();
    for (let n = 0; n < 85; n++) bus.publish(order(n));
    clock.advance(THROTTLE * 2);
    for (let n = 85; n < 90; n++) bus.publish(order(n));
    assert.deepEqual(saturation(), [{ lane: "orders", level: 80, severity: "warning" }]);
  });

  test("re-armed after draining; a new episode inside the throttle window is not re-alerted, after it is", () => {
    const { clock, bus, saturation } = setup();
    for (let n = 0; n < 80; n++) bus.publish(order(n));
    assert.equal(saturation().length, 1); // drains the lane too
    // Second episode, same time: re-armed by the first publish below 50%, but throttled.
    for (let n = 0; n < 80; n++) bus.publish(order(n));
    assert.equal(saturation().length, 1);
    // Third episode after the window: alerted again.
    clock.advance(THROTTLE);
    for (let n = 0; n < 80; n++) bus.publish(order(n));
    assert.deepEqual(saturation(), [
      { lane: "orders", level: 80, severity: "warning" },
      { lane: "orders", level: 80, severity: "warning" },
    ]);
  });

  test("not re-armed while the lane stays above half full", () => {
    const { clock, bus, saturation } = setup();
    // While the drain is partway (59 of 80 waiting), time passes and a burst refills the lane past 80%.
    bus.subscribe("refill", (e) => {
      if (e.type === "order.accepted" && e.ts === order(20).ts) {
        clock.advance(THROTTLE * 2);
        for (let n = 100; n < 130; n++) bus.publish(order(n));
      }
    });
    for (let n = 0; n < 80; n++) bus.publish(order(n));
    assert.deepEqual(saturation(), [{ lane: "orders", level: 80, severity: "warning" }]);
    assert.equal(bus.stats().lanes.find((l) => l.lane === "orders")!.highWater, 89);
  });

  test("the market lane alerts on distinct waiting keys, including when it is full and dropping", () => {
    const { clock, bus, saturation } = setup();
    for (let i = 0; i < 15; i++) bus.publish(book(`S${i}`, i));
    for (let i = 0; i < 30; i++) bus.publish(book("S0", 100 + i)); // conflation does not grow the lane
    const before = bus.stats().lanes.find((l) => l.lane === "market")!;
    assert.equal(before.depth, 15);
    bus.publish(book("S15", 0));
    bus.publish(book("S16", 0)); // 17/20 = 85%
    // Past the throttle window, so this test does not depend on how an escalation is throttled.
    clock.advance(THROTTLE);
    for (let i = 17; i < 25; i++) bus.publish(book(`S${i}`, 0)); // fills to 20, then drops
    const m = bus.stats().lanes.find((l) => l.lane === "market")!;
    assert.equal(m.depth, 20);
    assert.equal(m.dropped, 5);
    assert.deepEqual(saturation(), [
      { lane: "market", level: 80, severity: "warning" },
      { lane: "market", level: 95, severity: "critical" },
    ]);
  });

  test("alerts carry depth and capacity", () => {
    const { bus, alerts, saturation } = setup();
    for (let n = 0; n < 80; n++) bus.publish(order(n));
    saturation();
    const a = alerts.find((x) => x.code === "BUS_LANE_SATURATED")!;
    assert.equal(a.context["depth"], 80);
    assert.equal(a.context["capacity"], 100);
    assert.match(a.message, /orders/);
  });
});
