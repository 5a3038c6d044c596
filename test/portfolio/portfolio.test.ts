import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { Side } from "../../src/core/events.ts";
import { Portfolio } from "../../src/portfolio/portfolio.ts";
import { toFillEvent } from "./arbitraries.ts";

const f = (symbol: string, side: Side, price: string, qty: string, fee = "0") =>
  toFillEvent({ symbol, side, price: dec(price), qty: dec(qty), fee: dec(fee) });

test("fees and rebates move cash; realised P&L excludes them", () => {
  const p = new Portfolio(dec("1000"));
  p.applyFill(f("BTCUSDT", "buy", "100", "1", "0.055"));
  p.applyFill(f("BTCUSDT", "sell", "105", "1", "-0.021"));
  assert.equal(p.realizedPnl, dec("5"));
  assert.equal(p.fees, dec("0.034"));
  assert.equal(p.cash, dec("1004.966"));
});

test("unrealised P&L, exposure and equity use the marks, longs at the bid and shorts at the ask", () => {
  const p = new Portfolio(dec("1000"));
  p.applyFill(f("BTCUSDT", "buy", "100", "2"));
  p.applyFill(f("ETHUSDT", "sell", "10", "5"));
  assert.equal(p.unrealizedPnl(), dec("0"), "nothing marked yet");
  assert.equal(p.grossExposure(), dec("250"), "unmarked positions count at cost");
  p.setMark("BTCUSDT", dec("99"), dec("101"), 1);
  p.setMark("ETHUSDT", dec("9"), dec("11"), 0);
  assert.equal(p.unrealizedPnl("BTCUSDT"), dec("-2"));
  assert.equal(p.unrealizedPnl("ETHUSDT"), dec("-5"));
  assert.equal(p.unrealizedPnl(), dec("-7"));
  assert.equal(p.equity(), dec("993"));
  assert.equal(p.positionNotional("BTCUSDT"), dec("198"));
  assert.equal(p.positionNotional("ETHUSDT"), dec("55"));
  assert.equal(p.grossExposure(), dec("253"));
  assert.deepEqual(p.mark("BTCUSDT"), { bid: dec("99"), ask: dec("101"), ts: 1 });
});

test("positions lists every symbol traded; openPositions only the non-flat ones", () => {
  const p = new Portfolio(dec("1000"));
  p.applyFill(f("BTCUSDT", "buy", "100", "1"));
  p.applyFill(f("BTCUSDT", "sell", "101", "1"));
  p.applyFill(f("ETHUSDT", "buy", "10", "1"));
  assert.deepEqual(p.positions().map((x) => x.symbol), ["BTCUSDT", "ETHUSDT"]);
  assert.deepEqual(p.openPositions().map((x) => x.symbol), ["ETHUSDT"]);
  assert.equal(p.position("BTCUSDT").realizedPnl, dec("1"));
  assert.equal(p.position("SOLUSDT").qty, 0n, "an untraded symbol is flat");
});

test("snapshot → fromSnapshot round trips", () => {
  const p = new Portfolio(dec("1000"));
  p.applyFill(f("BTCUSDT", "buy", "100", "1.5", "0.1"));
  p.applyFill(f("ETHUSDT", "sell", "10", "3", "-0.01"));
  p.setMark("BTCUSDT", dec("101"), dec("102"), 7);
  const snap = p.snapshot();
  const q = Portfolio.fromSnapshot(snap);
  assert.deepEqual(q.snapshot(), snap);
  assert.equal(q.equity(), p.equity());
  assert.equal(q.initialCash, dec("1000"));
});
