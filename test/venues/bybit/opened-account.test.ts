/**
 * A restart of a journal younger than `bootLookbackMs`: the boot search looked `bootLookbackMs`
 * back, past the moment the journal's account opened, and booked again what the opening balance
 * already held. Seen on hean sim bybit: an operator restarted a journal started with --fresh two
 * minutes before; the boot booked the old journal's BTCUSDT fills as external fills, a hand
 * ETHUSDT round trip and its funding, and a 2500 deposit made before the journal existed: cash
 * 2447 above the wallet, ACCOUNT_DIVERGENCE and QUARANTINE for good, and a position adopted. The
 * search now never starts before the account opened.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 52, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

test("a restart minutes after the journal began books nothing the account did before it opened", async () => {
  await sim.reset({ seed: 52 });
  // Before this journal: a deposit and a trade on a symbol it trades (an old journal's, the operator's).
  const deposit = await fetch(`${sim.url}/__sim/wallet`, { method: "POST", body: JSON.stringify({ amount: "2500" }), headers: { "Content-Type": "application/json" } });
  assert.equal(deposit.status, 200);
  const before = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.02", orderLinkId: "old-journal-1" });
  assert.equal(before.retCode, 0, JSON.stringify(before));
  const close = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Sell", orderType: "Market", qty: "0.02", reduceOnly: true, orderLinkId: "old-journal-2" });
  assert.equal(close.retCode, 0, JSON.stringify(close));

  const state = new EngineState(dec("10000"));
  const first = await Rig.start({ sim, state });
  const wallet = async (): Promise<bigint> => dec((await first.venueState()).wallet.walletBalance);
  assert.ok(state.accountOpenedAt !== undefined, "the account opened");
  assert.equal(EngineState.fromSnapshot(state.snapshot()).accountOpenedAt, state.accountOpenedAt, "kept in snapshots");
  assert.equal(state.portfolio.cash, await wallet(), "the opening balance holds the deposit and the trades");
  // A journal with a past: the restart searches back.
  const own = first.place({ side: "buy", qty: "0.01", price: await first.through("buy") });
  await waitFor("our fill", () => first.status(own) === "FILLED");
  await first.stop(false);

  const rig = await Rig.start({ sim, state });
  try {
    assert.deepEqual(rig.of("cash.adjusted").map((e) => e.detail), [], "the deposit is in the opening balance");
    assert.deepEqual(rig.of("order.filled").map((f) => f.fillId), [], "the trades before the journal are not its fills");
    assert.equal(state.portfolio.cash, await wallet());
    assert.equal(state.portfolio.position("BTCUSDT").qty, dec("0.01"));
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});

test("a restart after a downtime longer than bootLookbackMs books what the account did while hean was down", async () => {
  await sim.reset({ seed: 52 });
  const state = new EngineState(dec("10000"));
  const first = await Rig.start({ sim, state });
  const own = first.place({ side: "buy", qty: "0.01", price: await first.through("buy") });
  await waitFor("our fill", () => first.status(own) === "FILLED");
  await first.venue.reconcile("manual");
  assert.ok(state.reconciledAccount !== undefined);
  await first.stop(false);
  // While hean is down: a deposit and funding on the position it holds.
  const deposit = await fetch(`${sim.url}/__sim/wallet`, { method: "POST", body: JSON.stringify({ amount: "700" }), headers: { "Content-Type": "application/json" } });
  assert.equal(deposit.status, 200);
  const funded = await fetch(`${sim.url}/__sim/funding`, { method: "POST", body: JSON.stringify({ symbol: "BTCUSDT", rate: "0.001" }), headers: { "Content-Type": "application/json" } });
  assert.equal(funded.status, 200);
  assert.equal(((await funded.json()) as { settled: unknown[] }).settled.length, 1);

  // Restarted after longer than its lookback (1 ms here: both happened before the restart and after the last reconciliation).
  const rig = await Rig.start({ sim, state, tuning: { bootLookbackMs: 1 } });
  try {
    assert.deepEqual([...new Set(rig.of("cash.adjusted").map((e) => `${e.detail} ${e.amount}`))], [`TRANSFER_IN ${dec("700")}`], "the deposit is booked");
    assert.equal(new Set(rig.of("funding.paid").map((f) => f.fundingId)).size, 1, "and the funding");
    assert.equal(state.portfolio.cash, dec((await rig.venueState()).wallet.walletBalance), "cash is the wallet");
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});
