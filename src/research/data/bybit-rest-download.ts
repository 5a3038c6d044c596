/**
 * What Bybit publishes only through its REST API, written as files the readers know: klines
 * (`/v5/market/kline`, 1,000 a page) in Binance's kline layout and funding rates
 * (`/v5/market/funding/history`, 200 a page) in Binance's fundingRate layout. Both answer newest
 * first within `start…end`: a period is fetched page by page from its end back (each page ends a
 * millisecond before the oldest row of the last) and written whole or not at all. Columns Bybit
 * does not give (a bar's trade count, its taker buy volumes) stay empty rather than made up.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HeanError } from "../../core/errors.ts";
import { watched, watchedText } from "./fetch-watch.ts";

/** One period of one symbol: `start`…`end` inclusive, epoch ms. */
export type BybitPages =
  | {
      readonly kind: "klines";
      readonly symbol: string;
      /** Bybit's name of the interval (`1`, `60`, `D`). */
      readonly interval: string;
      readonly intervalMs: number;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: "fundingRate"; readonly symbol: string; readonly start: number; readonly end: number };

export type BybitPagesOutcome = { readonly kind: "present" } | { readonly kind: "missing" } | { readonly kind: "written"; readonly bytes: number };

/** Bybit's kline rows: start, open, high, low, close, volume, turnover. */
type Kline = readonly [string, string, string, string, string, string, string];
interface Funding {
  readonly fundingRate: string;
  readonly fundingRateTimestamp: string;
}

const isKline = (r: unknown): r is Kline => Array.isArray(r) && r.length >= 7 && r.every((x) => typeof x === "string") && Number.isSafeInteger(Number(r[0]));
const isFunding = (r: unknown): r is Funding =>
  typeof r === "object" && r !== null && typeof (r as Funding).fundingRate === "string" && Number.isSafeInteger(Number((r as Funding).fundingRateTimestamp));

export async function downloadBybitPages(url: string, path: string, q: BybitPages, onBytes: (n: number) => void, timeoutMs: number): Promise<BybitPagesOutcome> {
  if (existsSync(path)) return { kind: "present" };
  const body =
    q.kind === "klines"
      ? klinesCsv(await fetchPages(url, q, 1_000, isKline, (r) => Number(r[0]), onBytes, timeoutMs), q.intervalMs)
      : fundingCsv(await fetchPages(url, q, 200, isFunding, (r) => Number(r.fundingRateTimestamp), onBytes, timeoutMs));
  if (body === undefined) return { kind: "missing" };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.part`, body);
  renameSync(`${path}.part`, path);
  return { kind: "written", bytes: Buffer.byteLength(body) };
}

async function fetchPages<R>(base: string, q: BybitPages, limit: number, isRow: (r: unknown) => r is R, timeOf: (r: R) => number, onBytes: (n: number) => void, timeoutMs: number): Promise<Map<number, R>> {
  const rows = new Map<number, R>();
  for (let end = q.end; ; ) {
    const window = q.kind === "klines" ? `interval=${q.interval}&start=${q.start}&end=${end}` : `startTime=${q.start}&endTime=${end}`;
    const url = `${base}?category=linear&symbol=${q.symbol}&${window}&limit=${limit}`;
    const { response, text } = await watched(url, timeoutMs, async (watch) => {
      const response = await fetch(url, { signal: watch.signal });
      watch.kick();
      return { response, text: await watchedText(response, watch) };
    });
    onBytes(text.length);
    if (response.status !== 200) throw new HeanError("DATA_DOWNLOAD", `${url}: HTTP ${response.status}`, { url, status: response.status });
    const list = resultList(text, url, isRow);
    let oldest = Infinity;
    for (const row of list) {
      const t = timeOf(row);
      oldest = Math.min(oldest, t);
      if (t >= q.start && t <= q.end) rows.set(t, row);
    }
    if (list.length < limit || oldest <= q.start) return rows;
    // A page must reach back past the one before, or the paging would never end.
    if (!(oldest <= end)) throw new HeanError("DATA_DOWNLOAD", `${url}: the answer is not within the asked window`, { url });
    end = oldest - 1;
  }
}

/** The `result.list` of a Bybit answer; its retCode and retMsg when it refused. */
function resultList<R>(text: string, url: string, isRow: (r: unknown) => r is R): R[] {
  let body: { retCode?: unknown; retMsg?: unknown; result?: { list?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new HeanError("DATA_DOWNLOAD", `${url}: not JSON`, { url });
  }
  if (body.retCode !== 0) throw new HeanError("DATA_DOWNLOAD", `${url}: Bybit refused (retCode ${String(body.retCode)}: ${String(body.retMsg)})`, { url, retCode: String(body.retCode) });
  const list = body.result?.list;
  if (!Array.isArray(list) || !list.every(isRow)) throw new HeanError("DATA_DOWNLOAD", `${url}: result.list is not what Bybit documents`, { url });
  return list;
}

const ascending = <R>(rows: Map<number, R>): [number, R][] => [...rows].sort(([a], [b]) => a - b);

/** The file's text, or undefined when the period had no rows (the venue does not have it). */
function klinesCsv(rows: Map<number, Kline>, intervalMs: number): string | undefined {
  if (rows.size === 0) return undefined;
  const lines = ascending(rows).map(([start, r]) => [start, r[1], r[2], r[3], r[4], r[5], start + intervalMs - 1, r[6], "", "", "", ""].join(","));
  return `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n${lines.join("\n")}\n`;
}

/** The interval column is the time since the settlement before (empty for the first: not known here). */
function fundingCsv(rows: Map<number, Funding>): string | undefined {
  if (rows.size === 0) return undefined;
  let previous: number | undefined;
  const lines = ascending(rows).map(([t, r]) => {
    const hours = previous === undefined ? "" : String((t - previous) / 3_600_000);
    previous = t;
    return `${t},${hours},${r.fundingRate}`;
  });
  return `calc_time,funding_interval_hours,last_funding_rate\n${lines.join("\n")}\n`;
}
