/** The chaos comparison itself must catch what it is there to catch. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunReport } from "../../src/runtime/report.ts";
import { type SimState, compare, makeSchedule } from "./harness.ts";
import { BINANCE } from "./venues.ts";

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

test("cash is compared with the venue's wallet balance", () => {
  const withCash = (cash: string): RunReport => ({ ...report([order("a", "FILLED", "0.02"), order("b", "CANCELLED", "0")], "0.02"), cash }) as RunReport;
  const v = { ...venue(), wallet: { walletBalance: "100000.5" } };
  assert.deepEqual(compare(withCash("100000.50"), v).divergences, []);
  assert.deepEqual(compare(withCash("100000.4"), v).divergences, ["cash: engine 100000.4, venue wallet 100000.5"]);
});

test("Binance's state reads in the common shape, and the same divergences are caught", () => {
  const raw = {
    orders: [
      { orderId: 4000000001, clientOrderId: "a", symbol: "BTCUSDT", side: "BUY", origQty: "0.02", status: "FILLED", executedQty: "0.02", receivedAt: 1, reduceOnly: false },
      { orderId: 4000000002, clientOrderId: "b", symbol: "BTCUSDT", side: "BUY", origQty: "0.02", status: "NEW", executedQty: "0", receivedAt: 2, reduceOnly: false },
    ],
    executions: [{ tradeId: 700000001, clientOrderId: "a", symbol: "BTCUSDT", side: "BUY", qty: "0.02", time: 5 }],
    positions: [
      { symbol: "BTCUSDT", side: "LONG", size: "0.02", positionAmt: "0.02" },
      { symbol: "ETHUSDT", side: "", size: "0", positionAmt: "0" },
    ],
    wallet: { walletBalance: "99999.9" },
  };
  const state = BINANCE.normalize(raw);
  assert.deepEqual(state.executions[0], { execId: "BTCUSDT:700000001", orderLinkId: "a", symbol: "BTCUSDT", side: "BUY", execQty: "0.02", execTime: "5" });
  assert.deepEqual(state.positions[0], { symbol: "BTCUSDT", side: "Buy", size: "0.02" });
  const ok = { ...report([order("a", "FILLED", "0.02"), order("b", "ACCEPTED", "0")], "0.02"), cash: "99999.9" } as RunReport;
  assert.deepEqual(compare(ok, state).divergences, []);
  const cancelledHere = { ...ok, orders: [order("a", "FILLED", "0.02"), order("b", "CANCELLED", "0")] } as RunReport;
  assert.match(compare(cancelledHere, state).divergences.join("\n"), /b: engine says CANCELLED, venue says NEW/);
  const short = { ...ok, positions: [{ symbol: "BTCUSDT", qty: "-0.02", avgPrice: "1", realizedPnl: "0" }] } as RunReport;
  assert.match(compare(short, state).divergences.join("\n"), /BTCUSDT: engine position -0.02, venue 0.02/);
});

test("Binance schedules draw Binance's faults: listen-key expiry and 418 bans, never Bybit's book restart", () => {
  const faults = Array.from({ length: 300 }, (_, i) => makeSchedule(i, BINANCE)).flatMap((s) => s.steps.map((x) => x.faults));
  assert.ok(faults.some((f) => f["expireListenKeys"] === true));
  assert.ok(faults.some((f) => typeof f["http418"] === "number"));
  assert.ok(faults.some((f) => typeof f["bookGaps"] === "number"));
  assert.ok(faults.every((f) => !("bookRestart" in f)));
});
