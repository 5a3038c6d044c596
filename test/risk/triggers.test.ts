import { test } from "node:test";
import assert from "node:assert/strict";
import { validateRiskConfig } from "../../src/risk/config.ts";
import { countInWindow, recordInWindow } from "../../src/risk/sliding-window.ts";
import { circuitOpenTooLong, privateStreamBlind, rejectionStorm } from "../../src/risk/triggers.ts";

const NOW = Date.UTC(2026, 0, 15, 12);
const C = validateRiskConfig({}); // storm 10 in 10 s, stream 30 s, circuit 30 s

test("sliding window: (now − window, now]", () => {
  assert.equal(countInWindow([NOW - 1000, NOW - 999, NOW, NOW + 5], NOW, 1000), 3);
  assert.deepEqual(recordInWindow([NOW - 2000, NOW - 500], NOW, 1000), [NOW - 500, NOW]);
});

test("rejection storm: the 10th rejection inside 10 s trips, nine do not, old ones are forgotten", () => {
  const nine = Array.from({ length: 9 }, (_, i) => NOW - 9_000 + i * 1000);
  assert.equal(rejectionStorm(nine, NOW, C), undefined);
  const t = rejectionStorm([...nine, NOW], NOW, C);
  assert.deepEqual(t?.reason, "REJECTION_STORM");
  assert.match(t!.detail, /10 rejections in the last 10000 ms \(threshold 10\)/);
  // The same ten, seen 1.001 s later: the first has left the window.
  assert.equal(rejectionStorm([...nine, NOW], NOW + 1001, C), undefined);
  const tight = validateRiskConfig({ rejectionStorm: { count: 3, windowMs: 100 } });
  assert.equal(rejectionStorm([NOW - 50, NOW - 20, NOW], NOW, tight)?.reason, "REJECTION_STORM");
});

test("private stream: down but reconciling is not blind; down and not reconciled beyond the threshold trips", () => {
  assert.equal(privateStreamBlind({ downSince: null, lastReconcileOkAt: null }, NOW, C), undefined);
  // Down 60 s, but reconciled 5 s ago: blind only 5 s.
  assert.equal(privateStreamBlind({ downSince: NOW - 60_000, lastReconcileOkAt: NOW - 5_000 }, NOW, C), undefined);
  // Down 60 s, last reconciled 40 s ago: blind 40 s.
  const t = privateStreamBlind({ downSince: NOW - 60_000, lastReconcileOkAt: NOW - 40_000 }, NOW, C);
  assert.equal(t?.reason, "PRIVATE_STREAM_DOWN");
  assert.match(t!.detail, /blind 40000 ms ≥ 30000 ms/);
  // Down 29.999 s, never reconciled: not yet; at 30 s: trips.
  assert.equal(privateStreamBlind({ downSince: NOW - 29_999, lastReconcileOkAt: null }, NOW, C), undefined);
  assert.equal(privateStreamBlind({ downSince: NOW - 30_000, lastReconcileOkAt: null }, NOW, C)?.reason, "PRIVATE_STREAM_DOWN");
  // A reconciliation from before the outage does not help.
  assert.equal(privateStreamBlind({ downSince: NOW - 30_000, lastReconcileOkAt: NOW - 90_000 }, NOW, C)?.reason, "PRIVATE_STREAM_DOWN");
});

test("circuit breaker: open beyond the threshold trips only while positions are held", () => {
  assert.equal(circuitOpenTooLong(null, 3, NOW, C), undefined);
  assert.equal(circuitOpenTooLong(NOW - 60_000, 0, NOW, C), undefined);
  assert.equal(circuitOpenTooLong(NOW - 29_999, 2, NOW, C), undefined);
  const t = circuitOpenTooLong(NOW - 30_000, 2, NOW, C);
  assert.equal(t?.reason, "CIRCUIT_BREAKER_OPEN");
  assert.match(t!.detail, /open 30000 ms ≥ 30000 ms with 2 open position/);
});
