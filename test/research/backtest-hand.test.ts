/**
 * A backtest whose right answer is worked out by hand: six aggTrades, a strategy that buys once
 * and sells once, both as takers (urgency "immediate"), ETHUSDT rules (tick 0.01, lot 0.01,
 * taker fee 0.055 %). With trades only, the touch is where the last trade printed: a sell on the
 * bid with the ask one tick above, a buy on the ask with the bid one tick below.
 *
 *   t=0     sell 2000.00 → bid 2000.00 / ask 2000.01. The strategy opens: 1000 USDT (the
 *           max order notional) at mid 2000.005 → 0.49 ETH (lot-rounded down).
 *   t=5ms   the order reaches the engine (5 ms latency): buys 0.49 at the ask 2000.01.
 *           cost 980.0049, fee 0.539002695 → equity 9999.460997305
 *   t=1000  buy 2000.01 → bid 2000.00: long valued at the bid, equity 9999.456097305
 *   t=2000  sell 1990.00 → bid 1990.00: equity 10000 − 0.539002695 + 0.49×1990 − 980.0049
 *           = 9994.556097305, the low: drawdown 5.443902695 / 10000 = 0.0544390…%
 *   t=3000  buy 2010.00 → bid 2009.99: equity 10004.351197305 (new peak, after 3000 ms under);
 *           the strategy closes (bid ≥ 2005)
 *   t=3005  sells 0.49 at the bid 2009.99: proceeds 984.8951, fee 0.541692305
 *           gross 4.8902, fees 1.080695, net 3.809505 → equity 10003.809505
 *   t=4000…6000 flat; the run ends at 6000 still under the t=3000 peak: that drawdown lasts 3000 ms.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import { printBacktest } from "../../src/cli/backtest-command.ts";
import type { SignalEvent } from "../../src/core/events.ts";
import type { Strategy } from "../../src/strategies/strategy.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-bt-hand-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROWS: readonly [number, string, boolean][] = [
  // [ms after T0, price, is_buyer_maker (true: the taker sold)]
  [0, "2000.00", true],
  [1000, "2000.01", false],
  [2000, "1990.00", true],
  [3000, "2010.00", false],
  [4000, "2009.99", true],
  [5000, "2015.00", false],
  [6000, "2020.00", true],
];

function aggTradesFile(): string {
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-01.csv");
  const lines = ROWS.map(([ms, price, buyerMaker], i) => `${100 + i},${price},1.500,${200 + i},${200 + i},${T0 + ms},${buyerMaker}`);
  writeFileSync(file, `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n${lines.join("\n")}\n`);
  return file;
}

/** Buys on the first book, sells once the bid reaches 2005. */
function buyOnceSellOnce(): Strategy {
  let opened = false;
  let closed = false;
  const signal = (ts: number, symbol: string, action: "open" | "close", side: "buy" | "sell"): SignalEvent => ({
    type: "signal",
    ts,
    strategyId: "once",
    symbol,
    action,
    side,
    confidence: 1,
    stopDistance: 0.01,
    reason: "hand-checked",
  });
  return {
    id: "once",
    onBook(book, view) {
      if (!opened) {
        opened = true;
        return signal(book.ts, book.symbol, "open", "buy");
      }
      if (!closed && view.positionQty(book.symbol) > 0 && book.bid >= 2005n * 10n ** 18n) {
        closed = true;
        return signal(book.ts, book.symbol, "close", "sell");
      }
      return undefined;
    },
  };
}

