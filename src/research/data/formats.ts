/**
 * The venues' public data files, row by row: each format names its columns and turns one CSV row
 * into a record, or says what is wrong with it. Layouts: ../shared/reference/historical-data.md.
 */
import { type Dec, ONE, abs, tryDec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { MarketRecord } from "./records.ts";

export const DATA_FORMATS = [
  "binance-aggTrades",
  "binance-trades",
  "binance-klines",
  "binance-bookTicker",
  "binance-fundingRate",
  "bybit-trades",
  "hean-market",
] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/**
 * The layouts a file can be told to be read as (`--format`) when its name does not say. Not a
 * recording: its name (`.hean.csv`) is what tells hean to read the venue's rules from its header.
 */
export const NAMEABLE_FORMATS: readonly DataFormat[] = DATA_FORMATS.filter((f) => f !== "hean-market");

/** How a file's times are written; decided from the magnitude of the first row that parses, and reported. */
export type TimeUnit = "s" | "ms" | "us";

export interface RowContext {
  /** The symbol of files that do not carry one per row (from the file name or the caller). */
  readonly symbol: string | undefined;
  readonly timeUnit: TimeUnit;
}

interface FormatSpec {
  /** Column names of the header row, where files have one (compared case-insensitively). */
  readonly header: readonly string[];
  /** Fewest columns a row must have (newer files may append some). */
  readonly minColumns: number;
  /** The column holding the row's time, for deciding the time unit. */
  readonly timeColumn: number;
  readonly needsSymbol: boolean;
  parse(f: readonly string[], ctx: RowContext): MarketRecord | string;
}

const num = (text: string | undefined, name: string): Dec | string => {
  const value = text === undefined || text === "" ? undefined : tryDec(text.trim());
  return value === undefined ? `${name} is not a decimal number: ${JSON.stringify(text ?? "")}` : value;
};

const positive = (text: string | undefined, name: string): Dec | string => {
  const value = num(text, name);
  return typeof value === "string" || value > 0n ? value : `${name} must be positive: ${text}`;
};

/**
 * A size that may be 0 (a bar without trades; a book side a venue shows empty, as hean's own
 * recordings can) but never below: a negative size is a broken row, not a number to replay.
 */
const size = (text: string | undefined, name: string): Dec | string => {
  const value = num(text, name);
  return typeof value === "string" || value >= 0n ? value : `${name} is negative: ${text}`;
};

/** Epoch milliseconds from a time written in `unit` (Bybit writes seconds with a fraction). */
export function toMs(text: string | undefined, unit: TimeUnit): number | string {
  const x = text === undefined ? NaN : Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(x)) return `time is not a number: ${JSON.stringify(text ?? "")}`;
  // 0 is 1970: no venue's data; and a time's unit is read from its magnitude (`timeUnitOf`).
  if (x <= 0) return `time must be positive: ${text}`;
  const ms = unit === "s" ? Math.round(x * 1000) : unit === "us" ? Math.floor(x / 1000) : Math.round(x);
  return Number.isSafeInteger(ms) ? ms : `time is out of range: ${text}`;
}

/**
 * Seconds below 1e11 (until year 5138), microseconds above 1e14 (after 1973), milliseconds between;
 * undefined for a time `toMs` refuses (a blank would read as 0, seconds, and misdate every row).
 */
export function timeUnitOf(text: string): TimeUnit | undefined {
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x) || x <= 0) return undefined;
  return x < 1e11 ? "s" : x > 1e14 ? "us" : "ms";
}

const bool = (text: string | undefined, name: string): boolean | string => {
  const t = text?.trim().toLowerCase();
  return t === "true" ? true : t === "false" ? false : `${name} is not true/false: ${JSON.stringify(text ?? "")}`;
};

/** The first problem among parsed fields, if any. */
const firstProblem = (...values: readonly unknown[]): string | undefined => values.find((v): v is string => typeof v === "string");

/**
 * hean's own recording (`hean run --record-market FILE`): every book and trade the engine saw, at
 * the time it saw them. A first line `#hean-market {…}` carries the venue and its instrument rules;
 * each session appended later opens with that line again (a marker, skipped by the reader).
 *   ts,book,SYMBOL,bid,bid_qty,ask,ask_qty[,gap]   (gap: the venue's first book after a gap)
 *   ts,trade,SYMBOL,price,qty,buy|sell
 */
export const HEAN_MARKET_SUFFIX = ".hean.csv";

