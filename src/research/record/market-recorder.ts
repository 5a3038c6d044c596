/**
 * `hean run --record-market FILE`: every book and trade the engine saw (what its strategies were
 * shown, at the time they were shown it), written as hean's own market file, which
 * `hean backtest --data FILE` replays exactly. The first line carries the venue and the traded
 * instruments' rules, so the backtest fills and charges fees as the venue would. Running again
 * onto the same file appends a session (see `MarketRecorder.create`).
 *
 * Lines are buffered and written in blocks; a crash loses at most the last block, never the
 * file's shape (every block ends with a whole line).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import { type Dec, dec, format, tryDec } from "../../core/decimal.ts";
import { HeanError } from "../../core/errors.ts";
import type { BookEvent, HeanEvent, TradeEvent } from "../../core/events.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { EventBus } from "../../bus/event-bus.ts";
import { HEAN_MARKET_SUFFIX } from "../data/formats.ts";

const BLOCK = 64 * 1024;
const MAGIC = "#hean-market ";

export interface RecordingHeader {
  readonly version: 1;
  readonly venue: string;
  readonly instruments: readonly Instrument[];
}

export class MarketRecorder {
  readonly path: string;
  #fd: number | undefined;
  #buffer = "";
  books = 0;
  trades = 0;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Create the recording, or append a new session to an existing recording of the same venue and
   * rules; refuses a name the backtest would not recognise. `from`: the time of the session's first
   * record.
   *
   * An existing recording is never replaced: the same command run again (a supervisor restarting
   * the engine, a second session continuing the same journal) must start, and must not destroy
   * the first session's data. Its sessions replay as one file: each new one opens with the header
   * line again (a marker the reader skips), and times only move forward. A file that is not such
   * a recording (another venue, other rules, later times, or not a recording at all) is refused
   * and left exactly as it is.
   */
  static create(path: string, venue: string, instruments: readonly Instrument[], from?: number): MarketRecorder {
    if (!path.endsWith(HEAN_MARKET_SUFFIX)) {
      throw new HeanError("CLI_USAGE", `--record-market ${path}: the file name must end in ${HEAN_MARKET_SUFFIX} (so a backtest knows its layout)`, { path });
    }
    const header = `${MAGIC}${JSON.stringify({ version: 1, venue, instruments: instruments.map(serialiseInstrument) })}\n`;
    const existing = checkRecordingTarget(path, venue);
    if (existing !== undefined) {
      for (const i of instruments) {
        const known = existing.header.instruments.find((x) => x.symbol === i.symbol);
        if (known === undefined || JSON.stringify(serialiseInstrument(known)) !== JSON.stringify(serialiseInstrument(i))) {
          throw refusal(path, `it has ${known === undefined ? `no rules for ${i.symbol}` : `other rules for ${i.symbol} than ${venue} lists now`}, and a backtest reads one set from its first line`);
        }
      }
      if (from !== undefined && existing.lastTs !== undefined && from < existing.lastTs) {
        throw refusal(path, `it ends at ${new Date(existing.lastTs).toISOString()}, after this session's first record (${new Date(from).toISOString()})`);
      }
    }
    const fd = openSync(path, "a");
    const r = new MarketRecorder(path, fd);
    // A crash may have cut the last line: the session starts on a line of its own all the same.
    r.#buffer = existing === undefined ? header : `${existing.endsWithNewline ? "" : "\n"}${header}`;
    r.#flush();
    return r;
  }

  /** Feed every outbox event; books and trades are kept. */
  onEvent(e: HeanEvent): void {
    if (e.type === "market.book") this.book(e);
    else if (e.type === "market.trade") this.trade(e);
  }

  book(e: BookEvent): void {
    this.books++;
    // The flag only where it is set: continuous books read the same as before it was recorded.
    this.#add(`${e.ts},book,${e.symbol},${format(e.bid)},${format(e.bidQty)},${format(e.ask)},${format(e.askQty)}${e.afterGap ? ",gap" : ""}\n`);
  }

  trade(e: TradeEvent): void {
    this.trades++;
    this.#add(`${e.ts},trade,${e.symbol},${format(e.price)},${format(e.qty)},${e.side}\n`);
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.#flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #add(line: string): void {
    if (this.#fd === undefined) return;
    this.#buffer += line;
    if (this.#buffer.length >= BLOCK) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#buffer === "") return;
    writeSync(this.#fd, this.#buffer);
    this.#buffer = "";
  }
}

function serialiseInstrument(i: Instrument): Record<string, unknown> {
  return {
    symbol: i.symbol,
    baseAsset: i.baseAsset,
    quoteAsset: i.quoteAsset,
    tickSize: format(i.tickSize),
    lotSize: format(i.lotSize),
    minQty: format(i.minQty),
    maxQty: format(i.maxQty),
    minNotional: format(i.minNotional),
    makerFee: format(i.makerFee),
    takerFee: format(i.takerFee),
    ...(i.contract === undefined ? {} : { contract: { kind: i.contract.kind, multiplier: format(i.contract.multiplier) } }),
  };
}

/** A `--record-market` file that would not be appended to, with what to do about it. */
function refusal(path: string, why: string): HeanError {
  return new HeanError("CLI_USAGE", `--record-market ${path} exists and cannot take this session: ${why}. Name another file (${path} is left as it is)`, { path });
}

/**
 * What a run may append to at `path`: undefined when there is nothing there yet (no file, or an
 * empty one), the recording's header and last time when it is one of `venue`; anything else is
 * refused. Checked before a run starts, and again when the recording opens.
 */
export function checkRecordingTarget(path: string, venue: string): { header: RecordingHeader; lastTs: number | undefined; endsWithNewline: boolean } | undefined {
  if (!existsSync(path) || statSync(path).size === 0) return undefined;
  let header: RecordingHeader | undefined;
  try {
    header = readRecordingHeader(path);
  } catch (e) {
    throw refusal(path, `its first line is not a readable recording header (${(e as Error).message})`);
  }
  if (header === undefined) throw refusal(path, "it is not a hean recording");
  if (header.venue !== venue) throw refusal(path, `it records ${header.venue}, this run trades ${venue}`);
  const tail = readTail(path);
  const lines = tail.split("\n");
  // The last whole line with a time (not the one after the last newline, which a crash may have
  // cut; a header line has none).
  let lastTs: number | undefined;
  for (let i = lines.length - 2; i >= 0 && lastTs === undefined; i--) {
    const comma = lines[i]!.indexOf(",");
    const ts = Number(lines[i]!.slice(0, comma));
    if (comma > 0 && Number.isSafeInteger(ts)) lastTs = ts;
  }
  return { header, lastTs, endsWithNewline: tail.endsWith("\n") };
}

function readTail(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    const n = readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * The header of a recording (its first line), or undefined when the file does not start with one
 * (not a recording, or one whose first line was removed: the backtest says it traded by other rules).
 */
export function readRecordingHeader(path: string): RecordingHeader | undefined {
  const fd = openSync(path, "r");
  let text: string;
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    text = (path.endsWith(".gz") ? gunzipHead(path, buf.subarray(0, n)) : buf.subarray(0, n)).toString("utf8");
  } finally {
    closeSync(fd);
  }
  if (!text.startsWith(MAGIC)) return undefined;
  const line = text.slice(MAGIC.length, text.indexOf("\n") < 0 ? undefined : text.indexOf("\n"));
  try {
    const raw = JSON.parse(line) as { venue: unknown; instruments: unknown };
    return { version: 1, venue: String(raw.venue), instruments: instrumentsFromJson(raw.instruments) };
  } catch (e) {
    throw new HeanError("DATA_MALFORMED", `${path}:1: the recording's header is not readable: ${(e as Error).message}`, { file: path });
  }
}

/**
 * The start of a packed recording (`.hean.csv.gz`, which the backtest reads as it reads the plain
 * one) unpacked: its header is inside the gzip stream, and read raw it was never found, so a packed
 * recording traded by built-in rules. A sync flush unpacks what the first bytes hold.
 */
function gunzipHead(path: string, head: Buffer): Buffer {
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new HeanError("DATA_MALFORMED", `${path}: not a readable .gz file: ${(e as Error).message}`, { file: path });
  }
}

/**
 * Instrument rules written as JSON (a recording's header, or `hean backtest --instruments FILE`):
 * `[{ "symbol", "baseAsset", "quoteAsset", "tickSize", "lotSize", "minQty", "maxQty",
 * "minNotional", "makerFee", "takerFee" }]`, the numbers as decimal strings. Throws on anything else.
 */
export function instrumentsFromJson(raw: unknown): Instrument[] {
  if (!Array.isArray(raw)) throw new Error("instruments must be a list");
  return raw.map((x: unknown, n) => {
    if (typeof x !== "object" || x === null) throw new Error(`instruments[${n}] is not an object`);
    const i = x as Record<string, unknown>;
    const text = (k: string): string => {
      const v = i[k];
      if (typeof v !== "string" || v === "") throw new Error(`instruments[${n}].${k} must be a string`);
      return v;
    };
    const d = (k: string): Dec => {
      const v = i[k];
      const parsed = typeof v === "string" ? tryDec(v) : undefined;
      if (parsed === undefined) throw new Error(`instruments[${n}].${k} must be a decimal string, got ${JSON.stringify(v)}`);
      return parsed;
    };
    const positive = (k: string): Dec => {
      const v = d(k);
      if (v <= 0n) throw new Error(`instruments[${n}].${k} must be positive`);
      return v;
    };
    const contract = i["contract"] as { kind?: unknown; multiplier?: unknown } | undefined;
    return {
      symbol: text("symbol"),
      baseAsset: text("baseAsset"),
      quoteAsset: text("quoteAsset"),
      tickSize: positive("tickSize"),
      lotSize: positive("lotSize"),
      minQty: d("minQty"),
      maxQty: positive("maxQty"),
      minNotional: d("minNotional"),
      makerFee: d("makerFee"),
      takerFee: d("takerFee"),
      ...(contract === undefined
        ? {}
        : { contract: { kind: contract.kind === "futures" ? "futures" : "perpetual", multiplier: tryDec(String(contract.multiplier)) ?? (dec("1") as Dec) } }),
    } satisfies Instrument;
  });
}

/**
 * Record what a runtime's strategies are shown from now on: the file is created at the first
 * book or trade (the venue's listing is loaded by then), with the traded symbols' rules.
 */
export function recordRuntimeMarket(
  runtime: { readonly outbox: EventBus; readonly instruments: { find(symbol: string): Instrument | undefined } },
  path: string,
  venue: string,
  symbols: readonly string[],
): { close(): { books: number; trades: number } } {
  let recorder: MarketRecorder | undefined;
  let closed = false;
  runtime.outbox.subscribe(
    "market-recorder",
    (e) => {
      if (closed) return;
      if (recorder === undefined) {
        try {
          recorder = MarketRecorder.create(
            path,
            venue,
            symbols.map((s) => runtime.instruments.find(s)).filter((i): i is Instrument => i !== undefined),
            e.ts,
          );
        } catch (error) {
          // The file changed since the start's check, or the venue's rules did: the run goes on
          // unrecorded rather than harm the file, and the bus reports the error once (a dead letter).
          closed = true;
          throw error;
        }
      }
      recorder.onEvent(e);
    },
    ["market.book", "market.trade"],
  );
  return {
    close() {
      closed = true;
      recorder?.close();
      return { books: recorder?.books ?? 0, trades: recorder?.trades ?? 0 };
    },
  };
}
