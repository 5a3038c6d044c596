/**
 * `hean data download`: the venues' public daily files, fetched with their checksums (Binance
 * publishes a `.CHECKSUM` beside each file), resumed where a broken download stopped, and never
 * left looking complete when they are not (a file is written as `.part` and renamed only once it
 * is whole and verified).
 *
 * Bybit publishes klines and funding rates only through its REST API: bybit-rest-download.ts
 * writes them as files in Binance's layouts, so one reader reads both venues' data.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { HeanError } from "../../core/errors.ts";
import { suggest } from "../../core/suggest.ts";
import { type BybitPages, downloadBybitPages } from "./bybit-rest-download.ts";
import { DEFAULT_TIMEOUT_MS, watched, watchedText } from "./fetch-watch.ts";

export const DOWNLOAD_VENUES = ["binance", "bybit"] as const;
export type DownloadVenue = (typeof DOWNLOAD_VENUES)[number];
export const DOWNLOAD_KINDS: Readonly<Record<DownloadVenue, readonly string[]>> = {
  binance: ["aggTrades", "trades", "klines", "bookTicker", "fundingRate"],
  bybit: ["trades", "klines", "fundingRate"],
};

/** Where the venues publish (tests and mirrors point elsewhere with `baseUrl`). */
export const PUBLIC_DATA_URL: Readonly<Record<DownloadVenue, string>> = {
  binance: "https://data.binance.vision",
  bybit: "https://public.bybit.com",
};

/** Bybit's REST API, where its klines and funding rates are (`--base-url` points elsewhere). */
export const BYBIT_REST_URL = "https://api.bybit.com";

/** Where a kind comes from by default: the venue's file site, or Bybit's REST API. */
export function defaultBaseUrl(venue: DownloadVenue, kind: string): string {
  return venue === "bybit" && kind !== "trades" ? BYBIT_REST_URL : PUBLIC_DATA_URL[venue];
}

/** Bybit's names for the intervals that fit in a day's file. */
const BYBIT_INTERVALS: Readonly<Record<string, string>> = { "1m": "1", "3m": "3", "5m": "5", "15m": "15", "30m": "30", "1h": "60", "2h": "120", "4h": "240", "6h": "360", "12h": "720", "1d": "D" };
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface DownloadPlan {
  readonly venue: DownloadVenue;
  readonly symbols: readonly string[];
  readonly kind: string;
  /** Kline interval (Binance klines only). */
  readonly interval: string;
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  readonly dir: string;
  readonly baseUrl: string;
}

export interface RemoteFile {
  readonly url: string;
  /** The published SHA-256 sits at this URL, when the venue publishes one. */
  readonly checksumUrl: string | undefined;
  readonly path: string;
  /** Not a file but pages of an API to write one from (Bybit's klines and funding rates). */
  readonly pages?: BybitPages;
}

export type FileOutcome =
  | { readonly kind: "downloaded"; readonly file: RemoteFile; readonly bytes: number; readonly resumedFrom: number; readonly verified: boolean; readonly checksumMissing?: boolean }
  | { readonly kind: "present"; readonly file: RemoteFile; readonly verified: boolean; readonly checksumMissing?: boolean }
  | { readonly kind: "missing"; readonly file: RemoteFile }
  /** A period the venue is still adding to (Bybit's REST klines and funding): nothing written. */
  | { readonly kind: "incomplete"; readonly file: RemoteFile; readonly endsAt: number }
  | { readonly kind: "failed"; readonly file: RemoteFile; readonly reason: string };

const DAY_MS = 86_400_000;

function day(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  // Date.parse rolls 2024-02-30 over to March: a real date prints back as itself.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text) throw new HeanError("CLI_USAGE", `${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(text)}`, { [flag]: text });
  return ms;
}