const HEAN_MARKET: FormatSpec = {
  header: ["#hean-market"],
  minColumns: 6,
  timeColumn: 0,
  needsSymbol: false,
  parse(f, ctx) {
    const ts = toMs(f[0], ctx.timeUnit);
    if (typeof ts === "string") return ts;
    const symbol = f[2] ?? "";
    if (!/^[A-Z0-9]+$/.test(symbol)) return `symbol is not a symbol: ${JSON.stringify(f[2])}`;
    if (f[1] === "trade") {
      const price = positive(f[3], "price");
      const qty = positive(f[4], "qty");
      const problem = firstProblem(price, qty);
      if (problem !== undefined) return problem;
      if (f[5] !== "buy" && f[5] !== "sell") return `side is not buy/sell: ${JSON.stringify(f[5])}`;
      return { kind: "trade", ts, symbol, price: price as Dec, qty: qty as Dec, takerSide: f[5], id: "" };
    }
    if (f[1] === "book") {
      if (f.length < 7) return `${f.length} columns, a book row has 7`;
      const [bid, bidQty, ask, askQty] = [positive(f[3], "bid"), size(f[4], "bid_qty"), positive(f[5], "ask"), size(f[6], "ask_qty")];
      const problem = firstProblem(bid, bidQty, ask, askQty);
      if (problem !== undefined) return problem;
      if ((bid as Dec) > (ask as Dec)) return `crossed book: bid ${f[3]} above ask ${f[5]}`;
      const gap = f[7];
      if (gap !== undefined && gap !== "" && gap !== "gap") return `after-gap column is not "gap" or empty: ${JSON.stringify(gap)}`;
      return { kind: "book-ticker", ts, symbol, bid: bid as Dec, bidQty: bidQty as Dec, ask: ask as Dec, askQty: askQty as Dec, afterGap: gap === "gap" };
    }
    return `kind is not book/trade: ${JSON.stringify(f[1])}`;
  },
};