test("a hand-computed backtest: trades, P&L, fees and drawdown to the last decimal", async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate", "execution.exitUrgency=immediate"] });
  const { report } = await runBacktest({ files: [aggTradesFile()], config, strategies: [buyOnceSellOnce()] });
  const p = report.performance;
  assert.equal(report.backtest.data.events, 7);
  assert.equal(report.trades.closed.length, 1);
  const t = report.trades.closed[0]!;
  assert.deepEqual(
    { direction: t.direction, qty: t.qty, entry: t.entryPrice, exit: t.exitPrice, openedAt: t.openedAt - T0, closedAt: t.closedAt - T0 },
    { direction: "long", qty: "0.49", entry: "2000.01", exit: "2009.99", openedAt: 5, closedAt: 3005 },
  );
  assert.equal(t.grossPnl, "4.8902");
  assert.equal(t.fees, "1.080695");
  assert.equal(t.netPnl, "3.809505");
  assert.equal(t.makerQty, "0");
  assert.equal(report.fees, "1.080695");
  assert.equal(report.realizedPnl, "4.8902");
  assert.equal(report.equity, "10003.809505");
  assert.equal(p.netPnl, "3.809505");
  assert.equal(p.fees, "1.080695");
  assert.equal(p.trades, 1);
  assert.equal(p.winRatePct, 100);
  assert.equal(p.expectancy, "3.809505");
  assert.equal(p.totalReturnPct, 0.038095);
  assert.equal(p.maxDrawdownPct, 0.054439);
  assert.equal(p.maxDrawdownDurationMs, 3000);
  assert.equal(p.exposurePct, 50);
  assert.equal(p.makerSharePct, 0);
  assert.equal(p.from, T0);
  assert.equal(p.to, T0 + 6000);
});

test("funding from a fundingRate file is the trade's: its net P&L, the run's funding and equity, to the last decimal", async () => {
  // At t=2500 the 0.49 ETH long is marked at the touch's mid, (1990.00 + 1990.01) / 2 = 1990.005:
  // at a rate of 0.0001 (longs pay) it pays 0.49 × 1990.005 × 0.0001 = 0.097510245.
  const funding = join(dir, "ETHUSDT-fundingRate-2025-01.csv");
  writeFileSync(funding, `calc_time,funding_interval_hours,last_funding_rate\n${T0 + 2500},8,0.00010000\n`);
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate", "execution.exitUrgency=immediate"] });
  const { report } = await runBacktest({ files: [aggTradesFile(), funding], config, strategies: [buyOnceSellOnce()] });
  const t = report.trades.closed[0]!;
  assert.deepEqual([t.grossPnl, t.fees, t.funding, t.netPnl], ["4.8902", "1.080695", "-0.097510245", "3.711994755"]);
  assert.equal(report.equity, "10003.711994755");
  assert.equal(report.performance.funding, "-0.097510245");
  assert.equal(report.performance.netPnl, "3.711994755", "the equity's net P&L is the trades'");
  assert.equal(report.performance.expectancy, "3.711994755");
  assert.equal(report.trades.bySymbol[0]!.funding, "-0.097510245");
  const text = printBacktest(report);
  assert.match(text, /^funding +-0\.10$/m);
  assert.match(text, /fees  funding  net P&L  exit reason\n.*\n.* 1\.08 +-0\.10 +3\.71  signal$/m, "a funding column where a trade has funding");
  assert.doesNotMatch(text, /none in the data/);
  // Without the file: no funding, and the report says the data had none.
  const without = await runBacktest({ files: [aggTradesFile()], config, strategies: [buyOnceSellOnce()] });
  assert.equal(without.report.performance.funding, "0");
  assert.match(printBacktest(without.report), /funding: none in the data, so none was settled/);
  assert.doesNotMatch(printBacktest(without.report), /funding  net P&L/, "no column of zeros");
});

