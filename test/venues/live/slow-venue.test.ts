/**
 * A venue slower than the reconciliation timers: every pass takes longer than the period at which
 * the timers ask for the next one, so some pass is always waiting. The boot, and the reconcile that
 * lets a reconnected private stream be trusted again, must each be answered when their own pass
 * ends, not when no pass is waiting (which, against such a venue, is never: the engine would not
 * start, seen under load in the Binance chaos schedules as "boot reconciliation did not complete").
 *
 * On the Binance simulator (the live core is the same for every exchange) with 120 ms on every
 * REST answer and both timers at 50 ms.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, waitFor } from "../binance/rig.ts";

const SLOWER_THAN_THE_TIMERS = { reconcileOrdersMs: 50, reconcilePositionsMs: 50 };

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 41, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

describe("a venue slower than the reconciliation timers", () => {
  test("the boot reconciliation is answered when its pass ends, though the timers keep asking for more", async () => {
    await sim.reset({ seed: 41 });
    sim.setFaults({ latencyMs: { rest: 120 } });
    const rig = await BinanceRig.start({ sim, tuning: SLOWER_THAN_THE_TIMERS });
    try {
      assert.equal(rig.venue.health.bootReconciled, true);
      // The timers were running all along: passes went on being asked for and run after the boot's.
      const runs = rig.venue.health.reconciliationRuns;
      await waitFor("another periodic pass", () => rig.venue.health.reconciliationRuns > runs);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
    }
  });

  test("a reconnected private stream is trusted again once the reconciliation after it has run", async () => {
    await sim.reset({ seed: 41 });
    const rig = await BinanceRig.start({ sim, tuning: SLOWER_THAN_THE_TIMERS });
    try {
      sim.setFaults({ latencyMs: { rest: 120 }, disconnectPrivate: true });
      await waitFor("the private stream seen down", () => rig.venue.health.privateDown !== null);
      await waitFor("trusted again after its reconciliation", () => rig.venue.health.privateDown === null);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
    }
  });
});