export const FORMATS: Readonly<Record<DataFormat, FormatSpec>> = {
  "hean-market": HEAN_MARKET,
  "binance-aggTrades": {
    header: ["agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id", "transact_time", "is_buyer_maker"],
    minColumns: 7,
    timeColumn: 5,
    needsSymbol: true,
    parse(f, ctx) {
      const price = positive(f[1], "price");
      const qty = positive(f[2], "quantity");
      const ts = toMs(f[5], ctx.timeUnit);
      const buyerMaker = bool(f[6], "is_buyer_maker");
      const problem = firstProblem(price, qty, ts, buyerMaker);
      if (problem !== undefined) return problem;
      if (!/^\d+$/.test(f[0]!)) return `agg_trade_id is not an id: ${JSON.stringify(f[0])}`;
      // The buyer was the maker: the taker sold.
      return { kind: "trade", ts: ts as number, symbol: ctx.symbol!, price: price as Dec, qty: qty as Dec, takerSide: buyerMaker ? "sell" : "buy", id: f[0]! };
    },
  },
  "binance-trades": {
    header: ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker"],
    minColumns: 6,
    timeColumn: 4,
    needsSymbol: true,
    parse(f, ctx) {
      const price = positive(f[1], "price");
      const qty = positive(f[2], "qty");
      const ts = toMs(f[4], ctx.timeUnit);
      const buyerMaker = bool(f[5], "is_buyer_maker");
      const problem = firstProblem(price, qty, ts, buyerMaker);
      if (problem !== undefined) return problem;
      if (!/^\d+$/.test(f[0]!)) return `id is not an id: ${JSON.stringify(f[0])}`;
      return { kind: "trade", ts: ts as number, symbol: ctx.symbol!, price: price as Dec, qty: qty as Dec, takerSide: buyerMaker ? "sell" : "buy", id: f[0]! };
    },
  },
  "binance-klines": {
    header: ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore"],
    minColumns: 12,
    timeColumn: 0,
    needsSymbol: true,
    parse(f, ctx) {
      const openTime = toMs(f[0], ctx.timeUnit);
      const [open, high, low, close] = [positive(f[1], "open"), positive(f[2], "high"), positive(f[3], "low"), positive(f[4], "close")];
      const volume = size(f[5], "volume");
      const closeTime = toMs(f[6], ctx.timeUnit);
      const problem = firstProblem(openTime, open, high, low, close, volume, closeTime);
      if (problem !== undefined) return problem;
      const [o, h, l, c] = [open, high, low, close] as Dec[];
      if (h! < l! || h! < o! || h! < c! || l! > o! || l! > c!) return `high/low do not bracket open/close: ${f.slice(1, 5).join(",")}`;
      if ((closeTime as number) < (openTime as number)) return "close_time is before open_time";
      return { kind: "kline", ts: closeTime as number, openTime: openTime as number, symbol: ctx.symbol!, open: o!, high: h!, low: l!, close: c!, volume: volume as Dec };
    },
  },
  "binance-bookTicker": {
    header: ["update_id", "best_bid_price", "best_bid_qty", "best_ask_price", "best_ask_qty", "transaction_time", "event_time"],
    minColumns: 7,
    timeColumn: 5,
    needsSymbol: true,
    parse(f, ctx) {
      const bid = positive(f[1], "best_bid_price");
      const bidQty = size(f[2], "best_bid_qty");
      const ask = positive(f[3], "best_ask_price");
      const askQty = size(f[4], "best_ask_qty");
      const ts = toMs(f[5], ctx.timeUnit);
      const problem = firstProblem(bid, bidQty, ask, askQty, ts);
      if (problem !== undefined) return problem;
      if ((bid as Dec) > (ask as Dec)) return `crossed book: bid ${f[1]} above ask ${f[3]}`;
      return { kind: "book-ticker", ts: ts as number, symbol: ctx.symbol!, bid: bid as Dec, bidQty: bidQty as Dec, ask: ask as Dec, askQty: askQty as Dec, afterGap: false };
    },
  },
  "binance-fundingRate": {
    header: ["calc_time", "funding_interval_hours", "last_funding_rate"],
    minColumns: 3,
    timeColumn: 0,
    needsSymbol: true,
    parse(f, ctx) {
      // Few columns and loose ones: any other layout's rows (an aggTrades file read with
      // --format binance-fundingRate) would pass for funding unless each column is checked.
      if (f.length !== 3) return `${f.length} columns, binance-fundingRate has 3`;
      const ts = toMs(f[0], ctx.timeUnit);
      // Empty in the first row of hean's own Bybit download (bybit-rest-download.ts): not known there.
      const hours = f[1] === "" ? undefined : positive(f[1], "funding_interval_hours");
      const rate = num(f[2], "last_funding_rate");
      const problem = firstProblem(ts, hours, rate);
      if (problem !== undefined) return problem;
      // A rate is a fraction per interval (0.0001 is 0.01 %); a whole one is no funding rate.
      if (abs(rate as Dec) >= ONE) return `last_funding_rate is not a rate: ${f[2]}`;
      return { kind: "funding", ts: ts as number, symbol: ctx.symbol!, rate: rate as Dec };
    },
  },
  "bybit-trades": {
    header: ["timestamp", "symbol", "side", "size", "price", "tickDirection", "trdMatchID", "grossValue", "homeNotional", "foreignNotional"],
    minColumns: 7,
    timeColumn: 0,
    needsSymbol: false,
    parse(f, ctx) {
      const ts = toMs(f[0], ctx.timeUnit);
      const qty = positive(f[3], "size");
      const price = positive(f[4], "price");
      const problem = firstProblem(ts, qty, price);
      if (problem !== undefined) return problem;
      const side = f[2] === "Buy" ? "buy" : f[2] === "Sell" ? "sell" : undefined;
      if (side === undefined) return `side is not Buy/Sell: ${JSON.stringify(f[2])}`;
      if (!/^[A-Z0-9]+$/.test(f[1] ?? "")) return `symbol is not a symbol: ${JSON.stringify(f[1])}`;
      if ((f[6] ?? "") === "") return "trdMatchID is empty";
      return { kind: "trade", ts: ts as number, symbol: f[1]!, price: price as Dec, qty: qty as Dec, takerSide: side, id: f[6]! };
    },
  },
};

/** The last part of a path, `/` or `\\` separated (a venue's file name). */
const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? "";

/** What a venue's own file name says it holds. */
export interface VenueFileName {
  readonly format: Exclude<DataFormat, "hean-market">;
  /** The venue's word: `aggTrades`, `trades`, `bookTicker`, `fundingRate`, a kline interval (`1m`). */
  readonly kind: string;
  readonly symbol: string;
  /** `YYYY-MM`, and the day (`DD`) of a daily file; none when the name goes on otherwise after its kind. */
  readonly month: string | undefined;
  readonly day: string | undefined;
}

/** A download's packing and a browser's second copy (`X (1).zip`, `X(2).csv`) name the same file. */
const PACKING = /(?: ?\(\d+\))?(\.csv)?(\.gz|\.zip)?$/;

/**
 * A venue's file name in its venue's layout: Binance's `BTCUSDT-aggTrades-2024-01-01` (a month's:
 * `…-2024-01`), Bybit's linear trades `BTCUSDT2024-01-01` (no dash before the date: with one it
 * is spot's name, another layout: `unreplayedFile`), packed or not. A Binance name says its layout
 * and symbol by its start (`BTCUSDT-aggTrades-…`), its period only when the rest is one.
 */