/** Every file of the plan, in order (symbol, then day; funding rates are monthly files). */
export function planFiles(plan: DownloadPlan): RemoteFile[] {
  const kinds = DOWNLOAD_KINDS[plan.venue];
  if (!kinds.includes(plan.kind)) {
    const near = suggest(plan.kind, kinds);
    throw new HeanError("CLI_USAGE", `--kind ${plan.kind} is not published by ${plan.venue} as daily files${near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : ""}; available: ${kinds.join(", ")}`, { venue: plan.venue, kind: plan.kind });
  }
  const from = day(plan.from, "--from");
  const to = day(plan.to, "--to");
  if (to < from) throw new HeanError("CLI_USAGE", `--to ${plan.to} is before --from ${plan.from}`, { from: plan.from, to: plan.to });
  const periods: string[] = [];
  for (let t = from; t <= to; t += DAY_MS) {
    const p = new Date(t).toISOString().slice(0, plan.kind === "fundingRate" ? 7 : 10);
    if (periods.at(-1) !== p) periods.push(p);
  }
  const base = plan.baseUrl.replace(/\/+$/, "");
  const bybitInterval = plan.venue === "bybit" && plan.kind === "klines" ? BYBIT_INTERVALS[plan.interval] : undefined;
  if (plan.venue === "bybit" && plan.kind === "klines" && bybitInterval === undefined) {
    throw new HeanError("CLI_USAGE", `--interval ${plan.interval}: Bybit klines come in ${Object.keys(BYBIT_INTERVALS).join(", ")}`, { interval: plan.interval });
  }
  return plan.symbols.flatMap((symbol) =>
    periods.map((p): RemoteFile => {
      if (bybitInterval !== undefined) {
        const name = `${symbol}-${plan.interval}-${p}.csv`;
        const start = Date.parse(`${p}T00:00:00Z`);
        const intervalMs = Number(plan.interval.slice(0, -1)) * UNIT_MS[plan.interval.slice(-1)]!;
        const pages: BybitPages = { kind: "klines", symbol, interval: bybitInterval, intervalMs, start, end: start + DAY_MS - 1 };
        return { url: `${base}/v5/market/kline`, checksumUrl: undefined, path: join(plan.dir, "bybit", "klines", symbol, name), pages };
      }
      if (plan.venue === "bybit" && plan.kind === "fundingRate") {
        // A month a file, as Binance publishes its funding rates.
        const start = Date.parse(`${p}-01T00:00:00Z`);
        const next = new Date(start);
        next.setUTCMonth(next.getUTCMonth() + 1);
        const pages: BybitPages = { kind: "fundingRate", symbol, start, end: next.getTime() - 1 };
        return { url: `${base}/v5/market/funding/history`, checksumUrl: undefined, path: join(plan.dir, "bybit", "fundingRate", symbol, `${symbol}-fundingRate-${p}.csv`), pages };
      }
      if (plan.venue === "bybit") {
        const name = `${symbol}${p}.csv.gz`;
        return { url: `${base}/trading/${symbol}/${name}`, checksumUrl: undefined, path: join(plan.dir, "bybit", "trades", symbol, name) };
      }
      const monthly = plan.kind === "fundingRate";
      const label = plan.kind === "klines" ? plan.interval : plan.kind;
      const name = `${symbol}-${label}-${p}.zip`;
      const folder = plan.kind === "klines" ? `${plan.kind}/${symbol}/${plan.interval}` : `${plan.kind}/${symbol}`;
      const url = `${base}/data/futures/um/${monthly ? "monthly" : "daily"}/${folder}/${name}`;
      return { url, checksumUrl: `${url}.CHECKSUM`, path: join(plan.dir, "binance", plan.kind, symbol, name) };
    }),
  );
}

export interface Progress {
  /** Called as bytes arrive and when a file ends. */
  update(state: { readonly filesDone: number; readonly filesTotal: number; readonly bytes: number; readonly current: string }): void;
  done(outcome: FileOutcome): void;
}

export interface DownloadOptions {
  /** How long an answer may take to start, or pause mid-body, before its file fails. */
  readonly timeoutMs?: number | undefined;
  /** The clock that says whether a period is over (tests set it). */
  readonly now?: () => number;
}

export async function download(files: readonly RemoteFile[], progress: Progress, options: DownloadOptions = {}): Promise<FileOutcome[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const outcomes: FileOutcome[] = [];
  let bytes = 0;
  for (const file of files) {
    const onBytes = (n: number): void => {
      bytes += n;
      progress.update({ filesDone: outcomes.length, filesTotal: files.length, bytes, current: file.path });
    };
    const outcome = await (file.pages === undefined ? downloadOne(file, onBytes, timeoutMs) : fromPages(file, onBytes, timeoutMs, now())).catch((e: unknown): FileOutcome => ({ kind: "failed", file, reason: failureReason(e) }));
    outcomes.push(outcome);
    progress.done(outcome);
  }
  return outcomes;
}

/** Node's fetch says only "fetch failed": the reason (refused, reset, unknown host, TLS) is its cause. */
function failureReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? e.cause.message : undefined;
  return cause === undefined || e.message.includes(cause) ? e.message : `${e.message}: ${cause}`;
}

