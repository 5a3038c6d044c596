/**
 * `hean data download` against a local HTTP server that serves the venues' layout (no machine here
 * reaches the internet): checksums, resume after a cut connection, a corrupted file refused, a day
 * the venue does not have, and the files read back by the data readers.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type FileOutcome, download, planFiles } from "../../src/research/data/download.ts";
import { readMarketFile } from "../../src/research/data/reader.ts";
import { HEAN, ROOT } from "../cli/cli-helpers.ts";
import { zipOne } from "./zip-writer.ts";

const files = new Map<string, Buffer>();
const requests: { url: string; range: string | undefined }[] = [];
/** Paths whose next answer is cut after this many bytes (the socket is destroyed). */
const cutOnce = new Map<string, number>();
/** Paths whose next request is never answered. */
const hangOnce = new Set<string>();
/** Paths whose next answer sends this many bytes and then nothing, without ending. */
const stallOnce = new Map<string, number>();

/**
 * Bybit's `/v5/market/kline` as its documentation gives it: a minute bar at every minute of the
 * asked window (none on days listed in `noBars`), newest first, at most `limit`; `refuse` answers
 * a symbol with a retCode.
 */
const noBars = new Set<string>();
function bybitKlines(url: URL, res: ServerResponse): void {
  const q = (k: string): string => url.searchParams.get(k) ?? "";
  if (q("symbol") === "REFUSEDUSDT") return void res.writeHead(200).end(JSON.stringify({ retCode: 10001, retMsg: "params error: symbol invalid", result: {} }));
  const [start, end, limit] = [Number(q("start")), Number(q("end")), Number(q("limit"))];
  const list: string[][] = [];
  for (let t = Math.floor(end / 60_000) * 60_000; t >= start && list.length < limit; t -= 60_000) {
    if (noBars.has(new Date(t).toISOString().slice(0, 10))) continue;
    const px = 3000 + (t / 60_000) % 50;
    list.push([String(t), `${px}`, `${px + 1.5}`, `${px - 1}`, `${px + 0.5}`, "12.5", "37500"]);
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ retCode: 0, retMsg: "OK", result: { symbol: q("symbol"), category: q("category"), list } }));
}

