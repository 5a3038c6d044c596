/**
 * Reading Binance's history in pages never stops silently, and a read that fails is said. With
 * pages of two records and reads of one page (`paging`), one order's trades, the trade search and
 * the income search each hold more at the simulator than one read takes: every read returns what
 * it read, and says that it stopped at a full page, once per thing cut short however many
 * reconciliation passes read it again. An order whose trades the venue will not give is said once
 * too, and read again by the next pass once it does.
 *
 * The order is a GTC buy a basis point through the touch: it takes several of the book's levels,
 * a trade each, while everything the stream would say about it is held back, then the socket
 * drops. Those trades reach the engine only by asking, and its order stays working until they
 * do: every pass asks again.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import type { AlertEvent } from "../../../src/core/events.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import type { RestProxy } from "../live/rest-proxy.ts";
import { BinanceRig, KEY, SECRET, binanceRestProxy, orderTradesRead, waitFor } from "./rig.ts";

const BALANCE = "10000000";

let sim: BinanceSimulator;
before(async () => {
  sim = await startBinanceSimulator({ port: 0, seed: 71, apiKey: KEY, apiSecret: SECRET, startingBalance: BALANCE });
});
after(async () => {
  await sim.close();
});

const ONE_PAGE_OF_TWO = { listPages: 1, orderFillPages: 1, pageSize: 2 };

function alerts(rig: BinanceRig, code: string): AlertEvent[] {
  return rig.of("alert").filter((a) => a.code === code);
}

/** The venue through `proxy`, started and reconciled. */
async function started(proxy: RestProxy, paging?: typeof ONE_PAGE_OF_TWO): Promise<BinanceRig> {
  const rig = BinanceRig.build({ restUrl: proxy.url, state: new EngineState(dec(BALANCE)), venue: { paging } }, sim);
  await rig.venue.start(rig.apply);
  await rig.venue.reconcile("boot");
  return rig;
}

/** The working order whose first trades the stream never delivers (see the file's comment); its client id. */
async function tradedUnseen(rig: BinanceRig): Promise<string> {
  const price = await rig.through("buy", 1);
  sim.setFaults({ latencyMs: { private: 10_000 } });
  const id = rig.place({ side: "buy", qty: "40", price, timeInForce: "GTC" });
  await waitFor("answered or unknown", () => rig.status(id) !== "SUBMITTED");
  sim.setFaults({ latencyMs: { private: 0 }, disconnectPrivate: true });
  return id;
}

/** Reconciliation passes until the order's trades were asked for `reads` times. */
async function untilRead(rig: BinanceRig, proxy: RestProxy, reads: number): Promise<void> {
  for (let pass = 0; proxy.count() < reads; pass++) {
    assert.ok(pass < 50, `the order's trades were asked for ${proxy.count()} times in ${pass} passes`);
    await rig.venue.reconcile("manual");
  }
}

describe("Binance paging", () => {
  test("past the page bound the trades read are booked, and each read cut short is said once however many passes read it again", async () => {
    await sim.reset({ seed: 71 });
    const proxy = await binanceRestProxy(sim, { counted: orderTradesRead });
    const rig = await started(proxy, ONE_PAGE_OF_TWO);
    try {
      const id = await tradedUnseen(rig);
      const cut = await waitFor("the order's trades cut short", () => alerts(rig, "ORDER_FILLS_TRUNCATED")[0]);
      assert.deepEqual(cut.context, { endpoint: "GET /fapi/v1/userTrades", symbol: "BTCUSDT", clientOrderId: id, pages: 1, records: 2 });
      // A fetch of one order starts only after its last one ended: the third read means two whole fetches were cut short.
      await untilRead(rig, proxy, 3);
      assert.equal(alerts(rig, "ORDER_FILLS_TRUNCATED").length, 1, "one alert for the order, not one per pass");
      assert.ok(rig.fillsOf(id).some((f) => f.source === "reconciliation"), "the trades read are booked");

      const searches = alerts(rig, "VENUE_PAGES_TRUNCATED");
      const trades = searches.filter((a) => a.context.endpoint === "GET /fapi/v1/userTrades");
      assert.ok(trades.length > 0, "the trade search was cut short and said so");
      for (const a of trades) assert.deepEqual({ ...a.context, since: 0 }, { endpoint: "GET /fapi/v1/userTrades", symbol: "BTCUSDT", since: 0, pages: 1, records: 2 });
      const income = searches.filter((a) => a.context.endpoint === "GET /fapi/v1/income");
      assert.ok(income.length > 0, "the income search was cut short and said so");
      for (const a of income) assert.deepEqual({ ...a.context, since: 0 }, { endpoint: "GET /fapi/v1/income", since: 0, pages: 1, records: 2 });
      const windows = searches.map((a) => `${a.context.endpoint} ${a.context.symbol} ${a.context.since}`);
      assert.equal(new Set(windows).size, windows.length, "one alert per search window");
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
      await proxy.close();
    }
  });

  test("an order whose trades cannot be read is said once with the venue's code, and read again by the next pass once they can", async () => {
    await sim.reset({ seed: 72 });
    let refusing = false;
    // Once trading: every userTrades read is refused, the order's fetch and each pass's trade search.
    const proxy = await binanceRestProxy(sim, { counted: orderTradesRead, refused: (url) => refusing && url.pathname === "/fapi/v1/userTrades" });
    const rig = await started(proxy);
    try {
      refusing = true;
      const id = await tradedUnseen(rig);
      // A fetch of one order starts only after its last one ended: the third read means two whole fetches failed.
      await untilRead(rig, proxy, 3);
      const said = alerts(rig, "ORDER_FILLS_FETCH_FAILED");
      assert.equal(said.length, 1, "one alert for the order, not one per failed pass");
      assert.deepEqual(said[0]!.context, { symbol: "BTCUSDT", clientOrderId: id, error: "VENUE_REJECTED", venueCode: "BINANCE_-1102" });
      assert.match(said[0]!.message, /GET \/fapi\/v1\/userTrades failed: BINANCE_-1102/);
      assert.doesNotMatch(JSON.stringify(said[0]), new RegExp(`${SECRET}|${KEY}|signature`), "no keys or signatures in the alert");
      assert.equal(rig.fillsOf(id).filter((f) => f.source === "reconciliation").length, 0, "nothing was read yet");

      // Nothing was given up: the first pass after the venue answers again reads the order's trades.
      refusing = false;
      await rig.venue.reconcile("manual");
      assert.ok(rig.fillsOf(id).some((f) => f.source === "reconciliation"), "the next pass read the order's trades");
      assert.equal(rig.duplicateFills, 0);
      assert.deepEqual(rig.refused, []);
    } finally {
      sim.setFaults({});
      await rig.stop(false);
      await proxy.close();
    }
  });
});