async function downloadOne(file: RemoteFile, onBytes: (n: number) => void, timeoutMs: number): Promise<FileOutcome> {
  const published = file.checksumUrl === undefined ? undefined : await publishedChecksum(file.checksumUrl, timeoutMs);
  // Binance now and then publishes a day's zip without its .CHECKSUM: that is not a missing day
  // (only the zip's own 404 says so), and the zip is still worth having, said to be unverified.
  const checksumMissing = published === null;
  const expected = published ?? undefined;
  if (existsSync(file.path)) {
    // A local copy took its final name only once whole (its checksum passed, or its archive
    // proved whole): a checksum the venue no longer publishes is no reason to fetch it again.
    if (expected === undefined || (await sha256(file.path)) === expected) return { kind: "present", file, verified: expected !== undefined, checksumMissing };
    // A complete-looking file that fails its checksum is fetched again from scratch.
    rmSync(file.path);
  }
  mkdirSync(dirname(file.path), { recursive: true });
  const part = `${file.path}.part`;
  const have = existsSync(part) ? statSync(part).size : 0;
  // A stalled answer leaves its part for the next run to resume from, as a cut connection does.
  const status = await watched(file.url, timeoutMs, async (watch) => {
    const response = await fetch(file.url, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, redirect: "follow", signal: watch.signal });
    watch.kick();
    if (response.status === 404 || (response.status === 416 && have > 0)) {
      // 416: the part is already everything the server has, to be verified as it is.
      await response.body?.cancel();
      return response.status;
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new HeanError("DATA_DOWNLOAD", `${file.url}: HTTP ${response.status}`, { url: file.url, status: response.status });
    }
    if (response.body === null) throw new HeanError("DATA_DOWNLOAD", `${file.url}: empty answer`, { url: file.url });
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("data", (chunk: Buffer) => {
      watch.kick();
      onBytes(chunk.length);
    });
    await pipeline(body, createWriteStream(part, { flags: response.status === 206 ? "a" : "w" }));
    return response.status;
  }, "; the part is kept to resume from");
  if (status === 404) return { kind: "missing", file };
  const resumedFrom = status === 206 || status === 416 ? have : 0;
  if (expected !== undefined) {
    const actual = await sha256(part);
    if (actual !== expected) {
      rmSync(part);
      throw new HeanError("DATA_DOWNLOAD", `${file.url}: SHA-256 ${actual} does not match the published ${expected}; the download was removed`, { url: file.url, expected, actual });
    }
  }
  // Without a published checksum, a gzip file at least proves it is whole by inflating to its end.
  if (expected === undefined && part.endsWith(".gz.part")) await assertWholeGzip(part, file.url);
  if (expected === undefined && part.endsWith(".zip.part")) assertWholeZip(part, file.url);
  const size = statSync(part).size;
  renameSync(part, file.path);
  return { kind: "downloaded", file, bytes: size, resumedFrom, verified: expected !== undefined, checksumMissing };
}

async function fromPages(file: RemoteFile, onBytes: (n: number) => void, timeoutMs: number, now: number): Promise<FileOutcome> {
  // A day or month not over yet would end in a bar still open and lack what is to come, yet under
  // its final name every later run would take it as whole. Kept as a .part it would be as good as
  // absent (readers skip parts) and rebuilt anyway, so it is skipped, saying when it can be had:
  // as Binance's files, which appear only once their day is over.
  const endsAt = file.pages!.end + 1;
  if (endsAt > now) return { kind: "incomplete", file, endsAt };
  const outcome = await downloadBybitPages(file.url, file.path, file.pages!, onBytes, timeoutMs);
  if (outcome.kind === "written") return { kind: "downloaded", file, bytes: outcome.bytes, resumedFrom: 0, verified: false };
  return outcome.kind === "present" ? { kind: "present", file, verified: false } : { kind: "missing", file };
}

/** The SHA-256 the venue publishes (`<hex>  <name>`), or null when the file does not exist there. */
async function publishedChecksum(url: string, timeoutMs: number): Promise<string | null> {
  const answer = await watched(url, timeoutMs, async (watch) => {
    const response = await fetch(url, { redirect: "follow", signal: watch.signal });
    watch.kick();
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return { response, text: await watchedText(response, watch) };
  });
  if (answer === null) return null;
  const { response, text } = answer;
  if (response.status !== 200) throw new HeanError("DATA_DOWNLOAD", `${url}: HTTP ${response.status}`, { url, status: response.status });
  const hex = /^([0-9a-f]{64})\b/i.exec(text.trim())?.[1];
  if (hex === undefined) throw new HeanError("DATA_DOWNLOAD", `${url}: not a checksum file`, { url });
  return hex.toLowerCase();
}

async function assertWholeGzip(path: string, url: string): Promise<void> {
  try {
    await pipeline(createReadStream(path), createGunzip(), new Writable({ write: (_chunk, _enc, done) => done() }));
  } catch (e) {
    rmSync(path);
    throw new HeanError("DATA_DOWNLOAD", `${url}: the file is not a whole gzip (${(e as Error).message}); the download was removed`, { url });
  }
}

/** A zip ends with its end-of-central-directory record (after at most a 64 KiB comment): a cut one does not. */
function assertWholeZip(path: string, url: string): void {
  const size = statSync(path).size;
  const tail = Buffer.alloc(Math.min(size, 22 + 0xffff));
  const fd = openSync(path, "r");
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  if (tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) >= 0) return;
  rmSync(path);
  throw new HeanError("DATA_DOWNLOAD", `${url}: the file is not a whole zip (no end-of-central-directory record) and no .CHECKSUM is published to check it by; the download was removed`, { url });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
