/**
 * A threshold test on a deliberately huge stall (300 ms against a 100 ms threshold), not a speed
 * assertion: however noisy the machine, a 300 ms synchronous busy loop is a ≥ 250 ms lag.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LoopLagMonitor, type LoopLagSample } from "../../src/bus/loop-lag.ts";

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a frozen event loop, like a synchronous call that never should have been
  }
}

test("a 300 ms blocking loop produces an alert with max lag ≥ 250 ms", async () => {
  const alerts: LoopLagSample[] = [];
  // No throttle here: a spurious alert from a noisy machine must not hide the one under test.
  const monitor = new LoopLagMonitor({ thresholdMs: 100, sampleMs: 100, alertThrottleMs: 0, onAlert: (s) => alerts.push(s) });
  assert.deepEqual(monitor.last(), { p50: 0, p99: 0, max: 0 });
  monitor.start();
  try {
    await sleep(150);
    blockFor(300);
    // The stall may land in the sample that ends right after it or in the next one: wait for either.
    const stalled = (): LoopLagSample | undefined => alerts.find((a) => a.max >= 250);
    for (let i = 0; i < 40 && stalled() === undefined; i++) await sleep(50);
    const alert = stalled();
    assert.ok(alert !== undefined, `no alert with max ≥ 250 ms: ${JSON.stringify(alerts)}`);
    assert.ok(alert.p50 <= alert.p99 && alert.p99 <= alert.max);
    assert.ok(monitor.last().max >= 0);
  } finally {
    monitor.stop();
  }
});

test("alerts are throttled: two stalls inside the window give one alert", async () => {
  const alerts: LoopLagSample[] = [];
  const monitor = new LoopLagMonitor({ thresholdMs: 100, sampleMs: 100, alertThrottleMs: 60_000, onAlert: (s) => alerts.push(s) });
  monitor.start();
  try {
    await sleep(150);
    blockFor(300);
    await sleep(350);
    blockFor(300);
    await sleep(350);
    assert.equal(alerts.length, 1);
  } finally {
    monitor.stop();
  }
});

test("stop is safe before start and twice", () => {
  const monitor = new LoopLagMonitor({ onAlert: () => assert.fail("no alert expected") });
  monitor.stop();
  monitor.start();
  monitor.stop();
  monitor.stop();
});
