/**
 * The protective stop on Binance, against the real simulator: an open position gets one
 * `STOP_MARKET closePosition=true` order resting at the venue at the stop-loss distance from the
 * venue's entry (on the tick grid, rounded away from it); open-order reconciliation leaves it
 * alone; a reduce-only exit closes the position and the stop Binance keeps is removed.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec, format } from "../../../src/core/decimal.ts";
import { BUILTIN_INSTRUMENTS } from "../../../src/core/instrument.ts";
import { protectiveStopPrice } from "../../../src/venues/live/protective-stops.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 33, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("a position gets a STOP_MARKET closePosition stop resting at the venue; a reduce-only exit closes it", async () => {
  await sim.reset({ seed: 33 });
  const rig = await BinanceRig.start({ sim, tuning: { reconcilePositionsMs: 1_000 }, venue: { protectiveStopPct: () => 2 } });
  try {
    const id = rig.place({ side: "buy", qty: "0.02", price: await rig.through("buy") });
    await waitFor("filled", () => rig.status(id) === "FILLED");
    await waitFor("the stop set", () => rig.alerts("PROTECTIVE_STOP_SET").length > 0);
    const state = await rig.venueState();
    const stops = state.orders.filter((o: any) => o.type === "STOP_MARKET" && o.closePosition && o.status === "NEW");
    assert.equal(stops.length, 1, JSON.stringify(stops));
    assert.equal(stops[0].side, "SELL");
    const position = state.positions.find((p: any) => p.symbol === "BTCUSDT");
    const instrument = BUILTIN_INSTRUMENTS.find((i) => i.symbol === "BTCUSDT")!;
    const want = protectiveStopPrice({ qty: dec(position.positionAmt), avgPrice: dec(position.entryPrice) }, 2, instrument)!;
    assert.equal(dec(stops[0].stopPrice), want);
    // The operator's log line names the price and the quantity as decimals (it printed the
    // fixed-point integers: "resting at 58774000000000000000000 for 16000000000000000").
    const set = rig.alerts("PROTECTIVE_STOP_SET")[0] as { message?: string };
    assert.equal(set.message, `BTCUSDT: protective stop resting at ${format(want)} for ${format(dec(position.positionAmt))}`);
    // Reconciliation does not take the stop for an orphan or an external order.
    await rig.venue.reconcile("manual");
    assert.equal(rig.alerts("VENUE_ORPHAN_ORDER").length + rig.alerts("EXTERNAL_OPEN_ORDER").length, 0);
    assert.equal((await rig.venueState()).orders.filter((o: any) => o.type === "STOP_MARKET" && o.status === "NEW").length, 1);
    const exit = rig.place({ side: "sell", qty: "0.02", price: await rig.through("sell"), reduceOnly: true });
    await waitFor("exit filled", () => rig.status(exit) === "FILLED");
    const after = await rig.venueState();
    assert.equal(dec(after.positions.find((p: any) => p.symbol === "BTCUSDT")?.positionAmt ?? "0"), dec("0"));
    // Binance keeps a closePosition stop when the position is gone: hean removes it.
    await waitFor("the stop removed", () => rig.alerts("PROTECTIVE_STOP_SET").some((a) => a.type === "alert" && (a.context as { stop?: unknown }).stop === null));
    assert.equal((await rig.venueState()).orders.filter((o: any) => o.type === "STOP_MARKET" && o.status === "NEW").length, 0);
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
