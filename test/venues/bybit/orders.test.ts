/**
 * Orders exactly once, against the in-process Bybit simulator: every outcome of a create (ok,
 * refused, booked but unanswered, reset, 5xx, duplicate orderLinkId) ends in the right hean
 * events, at most one venue order per client order id, and nothing the engine would refuse.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ZERO, add, dec } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, fmt, signedCall, sleep, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 21, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

async function fresh(tuning: Record<string, unknown> = {}): Promise<Rig> {
  await sim.reset({ seed: 21 });
  return Rig.start({ sim, tuning });
}

describe("orders exactly once", () => {
  test("a marketable IOC is accepted once and filled with the venue's execIds and exact fees", async () => {
    const rig = await fresh();
    try {
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const venue = await rig.venueState();
      const execs = venue.executions.filter((e: any) => e.orderLinkId === id);
      assert.ok(execs.length > 0);
      const fills = rig.fillsOf(id);
      assert.deepEqual(fills.map((f) => f.fillId).sort(), execs.map((e: any) => e.execId).sort());
      const fee = execs.reduce((s: any, e: any) => add(s, dec(e.execFee)), ZERO);
      assert.equal(rig.state.orders.get(id)!.fees, fee, "fees add up to the venue's, exactly");
      assert.equal(rig.of("order.accepted").filter((e) => e.clientOrderId === id).length, 1);
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a definitive refusal is a rejection with Bybit's code, and nothing exists at the venue", async () => {
    const rig = await fresh();
    try {
      // Reduce-only with no position: 110017.
      const id = rig.place({ side: "sell", qty: "0.01", price: await rig.through("sell"), reduceOnly: true });
      await waitFor("rejected", () => rig.status(id) === "REJECTED");
      const rejected = rig.of("order.rejected").find((e) => e.clientOrderId === id)!;
      assert.equal(rejected.code, "BYBIT_110017");
      assert.equal((await rig.venueOrders(id)).length, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("booked but never answered, stream evidence first: settled by what the stream says, no UNKNOWN needed", async () => {
    const rig = await fresh();
    try {
      sim.setFaults({ acceptThenTimeout: 1 });
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      // The evidence that the create's timeout has played out: its client gave up the held request.
      await waitFor("the create given up", () => sim.heldRequests() === 0, 60_000);
      assert.equal(rig.of("order.unknown").filter((e) => e.clientOrderId === id).length, 0);
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("booked but never answered, stream late: UNKNOWN, then settled by orderLinkId to the one venue order", async () => {
    const rig = await fresh();
    try {
      // The stream's news arrives long after the create times out: only a query can settle it.
      sim.setFaults({ acceptThenTimeout: 1, latencyMs: { private: 2_500 } });
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("unknown", () => rig.of("order.unknown").some((e) => e.clientOrderId === id));
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const venue = await rig.venueOrders(id);
      assert.equal(venue.length, 1, "one intent, one venue order");
      assert.equal(rig.state.orders.get(id)!.venueOrderId, venue[0].orderId);
      assert.equal(rig.state.orders.get(id)!.filledQty, dec(venue[0].cumExecQty));
      assert.equal(rig.venue.health.unknownOutcomes, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("booked, then the connection is reset: UNKNOWN, settled, never sent twice", async () => {
    const rig = await fresh();
    try {
      sim.setFaults({ acceptThenTimeout: 1, acceptThenTimeoutResetMs: 100, latencyMs: { private: 2_500 } });
      const price = await rig.away("buy");
      const id = rig.place({ side: "buy", qty: "0.01", price, timeInForce: "GTC" });
      await waitFor("unknown", () => rig.of("order.unknown").some((e) => e.clientOrderId === id));
      await waitFor("accepted", () => rig.status(id) === "ACCEPTED");
      assert.equal((await rig.venueOrders(id)).length, 1);
      rig.cancel(id);
      await waitFor("cancelled", () => rig.status(id) === "CANCELLED");
      assert.equal(rig.of("order.cancelled").filter((e) => e.clientOrderId === id).length, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("a 5xx on create: UNKNOWN until the receive window proves the venue never saw it, then rejected", async () => {
    const rig = await fresh();
    try {
      sim.setFaults({ http5xx: 1 });
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy") });
      await waitFor("unknown", () => rig.status(id) === "UNKNOWN");
      await waitFor("rejected", () => rig.status(id) === "REJECTED");
      const rejected = rig.of("order.rejected").find((e) => e.clientOrderId === id)!;
      assert.equal(rejected.code, "NEVER_REACHED_VENUE");
      // Not before the receive window (1000 ms in the rig, less a margin for the two clocks) has
      // passed since the send: both times are the engine's own, so a slow machine only adds to it.
      const sentAt = rig.state.orders.get(id)!.createdAt;
      assert.ok(rejected.ts - sentAt >= 700, `rejected ${rejected.ts - sentAt} ms after the send`);
      assert.equal((await rig.venueOrders(id)).length, 0);
      assert.equal(rig.venue.health.neverReachedVenue, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("resend policy 'always': an order the venue never saw is sent again under the same orderLinkId", async () => {
    const rig = await fresh({ resendUnseen: "always" });
    try {
      sim.setFaults({ http5xx: 1 });
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy", 300) });
      await waitFor("filled", () => rig.status(id) === "FILLED");
      const submitted = rig.of("order.submitted").filter((e) => e.clientOrderId === id);
      assert.deepEqual(submitted.map((e) => e.attempt), [2], "the resend is attempt 2 of the same identity");
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.equal(rig.venue.health.resends, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.clearFaults();
      await rig.stop(false);
    }
  });

  test("110072: an orderLinkId the venue already has is reconciled to that order, never renewed", async () => {
    const rig = await fresh();
    try {
      const price = await rig.away("buy");
      const id = `dup${Date.now().toString(36)}`;
      // Somebody (a previous run) already placed it.
      const placed = await signedCall(sim, "POST", "/v5/order/create", {
        category: "linear",
        symbol: "BTCUSDT",
        side: "Buy",
        orderType: "Limit",
        qty: "0.01",
        price: fmt(price),
        timeInForce: "GTC",
        orderLinkId: id,
      });
      assert.equal(placed.retCode, 0);
      // Let the stream's news of it pass (the engine did not know the id then, so it ignored it).
      await sleep(300);
      rig.place({ side: "buy", qty: "0.01", price, timeInForce: "GTC" }, id);
      await waitFor("accepted", () => rig.status(id) === "ACCEPTED");
      assert.equal(rig.state.orders.get(id)!.venueOrderId, placed.result.orderId);
      assert.equal((await rig.venueOrders(id)).length, 1);
      assert.equal(rig.alerts("ORDER_LINK_ID_EXISTS").length, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("a post-only order that would take is cancelled with postOnlyWouldTake", async () => {
    const rig = await fresh();
    try {
      const id = rig.place({ side: "buy", qty: "0.01", price: await rig.through("buy"), timeInForce: "POST_ONLY" });
      await waitFor("cancelled", () => rig.status(id) === "CANCELLED");
      const e = rig.of("order.cancelled").find((c) => c.clientOrderId === id)!;
      assert.equal(e.postOnlyWouldTake, true);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });

  test("an IOC remainder ends expired; a cancelled resting order ends cancelled, each once", async () => {
    const rig = await fresh();
    try {
      const ioc = rig.place({ side: "buy", qty: "0.01", price: await rig.away("buy") });
      await waitFor("expired", () => rig.status(ioc) === "EXPIRED");
      const gtc = rig.place({ side: "sell", qty: "0.01", price: await rig.away("sell"), timeInForce: "GTC" });
      await waitFor("accepted", () => rig.status(gtc) === "ACCEPTED");
      rig.cancel(gtc);
      await waitFor("cancelled", () => rig.status(gtc) === "CANCELLED");
      await waitFor("quiet", () => rig.venue.health.view().reconciliationRuns >= 1);
      assert.equal(rig.of("order.cancelled").filter((e) => e.clientOrderId === gtc).length, 1);
      assert.equal(rig.of("order.expired").filter((e) => e.clientOrderId === ioc).length, 1);
      assert.deepEqual(rig.refused, []);
    } finally {
      await rig.stop(false);
    }
  });
});
