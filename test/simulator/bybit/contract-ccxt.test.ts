/**
 * Contract: the unmodified npm `ccxt` (its bybit class, URLs pointed at the simulator, linear
 * markets only) works against the simulator for every item of issue 4's "Done when".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { BTC, makeCcxt, waitForPrivateTopics } from "./helpers.ts";

describe("ccxt bybit against the simulator", () => {
  let sim: BybitSimulator;
  let ex: any;

  before(async () => {
    sim = await startBybitSimulator({ seed: 11, apiKey: "ccxt-key", apiSecret: "ccxt-secret", startingBalance: "25000" });
    ex = await makeCcxt(sim);
  });
  after(async () => {
    await ex?.close();
    await sim?.close();
  });

  it("fetches the server time", async () => {
    const before = Date.now();
    const time = await ex.fetchTime();
    assert.ok(time >= before - 1000 && time <= Date.now() + 1000, String(time));
  });

  it("loads the linear markets with Bybit's filters", async () => {
    const markets = await ex.loadMarkets();
    assert.deepEqual(Object.keys(markets).sort(), ["1000PEPE/USDT:USDT", "BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"]);
    const btc = markets[BTC];
    assert.equal(btc.id, "BTCUSDT");
    assert.equal(btc.linear, true);
    assert.equal(btc.swap, true);
    assert.equal(btc.precision.price, 0.1);
    assert.equal(btc.precision.amount, 0.001);
    assert.equal(btc.limits.amount.min, 0.001);
  });

  it("fetches the order book over REST", async () => {
    const book = await ex.fetchOrderBook(BTC, 25);
    assert.equal(book.bids.length, 25);
    assert.equal(book.asks.length, 25);
    assert.ok(book.bids[0][0] < book.asks[0][0]);
    for (let i = 1; i < 25; i++) {
      assert.ok(book.bids[i][0] < book.bids[i - 1][0]);
      assert.ok(book.asks[i][0] > book.asks[i - 1][0]);
    }
  });

  it("watches the order book over the public stream (snapshot, then deltas)", async () => {
    const first = await ex.watchOrderBook(BTC, 50);
    assert.ok(first.bids.length > 0 && first.asks.length > 0);
    // ccxt keeps no `u` on bybit books; each delta it applies moves the book's timestamp.
    const firstTs = first.timestamp;
    let later = first;
    for (let i = 0; i < 10 && later.timestamp === firstTs; i++) later = await ex.watchOrderBook(BTC, 50);
    assert.ok(later.timestamp > firstTs, `timestamp ${later.timestamp} after ${firstTs}`);
    assert.ok(later.bids[0][0] < later.asks[0][0]);
  });

  it("fetches the USDT balance", async () => {
    const balance = await ex.fetchBalance();
    assert.equal(balance.USDT.total, 25000);
    assert.equal(balance.USDT.free, 25000);
  });

  it("rests a limit order, lists it, cancels it", async () => {
    const book = await ex.fetchOrderBook(BTC, 5);
    const price = ex.priceToPrecision(BTC, book.bids[0][0] * 0.99);
    const order = await ex.createOrder(BTC, "limit", "buy", 0.01, Number(price));
    assert.match(order.id, /^[0-9a-f-]{36}$/);
    const open = await ex.fetchOpenOrders(BTC);
    const listed = open.find((o: any) => o.id === order.id);
    assert.ok(listed, "the order is listed as open");
    assert.equal(listed.status, "open");
    assert.equal(listed.price, Number(price));
    assert.equal(listed.amount, 0.01);
    await ex.cancelOrder(order.id, BTC);
    const openAfter = await ex.fetchOpenOrders(BTC);
    assert.equal(openAfter.find((o: any) => o.id === order.id), undefined);
    const closed = await ex.fetchCanceledAndClosedOrders(BTC);
    const cancelled = closed.find((o: any) => o.id === order.id);
    assert.equal(cancelled?.status, "canceled");
    assert.equal(cancelled?.info.cancelType, "CancelByUser");
  });

  it("fills a market order that then shows as a position and a trade", async () => {
    const order = await ex.createOrder(BTC, "market", "buy", 0.01);
    const positions = await ex.fetchPositions([BTC]);
    const long = positions.find((p: any) => p.symbol === BTC);
    assert.equal(long?.side, "long");
    assert.equal(long?.contracts, 0.01);
    const trades = await ex.fetchMyTrades(BTC);
    const mine = trades.filter((t: any) => t.order === order.id);
    assert.ok(mine.length >= 1);
    assert.equal(mine.reduce((s: number, t: any) => s + t.amount, 0).toFixed(3), "0.010");
    assert.equal(mine[0].side, "buy");
    assert.equal(mine[0].takerOrMaker, "taker");
    assert.equal(mine[0].fee.currency, "USDT");
    assert.ok(mine[0].fee.cost > 0);
  });

  it("delivers order and execution messages for a fill on the private stream", async () => {
    const ordersP = ex.watchOrders(BTC);
    const tradesP = ex.watchMyTrades(BTC);
    // The fill must happen after the venue has registered both subscriptions.
    await waitForPrivateTopics(sim, ["order", "execution"]);
    const order = await ex.createOrder(BTC, "market", "sell", 0.01);
    let orders = await ordersP;
    while (!orders.some((o: any) => o.id === order.id && o.status === "closed")) orders = await ex.watchOrders(BTC);
    const filled = orders.find((o: any) => o.id === order.id && o.status === "closed");
    assert.equal(filled.filled, 0.01);
    let trades = await tradesP;
    while (!trades.some((t: any) => t.order === order.id)) trades = await ex.watchMyTrades(BTC);
    const trade = trades.find((t: any) => t.order === order.id);
    assert.equal(trade.side, "sell");
    assert.equal(trade.symbol, BTC);
  });

  it("accepts a crossing post-only order, which then ends Cancelled with EC_PostOnlyWillTakeLiquidity", async () => {
    const book = await ex.fetchOrderBook(BTC, 5);
    const crossing = Number(ex.priceToPrecision(BTC, book.asks[0][0] * 1.001));
    const order = await ex.createOrder(BTC, "limit", "buy", 0.01, crossing, { postOnly: true });
    assert.match(order.id, /^[0-9a-f-]{36}$/);
    const closed = await ex.fetchCanceledAndClosedOrders(BTC);
    const found = closed.find((o: any) => o.id === order.id);
    assert.equal(found?.status, "canceled");
    assert.equal(found?.filled, 0);
    assert.equal(found?.info.rejectReason, "EC_PostOnlyWillTakeLiquidity");
    assert.equal(found?.info.timeInForce, "PostOnly");
    assert.equal(found?.postOnly, true);
  });

  it("refuses a duplicate orderLinkId with 110072", async () => {
    const book = await ex.fetchOrderBook(BTC, 5);
    const price = Number(ex.priceToPrecision(BTC, book.bids[0][0] * 0.98));
    await ex.createOrder(BTC, "limit", "buy", 0.01, price, { clientOrderId: "ccxt-dup-1" });
    await assert.rejects(ex.createOrder(BTC, "limit", "buy", 0.01, price, { clientOrderId: "ccxt-dup-1" }), (e: any) => {
      assert.match(String(e.message), /110072/);
      return true;
    });
    await ex.cancelAllOrders(BTC);
  });

  it("gets 10004 for a wrong signature", async () => {
    const wrong = await makeCcxt(sim, { secret: "not-the-secret" });
    try {
      await assert.rejects(wrong.fetchBalance(), (e: any) => {
        assert.equal(e.constructor.name, "AuthenticationError");
        assert.match(String(e.message), /"retCode":10004/);
        return true;
      });
    } finally {
      await wrong.close();
    }
  });

  it("gets 10002 for a stale timestamp", async () => {
    // ccxt signs with now − timeDifference: 30 s in the past is outside the 5 s window.
    const stale = await makeCcxt(sim, { options: { timeDifference: 30_000 } });
    try {
      await assert.rejects(stale.fetchBalance(), (e: any) => {
        assert.match(String(e.message), /"retCode":10002/);
        return true;
      });
    } finally {
      await stale.close();
    }
  });
});
