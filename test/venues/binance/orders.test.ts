/**
 * Orders exactly once on Binance, against the real Binance simulator: a marketable order is
 * accepted once and filled with the venue's trade ids and exact commissions; a refusal keeps
 * Binance's code; an order booked but never answered is settled by `origClientOrderId` to the
 * one venue order (never sent again); -4116 is settled, not renewed; a GTX that would take is
 * "would take", not a rejection storm.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ZERO, add, dec, format } from "../../../src/core/decimal.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 21, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function fresh(tuning: Record<string, unknown> = {}): Promise<BinanceRig> {
  await sim.reset({ seed: 21 });
  return BinanceRig.start({ sim, tuning });
}

describe("Binance orders exactly once", () => {
  test("a marketable IOC is accepted once and filled with the venue's trade ids and exact commissions", async () => {
    const rig = await fresh();
    try {
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const venue = await rig.venueState();
      const trades = venue.executions.filter((e: any) => e.clientOrderId === id);
      assert.ok(trades.length > 0);
      assert.deepEqual(rig.fillsOf(id).map((f) => f.fillId).sort(), trades.map((e: any) => `BTCUSDT:${e.tradeId}`).sort());
      const fee = trades.reduce((s: any, e: any) => add(s, dec(e.commission)), ZERO);
      assert.equal(rig.state.orders.get(id)!.fees, fee, "fees add up to the venue's, exactly");
      assert.equal(rig.of("order.accepted").filter((e) => e.clientOrderId === id).length, 1);
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a definitive refusal is a rejection with Binance's code, and nothing exists at the venue", async () => {
    const rig = await fresh();
    try {
      // Reduce-only with no position: -2022.
      const id = rig.place({ side: "sell", qty: "0.01", price: await rig.through("sell"), reduceOnly: true });
      await waitFor("rejected", () => rig.status(id) === "REJECTED");
      assert.equal(rig.of("order.rejected").find((e) => e.clientOrderId === id)!.code, "BINANCE_-2022");
      assert.equal((await rig.venueOrders(id)).length, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("accepted, then no answer: UNKNOWN, settled by origClientOrderId to the one venue order, never sent again", async () => {
    const rig = await fresh();
    try {
      // The stream's news arrives long after the create times out: only a query can settle it.
      sim.setFaults({ acceptThenTimeout: 1, latencyMs: { private: 2_500 } });
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.away("buy"), timeInForce: "GTC" });
      await waitFor("unknown", () => rig.of("order.unknown").some((e) => e.clientOrderId === id));
      await waitFor("settled as accepted", () => rig.status(id) === "ACCEPTED");
      const orders = await rig.venueOrders(id);
      assert.equal(orders.length, 1, "exactly one venue order under the client order id");
      assert.equal(rig.of("order.accepted").filter((e) => e.clientOrderId === id).length, 1);
      assert.equal(rig.venue.health.resends, 0, "never sent again");
      assert.equal(rig.venue.health.unknownOutcomes, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
    }
  });

  test("-4116 (the client order id is open at the venue) is settled by asking, never renewed", async () => {
    const rig = await fresh();
    try {
      const price = await rig.away("buy");
      // Someone (a previous process) already placed this client order id.
      const id = "hn4116dup0001";
      const placed = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.01", price: format(price), newClientOrderId: id });
      assert.ok(placed.orderId !== undefined, JSON.stringify(placed));
      rig.place({ side: "buy", qty: "0.01", price, timeInForce: "GTC" }, id);
      // The venue refuses the create (-4116); the order is settled by the stream or a query, whichever speaks first.
      await waitFor("settled as accepted", () => rig.status(id) === "ACCEPTED");
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.equal(rig.of("order.rejected").filter((e) => e.clientOrderId === id).length, 0);
      assert.equal(rig.of("order.accepted").filter((e) => e.clientOrderId === id).length, 1);
      assert.equal(rig.venue.health.resends, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a GTX that would take is refused (-5022) as post-only-would-take, with nothing at the venue", async () => {
    const rig = await fresh();
    try {
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy"), timeInForce: "POST_ONLY" });
      await waitFor("rejected", () => rig.status(id) === "REJECTED");
      const r = rig.of("order.rejected").find((e) => e.clientOrderId === id)!;
      assert.equal(r.code, "BINANCE_-5022");
      assert.equal(r.postOnlyWouldTake, true);
      assert.equal((await rig.venueOrders(id)).length, 0);
    } finally {
      await rig.stop(false);
    }
  });
});
