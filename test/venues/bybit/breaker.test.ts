/**
 * A 429 storm against the in-process simulator: the limiter backs off, the breaker opens (an
 * alert, and `circuitOpenSince` for risk), new exposure is refused unsent while exits may still
 * try, and it all recovers by itself once the venue answers again.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, sleep, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 51, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("429 storm: back off, open, refuse new exposure unsent, then close by itself and trade again", async () => {
  const rig = await Rig.start({ sim });
  try {
    await rig.waitBook();
    sim.setFaults({ http429: 8 });
    // Reads hit the storm (and then the limiter's hold) until the breaker has seen enough.
    const until = Date.now() + 10_000;
    while (rig.venue.health.circuitOpenSince() === null && Date.now() < until) {
      await rig.venue.reconcile("manual");
      await sleep(20);
    }
    assert.ok(rig.alerts("VENUE_RATE_LIMITED").length >= 1, "the limiter said it backs off");
    await waitFor("breaker open", () => rig.alerts("VENUE_CIRCUIT_OPEN").length > 0).catch((e: Error) => {
      throw new Error(`${e.message}; alerts: ${JSON.stringify(rig.of("alert").map((a) => `${a.code}: ${a.message}`))}`);
    });
    assert.notEqual(rig.venue.health.circuitOpenSince(), null, "risk sees the breaker");
    assert.notEqual(rig.venue.blocksNewExposure(), undefined);
    assert.equal(rig.venue.health.view().circuitBreaker === "closed", false);
    if (rig.venue.health.breakerState === "open") {
      const entry = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("refused unsent", () => rig.status(entry) === "REJECTED");
      assert.equal(rig.of("order.rejected").find((e) => e.clientOrderId === entry)!.code, "VENUE_CIRCUIT_OPEN");
      assert.equal((await rig.venueOrders(entry)).length, 0);
    }
    await waitFor("breaker closed by itself", () => rig.alerts("VENUE_CIRCUIT_CLOSED").length > 0, 20_000);
    await waitFor("limiter released", () => rig.venue.blocksNewExposure() === undefined, 15_000);
    assert.equal(rig.venue.health.circuitOpenSince(), null);
    const after = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("trading again", () => rig.status(after) === "FILLED");
    assert.deepEqual(rig.refused, []);
  } finally {
    sim.clearFaults();
    await rig.stop(false);
  }
});
