/**
 * The byte-level row reader (issue 13) against the line-by-line reader it replaced, kept here as
 * the reference: on random valid and malformed files, cut into chunks anywhere (and read whole
 * from plain and .gz files), both give the same records, the same report (rows, skipped, the
 * problems with line and reason, the time unit) and the same stopping error.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { HeanError } from "../../src/core/errors.ts";
import { type DataFormat, FORMATS, timeUnitOf, type TimeUnit, unreplayedError, unreplayedRow } from "../../src/research/data/formats.ts";
import { type FileReport, type ReadOptions, newFileReport } from "../../src/research/data/file-report.ts";
import { readMarketBatches, readMarketFile } from "../../src/research/data/reader.ts";
import type { MarketRecord } from "../../src/research/data/records.ts";
import { RowReader, idAbove } from "../../src/research/data/row-reader.ts";

interface Outcome {
  readonly records: MarketRecord[];
  readonly report: FileReport;
  readonly error: string | undefined;
}

const errorOf = (e: unknown): string => (e instanceof HeanError ? `${e.code} ${e.message}` : `not a HeanError: ${String(e)}`);

/** The reader before issue 13: text lines (a trailing \r dropped), split on commas, `FORMATS[format].parse`. */
function reference(content: Buffer, file: string, format: DataFormat, symbol: string | undefined, options: ReadOptions): Outcome {
  const report = newFileReport(file);
  report.format = format;
  const records: MarketRecord[] = [];
  const spec = FORMATS[format];
  let unit: TimeUnit | undefined;
  let lastTs = -Infinity;
  let lastId: string | undefined;
  const text0 = content.toString("utf8");
  const parts = (text0.startsWith("\uFEFF") ? text0.slice(1) : text0).split("\n");
  const rest = parts.pop()!;
  if (rest !== "") parts.push(rest);
  const skip = (line: number, reason: string): void => {
    if (options.strict === true) throw new HeanError("DATA_MALFORMED", `${file}:${line}: ${reason}`, { file, line, reason });
    report.skipped++;
    if (report.problems.length < 100) report.problems.push({ line, reason });
  };
  try {
    for (let i = 0; i < parts.length; i++) {
      const text = parts[i]!.endsWith("\r") ? parts[i]!.slice(0, -1) : parts[i]!;
      const n = i + 1;
      if (text.trim() === "") continue;
      const fields = text.split(",");
      if (report.rows === 0 && (isHeader(fields, spec.header) || text.startsWith("#"))) continue;
      const unreplayed = report.rows === 0 ? unreplayedRow(format, fields, file, symbol) : undefined;
      if (unreplayed !== undefined) throw unreplayedError(file, unreplayed, "rows");
      report.rows++;
      if (fields.length < spec.minColumns) {
        skip(n, `${fields.length} columns, ${format} has ${spec.minColumns}`);
        continue;
      }
      const rowUnit = unit ?? timeUnitOf(fields[spec.timeColumn]!);
      const record = spec.parse(fields, { symbol, timeUnit: rowUnit ?? "ms" });
      if (typeof record === "string") {
        skip(n, record);
        continue;
      }
      unit ??= report.timeUnit = rowUnit;
      if (record.ts < lastTs) {
        throw new HeanError("DATA_OUT_OF_ORDER", `${file}:${n}: time goes back from ${new Date(lastTs).toISOString()} to ${new Date(record.ts).toISOString()}`, { file, line: n, previous: lastTs, ts: record.ts });
      }
      lastTs = record.ts;
      const idName = format === "binance-aggTrades" ? "agg_trade_id" : format === "binance-trades" ? "id" : undefined;
      if (idName !== undefined && record.kind === "trade") {
        if (lastId !== undefined && !idAbove(record.id, lastId)) {
          skip(n, `${idName} ${record.id} is not above the row before's ${lastId}: a row given twice would replay its trade twice`);
          continue;
        }
        lastId = record.id;
      }
      if ((options.from !== undefined && record.ts < options.from) || (options.to !== undefined && record.ts >= options.to)) continue;
      report.records++;
      records.push(record);
    }
  } catch (e) {
    return { records, report, error: errorOf(e) };
  }
  return { records, report, error: undefined };
}

function isHeader(fields: readonly string[], header: readonly string[]): boolean {
  const first = fields[0]?.trim().toLowerCase() ?? "";
  return first !== "" && !/^[\d.]+$/.test(first) && header.some((h) => h.toLowerCase() === first);
}

