/**
 * A recording is replayed exactly: every book the engine saw reaches the backtest's strategy
 * again, with its time, prices, sizes and its `afterGap` flag (a venue sets it on the first book
 * after a reconnect or a resync, and strategies start over on it), including a book after a gap
 * whose prices and sizes did not change.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, test } from "node:test";
import { loadConfig } from "../../src/config/config.ts";
import { dec, format } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import type { BookEvent } from "../../src/core/events.ts";
import { BUILTIN_INSTRUMENTS } from "../../src/core/instrument.ts";
import { runBacktest } from "../../src/research/backtest/backtest.ts";
import { symbolsNeeded } from "../../src/cli/backtest-command.ts";
import { backtestNotes } from "../../src/research/backtest/run-notes.ts";
import { MarketRecorder } from "../../src/research/record/market-recorder.ts";
import { hean } from "../cli/cli-helpers.ts";
import type { Strategy } from "../../src/strategies/strategy.ts";

const T0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), "hean-recording-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const book = (ms: number, bid: string, ask: string, afterGap: boolean): BookEvent => ({
  type: "market.book",
  ts: T0 + ms,
  symbol: "ETHUSDT",
  bid: dec(bid),
  bidQty: dec("3.5"),
  ask: dec(ask),
  askQty: dec("4.25"),
  venueTs: T0 + ms,
  afterGap,
});

const seen = (b: BookEvent): string => `${b.ts - T0} ${format(b.bid)}×${format(b.bidQty)} / ${format(b.ask)}×${format(b.askQty)}${b.afterGap ? " after a gap" : ""}`;

function watcher(into: string[]): Strategy {
  return { id: "watch", onBook: (b) => void into.push(seen(b)) };
}

test("books replay with their times, prices, sizes and afterGap flags, an unchanged book after a gap included", async () => {
  const books = [
    book(0, "2000.00", "2000.01", false),
    book(500, "2000.01", "2000.02", false),
    // A reconnect: the first book after it says so, though the touch did not move meanwhile.
    book(4_000, "2000.01", "2000.02", true),
    book(4_100, "1999.99", "2000.00", false),
    book(9_000, "2001.00", "2001.01", true),
  ];
  const path = join(dir, "eth.hean.csv");
  const recorder = MarketRecorder.create(path, "bybit", BUILTIN_INSTRUMENTS.filter((i) => i.symbol === "ETHUSDT"));
  for (const b of books) recorder.book(b);
  recorder.close();
  const replayed: string[] = [];
  await runBacktest({ files: [path], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher(replayed)], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  assert.deepEqual(replayed, books.map(seen));
});

test("a book the engine saw again unchanged (no gap) is replayed again: a strategy counting or averaging books sees what it saw live", async () => {
  // A venue's stream repeats the touch (Bybit's deltas below it, the simulator's 100 ms books):
  // the live engine shows each one to its strategies and the recorder writes each one. The
  // replay used to drop the repeats, so impulse (EMAs and a warm-up counted in books) saw fewer
  // books than it had live and sent other orders than the paper session it replayed.
  const books = [
    book(0, "2000.00", "2000.01", false),
    book(100, "2000.00", "2000.01", false),
    book(200, "2000.00", "2000.01", false),
    book(300, "2000.01", "2000.02", false),
    book(400, "2000.01", "2000.02", false),
  ];
  const path = join(dir, "repeats.hean.csv");
  const recorder = MarketRecorder.create(path, "bybit", BUILTIN_INSTRUMENTS.filter((i) => i.symbol === "ETHUSDT"));
  for (const b of books) recorder.book(b);
  recorder.close();
  const replayed: string[] = [];
  await runBacktest({ files: [path], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher(replayed)], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  assert.deepEqual(replayed, books.map(seen));
});

test("a recording written before books carried the flag still reads: its books are continuous", async () => {
  const path = join(dir, "old.hean.csv");
  MarketRecorder.create(path, "bybit", BUILTIN_INSTRUMENTS.filter((i) => i.symbol === "ETHUSDT")).close();
  appendFileSync(path, `${T0},book,ETHUSDT,2000.00,3.5,2000.01,4.25\n${T0 + 100},book,ETHUSDT,2000.01,3.5,2000.02,4.25\n`);
  const replayed: string[] = [];
  await runBacktest({ files: [path], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher(replayed)], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  assert.deepEqual(replayed, ["0 2000×3.5 / 2000.01×4.25", "100 2000.01×3.5 / 2000.02×4.25"]);
});

test("a book row's eighth column is `gap` or nothing: anything else is a malformed row, skipped and named", async () => {
  const path = join(dir, "bad.hean.csv");
  MarketRecorder.create(path, "bybit", BUILTIN_INSTRUMENTS.filter((i) => i.symbol === "ETHUSDT")).close();
  appendFileSync(path, `${T0},book,ETHUSDT,2000.00,3.5,2000.01,4.25,gap\n${T0 + 100},book,ETHUSDT,2000.01,3.5,2000.02,4.25,true\n`);
  const replayed: string[] = [];
  const { report } = await runBacktest({ files: [path], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher(replayed)], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  assert.deepEqual(replayed, ["0 2000×3.5 / 2000.01×4.25 after a gap"]);
  assert.deepEqual(report.backtest.data.files[0]!.problems, [{ line: 3, reason: 'after-gap column is not "gap" or empty: "true"' }]);
});

const ETH = BUILTIN_INSTRUMENTS.filter((i) => i.symbol === "ETHUSDT");

test("recording again to the same file appends a session: both replay in order, nothing skipped, nothing invented", async () => {
  const path = join(dir, "sessions.hean.csv");
  const first = [book(0, "2000.00", "2000.01", false), book(500, "2000.01", "2000.02", false)];
  const second = [book(60_000, "2010.00", "2010.01", false), book(60_500, "2010.01", "2010.02", false)];
  const one = MarketRecorder.create(path, "bybit", ETH, first[0]!.ts);
  for (const b of first) one.book(b);
  one.close();
  // The same command again (a restart): the first session's data stays.
  const two = MarketRecorder.create(path, "bybit", ETH, second[0]!.ts);
  two.trade({ type: "market.trade", ts: second[0]!.ts, symbol: "ETHUSDT", price: dec("2010.00"), qty: dec("0.5"), side: "sell", venueTs: second[0]!.ts });
  for (const b of second) two.book(b);
  two.close();
  const lines = readFileSync(path, "utf8").trim().split("\n");
  assert.equal(lines.filter((l) => l.startsWith("#hean-market ")).length, 2);
  const replayed: string[] = [];
  const { report } = await runBacktest({ files: [path], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher(replayed)], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  assert.deepEqual(replayed, [...first, ...second].map(seen));
  assert.deepEqual([report.backtest.data.skipped, report.backtest.data.events], [0, 5]);
});

test("a file that cannot take the session (not a recording, another venue, other rules, later times) is refused and left as it was", () => {
  const recording = join(dir, "kept.hean.csv");
  const r = MarketRecorder.create(recording, "bybit", ETH, T0);
  r.book(book(1_000, "2000.00", "2000.01", false));
  r.close();
  const otherRules = ETH.map((i) => ({ ...i, tickSize: dec("0.1") }));
  const cases: [string, string, () => unknown, RegExp][] = [
    ["foreign.hean.csv", "time,price\n1,2\n", () => MarketRecorder.create(join(dir, "foreign.hean.csv"), "bybit", ETH, T0), /is not a hean recording/],
    ["garbled.hean.csv", "#hean-market {not json\n", () => MarketRecorder.create(join(dir, "garbled.hean.csv"), "bybit", ETH, T0), /not a readable recording header/],
    ["kept.hean.csv", "", () => MarketRecorder.create(recording, "binance", ETH, T0 + 5_000), /it records bybit, this run trades binance/],
    ["kept.hean.csv", "", () => MarketRecorder.create(recording, "bybit", otherRules, T0 + 5_000), /other rules for ETHUSDT/],
    ["kept.hean.csv", "", () => MarketRecorder.create(recording, "bybit", ETH, T0 + 500), /it ends at .*after this session's first record/],
  ];
  for (const [name, content, open, message] of cases) {
    const path = join(dir, name);
    if (content !== "") writeFileSync(path, content);
    const before = readFileSync(path, "utf8");
    assert.throws(open, (e: unknown) => isHeanError(e, "CLI_USAGE") && message.test(e.message) && /Name another file/.test(e.message), name);
    assert.equal(readFileSync(path, "utf8"), before, `${name} unchanged`);
  }
});

test("a recording trades by its first line's rules, packed (.gz) too; without that line it trades by built-in rules and the notes say so", async () => {
  // Rules no built-in instrument has: which ones the run used shows in its report.
  const recordedRules = ETH.map((i) => ({ ...i, tickSize: dec("0.05"), makerFee: dec("0.0001"), takerFee: dec("0.0004") }));
  const books = [book(0, "2000.00", "2000.05", false), book(500, "2000.05", "2000.10", false)];
  const path = join(dir, "rules.hean.csv");
  const recorder = MarketRecorder.create(path, "bybit", recordedRules, T0);
  for (const b of books) recorder.book(b);
  recorder.close();
  const packed = `${path}.gz`;
  writeFileSync(packed, gzipSync(readFileSync(path)));
  const cut = join(dir, "cut.hean.csv");
  writeFileSync(cut, readFileSync(path, "utf8").split("\n").slice(1).join("\n"));
  const run = (file: string): ReturnType<typeof runBacktest> =>
    runBacktest({ files: [file], config: loadConfig({ overrides: ["symbols=ETHUSDT"] }), strategies: [watcher([])], latency: { ackMs: 0, marketDataMs: 0, jitterMs: 0 } });
  for (const file of [path, packed]) {
    const { report } = await run(file);
    assert.deepEqual(report.backtest.rules.map((r) => [r.tickSize, r.makerFee, r.takerFee]), [["0.05", "0.0001", "0.0004"]], file);
    assert.deepEqual(report.backtest.data.withoutHeader, [], file);
    assert.doesNotMatch(backtestNotes(report).notes.join("\n"), /without its first line/, file);
  }
  // The command names the packed recording's symbols from its first line, as the plain one's.
  const cli = hean(["backtest", "--data", packed, "--strategy", "none", "--quiet"]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /^backtest none on ETHUSDT: 2 events from 1 file, .*\n {2}rules: ETHUSDT tick 0\.05, lot 0\.01, fees maker 0\.01% \/ taker 0\.04%\n/);
  const { report } = await run(cut);
  assert.equal(report.backtest.data.events, 2);
  assert.deepEqual(report.backtest.rules.map((r) => [r.tickSize, r.makerFee, r.takerFee]), [["0.01", "0.0002", "0.00055"]], "Bybit's built-in ETHUSDT");
  assert.deepEqual(report.backtest.data.withoutHeader, [cut]);
  assert.ok(
    backtestNotes(report).notes.includes(`${cut}: a hean recording without its first line (#hean-market {…}): the venue and rules it was recorded with are unknown, so it traded by the rules above (restore the line, or give the recorded venue's rules with --instruments FILE)`),
    backtestNotes(report).notes.join("\n"),
  );
});

test("symbolsNeeded: a recording with no header line is named with why its symbols are unknown and what to do; otherwise the file names are what say nothing", () => {
  assert.equal(symbolsNeeded([]).message, "CLI_USAGE: --symbols is needed: the data files' names do not say their symbols");
  const one = symbolsNeeded(["a.hean.csv"]);
  assert.ok(isHeanError(one, "CLI_USAGE"));
  assert.match(one.message, /^CLI_USAGE: --symbols is needed: a\.hean\.csv is a hean recording with no header line \(#hean-market \{…\}, the first line hean run --record-market writes\), so the symbols and rules recorded are unknown\. /);
  assert.match(one.message, /Pass --symbols A,B \(with --instruments FILE for symbols hean has no rules for\), restore the header line, or record again with hean run --record-market FILE$/);
  assert.deepEqual(one.context, { files: ["a.hean.csv"] });
  assert.match(symbolsNeeded(["a.hean.csv", "b.hean.csv.gz"]).message, /: a\.hean\.csv, b\.hean\.csv\.gz are hean recordings with no header line/);
});