test("a monthly fundingRate file beside a few seconds of trades: the run is the trades' period, funding outside it is not settled and the notes say so", async () => {
  // Rows every 8 h from the day before to a month after: only the one at t=2500 lies within the
  // trades (0 … 6000 ms). Before the fix the run began a day early and ran on for a month,
  // the last price standing still, and settled funding on whatever was held then.
  const funding = join(dir, "ETHUSDT-fundingRate-2025-01-month.csv");
  const h8 = 8 * 3_600_000;
  // One at the last trade's very time (T0 + 6000, flat by then) is within the data too.
  const rows = [T0 - 3 * h8, T0 + 2500, T0 + 6000, ...Array.from({ length: 90 }, (_, i) => T0 + (i + 1) * h8)];
  writeFileSync(funding, `calc_time,funding_interval_hours,last_funding_rate\n${rows.map((t) => `${t},8,0.00010000`).join("\n")}\n`);
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate", "execution.exitUrgency=immediate"] });
  const { report } = await runBacktest({ files: [aggTradesFile(), funding], config, strategies: [buyOnceSellOnce()] });
  assert.equal(report.backtest.data.from, T0);
  assert.equal(report.backtest.data.to, T0 + 6000);
  assert.equal(report.performance.funding, "-0.097510245", "the one within the trades, as in the test above");
  assert.equal(report.backtest.data.fundingOutside, 91);
  assert.match(printBacktest(report), /funding: 91 funding record\(s\) before the first or after the last trade, book or kline were not settled/);
});

test("the same backtest twice gives byte-identical reports", async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=churn"] });
  const file = aggTradesFile();
  const a = await runBacktest({ files: [file], config });
  const b = await runBacktest({ files: [file], config });
  assert.equal(JSON.stringify(a.report), JSON.stringify(b.report));
});

test("a stopped backtest (Ctrl-C) ends cleanly where it was, and its report says so", async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "strategy.name=churn"] });
  const rows = Array.from({ length: 20_000 }, (_, i) => `${i + 1},${(2000 + (i % 9) * 0.25).toFixed(2)},0.200,${i},${i},${T0 + i * 100},${i % 2 === 0}`);
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-11.csv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  const abort = new AbortController();
  const { report } = await runBacktest({ files: [file], config, signal: abort.signal, progressEvery: 1_000, onProgress: (p) => void (p.events >= 1_000 && abort.abort()) });
  assert.equal(report.backtest.data.interrupted, true);
  assert.ok(report.backtest.data.events >= 1_000 && report.backtest.data.events < 20_000, `${report.backtest.data.events} events`);
  assert.deepEqual(report.orderTotals.working, 0, "working orders were settled at the stop");
});

/**
 * Two round trips with a jump between them while flat, by hand (ETHUSDT rules as above; every
 * order a taker; the touch is the last print's, bid = price, ask one tick above):
 *
 *   t=0     2000.00: buy 1000 USDT at most, at the taker limit floor(2000.01 × 1.0015) = 2003.01
 *           → 0.49 ETH; filled at 2000.01 (t=5), fee 0.539002695
 *   t=1000  2002.00: marked (equity 10000.436097305, the peak); sold at 2002.00 (t=1005), fee
 *           0.539539 → net −0.103441695, equity 9999.896558305
 *   t=2000  2500.00 while flat: buy at most floor(2500.01 × 1.0015) = 2503.76 → 0.39 ETH; filled
 *           at 2500.01 (t=2005), fee 0.536252145. Valued at the bid 2500.00 the market shows,
 *           equity 9999.35640616 — not at the 2002 of the last trade's mark (that read 9804.4).
 *   t=3000  2500.50: marked (9999.55140616); sold at 2500.50 (t=3005), fee 0.53635725 → net
 *           −0.881509395, equity 9999.01504891, the low: drawdown 1.421048395 / 10000.436097305
 *   t=4000  2501.00: the end; under water since the peak at t=1000 for 3000 ms.
 *   Buy and hold: mid 2000.005 at the first book, 2501.005 at the last: +25.049937…%
 */
const JUMP: readonly [number, string][] = [
  [0, "2000.00"],
  [1000, "2002.00"],
  [2000, "2500.00"],
  [3000, "2500.50"],
  [4000, "2501.00"],
];