/** Bybit's `/v5/market/funding/history`: a settlement every 8 hours, newest first, at most `limit`. */
function bybitFunding(url: URL, res: ServerResponse): void {
  const q = (k: string): number => Number(url.searchParams.get(k));
  const list: { symbol: string; fundingRate: string; fundingRateTimestamp: string }[] = [];
  const every = 8 * 3_600_000;
  for (let t = Math.floor(q("endTime") / every) * every; t >= q("startTime") && list.length < q("limit"); t -= every) {
    list.push({ symbol: url.searchParams.get("symbol") ?? "", fundingRate: (t / every) % 2 === 0 ? "0.0001" : "-0.00005", fundingRateTimestamp: String(t) });
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ retCode: 0, retMsg: "OK", result: { category: "linear", list } }));
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  requests.push({ url, range: req.headers.range });
  if (url.startsWith("/v5/market/kline?")) return bybitKlines(new URL(url, "http://x"), res);
  if (url.startsWith("/v5/market/funding/history?")) return bybitFunding(new URL(url, "http://x"), res);
  if (hangOnce.delete(url)) return;
  const body = files.get(url);
  if (body === undefined) {
    res.writeHead(404).end("not found");
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const start = range === null ? 0 : Number(range[1]);
  if (start >= body.length && range !== null) {
    res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
    return;
  }
  const part = body.subarray(start);
  res.writeHead(range === null ? 200 : 206, {
    "content-length": part.length,
    ...(range === null ? {} : { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` }),
  });
  const stall = stallOnce.get(url);
  if (stall !== undefined) {
    stallOnce.delete(url);
    res.write(part.subarray(0, stall));
    return;
  }
  const cut = cutOnce.get(url);
  if (cut !== undefined) {
    cutOnce.delete(url);
    res.write(part.subarray(0, cut), () => res.socket?.destroy());
    return;
  }
  res.end(part);
}

function aggTrades(symbol: string, date: string, n: number): Buffer {
  const t0 = Date.parse(`${date}T00:00:00Z`);
  const rows = Array.from({ length: n }, (_, i) => `${i + 1},${100 + (i % 7)}.5,0.${(i % 9) + 1},${i},${i},${t0 + i * 10},${i % 2 === 0}`);
  return zipOne(`${symbol}-aggTrades-${date}.csv`, `agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n${rows.join("\n")}\n`);
}

function publishBinance(symbol: string, date: string, zip: Buffer, checksumOf: Buffer = zip): void {
  const path = `/data/futures/um/daily/aggTrades/${symbol}/${symbol}-aggTrades-${date}.zip`;
  files.set(path, zip);
  files.set(`${path}.CHECKSUM`, Buffer.from(`${createHash("sha256").update(checksumOf).digest("hex")}  ${symbol}-aggTrades-${date}.zip\n`));
}

let base = "";
const server = createServer(serve);

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  // The answers left hanging on purpose.
  server.closeAllConnections();
}));

function heanData(args: readonly string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HEAN, "data", "download", "--base-url", base, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (status) => resolve({ status, out }));
  });
}

async function count(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readMarketFile(path)) n++;
  return n;
}

describe("hean data download", () => {
  test("Binance aggTrades for two symbols and two days: verified against the published SHA-256 and readable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    for (const s of ["BTCUSDT", "ETHUSDT"]) for (const d of ["2024-01-01", "2024-01-02"]) publishBinance(s, d, aggTrades(s, d, 500));
    const r = await heanData(["--venue", "binance", "--symbols", "BTCUSDT,ETHUSDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-02", "--dir", dir]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /4 downloaded, 0 already present, 0 missing at the venue, 0 failed/);
    const path = join(dir, "binance/aggTrades/ETHUSDT/ETHUSDT-aggTrades-2024-01-02.zip");
    assert.equal(await count(path), 500);
    assert.ok(!existsSync(`${path}.part`));
    // Again: nothing is fetched twice, every file is re-verified.
    const again = await heanData(["--venue", "binance", "--symbols", "BTCUSDT,ETHUSDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-02", "--dir", dir]);
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /0 downloaded, 4 already present/);
  });

  test("a connection cut mid-file: the file is not complete-looking, and the next run resumes with a Range request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const zip = aggTrades("SOLUSDT", "2024-02-01", 20_000);
    publishBinance("SOLUSDT", "2024-02-01", zip);
    const path = "/data/futures/um/daily/aggTrades/SOLUSDT/SOLUSDT-aggTrades-2024-02-01.zip";
    cutOnce.set(path, 10_000);
    const args = ["--venue", "binance", "--symbols", "SOLUSDT", "--kind", "aggTrades", "--from", "2024-02-01", "--to", "2024-02-01", "--dir", dir];
    const first = await heanData(args);
    assert.equal(first.status, 1, first.out);
    assert.match(first.out, /FAILED/);
    const local = join(dir, "binance/aggTrades/SOLUSDT/SOLUSDT-aggTrades-2024-02-01.zip");
    assert.ok(!existsSync(local), "an incomplete download never takes the final name");
    // How much of the cut answer reached the disk depends on timing: leave exactly what a cut
    // after 10,000 bytes leaves, so the resume is checked the same way on any machine.
    writeFileSync(`${local}.part`, zip.subarray(0, 10_000));
    const second = await heanData(args);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /resumed at/);
    const ranged = requests.filter((r) => r.url === path && r.range !== undefined);
    assert.equal(ranged.at(-1)?.range, "bytes=10000-", "resumed with a Range request from where the part ends");
    assert.deepEqual(readFileSync(local), zip);
    assert.equal(await count(local), 20_000);
  });

  test("a server that never answers, or stalls mid-file, fails the file after --timeout, naming the URL; the part is kept and resumed", { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const zips = new Map(["DOGEUSDT", "LTCUSDT"].map((s) => [s, aggTrades(s, "2024-05-01", 20_000)]));
    for (const [s, zip] of zips) publishBinance(s, "2024-05-01", zip);
    const url = (s: string): string => `/data/futures/um/daily/aggTrades/${s}/${s}-aggTrades-2024-05-01.zip`;
    hangOnce.add(url("DOGEUSDT"));
    stallOnce.set(url("LTCUSDT"), 10_000);
    const args = ["--venue", "binance", "--symbols", "DOGEUSDT,LTCUSDT", "--kind", "aggTrades", "--from", "2024-05-01", "--to", "2024-05-01", "--dir", dir, "--timeout", "0.3"];
    const first = await heanData(args);
    assert.equal(first.status, 1, first.out);
    assert.match(first.out, new RegExp(`DOGEUSDT-aggTrades-2024-05-01\\.zip: FAILED: DATA_DOWNLOAD: ${base}${url("DOGEUSDT")}: no answer within 0\\.3 s\n`));
    assert.match(first.out, new RegExp(`LTCUSDT-aggTrades-2024-05-01\\.zip: FAILED: DATA_DOWNLOAD: ${base}${url("LTCUSDT")}: the answer stalled \\(no bytes for 0\\.3 s\\); the part is kept`));
    const ltc = join(dir, "binance/aggTrades/LTCUSDT/LTCUSDT-aggTrades-2024-05-01.zip");
    assert.equal(statSync(`${ltc}.part`).size, 10_000);
    const second = await heanData(args);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /LTCUSDT-aggTrades-2024-05-01\.zip: downloaded \(resumed at/);
    assert.deepEqual(readFileSync(ltc), zips.get("LTCUSDT"));
    const badTimeout = await heanData([...args.slice(0, -1), "0"]);
    assert.equal(badTimeout.status, 2, badTimeout.out);
    assert.match(badTimeout.out, /--timeout must be more than 0 seconds/);
  });

  test("a file that does not match its checksum is removed and reported; a day the venue lacks is reported missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const good = aggTrades("XRPUSDT", "2024-03-01", 100);
    const tampered = Buffer.from(good);
    const at = tampered.length - 30;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 0xff, at);
    publishBinance("XRPUSDT", "2024-03-01", tampered, good);
    const r = await heanData(["--venue", "binance", "--symbols", "XRPUSDT", "--kind", "aggTrades", "--from", "2024-03-01", "--to", "2024-03-02", "--dir", dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /SHA-256 [0-9a-f]{64} does not match the published/);
    assert.match(r.out, /XRPUSDT-aggTrades-2024-03-02\.zip: missing at the venue/);
    assert.match(r.out, /0 downloaded, 0 already present, 1 missing at the venue, 1 failed/);
    assert.ok(!existsSync(join(dir, "binance/aggTrades/XRPUSDT/XRPUSDT-aggTrades-2024-03-01.zip")));
    assert.ok(!existsSync(join(dir, "binance/aggTrades/XRPUSDT/XRPUSDT-aggTrades-2024-03-01.zip.part")));
  });

  test("a zip published without its .CHECKSUM is not called missing: fetched and proven whole, or a verified local copy kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    for (const d of ["2024-04-01", "2024-04-02"]) publishBinance("ADAUSDT", d, aggTrades("ADAUSDT", d, 50));
    const folder = "/data/futures/um/daily/aggTrades/ADAUSDT";
    const args = ["--venue", "binance", "--symbols", "ADAUSDT", "--kind", "aggTrades", "--from", "2024-04-01", "--to", "2024-04-01", "--dir", dir];
    const first = await heanData(args);
    assert.equal(first.status, 0, first.out);
    // The venue then loses both days' checksums: the 1st is on disk (verified when it came), the 2nd is not.
    for (const d of ["2024-04-01", "2024-04-02"]) files.delete(`${folder}/ADAUSDT-aggTrades-${d}.zip.CHECKSUM`);
    // Without a checksum, a zip cut short is still caught: it has no end-of-central-directory record.
    const cut = aggTrades("ADAUSDT", "2024-04-03", 50);
    files.set(`${folder}/ADAUSDT-aggTrades-2024-04-03.zip`, cut.subarray(0, cut.length - 40));
    const before = requests.length;
    const r = await heanData([...args.slice(0, -4), "--to", "2024-04-03", "--dir", dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /ADAUSDT-aggTrades-2024-04-03\.zip: FAILED: .*not a whole zip/);
    assert.match(r.out, /ADAUSDT-aggTrades-2024-04-01\.zip: already present, no \.CHECKSUM at the venue/);
    assert.match(r.out, /ADAUSDT-aggTrades-2024-04-02\.zip: downloaded, no \.CHECKSUM at the venue: not verified/);
    assert.match(r.out, /1 downloaded, 1 already present, 0 missing at the venue, 1 failed/);
    assert.ok(requests.slice(before).some((q) => q.url === `${folder}/ADAUSDT-aggTrades-2024-04-02.zip`), "the zip itself was asked for");
    assert.equal(await count(join(dir, "binance/aggTrades/ADAUSDT/ADAUSDT-aggTrades-2024-04-02.zip")), 50);
  });

  test("Bybit trades: gzip files proven whole, read back with the symbol and taker side", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const csv = "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n1709251200.25,BTCUSDT,Buy,0.003,61201.5,PlusTick,m1,1,0.003,183.6\n";
    files.set("/trading/BTCUSDT/BTCUSDT2024-03-01.csv.gz", gzipSync(csv));
    const broken = gzipSync(csv.repeat(50));
    files.set("/trading/BTCUSDT/BTCUSDT2024-03-02.csv.gz", broken.subarray(0, broken.length - 8));
    const r = await heanData(["--venue", "bybit", "--symbols", "BTCUSDT", "--kind", "trades", "--from", "2024-03-01", "--to", "2024-03-02", "--dir", dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /BTCUSDT2024-03-02\.csv\.gz: FAILED: .*not a whole gzip/);
    assert.equal(await count(join(dir, "bybit/trades/BTCUSDT/BTCUSDT2024-03-01.csv.gz")), 1);
  });

  test("Bybit klines from its REST API: a day in pages, written in Binance's kline layout, read back; an empty day is missing, a refusal says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    noBars.add("2024-03-03");
    const before = requests.length;
    const r = await heanData(["--venue", "bybit", "--symbols", "ETHUSDT", "--kind", "klines", "--interval", "1m", "--from", "2024-03-01", "--to", "2024-03-03", "--dir", dir]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /bybit\/klines\/ETHUSDT\/ETHUSDT-1m-2024-03-01\.csv: downloaded/);
    assert.match(r.out, /ETHUSDT-1m-2024-03-03\.csv: missing at the venue/);
    assert.match(r.out, /2 downloaded, 0 already present, 1 missing at the venue, 0 failed/);
    // 1,440 minutes a day at 1,000 a page: two pages, the second ending just before the first's oldest bar.
    const day1 = requests.slice(before).map((q) => new URL(q.url, "http://x").searchParams).filter((p) => p.get("start") === String(Date.parse("2024-03-01T00:00:00Z")));
    assert.deepEqual(day1.map((p) => [p.get("category"), p.get("interval"), p.get("limit")]), [["linear", "1", "1000"], ["linear", "1", "1000"]]);
    assert.equal(Number(day1[1]!.get("end")), Date.parse("2024-03-01T00:00:00Z") + 440 * 60_000 - 1);
    const path = join(dir, "bybit/klines/ETHUSDT/ETHUSDT-1m-2024-03-01.csv");
    const bars: { ts: number; openTime: number; close: string }[] = [];
    for await (const rec of readMarketFile(path)) if (rec.kind === "kline") bars.push({ ts: rec.ts, openTime: rec.openTime, close: String(rec.close) });
    assert.equal(bars.length, 1440);
    assert.ok(bars.every((b, i) => b.openTime === Date.parse("2024-03-01T00:00:00Z") + i * 60_000 && b.ts === b.openTime + 59_999), "every minute once, in order, closing a millisecond before the next");
    // Run again: what is there is kept.
    const again = await heanData(["--venue", "bybit", "--symbols", "ETHUSDT", "--kind", "klines", "--interval", "1m", "--from", "2024-03-01", "--to", "2024-03-01", "--dir", dir]);
    assert.match(again.out, /0 downloaded, 1 already present/);
    const refused = await heanData(["--venue", "bybit", "--symbols", "REFUSEDUSDT", "--kind", "klines", "--from", "2024-03-01", "--to", "2024-03-01", "--dir", dir]);
    assert.equal(refused.status, 1, refused.out);
    assert.match(refused.out, /REFUSEDUSDT-1m-2024-03-01\.csv: FAILED: .*Bybit refused \(retCode 10001: params error: symbol invalid\)/);
    assert.ok(!existsSync(join(dir, "bybit/klines/REFUSEDUSDT")), "nothing written for a refusal");
    const badInterval = await heanData(["--venue", "bybit", "--symbols", "ETHUSDT", "--kind", "klines", "--interval", "1w", "--from", "2024-03-01", "--to", "2024-03-01", "--dir", dir]);
    assert.equal(badInterval.status, 2);
    assert.match(badInterval.out, /--interval 1w: Bybit klines come in 1m, 3m, 5m/);
  });

  test("Bybit funding rates from its REST API: a month a file in Binance's fundingRate layout, read back as funding records", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const r = await heanData(["--venue", "bybit", "--symbols", "ETHUSDT", "--kind", "fundingRate", "--from", "2024-03-01", "--to", "2024-03-31", "--dir", dir]);
    assert.equal(r.status, 0, r.out);
    const path = join(dir, "bybit/fundingRate/ETHUSDT/ETHUSDT-fundingRate-2024-03.csv");
    const lines = readFileSync(path, "utf8").trim().split("\n");
    assert.equal(lines[0], "calc_time,funding_interval_hours,last_funding_rate");
    assert.equal(lines.length, 1 + 31 * 3, "every 8 hours of March");
    assert.equal(lines[1], `${Date.parse("2024-03-01T00:00:00Z")},,-0.00005`, "the first settlement's interval is not known from the month alone");
    assert.equal(lines[2], `${Date.parse("2024-03-01T08:00:00Z")},8,0.0001`);
    const rates: string[] = [];
    for await (const rec of readMarketFile(path)) if (rec.kind === "funding" && rec.symbol === "ETHUSDT") rates.push(String(rec.rate));
    assert.equal(rates.length, 93);
  });

  test("Bybit klines and funding of a day or month not over yet are not written (no open bar), and are fetched once it is over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    const quiet = { update() {}, done() {} };
    const klines = planFiles({ venue: "bybit", symbols: ["ETHUSDT"], kind: "klines", interval: "1m", from: "2024-06-01", to: "2024-06-02", dir, baseUrl: base });
    const funding = planFiles({ venue: "bybit", symbols: ["ETHUSDT"], kind: "fundingRate", interval: "1m", from: "2024-06-01", to: "2024-06-02", dir, baseUrl: base });
    const midday = Date.parse("2024-06-02T12:00:00Z");
    const before = requests.length;
    const early = await download([...klines, ...funding], quiet, { now: () => midday });
    assert.deepEqual(early.map((o) => o.kind), ["downloaded", "incomplete", "incomplete"]);
    const endsAt = (o: FileOutcome | undefined): number | undefined => (o?.kind === "incomplete" ? o.endsAt : undefined);
    assert.equal(endsAt(early[1]), Date.parse("2024-06-03T00:00:00Z"));
    assert.equal(endsAt(early[2]), Date.parse("2024-07-01T00:00:00Z"));
    for (const f of [klines[1]!, funding[0]!]) assert.ok(!existsSync(f.path) && !existsSync(`${f.path}.part`), `nothing written for ${f.path}`);
    const asked = requests.slice(before).map((q) => new URL(q.url, "http://x").searchParams);
    assert.ok(asked.every((p) => p.get("start") === String(Date.parse("2024-06-01T00:00:00Z"))), "only the finished day is asked for");
    // The next day: the 2nd is over and fetched, the 1st is kept.
    const later = await download(klines, quiet, { now: () => Date.parse("2024-06-03T00:00:00Z") });
    assert.deepEqual(later.map((o) => o.kind), ["present", "downloaded"]);
    const closes = readFileSync(klines[1]!.path, "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[6]));
    assert.equal(closes.length, 1440);
    assert.equal(closes.at(-1), Date.parse("2024-06-03T00:00:00Z") - 1);
  });

  test("the CLI says when an unfinished day will be over, and that is not a failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    // A day far ahead is not over whenever this runs (today's would be over at midnight).
    const day = "2999-01-01";
    const r = await heanData(["--venue", "bybit", "--symbols", "ETHUSDT", "--kind", "klines", "--from", day, "--to", day, "--dir", dir]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /ETHUSDT-1m-2999-01-01\.csv: not complete yet: ends at 2999-01-02T00:00:00\.000Z/);
    assert.match(r.out, /0 downloaded, 0 already present, 0 missing at the venue, 0 failed, 1 not complete yet/);
  });

  test("a server that cannot be reached is named with why (refused), not just 'fetch failed'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-dl-"));
    // A port that was just listened on and closed: nothing answers there.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await heanData(["--venue", "binance", "--symbols", "XRPUSDT", "--kind", "aggTrades", "--from", "2024-03-01", "--to", "2024-03-01", "--dir", dir, "--base-url", `http://127.0.0.1:${port}`]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`XRPUSDT-aggTrades-2024-03-01\\.zip: FAILED: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });

  test("bad arguments are refused with the reason and exit 2, before anything is fetched", async () => {
    const before = requests.length;
    for (const [args, reason] of [
      [["--venue", "kraken", "--symbols", "BTCUSDT", "--kind", "trades", "--from", "2024-01-01", "--to", "2024-01-01"], /--venue must be one of binance, bybit/],
      [["--venue", "bybit", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-01"], /not published by bybit.*available: trades/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggtrades", "--from", "2024-01-01", "--to", "2024-01-01"], /--kind aggtrades is not published by binance as daily files \(did you mean aggTrades\?\); available: aggTrades, trades,/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-13-01", "--to", "2024-01-01"], /--from must be a date/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-02-30", "--to", "2024-03-01"], /--from must be a date/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-01-02", "--to", "2024-01-01"], /before --from/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-01", "--base-url", "notaurl"], /--base-url must be an http:\/\/ or https:\/\/ URL, got "notaurl"/],
      [["--venue", "binance", "--symbols", "BTCUSDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-01", "--base-url", "ftp://example.com"], /--base-url must be an http/],
      [["--venue", "binance", "--symbols", "BTC/USDT", "--kind", "aggTrades", "--from", "2024-01-01", "--to", "2024-01-01"], /is not a symbol/],
    ] as const) {
      const r = await heanData(args);
      assert.equal(r.status, 2, r.out);
      assert.match(r.out, reason);
    }
    assert.equal(requests.length, before);
  });
});
