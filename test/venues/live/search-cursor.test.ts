/**
 * The reconciler's execution search must not move its cursor past what it did not read. A search
 * that stopped at its page bound (`VENUE_PAGES_TRUNCATED`) moved the cursor to the window's end
 * all the same: the unread executions were never searched again (the overlap re-read the same
 * first pages while they were in it, and nothing after), and the alert was the only trace.
 *
 * On both simulators, with the private stream pointed at a port nobody listens on (the engine
 * learns of the account's trades only by asking) and searches of two pages of two: trades made
 * by hand on the account, more than one search reads, must all reach the engine within a few
 * passes, each once. Binance reads a window oldest first (the next search resumes at the cut),
 * Bybit newest first (the next search reads what is older than the cut).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dec } from "../../../src/core/decimal.ts";
import { EngineState } from "../../../src/engine/engine-state.ts";
import { startBinanceSimulator, type BinanceSimulator } from "../../../src/simulator/binance/main.ts";
import { startBybitSimulator, type BybitSimulator } from "../../../src/simulator/bybit/main.ts";
import { BinanceRig, KEY as BN_KEY, SECRET as BN_SECRET, signedCall as binanceCall } from "../binance/rig.ts";
import { KEY as BY_KEY, Rig as BybitRig, SECRET as BY_SECRET, signedCall as bybitCall } from "../bybit/rig.ts";
import { type VenueRig, closedPort } from "./venue-rig.ts";

const PAGING = { listPages: 2, orderFillPages: 2, pageSize: 2 };
/** The trades made by hand: more than one search of two pages of two reads. */
const TRADES = 9;
/** Each pass reads at least one new trade once the fix is in; the bound only turns a stuck cursor into a failure. */
const MAX_PASSES = 2 * TRADES;
/** The stream never comes up: the streams' wait at the start is short. */
const TUNING = { startTimeoutMs: 200 };

let binance: BinanceSimulator;
let bybit: BybitSimulator;
let deadPort: number;
before(async () => {
  binance = await startBinanceSimulator({ port: 0, seed: 91, apiKey: BN_KEY, apiSecret: BN_SECRET, startingBalance: "1000000" });
  bybit = await startBybitSimulator({ port: 0, seed: 92, apiKey: BY_KEY, apiSecret: BY_SECRET });
  deadPort = await closedPort();
});
after(async () => {
  await binance.close();
  await bybit.close();
});

/** Passes until the engine holds every one of `venueFills`; fails naming how many it had when a pass bound is reached. */
async function passesUntilAll(rig: VenueRig<any>, venueFills: readonly string[]): Promise<void> {
  const held = (): Set<string> => new Set(rig.of("order.filled").map((f) => f.fillId));
  for (let pass = 0; !venueFills.every((id) => held().has(id)); pass++) {
    assert.ok(pass < MAX_PASSES, `after ${pass} passes the engine has ${venueFills.filter((id) => held().has(id)).length} of the account's ${venueFills.length} trades`);
    await rig.venue.reconcile("manual");
  }
  assert.ok(rig.alerts("VENUE_PAGES_TRUNCATED").length > 0, "the searches were cut short (and said so)");
  assert.equal(rig.duplicateFills, 0);
  assert.deepEqual(rig.refused, []);
}

test("Binance: a trade search cut short resumes where it was cut, until every trade is read", async () => {
  await binance.reset({ seed: 91 });
  const rig = BinanceRig.build(
    { sim: binance, state: new EngineState(dec("1000000")), tuning: TUNING, venue: { paging: PAGING, wsPrivateUrl: `ws://127.0.0.1:${deadPort}` } },
    binance,
  );
  await rig.venue.start(rig.apply);
  await rig.venue.reconcile("boot");
  try {
    for (let n = 0; n < TRADES; n++) {
      const r = await binanceCall(binance, "POST", "/fapi/v1/order", { symbol: "BTCUSDT", side: n % 2 === 0 ? "BUY" : "SELL", type: "MARKET", quantity: "0.001" });
      assert.equal(r.symbol, "BTCUSDT", JSON.stringify(r));
    }
    const venue = (await rig.venueState()).executions.filter((e: { symbol: string }) => e.symbol === "BTCUSDT");
    assert.ok(venue.length > PAGING.listPages * PAGING.pageSize, `${venue.length} trades`);
    await passesUntilAll(rig, venue.map((e: { tradeId: string | number }) => `BTCUSDT:${e.tradeId}`));
  } finally {
    await rig.stop(false);
  }
});

test("Bybit: an execution search cut short reads what is older than the cut next, until every execution is read", async () => {
  await bybit.reset({ seed: 92 });
  const rig = await BybitRig.start({ sim: bybit, tuning: TUNING, venue: { paging: PAGING, wsPrivateUrl: `ws://127.0.0.1:${deadPort}/v5/private` } });
  try {
    for (let n = 0; n < TRADES; n++) {
      const r = await bybitCall(bybit, "POST", "/v5/order/create", { category: "linear", symbol: "BTCUSDT", side: n % 2 === 0 ? "Buy" : "Sell", orderType: "Market", qty: "0.001" });
      assert.equal(r.retCode, 0, JSON.stringify(r));
    }
    const venue = (await rig.venueState()).executions.filter((e: { symbol: string; execType: string }) => e.symbol === "BTCUSDT" && e.execType === "Trade");
    assert.ok(venue.length > PAGING.listPages * PAGING.pageSize, `${venue.length} executions`);
    await passesUntilAll(rig, venue.map((e: { execId: string }) => e.execId));
  } finally {
    await rig.stop(false);
  }
});
