/**
 * Someone else trading on the account, in a symbol hean does not trade (the operator by hand,
 * another bot), against the real Binance simulator. The user data stream carries every symbol's
 * trades: hean booked them as its own external fills, so a position opened before hean started
 * and closed after showed in hean as the opposite position (ETHUSDT −0.5 where the venue was
 * flat), its cash left the wallet by that trade's P&L and the risk governor went to QUARANTINE
 * for good. Now those trades are left out of hean's positions, and their cash (realised P&L,
 * commission, funding) is read from the income ledger as adjustments: cash equals the wallet.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ZERO, dec, mul, roundToStep } from "../../../src/core/decimal.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 35, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("trades in a symbol hean does not trade stay out of its positions; their cash comes from the ledger and cash equals the wallet", async () => {
  await sim.reset({ seed: 35 });
  // Held before hean starts: the account opens with it (hean trades BTCUSDT only).
  const opened = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "ETHUSDT", side: "BUY", type: "MARKET", quantity: "0.5" });
  assert.equal(opened.symbol, "ETHUSDT", JSON.stringify(opened));
  const rig = await BinanceRig.start({ sim, venue: { symbols: ["BTCUSDT"] } });
  try {
    sim.setPrice("ETHUSDT", "3100");
    const closed = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "ETHUSDT", side: "SELL", type: "MARKET", quantity: "0.5", reduceOnly: "true" });
    assert.equal(closed.symbol, "ETHUSDT", JSON.stringify(closed));
    await waitFor("flat at the venue", async () => (await rig.venueState()).positions.every((p: any) => dec(p.positionAmt) === ZERO));
    // hean's own order after it: the stream is ordered, so its fill comes after the ETHUSDT trade's.
    const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("our fill from the stream", () => rig.fillsOf(id).some((f) => f.source === "stream"));
    assert.equal(rig.state.portfolio.position("ETHUSDT").qty, ZERO, "no ETHUSDT position in hean");
    assert.deepEqual(rig.of("order.filled").filter((f) => f.symbol === "ETHUSDT"), [], "no ETHUSDT fill booked");
    // The ledger explains the wallet: after a reconciliation hean's cash is the venue's wallet.
    await rig.venue.reconcile("manual");
    const wallet = dec((await rig.venueState()).wallet.walletBalance);
    assert.equal(rig.state.portfolio.cash, wallet);
    assert.ok(rig.of("cash.adjusted").some((e) => e.detail.includes("REALIZED_PNL")), "the trade's P&L read from the ledger");
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});

test("a symbol hean still holds from a run on other symbols stays its own: its exit's fill is booked and the position closes", async () => {
  await sim.reset({ seed: 35 });
  const first = await BinanceRig.start({ sim });
  const entry = first.place({ symbol: "ETHUSDT", side: "buy", qty: "0.5", price: await first.through("buy", 50, "ETHUSDT") });
  await waitFor("the entry filled", () => first.status(entry) === "FILLED");
  await first.stop(false);
  // Restarted on BTCUSDT alone, holding ETHUSDT: the exit (the kill switch's, an operator's close) is hean's.
  const rig = await BinanceRig.start({ sim, state: first.state, venue: { symbols: ["BTCUSDT"] } });
  try {
    const ticker = (await (await fetch(`${sim.url}/fapi/v1/ticker/bookTicker?symbol=ETHUSDT`)).json()) as { bidPrice: string };
    const exit = rig.place({ symbol: "ETHUSDT", side: "sell", qty: "0.5", price: roundToStep(mul(dec(ticker.bidPrice), dec("0.995")), dec("0.01"), "floor"), reduceOnly: true });
    await waitFor("the exit filled", () => rig.status(exit) === "FILLED");
    assert.equal(rig.state.portfolio.position("ETHUSDT").qty, ZERO);
    await rig.venue.reconcile("manual");
    assert.equal(rig.state.portfolio.cash, dec((await rig.venueState()).wallet.walletBalance), "cash equals the wallet: the exit's P&L counted once");
    assert.deepEqual(rig.alerts("UNTRADED_SYMBOL_TRADE"), []);
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});

test("a symbol traded by hand while hean ran, then added to hean's symbols: its trades and funding are not booked a second time and cash stays the wallet", async () => {
  await sim.reset({ seed: 35 });
  const first = await BinanceRig.start({ sim, venue: { symbols: ["BTCUSDT"] } });
  // A journal with a past: the restart searches bootLookbackMs back.
  const own = first.place({ side: "buy", qty: "0.01", price: await first.through("buy") });
  await waitFor("our fill", () => first.status(own) === "FILLED");
  const opened = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "ETHUSDT", side: "BUY", type: "MARKET", quantity: "0.5" });
  assert.equal(opened.symbol, "ETHUSDT", JSON.stringify(opened));
  const funded = await fetch(`${sim.url}/__sim/funding`, { method: "POST", body: JSON.stringify({ symbol: "ETHUSDT", rate: "0.001" }), headers: { "Content-Type": "application/json" } });
  assert.equal(funded.status, 200);
  const wallet = async (): Promise<bigint> => dec((await first.venueState()).wallet.walletBalance);
  await waitFor("the funding read as untraded", () => first.of("cash.adjusted").some((e) => e.detail === "FUNDING_FEE ETHUSDT") || undefined);
  await first.venue.reconcile("manual");
  assert.equal(first.state.portfolio.cash, await wallet(), "the hand trade's commission and the funding read as untraded cash");
  await first.stop(false);

  // The operator lets hean trade ETHUSDT too: the boot search finds the hand trade and the funding.
  const rig = await BinanceRig.start({ sim, state: first.state, venue: { symbols: ["BTCUSDT", "ETHUSDT"] } });
  try {
    assert.deepEqual(rig.of("order.filled").filter((f) => f.symbol === "ETHUSDT" && !f.fillId.startsWith("recon-")), [], "the hand trade is not booked again as a fill");
    assert.deepEqual(rig.of("funding.paid").filter((f) => f.symbol === "ETHUSDT"), [], "nor its funding");
    assert.equal(rig.state.portfolio.cash, await wallet(), "cash is still the wallet");
    // The position the account holds is hean's now: adopted whole (no fee, no cash).
    await waitFor("adopted", () => rig.state.portfolio.position("ETHUSDT").qty === dec("0.5") || undefined);
    await rig.venue.reconcile("manual");
    assert.equal(rig.state.portfolio.cash, await wallet());
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
