/**
 * The Binance USD-M samples in ../shared/fixtures/venue-samples/binance_* against what the
 * simulator sends: same keys at every level, same value types. Fields the samples show only for
 * order kinds the simulator does not make (trailing stops: activatePrice, priceRate, AP, cr) may
 * be absent; every such exemption is named here.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SimClock } from "../../../src/core/clock.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { assertSameShape } from "../shared/shape.ts";
import { advanceUntil, call, control, Probe, signed } from "./helpers.ts";

const SAMPLES = "/work/shared/fixtures/venue-samples";
const sample = (name: string): any => JSON.parse(readFileSync(join(SAMPLES, `binance_${name}.json`), "utf8"));
const TRAILING_ONLY = ["activatePrice", "priceRate"];

describe("Binance simulator payloads have the shapes of the official samples", () => {
  let clock: SimClock;
  let sim: BinanceSimulator;
  let user: Probe;
  let market: Probe;
  before(async () => {
    clock = new SimClock(Date.now());
    sim = await startBinanceSimulator({ seed: 21, clock });
    clock.advance(50);
    const key = (await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": sim.apiKey })).body.listenKey;
    user = new Probe(`${sim.wsUrl}/ws/${key}`);
    market = new Probe(`${sim.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@depth5/btcusdt@aggTrade/btcusdt@markPrice@1s/btcusdt@bookTicker`);
    await Promise.all([user.open(), market.open()]);
  });
  after(async () => {
    user.close();
    market.close();
    await sim.close();
  });

  it("REST: order new / query / open / cancel, user trades, positionRisk v2 and v3, account v2 and v3, depth, listen key", async () => {
    const now = clock.now();
    const bid = Number((await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5")).body.bids[0][0]);
    const placed = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: "0.01", price: (bid - 50).toFixed(1) }, now);
    assertSameShape(placed.body, sample("rest_order_new_response"), { missingOk: { "": TRAILING_ONLY } });
    const query = await signed(sim, "GET", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: placed.body.orderId }, now);
    assertSameShape(query.body, sample("rest_order_query"), { missingOk: { "": TRAILING_ONLY } });
    const open = await signed(sim, "GET", "/fapi/v1/openOrders", { symbol: "BTCUSDT" }, now);
    assertSameShape(open.body, sample("rest_open_orders"), { missingOk: { "[]": TRAILING_ONLY } });
    const cancel = await signed(sim, "DELETE", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: placed.body.orderId }, now);
    assertSameShape(cancel.body, sample("rest_order_cancel"), { missingOk: { "": TRAILING_ONLY } });
    assert.deepEqual((await signed(sim, "DELETE", "/fapi/v1/allOpenOrders", { symbol: "BTCUSDT" }, now)).body, sample("rest_all_open_orders_cancel"));
    await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" }, now);
    assertSameShape((await signed(sim, "GET", "/fapi/v1/userTrades", { symbol: "BTCUSDT" }, now)).body, sample("rest_user_trades"));
    assertSameShape((await signed(sim, "GET", "/fapi/v2/positionRisk", { symbol: "BTCUSDT" }, now)).body, sample("rest_position_risk_v2_oneway"));
    assertSameShape((await signed(sim, "GET", "/fapi/v3/positionRisk", {}, now)).body, sample("rest_position_risk_v3_oneway"));
    // The samples are multi-asset examples: our single USDT asset has the same row shape.
    assertSameShape((await signed(sim, "GET", "/fapi/v2/account", {}, now)).body, sample("rest_account_v2_single_asset"));
    assertSameShape((await signed(sim, "GET", "/fapi/v3/account", {}, now)).body, sample("rest_account_v3_single_asset"));
    assertSameShape((await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5")).body, sample("rest_depth"));
    assertSameShape((await call(sim, "POST", "/fapi/v1/listenKey", { "X-MBX-APIKEY": sim.apiKey })).body, sample("rest_listen_key"));
  });

  it("REST errors: the envelope and the live messages", async () => {
    const now = clock.now();
    const gone = await signed(sim, "GET", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: 1 }, now);
    assert.deepEqual(gone.body, sample("rest_error_2013_query_unknown"));
    assert.deepEqual((await signed(sim, "DELETE", "/fapi/v1/order", { symbol: "BTCUSDT", orderId: 1 }, now)).body, sample("rest_error_2011_cancel_unknown"));
    assert.deepEqual((await call(sim, "GET", "/fapi/v1/depth?symbol=NOPE")).body, sample("rest_error_1121_invalid_symbol"));
    assert.deepEqual((await signed(sim, "GET", "/fapi/v2/balance", {}, now, { timestamp: now - 60_000 })).body, sample("rest_error_1021_timestamp"));
    const ask = Number((await call(sim, "GET", "/fapi/v1/depth?symbol=BTCUSDT&limit=5")).body.asks[0][0]);
    const gtx = await signed(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTX", quantity: "0.01", price: (ask + 5).toFixed(1) }, now);
    assert.deepEqual(gtx.body, sample("rest_error_5022_gtx_reject"));
  });

  it("user stream: ORDER_TRADE_UPDATE, ACCOUNT_UPDATE; listenKeyExpired", async () => {
    clock.advance(1);
    const order = await user.next((m) => m.e === "ORDER_TRADE_UPDATE" && m.o.x === "TRADE");
    assertSameShape(order, sample("ws_order_trade_update"), { missingOk: { o: ["AP", "cr"] } });
    const account = await user.next((m) => m.e === "ACCOUNT_UPDATE" && m.a.P.length > 0);
    assertSameShape(account, sample("ws_account_update"));
    await control(sim, "POST", "/__sim/faults", { expireListenKeys: true });
    assertSameShape(await user.next((m) => m.e === "listenKeyExpired"), sample("ws_listen_key_expired"));
  });

  it("market streams: depthUpdate (diff and partial), aggTrade, markPriceUpdate, bookTicker, subscribe ack", async () => {
    const data = (stream: string): any[] => market.messages.filter((m) => m.stream === stream).map((m) => m.data);
    await advanceUntil(clock, () => ["btcusdt@depth@100ms", "btcusdt@depth5", "btcusdt@aggTrade", "btcusdt@markPrice@1s", "btcusdt@bookTicker"].every((s) => data(s).length > 0));
    assertSameShape(data("btcusdt@depth@100ms")[0], sample("ws_depth_update"));
    assertSameShape(data("btcusdt@depth5")[0], sample("ws_partial_depth"));
    assertSameShape(data("btcusdt@aggTrade")[0], sample("ws_agg_trade"));
    assertSameShape(data("btcusdt@markPrice@1s")[0], sample("ws_mark_price"));
    assertSameShape(data("btcusdt@bookTicker")[0], sample("ws_book_ticker"));
    market.send(sample("ws_subscribe_request"));
    const request = sample("ws_subscribe_request");
    assert.deepEqual(await market.next((m) => m.id === request.id), sample("ws_subscribe_response"));
  });
});
