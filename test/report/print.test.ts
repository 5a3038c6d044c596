/**
 * The report as printed on exit (and on the HTML page): money to the cent (the JSON keeps every
 * digit), prices and quantities as they are, text columns on the left and figures on the right.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../src/core/decimal.ts";
import type { HeanEvent } from "../../src/core/events.ts";
import { EngineState } from "../../src/engine/engine-state.ts";
import { htmlReport } from "../../src/report/html.ts";
import { amount, denialsNote, price, printReport } from "../../src/report/print.ts";
import { performanceReport } from "../../src/report/run-performance.ts";
import { T0, fill, mark, order } from "./fixtures.ts";

/** The performance report of a run of events on 10,000 of capital, as the engine keeps it. */
function reportOf(run: readonly HeanEvent[]) {
  const st = new EngineState(dec("10000"));
  for (const e of run) st.apply(e);
  return performanceReport(st.performance, st.portfolio.capitalIn, st.portfolio.equity());
}

/** The printed line that starts with `label`. */
const lineOf = (text: string, label: string): string => text.split("\n").find((l) => l.startsWith(label))!;

test("amounts are shown to the cent; one under a cent keeps two significant digits", () => {
  assert.equal(amount("-0.41629565149321267"), "-0.42");
  assert.equal(amount("9819.0532221"), "9819.05");
  assert.equal(amount("10000"), "10000.00");
  assert.equal(amount("0"), "0.00");
  assert.equal(amount("0.000412"), "0.00041");
  assert.equal(amount("-0.004"), "-0.004");
  assert.equal(amount(null), "-");
});

