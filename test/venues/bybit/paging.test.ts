/**
 * Reading Bybit's history in pages never stops silently. With pages of two records and reads of
 * one page (`paging`), open orders, the transaction log, one order's executions and the execution
 * search each hold more at the simulator than one read takes: every read returns what it read,
 * and says that it stopped while the venue had more (a `nextPageCursor`), once per thing cut short.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { format } from "../../../src/core/decimal.ts";
import type { AlertEvent } from "../../../src/core/events.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { KEY, Rig, SECRET, signedCall, waitFor } from "./rig.ts";

let sim: BybitSimulator;
before(async () => {
  sim = await startBybitSimulator({ port: 0, seed: 61, apiKey: KEY, apiSecret: SECRET });
});
after(async () => {
  await sim.close();
});

const ONE_PAGE_OF_TWO = { paging: { listPages: 1, orderFillPages: 1, pageSize: 2 } };

function cutShort(rig: Rig, code: string, endpoint: string): AlertEvent[] {
  return rig.of("alert").filter((a) => a.code === code && a.context.endpoint === endpoint);
}

test("open orders past the page bound: the page read is returned, and the shortfall said once however often it is read", async () => {
  await sim.reset({ seed: 61 });
  const rig = await Rig.start({ sim, venue: ONE_PAGE_OF_TWO });
  try {
    const price = format(await rig.away("buy", 300));
    for (let n = 0; n < 3; n++) {
      const r = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.001", price, timeInForce: "GTC" });
      assert.equal(r.retCode, 0, JSON.stringify(r));
    }
    const first = await rig.venue.openOrders();
    const again = await rig.venue.openOrders();
    assert.equal(first.filter((o) => o.symbol === "BTCUSDT").length, 2, "the page read is returned");
    assert.equal(again.length, first.length);
    const said = cutShort(rig, "VENUE_PAGES_TRUNCATED", "GET /v5/order/realtime");
    assert.equal(said.length, 1, "said once, not on every read");
    assert.deepEqual(said[0]!.context, { endpoint: "GET /v5/order/realtime", symbol: "BTCUSDT", pages: 1, records: 2 });
    assert.match(said[0]!.message, /BTCUSDT: stopped after 1 page \(2 records\) while Bybit had more/);
  } finally {
    await rig.stop(false);
  }
});

test("an open-order list cut short again after it was read whole is said again: once per episode, not once per process", async () => {
  await sim.reset({ seed: 64 });
  const rig = await Rig.start({ sim, venue: ONE_PAGE_OF_TWO });
  try {
    const said = (): AlertEvent[] => cutShort(rig, "VENUE_PAGES_TRUNCATED", "GET /v5/order/realtime");
    const price = format(await rig.away("buy", 300));
    const place = async (): Promise<string> => {
      const r = await signedCall(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.001", price, timeInForce: "GTC" });
      assert.equal(r.retCode, 0, JSON.stringify(r));
      return r.result.orderId as string;
    };
    const ids = [await place(), await place(), await place()];
    await rig.venue.openOrders();
    await rig.venue.openOrders();
    assert.equal(said().length, 1, "said once while it stays cut short");
    // Two left: the list is read whole, the episode is over.
    const r = await signedCall(sim, "POST", "/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderId: ids[0] });
    assert.equal(r.retCode, 0, JSON.stringify(r));
    assert.equal((await rig.venue.openOrders()).filter((o) => o.symbol === "BTCUSDT").length, 2);
    assert.equal(said().length, 1);
    // Three again: a new episode, said again (once).
    await place();
    await rig.venue.openOrders();
    await rig.venue.openOrders();
    assert.equal(said().length, 2, "cut short again after a whole read: said again");
  } finally {
    await rig.stop(false);
  }
});

test("the transaction log past the page bound: the entries read are booked, and the shortfall said", async () => {
  await sim.reset({ seed: 62 });
  const rig = await Rig.start({ sim, venue: ONE_PAGE_OF_TWO });
  try {
    for (let n = 0; n < 3; n++) {
      const res = await fetch(`${sim.url}/__sim/wallet`, { method: "POST", body: JSON.stringify({ amount: "10" }), headers: { "Content-Type": "application/json" } });
      assert.equal(res.status, 200, await res.text());
    }
    // This pass's window holds all three deposits.
    await rig.venue.reconcile("manual");
    const said = cutShort(rig, "VENUE_PAGES_TRUNCATED", "GET /v5/account/transaction-log");
    assert.ok(said.length > 0, "the ledger read was cut short and said so");
    for (const a of said) assert.deepEqual({ ...a.context, since: 0 }, { endpoint: "GET /v5/account/transaction-log", since: 0, pages: 1, records: 2 });
    assert.ok(new Set(rig.of("cash.adjusted").map((c) => c.adjustmentId)).size >= 2, "the entries read are booked");
    assert.deepEqual(rig.refused, []);
  } finally {
    await rig.stop(false);
  }
});

test("one order's executions and the execution search past the page bound: what was read is booked, and each shortfall said", async () => {
  await sim.reset({ seed: 63 });
  const rig = await Rig.start({ sim, venue: ONE_PAGE_OF_TWO });
  try {
    await rig.waitBook();
    // Everything the stream would say about the order is held back, then the socket drops: the
    // engine learns of its executions only by asking. Five lots sweep several of the book's levels.
    sim.setFaults({ latencyMs: { private: 10_000 } });
    const id = rig.place({ side: "buy", qty: "5", orderType: "market" });
    await waitFor("answered or unknown", () => rig.status(id) !== "SUBMITTED");
    sim.setFaults({ latencyMs: { private: 0 }, disconnectPrivate: true });

    const order = await waitFor("the order's executions cut short", () => cutShort(rig, "ORDER_FILLS_TRUNCATED", "GET /v5/execution/list")[0]);
    assert.deepEqual(order.context, { endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", clientOrderId: id, pages: 1, records: 2 });
    const search = await waitFor("the execution search cut short", () => cutShort(rig, "VENUE_PAGES_TRUNCATED", "GET /v5/execution/list")[0]);
    assert.deepEqual({ ...search.context, since: 0 }, { endpoint: "GET /v5/execution/list", symbol: "BTCUSDT", since: 0, pages: 1, records: 2 });
    const venue = await rig.venueState();
    assert.ok(venue.executions.filter((e: any) => e.orderLinkId === id).length > 2, "the order has more executions than a page");
    assert.ok(rig.fillsOf(id).filter((f) => f.source === "reconciliation").length >= 2, "the executions read are booked");
    assert.equal(rig.duplicateFills, 0);
    assert.deepEqual(rig.refused, []);
  } finally {
    sim.setFaults({});
    await rig.stop(false);
  }
});
