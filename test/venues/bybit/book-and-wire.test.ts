/** The local order book's sequence rules and the wire readers, on Bybit's own samples. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { add, dec, neg } from "../../../src/core/decimal.ts";
import { LocalBook } from "../../../src/venues/bybit/order-book.ts";
import { parseLevels, readExecution, readLevels, readList, readOrder, readPosition, readWallet } from "../../../src/venues/bybit/wire.ts";
import { resolveLiveTuning, DEFAULT_LIVE_TUNING } from "../../../src/config/venue-config.ts";
import { loadConfig } from "../../../src/config/config.ts";

const SAMPLES = "/work/shared/fixtures/venue-samples";
const sample = (name: string): any => JSON.parse(readFileSync(`${SAMPLES}/${name}`, "utf8"));
const lv = (rows: [string, string][]) => parseLevels(rows);

test("book: snapshot, deltas with u+1 (0 deletes, absolute sizes), a skipped u is a gap and forgets everything", () => {
  const b = new LocalBook();
  assert.equal(b.delta(lv([]), lv([]), 5), "not-synced");
  assert.equal(b.snapshot(lv([["100", "1"], ["99", "2"]]), lv([["101", "3"], ["102", "4"]]), 10), "applied");
  assert.deepEqual(b.top(), { bid: dec("100"), bidQty: dec("1"), ask: dec("101"), askQty: dec("3") });
  assert.equal(b.delta(lv([["100", "0"], ["99", "5"]]), lv([["101", "1"]]), 11), "applied");
  assert.deepEqual(b.top(), { bid: dec("99"), bidQty: dec("5"), ask: dec("101"), askQty: dec("1") });
  assert.equal(b.delta(lv([]), lv([]), 13), "gap");
  assert.equal(b.synced, false);
  assert.equal(b.top(), undefined);
});

test("book: a delta that crosses the book means it was lost", () => {
  const b = new LocalBook();
  b.snapshot(lv([["100", "1"]]), lv([["101", "1"]]), 1);
  assert.equal(b.delta(lv([["102", "1"]]), lv([]), 2), "crossed");
  assert.equal(b.synced, false);
});

test("book: every spelling of a price is one level, every zero deletes, and prices too long for a float64 key stay exact", () => {
  const b = new LocalBook();
  b.snapshot(lv([["100", "1"], ["99.5", "2"]]), lv([["101", "3"]]), 1);
  // "100.00" and "+100" are the level "100"; "0.000" and "-0" delete.
  assert.equal(b.delta(lv([["100.00", "4"]]), lv([]), 2), "applied");
  assert.deepEqual(b.top(), { bid: dec("100"), bidQty: dec("4"), ask: dec("101"), askQty: dec("3") });
  assert.equal(b.delta(lv([["+100", "0.000"]]), lv([["101", "-0"]]), 3), "applied");
  assert.equal(b.top(), undefined, "no ask left");
  // 19 significant digits: no float64 tells these apart from "100" and "100.0000000000000002", the book must.
  const long = "100.0000000000000001";
  assert.equal(b.delta(lv([[long, "5"], ["100.0000000000000002", "6"]]), lv([["100.0000000000000003", "7"], ["100.5", "8"]]), 4), "applied");
  assert.deepEqual(b.top(), { bid: dec("100.0000000000000002"), bidQty: dec("6"), ask: dec("100.0000000000000003"), askQty: dec("7") });
  assert.equal(b.delta(lv([["100.0000000000000002", "0"], ["100", "9"]]), lv([]), 5), "applied");
  assert.deepEqual(b.top(), { bid: dec(long), bidQty: dec("5"), ask: dec("100.0000000000000003"), askQty: dec("7") });
  assert.equal(b.delta(lv([[long, "0"]]), lv([["100.0000000000000003", "0"]]), 6), "applied");
  assert.deepEqual(b.top(), { bid: dec("100"), bidQty: dec("9"), ask: dec("100.5"), askQty: dec("8") });
  // A long bid crossing a keyed ask, and a keyed bid crossing a long ask, are both seen.
  assert.equal(b.delta(lv([["100.5000000000000001", "1"]]), lv([]), 7), "crossed");
  b.snapshot(lv([["100", "1"]]), lv([["100.0000000000000001", "1"]]), 1);
  assert.equal(b.synced, true);
  assert.equal(b.delta(lv([["100.0000000000000001", "1"]]), lv([]), 2), "crossed");
});

test("book levels: a malformed price or size refuses the whole side", () => {
  for (const bad of [[["0", "1"]], [["-1", "1"]], [["1e-8", "1"]], [["", "1"]], [["1", "-0.1"]], [["1", "x"]], [[1, "1"]], [["1", "1", "1"]], [["1"]]]) {
    assert.equal(readLevels(bad), undefined, JSON.stringify(bad));
  }
  assert.equal(readLevels([["1", "1"], ["2", "abc"]]), undefined);
});

test("Bybit's orderbook samples read exactly", () => {
  const snap = sample("bybit_ws_orderbook_snapshot.json");
  const bids = readLevels(snap.data.b)!;
  assert.ok(bids.levels.length > 0 && bids.keys.length === 2 * bids.levels.length);
  assert.equal(readLevels([["1", "x"]]), undefined);
  assert.equal(readLevels([["-1", "1"]]), undefined);
  const delta = sample("bybit_ws_orderbook_delta.json");
  const first = readLevels(delta.data.b)!;
  assert.deepEqual([first.levels[0], first.keys.slice(0, 2)], [["30247.20", "30.028"], [30247.2, 30.028]]);
});

test("executions: exact decimals from the strings, the fee includes extra fees in the fee coin, funding is not a fill", () => {
  const e = readExecution(sample("bybit_ws_execution.json").data[0])!;
  assert.equal(e.execPrice, dec("95900.1"));
  assert.equal(e.execQty, dec("0.5"));
  assert.equal(e.fee, add(dec("26.3725275"), dec("0.006403779")));
  assert.equal(e.side, "sell");
  assert.equal(e.isMaker, false);
  assert.equal(e.execTime, 1746270400353);
  assert.equal(readExecution({ ...sample("bybit_ws_execution.json").data[0], execType: "Funding" }), undefined);
  assert.equal(readExecution({ execId: "x" }), undefined);
  const rest = readList(sample("bybit_rest_execution_list.json").result);
  assert.ok(rest.list.length > 0 && rest.list.every((i) => readExecution(i) !== undefined));
});

test("orders, positions and wallet from the samples", () => {
  const o = readOrder(readList(sample("bybit_rest_order_realtime.json").result).list[0])!;
  assert.ok(o.orderId.length > 0);
  const hist = readOrder(readList(sample("bybit_rest_order_history_postonly_cancelled.json").result).list[0])!;
  assert.equal(hist.orderStatus, "Cancelled");
  assert.equal(hist.rejectReason, "EC_PostOnlyWillTakeLiquidity");
  const p = readPosition(readList(sample("bybit_rest_position_list_inverse.json").result).list[0])!;
  assert.equal(p.size, neg(dec("300")), "a Sell position is negative");
  const hedge = sample("bybit_ws_position.json").data[0];
  assert.equal(readPosition(hedge), undefined, "hedge-mode positions (positionIdx 2) are not one-way positions");
  const ws = readPosition({ ...hedge, positionIdx: 0, side: "Buy", size: "0.5", entryPrice: "28000.5" })!;
  assert.deepEqual([ws.size, ws.avgPrice], [dec("0.5"), dec("28000.5")], "the stream's entryPrice is the average price");
  const list = readList(sample("bybit_rest_wallet_balance.json").result).list[0];
  const coin = (list as any).coin[0].coin as string;
  assert.equal(readWallet(list, coin)!.walletBalance, dec((list as any).coin[0].walletBalance));
  assert.equal(readWallet(list, "NOPE"), undefined);
  assert.equal(readOrder({ orderId: "1" }), undefined);
});

test("venues.bybit: defaults, overrides through the config, refusals with the key named", () => {
  const d = loadConfig({}).venues.bybit;
  assert.equal(d.restUrl, "https://api.bybit.com", "empty URLs come from the mainnet set");
  assert.equal(d.reconcileOrdersMs, 30_000);
  assert.equal(d.reconcilePositionsMs, 60_000);
  assert.equal(d.pingIntervalMs, 20_000);
  assert.equal(d.bootTimeoutMs, DEFAULT_LIVE_TUNING.bootTimeoutMs);
  const t = loadConfig({ overrides: ["venues.bybit.recvWindowMs=2000", 'venues.bybit.resendUnseen="always"', 'venues.bybit.positionTolerance="0.001"', "venues.bybit.bookDepth=200"] }).venues.bybit;
  assert.equal(t.recvWindowMs, 2000);
  assert.equal(t.resendUnseen, "always");
  assert.equal(t.positionTolerance, dec("0.001"));
  assert.equal(loadConfig({ overrides: ["venues.bybit.testnet=true"] }).venues.bybit.wsPrivateUrl, "wss://stream-testnet.bybit.com/v5/private");
  const pinned = loadConfig({ overrides: ["venues.bybit.testnet=true", 'venues.bybit.restUrl="http://127.0.0.1:1"'] }).venues.bybit;
  assert.equal(pinned.restUrl, "http://127.0.0.1:1", "an explicit URL wins over the testnet set");
  assert.throws(() => loadConfig({ overrides: ["venues.bybit.recvWindow=1"] }), /CONFIG_INVALID.*unknown config key "venues.bybit.recvWindow"/);
  assert.throws(() => loadConfig({ overrides: ["venues.bybit.recvWindowMs=70000"] }), /venues\.bybit\.recvWindowMs/);
  assert.throws(() => loadConfig({ overrides: ['venues.bybit.resendUnseen="sometimes"'] }), /venues\.bybit\.resendUnseen/);
  assert.throws(() => loadConfig({ overrides: ["venues.bybit.orderTimeoutMs=-1"] }), /venues\.bybit\.orderTimeoutMs/);
  assert.throws(() => loadConfig({ overrides: ['venues.bybit.restUrl="ftp://x"'] }), /venues\.bybit\.restUrl must be an http\(s\) URL/);
  assert.throws(() => resolveLiveTuning({ orderTimeoutMs: 0 }, "venues.x"), /config venues\.x\.orderTimeoutMs/);
});

test("--rest-url and friends are shortcuts into the selected venue's block; a venue without one refuses them", () => {
  const c = loadConfig({ cli: { venue: "bybit", "venue.restUrl": "http://127.0.0.1:5", "venue.wsPublicUrl": "ws://127.0.0.1:5/p" } });
  assert.equal(c.venues.bybit.restUrl, "http://127.0.0.1:5");
  assert.equal(c.venues.bybit.wsPublicUrl, "ws://127.0.0.1:5/p");
  assert.throws(() => loadConfig({ cli: { venue: "sim", "venue.restUrl": "http://127.0.0.1:5" } }), /CONFIG_INVALID.*restUrl applies to a live venue/);
  assert.throws(() => loadConfig({ cli: { venue: "kraken" } }), /CONFIG_INVALID.*venue must be one of sim, bybit/);
});
