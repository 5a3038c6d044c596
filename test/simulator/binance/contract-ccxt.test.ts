import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { ccxtClient, control } from "./helpers.ts";

const SYMBOL = "BTC/USDT:USDT";

describe("ccxt binanceusdm (unmodified, URLs changed) against the Binance simulator", () => {
  let sim: BinanceSimulator;
  let ex: Awaited<ReturnType<typeof ccxtClient>>;
  before(async () => {
    sim = await startBinanceSimulator({ seed: 3, apiKey: "ccxt-key", apiSecret: "ccxt-secret" });
    ex = await ccxtClient(sim);
  });
  after(async () => {
    await ex.close().catch(() => undefined);
    await sim.close();
  });

  it("loads markets, time, book, balance, funding rate", async () => {
    await ex.loadMarkets();
    assert.equal(ex.market(SYMBOL).swap, true);
    assert.equal(ex.market(SYMBOL).precision.price, 0.1);
    assert.equal(typeof (await ex.fetchTime()), "number");
    const ob = await ex.fetchOrderBook(SYMBOL, 5);
    assert.equal(ob.bids.length, 5);
    assert.ok(ob.bids[0]![0]! < ob.asks[0]![0]!);
    assert.equal((await ex.fetchBalance())["USDT"]!.total, 100000);
    assert.equal((await ex.fetchFundingRate(SYMBOL)).fundingRate, 0.0001);
  });

  it("places, lists, cancels, fills; trades and positions follow; -5022 is InvalidOrder", async () => {
    const ob = await ex.fetchOrderBook(SYMBOL, 5);
    const resting = await ex.createOrder(SYMBOL, "limit", "buy", 0.01, ob.bids[0]![0]! - 100, { postOnly: true });
    assert.equal(resting.status, "open");
    assert.equal(resting.postOnly, true);
    assert.equal((await ex.fetchOpenOrders(SYMBOL)).length, 1);
    assert.equal((await ex.fetchOrder(resting.id!, SYMBOL)).id, resting.id);
    assert.equal((await ex.cancelOrder(resting.id!, SYMBOL)).status, "canceled");
    const filled = await ex.createOrder(SYMBOL, "market", "buy", 0.01);
    assert.equal(filled.status, "closed");
    assert.equal(filled.filled, 0.01);
    assert.equal((await ex.fetchMyTrades(SYMBOL)).length, 1);
    const positions = await ex.fetchPositions([SYMBOL]);
    assert.deepEqual(positions.map((p) => [p.side, p.contracts]), [["long", 0.01]]);
    const book = await ex.fetchOrderBook(SYMBOL, 5);
    await assert.rejects(ex.createOrder(SYMBOL, "limit", "buy", 0.01, book.asks[0]![0]! + 50, { postOnly: true }), (e: Error) => e.constructor.name === "InvalidOrder" && e.message.includes("-5022"));
    const state = await control(sim, "GET", "/__sim/state");
    assert.equal(state.orders.length, 2, "the refused GTX order is not recorded");
  });

  it("pro: watchOrderBook syncs by lastUpdateId/pu; watchOrders sees the fills", async () => {
    const book = await ex.watchOrderBook(SYMBOL);
    assert.ok(book.bids.length > 0 && typeof book.nonce === "number");
    const orders = ex.watchOrders(SYMBOL);
    // The user stream is connected once ccxt has its listen key; the order is placed after that.
    const deadline = async (): Promise<void> => {
      while (!(await control(sim, "GET", "/__sim/state")).streams.some((s: { kind: string }) => s.kind === "private")) await new Promise((r) => setImmediate(r));
    };
    await deadline();
    await ex.createOrder(SYMBOL, "market", "sell", 0.01);
    const seen = await orders;
    assert.ok(seen.some((o) => o.side === "sell"));
  });
});
