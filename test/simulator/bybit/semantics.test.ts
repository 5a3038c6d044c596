/**
 * Bybit semantics over REST, on a simulator whose clock only moves when the test says (the
 * market stands still between calls, so prices read from the book are still there when the
 * order arrives): fees, partial fills, positions and wallet following fills, reduce-only,
 * one-way mode, amend/cancel/cancel-all, queries, refusals with Bybit's codes, the rate limit.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { add, dec, format, mul, sub, ZERO } from "../../../src/core/decimal.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { control, publicGet, signed, type SignedCall } from "./helpers.ts";

describe("Bybit order semantics", () => {
  let sim: BybitSimulator;
  let clock: SimClock;
  let seq = 0;
  const post = (path: string, params: Record<string, unknown>, o: { apiKey?: string; apiSecret?: string } = {}): Promise<SignedCall> =>
    signed(sim, "POST", path, params, { timestamp: clock.now(), ...o });
  const get = (path: string, params: Record<string, unknown>): Promise<SignedCall> => signed(sim, "GET", path, params, { timestamp: clock.now() });
  const create = (params: Record<string, unknown>): Promise<SignedCall> =>
    post("/v5/order/create", { category: "linear", symbol: "BTCUSDT", orderLinkId: `s-${++seq}`, ...params });
  const touch = async (symbol = "BTCUSDT"): Promise<{ bid: string; bidQty: string; ask: string; askQty: string }> => {
    const r = await publicGet(sim, `/v5/market/orderbook?category=linear&symbol=${symbol}&limit=5`);
    const [bid, bidQty] = r.body.result.b[0];
    const [ask, askQty] = r.body.result.a[0];
    return { bid, bidQty, ask, askQty };
  };
  const position = async (symbol = "BTCUSDT"): Promise<any> => (await get("/v5/position/list", { category: "linear", symbol })).body.result.list[0];
  const wallet = async (): Promise<any> => (await get("/v5/account/wallet-balance", { accountType: "UNIFIED" })).body.result.list[0];

  before(async () => {
    clock = new SimClock(Date.now());
    sim = await startBybitSimulator({
      seed: 41,
      apiKey: "sem-key",
      apiSecret: "sem-secret",
      startingBalance: "50000",
      clock,
      extraAccounts: [{ apiKey: "poor-key", apiSecret: "poor-secret", startingBalance: "10" }],
    });
    clock.advance(1000);
  });
  // Each test starts a fresh rate-limit second; the market steps only here, never inside a test.
  beforeEach(() => clock.advance(1001));
  after(async () => {
    await sim?.close();
  });

  it("charges the taker fee on a market fill and takes it from the wallet", async () => {
    const r = await create({ side: "Buy", orderType: "Market", qty: "0.020" });
    assert.equal(r.body.retCode, 0);
    const execs = (await get("/v5/execution/list", { category: "linear", orderId: r.body.result.orderId })).body.result.list;
    let fees = ZERO;
    for (const e of execs) {
      assert.equal(e.feeRate, "0.00055");
      assert.equal(e.execFee, format(mul(dec(e.execValue), dec("0.00055"))));
      assert.equal(e.isMaker, false);
      fees = add(fees, dec(e.execFee));
    }
    const w = await wallet();
    assert.equal(w.totalWalletBalance, format(sub(dec("50000"), fees)));
    assert.equal(w.coin[0].cumRealisedPnl, format(sub(ZERO, fees)));
  });

  it("positions and the wallet follow fills: adding, reducing, realised P&L", async () => {
    const before = await position();
    assert.equal(before.side, "Buy");
    assert.equal(before.size, "0.020");
    const r = await create({ side: "Sell", orderType: "Market", qty: "0.010" });
    assert.equal(r.body.retCode, 0);
    const after = await position();
    assert.equal(after.size, "0.010");
    assert.equal(after.avgPrice, before.avgPrice, "reducing keeps the entry price");
    const w = await wallet();
    // The wallet moves by exactly the realised P&L net of fees (Bybit's cumRealisedPnl includes fees).
    assert.equal(w.totalWalletBalance, format(add(dec("50000"), dec(after.cumRealisedPnl))));
    const flat = await create({ side: "Sell", orderType: "Market", qty: "0.010" });
    assert.equal(flat.body.retCode, 0);
    const closed = await position();
    assert.deepEqual([closed.side, closed.size, closed.avgPrice], ["", "0.000", "0"]);
  });

  it("fills a limit order partly against the touch and rests the rest as PartiallyFilled", async () => {
    const { ask, askQty } = await touch();
    const qty = format(add(dec(askQty), dec("0.005")));
    const r = await create({ side: "Buy", orderType: "Limit", qty, price: ask });
    assert.equal(r.body.retCode, 0);
    const o = (await get("/v5/order/realtime", { category: "linear", orderId: r.body.result.orderId })).body.result.list[0];
    assert.equal(o.orderStatus, "PartiallyFilled");
    assert.equal(dec(o.cumExecQty), dec(askQty));
    assert.equal(dec(o.leavesQty), dec("0.005"));
    assert.equal(o.avgPrice, ask);
    await post("/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderId: r.body.result.orderId });
    const cancelled = (await get("/v5/order/history", { category: "linear", orderId: r.body.result.orderId })).body.result.list[0];
    assert.equal(cancelled.orderStatus, "Cancelled", "a partly filled order that is cancelled is Cancelled in derivatives");
    assert.equal(dec(cancelled.cumExecQty), dec(askQty));
  });

  it("reduce-only: refused without a position (110017), cut to the position size otherwise", async () => {
    const pos = await position();
    assert.ok(dec(pos.size) > ZERO, "the previous test left a long");
    assert.equal((await create({ side: "Buy", orderType: "Market", qty: "0.010", reduceOnly: true })).body.retCode, 110017, "same side as the position");
    assert.equal((await create({ symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.10", reduceOnly: true })).body.retCode, 110017, "no position");
    const r = await create({ side: "Sell", orderType: "Market", qty: "1.000", reduceOnly: true });
    assert.equal(r.body.retCode, 0);
    const o = (await get("/v5/order/history", { category: "linear", orderId: r.body.result.orderId })).body.result.list[0];
    assert.equal(o.qty, pos.size);
    assert.equal(o.reduceOnly, true);
    assert.equal((await position()).size, "0.000");
  });

  it("one-way mode only: positionIdx 1/2 and hedge mode are refused", async () => {
    assert.equal((await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", positionIdx: 1 })).body.retCode, 10001);
    assert.equal((await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", positionIdx: 0 })).body.retCode, 0);
    assert.equal((await post("/v5/position/switch-mode", { category: "linear", symbol: "BTCUSDT", mode: 0 })).body.retCode, 110025);
    assert.equal((await post("/v5/position/switch-mode", { category: "linear", symbol: "BTCUSDT", mode: 3 })).body.retCode, 10001);
  });

  it("amends price and qty of a resting order; unknown orders get 110001", async () => {
    const r = await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "amend-me" });
    const amended = await post("/v5/order/amend", { category: "linear", symbol: "BTCUSDT", orderLinkId: "amend-me", price: "30100.0", qty: "0.020" });
    assert.equal(amended.body.retCode, 0, amended.body.retMsg);
    assert.equal(amended.body.result.orderId, r.body.result.orderId);
    const o = (await get("/v5/order/realtime", { category: "linear", orderLinkId: "amend-me" })).body.result.list[0];
    assert.deepEqual([o.price, o.qty], ["30100.0", "0.020"]);
    assert.equal((await post("/v5/order/amend", { category: "linear", symbol: "BTCUSDT", orderLinkId: "nope", price: "30100.0" })).body.retCode, 110001);
    assert.equal((await post("/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderId: "00000000-0000-4000-8000-000000000000" })).body.retCode, 110001);
    await post("/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderLinkId: "amend-me" });
    assert.equal((await post("/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderLinkId: "amend-me" })).body.retCode, 110001, "already cancelled");
  });

  it("cancel-all by settleCoin cancels every open order of every USDT symbol", async () => {
    await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0" });
    await create({ symbol: "ETHUSDT", side: "Buy", orderType: "Limit", qty: "0.10", price: "2000.00" });
    const r = await post("/v5/order/cancel-all", { category: "linear", settleCoin: "USDT" });
    assert.equal(r.body.retCode, 0);
    assert.ok(r.body.result.list.length >= 2);
    assert.equal(r.body.result.success, "1");
    const open = await get("/v5/order/realtime", { category: "linear", settleCoin: "USDT" });
    assert.deepEqual(open.body.result.list, []);
    assert.equal((await post("/v5/order/cancel-all", { category: "linear" })).body.retCode, 10001, "linear needs a scope");
  });

  it("queries: realtime openOnly=1 lists closed orders, history filters by status, cursors page", async () => {
    const closed = await get("/v5/order/realtime", { category: "linear", symbol: "BTCUSDT", openOnly: 1 });
    assert.ok(closed.body.result.list.length > 0);
    assert.ok(closed.body.result.list.every((o: any) => o.orderStatus !== "New" && o.orderStatus !== "PartiallyFilled"));
    const filled = await get("/v5/order/history", { category: "linear", orderStatus: "Filled" });
    assert.ok(filled.body.result.list.length > 0 && filled.body.result.list.every((o: any) => o.orderStatus === "Filled"));
    const page1 = await get("/v5/order/history", { category: "linear", limit: 2 });
    assert.equal(page1.body.result.list.length, 2);
    assert.notEqual(page1.body.result.nextPageCursor, "");
    const page2 = await get("/v5/order/history", { category: "linear", limit: 2, cursor: page1.body.result.nextPageCursor });
    assert.notEqual(page2.body.result.list[0].orderId, page1.body.result.list[0].orderId);
    const times = page1.body.result.list.map((o: any) => Number(o.createdTime));
    assert.ok(times[0] >= times[1], "newest first");
  });

  it("refuses bad parameters with 10001 and changes nothing", async () => {
    const before = (await control(sim, "GET", "/__sim/state")).body.orders.length;
    const bad: Record<string, unknown>[] = [
      { side: "Buy", orderType: "Limit", qty: "0.0015", price: "30000.0" },
      { side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.05" },
      { side: "Up", orderType: "Limit", qty: "0.010", price: "30000.0" },
      { side: "Buy", orderType: "Stop", qty: "0.010", price: "30000.0" },
      { side: "Buy", orderType: "Limit", qty: "0.010" },
      { symbol: "DOGEUSDT", side: "Buy", orderType: "Limit", qty: "1", price: "1" },
      { side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "x".repeat(37) },
      { side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", timeInForce: "GTD" },
      { side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", takeProfit: "90000" },
      { side: "Buy", orderType: "Limit", qty: "1000", price: "30000.0" },
    ];
    for (const params of bad) assert.equal((await create(params)).body.retCode, 10001, JSON.stringify(params));
    clock.advance(1001); // refused requests count against the budget too
    assert.equal((await post("/v5/order/create", { symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.010" })).body.retCode, 10001, "no category");
    const broken = await fetch(`${sim.url}/v5/order/create`, { method: "POST", body: "{not json" });
    assert.equal(broken.status, 200);
    assert.notEqual(((await broken.json()) as any).retCode, 0);
    assert.equal((await control(sim, "GET", "/__sim/state")).body.orders.length, before);
  });

  it("refuses on venue rules: 110094 notional, 110003 price band, 110007 balance", async () => {
    assert.equal((await create({ side: "Buy", orderType: "Limit", qty: "0.001", price: "1000.0" })).body.retCode, 110094);
    const { ask } = await touch();
    const far = format(mul(dec(ask), dec("1.2")));
    assert.equal((await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: far.includes(".") ? far.slice(0, far.indexOf(".") + 2) : `${far}.0` })).body.retCode, 110003);
    const poor = await post("/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0" }, { apiKey: "poor-key", apiSecret: "poor-secret" });
    assert.equal(poor.body.retCode, 110007);
    assert.equal(poor.body.retMsg, "Available balance is insufficient");
  });

  it("answers 10003 for an unknown key and 10017 (HTTP 404) for an unknown route, limit headers on both", async () => {
    const unknown = await signed(sim, "GET", "/v5/position/list", { category: "linear", symbol: "BTCUSDT" }, { apiKey: "who", timestamp: clock.now() });
    assert.equal(unknown.body.retCode, 10003);
    assert.ok(unknown.headers.get("x-bapi-limit") !== null);
    const missing = await publicGet(sim, "/v5/nothing/here");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.retCode, 10017);
    assert.ok(missing.headers.get("x-bapi-limit-status") !== null);
    assert.ok(missing.headers.get("traceid") !== null);
  });

  it("enforces the per-key order budget: the 11th create in one second gets 10006, then the budget returns", async () => {
    const codes: number[] = [];
    const limits: string[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0" });
      codes.push(r.body.retCode);
      limits.push(r.headers.get("x-bapi-limit-status")!);
    }
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10006]);
    assert.deepEqual(limits, ["9", "8", "7", "6", "5", "4", "3", "2", "1", "0", "0"]);
    clock.advance(1001);
    assert.equal((await create({ side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0" })).body.retCode, 0);
    await post("/v5/order/cancel-all", { category: "linear", symbol: "BTCUSDT" });
  });

  it("sets leverage (110043 when unchanged), which moves the position margin", async () => {
    assert.equal((await post("/v5/position/set-leverage", { category: "linear", symbol: "BTCUSDT", buyLeverage: "10", sellLeverage: "10" })).body.retCode, 110043);
    assert.equal((await post("/v5/position/set-leverage", { category: "linear", symbol: "BTCUSDT", buyLeverage: "5", sellLeverage: "5" })).body.retCode, 0);
    assert.equal((await position()).leverage, "5");
    assert.equal((await post("/v5/position/set-leverage", { category: "linear", symbol: "BTCUSDT", buyLeverage: "5", sellLeverage: "6" })).body.retCode, 10001);
  });
});
