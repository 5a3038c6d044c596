/**
 * Every Bybit sample in ../shared/fixtures/venue-samples/bybit_* against the simulator's
 * corresponding answer: the same keys and value types. Samples of categories the simulator does
 * not run (spot, option, dated futures) say so in the test name and test that the simulator
 * refuses them clearly; the inverse samples are compared with the linear answer, which has the
 * same field set.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { publicGet, signed, WsProbe, wsAuthArgs } from "./helpers.ts";
import { assertSameShape } from "../shared/shape.ts";

const SAMPLES = "/work/shared/fixtures/venue-samples";
const sample = (name: string): any => JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), "utf8"));
const covered = new Set<string>();
/** Registers the fixture as covered and names the test after it. */
const fixture = (name: string, note = ""): string => (covered.add(name), note === "" ? name : `${name}: ${note}`);
const ORDER_RECORDS = { records: ["result.list[].cumFeeDetail"] };

describe("Bybit samples vs simulator answers", () => {
  let sim: BybitSimulator;
  let pub: WsProbe;
  let priv: WsProbe;
  let trade: WsProbe;
  let fill: { orderId: string };

  before(async () => {
    sim = await startBybitSimulator({ seed: 21, apiKey: "fx-key", apiSecret: "fx-secret" });
    pub = await WsProbe.open(sim.wsPublicUrl);
    priv = await WsProbe.open(sim.wsPrivateUrl);
    trade = await WsProbe.open(sim.wsTradeUrl);
    await priv.request({ op: "auth", args: wsAuthArgs("fx-key", "fx-secret") }, (m) => m.op === "auth");
    await priv.request({ op: "subscribe", args: ["order", "execution", "position", "wallet"] }, (m) => m.op === "subscribe");
    await pub.request({ op: "subscribe", args: ["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT", "tickers.BTCUSDT"] }, (m) => m.op === "subscribe");
    const created = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.010" });
    assert.equal(created.body.retCode, 0);
    fill = { orderId: created.body.result.orderId };
  });
  after(async () => {
    pub?.close();
    priv?.close();
    trade?.close();
    await sim?.close();
  });

  // ---------------------------------------------------------------- REST

  it(fixture("bybit_rest_envelope_ok"), async () => {
    const r = await publicGet(sim, "/v5/market/time");
    assertSameShape({ ...r.body, result: {} }, sample("bybit_rest_envelope_ok"));
    assert.equal(r.body.retMsg, "OK");
  });

  it(fixture("bybit_rest_time"), async () => {
    const r = await publicGet(sim, "/v5/market/time");
    assertSameShape(r.body, sample("bybit_rest_time"));
    assert.equal(r.body.result.timeSecond, String(Math.floor(r.body.result.timeNano / 1e9)));
  });

  it(fixture("bybit_rest_error_10002_observed"), async () => {
    const r = await signed(sim, "GET", "/v5/account/wallet-balance", { accountType: "UNIFIED" }, { timestamp: Date.now() - 60_000 });
    assertSameShape(r.body, sample("bybit_rest_error_10002_observed"));
    assert.equal(r.body.retCode, 10002);
    assert.match(r.body.retMsg, /^invalid request, please check your server timestamp or recv_window param\. req_timestamp\[\d+\],server_timestamp\[\d+\],recv_window\[5000\]$/);
  });

  it(fixture("bybit_rest_error_10004_observed"), async () => {
    const r = await signed(sim, "GET", "/v5/account/wallet-balance", { accountType: "UNIFIED" }, { apiSecret: "wrong" });
    assertSameShape(r.body, sample("bybit_rest_error_10004_observed"));
    assert.equal(r.body.retCode, 10004);
    assert.match(r.body.retMsg, /origin_string\[\*\*\*accountType=UNIFIED\]/);
  });

  it(fixture("bybit_rest_error_110017_observed"), async () => {
    const r = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.10", reduceOnly: true });
    assertSameShape(r.body, sample("bybit_rest_error_110017_observed"));
    assert.deepEqual([r.body.retCode, r.body.retMsg], [110017, "Reduce-only rule not satisfied"]);
  });

  it(fixture("bybit_rest_execution_list"), async () => {
    const r = await signed(sim, "GET", "/v5/execution/list", { category: "linear", orderId: fill.orderId });
    assert.ok(r.body.result.list.length >= 1);
    assertSameShape(r.body, sample("bybit_rest_execution_list"));
  });

  it(fixture("bybit_rest_instruments_info_linear"), async () => {
    const r = await publicGet(sim, "/v5/market/instruments-info?category=linear");
    assertSameShape(r.body, sample("bybit_rest_instruments_info_linear"));
  });

  it(fixture("bybit_rest_instruments_info_linear_prelisting", "no pre-launch symbols are simulated: the PreLaunch query answers an empty list, and a listed item matches the sample except symbolId (absent from the sample) and preListingInfo (null when not pre-listing)"), async () => {
    const pre = await publicGet(sim, "/v5/market/instruments-info?category=linear&status=PreLaunch");
    assert.deepEqual(pre.body.result.list, []);
    assertSameShape(pre.body, sample("bybit_rest_instruments_info_linear_prelisting"));
    const listed = await publicGet(sim, "/v5/market/instruments-info?category=linear&symbol=ETHUSDT");
    const item = { ...listed.body.result.list[0] };
    delete item.symbolId;
    assertSameShape(item, sample("bybit_rest_instruments_info_linear_prelisting").result.list[0], { anyType: ["preListingInfo"] });
    assert.equal(item.preListingInfo, null);
  });

  it(fixture("bybit_rest_order_create"), async () => {
    const r = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "40000.0", orderLinkId: "fx-create" });
    assertSameShape(r.body, sample("bybit_rest_order_create"));
    assert.equal(r.body.result.orderLinkId, "fx-create");
  });

  it(fixture("bybit_rest_order_realtime"), async () => {
    const r = await signed(sim, "GET", "/v5/order/realtime", { category: "linear", symbol: "BTCUSDT" });
    assert.ok(r.body.result.list.some((o: any) => o.orderLinkId === "fx-create"));
    assertSameShape(r.body, sample("bybit_rest_order_realtime"), ORDER_RECORDS);
  });

  it(fixture("bybit_rest_order_cancel"), async () => {
    const r = await signed(sim, "POST", "/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderLinkId: "fx-create" });
    assertSameShape(r.body, sample("bybit_rest_order_cancel"));
  });

  it(fixture("bybit_rest_order_cancel_all"), async () => {
    for (const id of ["fx-all-1", "fx-all-2"]) {
      await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "40000.0", orderLinkId: id });
    }
    const r = await signed(sim, "POST", "/v5/order/cancel-all", { category: "linear", symbol: "BTCUSDT" });
    assertSameShape(r.body, sample("bybit_rest_order_cancel_all"));
    assert.deepEqual(r.body.result.list.map((o: any) => o.orderLinkId).sort(), ["fx-all-1", "fx-all-2"]);
  });

  it(fixture("bybit_rest_order_history_postonly_cancelled"), async () => {
    const book = await publicGet(sim, "/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=1");
    const crossing = (Number(book.body.result.a[0][0]) + 20).toFixed(1);
    const created = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.003", price: crossing, timeInForce: "PostOnly", orderLinkId: "fx-po" });
    assert.equal(created.body.retCode, 0);
    const r = await signed(sim, "GET", "/v5/order/history", { category: "linear", orderLinkId: "fx-po" });
    assertSameShape(r.body, sample("bybit_rest_order_history_postonly_cancelled"), ORDER_RECORDS);
    const o = r.body.result.list[0];
    const s = sample("bybit_rest_order_history_postonly_cancelled").result.list[0];
    for (const k of ["orderStatus", "cancelType", "rejectReason", "timeInForce", "cumExecQty", "leavesQty", "avgPrice", "cumExecValue"]) assert.equal(o[k], s[k], k);
  });

  it(fixture("bybit_rest_orderbook"), async () => {
    const r = await publicGet(sim, "/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=5");
    assertSameShape(r.body, sample("bybit_rest_orderbook"));
    assert.equal(r.body.result.b.length, 5);
  });

  it(fixture("bybit_rest_position_list_inverse", "the linear answer has the inverse sample's fields (the docs give only an inverse sample)"), async () => {
    const r = await signed(sim, "GET", "/v5/position/list", { category: "linear", symbol: "BTCUSDT" });
    assertSameShape(r.body, sample("bybit_rest_position_list_inverse"));
    assert.equal(r.body.result.list[0].size, "0.010");
  });

  it(fixture("bybit_rest_tickers_inverse", "the linear answer has the inverse sample's fields"), async () => {
    const r = await publicGet(sim, "/v5/market/tickers?category=linear&symbol=BTCUSDT");
    assertSameShape(r.body, sample("bybit_rest_tickers_inverse"));
  });

  it(fixture("bybit_rest_tickers_spot", "spot is not simulated: category=spot answers an empty list in the same envelope"), async () => {
    const r = await publicGet(sim, "/v5/market/tickers?category=spot");
    assert.deepEqual(r.body.result, { category: "spot", list: [] });
    assertSameShape(r.body, sample("bybit_rest_tickers_spot"));
  });

  it(fixture("bybit_rest_wallet_balance"), async () => {
    const r = await signed(sim, "GET", "/v5/account/wallet-balance", { accountType: "UNIFIED" });
    assertSameShape(r.body, sample("bybit_rest_wallet_balance"));
  });

  // ---------------------------------------------------------------- public stream

  it(fixture("bybit_ws_subscribe_request"), async () => {
    const probe = await WsProbe.open(sim.wsPublicUrl);
    try {
      const ack = await probe.request(sample("bybit_ws_subscribe_request"), (m) => m.op === "subscribe");
      assert.equal(ack.success, true);
      assert.equal(ack.req_id, "test");
      await probe.next((m) => m.topic === "orderbook.1.ETHUSDT" && m.type === "snapshot");
    } finally {
      probe.close();
    }
  });

  it(fixture("bybit_ws_subscribe_response_linear"), async () => {
    const probe = await WsProbe.open(sim.wsPublicUrl);
    try {
      const ack = await probe.request({ op: "subscribe", args: ["tickers.ETHUSDT"] }, (m) => m.op === "subscribe");
      assertSameShape(ack, sample("bybit_ws_subscribe_response_linear"));
      assert.equal(ack.req_id, "");
    } finally {
      probe.close();
    }
  });

  it(fixture("bybit_ws_subscribe_error_observed"), async () => {
    const ack = await pub.request({ req_id: "dcp.future", op: "subscribe", args: ["dcp.future"] }, (m) => m.op === "subscribe" && m.req_id === "dcp.future");
    assertSameShape(ack, sample("bybit_ws_subscribe_error_observed"));
    assert.equal(ack.ret_msg, sample("bybit_ws_subscribe_error_observed").ret_msg);
  });

  it(fixture("bybit_ws_unsubscribe_request", "sent as is (a topic never subscribed): the linear ack"), async () => {
    const ack = await pub.request(sample("bybit_ws_unsubscribe_request"), (m) => m.op === "unsubscribe");
    assertSameShape(ack, sample("bybit_ws_subscribe_response_linear"));
    assert.equal(ack.req_id, "customised_id");
  });

  it(fixture("bybit_ws_pong_public_linear"), async () => {
    const pong = await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    assertSameShape(pong, sample("bybit_ws_pong_public_linear"));
  });

  for (const [name, path] of [
    ["bybit_ws_pong_public_spot", "/v5/public/spot"],
    ["bybit_ws_subscribe_response_spot", "/v5/public/spot"],
    ["bybit_ws_pong_public_option", "/v5/public/option"],
    ["bybit_ws_subscribe_response_option", "/v5/public/option"],
  ] as const) {
    it(fixture(name, `${path} is not simulated (linear only): the upgrade is refused with 404`), async () => {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${sim.url.replace("http", "ws")}${path}`);
        ws.on("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
        ws.on("open", () => (resolve(101), ws.terminate()));
        ws.on("error", () => {});
      });
      assert.equal(status, 404);
    });
  }

  it(fixture("bybit_ws_orderbook_snapshot"), async () => {
    const m = await pub.next((x) => x.topic === "orderbook.50.BTCUSDT" && x.type === "snapshot");
    assertSameShape(m, sample("bybit_ws_orderbook_snapshot"));
    assert.equal(m.data.b.length, 50);
  });

  it(fixture("bybit_ws_orderbook_delta"), async () => {
    const m = await pub.next((x) => x.topic === "orderbook.50.BTCUSDT" && x.type === "delta");
    assertSameShape(m, sample("bybit_ws_orderbook_delta"));
  });

  it(fixture("bybit_ws_public_trade"), async () => {
    const m = await pub.next((x) => x.topic === "publicTrade.BTCUSDT");
    assertSameShape(m, sample("bybit_ws_public_trade"));
  });

  it(fixture("bybit_ws_ticker_snapshot_linear"), async () => {
    const m = await pub.next((x) => x.topic === "tickers.BTCUSDT" && x.type === "snapshot");
    assertSameShape(m, sample("bybit_ws_ticker_snapshot_linear"));
  });

  it(fixture("bybit_ws_ticker_delta_observed", "a delta carries the symbol and only fields of the snapshot"), async () => {
    const snapshot = await pub.next((x) => x.topic === "tickers.BTCUSDT" && x.type === "snapshot");
    const m = await pub.next((x) => x.topic === "tickers.BTCUSDT" && x.type === "delta");
    const s = sample("bybit_ws_ticker_delta_observed");
    assertSameShape({ ...m, data: {} }, { ...s, data: {} });
    assert.equal(m.data.symbol, "BTCUSDT");
    for (const [k, v] of Object.entries(m.data)) assert.equal(typeof v, typeof snapshot.data[k], k);
    assert.ok(Object.keys(m.data).length < Object.keys(snapshot.data).length);
  });

  it(fixture("bybit_ws_ticker_snapshot_linear_futures", "dated futures are not simulated: subscribing is refused with Invalid symbol"), async () => {
    const ack = await pub.request({ op: "subscribe", args: [sample("bybit_ws_ticker_snapshot_linear_futures").topic] }, (m) => m.op === "subscribe" && m.success === false);
    assert.match(ack.ret_msg, /Invalid symbol/);
  });

  // ---------------------------------------------------------------- private stream

  it(fixture("bybit_ws_auth_request") + " / " + fixture("bybit_ws_auth_response"), async () => {
    const probe = await WsProbe.open(sim.wsPrivateUrl);
    try {
      const shape = sample("bybit_ws_auth_request");
      const [key, expires, sign] = wsAuthArgs("fx-key", "fx-secret");
      const withReqId = await probe.request({ ...shape, args: [key, expires, sign] }, (m) => m.op === "auth");
      assert.equal(withReqId.success, true);
      assert.equal(withReqId.req_id, "10001");
      const probe2 = await WsProbe.open(sim.wsPrivateUrl);
      try {
        const ack = await probe2.request({ op: "auth", args: wsAuthArgs("fx-key", "fx-secret") }, (m) => m.op === "auth");
        assertSameShape(ack, sample("bybit_ws_auth_response"));
      } finally {
        probe2.close();
      }
    } finally {
      probe.close();
    }
  });

  it(fixture("bybit_ws_auth_error_observed"), async () => {
    const probe = await WsProbe.open(sim.wsPrivateUrl);
    try {
      const [key, expires] = wsAuthArgs("fx-key", "fx-secret");
      const ack = await probe.request({ op: "auth", args: [key, expires, "0".repeat(64)] }, (m) => m.success === false);
      assertSameShape(ack, sample("bybit_ws_auth_error_observed"));
      assert.equal(ack.request.op, "auth");
    } finally {
      probe.close();
    }
  });

  it(fixture("bybit_ws_order_subscribe_request") + " / " + fixture("bybit_ws_subscribe_response_private"), async () => {
    const probe = await WsProbe.open(sim.wsPrivateUrl);
    try {
      await probe.request({ op: "auth", args: wsAuthArgs("fx-key", "fx-secret") }, (m) => m.op === "auth");
      const ack = await probe.request(sample("bybit_ws_order_subscribe_request"), (m) => m.op === "subscribe");
      assertSameShape(ack, sample("bybit_ws_subscribe_response_private"));
      assert.equal(ack.success, true);
    } finally {
      probe.close();
    }
  });

  it(fixture("bybit_ws_pong_private"), async () => {
    const pong = await priv.request({ req_id: "test", op: "ping" }, (m) => m.op === "pong");
    assertSameShape(pong, sample("bybit_ws_pong_private"));
  });

  it(fixture("bybit_ws_order", "the sample is an option order; the linear message has the same fields"), async () => {
    const m = await priv.next((x) => x.topic === "order" && x.data[0].orderId === fill.orderId && x.data[0].orderStatus === "Filled");
    assertSameShape(m, sample("bybit_ws_order"), { records: ["data[].cumFeeDetail"] });
    assert.equal(m.data[0].category, "linear");
  });

  it(fixture("bybit_ws_execution", "extraFees is an empty list (no tax fees are simulated)"), async () => {
    const m = await priv.next((x) => x.topic === "execution" && x.data[0].orderId === fill.orderId);
    assertSameShape(m, sample("bybit_ws_execution"));
    assert.deepEqual(m.data[0].extraFees, []);
  });

  it(fixture("bybit_ws_position"), async () => {
    const m = await priv.next((x) => x.topic === "position" && x.data[0].size === "0.010");
    assertSameShape(m, sample("bybit_ws_position"));
  });

  it(fixture("bybit_ws_wallet"), async () => {
    const m = await priv.next((x) => x.topic === "wallet");
    assertSameShape(m, sample("bybit_ws_wallet"));
    assert.equal(m.data[0].coin[0].coin, "USDT");
  });

  // ---------------------------------------------------------------- order entry stream

  it(fixture("bybit_wstrade_pong"), async () => {
    const pong = await trade.request({ op: "ping" }, (m) => m.op === "pong");
    assertSameShape(pong, sample("bybit_wstrade_pong"));
  });

  it(fixture("bybit_wstrade_auth_request") + " / " + fixture("bybit_wstrade_auth_response"), async () => {
    const ack = await trade.request({ ...sample("bybit_wstrade_auth_request"), args: wsAuthArgs("fx-key", "fx-secret") }, (m) => m.op === "auth");
    assertSameShape(ack, sample("bybit_wstrade_auth_response"));
    assert.equal(ack.retCode, 0);
  });

  it(fixture("bybit_wstrade_order_create_request") + " / " + fixture("bybit_wstrade_order_create_response"), async () => {
    const request = sample("bybit_wstrade_order_create_request");
    request.header["X-BAPI-TIMESTAMP"] = String(Date.now());
    const answer = await trade.request(request, (m) => m.op === "order.create" && m.reqId === "test-005");
    assert.equal(answer.retCode, 0, answer.retMsg);
    assertSameShape(answer, sample("bybit_wstrade_order_create_response"));
  });

  it(fixture("bybit_wstrade_order_create_error_observed", "a refusal (here 110007, the order needs more margin than is available)"), async () => {
    const answer = await trade.request(
      { reqId: "1", header: { "X-BAPI-TIMESTAMP": String(Date.now()) }, op: "order.create", args: [{ category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "100", price: "50000.0" }] },
      (m) => m.reqId === "1",
    );
    assertSameShape(answer, sample("bybit_wstrade_order_create_error_observed"));
    assert.equal(answer.retCode, 110007);
  });

  it("covers every bybit_* sample", () => {
    const all = readdirSync(SAMPLES).filter((f) => f.startsWith("bybit_") && f.endsWith(".json")).map((f) => f.slice(0, -5));
    assert.deepEqual(all.filter((f) => !covered.has(f)), []);
  });
});
