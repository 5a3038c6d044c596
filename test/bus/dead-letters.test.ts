import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SimClock } from "../../src/core/clock.ts";
import { HeanError } from "../../src/core/errors.ts";
import type { AlertEvent, HeanEvent } from "../../src/core/events.ts";
import { EventBus } from "../../src/bus/event-bus.ts";
import { critical, nextTurn } from "./fixtures.ts";

function setup(options: { deadLetterCapacity?: number; alertThrottleMs?: number } = {}) {
  const clock = new SimClock(1_000);
  const bus = new EventBus({ clock, mode: "sync", ...options });
  const alerts: AlertEvent[] = [];
  const delivered: HeanEvent[] = [];
  return { clock, bus, alerts, delivered };
}

describe("handler failures", () => {
  test("a handler that (un)subscribes during a dispatch does not shift the names of the handlers after it", () => {
    const { bus } = setup();
    let offFirst: () => void = () => {};
    bus.subscribe("reshuffler", (e) => {
      if (e.type !== "order.accepted") return;
      offFirst();
      bus.subscribe("late", () => undefined);
    });
    offFirst = bus.subscribe("first", () => undefined);
    bus.subscribe("thrower", (e) => {
      if (e.type === "order.accepted") throw new HeanError("EVENT_INVALID", "boom");
    });
    bus.publish(critical(2)); // order.accepted
    assert.deepEqual(
      bus.deadLetters().map((l) => l.handler),
      ["thrower"],
    );
  });

  test("a throwing handler does not stop later handlers; the event is dead-lettered, counted and alerted", () => {
    const { bus, alerts, delivered } = setup();
    bus.subscribe("before", (e) => void delivered.push(e));
    bus.subscribe("thrower", (e) => {
      if (e.type === "order.accepted") throw new HeanError("EVENT_INVALID", "boom", { secret: "never mind" });
    });
    bus.subscribe("after", (e) => void delivered.push(e));
    bus.subscribe("alerts", (e) => void (e.type === "alert" && alerts.push(e)), ["alert"]);

    const ev = critical(2); // order.accepted
    bus.publish(ev);
    bus.publish(critical(3)); // not thrown on

    assert.deepEqual(
      delivered.filter((e) => e.type !== "alert").map((e) => e.type),
      ["order.accepted", "order.accepted", "order.filled", "order.filled"],
      "both the handler before and the one after the thrower saw every event",
    );
    const letters = bus.deadLetters();
    assert.equal(letters.length, 1);
    assert.deepEqual(letters[0], {
      ts: 1_000,
      eventType: "order.accepted",
      handler: "thrower",
      error: { code: "EVENT_INVALID", message: "EVENT_INVALID: boom" },
      event: ev,
    });
    assert.equal(bus.stats().deadLetters, 1);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.code, "BUS_HANDLER_FAILED");
    assert.equal(alerts[0]!.severity, "critical");
    assert.match(alerts[0]!.message, /thrower/);
    assert.equal(alerts[0]!.context["handler"], "thrower");
    assert.equal(alerts[0]!.context["eventType"], "order.accepted");
    assert.equal(alerts[0]!.context["deadLetters"], 1);
  });

  test("a rejecting async handler is dead-lettered too, without stopping the others", async () => {
    const { bus, alerts, delivered } = setup();
    bus.subscribe(
      "async-thrower",
      async () => {
        await Promise.resolve();
        throw new Error("later boom");
      },
      ["order.filled"],
    );
    bus.subscribe("after", (e) => void delivered.push(e), ["order.filled"]);
    bus.subscribe("alerts", (e) => void (e.type === "alert" && alerts.push(e)), ["alert"]);
    bus.publish(critical(3));
    assert.equal(delivered.length, 1, "the next handler ran without waiting for the promise");
    await nextTurn();
    const letters = bus.deadLetters();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.handler, "async-thrower");
    assert.deepEqual(letters[0]!.error, { code: "Error", message: "later boom" });
    assert.equal(bus.stats().deadLetters, 1);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.context["handler"], "async-thrower");
  });

  test("non-Error throws are described, not lost", () => {
    const { bus } = setup();
    bus.subscribe("weird", () => {
      throw "a string"; // eslint-disable-line no-throw-literal
    });
    bus.publish(critical(0));
    assert.deepEqual(bus.deadLetters()[0]!.error, { code: "UNKNOWN", message: "a string" });
  });

  test("alerts are throttled per handler; failures keep being counted and stored", () => {
    const { clock, bus, alerts } = setup({ alertThrottleMs: 10_000 });
    bus.subscribe("t1", () => {
      throw new Error("x");
    }, ["order.accepted"]);
    bus.subscribe("t2", () => {
      throw new Error("y");
    }, ["order.filled"]);
    bus.subscribe("alerts", (e) => void (e.type === "alert" && alerts.push(e)), ["alert"]);
    for (let i = 0; i < 5; i++) bus.publish(critical(2));
    bus.publish(critical(3));
    assert.deepEqual(alerts.map((a) => a.context["handler"]), ["t1", "t2"], "one alert per failing handler");
    assert.equal(bus.stats().deadLetters, 6);
    assert.equal(bus.deadLetters().length, 6);
    clock.advance(9_999);
    bus.publish(critical(2));
    assert.equal(alerts.length, 2, "still inside the throttle window");
    clock.advance(1);
    bus.publish(critical(2));
    assert.equal(alerts.length, 3, "the window has passed");
    assert.equal(alerts[2]!.context["deadLetters"], 8);
  });

  test("the dead-letter store is bounded and keeps the most recent; the count keeps counting", () => {
    const { bus } = setup({ deadLetterCapacity: 3 });
    bus.subscribe("t", () => {
      throw new Error("x");
    }, ["order.accepted"]);
    for (let n = 0; n < 5; n++) bus.publish({ type: "order.accepted", ts: n, clientOrderId: `o${n}`, venueOrderId: "v" });
    assert.deepEqual(
      bus.deadLetters().map((d) => d.event.ts),
      [2, 3, 4],
    );
    assert.equal(bus.stats().deadLetters, 5);
  });

  test("a handler that throws on alerts is dead-lettered without raising alerts about itself", () => {
    const { bus, alerts } = setup();
    bus.subscribe("bad-alert-sink", () => {
      throw new Error("cannot alert");
    }, ["alert"]);
    bus.subscribe("alerts", (e) => void (e.type === "alert" && alerts.push(e)), ["alert"]);
    bus.subscribe("thrower", () => {
      throw new Error("x");
    }, ["order.accepted"]);
    bus.publish(critical(2));
    // thrower → 1 alert; the alert sink throws on it → dead letter, no second alert, no loop.
    assert.equal(alerts.length, 1);
    assert.deepEqual(
      bus.deadLetters().map((d) => [d.handler, d.eventType]),
      [
        ["thrower", "order.accepted"],
        ["bad-alert-sink", "alert"],
      ],
    );
    assert.equal(bus.pending(), 0);
  });
});
