/**
 * A trade search over a time window reads every trade in it, in pages, against the Binance
 * simulator. Binance answers `GET /fapi/v1/userTrades` with startTime/endTime from the window's
 * start, oldest first, up to `limit`; the rest are asked for by `fromId`. The simulator answered
 * with the window's newest `limit` trades instead, so hean's paging (window, then onwards by id)
 * never read the oldest ones, with no page bound hit and no alert.
 *
 * Trades are made by hand on the account (market orders sent straight to the simulator), in
 * pages of two; the search must return all of them, over several pages, with nothing said.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { BinanceRig, KEY, SECRET, binanceRestProxy, signedCall } from "./rig.ts";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 83, apiKey: KEY, apiSecret: SECRET, startingBalance: "1000000" });
});
after(async () => {
  await sim.close();
});

const PAGE = 2;

test("the simulator answers a userTrades window from its start, oldest first, up to limit", async () => {
  await sim.reset({ seed: 83 });
  const since = Date.now() - 1_000;
  for (let n = 0; n < 5; n++) {
    const r = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: n % 2 === 0 ? "BUY" : "SELL", type: "MARKET", quantity: "0.001" });
    assert.equal(r.symbol, "BTCUSDT", JSON.stringify(r));
  }
  const all = await signedCall(sim, "GET", "/fapi/v1/userTrades", { symbol: "BTCUSDT", startTime: since, limit: 1000 });
  assert.ok(all.length >= 5, JSON.stringify(all));
  const first = await signedCall(sim, "GET", "/fapi/v1/userTrades", { symbol: "BTCUSDT", startTime: since, endTime: Date.now() + 1_000, limit: PAGE });
  assert.deepEqual(first.map((t: { id: number }) => t.id), all.slice(0, PAGE).map((t: { id: number }) => t.id), "the window's oldest trades, not its newest");
});

test("a trade search over a window with several pages of trades reads every one of them", async () => {
  await sim.reset({ seed: 84 });
  const searches = (url: URL): boolean => url.pathname === "/fapi/v1/userTrades" && !url.searchParams.has("orderId");
  const proxy = await binanceRestProxy(sim, { counted: searches });
  const rig = BinanceRig.build({ restUrl: proxy.url, state: new EngineState(dec("1000000")), venue: { paging: { listPages: 20, orderFillPages: 20, pageSize: PAGE } } }, sim);
  await rig.venue.start(rig.apply);
  await rig.venue.reconcile("boot");
  try {
    const since = Date.now() - 1_000;
    for (let n = 0; n < 7; n++) {
      const r = await signedCall(sim, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: n % 2 === 0 ? "BUY" : "SELL", type: "MARKET", quantity: "0.001" });
      assert.equal(r.symbol, "BTCUSDT", JSON.stringify(r));
    }
    const venue = (await rig.venueState()).executions.filter((e: { symbol: string }) => e.symbol === "BTCUSDT");
    assert.ok(venue.length > 2 * PAGE, `${venue.length} trades: more than two pages of ${PAGE}`);
    const before = proxy.count();
    const read = (await rig.venue.fillsSince(since)).filter((f) => f.symbol === "BTCUSDT");
    assert.deepEqual(read.map((f) => f.fillId).sort(), venue.map((e: { tradeId: string | number }) => `BTCUSDT:${e.tradeId}`).sort(), "every trade of the window is read");
    assert.ok(proxy.count() - before > 1, "read in more than one page");
    assert.deepEqual(rig.alerts("VENUE_PAGES_TRUNCATED"), [], "no page bound was reached");
  } finally {
    await rig.stop(false);
    await proxy.close();
  }
});
