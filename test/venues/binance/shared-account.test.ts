/**
 * Two hean engines on one Binance account, against the real Binance simulator. Positions are one
 * per symbol, so each engine booked the other's fills as external trades, adopted the position
 * they made and closed it by its own rules while the other added to it: nothing told the operator.
 * Each engine's order ids carry its journal's tag (`hn<tag>…`), the same as the executor makes
 * them here: an order or fill with another engine's tag, on a symbol this engine trades, is alerted
 * once (critical, ACCOUNT_SHARED) and the venue takes no new exposure; anyone else's orders (no
 * hean id) and another engine's orders on symbols this one does not trade change nothing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clientOrderId, journalTag } from "../../../src/core/ids.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { engineOfJournal } from "../live/venue-rig.ts";
import { BinanceRig, KEY, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 83, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});


const A = "journal-of-engine-a";
const B = "journal-of-engine-b";

test("two engines trading BTCUSDT on one account: each sees the other's order, says so once, and takes no new exposure", async () => {
  await sim.reset({ seed: 83 });
  const a = await BinanceRig.start({ sim, account: engineOfJournal(A) });
  const b = await BinanceRig.start({ sim, account: engineOfJournal(B) });
  try {
    // Each engine's own orders are its own: no alert.
    const first = a.place({ side: "buy", qty: "0.01", price: await a.through("buy") }, clientOrderId(A, 1));
    await waitFor("A's entry filled", () => a.status(first) === "FILLED");
    assert.equal(a.alerts("ACCOUNT_SHARED").length, 0, "its own fill is not another engine's");
    assert.equal(a.venue.blocksNewExposure(), undefined);

    // B trades the same symbol: A hears of B's order on the user data stream.
    const other = b.place({ side: "buy", qty: "0.01", price: await b.through("buy") }, clientOrderId(B, 1));
    await waitFor("B's entry filled", () => b.status(other) === "FILLED");
    const [alert] = await waitFor("A's alert", () => (a.alerts("ACCOUNT_SHARED").length > 0 ? a.alerts("ACCOUNT_SHARED") : undefined));
    assert.equal(alert!.type === "alert" && alert.severity, "critical");
    assert.match(a.venue.blocksNewExposure() ?? "", new RegExp(`another hean engine \\(journal tag ${journalTag(B)}\\) trades BTCUSDT`));
    assert.equal(a.venue.health.sharedAccount?.clientOrderId, other);

    // A's exit still goes (reduce-only), and B hears of A's order in turn.
    const exit = a.place({ side: "sell", qty: "0.01", price: await a.through("sell"), reduceOnly: true }, clientOrderId(A, 2));
    await waitFor("A's exit filled", () => a.status(exit) === "FILLED");
    await waitFor("B's alert", () => b.alerts("ACCOUNT_SHARED").length > 0);
    assert.match(b.venue.blocksNewExposure() ?? "", new RegExp(`journal tag ${journalTag(A)}`));

    // More of the other's trading: still one alert each.
    const again = b.place({ side: "sell", qty: "0.01", price: await b.through("sell"), reduceOnly: true }, clientOrderId(B, 2));
    await waitFor("B's exit filled", () => b.status(again) === "FILLED");
    await waitFor("A booked B's exit as an external fill", () => a.of("order.filled").some((f) => f.fillId.startsWith("BTCUSDT:") && f.clientOrderId === undefined && f.side === "sell"));
    assert.equal(a.alerts("ACCOUNT_SHARED").length, 1);
    assert.equal(b.alerts("ACCOUNT_SHARED").length, 1);
    assert.deepEqual([...a.refused, ...b.refused], []);
  } finally {
    await b.stop(false);
    await a.stop(false);
  }
});

test("at start: another engine's resting order is found by the boot reconciliation; a hand order and another engine's order on an untraded symbol are not another engine's here", async () => {
  await sim.reset({ seed: 83 });
  const book = (await (await fetch(`${sim.url}/fapi/v1/ticker/bookTicker?symbol=BTCUSDT`)).json()) as { bidPrice: string };
  const far = (Math.floor(Number(book.bidPrice) * 0.9 * 10) / 10).toFixed(1);
  const rest = (symbol: string, price: string, id: string): Promise<any> =>
    signedCall(sim, "POST", "/fapi/v1/order", { symbol, side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.01", price, newClientOrderId: id });
  assert.equal((await rest("BTCUSDT", far, "manual-order-1")).clientOrderId, "manual-order-1");

  // Only a hand order: reported as external, nothing more.
  const alone = await BinanceRig.start({ sim, venue: { symbols: ["BTCUSDT"] }, account: engineOfJournal(A) });
  try {
    assert.equal(alone.alerts("EXTERNAL_OPEN_ORDER").length, 1);
    assert.equal(alone.alerts("ACCOUNT_SHARED").length, 0);
    assert.equal(alone.venue.blocksNewExposure(), undefined);
    // Another engine on ETHUSDT, which this one does not trade: its order and fill change nothing.
    const eth = (await (await fetch(`${sim.url}/fapi/v1/ticker/bookTicker?symbol=ETHUSDT`)).json()) as { askPrice: string };
    const ethOrder = await rest("ETHUSDT", (Math.ceil(Number(eth.askPrice) * 1.005 * 100) / 100).toFixed(2), clientOrderId(B, 1));
    assert.equal(ethOrder.symbol, "ETHUSDT", JSON.stringify(ethOrder));
    // The stream is ordered: once this engine's own fill is in, the ETHUSDT trade's messages were read.
    const own = alone.place({ side: "buy", qty: "0.01", price: await alone.through("buy") }, clientOrderId(A, 1));
    await waitFor("the own fill from the stream", () => alone.fillsOf(own).some((f) => f.source === "stream"));
    assert.equal(alone.alerts("ACCOUNT_SHARED").length, 0);
    assert.equal(alone.venue.blocksNewExposure(), undefined);
  } finally {
    await alone.stop(false);
  }

  // Another engine's order resting on BTCUSDT before this one starts.
  const resting = clientOrderId(B, 2);
  assert.equal((await rest("BTCUSDT", far, resting)).clientOrderId, resting);
  const rig = await BinanceRig.start({ sim, venue: { symbols: ["BTCUSDT"] }, account: engineOfJournal(A) });
  try {
    assert.equal(rig.alerts("ACCOUNT_SHARED").length, 1, "found by the boot reconciliation");
    assert.deepEqual(rig.venue.health.sharedAccount, { tag: journalTag(B), clientOrderId: resting, symbol: "BTCUSDT", seenIn: "open order" });
    assert.match(rig.venue.blocksNewExposure() ?? "", /run one engine per account and restart/);
    // Left alone, as every order this engine did not place.
    assert.equal((await rig.venueOrders(resting))[0]?.status, "NEW");
  } finally {
    await rig.stop(false);
  }
});