function jumpFile(): string {
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-02.csv");
  const t0 = Date.UTC(2025, 0, 2);
  const lines = JUMP.map(([ms, price], i) => `${300 + i},${price},1.500,${400 + i},${400 + i},${t0 + ms},true`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Opens a long on the 1st and 3rd book it sees and closes it on the 2nd and 4th. */
function openCloseTwice(): Strategy {
  let books = 0;
  return {
    id: "twice",
    onBook(book) {
      books++;
      if (books > 4) return undefined;
      const open = books % 2 === 1;
      return { type: "signal", ts: book.ts, strategyId: "twice", symbol: book.symbol, action: open ? "open" : "close", side: open ? "buy" : "sell", confidence: 1, stopDistance: 0.01, reason: "hand-checked" };
    },
  };
}

test("an entry after the market moved while flat is valued at the market, not at the last trade's mark: drawdown, its duration and buy-and-hold by hand", async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate", "execution.exitUrgency=immediate"] });
  const { report, charts } = await runBacktest({ files: [jumpFile()], config, strategies: [openCloseTwice()] });
  const p = report.performance;
  assert.deepEqual(
    report.trades.closed.map((t) => [t.qty, t.entryPrice, t.exitPrice, t.fees, t.netPnl]),
    [
      ["0.49", "2000.01", "2002", "1.078541695", "-0.103441695"],
      ["0.39", "2500.01", "2500.5", "1.072609395", "-0.881509395"],
    ],
  );
  assert.equal(report.equity, "9999.01504891");
  const low = charts.equity.reduce((m, x) => Math.min(m, x.value), Infinity);
  assert.equal(low, 9999.01504891, "no dip from valuing the second entry at the first trade's last mark");
  assert.equal(p.maxDrawdownPct, Number(((1.421048395 / 10000.436097305) * 100).toFixed(6)));
  assert.equal(p.maxDrawdownDurationMs, 3000);
  assert.equal(p.buyAndHoldPct, Number(((2501.005 / 2000.005 - 1) * 100).toFixed(6)));
});

test("no trades: buy-and-hold spans the data, and time spent at the peak is no drawdown", async () => {
  const config = loadConfig({ overrides: ["symbols=ETHUSDT"] });
  const { report } = await runBacktest({ files: [jumpFile()], config, strategies: [] });
  const p = report.performance;
  assert.equal(p.trades, 0);
  assert.equal(p.buyAndHoldPct, Number(((2501.005 / 2000.005 - 1) * 100).toFixed(6)));
  assert.equal(p.maxDrawdownPct, 0);
  assert.equal(p.maxDrawdownDurationMs, 0);
});

test("an entry sized at the max order notional goes out: sized at its taker leg's limit, which the pre-trade check measures", async () => {
  // Touch 1999.99 / 2000.00, mid 1999.995: 1000 USDT is 0.5 ETH at the mid but 1001.50 at the taker
  // limit 2003.00 (MAX_ORDER_NOTIONAL before); at that limit it is 0.49 ETH, filled at 2000.00.
  const file = join(dir, "ETHUSDT-aggTrades-2025-01-03.csv");
  const t0 = Date.UTC(2025, 0, 3);
  writeFileSync(file, [0, 1000, 2000].map((ms, i) => `${500 + i},1999.99,1.500,${600 + i},${600 + i},${t0 + ms},true`).join("\n") + "\n");
  let sent = false;
  const wide: Strategy = {
    id: "cap",
    onBook(book) {
      if (sent) return undefined;
      sent = true;
      return { type: "signal", ts: book.ts, strategyId: "cap", symbol: book.symbol, action: "open", side: "buy", confidence: 1, stopDistance: 0.001, reason: "at the cap" };
    },
  };
  const config = loadConfig({ overrides: ["symbols=ETHUSDT", "execution.urgency=immediate"] });
  const { report } = await runBacktest({ files: [file], config, strategies: [wide] });
  assert.deepEqual(report.risk.denials, {});
  assert.deepEqual(report.trades.open.map((t) => [t.qty, t.entryPrice]), [["0.49", "2000"]]);
});
