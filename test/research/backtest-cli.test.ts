/**
 * `hean backtest` as a user runs it: the report printed as tables, the same bytes twice, bad rows
 * counted and shown (or stopping the run with --strict), time going back refused, bad flags refused.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, test } from "node:test";
import { hean, runUntilJournaled } from "../cli/cli-helpers.ts";
import { progressLine, sweepProgressPrinter } from "../../src/research/backtest/progress.ts";
import { zipOne } from "./zip-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-bt-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2025, 0, 3);

function file(name: string, rows: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${rows.join("\n")}\n`);
  return path;
}

const AGG_HEADER = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker";
const good = (n: number): string[] => Array.from({ length: n }, (_, i) => `${i + 1},${(2000 + (i % 7) * 0.5).toFixed(2)},0.400,${i},${i},${T0 + i * 400},${i % 2 === 0}`);

test("prints the report, writes JSON and is byte-identical across runs", () => {
  const data = file("ETHUSDT-aggTrades-2025-01-03.csv", good(200));
  const a = hean(["backtest", "--data", data, "--strategy", "churn", "--report", join(dir, "a.json"), "--quiet"]);
  const b = hean(["backtest", "--data", data, "--strategy", "churn", "--report", join(dir, "b.json"), "--quiet"]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.match(a.stdout, /== Backtest ==/);
  assert.match(a.stdout, /max drawdown/);
  assert.match(a.stdout, /== Round-trip trades \(\d+(, last \d+ shown)?\) ==/);
  assert.match(a.stdout, /== By day \(UTC\) ==/);
  assert.equal(a.stdout, b.stdout);
  assert.equal(readFileSync(join(dir, "a.json"), "utf8"), readFileSync(join(dir, "b.json"), "utf8"));
  const report = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as { backtest: { data: { events: number; files: { format: string; timeUnit: string }[] } }; journal: { path: string } };
  assert.equal(report.backtest.data.events, 200);
  // The unit each file's times were read in (the venues write s, ms or us).
  assert.deepEqual(report.backtest.data.files.map((f) => [f.format, f.timeUnit]), [["binance-aggTrades", "ms"]]);
  assert.equal(report.journal.path, "(temporary)");
});

test("the README's command on local files: the download's directory of Binance BTCUSDT aggTrades zips, Binance's rules, JSON and HTML", () => {
  const rows = Array.from({ length: 400 }, (_, i) => `${i + 1},${(97_000 + (i % 11) * 0.1).toFixed(1)},0.012,${i},${i},${T0 + i * 250},${i % 2 === 0}`);
  // Where `hean data download --dir data` puts it.
  const downloaded = join(dir, "data", "binance", "aggTrades", "BTCUSDT");
  mkdirSync(downloaded, { recursive: true });
  writeFileSync(join(downloaded, "BTCUSDT-aggTrades-2025-01-03.zip"), zipOne("BTCUSDT-aggTrades-2025-01-03.csv", `${AGG_HEADER}\n${rows.join("\n")}\n`));
  const run = hean(["backtest", "--data", downloaded, "--venue", "binance", "--strategy", "impulse", "--report", join(dir, "bt.json"), "--html", join(dir, "bt.html"), "--quiet"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^backtest impulse on BTCUSDT: 400 events from 1 file, 0 malformed rows skipped, 0 not replayed\n {2}rules: BTCUSDT tick 0\.1, lot 0\.001, fees maker 0\.02% \/ taker 0\.05%\n/);
  const report = JSON.parse(readFileSync(join(dir, "bt.json"), "utf8")) as { backtest: { rules: { takerFee: string }[] } };
  assert.equal(report.backtest.rules[0]!.takerFee, "0.0005");
  assert.match(readFileSync(join(dir, "bt.html"), "utf8"), /<ul id="notes"><li>backtest impulse on BTCUSDT: 400 events/);
});

test("a directory as --data is every data file under it, in path order: the same run as the files named one by one", () => {
  // A `hean data download` tree: DIR/VENUE/KIND/SYMBOL/, with an unfinished download and a stray hidden file.
  const tree = join(dir, "tree", "binance", "aggTrades", "ETHUSDT");
  mkdirSync(tree, { recursive: true });
  const day = (d: number): string[] => good(150).map((row) => row.replace(/,(\d{13}),/, (_, ts: string) => `,${Number(ts) + d * 86_400_000},`));
  const one = join(tree, "ETHUSDT-aggTrades-2025-01-03.csv");
  const two = join(tree, "ETHUSDT-aggTrades-2025-01-04.csv");
  writeFileSync(two, `${day(1).join("\n")}\n`);
  writeFileSync(one, `${day(0).join("\n")}\n`);
  writeFileSync(join(tree, "ETHUSDT-aggTrades-2025-01-05.csv.part"), "half a download\n");
  writeFileSync(join(tree, ".DS_Store"), "\u0000\u0001");
  const byDir = hean(["backtest", "--data", join(dir, "tree"), "--strategy", "churn", "--report", join(dir, "by-dir.json"), "--quiet"]);
  const byFiles = hean(["backtest", "--data", one, two, "--strategy", "churn", "--report", join(dir, "by-files.json"), "--quiet"]);
  assert.equal(byDir.status, 0, byDir.stderr);
  assert.match(byDir.stdout, /^backtest churn on ETHUSDT: 300 events from 2 files/);
  assert.equal(byDir.stdout, byFiles.stdout);
  assert.equal(readFileSync(join(dir, "by-dir.json"), "utf8"), readFileSync(join(dir, "by-files.json"), "utf8"));
  // A day beside its unpacked copy, or one file named twice, would replay every trade twice.
  writeFileSync(join(tree, "ETHUSDT-aggTrades-2025-01-04.csv.gz"), "");
  const packedToo = hean(["backtest", "--data", join(dir, "tree"), "--quiet"]);
  assert.equal(packedToo.status, 2);
  assert.match(packedToo.stderr, /ETHUSDT-aggTrades-2025-01-04\.csv and .*ETHUSDT-aggTrades-2025-01-04\.csv\.gz hold the same data \(one is the other packed\): give one of them/);
  const twice = hean(["backtest", "--data", one, `${tree}/./ETHUSDT-aggTrades-2025-01-03.csv`, "--quiet"]);
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /--data names .*ETHUSDT-aggTrades-2025-01-03\.csv twice/);
  mkdirSync(join(dir, "empty"));
  const empty = hean(["backtest", "--data", join(dir, "empty"), "--quiet"]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--data .*empty: a directory with no data files in it/);
});

test("--symbols picks its files out of a directory: another symbol's files are not read, not even to be refused", () => {
  // A download tree of two symbols; BTCUSDT's day is there twice (unpacked beside its zip), which
  // refuses a run over the whole tree, not one of ETHUSDT alone.
  const root = join(dir, "two-symbols");
  const eth = join(root, "binance", "aggTrades", "ETHUSDT");
  const btc = join(root, "binance", "aggTrades", "BTCUSDT");
  mkdirSync(eth, { recursive: true });
  mkdirSync(btc, { recursive: true });
  writeFileSync(join(eth, "ETHUSDT-aggTrades-2025-01-03.csv"), `${good(120).join("\n")}\n`);
  const btcRows = `${good(80).map((r) => r.replace(/,2\d{3}\.\d{2},/, ",97000.0,")).join("\n")}\n`;
  writeFileSync(join(btc, "BTCUSDT-aggTrades-2025-01-03.csv"), btcRows);
  writeFileSync(join(btc, "BTCUSDT-aggTrades-2025-01-03.zip"), zipOne("BTCUSDT-aggTrades-2025-01-03.csv", btcRows));
  const whole = hean(["backtest", "--data", root, "--strategy", "churn", "--quiet"]);
  assert.equal(whole.status, 2, whole.stderr);
  assert.match(whole.stderr, /BTCUSDT-aggTrades-2025-01-03\.csv and .*BTCUSDT-aggTrades-2025-01-03\.zip hold the same data/);
  const ethOnly = hean(["backtest", "--data", root, "--symbols", "ETHUSDT", "--strategy", "churn", "--report", join(dir, "eth-only.json"), "--quiet"]);
  assert.equal(ethOnly.status, 0, ethOnly.stderr);
  assert.match(ethOnly.stdout, /^backtest churn on ETHUSDT: 120 events from 1 file, 0 malformed rows skipped, 0 not replayed/);
  const report = JSON.parse(readFileSync(join(dir, "eth-only.json"), "utf8")) as { backtest: { data: { files: { file: string }[] } } };
  assert.deepEqual(report.backtest.data.files.map((f) => f.file), [join(eth, "ETHUSDT-aggTrades-2025-01-03.csv")]);
  // A file named on the command line is read whatever --symbols says (its records of other symbols are not replayed).
  const named = hean(["backtest", "--data", join(eth, "ETHUSDT-aggTrades-2025-01-03.csv"), join(btc, "BTCUSDT-aggTrades-2025-01-03.csv"), "--symbols", "ETHUSDT", "--strategy", "churn", "--quiet"]);
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /^backtest churn on ETHUSDT: 200 events from 2 files, 0 malformed rows skipped, 80 not replayed/);
  const none = hean(["backtest", "--data", btc, "--symbols", "ETHUSDT", "--quiet"]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--data .*BTCUSDT: a directory with no data files of ETHUSDT in it/);
});

test("the same venue data twice is refused, whatever its folder, packing or copy name, and aggTrades with trades of the same days", () => {
  const root = join(dir, "twice");
  const put = (path: string, rows: readonly string[] = good(10)): string => {
    const full = join(root, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, `${rows.join("\n")}\n`);
    return full;
  };
  const dayA = put("a/ETHUSDT-aggTrades-2025-01-03.csv");
  const dayB = put("b/ETHUSDT-aggTrades-2025-01-03.csv");
  const copy = put("c/ETHUSDT-aggTrades-2025-01-03 (1).csv");
  const trades = put("d/ETHUSDT-trades-2025-01-03.csv", good(10).map((r) => r.split(",").filter((_, i) => i !== 3 && i !== 4).join(",").replace(/^(\d+,[^,]+,[^,]+),/, "$1,800,")));
  const month = put("e/ETHUSDT-aggTrades-2025-01.csv");
  const bybitLinear = put("f/ETHUSDT2025-01-03.csv");
  const bybitAgain = put("g/ETHUSDT2025-01-03.csv");
  const refused = (args: string[], pattern: RegExp): void => {
    const run = hean(["backtest", "--strategy", "none", "--quiet", "--data", ...args]);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  };
  refused([join(root, "a"), join(root, "b")], /ETHUSDT-aggTrades-2025-01-03\.csv and .*b\/ETHUSDT-aggTrades-2025-01-03\.csv hold the same data .*: give one of them/);
  refused([dayA, copy], /hold the same data \(ETHUSDT aggTrades of 2025-01-03 both/);
  refused([dayA, trades], /hold the same data \(aggTrades and trades are both ETHUSDT's trades, for 2025-01-03 and 2025-01-03\): give one of them/);
  refused([month, dayB], /ETHUSDT aggTrades of 2025-01 and of 2025-01-03 overlap/);
  refused([bybitLinear, bybitAgain], /ETHUSDT2025-01-03\.csv and .*g\/ETHUSDT2025-01-03\.csv hold the same data/);
  // Other days, another symbol, another venue or kind: not the same data.
  const other = put("h/ETHUSDT-trades-2025-01-04.csv", []);
  const run = hean(["backtest", "--strategy", "none", "--quiet", "--data", dayA, other, put("h/BTCUSDT-aggTrades-2025-01-03.csv"), bybitLinear, put("h/ETHUSDT-bookTicker-2025-01-03.csv", [])]);
  assert.doesNotMatch(run.stderr, /same data/);
});

test("Bybit's spot trades are refused before anything runs: one error naming the file, what it is and the download to replay instead", () => {
  // A download tree holding a spot day (as public.bybit.com/spot/ serves it) beside the perpetual's same day.
  const folder = join(dir, "spot", "bybit", "trades", "ETHUSDT");
  mkdirSync(folder, { recursive: true });
  const spot = join(folder, "ETHUSDT-2025-01-03.csv");
  writeFileSync(spot, `id,timestamp,price,volume,side\n${Array.from({ length: 20 }, (_, i) => `${i + 1},${T0 + i * 400},3400.${i % 10},0.02,${i % 2 === 0 ? "buy" : "sell"}`).join("\n")}\n`);
  const linear = join(folder, "ETHUSDT2025-01-03.csv");
  const linearRows = Array.from({ length: 20 }, (_, i) => `${(T0 + i * 400) / 1000},ETHUSDT,${i % 2 === 0 ? "Buy" : "Sell"},0.02,3400.${i % 10},PlusTick,m${i},6.8e+9,0.02,68`);
  writeFileSync(linear, `timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n${linearRows.join("\n")}\n`);
  const journal = join(dir, "spot.db");
  for (const data of [[spot], [linear, spot], [join(dir, "spot")], [spot, "--format", "bybit-trades", "--symbols", "ETHUSDT"]]) {
    const run = hean(["backtest", "--strategy", "none", "--journal", journal, "--quiet", "--data", ...data]);
    assert.equal(run.status, 1, `${data.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split("\n").length, 1, `one error, not one per row: ${run.stderr}`);
    assert.ok(run.stderr.startsWith(`hean: DATA_MALFORMED: ${spot}: named as Bybit's spot trades (public.bybit.com/spot/, columns id,timestamp,price,volume,side), which hean does not replay`), run.stderr);
    assert.match(run.stderr, /download the perpetual's trades instead \(public\.bybit\.com\/trading\/, ETHUSDT2025-01-03\.csv\.gz\): hean data download --venue bybit --kind trades --symbols ETHUSDT --from 2025-01-03 --to 2025-01-03/);
    assert.doesNotMatch(run.stderr, /malformed as|same data/);
    assert.equal(run.stdout, "");
    assert.ok(!existsSync(journal), "nothing written");
  }
  // The perpetual's file of the same day replays.
  const perpetual = hean(["backtest", "--strategy", "none", "--quiet", "--data", linear]);
  assert.equal(perpetual.status, 0, perpetual.stderr);
  assert.match(perpetual.stdout, /^backtest none on ETHUSDT: 20 events from 1 file, 0 malformed rows skipped/);
});

test("no data for want of good rows: the error says per file how many were malformed and why", () => {
  const rows = good(5);
  const data = file("eth-trades.csv", rows);
  const run = hean(["backtest", "--strategy", "none", "--quiet", "--data", data, "--format", "binance-klines", "--symbols", "ETHUSDT"]);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /DATA_MALFORMED: no market data in .*eth-trades\.csv\n {2}.*eth-trades\.csv: 5 of 5 rows malformed as binance-klines, the first 3:\n {4}.*eth-trades\.csv:1: 7 columns, binance-klines has 12\n {4}.*eth-trades\.csv:2: 7 columns/);
  assert.doesNotMatch(run.stderr, /eth-trades\.csv:4:/);
});

test("a file not named as the venue names it is read with --format and the one symbol of --symbols", () => {
  const named = file("ETHUSDT-aggTrades-2025-01-05.csv", good(120));
  const renamed = join(dir, "my-eth-trades.csv");
  copyFileSync(named, renamed);
  const refused = hean(["backtest", "--data", renamed, "--symbols", "ETHUSDT", "--quiet"]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /my-eth-trades\.csv: cannot tell the file's layout from its name .*give it with --format: binance-aggTrades,/);
  const asNamed = hean(["backtest", "--data", named, "--strategy", "churn", "--quiet"]);
  const asFormat = hean(["backtest", "--data", renamed, "--format", "binance-aggTrades", "--symbols", "ETHUSDT", "--strategy", "churn", "--quiet"]);
  assert.equal(asFormat.status, 0, asFormat.stderr);
  assert.match(asFormat.stdout, /120 events from 1 file/);
  assert.equal(asFormat.stdout, asNamed.stdout);
  // Which symbol the rows are cannot be guessed among several.
  const trailing = hean(["backtest", "--data", renamed, "--format", "binance-aggTrades", "--symbols", "ETHUSDT,", "--quiet"]);
  assert.equal(trailing.status, 2);
  assert.match(trailing.stderr, /--symbols "ETHUSDT," has an empty name/);
  const two = hean(["backtest", "--data", renamed, "--format", "binance-aggTrades", "--symbols", "ETHUSDT,BTCUSDT", "--quiet"]);
  assert.equal(two.status, 1);
  assert.match(two.stderr, /the rows carry no symbol and the file name does not say it; give it with --symbols \(one symbol\)/);
  // A venue's own name decides over --format: a mixed list is read right.
  const mixed = hean(["backtest", "--data", renamed, named, "--format", "binance-aggTrades", "--symbols", "ETHUSDT", "--strategy", "churn", "--quiet"]);
  assert.equal(mixed.status, 0, mixed.stderr);
  assert.match(mixed.stdout, /240 events from 2 file/);
});

test("malformed rows are skipped, counted and shown; --strict stops at the first", () => {
  const rows = good(50);
  rows[10] = "11,abc,0.400,10,10,1735862404000,true";
  rows[20] = "21,2000.00,0.400,20";
  const data = file("ETHUSDT-aggTrades-2025-01-04.csv", rows);
  const loose = hean(["backtest", "--data", data, "--strategy", "none", "--report", join(dir, "m.json"), "--quiet"]);
  assert.equal(loose.status, 0, loose.stderr);
  assert.match(loose.stdout, /2 malformed rows skipped/);
  assert.match(loose.stdout, /:11: price is not a decimal number/);
  assert.match(loose.stdout, /:21: 4 columns/);
  const m = JSON.parse(readFileSync(join(dir, "m.json"), "utf8")) as { backtest: { data: { events: number; skipped: number } } };
  assert.deepEqual([m.backtest.data.events, m.backtest.data.skipped], [48, 2]);
  const strict = hean(["backtest", "--data", data, "--strategy", "none", "--strict", "--quiet"]);
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /DATA_MALFORMED: .*:11: price is not a decimal number/);
});

test("prints sizes below the instrument's lot as not replayed and how to give the data's venue's rules; --venue binance trades by Binance's", () => {
  const rows = good(20);
  // ETHUSDT's built-in lot is 0.01; another venue trades 0.001.
  rows[5] = `6,2000.00,0.004,5,5,${T0 + 5 * 400},true`;
  const run = hean(["backtest", "--data", file("ETHUSDT-aggTrades-2025-01-06.csv", rows), "--strategy", "none", "--quiet"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /20 events from 1 file, 0 malformed rows skipped, 1 not replayed/);
  assert.match(run.stdout, /\n {2}rules: ETHUSDT tick 0\.01, lot 0\.01, fees maker 0\.02% \/ taker 0\.055%\n/);
  assert.match(run.stdout, /off the instrument's tick or lot: 1 of the 1 records not replayed .*--instruments gives the rules of the data's venue/);
  // Binance's own rules: its ETHUSDT lot is 0.001, so the print is replayed, and its fees apply.
  const binance = hean(["backtest", "--data", file("ETHUSDT-aggTrades-2025-01-06.csv", rows), "--strategy", "none", "--venue", "binance", "--quiet"]);
  assert.equal(binance.status, 0, binance.stderr);
  assert.match(binance.stdout, /20 events from 1 file, 0 malformed rows skipped, 0 not replayed\n {2}rules: ETHUSDT tick 0\.01, lot 0\.001, fees maker 0\.02% \/ taker 0\.05%\n/);
  assert.match(hean(["backtest", "--data", file("ETHUSDT-aggTrades-2025-01-06.csv", rows), "--strategy", "none", "--venue", "okx", "--quiet"]).stderr, /--venue must be one of bybit, binance/);
});

test("a strategy that breaks mid-run is named above the tables and in the JSON; a sweep does not rank its run", () => {
  // Buys on its 10th book, then throws from its `after`-th on: the position it left stays under risk.
  const strategy = join(dir, "breaks.ts");
  writeFileSync(
    strategy,
    `export default {
  name: "breaks",
  description: "buys once, then throws",
  params: { after: { kind: "number", min: 0, max: 1e9 } },
  defaults: { after: 40 },
  create: (p: { after: number }) => {
    let n = 0;
    return {
      onBook: (book: { symbol: string }) => {
        n++;
        if (n === 10) return { action: "open", symbol: book.symbol, side: "buy", stopDistance: 0.01, confidence: 0.5, reason: "once" };
        if (n >= p.after) throw new Error("a bug in the strategy");
        return undefined;
      },
    };
  },
};
`,
  );
  const data = file("ETHUSDT-aggTrades-2025-01-08.csv", good(200));
  const run = hean(["backtest", "--data", data, "--strategy-file", strategy, "--report", join(dir, "breaks.json"), "--quiet"]);
  assert.equal(run.status, 1, `a backtest whose strategy broke exits 1, its report written: ${run.stderr}`);
  // Where it threw, so its author can go there: the file, line 12, and the column.
  assert.match(run.stdout, /\n {2}strategy breaks DISABLED at 2025-01-03T\d\d:\d\d:\d\d\.\d{3}Z: onBook threw Error: a bug in the strategy \(at \S+breaks\.ts:12:\d+\); no data or signals after it/);
  const report = JSON.parse(readFileSync(join(dir, "breaks.json"), "utf8")) as { disabled: { strategyId: string; problem: string }[]; trades: { open: unknown[] } };
  assert.deepEqual(report.disabled.map((d) => [d.strategyId, d.problem.replace(/:12:\d+\)$/, ":12)")]), [["breaks", `onBook threw Error: a bug in the strategy (at ${strategy}:12)`]]);
  assert.equal(report.trades.open.length, 1, "the position it left is still there, under risk");
  const sweep = hean(["backtest", "--data", data, "--strategy-file", strategy, "--sweep", "strategy.params.after=40,1000000", "--workers", "1", "--quiet"]);
  assert.equal(sweep.status, 1, "a sweep with a broken run says so in its exit code");
  assert.match(sweep.stdout, /\n1 +strategy\.params\.after=1000000 .*\n2 +strategy\.params\.after=40 +- +- +- +- +strategy breaks disabled at .*: onBook threw Error: a bug in the strategy \(at \S+breaks\.ts:12:\d+\)\n/);
});

test("a --symbols symbol with no data in the files or within --from/--to is named in the notes and the JSON, not shown as traded silently", () => {
  const eth = file("ETHUSDT-aggTrades-2025-01-03.csv", good(100));
  const btcRows = good(100).map((r) => r.replace(/,(\d{13}),/, (_, ts: string) => `,${Number(ts) + 86_400_000},`).replace(/,2\d{3}\.\d{2},/, ",97000.0,").replace(/,0\.400,/, ",0.010,"));
  const btc = file("BTCUSDT-aggTrades-2025-01-04.csv", btcRows);
  const note = (symbol: string): RegExp => new RegExp(`\n {2}no market data for ${symbol}: no trade, book or kline of it in the data \\(within --from/--to\\), so it was never traded \\(check --symbols and --data\\)\n`);
  const withoutData = (path: string): string[] => (JSON.parse(readFileSync(path, "utf8")) as { backtest: { data: { withoutData: string[] } } }).backtest.data.withoutData;
  // No file of the symbol at all.
  const none = hean(["backtest", "--data", eth, "--symbols", "ETHUSDT,BTCUSDT", "--strategy", "churn", "--report", join(dir, "none.json"), "--quiet"]);
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /^backtest churn on ETHUSDT, BTCUSDT: /);
  assert.match(none.stdout, note("BTCUSDT"));
  assert.deepEqual(withoutData(join(dir, "none.json")), ["BTCUSDT"]);
  // Its file, but outside --from/--to (its day is the 4th).
  const outside = hean(["backtest", "--data", eth, btc, "--to", "2025-01-03", "--strategy", "churn", "--report", join(dir, "outside.json"), "--quiet"]);
  assert.equal(outside.status, 0, outside.stderr);
  assert.match(outside.stdout, note("BTCUSDT"));
  assert.deepEqual(withoutData(join(dir, "outside.json")), ["BTCUSDT"]);
  // No symbol of the run has data: an error, not a report of nothing; the journal asked for is not left behind.
  const journal = join(dir, "nothing.db");
  const nothing = hean(["backtest", "--data", eth, "--symbols", "BTCUSDT", "--strategy", "churn", "--journal", journal, "--quiet"]);
  assert.equal(nothing.status, 1, nothing.stderr);
  assert.match(nothing.stderr, /DATA_MALFORMED: no market data for BTCUSDT in .*ETHUSDT-aggTrades-2025-01-03\.csv: 100 records of other symbols were not replayed \(check --symbols, --data and --format\)/);
  assert.ok(!existsSync(journal), "no journal of a run without data");
  // Both replayed: no note.
  const both = hean(["backtest", "--data", eth, btc, "--strategy", "churn", "--report", join(dir, "both.json"), "--quiet"]);
  assert.equal(both.status, 0, both.stderr);
  assert.doesNotMatch(both.stdout, /no market data/);
  assert.deepEqual(withoutData(join(dir, "both.json")), []);
});

test("time going back is an error, not a silent sort", () => {
  const rows = good(30);
  [rows[5], rows[6]] = [rows[6]!, rows[5]!];
  const data = file("ETHUSDT-aggTrades-2025-01-05.csv", rows);
  const r = hean(["backtest", "--data", data, "--strategy", "none", "--quiet"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /DATA_OUT_OF_ORDER: .*:7: time goes back/);
});

test("bad flags are refused before anything runs", () => {
  const data = file("ETHUSDT-aggTrades-2025-01-06.csv", good(5));
  for (const [args, pattern] of [
    [["backtest"], /needs --data/],
    [["backtest", "--data", data, "--from", "2025-13-01"], /--from must be a date/],
    [["backtest", "--data", data, "--strategy", "nope"], /strategy\.name must be one of/],
    // A section replaced by null was every default of it, silently.
    [["backtest", "--data", data, "--set", "risk=null"], /CONFIG_INVALID: risk must be an object \(got null\)/],
    [["backtest", "--data", data, "--set", "execution=null"], /CONFIG_INVALID: config execution must be an object, got null/],
    [["backtest", "--data", join(dir, "missing.csv")], /no such file/],
    [["backtest", "--data", data, "--touch-notional", "1.5"], /--touch-notional must be an integer/],
    [["backtest", "--data", data, "--latency-ms", "-1"], /--latency-ms got "-1", which reads as a flag: write --latency-ms=-1 if that is its value/],
    [["backtest", "--data", data, "--walk-forward", "3"], /--walk-forward applies to a sweep: add --sweep/],
    [["backtest", "--data", data, "--workers", "4"], /--workers applies to a sweep/],
    [["backtest", "--data", data, "--rank", "sharpe"], /--rank applies to a sweep/],
    [["backtest", "--data", data, "--format", "binance-aggtrades", "--symbols", "ETHUSDT"], /--format must be one of binance-aggTrades,.*did you mean "binance-aggTrades"/],
    // A mistyped symbol names what it may be a typo of, as hean run does; another coin, what is known.
    [["backtest", "--data", data, "--symbols", "ETHUSTD"], /CLI_USAGE: no instrument rules for ETHUSTD \(did you mean ETHUSDT\?\): give them with --instruments FILE/],
    [["backtest", "--data", data, "--symbols", "ethusdt,BTCUSD"], /no instrument rules for BTCUSD \(did you mean BTCUSDT\?\)/],
    [["backtest", "--data", data, "--symbols", "DOGEUSDT"], /no instrument rules for DOGEUSDT \(known: BTCUSDT, ETHUSDT\): give them with --instruments FILE/],
  ] as const) {
    const r = hean(args);
    assert.notEqual(r.status, 0, `${args.join(" ")} was refused`);
    assert.match(r.stderr, pattern);
    assert.ok(r.stderr.trim().split("\n").length <= 2, `one clear line: ${r.stderr}`);
  }
});

test("progress: events/s and ETA from the data's span", () => {
  const p = progressLine({ events: 50_000, ts: T0 + 30_000, firstTs: T0, done: false, fraction: 0.5 }, 1_000, T0 + 120_000);
  assert.equal(p.fraction, 0.25, "--to bounds the span: data time over it");
  // The ETA first: a narrow terminal cuts the line's end.
  assert.equal(p.line, "ETA 3s, 50,000 events, 50,000 events/s, data at 2025-01-03T00:00:30Z");
  const q = progressLine({ events: 50_000, ts: T0 + 30_000, firstTs: T0, done: false, fraction: 0.5 }, 2_000, undefined);
  assert.equal(q.fraction, 0.5, "else the input read");
  assert.match(q.line, /^ETA 2s,/);
  const eta = (elapsedMs: number): string => progressLine({ events: 1, ts: T0, firstTs: T0, done: false, fraction: 0.01 }, elapsedMs, undefined).line.split(",")[0]!;
  assert.equal(eta(500), "ETA 50s");
  assert.equal(eta(7_300), "ETA 12m03s");
  assert.equal(eta(110_000), "ETA 3h01m");
});

test("a sweep's progress: a plain line every few seconds off a terminal, a bar redrawn on one; the last always", () => {
  let clock = 0;
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: Object.assign(new Writable({ write: (chunk: Buffer, _enc, done) => void (written.push(chunk.toString()), done()) }), { isTTY, columns: 80 }) };
  };
  const plain = sink(false);
  const step = sweepProgressPrinter({ out: plain.out, now: () => clock, plainEveryMs: 5_000 });
  for (const [t, done] of [[1_000, 1], [2_000, 2], [7_000, 3], [8_000, 4]] as const) {
    clock = t;
    step(done, 4);
  }
  // Runs 1 (the first) and 3 (5 s on) are shown, 2 is not; the last always is.
  assert.deepEqual(plain.written, ["sweep: ETA 3s, 1/4 runs\n", "sweep: ETA 3s, 3/4 runs\n", "sweep: done, 4/4 runs\n"]);
  clock = 0;
  const tty = sink(true);
  const bar = sweepProgressPrinter({ out: tty.out, now: () => clock });
  clock = 1_000;
  bar(1, 2);
  clock = 2_000;
  bar(2, 2);
  assert.equal(tty.written.length, 2);
  assert.match(tty.written[0]!, /^\r\[#{12}\.{12}\] {2}50% ETA 1s, 1\/2 runs +$/);
  assert.match(tty.written[1]!, /^\r\[#{24}\] 100% done, 2\/2 runs +\n$/);
  assert.equal(tty.written[0]!.length, 80, "the width of the terminal less one, and the \\r");
});

test("--strategy-file backtests a strategy module of one's own", () => {
  const data = file("ETHUSDT-aggTrades-2025-01-07.csv", good(300));
  const r = hean(["backtest", "--data", data, "--strategy-file", "examples/strategies/mean-reversion.ts", "--report", join(dir, "f.json"), "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^backtest examples\/strategies\/mean-reversion\.ts on ETHUSDT: 300 events/);
  const bad = hean(["backtest", "--data", data, "--strategy-file", join(dir, "nope.ts"), "--quiet"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nope\.ts/);
});

test("--from/--to take days as hean data download does (the --to day whole) or ISO times (--to excluded)", () => {
  // Two days of 150 trades each, 400 ms apart from midnight: day 1 ends at 00:01:00 UTC (ids go on from day to day).
  const day = (d: number): string[] =>
    good(150).map((row) => row.replace(/^(\d+),/, (_, id: string) => `${Number(id) + d * 150},`).replace(/,(\d{13}),/, (_, ts: string) => `,${Number(ts) + d * 86_400_000},`));
  const data = file("ETHUSDT-aggTrades-2025-01-03-04.csv", [...day(0), ...day(1)]);
  const events = (...window: string[]): string => {
    const r = hean(["backtest", "--data", data, "--format", "binance-aggTrades", "--symbols", "ETHUSDT", "--strategy", "none", "--quiet", ...window]);
    assert.equal(r.status, 0, r.stderr);
    return /: ([\d,]+) events? from/.exec(r.stdout)![1]!;
  };
  assert.equal(events("--from", "2025-01-03", "--to", "2025-01-03"), "150", "one day, from and to the same date");
  assert.equal(events("--from", "2025-01-03", "--to", "2025-01-04"), "300");
  assert.equal(events("--from", "2025-01-04"), "150");
  // 150 trades at 400 ms: the 75th of each day is at 00:00:29.6; --to 00:00:30 keeps 75 and excludes none at 30 s.
  assert.equal(events("--from", "2025-01-03T00:00:00Z", "--to", "2025-01-03T00:00:30Z"), "75");
  assert.equal(events("--to", "2025-01-04T00:00:00+00:00"), "150", "an ISO --to is excluded");
});

test("klines alone are replayed as trades (approximate fills, said in the notes); beside trades of the symbol they are not", () => {
  // Two hours of 1-minute ETHUSDT bars on a slow wave, Binance's 12-column layout.
  const bars = Array.from({ length: 120 }, (_, i) => {
    const open = 2000 + Math.round(20 * Math.sin(i / 6)) / 2;
    const close = 2000 + Math.round(20 * Math.sin((i + 1) / 6)) / 2;
    const [high, low] = [Math.max(open, close) + 0.75, Math.min(open, close) - 0.5];
    const t = T0 + i * 60_000;
    return `${t},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},12.400,${t + 59_999},24800,300,6.2,12400,0`;
  });
  const klines = file("ETHUSDT-1m-2025-01-03.csv", bars);
  const run = hean(["backtest", "--data", klines, "--strategy", "churn", "--report", join(dir, "bars.json"), "--quiet"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^backtest churn on ETHUSDT: 120 events from 1 file, 0 malformed rows skipped, 0 not replayed\n/);
  assert.match(run.stdout, /\n {2}klines replayed as trades for ETHUSDT \(open, the nearer extreme, the other, close, at each bar's close\): fills are approximate/);
  const report = JSON.parse(readFileSync(join(dir, "bars.json"), "utf8")) as { backtest: { data: { bars: string[] } }; performance: { trades: number } };
  assert.deepEqual(report.backtest.data.bars, ["ETHUSDT"]);
  assert.ok(report.performance.trades > 0, "the strategy traded on the bars");
  // With the symbol's trades beside them, the bars are counted as not replayed.
  const trades = file("ETHUSDT-aggTrades-2025-01-03.csv", good(200));
  const both = hean(["backtest", "--data", klines, trades, "--strategy", "churn", "--report", join(dir, "both.json"), "--quiet"]);
  assert.equal(both.status, 0, both.stderr);
  assert.match(both.stdout, /: 320 events from 2 files, 0 malformed rows skipped, 120 not replayed\n/);
  assert.doesNotMatch(both.stdout, /klines replayed/);
  assert.deepEqual((JSON.parse(readFileSync(join(dir, "both.json"), "utf8")) as { backtest: { data: { bars: string[] } } }).backtest.data.bars, []);
});

test("several strategies in one backtest (--config strategies): each trades its own symbol, named by its id", () => {
  const btc = file("BTCUSDT-aggTrades-2025-01-03.csv", good(300).map((row, i) => row.replace(/^(\d+),[\d.]+,0\.400,/, `$1,${(97_000 + (i % 7) * 0.5).toFixed(1)},0.012,`)));
  const eth = file("ETHUSDT-aggTrades-2025-01-03.csv", good(300));
  const config = join(dir, "two.json");
  writeFileSync(
    config,
    JSON.stringify({
      strategies: [
        { name: "churn", symbol: "BTCUSDT", capitalShare: 0.5 },
        { name: "churn", id: "eth-churn", symbol: "ETHUSDT", capitalShare: 0.3, params: { sides: "short" } },
      ],
    }),
  );
  const r = hean(["backtest", "--data", btc, eth, "--config", config, "--report", join(dir, "two-report.json"), "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^backtest churn-BTCUSDT, eth-churn on BTCUSDT, ETHUSDT: 600 events from 2 files/);
  const report = JSON.parse(readFileSync(join(dir, "two-report.json"), "utf8")) as {
    backtest: { strategies: { id: string; symbol: string; capitalShare: number; params: Record<string, unknown> }[] };
    trades: { closed: { symbol: string; strategyId: string; direction: string }[] };
  };
  // The report says what each ran with.
  assert.deepEqual(
    report.backtest.strategies.map((s) => [s.id, s.symbol, s.capitalShare, s.params["sides"] ?? "default"]),
    [["churn-BTCUSDT", "BTCUSDT", 0.5, "default"], ["eth-churn", "ETHUSDT", 0.3, "short"]],
  );
  const closed = report.trades.closed;
  assert.ok(closed.some((t) => t.symbol === "BTCUSDT") && closed.some((t) => t.symbol === "ETHUSDT"), "both strategies traded");
  for (const t of closed) {
    assert.deepEqual([t.strategyId, t.direction], t.symbol === "BTCUSDT" ? ["churn-BTCUSDT", "long"] : ["eth-churn", "short"], `trade ${JSON.stringify(t)}`);
  }
});

test("hean run prints the same report tables on exit and records the market it saw for a backtest", async () => {
  const recording = join(dir, "paper.hean.csv");
  const run = await runUntilJournaled(["--strategy", "churn", "--record-market", recording], join(dir, "run.db"), "order.filled");
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /== hean paper\/sim ==/);
  assert.match(run.output, /max drawdown/);
  assert.match(run.output, /== By symbol ==/);
  const lines = readFileSync(recording, "utf8").trim().split("\n");
  assert.match(lines[0]!, /^#hean-market \{"version":1,"venue":"sim"/);
  assert.ok(lines.slice(1).every((l) => /^\d+,(book,[A-Z]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+|trade,[A-Z]+,[\d.]+,[\d.]+,(buy|sell))$/.test(l)), "every line a book or a trade");
  const bt = hean(["backtest", "--data", recording, "--strategy", "churn", "--quiet"]);
  assert.equal(bt.status, 0, bt.stderr);
  assert.match(bt.stdout, new RegExp(`on BTCUSDT, ETHUSDT: ${(lines.length - 1).toLocaleString("en-US")} events`));
  const refused = hean(["run", "--duration", "1", "--record-market", join(dir, "market.csv")]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--record-market must name a file ending in \.hean\.csv/);
});

test("a recording with no header line and no --symbols is refused in one line saying why its symbols are unknown and what to do; with --symbols it replays", () => {
  // What hean run --record-market writes, its first line (#hean-market {…}) gone.
  const rows = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? `${T0 + i * 500},book,ETHUSDT,2000.00,3.5,2000.05,4.25` : `${T0 + i * 500},trade,ETHUSDT,2000.05,0.1,buy`));
  const headless = file("headless.hean.csv", rows);
  const journal = join(dir, "headless.db");
  const refused = hean(["backtest", "--data", headless, "--strategy", "none", "--journal", journal, "--quiet"]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.match(refused.stderr, /^hean: CLI_USAGE: --symbols is needed: .*headless\.hean\.csv is a hean recording with no header line \(#hean-market \{…\}, the first line hean run --record-market writes\), so the symbols and rules recorded are unknown\. /);
  assert.match(refused.stderr, /Pass --symbols A,B \(with --instruments FILE for symbols hean has no rules for\), restore the header line, or record again with hean run --record-market FILE\n$/);
  assert.equal(refused.stdout, "");
  assert.ok(!existsSync(journal), "nothing written");
  const given = hean(["backtest", "--data", headless, "--symbols", "ETHUSDT", "--strategy", "none", "--quiet"]);
  assert.equal(given.status, 0, given.stderr);
  assert.match(given.stdout, /^backtest none on ETHUSDT: 10 events from 1 file, 0 malformed rows skipped/);
  assert.match(given.stdout, /headless\.hean\.csv: a hean recording without its first line/);
});

test("--instruments gives the rules of a symbol hean does not know; without them the run is refused", () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${i + 1},${(150 + (i % 5) * 0.01).toFixed(2)},${(1 + (i % 3)).toFixed(1)},${i},${i},${T0 + i * 500},${i % 2 === 0}`);
  const data = file("SOLUSDT-aggTrades-2025-01-03.csv", rows);
  const refused = hean(["backtest", "--data", data, "--strategy", "churn", "--quiet"]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /no instrument rules for SOLUSDT \(known: BTCUSDT, ETHUSDT\): give them with --instruments FILE/);
  const rules = join(dir, "sol.json");
  writeFileSync(rules, JSON.stringify([{ symbol: "SOLUSDT", baseAsset: "SOL", quoteAsset: "USDT", tickSize: "0.01", lotSize: "0.1", minQty: "0.1", maxQty: "10000", minNotional: "5", makerFee: "0.0002", takerFee: "0.0005" }]));
  const r = hean(["backtest", "--data", data, "--instruments", rules, "--strategy", "churn", "--report", join(dir, "sol.json.out"), "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /on SOLUSDT: 200 events from 1 file, 0 malformed rows skipped, 0 not replayed/);
  writeFileSync(rules, JSON.stringify([{ symbol: "SOLUSDT", tickSize: "abc" }]));
  const bad = hean(["backtest", "--data", data, "--instruments", rules, "--quiet"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--instruments .*sol\.json: instruments\[0\]\.baseAsset must be a string/);
});

test("hean run --record-market onto a file that is not a recording is refused before anything starts, the file left as it was", () => {
  const foreign = join(dir, "notes.hean.csv");
  writeFileSync(foreign, "my notes, not a recording\n");
  const journal = join(dir, "refused-record.db");
  const r = hean(["run", "--duration", "1", "--journal", journal, "--record-market", foreign]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /CLI_USAGE: --record-market .*notes\.hean\.csv exists and cannot take this session: it is not a hean recording\. Name another file/);
  assert.equal(readFileSync(foreign, "utf8"), "my notes, not a recording\n");
  assert.equal(existsSync(journal), false, "no journal created");
});
