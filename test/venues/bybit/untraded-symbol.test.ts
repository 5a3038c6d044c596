/**
 * Someone else trading on the account, in a symbol hean does not trade (the operator by hand,
 * another bot), against the Bybit simulator. The private stream carries every symbol's
 * executions: hean booked them as its own external fills, so a hand trade in ETHUSDT while it
 * traded BTCUSDT became an ETHUSDT position in hean, with no market data for it: within a turn
 * the kill switch fired (STALE_MARKET_DATA), sold the operator's ETHUSDT at the venue and halted.
 * Now those executions are left out of hean's positions (UNTRADED_SYMBOL_TRADE, once per symbol),
 * and their cash (realised P&L, fees, funding) is read from the transaction log (TRADE and
 * SETTLEMENT entries) as adjustments: cash equals the wallet.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ZERO, dec, mul, roundToStep } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 36, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

const size = async (rig: Rig, symbol: string): Promise<string> => (await rig.venueState()).positions.find((p: any) => p.symbol === symbol).size;

test("trades and funding in a symbol hean does not trade stay out of its books; their cash comes from the transaction log and cash equals the wallet", async () => {
  await sim.reset({ seed: 36 });
  // Held before hean starts (hean trades BTCUSDT only).
  const opened = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.5" });
  assert.equal(opened.retCode, 0, JSON.stringify(opened));
  const rig = await Rig.start({ sim, venue: { symbols: ["BTCUSDT"] } });
  try {
    // Bought by hand while hean runs, funded, then all sold at a profit.
    const more = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.3" });
    assert.equal(more.retCode, 0, JSON.stringify(more));
    await waitFor("the alert", () => rig.alerts("UNTRADED_SYMBOL_TRADE").length > 0 || undefined);
    const funded = await fetch(`${sim.url}/__sim/funding`, { method: "POST", body: JSON.stringify({ symbol: "ETHUSDT", rate: "0.001" }), headers: { "Content-Type": "application/json" } });
    assert.equal(funded.status, 200);
    sim.setPrice("ETHUSDT", "3100");
    const closed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.8", reduceOnly: true });
    assert.equal(closed.retCode, 0, JSON.stringify(closed));
    assert.equal(dec(await size(rig, "ETHUSDT")), ZERO);
    // hean's own order after it: the stream is ordered, so its fill comes after the ETHUSDT ones.
    const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
    await waitFor("our fill from the stream", () => rig.fillsOf(id).some((f) => f.source === "stream"));

    assert.equal(rig.state.portfolio.position("ETHUSDT").qty, ZERO, "no ETHUSDT position in hean");
    assert.deepEqual(rig.of("order.filled").filter((f) => f.symbol === "ETHUSDT"), [], "no ETHUSDT fill booked");
    assert.deepEqual(rig.of("funding.paid").filter((f) => f.symbol === "ETHUSDT"), [], "no ETHUSDT funding booked as hean's");
    assert.equal(rig.alerts("UNTRADED_SYMBOL_TRADE").length, 1, "said once");
    // The transaction log explains the wallet: after a reconciliation hean's cash is the venue's wallet.
    await rig.venue.reconcile("manual");
    const wallet = dec((await rig.venueState()).wallet.walletBalance);
    assert.equal(rig.state.portfolio.cash, wallet);
    // Each of the log's entries for the hand trades and the funding while hean ran was booked as such.
    const booked = new Set(rig.of("cash.adjusted").filter((e) => e.reason === "untraded").map((e) => `${e.adjustmentId} ${e.detail}`));
    const log = await signedCall(sim, "GET", "/v5/account/transaction-log", { accountType: "UNIFIED", currency: "USDT", limit: 50 });
    const entries = (log.result.list as any[]).filter((t) => t.symbol === "ETHUSDT" && (t.type === "SETTLEMENT" || t.orderId === more.result.orderId || t.orderId === closed.result.orderId));
    assert.deepEqual(entries.map((t) => t.type).sort(), ["SETTLEMENT", "TRADE", "TRADE"]);
    for (const t of entries) assert.ok(booked.has(`untraded-${t.tradeId} ${t.type} ETHUSDT`), `${t.type} ${t.tradeId} booked`);
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});

test("a symbol hean still holds from a run on other symbols stays its own: its exit's fill is booked and counted once", async () => {
  await sim.reset({ seed: 36 });
  const first = await Rig.start({ sim });
  const entry = first.place({ symbol: "ETHUSDT", side: "buy", qty: "0.5", price: await first.through("buy", 50, "ETHUSDT") });
  await waitFor("the entry filled", () => first.status(entry) === "FILLED");
  await first.stop(false);
  // Restarted on BTCUSDT alone, holding ETHUSDT: the exit (the kill switch's, an operator's close) is hean's.
  const rig = await Rig.start({ sim, state: first.state, venue: { symbols: ["BTCUSDT"] } });
  try {
    const ticker = (await (await fetch(`${sim.url}/v5/market/tickers?category=linear&symbol=ETHUSDT`)).json()) as { result: { list: { bid1Price: string }[] } };
    const bid = dec(ticker.result.list[0]!.bid1Price);
    const exit = rig.place({ symbol: "ETHUSDT", side: "sell", qty: "0.5", price: roundToStep(mul(bid, dec("0.995")), dec("0.01"), "floor"), reduceOnly: true });
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

test("a symbol traded by hand while hean ran, then added to hean's symbols: its executions are not booked a second time, the position is adopted and cash stays the wallet", async () => {
  await sim.reset({ seed: 36 });
  const first = await Rig.start({ sim, venue: { symbols: ["BTCUSDT"] } });
  // A journal with a past: the restart searches bootLookbackMs back.
  const own = first.place({ side: "buy", qty: "0.01", price: await first.through("buy") });
  await waitFor("our fill", () => first.status(own) === "FILLED");
  const bought = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.5" });
  assert.equal(bought.retCode, 0, JSON.stringify(bought));
  const funded = await fetch(`${sim.url}/__sim/funding`, { method: "POST", body: JSON.stringify({ symbol: "ETHUSDT", rate: "0.001" }), headers: { "Content-Type": "application/json" } });
  assert.equal(funded.status, 200);
  await first.venue.reconcile("manual");
  const wallet = async (): Promise<bigint> => dec((await first.venueState()).wallet.walletBalance);
  assert.equal(first.state.portfolio.cash, await wallet(), "the hand trade's fee and funding read as untraded cash");
  assert.ok(first.of("cash.adjusted").some((e) => e.detail === "SETTLEMENT ETHUSDT"));
  await first.stop(false);

  // The operator lets hean trade ETHUSDT too: the boot search finds the hand trade and the funding.
  const rig = await Rig.start({ sim, state: first.state, venue: { symbols: ["BTCUSDT", "ETHUSDT"] } });
  try {
    const handExecs = new Set((await rig.venueState()).executions.filter((e: any) => e.orderId === bought.result.orderId).map((e: any) => e.execId));
    assert.ok(handExecs.size > 0);
    assert.deepEqual(rig.of("order.filled").filter((f) => handExecs.has(f.fillId)), [], "the hand trade is not booked again as a fill");
    assert.deepEqual(rig.of("funding.paid").filter((f) => f.symbol === "ETHUSDT"), [], "nor its funding");
    assert.equal(rig.state.portfolio.cash, await wallet(), "cash is still the wallet");
    // The position the account holds is hean's now: adopted whole (no fee, no cash).
    await waitFor("adopted", () => rig.state.portfolio.position("ETHUSDT").qty === dec("0.5") || undefined);
    assert.ok(rig.alerts("POSITION_ADOPTED").length > 0);
    await rig.venue.reconcile("manual");
    assert.equal(rig.state.portfolio.cash, await wallet());
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
