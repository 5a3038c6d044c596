/**
 * The simulator's own routes: GET /__sim/state, POST /__sim/price, POST /__sim/reset, and the
 * refusal of bad control input (which changes nothing).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isHeanError } from "../../../src/core/errors.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { control, publicGet, signed, WsProbe } from "./helpers.ts";

describe("simulator control routes", () => {
  let sim: BybitSimulator;

  before(async () => {
    sim = await startBybitSimulator({ seed: 61, apiKey: "ctl-key", apiSecret: "ctl-secret", startingBalance: "12345" });
  });
  after(async () => {
    await sim?.close();
  });

  it("GET /__sim/state lists orders, executions, positions and wallet with the documented fields", async () => {
    const before = Date.now();
    await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "st-1", timeInForce: "GTC" });
    await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.010", orderLinkId: "st-2" });
    const state = (await control(sim, "GET", "/__sim/state")).body;
    const resting = state.orders.find((o: any) => o.orderLinkId === "st-1");
    for (const k of ["orderId", "orderLinkId", "symbol", "side", "orderType", "price", "qty", "reduceOnly", "timeInForce", "orderStatus", "cumExecQty", "receivedAt"]) {
      assert.ok(k in resting, k);
    }
    assert.deepEqual(
      [resting.symbol, resting.side, resting.orderType, resting.price, resting.qty, resting.reduceOnly, resting.timeInForce, resting.orderStatus, resting.cumExecQty],
      ["BTCUSDT", "Buy", "Limit", "30000.0", "0.010", false, "GTC", "New", "0.000"],
    );
    assert.ok(resting.receivedAt >= before && resting.receivedAt <= Date.now());
    const market = state.orders.find((o: any) => o.orderLinkId === "st-2");
    assert.equal(market.orderStatus, "Filled");
    const exec = state.executions.find((e: any) => e.orderLinkId === "st-2");
    for (const k of ["execId", "orderId", "orderLinkId", "execQty", "execPrice", "execTime"]) assert.ok(k in exec, k);
    assert.equal(exec.orderId, market.orderId);
    const pos = state.positions.find((p: any) => p.symbol === "BTCUSDT");
    assert.deepEqual([pos.side, pos.size], ["Buy", "0.010"]);
    assert.ok(Number(pos.avgPrice) > 0);
    assert.equal(state.wallet.coin, "USDT");
    assert.ok(Number(state.wallet.walletBalance) < 12345, "the fee was paid");
  });

  it("POST /__sim/price moves the market at once", async () => {
    const r = await control(sim, "POST", "/__sim/price", { symbol: "ETHUSDT", price: "4200" });
    assert.equal(r.status, 200);
    const book = await publicGet(sim, "/v5/market/orderbook?category=linear&symbol=ETHUSDT&limit=1");
    const mid = (Number(book.body.result.b[0][0]) + Number(book.body.result.a[0][0])) / 2;
    assert.ok(Math.abs(mid - 4200) < 4200 * 0.002, String(mid));
    assert.equal((await control(sim, "POST", "/__sim/price", { symbol: "XRPUSDT", price: "1" })).status, 400);
    assert.equal((await control(sim, "POST", "/__sim/price", { symbol: "ETHUSDT", price: "-5" })).status, 400);
  });

  it("refuses bad fault sets and bad reset input, changing nothing", async () => {
    await control(sim, "POST", "/__sim/faults", { http5xx: 1 });
    const bad = await control(sim, "POST", "/__sim/faults", { http5xx: 2, nonsense: true });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /nonsense/);
    assert.equal((await control(sim, "GET", "/__sim/faults")).body.faults.http5xx, 1, "the previous set still holds");
    await control(sim, "POST", "/__sim/faults", {});
    assert.equal((await control(sim, "POST", "/__sim/reset", { scenario: "moon" })).status, 400);
    const state = (await control(sim, "GET", "/__sim/state")).body;
    assert.ok(state.orders.length > 0, "a refused reset kept the state");
  });

  it("POST /__sim/reset starts over: no orders, the starting balance, streams closed with 1012", async () => {
    const probe = await WsProbe.open(sim.wsPublicUrl);
    await control(sim, "POST", "/__sim/faults", { http5xx: 3 });
    const r = await control(sim, "POST", "/__sim/reset", { startingBalance: "777", scenario: "trend" });
    assert.equal(r.status, 200);
    assert.equal((await probe.closed).code, 1012);
    const state = (await control(sim, "GET", "/__sim/state")).body;
    assert.deepEqual([state.orders, state.executions], [[], []]);
    assert.equal(state.wallet.walletBalance, "777");
    assert.ok(state.positions.every((p: any) => Number(p.size) === 0 && p.side === ""));
    assert.equal((await publicGet(sim, "/v5/market/time")).status, 200, "faults were cleared");
    const order = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "st-1" });
    assert.equal(order.body.retCode, 0, "orderLinkIds of the old run are free again");
  });

  it("refuses an unknown scenario at start", async () => {
    await assert.rejects(startBybitSimulator({ scenario: "moon" }), (e) => isHeanError(e, "CONFIG_INVALID"));
  });
});

describe("simulator start-up failures", () => {
  it("refuses a port that is taken, leaving nothing running", async () => {
    const first = await startBybitSimulator({ seed: 62 });
    try {
      await assert.rejects(startBybitSimulator({ seed: 63, port: first.port }), (e) => isHeanError(e, "CONFIG_INVALID"));
    } finally {
      await first.close();
    }
  });
});

describe("simulator start-up options", () => {
  it("refuses a bad fault set at start, and applies a good one", async () => {
    await assert.rejects(startBybitSimulator({ faults: { http5xx: -1 } }), (e) => isHeanError(e, "CONFIG_INVALID"));
    const sim = await startBybitSimulator({ faults: { http5xx: 1 } });
    try {
      assert.equal((await fetch(`${sim.url}/v5/market/time`)).status, 503);
      assert.equal((await fetch(`${sim.url}/v5/market/time`)).status, 200);
    } finally {
      await sim.close();
    }
  });
});