test("the printed report rounds money, keeps prices and sizes exact, and aligns text left and figures right", () => {
  // Buy 1 at 100.005 (fee 0.1000123), sell at 118.25 (fee 0.11825): net 18.0267377 by hand.
  const report = reportOf([
    mark("100", "100.01", T0),
    ...order("a", "buy", T0 + 1_000),
    fill("a", "buy", "100.005", "0.1000123", T0 + 2_000),
    ...order("b", "sell", T0 + 61_000),
    fill("b", "sell", "118.25", "0.11825", T0 + 62_000),
    mark("118", "118.5", T0 + 63_000),
  ]);
  // The report itself keeps every digit.
  assert.equal(report.trades.closed[0]!.netPnl, "18.0267377");
  const text = printReport(report, "Test");
  const line = (label: string): string => lineOf(text, label);
  assert.match(line("equity"), /^equity +10000\.00 → 10018\.03$/);
  assert.match(line("net P&L"), /^net P&L +18\.03$/);
  assert.match(line("fees"), /^fees +0\.22$/);
  assert.match(line("expectancy"), /^expectancy +18\.03$/);
  // 63 s of trading: two minute returns, too few for a ratio, and the row says so.
  assert.match(line("sharpe (minute)"), /^sharpe \(minute\) +- \(2 minute returns, needs 30\)$/);
  assert.match(line("sortino"), /^sortino +- \(2 minute returns, needs 30\)$/);
  const [header, , trip] = text.split("\n== Round-trip trades (1) ==\n")[1]!.split("\n");
  assert.equal(header!.split(/ {2,}/).join("|"), "#|symbol|dir|opened|closed|held|qty|entry|exit|fees|net P&L|exit reason");
  assert.doesNotMatch(text, / \n/, "no line ends in padding");
  // Text starts where its header starts; figures end where their header ends.
  const col = (name: string): { start: number; end: number } => ({ start: header!.indexOf(name), end: header!.indexOf(name) + name.length });
  assert.equal(trip!.indexOf("BTCUSDT"), col("symbol").start);
  assert.equal(trip!.indexOf("long"), col("dir").start);
  assert.equal(trip!.indexOf("signal"), col("exit reason").start);
  assert.equal(trip!.indexOf("100.005") + "100.005".length, col("entry").end);
  assert.equal(trip!.indexOf("118.25") + "118.25".length, col("exit").end);
  assert.equal(trip!.indexOf("0.22") + "0.22".length, col("fees").end);
  assert.equal(trip!.indexOf("18.03") + "18.03".length, col("net P&L").end);
  assert.equal(trip!.indexOf("1:00") + "1:00".length, col("held").end);
  assert.doesNotMatch(text, /18\.0267377|0\.2182623/, "no unrounded amount is printed");
  // The HTML page reads the same: its summary and its trades table.
  const html = htmlReport(report, { equity: [], prices: {} }, []);
  assert.match(html, /<tr><th>net P&#38;L<\/th><td>18\.03<\/td><\/tr>/);
  // The same columns as the terminal's tables, text on the left: held, and the per-symbol and per-day tables too.
  assert.match(html, /<td class="l">2026-01-05 10:00:02<\/td><td class="l">2026-01-05 10:01:02<\/td><td>00:01:00<\/td><td>1<\/td><td>100\.005<\/td><td>118\.25<\/td><td>0\.22<\/td><td>18\.03<\/td><td class="l">signal<\/td>/);
  assert.match(html, /<h2>By symbol<\/h2><table id="by-symbol">.*<td class="l">BTCUSDT<\/td><td>1<\/td><td>100\.00%<\/td><td>18\.03<\/td>/);
  assert.match(html, /<h2>By day \(UTC\)<\/h2><table id="by-day">/);
  assert.doesNotMatch(html, /18\.0267377/);
});

test("a price is shown as the venue wrote it; an average of fills to 8 decimals", () => {
  assert.equal(price("43648.4"), "43648.4");
  assert.equal(price("0.00001234"), "0.00001234");
  assert.equal(price("41495.220833333333333333"), "41495.22083333");
  assert.equal(price("41652.783333333333333333"), "41652.78333333");
});

test("orders the pre-trade check refused are counted by code, and nothing is said when none was", () => {
  assert.equal(denialsNote({}), undefined);
  assert.equal(denialsNote({ STALE_MARKET_DATA: 2, MAX_ORDER_NOTIONAL: 1_200 }), "1,202 orders refused by the pre-trade check (MAX_ORDER_NOTIONAL 1,200, STALE_MARKET_DATA 2)");
});

test("the HTML price chart marks every kept trade's entry and exit, an open position's entry, and says when older trades were let go", () => {
  const report = reportOf([
    mark("100", "100.01", T0),
    ...order("a", "buy", T0 + 1_000),
    fill("a", "buy", "100.005", "0.1", T0 + 2_000),
    ...order("b", "sell", T0 + 61_000),
    fill("b", "sell", "118.25", "0.1", T0 + 62_000),
    ...order("c", "buy", T0 + 70_000),
    fill("c", "buy", "118.5", "0.1", T0 + 71_000),
  ]);
  const prices = { BTCUSDT: [{ ts: T0, value: 100 }, { ts: T0 + 71_000, value: 118.5 }] };
  const html = htmlReport(report, { equity: [], prices }, []);
  assert.equal(html.match(/class="marker entry"/g)?.length, 2, "the closed trade's entry and the open position's");
  assert.equal(html.match(/class="marker exit"/g)?.length, 1);
  assert.match(html, /data-tip="open long 1 @ 118\.5 /);
  assert.match(html, /BTCUSDT price, entries \(●\) and exits \(■\)</, "all closed trades are kept: nothing to say");
  const trimmed = { ...report, trades: { ...report.trades, closed: [] }, performance: { ...report.performance, trades: 1 } };
  assert.match(htmlReport(trimmed, { equity: [], prices }, []), /entries \(●\) and exits \(■\) of the last 0 trades \(1 in all\)/);
});

test("a tiny loss prints as one (-0.0001%), never -0.00%; a run under a minute's chart axis is dated to the second", () => {
  // Buy 1 at 100, sell at 99.99, no fees: −0.01 on 10,000, −0.0001 %.
  const report = reportOf([mark("99.99", "100", T0), ...order("a", "buy", T0 + 1_000), fill("a", "buy", "100", "0", T0 + 2_000), ...order("b", "sell", T0 + 11_000), fill("b", "sell", "99.99", "0", T0 + 12_000), mark("99.99", "100", T0 + 13_000)]);
  const text = printReport(report, "Test");
  assert.match(lineOf(text, "total return"), /^total return +-0\.0001%$/);
  assert.doesNotMatch(text, /-0\.00(?!\d)/);
  const html = htmlReport(report, { equity: [{ ts: T0, value: 10_000 }, { ts: T0 + 13_000, value: 9_999.99 }], prices: {} }, []);
  assert.match(html, /<svg id="equity".*>2026-01-05 10:00:00 UTC<\/text>.*>2026-01-05 10:00:13 UTC<\/text>/);
});