/** The row reader fed `content` cut at `cuts` (byte offsets). */
function chunked(content: Buffer, cuts: readonly number[], file: string, format: DataFormat, symbol: string | undefined, options: ReadOptions): Outcome {
  const report = newFileReport(file);
  const rows = new RowReader(file, format, symbol, options, report);
  const records: MarketRecord[] = [];
  const at = [...new Set(cuts.map((c) => c % (content.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  try {
    for (const cut of [...at, content.length]) {
      rows.push(content.subarray(from, cut), records);
      from = cut;
    }
    rows.end(records);
  } catch (e) {
    return { records, report, error: errorOf(e) };
  }
  return { records, report, error: undefined };
}

const T0 = 1_704_067_200_000;

/** Field texts that the plain-form path must refuse or read exactly as the general path does. */
const oddToken = fc.constantFrom(
  "", " ", "0", "0.0", "00.10", "0.000", ".5", "5.", "1.2.3", "+1", "-1", "1e3", "NaN", " 1.5", "1.5 ", "1,5",
  "123456789012345", "1234567890123456", "1.23456789012345", "12345678901234.5", "0.0000000000000000001",
  "TRUE", "True", "true ", " false", "maybe", "é", "\u00a0", "１", "abc", "9007199254740993", "1704067200", "1704067200000000",
);
/** Bytes that are no UTF-8 (a lone continuation, a cut 3-byte sequence) or a stray \r. */
const oddBytes = fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0x80]), Buffer.from("\r"), Buffer.from("é"));

const decimal = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 8 })).map(([units, places]) => {
  const s = String(units).padStart(places + 1, "0");
  return places === 0 ? s : `${s.slice(0, -places)}.${s.slice(-places)}`;
});

interface Layout {
  readonly format: DataFormat;
  readonly name: string;
  readonly header: string;
  row(id: number, price: string, qty: string, time: string, buyerMaker: string): string[];
}

const LAYOUTS: readonly Layout[] = [
  {
    format: "binance-aggTrades",
    name: "ETHUSDT-aggTrades-2025-01-07.csv",
    header: FORMATS["binance-aggTrades"].header.join(","),
    row: (id, price, qty, time, bm) => [String(id), price, qty, String(id), String(id + 1), time, bm],
  },
  {
    format: "binance-trades",
    name: "ETHUSDT-trades-2025-01-07.csv",
    header: FORMATS["binance-trades"].header.join(","),
    row: (id, price, qty, time, bm) => [String(id), price, qty, "12.5", time, bm],
  },
  {
    format: "binance-bookTicker",
    name: "ETHUSDT-bookTicker-2025-01-07.csv",
    header: FORMATS["binance-bookTicker"].header.join(","),
    row: (id, price, qty, time) => [String(id), price, qty, price, qty, time, time],
  },
];

/** One line: a plain row, a row with a field or some bytes made odd, fewer or more columns, a blank. */
const line = (layout: Layout, i: number, unit: TimeUnit) =>
  fc
    .record({
      kind: fc.constantFrom("plain", "plain", "plain", "plain", "odd-field", "odd-bytes", "short", "long", "blank", "back"),
      price: decimal,
      qty: decimal,
      bm: fc.boolean(),
      token: oddToken,
      bytes: oddBytes,
      field: fc.nat(7),
      pos: fc.nat(60),
      crlf: fc.boolean(),
    })
    .map(({ kind, price, qty, bm, token, bytes, field, pos, crlf }) => {
      const ms = T0 + i * 7 - (kind === "back" ? 100 : 0);
      const time = unit === "s" ? String(Math.floor(ms / 1000)) : unit === "us" ? String(ms * 1000) : String(ms);
      const fields = layout.row(i + 1, price, qty, time, String(bm));
      let text: Buffer;
      if (kind === "odd-field") fields[field % fields.length] = token;
      if (kind === "short") fields.length = field % fields.length;
      if (kind === "long") fields.push(token, "x");
      if (kind === "blank") text = Buffer.from(pos % 2 === 0 ? "" : "  ");
      else text = Buffer.from(fields.join(","));
      if (kind === "odd-bytes") {
        const at = pos % (text.length + 1);
        text = Buffer.concat([text.subarray(0, at), bytes, text.subarray(at)]);
      }
      return Buffer.concat([text, Buffer.from(crlf ? "\r\n" : "\n")]);
    });

