/**
 * The run's performance as the engine state holds it: fed the applied events, valued on the
 * journaled marks only, bounded, and restored from its snapshot to the same figures.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, format } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { decodeValue, encodeValue } from "../../src/journal/codec.ts";
import { RunPerformance, type RunPerformanceSnapshot } from "../../src/report/run-performance.ts";
import { T0, fill, mark, order } from "./fixtures.ts";

/** Buy 1 at 100, marked down to 90 (bid), up to 120, sold at 118: every figure by hand. */
const RUN: HeanEvent[] = [
  mark("99", "101", T0),
  ...order("a", "buy", T0 + 1_000),
  fill("a", "buy", "100", "0.1", T0 + 2_000), // cash 10000 − 100 − 0.1; equity at bid 99: 9998.9
  mark("90", "91", T0 + 60_000), // equity 9989.9: drawdown from 10000 (the start) = 0.101%
  mark("120", "121", T0 + 120_000), // equity 10019.9, a new peak
  ...order("b", "sell", T0 + 121_000),
  fill("b", "sell", "118", "0.118", T0 + 122_000), // cash 10017.782, flat
];

function engine(events: readonly HeanEvent[]): EngineState {
  const st = new EngineState(dec("10000"));
  for (const e of events) st.apply(e);
  return st;
}

test("fees and the maker share count the open trade's fills too: net P&L has paid them", () => {
  // The round trip above (fees 0.218, taker), then a maker buy of 1 at 119 (fee 0.0238) still open.
  const st = engine([
    ...RUN,
    ...order("c", "buy", T0 + 130_000),
    fill("c", "buy", "119", "0.0238", T0 + 131_000, "maker"),
  ]);
  const s = st.performance.summary(st.portfolio.capitalIn, st.portfolio.equity());
  assert.equal(s.trades, 1);
  assert.equal(s.fees, "0.2418");
  // 1 of the 3 filled is maker.
  assert.equal(s.makerSharePct, 33.333333);
  // The closed trades' own table keeps to them.
  assert.equal(format(st.performance.ledger.totals().fees), "0.218");
});

test("one round trip: the trade, P&L, fees, curve and drawdown equal the hand figures", () => {
  const st = engine(RUN);
  const [trip] = st.performance.recentTrades();
  assert.equal(st.performance.recentTrades().length, 1);
  assert.equal(format(trip!.netPnl), "17.782");
  assert.equal(format(trip!.fees), "0.218");
  assert.equal(trip!.exitReason, "signal");
  const s = st.performance.summary(st.portfolio.capitalIn, st.portfolio.equity());
  assert.equal(s.netPnl, "17.782");
  assert.equal(s.trades, 1);
  assert.equal(s.winRatePct, 100);
  // Peak 10000 (start) → trough 9989.9 = 0.101 %.
  assert.equal(s.maxDrawdownPct, 0.101);
  assert.equal(s.exposurePct, Number(((120_000 / 122_000) * 100).toFixed(6)));
  assert.deepEqual(
    st.performance.equityCurve().map((p) => [p.ts - T0, format(p.equity)]),
    [
      [0, "10000"],
      [2_000, "9998.9"],
      [60_000, "9989.9"],
      [120_000, "10019.9"],
      [122_000, "10017.782"],
    ],
  );
  assert.equal(s.buyAndHoldPct, Number(((120.5 / 100 - 1) * 100).toFixed(6)));
});

test("valued on journaled marks only: a live mark the journal never saw changes nothing", () => {
  const st = new EngineState(dec("10000"));
  for (const e of RUN.slice(0, 5)) st.apply(e);
  st.portfolio.setMark("BTCUSDT", dec("50"), dec("51"), T0 + 3_000); // live market data, not journaled
  st.apply(mark("90", "91", T0 + 60_000));
  assert.equal(format(st.performance.equityCurve().at(-1)!.equity), "9989.9");
});