export function venueFileName(path: string): VenueFileName | undefined {
  const stem = fileName(path).replace(PACKING, "");
  const binance = /^([A-Z0-9]+)-(aggTrades|trades|bookTicker|fundingRate|\d+[smhdwM])-(?:(\d{4}-\d{2})(?:-(\d{2}))?$)?/.exec(stem);
  if (binance !== null) {
    const kind = binance[2]!;
    const format = `binance-${/^\d/.test(kind) ? "klines" : kind}` as VenueFileName["format"];
    return { format, kind, symbol: binance[1]!, month: binance[3], day: binance[4] };
  }
  const bybit = /^([A-Z0-9]+?)(\d{4}-\d{2})-(\d{2})$/.exec(stem);
  if (bybit !== null) return { format: "bybit-trades", kind: "trades", symbol: bybit[1]!, month: bybit[2]!, day: bybit[3] };
  return undefined;
}

/** Format and symbol from a venue's file name, where it follows the venue's layout. */
export function recogniseFile(path: string): { format: DataFormat; symbol: string | undefined } | undefined {
  const name = fileName(path);
  if (name.endsWith(HEAN_MARKET_SUFFIX) || name.endsWith(`${HEAN_MARKET_SUFFIX}.gz`)) return { format: "hean-market", symbol: undefined };
  const venue = venueFileName(path);
  return venue === undefined ? undefined : { format: venue.format, symbol: venue.symbol };
}

/** A venue's file that hean recognises by its name and does not replay, in words for the refusal. */
export interface UnreplayedFile {
  /** What the name shows the file to be. */
  readonly layout: string;
  /** Why hean does not replay it. */
  readonly why: string;
  /** What to do instead: the command that fetches the data to replay. */
  readonly instead: string;
}

/**
 * Bybit's spot trades (`spot/BTCUSDT/BTCUSDT-2024-01-01.csv.gz`: `id,timestamp,price,volume,side`)
 * are another market's prints: hean backtests USDT perpetuals, and spot prints replayed as the
 * perpetual's would fill its orders at prices it never traded (the basis moves), with nothing in
 * the report to show it. So they are refused by name, before any row, rather than read.
 */
export function unreplayedFile(path: string): UnreplayedFile | undefined {
  const spot = /^([A-Z0-9]+)-(\d{4}-\d{2}-\d{2})\.csv(\.gz)?$/.exec(fileName(path));
  if (spot === null) return undefined;
  const [symbol, day] = [spot[1]!, spot[2]!];
  return {
    layout: "Bybit's spot trades (public.bybit.com/spot/, columns id,timestamp,price,volume,side)",
    why: "spot prints are not the prices of the USDT perpetual hean backtests",
    instead: `download the perpetual's trades instead (public.bybit.com/trading/, ${symbol}${day}.csv.gz): hean data download --venue bybit --kind trades --symbols ${symbol} --from ${day} --to ${day}`,
  };
}

/**
 * Binance's spot `aggTrades` and `trades` files carry the USD-M files' very names
 * (data.binance.vision/data/spot/… and …/futures/um/… both serve BTCUSDT-aggTrades-2024-01-01.zip),
 * so their rows tell them apart: no header, and one column more at the end (`is_best_match`).
 * Read as the perpetual's, spot prints would fill hean's orders at prices the perpetual never
 * traded. `fields`: the first data row of a file read as `format`.
 */
export function unreplayedRow(format: DataFormat, fields: readonly string[], path: string, symbol: string | undefined): UnreplayedFile | undefined {
  const spot = format === "binance-aggTrades" ? fields.length === 8 : format === "binance-trades" ? fields.length === 7 : false;
  if (!spot || !/^(true|false)$/i.test(fields.at(-1)!.trim())) return undefined;
  const kind = format === "binance-aggTrades" ? "aggTrades" : "trades";
  const sym = symbol ?? "SYMBOL";
  const day = /(\d{4}-\d{2}-\d{2})/.exec(fileName(path))?.[1];
  const period = day === undefined ? "--from DATE --to DATE" : `--from ${day} --to ${day}`;
  return {
    layout: `Binance's spot ${kind} (data.binance.vision/data/spot/, ${fields.length} columns ending in is_best_match)`,
    why: "spot prints are not the prices of the USDT perpetual hean backtests",
    instead: `download the USD-M futures' ${kind} instead (data.binance.vision/data/futures/um/, the same file names): hean data download --venue binance --kind ${kind} --symbols ${sym} ${period}`,
  };
}

/** The one error for a file of data hean does not replay, told by its name or by its rows. */
export function unreplayedError(file: string, unreplayed: UnreplayedFile, toldBy: "name" | "rows"): HeanError {
  const { layout, why, instead } = unreplayed;
  const seen = toldBy === "name" ? `named as ${layout}` : `its rows are ${layout}`;
  const renamed = toldBy === "name" ? " (a file of another layout named so: rename it and give --format)" : "";
  return new HeanError("DATA_MALFORMED", `${file}: ${seen}, which hean does not replay: ${why}; ${instead}${renamed}`, { file, layout });
}
