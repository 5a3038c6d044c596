/**
 * A kline replayed as trades: open, the extreme nearer the open, the other extreme, close; a
 * quarter of the volume each; all at the bar's close time; the taker side follows the move.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, format } from "../../src/core/decimal.ts";
import type { KlineRecord } from "../../src/research/data/records.ts";
import { barTrades } from "../../src/research/backtest/bar-trades.ts";

const bar = (open: string, high: string, low: string, close: string, volume = "8"): KlineRecord => ({
  kind: "kline",
  ts: 59_999,
  openTime: 0,
  symbol: "ETHUSDT",
  open: dec(open),
  high: dec(high),
  low: dec(low),
  close: dec(close),
  volume: dec(volume),
});

const path = (b: KlineRecord, previousClose?: string) =>
  barTrades(b, previousClose === undefined ? undefined : dec(previousClose)).map((t) => [format(t.price), t.takerSide, format(t.qty), t.ts]);

test("the extreme nearer the open comes first; a quarter of the volume each, at the bar's close", () => {
  // The low is nearer the open (1 below against 4 above): down first, then up.
  assert.deepEqual(path(bar("100", "104", "99", "103")), [
    ["100", "buy", "2", 59_999], // no previous close: the bar's own direction (up)
    ["99", "sell", "2", 59_999],
    ["104", "buy", "2", 59_999],
    ["103", "sell", "2", 59_999],
  ]);
  // The high is nearer: up first; the open is below the previous close, so it was sold.
  assert.deepEqual(path(bar("100", "101", "95", "96"), "100.5"), [
    ["100", "sell", "2", 59_999],
    ["101", "buy", "2", 59_999],
    ["95", "sell", "2", 59_999],
    ["96", "buy", "2", 59_999],
  ]);
  // An unchanged price keeps the bar's direction (down here).
  assert.deepEqual(path(bar("100", "100", "98", "99"), "100").map(([, side]) => side), ["sell", "sell", "sell", "buy"]);
});

test("a bar without volume prints nothing; ids are unique per bar and point", () => {
  assert.deepEqual(barTrades(bar("100", "101", "99", "100", "0"), undefined), []);
  assert.deepEqual(barTrades(bar("100", "101", "99", "100"), undefined).map((t) => t.id), ["bar-0-0", "bar-0-1", "bar-0-2", "bar-0-3"]);
});
