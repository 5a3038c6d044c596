/**
 * The rows of one data file, parsed from the bytes as they arrive (issue 13: the backtest's
 * reader). A chunk is scanned for newlines as bytes; a trade row of Binance's `aggTrades` or
 * `trades` layout in its plain form (ASCII digits, one dot, `true`/`false`) is parsed straight
 * from the bytes, with no string per line or field but the trade id. Every other row (headers,
 * whitespace, signs, long numbers, anything malformed, other layouts) is decoded and goes the
 * general way, `FORMATS[format].parse` on its fields: the plain form is exactly what that path
 * accepts without a problem, so both give the same record, and every problem is still reported
 * by the one path that words it (test/research/row-reader.test.ts checks this on random input
 * against the line-by-line reader this replaced).
 */
import { type Dec, decFromDigits } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import { type DataFormat, FORMATS, type TimeUnit, timeUnitOf, unreplayedError, unreplayedRow } from "./formats.ts";
import type { MarketRecord } from "./records.ts";
import type { FileReport, ReadOptions } from "./file-report.ts";

/** Where a trade layout keeps what a trade record needs. */
interface TradeColumns {
  readonly id: number;
  readonly price: number;
  readonly qty: number;
  readonly time: number;
  readonly buyerMaker: number;
  /** Columns scanned: the last one needed, plus one. */
  readonly columns: number;
  /** The id column's name: ids grow row by row in these layouts (see `idAbove`). */
  readonly idName: string;
}

const TRADE_COLUMNS: Partial<Record<DataFormat, TradeColumns>> = {
  "binance-aggTrades": { id: 0, price: 1, qty: 2, time: 5, buyerMaker: 6, columns: 7, idName: "agg_trade_id" },
  "binance-trades": { id: 0, price: 1, qty: 2, time: 4, buyerMaker: 5, columns: 6, idName: "id" },
};

const PROBLEMS_KEPT = 100;
const NL = 10;
const CR = 13;
const COMMA = 44;
const DOT = 46;
const D0 = 48;
const D9 = 57;

export class RowReader {
  /** Complete lines seen (a read failure is reported after this many). */
  lines = 0;
  readonly #file: string;
  readonly #format: DataFormat;
  readonly #symbol: string | undefined;
  readonly #options: ReadOptions;
  readonly #report: FileReport;
  readonly #trade: TradeColumns | undefined;
  /** Field bounds of the row being parsed (byte offsets). */
  readonly #starts = new Int32Array(8);
  readonly #ends = new Int32Array(8);
  /** The bytes after the chunk's last newline: the start of the next line. */
  #carry: Buffer | undefined;
  #unit: TimeUnit | undefined;
  #lastTs = -Infinity;
  /** The last trade id accepted, in a layout whose ids grow row by row. */
  #lastId: string | undefined;
  readonly #from: number;
  readonly #to: number;

  constructor(file: string, format: DataFormat, symbol: string | undefined, options: ReadOptions, report: FileReport) {
    this.#file = file;
    this.#format = format;
    this.#symbol = symbol;
    this.#options = options;
    this.#report = report;
    this.#trade = TRADE_COLUMNS[format];
    this.#from = options.from ?? -Infinity;
    this.#to = options.to ?? Infinity;
    report.format = format;
  }

  /**
   * The records of the complete lines of `chunk` (joined to what the last chunk left over) go to
   * `out`. Throws on a problem that stops the read; `out` then holds the records before it.
   */
  push(chunk: Buffer, out: MarketRecord[]): void {
    let s = 0;
    if (this.#carry !== undefined) {
      // Only the line that crosses the boundary is joined (a copy of it, not of the chunk).
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.#carry = Buffer.concat([this.#carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.#carry, chunk.subarray(0, nl)]);
      this.#carry = undefined;
      this.#line(line, 0, line.length, out);
      s = nl + 1;
    }
    for (let nl = chunk.indexOf(NL, s); nl >= 0; nl = chunk.indexOf(NL, s)) {
      this.#line(chunk, s, nl, out);
      s = nl + 1;
    }
    // A copy: a view would keep the whole chunk alive for the few bytes of one line.
    if (s < chunk.length) this.#carry = Buffer.from(chunk.subarray(s));
  }

  /** The last line, when the file does not end with a newline. */
  end(out: MarketRecord[]): void {
    const rest = this.#carry;
    this.#carry = undefined;
    if (rest !== undefined && rest.length > 0) this.#line(rest, 0, rest.length, out);
  }

