/** The chaos comparison itself must catch what it is there to catch. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunReport } from "../../src/runtime/report.ts";
import { type SimState, compare, makeSchedule } from "./harness.ts";

const order = (id: string, status: string, filledQty: string, side: "buy" | "sell" = "buy"): RunReport["orders"][number] => ({
  clientOrderId: id,
  venueOrderId: null,
  symbol: "BTCUSDT",
  side,
  qty: "0.02",
  filledQty,
  status,
  purpose: "entry",
  reduceOnly: false,
});

const report = (orders: RunReport["orders"], qty: string): RunReport => ({ orders, positions: [{ symbol: "BTCUSDT", qty, avgPrice: "1", realizedPnl: "0" }] }) as unknown as RunReport;

const venue = (): SimState => ({
  orders: [
    { orderId: "v1", orderLinkId: "a", symbol: "BTCUSDT", side: "Buy", qty: "0.02", orderStatus: "Filled", cumExecQty: "0.02", receivedAt: 1, reduceOnly: false },
    { orderId: "v2", orderLinkId: "b", symbol: "BTCUSDT", side: "Buy", qty: "0.02", orderStatus: "Cancelled", cumExecQty: "0", receivedAt: 2, reduceOnly: false },
  ],
  executions: [
    { execId: "e1", orderLinkId: "a", symbol: "BTCUSDT", side: "Buy", execQty: "0.01", execTime: "1" },
    { execId: "e2", orderLinkId: "a", symbol: "BTCUSDT", side: "Buy", execQty: "0.01", execTime: "1" },
  ],
  positions: [{ symbol: "BTCUSDT", side: "Buy", size: "0.02" }],
});

test("agreement passes; each kind of divergence is caught", () => {
  const ok = report([order("a", "FILLED", "0.02"), order("b", "CANCELLED", "0"), order("c", "REJECTED", "0")], "0.02");
  assert.deepEqual(compare(ok, venue()).divergences, []);
  assert.equal(compare(ok, venue()).ordersExamined, 3);

  const lostFill = report([order("a", "FILLED", "0.01"), order("b", "CANCELLED", "0")], "0.01");
  assert.equal(compare(lostFill, venue()).divergences.length, 2, "a lost fill shows in the order and the position");

  const orphan = venue();
  orphan.orders.push({ orderId: "v3", orderLinkId: "zzz", symbol: "BTCUSDT", side: "Buy", qty: "0.02", orderStatus: "New", cumExecQty: "0", receivedAt: 3, reduceOnly: false });
  assert.match(compare(ok, orphan).divergences.join("\n"), /belongs to no engine intent/);

  const twice = venue();
  twice.orders.push({ ...twice.orders[0]!, orderId: "v4" });
  assert.match(compare(ok, twice).divergences.join("\n"), /orderLinkId a has 2 venue orders/);

  const stillWorking = report([order("a", "FILLED", "0.02"), order("b", "ACCEPTED", "0")], "0.02");
  assert.match(compare(stillWorking, venue()).divergences.join("\n"), /b: engine says ACCEPTED, venue says Cancelled/);

  const rejectedButThere = report([order("a", "FILLED", "0.02"), order("b", "REJECTED", "0")], "0.02");
  assert.match(compare(rejectedButThere, venue()).divergences.join("\n"), /engine says REJECTED, venue has it/);
});

test("schedules are reproducible from their seed and vary between seeds", () => {
  assert.deepEqual(makeSchedule(7), makeSchedule(7));
  assert.notDeepEqual(makeSchedule(7), makeSchedule(8));
  const kills = Array.from({ length: 100 }, (_, i) => makeSchedule(i)).filter((s) => s.killAtMs !== undefined).length;
  assert.ok(kills > 10 && kills < 60, `${kills} of 100 schedules kill the engine`);
});