const file = fc
  .record({
    layout: fc.constantFrom(...LAYOUTS),
    unit: fc.constantFrom<TimeUnit>("ms", "ms", "s", "us"),
    header: fc.boolean(),
    // What some files carry before the header or first row.
    lead: fc.constantFrom("", "", "\uFEFF", "\n", " \r\n"),
    n: fc.integer({ min: 0, max: 40 }),
    lastNewline: fc.boolean(),
    seed: fc.nat(),
  })
  .chain(({ layout, unit, header, lead, n, lastNewline }) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => line(layout, i, unit))).map((lines) => {
      let content = Buffer.concat([Buffer.from(lead + (header ? `${layout.header}\n` : "")), ...lines]);
      if (!lastNewline && content.length > 0 && content[content.length - 1] === 10) content = content.subarray(0, content.length - 1);
      return { layout, content };
    }),
  );

const options = fc.record({
  strict: fc.boolean(),
  window: fc.option(fc.tuple(fc.integer({ min: -50, max: 300 }), fc.integer({ min: 0, max: 300 })), { nil: undefined }),
});

const toReadOptions = (o: { strict: boolean; window: [number, number] | undefined }): ReadOptions => ({
  strict: o.strict,
  ...(o.window !== undefined ? { from: T0 + o.window[0], to: T0 + o.window[0] + o.window[1] } : {}),
});

const same = (actual: Outcome, expected: Outcome): void => {
  assert.deepEqual(actual.error, expected.error);
  assert.deepEqual(actual.records, expected.records);
  assert.deepEqual(actual.report, expected.report);
};

describe("byte-level row reader", () => {
  test("gives what the line-by-line reader gives, on random valid and malformed rows cut into chunks anywhere", () => {
    fc.assert(
      fc.property(file, options, fc.array(fc.nat(), { maxLength: 12 }), ({ layout, content }, o, cuts) => {
        const opts = toReadOptions(o);
        same(chunked(content, cuts, layout.name, layout.format, "ETHUSDT", opts), reference(content, layout.name, layout.format, "ETHUSDT", opts));
        // One byte at a time: every line crosses a chunk boundary.
        if (content.length < 400) {
          const every = Array.from({ length: content.length }, (_, i) => i);
          same(chunked(content, every, layout.name, layout.format, "ETHUSDT", opts), reference(content, layout.name, layout.format, "ETHUSDT", opts));
        }
      }),
      { numRuns: 600 },
    );
  });

  test("reading plain and .gz files gives what the line-by-line reader gives, in runs and record by record", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-rows-"));
    let k = 0;
    await fc.assert(
      fc.asyncProperty(file, options, fc.boolean(), async ({ layout, content }, o, gz) => {
        // A folder per case: the file name must stay the venue's (it gives the layout and symbol).
        const at = join(dir, String(k++));
        mkdirSync(at);
        const full = join(at, layout.name + (gz ? ".gz" : ""));
        writeFileSync(full, gz ? gzipSync(content) : content);
        const opts = toReadOptions(o);
        const expected = reference(content, full, layout.format, "ETHUSDT", opts);
        for (const mode of ["runs", "records"] as const) {
          const report = newFileReport(full);
          const records: MarketRecord[] = [];
          let error: string | undefined;
          try {
            if (mode === "runs") for await (const run of readMarketBatches(full, opts, report)) records.push(...run);
            else for await (const r of readMarketFile(full, opts, report)) records.push(r);
          } catch (e) {
            error = errorOf(e);
          }
          same({ records, report, error }, expected);
        }
      }),
      { numRuns: 120 },
    );
  });

  test("a long file, plain and .gz, read in many chunks: the same records and report as the reference", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hean-rows-long-"));
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i + 1},${(2000 + (i % 97) / 100).toFixed(2)},0.${String(1 + (i % 50)).padStart(3, "0")},${i},${i},${T0 + i * 20},${i % 3 === 0}`);
    const content = Buffer.from(`${FORMATS["binance-aggTrades"].header.join(",")}\n${lines.join("\n")}\n`);
    for (const gz of [false, true]) {
      const full = join(dir, `ETHUSDT-aggTrades-2025-01-07.csv${gz ? ".gz" : ""}`);
      writeFileSync(full, gz ? gzipSync(content) : content);
      const report = newFileReport(full);
      const records: MarketRecord[] = [];
      let runs = 0;
      for await (const run of readMarketBatches(full, {}, report)) {
        runs++;
        records.push(...run);
      }
      assert.ok(runs > 1, "a file larger than a chunk comes in several runs");
      const expected = reference(content, full, "binance-aggTrades", "ETHUSDT", {});
      same({ records, report, error: undefined }, expected);
    }
  });
});