  #line(buf: Buffer, s: number, e: number, out: MarketRecord[]): void {
    const n = ++this.lines;
    // CRLF files: the line ends before its `\r`.
    if (e > s && buf[e - 1] === CR) e--;
    // A UTF-8 byte order mark (a file saved by a spreadsheet) would make the first id no id.
    if (n === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    // Line 1 may be a header: the general path knows headers.
    if (this.#trade !== undefined && n > 1 && this.#plainTrade(buf, s, e, this.#trade, n, out)) return;
    this.#general(buf.toString("utf8", s, e), n, out);
  }

  /**
   * A trade row in its plain form, parsed from the bytes; false (nothing done) for any row that is
   * not, which the general path then reads and, if need be, reports.
   */
  #plainTrade(buf: Buffer, s: number, e: number, c: TradeColumns, n: number, out: MarketRecord[]): boolean {
    const starts = this.#starts;
    const ends = this.#ends;
    const columns = c.columns;
    let f = 0;
    let start = s;
    for (let i = s; i < e; i++) {
      if (buf[i] === COMMA) {
        starts[f] = start;
        ends[f] = i;
        start = i + 1;
        if (++f === columns) break;
      }
    }
    if (f < columns) {
      if (f < columns - 1) return false;
      starts[f] = start;
      ends[f] = e;
    }
    // The id: ASCII digits (the general path's /^\d+$/).
    const idStart = starts[c.id]!;
    const idEnd = ends[c.id]!;
    if (idEnd <= idStart) return false;
    for (let i = idStart; i < idEnd; i++) {
      const b = buf[i]!;
      if (b < D0 || b > D9) return false;
    }
    const price = plainDec(buf, starts[c.price]!, ends[c.price]!);
    if (price === undefined) return false;
    const qty = plainDec(buf, starts[c.qty]!, ends[c.qty]!);
    if (qty === undefined) return false;
    // The time: at most 15 ASCII digits, so the number is exactly Number(text).
    const ts0 = starts[c.time]!;
    const ts1 = ends[c.time]!;
    if (ts1 <= ts0 || ts1 - ts0 > 15) return false;
    let x = 0;
    for (let i = ts0; i < ts1; i++) {
      const b = buf[i]!;
      if (b < D0 || b > D9) return false;
      x = x * 10 + (b - D0);
    }
    // `true`/`false` exactly: the taker sold when the buyer was the maker.
    const b0 = starts[c.buyerMaker]!;
    const bLen = ends[c.buyerMaker]! - b0;
    let buyerMaker: boolean;
    if (bLen === 4 && buf[b0] === 116 && buf[b0 + 1] === 114 && buf[b0 + 2] === 117 && buf[b0 + 3] === 101) buyerMaker = true;
    else if (bLen === 5 && buf[b0] === 102 && buf[b0 + 1] === 97 && buf[b0 + 2] === 108 && buf[b0 + 3] === 115 && buf[b0 + 4] === 101) buyerMaker = false;
    else return false;
    // As `toMs` and `timeUnitOf` (in formats.ts) do with Number(text); a 0 is theirs to refuse.
    if (x === 0) return false;
    const unit = this.#unit ?? (x < 1e11 ? "s" : x > 1e14 ? "us" : "ms");
    const ts = unit === "s" ? Math.round(x * 1000) : unit === "us" ? Math.floor(x / 1000) : x;
    if (!Number.isSafeInteger(ts)) return false;
    if (this.#unit === undefined) this.#unit = this.#report.timeUnit = unit;
    this.#report.rows++;
    const id = buf.toString("latin1", idStart, idEnd);
    this.#accept({ kind: "trade", ts, symbol: this.#symbol!, price, qty, takerSide: buyerMaker ? "sell" : "buy", id }, n, out);
    return true;
  }

  /** One line as text, field by field through the format's own parser (what every row once took). */
  #general(text: string, n: number, out: MarketRecord[]): void {
    if (text.trim() === "") return;
    const spec = FORMATS[this.#format];
    const fields = text.split(",");
    // A header row, before any row (blank lines are no rows); hean's recordings open with a
    // `#hean-market {…}` line, and each session appended to one opens with it again
    // (market-recorder.ts): a marker, not a row.
    if (this.#report.rows === 0 && (isHeader(fields, spec.header) || text.startsWith("#"))) return;
    if (this.#format === "hean-market" && text.startsWith(spec.header[0]!)) return;
    // The first row shows what the name could not (Binance's spot files bear the USD-M names):
    // the whole file is refused, not each of its rows.
    const unreplayed = this.#report.rows === 0 ? unreplayedRow(this.#format, fields, this.#file, this.#symbol) : undefined;
    if (unreplayed !== undefined) throw unreplayedError(this.#file, unreplayed, "rows");
    this.#report.rows++;
    if (fields.length < spec.minColumns) {
      this.#skip(n, `${fields.length} columns, ${this.#format} has ${spec.minColumns}`);
      return;
    }
    // The unit is the first parsed row's: one malformed row before it (a blank time, a stray
    // line) must not misdate every row after it by a factor of 1,000.
    const unit = this.#unit ?? timeUnitOf(fields[spec.timeColumn]!);
    // No unit: the time is no positive number, which the parser refuses in any unit.
    const record = spec.parse(fields, { symbol: this.#symbol, timeUnit: unit ?? "ms" });
    if (typeof record === "string") {
      this.#skip(n, record);
      return;
    }
    if (this.#unit === undefined) this.#unit = this.#report.timeUnit = unit;
    this.#accept(record, n, out);
  }

  #accept(record: MarketRecord, n: number, out: MarketRecord[]): void {
    if (record.ts < this.#lastTs) {
      const file = this.#file;
      throw new HeanError("DATA_OUT_OF_ORDER", `${file}:${n}: time goes back from ${new Date(this.#lastTs).toISOString()} to ${new Date(record.ts).toISOString()}`, { file, line: n, previous: this.#lastTs, ts: record.ts });
    }
    this.#lastTs = record.ts;
    // A row given twice (files joined by hand, a copy pasted in) would replay its trade twice:
    // Binance's ids grow row by row, so one that does not is skipped and counted as malformed.
    if (this.#trade !== undefined && record.kind === "trade") {
      if (this.#lastId !== undefined && !idAbove(record.id, this.#lastId)) {
        this.#skip(n, `${this.#trade.idName} ${record.id} is not above the row before's ${this.#lastId}: a row given twice would replay its trade twice`);
        return;
      }
      this.#lastId = record.id;
    }
    if (record.ts < this.#from || record.ts >= this.#to) return;
    this.#report.records++;
    out.push(record);
  }

  #skip(line: number, reason: string): void {
    const file = this.#file;
    if (this.#options.strict === true) throw new HeanError("DATA_MALFORMED", `${file}:${line}: ${reason}`, { file, line, reason });
    this.#report.skipped++;
    if (this.#report.problems.length < PROBLEMS_KEPT) this.#report.problems.push({ line, reason });
  }
}

/**
 * A positive decimal in the form `fastDec` (core/decimal.ts) takes: 1–16 bytes of ASCII digits
 * with at most one dot, not first or last, at most 15 digits. Undefined for anything else (the
 * general path decides).
 */
function plainDec(buf: Buffer, s: number, e: number): Dec | undefined {
  const n = e - s;
  if (n <= 0 || n > 16) return undefined;
  let units = 0;
  let dot = -1;
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (b >= D0 && b <= D9) units = units * 10 + (b - D0);
    else if (b === DOT && dot < 0 && i > s && i < e - 1) dot = i;
    else return undefined;
  }
  if (units === 0 || n - (dot < 0 ? 0 : 1) > 15) return undefined;
  const places = dot < 0 ? 0 : e - 1 - dot;
  // Prices and sizes repeat row after row: a direct-mapped cache of the last decimal built per
  // slot saves two BigInts per field (and their collection) without a hash lookup.
  const slot = (units + places * 7919) & CACHE_MASK;
  if (cachedUnits[slot] === units && cachedPlaces[slot] === places) return cachedDecs[slot]!;
  const value = decFromDigits(units, places);
  cachedUnits[slot] = units;
  cachedPlaces[slot] = places;
  cachedDecs[slot] = value;
  return value;
}

const CACHE_MASK = 4095;
const cachedUnits = new Float64Array(CACHE_MASK + 1).fill(-1);
const cachedPlaces = new Uint8Array(CACHE_MASK + 1);
const cachedDecs: Dec[] = new Array<Dec>(CACHE_MASK + 1).fill(0n as Dec);

function isHeader(fields: readonly string[], header: readonly string[]): boolean {
  const first = fields[0]?.trim().toLowerCase() ?? "";
  // A data row starts with a number; a header with a name (checked against the layout's own).
  return first !== "" && !/^[\d.]+$/.test(first) && header.some((h) => h.toLowerCase() === first);
}

/** Whether one id of ASCII digits is above another (compared as numbers of any length; leading zeros aside). */
export function idAbove(id: string, than: string): boolean {
  const a = id.charCodeAt(0) === D0 ? id.replace(/^0+(?=\d)/, "") : id;
  const b = than.charCodeAt(0) === D0 ? than.replace(/^0+(?=\d)/, "") : than;
  return a.length !== b.length ? a.length > b.length : a > b;
}
