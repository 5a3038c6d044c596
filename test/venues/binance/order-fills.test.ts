/**
 * One order with more trades than one `GET /fapi/v1/userTrades` page answers, against the real
 * Binance simulator: reconciliation must recover every trade of the order from REST, not only
 * its first page. Pages are made small (`paging`: two trades a page, and a trade search of one
 * page, so that the search cannot recover them either), so that an IOC taking a few of the
 * book's levels has several pages of trades: the venue's 1000 a page needs a sweep of a thousand
 * makers, which races the simulated market's own moves on a loaded machine.
 *
 * Everything the stream would say about the order is held back, then the socket drops: the
 * trades reach the engine only by asking, one reconciliation pass at a time, until its fills add
 * up to what the venue executed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ZERO, add, dec } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, waitFor } from "./rig.ts";

const BALANCE = "10000000";
const PAGE = 2;
/** An order's trades over many small pages; the trade search stops at one (and says so). */
const PAGING = { pageSize: PAGE, orderFillPages: 50, listPages: 1 };

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 41, apiKey: KEY, apiSecret: SECRET, startingBalance: BALANCE });
});
after(async () => {
  await sim.close();
});

/** The order as the venue holds it once it is done (an IOC is, once its create was handled). */
async function done(rig: BinanceRig, id: string): Promise<any> {
  // The deadline only names what never came (as `waitFor`'s).
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const order = (await rig.venueOrders(id)).find((o: any) => o.status === "FILLED" || o.status === "EXPIRED");
    if (order !== undefined) return order;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${id} to be done at the venue`);
}

describe("Binance order fills", () => {
  test("an order with more trades than one userTrades page: reconciliation recovers every one of them", async () => {
    await sim.reset({ seed: 41 });
    const rig = BinanceRig.build({ state: new EngineState(dec(BALANCE)), venue: { paging: PAGING } }, sim);
    await rig.venue.start(rig.apply);
    await rig.venue.reconcile("boot");
    try {
      const price = await rig.through("buy", 5);
      sim.setFaults({ latencyMs: { private: 10_000 } });
      const id = rig.place({ side: "buy", qty: "40", price, timeInForce: "IOC" });
      await waitFor("answered or unknown", () => rig.status(id) !== "SUBMITTED");
      sim.setFaults({ latencyMs: { private: 0 }, disconnectPrivate: true });
      // An IOC is done once the venue answered it: its trades are all there.
      const order = await done(rig, id);
      const venue = await rig.venueState();
      const trades = venue.executions.filter((e: any) => e.clientOrderId === id);
      assert.ok(trades.length > 2 * PAGE, `the order has ${trades.length} trades, more than two pages of ${PAGE}`);
      const executed = dec(order.executedQty);
      assert.equal(trades.reduce((s: any, e: any) => add(s, dec(e.qty)), ZERO), executed);
      // Each pass asks for the order's trades while the engine's fills fall short of the venue's.
      for (let pass = 0; rig.state.orders.get(id)?.filledQty !== executed; pass++) {
        assert.ok(pass < 20, `after ${pass} passes the engine has ${rig.fillsOf(id).length} of the order's ${trades.length} trades`);
        await rig.venue.reconcile("manual");
      }
      assert.deepEqual(rig.fillsOf(id).map((f) => f.fillId).sort(), trades.map((e: any) => `BTCUSDT:${e.tradeId}`).sort());
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.of("alert").filter((a) => a.code === "ORDER_FILLS_TRUNCATED"), []);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
    }
  });
});