test("a snapshot restores the same figures, and a deposit is not a recovery from drawdown", () => {
  const st = engine(RUN.slice(0, 6));
  const restored = RunPerformance.fromSnapshot(decodeValue(encodeValue(st.performance.snapshot())) as RunPerformanceSnapshot);
  assert.deepEqual(restored.snapshot(), st.performance.snapshot());
  st.apply({ type: "cash.adjusted", ts: T0 + 70_000, adjustmentId: "dep1", amount: dec("1000"), reason: "transfer", detail: "TRANSFER_IN", venueTs: T0 + 70_000, source: "stream" });
  const dd = st.performance.drawdown()!;
  assert.equal(format(dd.peak), "11000", "the peak moved with the deposit");
  assert.equal(Number(dd.maxPct.toFixed(5)), 0.00101);
});

test("cash moved without a trade is no drawdown or return: the curve reads as if it had been there from the start", () => {
  // A withdrawal of half the account after the first mark: plainly read, a 50% fall.
  const st = engine([mark("99", "101", T0)]);
  st.apply({ type: "cash.adjusted", ts: T0 + 1_000, adjustmentId: "w1", amount: dec("-5000"), reason: "transfer", detail: "TRANSFER_OUT", venueTs: T0 + 1_000, source: "stream" });
  st.apply(mark("99", "101", T0 + 2_000));
  const s = st.performance.summary(st.portfolio.capitalIn, st.portfolio.equity());
  assert.equal(s.startEquity, "5000");
  assert.equal(s.maxDrawdownPct, 0);
  assert.equal(s.totalReturnPct, 0);
  assert.deepEqual(new Set(st.performance.equityCurve().map((p) => format(p.equity))), new Set(["5000"]));
  // A snapshot written before the curve was kept net of transfers (plain equity) reads back the same.
  const { curveBasis: _net, ...current } = st.performance.snapshot();
  const old: RunPerformanceSnapshot = { ...current, curve: current.curve.map((b) => ({ ...b, close: dec("5000"), low: dec("5000"), high: dec("5000") })) };
  assert.deepEqual(new Set(RunPerformance.fromSnapshot(old).equityCurve().map((p) => format(p.equity))), new Set(["5000"]));
});

test("time at the peak is no drawdown: the duration counts from the last sample at the peak to the first back at it", () => {
  // Flat (equity 10000) from T0 to T0 + 50 s, marked twice; bought at T0 + 50 s; marked back above 10000 at T0 + 70 s.
  const st = engine([
    mark("99", "101", T0),
    mark("99", "101", T0 + 50_000),
    ...order("a", "buy", T0 + 50_000),
    fill("a", "buy", "100", "0.1", T0 + 50_000), // equity 9998.9
    mark("102", "103", T0 + 70_000), // equity 10001.9: recovered after 20 s
    mark("102", "103", T0 + 200_000), // at the new peak for 130 s more: not a drawdown
  ]);
  assert.equal(st.performance.drawdown()!.maxDurationMs, 20_000);
  assert.equal(st.performance.summary(dec("10000"), st.portfolio.equity()).maxDrawdownDurationMs, 20_000);
});

test("bounded: the curve thins to its cap and keeps the extremes; recent trades keep the newest", () => {
  const p = new RunPerformance({ recentTrades: 3, curvePoints: 10, originWindow: 100 });
  const noTransfers = () => dec("0");
  let equity = 100;
  for (let i = 0; i < 1_000; i++) {
    equity = i === 500 ? 1 : 100 + (i % 7);
    p.apply(mark("1", "2", T0 + i * 1_000), () => dec(String(equity)), noTransfers);
  }
  const curve = p.equityCurve();
  assert.ok(p.snapshot().curve.length <= 10, `${p.snapshot().curve.length} buckets`);
  assert.ok(curve.some((c) => format(c.equity) === "1"), "the dip survives thinning");
  assert.equal(p.drawdown()!.maxPct, (106 - 1) / 106, "exact, from every sample");
});
