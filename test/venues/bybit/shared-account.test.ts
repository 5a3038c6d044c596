/**
 * Two hean engines on one Bybit account, against the real Bybit simulator (the Binance twin of
 * this test says why it matters): each engine's order ids carry its journal's tag, and an order or
 * fill with another engine's tag on a traded symbol is alerted once (ACCOUNT_SHARED), found at
 * start too, and stops new exposure.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clientOrderId, journalTag } from "../../../src/core/ids.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { engineOfJournal } from "../live/venue-rig.ts";
import { KEY, Rig, SECRET, fmt, signedCall, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 84, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});


const A = "journal-of-engine-a";
const B = "journal-of-engine-b";

test("another engine's fill on the stream, and its resting order at start, are told and stop new exposure", async () => {
  await sim.reset({ seed: 84 });
  const a = await Rig.start({ sim, account: engineOfJournal(A) });
  try {
    const own = a.place({ side: "buy", qty: "0.01", price: await a.through("buy") }, clientOrderId(A, 1));
    await waitFor("A's own fill", () => a.status(own) === "FILLED");
    assert.equal(a.alerts("ACCOUNT_SHARED").length, 0);

    const price = fmt(await a.through("buy"));
    const placed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.01", price, timeInForce: "IOC", orderLinkId: clientOrderId(B, 1) });
    assert.equal(placed.retCode, 0, JSON.stringify(placed));
    await waitFor("A's alert", () => a.alerts("ACCOUNT_SHARED").length > 0);
    assert.match(a.venue.blocksNewExposure() ?? "", new RegExp(`another hean engine \\(journal tag ${journalTag(B)}\\) trades BTCUSDT`));
  } finally {
    await a.stop(false);
  }

  const { result } = (await (await fetch(`${sim.url}/v5/market/tickers?category=linear&symbol=BTCUSDT`)).json()) as { result: { list: { bid1Price: string }[] } };
  const far = (Math.floor(Number(result.list[0]!.bid1Price) * 0.9 * 10) / 10).toFixed(1);
  const resting = clientOrderId(B, 2);
  const placed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.01", price: far, timeInForce: "GTC", orderLinkId: resting });
  assert.equal(placed.retCode, 0, JSON.stringify(placed));
  const rig = await Rig.start({ sim, account: engineOfJournal(A) });
  try {
    assert.deepEqual(rig.venue.health.sharedAccount, { tag: journalTag(B), clientOrderId: resting, symbol: "BTCUSDT", seenIn: "open order" });
    assert.equal(rig.alerts("ACCOUNT_SHARED").length, 1);
    assert.equal((await rig.venueOrders(resting))[0]?.orderStatus, "New", "left alone");
  } finally {
    await rig.stop(false);
  }
});
