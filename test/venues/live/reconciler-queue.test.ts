/**
 * A reconciliation request is answered by the first pass that covers it, not by the end of the
 * queue. Under load a pass takes longer than the periodic interval, so the queue never empties:
 * the boot waited for it and never started trading (two Binance chaos schedules in CI ended with
 * "the boot reconciliation did not succeed within bootTimeoutMs: it did not complete").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { DEFAULT_LIVE_TUNING } from "../../../src/config/venue-config.ts";
import { Reconciler, type ReconcilerOptions } from "../../../src/venues/live/reconciler.ts";
import type { OrderStatusReport } from "../../../src/venues/venue.ts";

/** A venue whose open-orders answer comes only when the test releases it. */
function gatedVenue(): { adapter: ReconcilerOptions["adapter"]; calls: number; release(): void } {
  const waiting: (() => void)[] = [];
  const venue = {
    calls: 0,
    adapter: {
      openOrders: (): Promise<OrderStatusReport[]> => {
        venue.calls++;
        return new Promise((resolve) => waiting.push(() => resolve([])));
      },
    } as unknown as ReconcilerOptions["adapter"],
    release: () => waiting.shift()?.(),
  };
  return venue;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await nextTurn();
}

function reconciler(adapter: ReconcilerOptions["adapter"]): Reconciler {
  return new Reconciler({
    venue: "test",
    adapter,
    tracker: { prune: () => undefined } as unknown as ReconcilerOptions["tracker"],
    gateway: {} as ReconcilerOptions["gateway"],
    account: { orders: () => [], hasHistory: () => false } as unknown as ReconcilerOptions["account"],
    symbols: ["BTCUSDT"],
    tuning: DEFAULT_LIVE_TUNING,
    clock: new SimClock(1_700_000_000_000),
    time: { now: () => 1_700_000_000_000 } as ReconcilerOptions["time"],
    health: { reconciliationRuns: 0, reconciliationFailures: 0, lastReconcileOk: 0 } as unknown as ReconcilerOptions["health"],
    emit: () => undefined,
    alert: () => undefined,
    sentCount: () => 0,
  });
}

test("a request resolves with the pass that covered it while later requests keep the queue busy", { timeout: 60_000 }, async () => {
  const venue = gatedVenue();
  const rec = reconciler(venue.adapter);
  const first = rec.run(["orders"]);
  await until(() => venue.calls === 1);
  // Asked while the first pass runs: merged into the second.
  const mine = rec.run(["orders"]);
  venue.release();
  assert.equal(await first, true);
  await until(() => venue.calls === 2);
  // A periodic request arrives before the second pass ends, and its pass will never end.
  const periodic = rec.run(["orders"]);
  venue.release();
  assert.equal(await mine, true, "answered by its own pass, not by the queue emptying");
  await until(() => venue.calls === 3);
  rec.stop();
  venue.release();
  assert.equal(await periodic, true);
});

test("requests still queued when the reconciler stops resolve false", { timeout: 60_000 }, async () => {
  const venue = gatedVenue();
  const rec = reconciler(venue.adapter);
  const running = rec.run(["orders"]);
  await until(() => venue.calls === 1);
  const queued = rec.run(["orders"]);
  rec.stop();
  venue.release();
  assert.equal(await running, true);
  assert.equal(await queued, false);
  assert.equal(venue.calls, 1, "no pass after the stop");
});
