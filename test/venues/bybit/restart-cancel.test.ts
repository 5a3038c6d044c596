/**
 * A cancel journaled before a restart whose request never reached the venue (the process died
 * after journaling it, or the venue banned the IP): the order is still open at the venue while
 * the journal says PENDING_CANCEL. The restarted engine's boot reconciliation must send the
 * cancel. It left the order working: it could fill later, unwatched (seen in a chaos schedule,
 * Binance seed 9027: a 418 ban held the cancel, the engine was killed, and the maker leg filled
 * during the next run's shutdown).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 91, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("a cancel journaled before a restart but never sent is sent by the restarted engine's boot reconciliation", async () => {
  await sim.reset({ seed: 91 });
  const state = new EngineState(dec("10000"));
  const first = await Rig.start({ sim, state });
  const id = first.place({ side: "buy", qty: "0.001", price: await first.away("buy", 300), timeInForce: "GTC" });
  await waitFor("the order accepted", () => first.status(id) === "ACCEPTED" || undefined);
  // Journaled, then the process dies before the request leaves.
  state.apply({ type: "order.cancel-requested", ts: Date.now(), clientOrderId: id, reason: "router: maker leg expired (ttl)" });
  await first.stop(false);
  assert.equal((await first.venueOrders(id))[0]?.orderStatus, "New", "the venue still works the order");

  const second = await Rig.start({ sim, state });
  try {
    // The deadline only names what never came (as `waitFor`'s).
    for (const deadline = Date.now() + 60_000; (await second.venueOrders(id))[0]?.orderStatus !== "Cancelled"; ) {
      assert.ok(Date.now() < deadline, `the venue still works ${id}: ${JSON.stringify(await second.venueOrders(id))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor("the engine's order cancelled", () => second.status(id) === "CANCELLED" || undefined);
  } finally {
    await second.stop(false);
  }
});
