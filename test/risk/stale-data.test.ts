import { test } from "node:test";
import assert from "node:assert/strict";
import { staleSymbols } from "../../src/risk/stale-data.ts";

const NOW = Date.UTC(2026, 0, 15, 12);
const STALE = 10_000;

test("a held symbol silent for longer than the threshold is stale; at the threshold it is not", () => {
  const books = new Map([
    ["BTCUSDT", NOW - 10_001],
    ["ETHUSDT", NOW - 10_000],
    ["SOLUSDT", NOW - 50],
  ]);
  assert.deepEqual(staleSymbols(books, ["BTCUSDT", "ETHUSDT", "SOLUSDT"], NOW, STALE), [
    { symbol: "BTCUSDT", silentMs: 10_001, lastBookAt: NOW - 10_001 },
  ]);
});

test("only held symbols matter", () => {
  const books = new Map([["BTCUSDT", NOW - 60_000]]);
  assert.deepEqual(staleSymbols(books, [], NOW, STALE), []);
  assert.deepEqual(staleSymbols(books, ["ETHUSDT"], NOW, STALE, NOW - 1000), []);
});

test("a held symbol that never had a book is stale at once without a watch start", () => {
  const r = staleSymbols(new Map(), ["BTCUSDT"], NOW, STALE);
  assert.equal(r.length, 1);
  assert.equal(r[0]!.symbol, "BTCUSDT");
  assert.equal(r[0]!.silentMs, Number.POSITIVE_INFINITY);
  assert.equal(r[0]!.lastBookAt, null);
});

test("with a watch start (e.g. after a restart) a never-seen symbol gets one threshold of grace", () => {
  const started = NOW - 5_000;
  assert.deepEqual(staleSymbols(new Map(), ["BTCUSDT"], NOW, STALE, started), []);
  assert.deepEqual(staleSymbols(new Map(), ["BTCUSDT"], started + 10_001, STALE, started), [
    { symbol: "BTCUSDT", silentMs: 10_001, lastBookAt: null },
  ]);
});

test("duplicates are reported once; a book from the future counts as fresh", () => {
  const books = new Map([
    ["BTCUSDT", NOW - 20_000],
    ["ETHUSDT", NOW + 5_000],
  ]);
  assert.deepEqual(
    staleSymbols(books, ["BTCUSDT", "BTCUSDT", "ETHUSDT"], NOW, STALE).map((s) => s.symbol),
    ["BTCUSDT"],
  );
});
