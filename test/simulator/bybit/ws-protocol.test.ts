/**
 * The streams' control plane as Bybit runs it: subscribe/unsubscribe/ping on the public and
 * private paths, auth rules, topic forms, level-1 books, the order-entry stream, idle close.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { signed, WsProbe, wsAuthArgs } from "./helpers.ts";

describe("stream protocol", () => {
  let sim: BybitSimulator;
  const probes: WsProbe[] = [];
  const open = async (url: string): Promise<WsProbe> => {
    const p = await WsProbe.open(url);
    probes.push(p);
    return p;
  };

  before(async () => {
    sim = await startBybitSimulator({ seed: 51, apiKey: "ws-key", apiSecret: "ws-secret" });
  });
  after(async () => {
    for (const p of probes) p.close();
    await sim?.close();
  });

  it("public: the ack comes before the snapshot; a second subscribe is refused; unsubscribe stops the data", async () => {
    const pub = await open(sim.wsPublicUrl);
    const ack = await pub.request({ req_id: "a", op: "subscribe", args: ["orderbook.50.ETHUSDT"] }, (m) => m.op === "subscribe");
    assert.deepEqual([ack.success, ack.req_id], [true, "a"]);
    await pub.next((m) => m.topic === "orderbook.50.ETHUSDT" && m.type === "snapshot");
    assert.ok(pub.messages.indexOf(ack) < pub.messages.findIndex((m) => m.topic !== undefined));
    const again = await pub.request({ op: "subscribe", args: ["orderbook.50.ETHUSDT"] }, (m) => m.op === "subscribe");
    assert.deepEqual([again.success, again.ret_msg], [false, "error:already subscribed,topic:orderbook.50.ETHUSDT"]);
    await pub.request({ op: "unsubscribe", args: ["orderbook.50.ETHUSDT"] }, (m) => m.op === "unsubscribe" && m.success);
    await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    const from = pub.messages.length;
    // Evidence, not time: another subscriber receives two more deltas of the topic meanwhile.
    const other = await open(sim.wsPublicUrl);
    await other.request({ op: "subscribe", args: ["orderbook.50.ETHUSDT"] }, (m) => m.op === "subscribe");
    await other.next((m) => m.topic === "orderbook.50.ETHUSDT" && m.type === "delta");
    await other.next((m) => m.topic === "orderbook.50.ETHUSDT" && m.type === "delta", 5000, other.messages.length);
    await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong");
    assert.equal(pub.messages.slice(from).filter((m) => m.topic !== undefined).length, 0);
  });

  it("public: refuses unknown topics, unknown symbols, bad JSON and unknown ops without closing", async () => {
    const pub = await open(sim.wsPublicUrl);
    assert.match((await pub.request({ op: "subscribe", args: ["orderbook.7.BTCUSDT"] }, (m) => m.op === "subscribe")).ret_msg, /handler not found/);
    assert.match((await pub.request({ op: "subscribe", args: ["publicTrade.DOGEUSDT"] }, (m) => m.op === "subscribe")).ret_msg, /Invalid symbol/);
    assert.equal((await pub.request("{nope", (m) => m.success === false)).success, false);
    assert.equal((await pub.request({ op: "dance" }, (m) => m.op === "dance")).success, false);
    assert.equal((await pub.request({ op: "ping" }, (m) => m.ret_msg === "pong")).success, true);
  });

  it("public: orderbook.1 sends only snapshots", async () => {
    const pub = await open(sim.wsPublicUrl);
    await pub.request({ op: "subscribe", args: ["orderbook.1.BTCUSDT"] }, (m) => m.op === "subscribe");
    await pub.next((m) => m.topic === "orderbook.1.BTCUSDT");
    await pub.next((m) => m.topic === "orderbook.1.BTCUSDT", 5000, pub.messages.length);
    const books = pub.messages.filter((m) => m.topic === "orderbook.1.BTCUSDT");
    assert.ok(books.length > 1);
    assert.ok(books.every((m) => m.type === "snapshot" && m.data.b.length === 1 && m.data.a.length === 1));
    const us = books.map((m) => m.data.u);
    assert.ok(us.every((u, i) => i === 0 || u >= us[i - 1]!));
  });

  it("private: subscribing needs auth; an expired auth is refused; topic forms cannot be mixed", async () => {
    const priv = await open(sim.wsPrivateUrl);
    const early = await priv.request({ op: "subscribe", args: ["order"] }, (m) => m.op === "subscribe");
    assert.deepEqual([early.success, early.ret_msg], [false, "Request not authorized"]);
    const expired = await priv.request({ op: "auth", args: wsAuthArgs("ws-key", "ws-secret", Date.now() - 1000) }, (m) => m.op === "auth");
    assert.deepEqual([expired.success, expired.ret_msg], [false, "Params Error"]);
    assert.equal((await priv.request({ op: "auth", args: wsAuthArgs("ws-key", "ws-secret") }, (m) => m.op === "auth")).success, true);
    const mixed = await priv.request({ op: "subscribe", args: ["order", "execution.linear"] }, (m) => m.op === "subscribe");
    assert.equal(mixed.success, false);
    const pong = await priv.request({ op: "ping" }, (m) => m.op === "pong");
    assert.equal(typeof pong.args[0], "string");
  });

  it("private: categorised topics and execution.fast deliver with their own topic names", async () => {
    const priv = await open(sim.wsPrivateUrl);
    await priv.request({ op: "auth", args: wsAuthArgs("ws-key", "ws-secret") }, (m) => m.op === "auth");
    await priv.request({ op: "subscribe", args: ["order.linear", "execution.fast.linear"] }, (m) => m.op === "subscribe" && m.success);
    const r = await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Buy", orderType: "Market", qty: "0.10" });
    const order = await priv.next((m) => m.topic === "order.linear" && m.data[0].orderId === r.body.result.orderId);
    assert.equal(order.data[0].category, "linear");
    const fast = await priv.next((m) => m.topic === "execution.fast.linear");
    assert.deepEqual(Object.keys(fast.data[0]).sort(), ["category", "execId", "execPrice", "execQty", "execTime", "isMaker", "orderId", "orderLinkId", "seq", "side", "symbol"]);
    await signed(sim, "POST", "/v5/order/create", { category: "linear", symbol: "ETHUSDT", side: "Sell", orderType: "Market", qty: "0.10", reduceOnly: true });
  });

  it("order entry: auth first, then create, amend and cancel with header timestamps; stale headers get 10002", async () => {
    const trade = await open(sim.wsTradeUrl);
    const header = () => ({ "X-BAPI-TIMESTAMP": String(Date.now()), "X-BAPI-RECV-WINDOW": "5000" });
    const early = await trade.request({ reqId: "e", header: header(), op: "order.create", args: [{}] }, (m) => m.reqId === "e");
    assert.notEqual(early.retCode, 0);
    assert.equal((await trade.request({ op: "auth", args: wsAuthArgs("ws-key", "ws-secret") }, (m) => m.op === "auth")).retCode, 0);
    assert.equal((await trade.request({ op: "auth", args: wsAuthArgs("ws-key", "ws-secret") }, (m) => m.op === "auth")).retCode, 20001, "repeat auth");
    const order = { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "30000.0", orderLinkId: "wst-1" };
    const created = await trade.request({ reqId: "c", header: header(), op: "order.create", args: [order] }, (m) => m.reqId === "c");
    assert.equal(created.retCode, 0, created.retMsg);
    assert.equal(created.header["X-Bapi-Limit"], "10");
    const amended = await trade.request({ reqId: "m", header: header(), op: "order.amend", args: [{ category: "linear", symbol: "BTCUSDT", orderLinkId: "wst-1", price: "30500.0" }] }, (m) => m.reqId === "m");
    assert.equal(amended.retCode, 0, amended.retMsg);
    const stale = await trade.request({ reqId: "s", header: { "X-BAPI-TIMESTAMP": String(Date.now() - 60_000) }, op: "order.cancel", args: [{ category: "linear", symbol: "BTCUSDT", orderLinkId: "wst-1" }] }, (m) => m.reqId === "s");
    assert.equal(stale.retCode, 10002);
    const cancelled = await trade.request({ reqId: "x", header: header(), op: "order.cancel", args: [{ category: "linear", symbol: "BTCUSDT", orderLinkId: "wst-1" }] }, (m) => m.reqId === "x");
    assert.equal(cancelled.retCode, 0);
    const history = await signed(sim, "GET", "/v5/order/history", { category: "linear", orderLinkId: "wst-1" });
    assert.deepEqual([history.body.result.list[0].orderStatus, history.body.result.list[0].price], ["Cancelled", "30500.0"]);
  });

  it("closes a connection idle for longer than the idle timeout", async () => {
    const idle = await startBybitSimulator({ seed: 52, idleTimeoutMs: 150 });
    try {
      const p = await WsProbe.open(idle.wsPublicUrl);
      const { code } = await p.closed;
      assert.equal(code, 1000);
    } finally {
      await idle.close();
    }
  });
});
