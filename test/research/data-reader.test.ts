import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { format } from "../../src/core/decimal.ts";
import { isHeanError } from "../../src/core/errors.ts";
import { type FileReport, newFileReport } from "../../src/research/data/file-report.ts";
import { mergeMarketFiles, readMarketFile } from "../../src/research/data/reader.ts";
import type { MarketRecord } from "../../src/research/data/records.ts";
import fc from "fast-check";
import { DATA_FORMATS, FORMATS, type TimeUnit, recogniseFile, unreplayedFile } from "../../src/research/data/formats.ts";
import { zipOne } from "./zip-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "hean-data-"));
const file = (name: string, content: Buffer | string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function all(records: AsyncIterable<MarketRecord>): Promise<MarketRecord[]> {
  const out: MarketRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

const plain = (r: MarketRecord) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? format(v as never) : v)));

const AGG_HEADER = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker";
const AGG_ROWS = ["26129,0.01633102,4.70443515,27781,27781,1498793709153,true", "26130,0.01633200,1.00000000,27782,27783,1498793709200,false"];

describe("historical data files", () => {
  test("Binance aggTrades with and without a header, plain, .gz and .zip, give the same exact records", async () => {
    const csv = AGG_ROWS.join("\n") + "\n";
    const variants = [
      file("BTCUSDT-aggTrades-2024-01-01.csv", csv),
      file("ETHUSDT-aggTrades-2024-01-01.csv", `${AGG_HEADER}\n${csv}`),
      file("BTCUSDT-aggTrades-2024-01-02.csv.gz", gzipSync(csv)),
      file("BTCUSDT-aggTrades-2024-01-03.zip", zipOne("BTCUSDT-aggTrades-2024-01-03.csv", `${AGG_HEADER}\r\n${AGG_ROWS.join("\r\n")}\r\n`)),
      file("BTCUSDT-aggTrades-2024-01-04.zip", zipOne("x.csv", csv, "stored")),
    ];
    for (const path of variants) {
      const report = newFileReport(path);
      const records = (await all(readMarketFile(path, {}, report))).map(plain);
      assert.deepEqual(
        records.map(({ symbol: _s, ...r }) => r),
        [
          { kind: "trade", ts: 1498793709153, price: "0.01633102", qty: "4.70443515", takerSide: "sell", id: "26129" },
          { kind: "trade", ts: 1498793709200, price: "0.016332", qty: "1", takerSide: "buy", id: "26130" },
        ],
        path,
      );
      assert.equal(records[0]!.symbol, path.includes("ETH") ? "ETHUSDT" : "BTCUSDT");
      assert.deepEqual([report.format, report.timeUnit, report.rows, report.records, report.skipped], ["binance-aggTrades", "ms", 2, 2, 0]);
    }
  });

  test("Bybit trades: seconds with a fraction, the taker's side, the symbol per row", async () => {
    const path = file(
      "BTCUSDT2024-03-01.csv.gz",
      gzipSync(
        "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional,RPI\n" +
          "1709251200.2296,BTCUSDT,Buy,0.003,61201.5,PlusTick,a1b2,1.8e+10,0.003,183.6045,0\n" +
          "1709251200.5,BTCUSDT,Sell,0.1,61200,MinusTick,c3d4,6.12e+11,0.1,6120,0\n",
      ),
    );
    const records = (await all(readMarketFile(path))).map(plain);
    assert.deepEqual(records, [
      { kind: "trade", ts: 1709251200230, symbol: "BTCUSDT", price: "61201.5", qty: "0.003", takerSide: "buy", id: "a1b2" },
      { kind: "trade", ts: 1709251200500, symbol: "BTCUSDT", price: "61200", qty: "0.1", takerSide: "sell", id: "c3d4" },
    ]);
  });

  test("Bybit's spot trades are refused by name with one error saying what they are and what to download, never read as the perpetual's", async () => {
    // As public.bybit.com/spot/ serves them: a dash before the date, ms times, lowercase sides.
    const spot = "id,timestamp,price,volume,side\n1,1709251200074,61201.5,0.003718,sell\n2,1709251200150,61201.6,0.0005,buy\n";
    assert.equal(recogniseFile("data/BTCUSDT-2024-03-01.csv.gz"), undefined, "not the linear layout");
    assert.deepEqual(recogniseFile("data/BTCUSDT2024-03-01.csv.gz"), { format: "bybit-trades", symbol: "BTCUSDT" });
    assert.equal(unreplayedFile("data/BTCUSDT2024-03-01.csv.gz"), undefined);
    assert.equal(unreplayedFile("data/BTCUSDT-aggTrades-2024-03-01.zip"), undefined);
    assert.match(unreplayedFile("data\\BTCUSDT-2024-03-01.csv")?.layout ?? "", /^Bybit's spot trades/);
    for (const path of [file("BTCUSDT-2024-03-01.csv.gz", gzipSync(spot)), file("BTCUSDT-2024-03-02.csv", spot)]) {
      for (const options of [{}, { format: "bybit-trades", symbol: "BTCUSDT" }] as const) {
        const report = newFileReport(path);
        await assert.rejects(all(readMarketFile(path, options, report)), (e) => {
          assert.ok(isHeanError(e, "DATA_MALFORMED"), String(e));
          assert.ok(e.message.startsWith(`DATA_MALFORMED: ${path}: named as Bybit's spot trades`), e.message);
          assert.match(e.message, /spot prints are not the prices of the USDT perpetual hean backtests/);
          assert.match(e.message, /hean data download --venue bybit --kind trades --symbols BTCUSDT --from 2024-03-0\d --to 2024-03-0\d/);
          return true;
        });
        assert.equal(report.rows, 0, "refused before any row");
      }
    }
  });

  test("Binance's spot aggTrades and trades, which bear the USD-M files' names, are refused by their rows with one error, never read as the perpetual's", async () => {
    // As data.binance.vision/data/spot/ serves them: no header, is_best_match last, Python booleans.
    const spotAgg = "3305513,42283.50000000,0.00100000,4013012,4013012,1704067200005,True,True\n3305514,42283.51000000,0.00250000,4013013,4013014,1704067200040,False,True\n";
    const spotTrades = "4013012,42283.50000000,0.00100000,42.28350000,1704067200005,True,True\n";
    const cases = [
      { path: file("BTCUSDT-aggTrades-2024-01-05.csv", spotAgg), kind: "aggTrades", columns: 8 },
      { path: file("BTCUSDT-aggTrades-2024-01-06.zip", zipOne("BTCUSDT-aggTrades-2024-01-06.csv", spotAgg)), kind: "aggTrades", columns: 8 },
      { path: file("BTCUSDT-trades-2024-01-05.csv.gz", gzipSync(spotTrades)), kind: "trades", columns: 7 },
    ];
    for (const { path, kind, columns } of cases) {
      const report = newFileReport(path);
      await assert.rejects(all(readMarketFile(path, {}, report)), (e) => {
        assert.ok(isHeanError(e, "DATA_MALFORMED"), String(e));
        assert.ok(e.message.startsWith(`DATA_MALFORMED: ${path}: its rows are Binance's spot ${kind} (data.binance.vision/data/spot/, ${columns} columns ending in is_best_match)`), e.message);
        assert.match(e.message, /spot prints are not the prices of the USDT perpetual hean backtests/);
        assert.match(e.message, new RegExp(`hean data download --venue binance --kind ${kind} --symbols BTCUSDT --from 2024-01-0\\d --to 2024-01-0\\d`));
        return true;
      });
      assert.equal(report.rows, 0, "refused at the first row, no row read");
      assert.equal(report.problems.length, 0, "one error, not one per row");
    }
    // The USD-M layouts are read as ever, header or none; a stray eighth column that is not
    // is_best_match is no spot row either.
    const usdm = file("BTCUSDT-aggTrades-2024-01-07.csv", "1,42283.5,0.001,1,1,1704067200005,true,extra\n2,42283.6,0.002,2,3,1704067200040,false\n");
    assert.deepEqual((await all(readMarketFile(usdm))).map((r) => (r.kind === "trade" ? r.id : "")), ["1", "2"]);
    const trades = file("BTCUSDT-trades-2024-01-07.csv", "id,price,qty,quote_qty,time,is_buyer_maker\n7,42283.5,0.001,42.2835,1704067200005,true\n");
    assert.equal((await all(readMarketFile(trades))).length, 1);
  });

  test("klines, bookTicker and funding rates", async () => {
    const klines = file("BTCUSDT-1m-2024-01-01.csv", "1704067200000,42283.5,42297.9,42261.5,42290.0,123.456,1704067259999,5.2e6,1500,60.1,2.5e6,0\n");
    assert.deepEqual((await all(readMarketFile(klines))).map(plain), [
      { kind: "kline", ts: 1704067259999, openTime: 1704067200000, symbol: "BTCUSDT", open: "42283.5", high: "42297.9", low: "42261.5", close: "42290", volume: "123.456" },
    ]);
    const book = file("BTCUSDT-bookTicker-2024-01-01.csv", "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time\n1,100.1,2,100.2,3,1704067200001,1704067200002\n");
    assert.deepEqual((await all(readMarketFile(book))).map(plain), [{ kind: "book-ticker", ts: 1704067200001, symbol: "BTCUSDT", bid: "100.1", bidQty: "2", ask: "100.2", askQty: "3", afterGap: false }]);
    const funding = file("BTCUSDT-fundingRate-2024-01.csv", "calc_time,funding_interval_hours,last_funding_rate\n1704067200000,8,0.00010000\n");
    assert.deepEqual((await all(readMarketFile(funding))).map(plain), [{ kind: "funding", ts: 1704067200000, symbol: "BTCUSDT", rate: "0.0001" }]);
  });

  test("a row given twice (a trade id not above the row before's) is skipped and counted, never replayed twice; strict stops on it", async () => {
    // Files joined by hand, a copy pasted in: the same trade twice would be replayed twice.
    const rows = ["41,100.5,2,41,41,1704067200000,true", "42,100.6,1,42,43,1704067200001,false", "42,100.6,1,42,43,1704067200001,false", "43,100.7,1,44,44,1704067200002,true"];
    for (const [name, content] of [
      ["XRPUSDT-aggTrades-2024-01-01.csv", `${AGG_HEADER}\n${rows.join("\n")}\n`],
      ["XRPUSDT-trades-2024-01-01.csv", `${rows.map((r) => r.split(",")).map((f) => [f[0], f[1], f[2], "1", f[5], f[6]].join(",")).join("\n")}\n`],
    ] as const) {
      const path = file(name, content);
      const report: FileReport = newFileReport(path);
      const records = await all(readMarketFile(path, {}, report));
      assert.deepEqual(records.map((r) => (r.kind === "trade" ? r.id : "")), ["41", "42", "43"], name);
      assert.equal(report.skipped, 1);
      assert.match(report.problems[0]!.reason, /^(agg_trade_id|id) 42 is not above the row before's 42: a row given twice would replay its trade twice$/);
      await assert.rejects(all(readMarketFile(path, { strict: true })), (e) => isHeanError(e, "DATA_MALFORMED") && /:\d: (agg_trade_id|id) 42 is not above/.test(e.message));
    }
  });

  test("malformed rows: skipped and counted with file, line and reason by default; strict stops on the first", async () => {
    const path = file(
      "SOLUSDT-aggTrades-2024-01-01.csv",
      [
        AGG_HEADER,
        "1,100.5,2,1,1,1704067200000,true",
        "2,NaN,2,1,1,1704067200001,true",
        "3,100.5,-1,1,1,1704067200002,false",
        "4,100.5,1e3,1,1,1704067200003,false",
        "5,100.5,1,1,1,1704067200004,maybe",
        "6,100.5,1",
        "7,100.6,1,1,1,1704067200005,false",
      ].join("\n"),
    );
    const report: FileReport = newFileReport(path);
    const records = await all(readMarketFile(path, {}, report));
    assert.deepEqual(records.map((r) => (r.kind === "trade" ? r.id : "")), ["1", "7"]);
    assert.equal(report.skipped, 5);
    assert.deepEqual(
      report.problems.map((p) => p.line),
      [3, 4, 5, 6, 7],
    );
    assert.match(report.problems[0]!.reason, /price is not a decimal number: "NaN"/);
    assert.match(report.problems[1]!.reason, /quantity must be positive/);
    assert.match(report.problems[4]!.reason, /3 columns/);
    await assert.rejects(all(readMarketFile(path, { strict: true })), (e) => isHeanError(e, "DATA_MALFORMED") && /SOLUSDT-aggTrades-2024-01-01\.csv:3: price/.test(e.message));
  });

  test("the time unit is the first parsed row's: a blank line, a header on line 2, a bad first row or a BOM misdate nothing", async () => {
    const rows = ["1,100,1,1,1,1704067200000,true", "2,101,1,2,2,1704067201000,false"];
    const cases: [string, string, { line: number; reason: RegExp }[]][] = [
      ["blank line then header", `\n${AGG_HEADER}\n${rows.join("\n")}\n`, []],
      ["BOM before a header-less first row", `\uFEFF${rows.join("\n")}\n`, []],
      ["BOM before the header", `\uFEFF${AGG_HEADER}\r\n${rows.join("\r\n")}\r\n`, []],
      ["empty transact_time in row 1", `0,99,1,0,0,,true\n${rows.join("\n")}\n`, [{ line: 1, reason: /time is not a number: ""/ }]],
      ["garbage first row", `hello,world,1,2,3,4,5\n${rows.join("\n")}\n`, [{ line: 1, reason: /price is not a decimal/ }]],
      ["a time of 0 in row 1", `0,99,1,0,0,0,true\n${rows.join("\n")}\n`, [{ line: 1, reason: /time must be positive: 0/ }]],
      ["a short first row with a small number", `7,5\n${rows.join("\n")}\n`, [{ line: 1, reason: /2 columns/ }]],
    ];
    let day = 10;
    for (const [what, content, problems] of cases) {
      const path = file(`BTCUSDT-aggTrades-2024-01-${day++}.csv`, content);
      const report = newFileReport(path);
      const records = await all(readMarketFile(path, {}, report));
      assert.deepEqual(records.map((r) => r.ts), [1704067200000, 1704067201000], what);
      assert.equal(report.timeUnit, "ms", what);
      assert.equal(report.problems.length, problems.length, `${what}: ${JSON.stringify(report.problems)}`);
      problems.forEach((p, i) => {
        assert.equal(report.problems[i]!.line, p.line, what);
        assert.match(report.problems[i]!.reason, p.reason, what);
      });
    }
  });

  test("a fundingRate file's columns are checked: another layout's rows are malformed, not funding", async () => {
    const path = file(
      "XRPUSDT-fundingRate-2024-01.csv",
      [
        "calc_time,funding_interval_hours,last_funding_rate",
        "1704067200000,,0.0001",
        "1704096000000,8,-0.00005",
        AGG_ROWS[0]!,
        "1704124800000,8,100.5",
        "1704153600000,x,0.0001",
        "1704182400000,8,0.0001,1",
      ].join("\n"),
    );
    const report = newFileReport(path);
    const records = (await all(readMarketFile(path, {}, report))).map(plain);
    assert.deepEqual(records.map((r) => r.rate), ["0.0001", "-0.00005"]);
    assert.deepEqual(
      report.problems.map((p) => `${p.line}: ${p.reason}`),
      ["4: 7 columns, binance-fundingRate has 3", "5: last_funding_rate is not a rate: 100.5", '6: funding_interval_hours is not a decimal number: "x"', "7: 4 columns, binance-fundingRate has 3"],
    );
    const agg = file("agg-as-funding.csv", `${AGG_ROWS.join("\n")}\n`);
    const asFunding = newFileReport(agg);
    assert.deepEqual(await all(readMarketFile(agg, { format: "binance-fundingRate", symbol: "BTCUSDT" }, asFunding)), []);
    assert.equal(asFunding.skipped, 2);
  });

  test("negative sizes are malformed; a zero volume or book size is not", async () => {
    const klines = file(
      "BTCUSDT-1m-2024-01-02.csv",
      ["1704153600000,100,101,99,100,-12.5,1704153659999,0,0,0,0,0", "1704153660000,100,101,99,100,0,1704153719999,0,0,0,0,0"].join("\n"),
    );
    const kr = newFileReport(klines);
    assert.deepEqual((await all(readMarketFile(klines, {}, kr))).map((r) => r.ts), [1704153719999]);
    assert.deepEqual(kr.problems, [{ line: 1, reason: "volume is negative: -12.5" }]);
    const book = file(
      "BTCUSDT-bookTicker-2024-01-02.csv",
      ["1,100.1,-1.5,100.2,3,1704153600001,1704153600002", "2,100.1,2,100.2,-0.1,1704153600003,1704153600004", "3,100.1,0,100.2,3,1704153600005,1704153600006"].join("\n"),
    );
    const br = newFileReport(book);
    assert.deepEqual((await all(readMarketFile(book, {}, br))).map((r) => r.ts), [1704153600005]);
    assert.deepEqual(br.problems, [
      { line: 1, reason: "best_bid_qty is negative: -1.5" },
      { line: 2, reason: "best_ask_qty is negative: -0.1" },
    ]);
    const recording = file("neg.hean.csv", ["1704153600000,book,BTCUSDT,100,-1,101,1", "1704153600001,book,BTCUSDT,100,1,101,-2", "1704153600002,book,BTCUSDT,100,0,101,1"].join("\n"));
    const rr = newFileReport(recording);
    assert.deepEqual((await all(readMarketFile(recording, {}, rr))).map((r) => r.ts), [1704153600002]);
    assert.deepEqual(rr.problems.map((p) => p.reason), ["bid_qty is negative: -1", "ask_qty is negative: -2"]);
  });

  test("time going backwards is an error naming the line, strict or not", async () => {
    const path = file("BTCUSDT-aggTrades-2024-01-05.csv", "1,100,1,1,1,1704067200005,true\n2,100,1,1,1,1704067200001,true\n");
    await assert.rejects(all(readMarketFile(path)), (e) => isHeanError(e, "DATA_OUT_OF_ORDER") && e.message.includes(":2:"));
  });

  test("a damaged or missing file is a clear DATA_MALFORMED error, never a crash or a partial silent read", async () => {
    const csv = Array.from({ length: 5000 }, (_, i) => `${i},100,1,1,1,${1704067200000 + i},true`).join("\n");
    const gz = gzipSync(csv);
    const truncatedGz = file("BTCUSDT-aggTrades-2024-02-01.csv.gz", gz.subarray(0, gz.length >> 1));
    await assert.rejects(all(readMarketFile(truncatedGz)), (e) => isHeanError(e, "DATA_MALFORMED"));
    const zip = zipOne("a.csv", csv);
    const truncatedZip = file("BTCUSDT-aggTrades-2024-02-02.zip", zip.subarray(0, zip.length >> 1));
    await assert.rejects(all(readMarketFile(truncatedZip)), (e) => isHeanError(e, "DATA_MALFORMED"));
    const notZip = file("BTCUSDT-aggTrades-2024-02-03.zip", "hello");
    await assert.rejects(all(readMarketFile(notZip)), (e) => isHeanError(e, "DATA_MALFORMED") && /not a zip archive/.test(e.message));
    await assert.rejects(all(readMarketFile(join(dir, "BTCUSDT-aggTrades-1999-01-01.csv"))), (e) => isHeanError(e, "DATA_MALFORMED") && /no such file/.test(e.message));
    await assert.rejects(all(readMarketFile(file("mystery.csv", "1,2,3"))), (e) => isHeanError(e, "DATA_MALFORMED") && /layout/.test(e.message));
  });

  test("several files merge into one stream in time order, with a time window", async () => {
    const t = 1704067200000;
    const rows = (px: number, ...at: number[]): string => at.map((s, i) => `${i},${px},1,1,1,${t + s},true\n`).join("");
    const a = file("AAAUSDT-aggTrades-2024-01-01.csv", rows(10, 1000, 3000, 5000));
    const b = file("BBBUSDT-aggTrades-2024-01-01.csv", rows(20, 2000, 3000, 6000));
    const reports: FileReport[] = [];
    const merged = await all(mergeMarketFiles([a, b], { from: t + 2000, to: t + 6000 }, reports));
    assert.deepEqual(
      merged.map((r) => `${r.symbol}@${r.ts - t}`),
      ["BBBUSDT@2000", "AAAUSDT@3000", "BBBUSDT@3000", "AAAUSDT@5000"],
    );
    assert.deepEqual(reports.map((r) => r.records), [2, 2]);
  });
});

describe("row parsers under random input", () => {
  test("any row gives a record or a reason, never an exception, and parsed numbers are the text's exact decimals", () => {
    const field = fc.oneof(
      fc.constantFrom("", "NaN", "Infinity", "-1", "0", "1e400", "true", "false", "Buy", "Sell", "BTCUSDT", " ", "0.1", "1704067200000", "1709251200.2296", "99999999999999999999"),
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
      fc.double().map(String),
    );
    fc.assert(
      fc.property(fc.constantFrom(...DATA_FORMATS), fc.array(field, { maxLength: 14 }), fc.constantFrom<TimeUnit>("s", "ms", "us"), (format, fields, timeUnit) => {
        const result = FORMATS[format].parse(fields, { symbol: "BTCUSDT", timeUnit });
        if (typeof result === "string") return;
        assert.ok(Number.isSafeInteger(result.ts) && result.ts >= 0);
        if (result.kind === "trade") {
          const [priceAt, qtyAt] = format === "bybit-trades" ? [4, 3] : [1, 2];
          assert.equal(format_(result.price), normal(fields[priceAt]!));
          assert.equal(format_(result.qty), normal(fields[qtyAt]!));
        }
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});

const format_ = (d: Parameters<typeof format>[0]): string => format(d);
/** "0.100" → "0.1", " 1.50 " → "1.5": what an exact decimal of the text prints as. */
const normal = (text: string): string => {
  const t = text.trim().replace(/^\+/, "");
  if (!t.includes(".")) return t.replace(/^0+(?=\d)/, "");
  return t.replace(/^0+(?=\d)/, "").replace(/0+$/, "").replace(/\.$/, "");
};
