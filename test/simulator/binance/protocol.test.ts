import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { type Dec, add, dec, format, mul, roundToStep, sub } from "../../../src/core/decimal.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { checkSigned } from "../../../src/simulator/binance/signing.ts";
import { advanceUntil, call, control, Probe, signed } from "./helpers.ts";

describe("Binance signing: the documented HMAC-SHA256 over query + body", () => {
  const apiKey = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
  const apiSecret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
  const text = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
  const lookup = (k: string) => (k === apiKey ? { apiKey, apiSecret, accountId: "a" } : undefined);
  const params = new Map(new URLSearchParams(text));

  it("accepts the official vector in the query and in the body, and the mixed form without a separator", () => {
    const sig = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9";
    assert.equal(checkSigned({ apiKey, query: `${text}&signature=${sig}`, body: "", params }, lookup, 1591702613943).ok, true);
    assert.equal(checkSigned({ apiKey, query: "", body: `${text}&signature=${sig.toUpperCase()}`, params }, lookup, 1591702613943).ok, true);
    const query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC";
    const body = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943";
    const mixed = "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4";
    assert.equal(checkSigned({ apiKey, query, body: `${body}&signature=${mixed}`, params }, lookup, 1591702613943).ok, true);
  });

  it("refuses a signature that is not the last parameter", () => {
    const sig = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9";
    const r = checkSigned({ apiKey, query: `signature=${sig}&${text}`, body: "", params }, lookup, 1591702613943);
    assert.equal(r.ok, false);
  });
});

