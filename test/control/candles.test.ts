/** The dashboard's candle builder: OHLCV per interval from trades, mid fallback, bounded memory, late trades. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CandleBook } from "../../src/control/candles.ts";

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

test("trades make OHLCV candles at 1 s, 1 m and 5 m", () => {
  const book = new CandleBook();
  // Three trades in second 0, one in second 1, one a minute later, one 5 minutes later.
  book.addTrade("BTCUSDT", T0 + 100, 100, 1);
  book.addTrade("BTCUSDT", T0 + 400, 105, 2);
  book.addTrade("BTCUSDT", T0 + 900, 99, 0.5);
  book.addTrade("BTCUSDT", T0 + 1_500, 101, 1);
  book.addTrade("BTCUSDT", T0 + 61_000, 102, 3);
  book.addTrade("BTCUSDT", T0 + 301_000, 98, 1);
  const s = book.candles("BTCUSDT", "1s");
  assert.equal(s.length, 4);
  assert.deepEqual(s[0], { time: T0, open: 100, high: 105, low: 99, close: 99, volume: 3.5, trades: 3 });
  assert.deepEqual(s[1], { time: T0 + 1_000, open: 101, high: 101, low: 101, close: 101, volume: 1, trades: 1 });
  const m = book.candles("BTCUSDT", "1m");
  assert.deepEqual(m.map((c) => c.time), [T0, T0 + 60_000, T0 + 300_000]);
  assert.deepEqual(m[0], { time: T0, open: 100, high: 105, low: 99, close: 101, volume: 4.5, trades: 4 });
  const m5 = book.candles("BTCUSDT", "5m");
  assert.deepEqual(m5.map((c) => [c.time, c.volume, c.close]), [
    [T0, 7.5, 102],
    [T0 + 300_000, 1, 98],
  ]);
  assert.equal(book.source("BTCUSDT"), "trades");
  assert.equal(book.candles("ETHUSDT", "1m").length, 0);
});

test("mid prices fill in until the first trade, then trades alone drive the candles", () => {
  const book = new CandleBook();
  book.addMid("ETHUSDT", T0, 3_400);
  book.addMid("ETHUSDT", T0 + 500, 3_402);
  assert.equal(book.source("ETHUSDT"), "mid");
  assert.deepEqual(book.candles("ETHUSDT", "1s")[0], { time: T0, open: 3_400, high: 3_402, low: 3_400, close: 3_402, volume: 0, trades: 0 });
  book.addTrade("ETHUSDT", T0 + 2_000, 3_401, 0.3);
  book.addMid("ETHUSDT", T0 + 3_000, 9_999);
  const s = book.candles("ETHUSDT", "1s");
  assert.equal(s.length, 2);
  assert.equal(s.at(-1)!.close, 3_401);
  assert.equal(book.source("ETHUSDT"), "trades");
});

test("memory stays bounded: each interval keeps its most recent candles", () => {
  const book = new CandleBook({ "1s": { ms: 1_000, keep: 50 }, "1m": { ms: 60_000, keep: 3 }, "5m": { ms: 300_000, keep: 2 } });
  for (let i = 0; i < 10_000; i++) book.addTrade("BTCUSDT", T0 + i * 1_000, 100 + (i % 7), 1);
  const s = book.candles("BTCUSDT", "1s");
  assert.equal(s.length, 50);
  assert.equal(s.at(-1)!.time, T0 + 9_999_000);
  assert.equal(s[0]!.time, T0 + 9_950_000);
  assert.equal(book.candles("BTCUSDT", "1m").length, 3);
  assert.equal(book.candles("BTCUSDT", "5m").length, 2);
  assert.equal(book.candles("BTCUSDT", "1s", 10).length, 10, "limit takes the newest");
  assert.equal(book.candles("BTCUSDT", "1s", 10)[9]!.time, T0 + 9_999_000);
});

test("a late trade lands in its kept candle without moving the close; one older than every kept candle is counted and dropped", () => {
  const book = new CandleBook({ "1s": { ms: 1_000, keep: 3 }, "1m": { ms: 60_000, keep: 10 }, "5m": { ms: 300_000, keep: 10 } });
  for (let i = 0; i < 5; i++) book.addTrade("BTCUSDT", T0 + i * 1_000, 100, 1);
  book.addTrade("BTCUSDT", T0 + 3_500, 120, 2);
  const s = book.candles("BTCUSDT", "1s");
  assert.deepEqual(s[1], { time: T0 + 3_000, open: 100, high: 120, low: 100, close: 100, volume: 3, trades: 2 });
  book.addTrade("BTCUSDT", T0 + 200, 80, 1);
  assert.equal(book.late, 1, "too old for the 1 s candles; the 1 m candle still takes it");
  assert.equal(book.candles("BTCUSDT", "1m")[0]!.low, 80);
});

test("bad numbers are ignored", () => {
  const book = new CandleBook();
  book.addTrade("BTCUSDT", Number.NaN, 100, 1);
  book.addTrade("BTCUSDT", T0, Number.POSITIVE_INFINITY, 1);
  book.addTrade("BTCUSDT", T0, 0, 1);
  book.addTrade("BTCUSDT", T0, 100, -1);
  book.addMid("BTCUSDT", T0, -5);
  assert.equal(book.candles("BTCUSDT", "1s").length, 0);
});
