/**
 * Reconciliation against the in-process simulator: the boot pass settles what a crashed run
 * left in doubt, fills of orders hean never placed are adopted as external, a position the
 * engine cannot explain is alerted and adopted under a deterministic id, an order open at the
 * venue but closed in the engine is cancelled.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { dec, neg } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, fmt, signedCall, sleep, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 41, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function touch(symbol = "BTCUSDT"): Promise<{ bid: number; ask: number }> {
  const r = (await (await fetch(`${sim.url}/v5/market/orderbook?category=linear&symbol=${symbol}&limit=1`)).json()) as { result: { b: string[][]; a: string[][] } };
  return { bid: Number(r.result.b[0]![0]), ask: Number(r.result.a[0]![0]) };
}

const intent = (state: EngineState, id: string, o: { side: "buy" | "sell"; qty: string; price: string; tif?: "GTC" | "IOC" }): void => {
  state.apply({
    type: "order.intent",
    ts: Date.now() - 5_000,
    clientOrderId: id,
    strategyId: "rig",
    symbol: "BTCUSDT",
    side: o.side,
    orderType: "limit",
    qty: dec(o.qty),
    price: dec(o.price),
    timeInForce: o.tif ?? "IOC",
    reduceOnly: false,
    purpose: "entry",
  });
};

describe("reconciliation", () => {
  test("boot after a crash: an order the venue has is settled with its fills; one it never saw is rejected after the receive window", async () => {
    await sim.reset({ seed: 41 });
    const { ask } = await touch();
    const price = (Math.ceil(ask * 1.01 * 10) / 10).toFixed(1);
    const sent = `crashA${Date.now().toString(36)}`;
    const lost = `crashB${Date.now().toString(36)}`;
    // The previous run sent `sent` (journaled as SUBMITTED) and crashed before the answer;
    // `lost` was journaled but the process died before it went out (PENDING_SUBMIT).
    const placed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.01", price, timeInForce: "IOC", orderLinkId: sent });
    assert.equal(placed.retCode, 0);
    const state = new EngineState(dec("10000"));
    intent(state, sent, { side: "buy", qty: "0.01", price });
    state.apply({ type: "order.submitted", ts: Date.now() - 5_000, clientOrderId: sent, attempt: 1 });
    intent(state, lost, { side: "buy", qty: "0.01", price });
    const rig = await Rig.start({ sim, state });
    try {
      // Rig.start awaited the boot reconciliation: both are settled before anything trades.
      assert.equal(rig.status(sent), "FILLED");
      assert.ok(rig.fillsOf(sent).length > 0 && rig.fillsOf(sent).every((f) => f.source === "reconciliation"));
      assert.equal(rig.status(lost), "REJECTED");
      assert.equal(rig.of("order.rejected").find((e) => e.clientOrderId === lost)!.code, "NEVER_REACHED_VENUE");
      assert.equal(rig.venue.health.view().reconciled, true);
      assert.equal(rig.state.portfolio.position("BTCUSDT").qty, dec("0.01"));
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("fills of orders hean never placed are adopted as external fills", async () => {
    await sim.reset({ seed: 41 });
    const rig = await Rig.start({ sim });
    try {
      const { ask } = await touch();
      const manual = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.02" });
      assert.equal(manual.retCode, 0);
      await waitFor("external fill", () => rig.of("order.filled").some((f) => f.clientOrderId === undefined));
      await waitFor("position", () => rig.state.portfolio.position("BTCUSDT").qty === dec("0.02"));
      assert.ok(rig.state.externalFillCount >= 1);
      assert.ok(ask > 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a position the engine cannot explain: alerted, then the venue's truth adopted under a deterministic id, once", async () => {
    await sim.reset({ seed: 41 });
    // Traded before this (fresh) journal existed: its executions are outside what boot looks at.
    const manual = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Sell", orderType: "Market", qty: "0.03" });
    assert.equal(manual.retCode, 0);
    await sleep(1_200);
    const rig = await Rig.start({ sim });
    try {
      assert.equal(rig.state.portfolio.position("BTCUSDT").qty, neg(dec("0.03")), "adopted before trading");
      assert.equal(rig.alerts("POSITION_MISMATCH").length, 1);
      assert.equal(rig.alerts("POSITION_ADOPTED").length, 1);
      const adopted = rig.of("order.filled").filter((f) => f.fillId.startsWith("recon-"));
      assert.equal(adopted.length, 1);
      assert.equal(adopted[0]!.clientOrderId, undefined);
      await rig.venue.reconcile("manual");
      await rig.venue.reconcile("manual");
      assert.equal(rig.of("order.filled").filter((f) => f.fillId.startsWith("recon-")).length, 1, "never adopted twice");
      assert.equal(rig.venue.health.positionsAdopted, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("an order open at the venue but closed in the engine is an orphan: cancelled, loudly", async () => {
    await sim.reset({ seed: 41 });
    const { bid } = await touch();
    const price = (Math.floor(bid * 0.97 * 10) / 10).toFixed(1);
    const id = `orphan${Date.now().toString(36)}`;
    const placed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.01", price, timeInForce: "GTC", orderLinkId: id });
    assert.equal(placed.retCode, 0);
    const state = new EngineState(dec("10000"));
    intent(state, id, { side: "buy", qty: "0.01", price, tif: "GTC" });
    state.apply({ type: "order.rejected", ts: Date.now(), clientOrderId: id, code: "TEST", reason: "the engine believes it never existed", postOnlyWouldTake: false });
    const rig = await Rig.start({ sim, state });
    try {
      assert.equal(rig.alerts("VENUE_ORPHAN_ORDER").length, 1);
      let status = "";
      for (let i = 0; i < 50 && status !== "Cancelled"; i++) {
        status = (await rig.venueOrders(id))[0].orderStatus;
        if (status !== "Cancelled") await sleep(50);
      }
      assert.equal(status, "Cancelled");
      assert.equal(rig.venue.health.orphanOrders, 1);
    } finally {
      await rig.stop(false);
    }
  });

  test("an open order hean did not place is reported and left alone", async () => {
    await sim.reset({ seed: 41 });
    const { bid } = await touch();
    const price = (Math.floor(bid * 0.97 * 10) / 10).toFixed(1);
    const placed = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.01", price, timeInForce: "GTC", orderLinkId: "someone-else-1" });
    assert.equal(placed.retCode, 0);
    const rig = await Rig.start({ sim });
    try {
      assert.equal(rig.alerts("EXTERNAL_OPEN_ORDER").length, 1);
      const orders = await rig.venueOrders("someone-else-1");
      assert.equal(orders[0].orderStatus, "New");
      assert.equal(fmt(rig.state.portfolio.position("BTCUSDT").qty), "0");
    } finally {
      await rig.stop(false);
    }
  });
});
