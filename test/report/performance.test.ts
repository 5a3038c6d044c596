import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ZERO, dec } from "../../src/core/decimal.ts";
import { maxDrawdown, performance } from "../../src/report/performance.ts";
import type { TradeTotals } from "../../src/report/trade-ledger.ts";

const MIN = 60_000;
const noTrades: TradeTotals = { trades: 0, wins: 0, losses: 0, grossProfit: ZERO, grossLoss: ZERO, netPnl: ZERO, fees: ZERO, funding: ZERO, tradedQty: ZERO, makerQty: ZERO };

describe("performance", () => {
  test("max drawdown and its duration, by hand", () => {
    const curve = [
      { ts: 0, equity: 100 },
      { ts: 10, equity: 120 },
      { ts: 20, equity: 90 }, // 25 % below 120
      { ts: 30, equity: 110 },
      { ts: 50, equity: 125 }, // back above 120 after 40
      { ts: 60, equity: 120 },
    ];
    const dd = maxDrawdown(curve);
    assert.equal(dd.pct, 0.25);
    assert.equal(dd.durationMs, 40);
    // Still under water at the end: lasts until the last sample.
    assert.deepEqual(maxDrawdown([{ ts: 0, equity: 100 }, { ts: 5, equity: 50 }, { ts: 9, equity: 60 }]), { pct: 0.5, durationMs: 9 });
    // Samples at the peak, however far apart, are no drawdown; one starts at the last of them.
    assert.deepEqual(maxDrawdown([{ ts: 0, equity: 100 }, { ts: 1_000, equity: 100 }, { ts: 5_000, equity: 100 }]), { pct: 0, durationMs: 0 });
    assert.deepEqual(maxDrawdown([{ ts: 0, equity: 100 }, { ts: 4_000, equity: 100 }, { ts: 4_005, equity: 99 }, { ts: 6_000, equity: 101 }]), { pct: 0.01, durationMs: 2_000 });
  });

  test("trade statistics, exposure, maker share and buy-and-hold, by hand", () => {
    const totals: TradeTotals = {
      trades: 4,
      wins: 3,
      losses: 1,
      grossProfit: dec("30"),
      grossLoss: dec("-10"),
      netPnl: dec("20"),
      fees: dec("1.5"),
      funding: ZERO,
      tradedQty: dec("8"),
      makerQty: dec("2"),
    };
    const p = performance({
      from: 0,
      to: 10 * MIN,
      startEquity: dec("1000"),
      endEquity: dec("1020"),
      equity: [],
      totals,
      fills: totals,
      funding: dec("-0.75"),
      exposedMs: 4 * MIN,
      benchmark: [
        { symbol: "A", first: dec("100"), last: dec("110") },
        { symbol: "B", first: dec("50"), last: dec("45") },
      ],
    });
    assert.equal(p.totalReturnPct, 2);
    assert.equal(p.netPnl, "20");
    assert.equal(p.winRatePct, 75);
    assert.equal(p.profitFactor, 3);
    assert.equal(p.expectancy, "5");
    assert.equal(p.averageWin, "10");
    assert.equal(p.averageLoss, "-10");
    assert.equal(p.exposurePct, 40);
    assert.equal(p.makerSharePct, 25);
    assert.equal(p.fees, "1.5");
    assert.equal(p.funding, "-0.75");
    assert.equal(p.buyAndHoldPct, 0); // +10 % and −10 %, equal weights
    assert.equal(p.maxDrawdownPct, 0);
    assert.equal(p.annualisedReturnPct, null, "not annualised from less than a day");
  });

  test("Sharpe and Sortino from daily returns over a month, annualised over 365 days", () => {
    const day = 86_400_000;
    // Alternating +2 % and −1 % days.
    const equity = [];
    let e = 1000;
    for (let d = 1; d <= 30; d++) {
      e *= d % 2 === 1 ? 1.02 : 0.99;
      equity.push({ ts: d * day, equity: dec(e.toFixed(6)) });
    }
    const p = performance({ from: 0, to: 30 * day, startEquity: dec("1000"), endEquity: equity.at(-1)!.equity, equity, totals: noTrades, fills: noTrades, funding: ZERO, exposedMs: 0, benchmark: [] });
    assert.equal(p.returnPeriod, "day");
    const r = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 0.02 : -0.01));
    const m = r.reduce((s, x) => s + x, 0) / r.length;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / (r.length - 1));
    const down = Math.sqrt(r.reduce((s, x) => s + Math.min(0, x) ** 2, 0) / r.length);
    assert.ok(Math.abs(p.sharpe! - (m / sd) * Math.sqrt(365)) < 1e-3, `sharpe ${p.sharpe}`);
    assert.ok(Math.abs(p.sortino! - (m / down) * Math.sqrt(365)) < 1e-3, `sortino ${p.sortino}`);
    assert.ok(p.calmar! > 0);
    assert.ok(Math.abs(p.maxDrawdownPct - 1) < 1e-6, `one −1 % day at a time: ${p.maxDrawdownPct}`);
  });

  test("a run too short for 30 returns gets no Sharpe or Sortino; one of 30 gets both", () => {
    // A steady loss, one sample a minute: the few returns barely vary, and annualised they
    // would read as a Sharpe in the thousands.
    const run = (minutes: number) => {
      const equity = Array.from({ length: minutes }, (_, i) => ({ ts: (i + 1) * MIN, equity: dec((1000 - (i + 1) * (1 + (i % 3) / 10)).toFixed(2)) }));
      return performance({ from: 0, to: minutes * MIN, startEquity: dec("1000"), endEquity: equity.at(-1)!.equity, equity, totals: noTrades, fills: noTrades, funding: ZERO, exposedMs: 0, benchmark: [] });
    };
    const short = run(17);
    assert.equal(short.returnPeriod, "minute");
    assert.equal(short.returnCount, 17);
    assert.deepEqual([short.sharpe, short.sortino], [null, null]);
    const enough = run(30);
    assert.equal(enough.returnCount, 30);
    assert.ok(enough.sharpe !== null && enough.sharpe < 0, `sharpe ${enough.sharpe}`);
    assert.ok(enough.sortino !== null && enough.sortino < 0, `sortino ${enough.sortino}`);
  });

  test("nothing happened: no ratios invented", () => {
    const p = performance({ from: 0, to: 0, startEquity: dec("1000"), endEquity: dec("1000"), equity: [], totals: noTrades, fills: noTrades, funding: ZERO, exposedMs: 0, benchmark: [] });
    assert.deepEqual(
      [p.sharpe, p.sortino, p.calmar, p.winRatePct, p.profitFactor, p.expectancy, p.makerSharePct, p.buyAndHoldPct],
      [null, null, null, null, null, null, null, null],
    );
    assert.equal(JSON.stringify(p), JSON.stringify(performance({ from: 0, to: 0, startEquity: dec("1000"), endEquity: dec("1000"), equity: [], totals: noTrades, fills: noTrades, funding: ZERO, exposedMs: 0, benchmark: [] })));
  });
});