describe("Binance simulator REST protocol (SimClock)", () => {
  let clock: SimClock;
  let sim: BinanceSimulator;
  beforeEach(async () => {
    clock = new SimClock(Date.now());
    sim = await startBinanceSimulator({ seed: 7, clock, apiKey: "key-1", apiSecret: "secret-1" });
    clock.advance(50);
  });
  afterEach(async () => {
    await sim.close();
  });

  it("answers auth failures with Binance's codes and weight headers on every answer", async () => {
    const now = clock.now();
    const ok = await signed(sim, "GET", "/fapi/v2/balance", {}, now);
    assert.equal(ok.status, 200);
    assert.equal(ok.body[0].asset, "USDT");
    assert.match(ok.headers.get("x-mbx-used-weight-1m") ?? "", /^\d+$/);
    assert.match(ok.headers.get("x-mbx-order-count-1m") ?? "", /^\d+$/);
    const cases: [Promise<{ status: number; body: any; headers: Headers }>, number, number][] = [
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { apiKey: "nobody" }), 401, -2015],
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { apiKey: "bad key!" }), 401, -2014],
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { tamper: true }), 400, -1022],
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { timestamp: now - 6000 }), 400, -1021],
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { timestamp: now + 1000 }), 400, -1021],
      [signed(sim, "GET", "/fapi/v2/balance", {}, now, { timestamp: now - 6000, recvWindow: 10000 }), 200, 0],
    ];
    for (const [pending, status, code] of cases) {
      const r = await pending;
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (code !== 0) assert.equal(r.body.code, code);
      assert.ok(r.headers.get("x-mbx-used-weight-1m") !== null);
    }
    const missing = await call(sim, "GET", `/fapi/v2/balance?timestamp=${now}`, { "X-MBX-APIKEY": "key-1" });
    assert.equal(missing.body.code, -1102);
    const before = Number((await call(sim, "GET", "/fapi/v1/ping")).headers.get("x-mbx-used-weight-1m"));
    const deep = await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=1000");
    assert.equal(Number(deep.headers.get("x-mbx-used-weight-1m")), before + 20, "depth limit=1000 weighs 20");
  });

  it("order entry: filters, duplicates among open orders, GTX, unknown orders, reduce-only, margin", async () => {
    const now = clock.now();
    const book = (await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5")).body;
    const bid = Number(book.bids[0][0]);
    const ask = Number(book.asks[0][0]);
    const limit = (extra: Record<string, string | number>) =>
      signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.01", price: (bid - 100).toFixed(1), ...extra }, now, { inBody: true });
    assert.equal((await limit({ quantity: "0.0015" })).body.code, -1111);
    assert.equal((await limit({ quantity: "200" })).body.code, -1013);
    assert.equal((await limit({ price: (bid - 100).toFixed(2).replace(/0$/, "5") })).body.code, -1111);
    assert.equal((await limit({ side: "SIDEWAYS" })).body.code, -1102);
    assert.equal((await limit({ type: "TRAILING_STOP_MARKET" })).body.code, -1102);
    assert.equal((await limit({ type: "NOPE" })).body.code, -1116);
    const first = await limit({ newClientOrderId: "cid-1" });
    assert.equal(first.status, 200);
    assert.equal(first.body.status, "NEW");
    assert.equal(first.body.clientOrderId, "cid-1");
    assert.ok(first.headers.get("x-mbx-order-count-1m") !== "0");
    const dup = await limit({ newClientOrderId: "cid-1" });
    assert.deepEqual(dup.body, { code: -4116, msg: "ClientOrderId is duplicated." });
    await signed(sim, "DELETE", "/fapi/v1/order", { symbol: "BTCUSDT", origClientOrderId: "cid-1" }, now);
    assert.equal((await limit({ newClientOrderId: "cid-1" })).status, 200, "a client id is free again once its order is closed");
    const gtx = await limit({ timeInForce: "GTX", price: (ask + 10).toFixed(1), newClientOrderId: "gtx-1" });
    assert.equal(gtx.body.code, -5022);
    assert.equal((await signed(sim, "GET", "/fapi/v1/order", { symbol: "BTCUSDT", origClientOrderId: "gtx-1" }, now)).body.code, -2013);
    assert.equal((await signed(sim, "DELETE", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: 1 }, now)).body.code, -2011);
    const fok = await limit({ timeInForce: "FOK", price: (bid - 100).toFixed(1), newClientOrderId: "fok-1" });
    assert.equal(fok.body.code, -5021);
    const ro = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "0.01", reduceOnly: "true" }, now);
    assert.equal(ro.body.code, -2022);
    const big = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "90" }, now);
    assert.equal(big.body.code, -2019);
    const state = await control(sim, "GET", "/__sim/state");
    assert.deepEqual(state.orders.map((o: any) => [o.clientOrderId, o.status]), [["cid-1", "CANCELED"], ["cid-1", "NEW"]]);
  });

  it("PERCENT_PRICE: a limit buy above mark × 1.05 is refused with -4016, a sell below mark × 0.95 with -4024; at the edges they go", async () => {
    const now = clock.now();
    const info = (await call(sim, "GET", "/fapi/v1/exchangeInfo")).body.symbols.find((x: any) => x.symbol === "BTCUSDT");
    assert.deepEqual(info.filters.find((f: any) => f.filterType === "PERCENT_PRICE"), { filterType: "PERCENT_PRICE", multiplierUp: "1.0500", multiplierDown: "0.9500", multiplierDecimal: "4" });
    const premium = (await call(sim, "GET", "/fapi/v1/premiumIndex?symbol=BTCUSDT")).body;
    const mark = dec(premium.markPrice);
    const tick = dec("0.1");
    const highest = roundToStep(mul(mark, dec("1.05")), tick, "floor");
    const lowest = roundToStep(mul(mark, dec("0.95")), tick, "ceil");
    const order = (side: string, price: Dec) =>
      signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side, type: "LIMIT", timeInForce: "IOC", quantity: "0.01", price: format(price) }, now, { inBody: true });
    assert.deepEqual((await order("BUY", add(highest, tick))).body, { code: -4016, msg: `Limit price can't be higher than ${Number(format(highest)).toFixed(1)}.` });
    assert.deepEqual((await order("SELL", sub(lowest, tick))).body, { code: -4024, msg: `Limit price can't be lower than ${Number(format(lowest)).toFixed(1)}.` });
    assert.equal((await order("BUY", highest)).status, 200);
    assert.equal((await order("SELL", lowest)).status, 200);
    // A reduce-only close is held to the band too: the kill switch's price must stay inside it.
    const close = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "SELL", type: "LIMIT", timeInForce: "IOC", quantity: "0.01", price: format(sub(lowest, tick)), reduceOnly: "true" }, now, { inBody: true });
    assert.equal(close.body.code, -4024);
  });

  it("a STOP_MARKET closePosition rests until the mark price crosses it, then closes the position", async () => {
    const now = clock.now();
    const buy = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.02", newOrderRespType: "RESULT" }, now);
    assert.equal(buy.body.status, "FILLED");
    const mark = Number((await call(sim, "GET", "/fapi/v1/premiumIndex?symbol=BTCUSDT")).body.markPrice);
    const stopPrice = (Math.floor(mark) - 500).toFixed(1);
    assert.equal((await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "SELL", type: "STOP_MARKET", stopPrice: (mark + 500).toFixed(1), closePosition: "true" }, now)).body.code, -2021);
    const stop = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "SELL", type: "STOP_MARKET", stopPrice, closePosition: "true", newClientOrderId: "sl-1" }, now);
    assert.equal(stop.body.status, "NEW");
    assert.equal(stop.body.type, "STOP_MARKET");
    const open = await signed(sim, "GET", "/fapi/v1/openOrders", { symbol: "BTCUSDT" }, now);
    assert.deepEqual(open.body.map((o: any) => o.clientOrderId), ["sl-1"]);
    await control(sim, "POST", "/__sim/price", { symbol: "BTCUSDT", price: String(Math.floor(mark) - 1000) });
    clock.advance(20);
    const after = await signed(sim, "GET", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: stop.body.orderId }, clock.now());
    assert.equal(after.body.status, "FILLED");
    assert.equal(after.body.origType, "STOP_MARKET");
    const pos = await signed(sim, "GET", "/fapi/v2/positionRisk", { symbol: "BTCUSDT" }, clock.now());
    assert.equal(pos.body[0].positionAmt, "0.000");
  });

  it("funding settlement: FUNDING_FEE income, the wallet moves, ACCOUNT_UPDATE on the user stream", async () => {
    const now = clock.now();
    await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.1" }, now);
    const key = (await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" })).body.listenKey;
    const user = new Probe(`${sim.wsUrl}/ws/${key}`);
    await user.open();
    const before = (await control(sim, "GET", "/__sim/state")).wallet.walletBalance;
    const settled = await control(sim, "POST", "/__sim/funding", { symbol: "BTCUSDT", rate: "0.001" });
    assert.equal(settled.settled, 1);
    clock.advance(1);
    const update = await user.next((m) => m.e === "ACCOUNT_UPDATE" && m.a.m === "FUNDING_FEE");
    assert.deepEqual(update.a.P, []);
    const income = await signed(sim, "GET", "/fapi/v1/income", { incomeType: "FUNDING_FEE" }, clock.now());
    assert.equal(income.body.length, 1);
    assert.ok(Number(income.body[0].income) < 0, "a long pays a positive rate");
    const afterBalance = (await control(sim, "GET", "/__sim/state")).wallet.walletBalance;
    assert.equal(Number(afterBalance), Number(before) + Number(income.body[0].income));
    user.close();
  });

  it("listen key: keepalive extends it; 60 minutes without one sends listenKeyExpired, and PUT then answers -1125", async () => {
    const post = await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" });
    const key = post.body.listenKey;
    assert.match(key, /^[A-Za-z0-9]{64}$/);
    assert.equal((await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" })).body.listenKey, key, "one live key per account");
    const user = new Probe(`${sim.wsUrl}/private/ws?listenKey=${key}`);
    await user.open();
    clock.advance(59 * 60 * 1000);
    assert.equal((await call(sim, "PUT", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" })).body.listenKey, key);
    clock.advance(59 * 60 * 1000);
    assert.equal((await call(sim, "PUT", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" })).body.listenKey, key, "still live 118 minutes after creation");
    clock.advance(61 * 60 * 1000);
    const expired = await user.next((m) => m.e === "listenKeyExpired");
    assert.equal(expired.listenKey, key);
    assert.equal((await call(sim, "PUT", "/fapi/v1/listenKey", { "X-MBX-APIKEY": "key-1" })).body.code, -1125);
    user.close();
  });

  it("closes a connection when its lifetime limit (Binance: 24 h) passes on the simulator's clock", async () => {
    // 24 h of 10 ms market ticks is too slow to simulate in a test; the limit is an option with 24 h as its default.
    const short = await startBinanceSimulator({ seed: 8, clock, maxConnectionMs: 10_000 });
    try {
      const market = new Probe(`${short.wsUrl}/ws/btcusdt@bookTicker`);
      await market.open();
      clock.advance(10_001);
      assert.equal(await market.closed, 1000);
    } finally {
      await short.close();
    }
  });
});

describe("Binance simulator market streams (SimClock)", () => {
  let clock: SimClock;
  let sim: BinanceSimulator;
  before(async () => {
    clock = new SimClock(Date.now());
    sim = await startBinanceSimulator({ seed: 11, clock });
    clock.advance(50);
  });
  after(async () => {
    await sim.close();
  });

  it("@depth@100ms: a REST snapshot brackets an event, then every pu is the previous u; bookGaps breaks pu", async () => {
    const probe = new Probe(`${sim.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@aggTrade`);
    await probe.open();
    const snapshot = (await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=1000")).body;
    const depth = (): any[] => probe.messages.filter((m) => m.stream === "btcusdt@depth@100ms").map((m) => m.data);
    await advanceUntil(clock, () => depth().length >= 4);
    const events = depth();
    assert.ok(events[0].U <= snapshot.lastUpdateId + 1 && events[0].u >= snapshot.lastUpdateId);
    assert.equal(events[0].pu, snapshot.lastUpdateId);
    for (let k = 1; k < events.length; k++) assert.equal(events[k].pu, events[k - 1].u);
    await control(sim, "POST", "/__sim/faults", { bookGaps: 1 });
    const seen = depth().length;
    await advanceUntil(clock, () => depth().length > seen);
    const all = depth();
    assert.notEqual(all[seen].pu, all[seen - 1].u, "a lost diff shows as a pu break");
    await control(sim, "POST", "/__sim/faults", {});
    probe.close();
  });

  it("live SUBSCRIBE/UNSUBSCRIBE with acks; bookTicker, partial depth and markPrice shapes", async () => {
    const probe = new Probe(`${sim.wsUrl}/ws`);
    await probe.open();
    probe.send({ method: "SUBSCRIBE", params: ["btcusdt@bookTicker", "btcusdt@depth5@100ms", "btcusdt@markPrice@1s"], id: 7 });
    assert.deepEqual(await probe.next((m) => m.id === 7), { result: null, id: 7 });
    probe.send({ method: "SUBSCRIBE", params: ["nosuch@depth"], id: 8 });
    assert.equal((await probe.next((m) => m.id === 8)).code, 2);
    await advanceUntil(clock, () => ["bookTicker", "depthUpdate", "markPriceUpdate"].every((e) => probe.messages.some((m) => m.e === e)));
    const ticker = await probe.next((m) => m.e === "bookTicker");
    assert.deepEqual(Object.keys(ticker).sort(), ["A", "B", "E", "T", "a", "b", "e", "s", "u"]);
    const partial = await probe.next((m) => m.e === "depthUpdate");
    assert.equal(partial.b.length, 5);
    const mark = await probe.next((m) => m.e === "markPriceUpdate");
    assert.deepEqual(Object.keys(mark).sort(), ["E", "P", "T", "e", "i", "p", "r", "s"]);
    probe.send({ method: "LIST_SUBSCRIPTIONS", id: 9 });
    assert.equal((await probe.next((m) => m.id === 9)).result.length, 3);
    probe.close();
  });

  it("position mode: one-way by default; hedge mode settable by Binance's rules (not with a position or open orders), and one-way orders then refused", async () => {
    const now = clock.now();
    assert.deepEqual((await signed(sim, "GET", "/fapi/v1/positionSide/dual", {}, now)).body, { dualSidePosition: false });
    assert.equal((await signed(sim, "POST", "/fapi/v1/positionSide/dual", { dualSidePosition: "false" }, now)).body.code, -4059);
    assert.equal((await signed(sim, "POST", "/fapi/v1/positionSide/dual", { dualSidePosition: "maybe" }, now)).body.code, -1102);
    const book = (await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5")).body;
    const resting = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.01", price: (Number(book.bids[0][0]) - 200).toFixed(1) }, now);
    assert.equal(resting.status, 200, JSON.stringify(resting.body));
    assert.equal((await signed(sim, "POST", "/fapi/v1/positionSide/dual", { dualSidePosition: "true" }, now)).body.code, -4067, "not with an open order");
    await signed(sim, "DELETE", "/fapi/v1/allOpenOrders", { symbol: "BTCUSDT" }, now);
    const bought = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" }, now);
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.equal((await call(sim, "GET", "/fapi/v1/openInterest?symbol=BTCUSDT")).body.openInterest, "0.010");
    assert.equal((await signed(sim, "POST", "/fapi/v1/positionSide/dual", { dualSidePosition: "true" }, now)).body.code, -4068, "not with a position");
    await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "0.01", reduceOnly: "true" }, now);
    assert.deepEqual((await signed(sim, "POST", "/fapi/v1/positionSide/dual", { dualSidePosition: "true" }, now)).body, { code: 200, msg: "success" });
    assert.deepEqual((await signed(sim, "GET", "/fapi/v1/positionSide/dual", {}, now)).body, { dualSidePosition: true });
    const oneWay = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" }, now);
    assert.equal(oneWay.body.code, -4061);
    const hedged = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01", positionSide: "LONG" }, now);
    assert.equal(hedged.body.code, -4061);
    assert.match(hedged.body.msg, /not simulated/);
    assert.equal((await call(sim, "GET", "/fapi/v1/openInterest?symbol=ETHUSDT")).body.openInterest, "0.000");
    assert.equal((await call(sim, "GET", "/fapi/v1/openInterest")).body.code, -1102);
  });

  it("starts in hedge mode when asked (a client that requires one-way mode must see it)", async () => {
    const hedged = await startBinanceSimulator({ seed: 7, clock, apiKey: "key-1", apiSecret: "secret-1", hedgeMode: true });
    try {
      assert.deepEqual((await signed(hedged, "GET", "/fapi/v1/positionSide/dual", {}, clock.now())).body, { dualSidePosition: true });
      await control(hedged, "POST", "/__sim/reset", { seed: 8 });
      assert.deepEqual((await signed(hedged, "GET", "/fapi/v1/positionSide/dual", {}, clock.now())).body, { dualSidePosition: true }, "a reset keeps the setting it was started with");
    } finally {
      await hedged.close();
    }
  });

  it("reset closes every stream with 1012 and clears the account", async () => {
    const probe = new Probe(`${sim.wsUrl}/ws/btcusdt@aggTrade`);
    await probe.open();
    assert.deepEqual(await control(sim, "POST", "/__sim/reset", { seed: 12 }), { ok: true });
    assert.equal(await probe.closed, 1012);
    const state = await control(sim, "GET", "/__sim/state");
    assert.deepEqual(state.orders, []);
    assert.equal(state.wallet.walletBalance, "100000");
    assert.equal((await control(sim, "POST", "/__sim/faults", { nope: 1 })).ok, false);
  });
});
