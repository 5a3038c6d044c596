/**
 * A trade by hand on a symbol hean trades, against the real Binance simulator: hean books it into
 * its position (as documented) and its risk rules then manage it, so the operator is told
 * (EXTERNAL_FILL, throttled per symbol). Before, it became hean's position with nothing said: a
 * strategy's exit then closed the operator's hand-bought position.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 47, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("a hand trade on a traded symbol is booked and said; hean's own fills are not", async () => {
  const rig = await BinanceRig.start({ sim, venue: { symbols: ["BTCUSDT"] } });
  try {
    const own = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("our fill from the stream", () => rig.fillsOf(own).some((f) => f.source === "stream"));
    assert.deepEqual(rig.alerts("EXTERNAL_FILL"), [], "hean's own fill is not external");

    const hand = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.02", newClientOrderId: "by-hand-1" });
    assert.equal(hand.symbol, "BTCUSDT", JSON.stringify(hand));
    const booked = await waitFor("the hand trade booked", () => rig.of("order.filled").find((f) => f.clientOrderId === undefined && f.symbol === "BTCUSDT"));
    assert.equal(booked.side, "buy");
    const [alert] = await waitFor("the alert", () => (rig.alerts("EXTERNAL_FILL").length > 0 ? rig.alerts("EXTERNAL_FILL") : undefined));
    assert.ok(alert !== undefined && alert.type === "alert");
    assert.equal(alert.severity, "warning");
    assert.match(alert.message, /^BTCUSDT: buy 0\.02 at [\d.]+ \(order by-hand-1\) did not come from hean's orders .* and is now part of its position, managed by its risk rules$/);
    assert.deepEqual(rig.alerts("ACCOUNT_SHARED"), []);
    assert.equal(rig.venue.blocksNewExposure(), undefined, "said, not blocked");
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
