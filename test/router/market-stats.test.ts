import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, fromNumber } from "../../src/core/decimal.ts";
import type { BookEvent } from "../../src/core/events.ts";
import { MarketStats } from "../../src/execution/router/market-stats.ts";

const book = (ts: number, bid: number, ask: number, bidQty = "1", askQty = "3"): BookEvent => ({
  type: "market.book",
  ts,
  symbol: "BTCUSDT",
  bid: fromNumber(bid),
  bidQty: dec(bidQty),
  ask: fromNumber(ask),
  askQty: dec(askQty),
  venueTs: ts,
  afterGap: false,
});

test("touch, spread and depth follow the latest book", () => {
  const s = new MarketStats();
  s.onBook(book(0, 99.99, 100.01));
  const t = s.touch("BTCUSDT")!;
  assert.equal(t.bidQty, 1);
  assert.equal(t.askQty, 3);
  assert.ok(Math.abs(t.spreadBps - 2) < 1e-9);
  assert.equal(t.volBpsPerSqrtS, undefined, "no volatility before warm-up");
  assert.equal(s.touch("ETHUSDT"), undefined);
});

test("volatility: zero for a still market, larger for a jumpier one, once warmed up", () => {
  const still = new MarketStats();
  const calm = new MarketStats();
  const wild = new MarketStats();
  for (let i = 0; i <= 40; i++) {
    still.onBook(book(i * 100, 99.99, 100.01));
    const c = i % 2 === 0 ? 0 : 0.01;
    calm.onBook(book(i * 100, 99.99 + c, 100.01 + c));
    const w = i % 2 === 0 ? 0 : 0.1;
    wild.onBook(book(i * 100, 99.99 + w, 100.01 + w));
  }
  assert.equal(still.touch("BTCUSDT")!.volBpsPerSqrtS, 0);
  const vc = calm.touch("BTCUSDT")!.volBpsPerSqrtS!;
  const vw = wild.touch("BTCUSDT")!.volBpsPerSqrtS!;
  // A 1 bp step every 100 ms is 1 bp × √10 per √s.
  assert.ok(Math.abs(vc - Math.sqrt(10)) < 0.05, `calm ${vc}`);
  assert.ok(Math.abs(vw / vc - 10) < 0.1, `ten times the step, ten times the volatility (${vw / vc})`);
});

test("crossed or empty books and out-of-order updates change nothing", () => {
  const s = new MarketStats();
  s.onBook(book(1_000, 99.99, 100.01));
  s.onBook(book(2_000, 100.02, 100.01));
  s.onBook(book(3_000, 0, 100.01));
  s.onBook(book(500, 50, 51));
  assert.equal(s.touch("BTCUSDT")!.ts, 1_000);
  assert.equal(s.touch("BTCUSDT")!.bid, 99.99);
});
