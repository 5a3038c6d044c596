/**
 * `hean run --record-market FILE`: every book and trade the engine saw (what its strategies were
 * shown, at the time they were shown it), written as hean's own market file, which
 * `hean backtest --data FILE` replays exactly. The first line carries the venue and the traded
 * instruments' rules, so the backtest fills and charges fees as the venue would.
 *
 * Lines are buffered and written in blocks; a crash loses at most the last block, never the
 * file's shape (every block ends with a whole line).
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
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

  /** Create (or replace) the recording; refuses a name the backtest would not recognise. */
  static create(path: string, venue: string, instruments: readonly Instrument[]): MarketRecorder {
    if (!path.endsWith(HEAN_MARKET_SUFFIX)) {
      throw new HeanError("CLI_USAGE", `--record-market ${path}: the file name must end in ${HEAN_MARKET_SUFFIX} (so a backtest knows its layout)`, { path });
    }
    const fd = openSync(path, "w");
    const r = new MarketRecorder(path, fd);
    const header = { version: 1, venue, instruments: instruments.map(serialiseInstrument) };
    r.#buffer = `${MAGIC}${JSON.stringify(header)}\n`;
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

/** The header of a recording (its first line), or undefined when the file is not one. */
export function readRecordingHeader(path: string): RecordingHeader | undefined {
  const fd = openSync(path, "r");
  let text: string;
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    text = buf.subarray(0, n).toString("utf8");
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
      recorder ??= MarketRecorder.create(
        path,
        venue,
        symbols.map((s) => runtime.instruments.find(s)).filter((i): i is Instrument => i !== undefined),
      );
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
