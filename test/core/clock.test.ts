import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RealClock, SimClock } from "../../src/core/clock.ts";
import { isHeanError } from "../../src/core/errors.ts";

describe("SimClock", () => {
  test("starts where told and only moves when advanced", () => {
    const clock = new SimClock(1_000);
    assert.equal(clock.now(), 1_000);
    assert.equal(clock.monotonicNs(), 1_000_000_000n);
    assert.equal(clock.now(), 1_000);
    clock.advance(250);
    assert.equal(clock.now(), 1_250);
  });

  test("timers fire in due order, ties in creation order, with now() at their due time", () => {
    const clock = new SimClock(0);
    const fired: [string, number][] = [];
    const note = (name: string) => () => fired.push([name, clock.now()]);
    clock.setTimeout(note("c@30"), 30);
    clock.setTimeout(note("a@10"), 10);
    clock.setTimeout(note("b1@20"), 20);
    clock.setTimeout(note("b2@20"), 20);
    clock.setTimeout(note("late@100"), 100);
    clock.advance(50);
    assert.deepEqual(fired, [
      ["a@10", 10],
      ["b1@20", 20],
      ["b2@20", 20],
      ["c@30", 30],
    ]);
    assert.equal(clock.now(), 50);
    assert.equal(clock.pendingTimers(), 1);
  });

  test("a timer due exactly at the target fires; one past it does not", () => {
    const clock = new SimClock(0);
    let a = 0;
    let b = 0;
    clock.setTimeout(() => a++, 100);
    clock.setTimeout(() => b++, 101);
    clock.advanceTo(100);
    assert.equal(a, 1);
    assert.equal(b, 0);
  });

  test("intervals repeat every period until cancelled", () => {
    const clock = new SimClock(0);
    const at: number[] = [];
    const h = clock.setInterval(() => at.push(clock.now()), 10);
    clock.advance(35);
    assert.deepEqual(at, [10, 20, 30]);
    h.cancel();
    clock.advance(100);
    assert.deepEqual(at, [10, 20, 30]);
    assert.equal(clock.pendingTimers(), 0);
  });

  test("an interval can cancel itself from inside its callback", () => {
    const clock = new SimClock(0);
    let n = 0;
    const h = clock.setInterval(() => {
      if (++n === 3) h.cancel();
    }, 5);
    clock.advance(100);
    assert.equal(n, 3);
  });

  test("cancel stops a timeout; cancelling twice or after firing is harmless", () => {
    const clock = new SimClock(0);
    let fired = 0;
    const h = clock.setTimeout(() => fired++, 10);
    h.cancel();
    h.cancel();
    clock.advance(20);
    assert.equal(fired, 0);
    const h2 = clock.setTimeout(() => fired++, 10);
    clock.advance(20);
    h2.cancel();
    assert.equal(fired, 1);
  });

  test("timers set by a firing timer fire in the same advance when due", () => {
    const clock = new SimClock(0);
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 5);
      clock.setTimeout(() => at.push(clock.now()), 500);
    }, 10);
    clock.advance(20);
    assert.deepEqual(at, [10, 15]);
    clock.advance(1_000);
    assert.deepEqual(at, [10, 15, 510]);
  });

  test("advanceTo interleaves timeouts and intervals, never moves back", () => {
    const clock = new SimClock(0);
    const log: string[] = [];
    clock.setInterval(() => log.push(`i${clock.now()}`), 10);
    clock.setTimeout(() => log.push(`t${clock.now()}`), 15);
    clock.advanceTo(30);
    assert.deepEqual(log, ["i10", "t15", "i20", "i30"]);
    clock.advanceTo(5); // in the past: no-op
    assert.equal(clock.now(), 30);
  });

  test("negative delays fire at once; zero intervals are treated as 1 ms", () => {
    const clock = new SimClock(0);
    let t = 0;
    let i = 0;
    clock.setTimeout(() => t++, -50);
    const h = clock.setInterval(() => i++, 0);
    clock.advance(0);
    assert.equal(t, 1);
    assert.equal(i, 0);
    clock.advance(3);
    assert.equal(i, 3);
    h.cancel();
  });

  test("set moves wall time without firing timers", () => {
    const clock = new SimClock(0);
    let fired = 0;
    clock.setTimeout(() => fired++, 10);
    clock.set(1_000);
    assert.equal(clock.now(), 1_000);
    assert.equal(fired, 0);
    clock.advance(0);
    assert.equal(fired, 1);
  });
});

describe("RealClock", () => {
  test("reads the wall clock and a monotonic clock", () => {
    const clock = new RealClock();
    const before = Date.now();
    const now = clock.now();
    assert.ok(now >= before && now <= Date.now());
    const a = clock.monotonicNs();
    const b = clock.monotonicNs();
    assert.ok(b >= a);
  });

  test("timeouts fire and cancelled ones do not", async () => {
    const clock = new RealClock();
    let cancelled = 0;
    clock.setTimeout(() => cancelled++, 1).cancel();
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 5));
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const h = clock.setInterval(() => {
        if (++ticks === 2) {
          h.cancel();
          resolve();
        }
      }, 1);
    });
    assert.equal(cancelled, 0);
    assert.equal(ticks, 2);
  });

  test("a 0 ms timeout runs on the next turn (no 1 ms floor), in order, and cancels", async () => {
    const clock = new RealClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push("cancelled"), 0).cancel();
    clock.setTimeout(() => order.push("a"), 0);
    clock.setTimeout(() => order.push("b"), -5);
    // Immediates run in the order they were set, so this one runs after both.
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
    assert.deepEqual(order, ["a", "b"]);
  });
});

describe("SimClock with non-finite input", () => {
  /** Thrown by a timer that fires far too often, so a runaway loop fails the test instead of hanging it. */
  class Runaway extends Error {}
  const guarded = (): (() => void) => {
    let n = 0;
    return () => {
      if (++n > 1_000) throw new Runaway("timer fired more than 1000 times");
    };
  };

  test("a NaN timeout delay does not poison now()", () => {
    const clock = new SimClock(0);
    let fired = 0;
    clock.setTimeout(() => fired++, Number.NaN);
    clock.advance(5);
    assert.equal(clock.now(), 5);
    assert.equal(fired, 1);
  });

  test("a NaN interval period does not make advance loop forever", () => {
    const clock = new SimClock(0);
    clock.setInterval(guarded(), Number.NaN);
    assert.doesNotThrow(() => clock.advance(5));
    assert.equal(clock.now(), 5);
  });

  test("advancing by a non-finite amount is refused and changes nothing", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const clock = new SimClock(0);
      let fired = 0;
      const tick = guarded();
      clock.setInterval(() => {
        fired++;
        tick();
      }, 10);
      assert.throws(
        () => clock.advance(bad),
        (e: unknown) => isHeanError(e),
        `advance(${bad}) must throw a HeanError before firing anything`,
      );
      assert.equal(fired, 0);
      assert.equal(clock.now(), 0);
    }
  });
});
