/**
 * Contract: the unmodified npm `bybit-api` (RestClientV5 and WebsocketClient, base URLs pointed
 * at the simulator) works against it for every item of issue 4's "Done when".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RestClientV5, WebsocketClient } from "bybit-api";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";

const quiet = { trace: () => {}, info: () => {}, error: () => {} };

/** Collects `update` and `response` events of a bybit-api WebsocketClient and waits for one by predicate. */
function collect(client: WebsocketClient): { updates: any[]; next: (pred: (m: any) => boolean, ms?: number) => Promise<any> } {
  const updates: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  const onMessage = (m: any): void => {
    updates.push(m);
    for (const w of [...waiters]) if (w.pred(m)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(m));
  };
  client.on("update", onMessage);
  client.on("response", onMessage);
  return {
    updates,
    next: (pred, ms = 5000) => {
      const found = updates.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching update")), ms);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

describe("bybit-api against the simulator", () => {
  let sim: BybitSimulator;
  let rest: RestClientV5;
  const sockets: WebsocketClient[] = [];

  before(async () => {
    sim = await startBybitSimulator({ seed: 12, apiKey: "bapi-key", apiSecret: "bapi-secret", startingBalance: "30000" });
    rest = new RestClientV5({ key: "bapi-key", secret: "bapi-secret", baseUrl: sim.url, parseAPIRateLimits: true });
  });
  after(async () => {
    for (const s of sockets) s.closeAll(true);
    await sim?.close();
  });

  const ws = (url: string, auth: boolean): WebsocketClient => {
    const client = new WebsocketClient({ market: "v5", wsUrl: url, ...(auth ? { key: "bapi-key", secret: "bapi-secret" } : {}) }, quiet);
    sockets.push(client);
    return client;
  };

  it("gets the server time, with the rate-limit headers parsed", async () => {
    const r: any = await rest.getServerTime();
    assert.equal(r.retCode, 0);
    assert.ok(Math.abs(Number(r.result.timeSecond) - Date.now() / 1000) < 5);
    assert.equal(r.rateLimitApi.maxRequests, 600);
  });

  it("lists the linear instruments", async () => {
    const r = await rest.getInstrumentsInfo({ category: "linear" });
    assert.equal(r.retCode, 0);
    const symbols = r.result.list.map((i: any) => i.symbol).sort();
    assert.deepEqual(symbols, ["1000PEPEUSDT", "BTCUSDT", "ETHUSDT", "SOLUSDT"]);
    const pepe: any = r.result.list.find((i: any) => i.symbol === "1000PEPEUSDT");
    assert.equal(pepe.lotSizeFilter.qtyStep, "100");
    assert.equal(pepe.priceFilter.tickSize, "0.0000001");
    const btc: any = r.result.list.find((i: any) => i.symbol === "BTCUSDT");
    assert.equal(btc.lotSizeFilter.qtyStep, "0.001");
    assert.equal(btc.priceFilter.tickSize, "0.1");
  });

  it("gets the order book over REST", async () => {
    const r = await rest.getOrderbook({ category: "linear", symbol: "BTCUSDT", limit: 50 });
    assert.equal(r.retCode, 0);
    assert.equal(r.result.b.length, 50);
    assert.ok(Number(r.result.b[0]![0]) < Number(r.result.a[0]![0]));
  });

  it("streams the order book: a snapshot, then deltas whose u counts up by one", async () => {
    const client = ws(sim.wsPublicUrl, false);
    const feed = collect(client);
    await client.subscribeV5("orderbook.50.BTCUSDT", "linear");
    const snapshot = await feed.next((m) => m.topic === "orderbook.50.BTCUSDT" && m.type === "snapshot");
    const d1 = await feed.next((m) => m.topic === "orderbook.50.BTCUSDT" && m.type === "delta");
    const d2 = await feed.next((m) => m.type === "delta" && m.data.u === d1.data.u + 1);
    assert.equal(d1.data.u, snapshot.data.u + 1);
    assert.ok(d2.data.seq >= d1.data.seq);
    assert.equal(feed.updates.filter((m) => m.topic !== undefined).indexOf(snapshot), 0, "the first data message is the snapshot");
  });

  it("gets the wallet balance", async () => {
    const r = await rest.getWalletBalance({ accountType: "UNIFIED" });
    assert.equal(r.retCode, 0);
    const usdt: any = r.result.list[0]!.coin.find((c: any) => c.coin === "USDT");
    assert.equal(usdt.walletBalance, "30000");
  });

  it("rests a limit order, lists it, cancels it", async () => {
    const book = await rest.getOrderbook({ category: "linear", symbol: "BTCUSDT", limit: 1 });
    const price = (Math.floor(Number(book.result.b[0]![0]) * 0.99 * 10) / 10).toFixed(1);
    const placed = await rest.submitOrder({ category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price, orderLinkId: "bapi-rest-1" });
    assert.equal(placed.retCode, 0);
    const open = await rest.getActiveOrders({ category: "linear", symbol: "BTCUSDT" });
    const listed: any = open.result.list.find((o: any) => o.orderId === placed.result.orderId);
    assert.equal(listed?.orderStatus, "New");
    assert.equal(listed?.price, price);
    const byLink = await rest.getActiveOrders({ category: "linear", symbol: "BTCUSDT", orderLinkId: "bapi-rest-1" });
    assert.equal(byLink.result.list[0]?.orderId, placed.result.orderId);
    const cancelled = await rest.cancelOrder({ category: "linear", symbol: "BTCUSDT", orderId: placed.result.orderId });
    assert.equal(cancelled.retCode, 0);
    const history = await rest.getHistoricOrders({ category: "linear", orderId: placed.result.orderId });
    assert.equal(history.result.list[0]?.orderStatus, "Cancelled");
    const openAfter = await rest.getActiveOrders({ category: "linear", symbol: "BTCUSDT" });
    assert.equal(openAfter.result.list.some((o: any) => o.orderId === placed.result.orderId), false);
  });

  it("fills a market order, which shows as a position and an execution; the private stream reports order and execution", async () => {
    const client = ws(sim.wsPrivateUrl, true);
    const feed = collect(client);
    await client.subscribeV5(["order", "execution", "position", "wallet"], "linear");
    // subscribeV5 resolves once the request is queued; the venue's ack says it is live.
    await feed.next((m) => m.op === "subscribe" && m.success === true);
    const placed = await rest.submitOrder({ category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Market", qty: "0.020", orderLinkId: "bapi-mkt-1" });
    assert.equal(placed.retCode, 0);
    const orderMsg = await feed.next((m) => m.topic === "order" && m.data.some((o: any) => o.orderId === placed.result.orderId && o.orderStatus === "Filled"));
    const filled = orderMsg.data.find((o: any) => o.orderId === placed.result.orderId);
    assert.equal(filled.cumExecQty, "0.020");
    assert.equal(filled.orderLinkId, "bapi-mkt-1");
    const execMsg = await feed.next((m) => m.topic === "execution" && m.data.some((e: any) => e.orderId === placed.result.orderId));
    assert.equal(execMsg.data[0].category, "linear");
    await feed.next((m) => m.topic === "position" && m.data.some((p: any) => p.symbol === "BTCUSDT" && p.size === "0.020"));
    await feed.next((m) => m.topic === "wallet");

    const positions = await rest.getPositionInfo({ category: "linear", symbol: "BTCUSDT" });
    assert.equal(positions.result.list[0]?.side, "Buy");
    assert.equal(positions.result.list[0]?.size, "0.020");
    const executions = await rest.getExecutionList({ category: "linear", orderId: placed.result.orderId });
    const total = executions.result.list.reduce((s: number, e: any) => s + Number(e.execQty), 0);
    assert.equal(total.toFixed(3), "0.020");
    assert.equal(executions.result.list[0]?.isMaker, false);
  });

  it("accepts a crossing post-only order, then reports it Cancelled with EC_PostOnlyWillTakeLiquidity", async () => {
    const client = ws(sim.wsPrivateUrl, true);
    const feed = collect(client);
    await client.subscribeV5("order", "linear");
    await feed.next((m) => m.op === "subscribe" && m.success === true);
    const book = await rest.getOrderbook({ category: "linear", symbol: "BTCUSDT", limit: 1 });
    const crossing = (Number(book.result.a[0]![0]) + 50).toFixed(1);
    const placed = await rest.submitOrder({ category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: crossing, timeInForce: "PostOnly", orderLinkId: "bapi-po-1" });
    assert.equal(placed.retCode, 0, placed.retMsg);
    const msg = await feed.next((m) => m.topic === "order" && m.data.some((o: any) => o.orderLinkId === "bapi-po-1" && o.orderStatus === "Cancelled"));
    assert.equal(msg.data.find((o: any) => o.orderLinkId === "bapi-po-1").rejectReason, "EC_PostOnlyWillTakeLiquidity");
    const history = await rest.getHistoricOrders({ category: "linear", orderLinkId: "bapi-po-1" });
    const o: any = history.result.list[0];
    assert.equal(o.orderStatus, "Cancelled");
    assert.equal(o.cancelType, "UNKNOWN");
    assert.equal(o.rejectReason, "EC_PostOnlyWillTakeLiquidity");
    assert.equal(o.timeInForce, "PostOnly");
    assert.equal(o.cumExecQty, "0.000");
  });

  it("gets 110072 for a duplicate orderLinkId", async () => {
    const order = { category: "linear", symbol: "BTCUSDT", side: "Buy", orderType: "Limit", qty: "0.010", price: "1000.0", orderLinkId: "bapi-dup-1" } as const;
    assert.equal((await rest.submitOrder(order)).retCode, 0);
    const dup = await rest.submitOrder(order);
    assert.equal(dup.retCode, 110072);
    assert.equal(dup.retMsg, "OrderLinkedID is duplicate");
    await rest.cancelAllOrders({ category: "linear", symbol: "BTCUSDT" });
  });

  it("gets 10004 for a wrong signature", async () => {
    const wrong = new RestClientV5({ key: "bapi-key", secret: "wrong-secret", baseUrl: sim.url });
    const r = await wrong.getWalletBalance({ accountType: "UNIFIED" });
    assert.equal(r.retCode, 10004);
    assert.match(r.retMsg, /signature/);
  });

  it("gets 10002 for a stale timestamp", async () => {
    const skewed = new RestClientV5({ key: "bapi-key", secret: "bapi-secret", baseUrl: sim.url });
    // A client whose clock runs 30 s behind: bybit-api adds this offset to every timestamp it signs.
    (skewed as any).timeOffset = -30_000;
    const r = await skewed.getWalletBalance({ accountType: "UNIFIED" });
    assert.equal(r.retCode, 10002);
    assert.match(r.retMsg, /req_timestamp\[\d+\],server_timestamp\[\d+\],recv_window\[5000\]/);
  });
});
