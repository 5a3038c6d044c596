/**
 * A backtest: recorded market data drives the real runtime (engine, risk, router, executor,
 * journal, trading loop) on a simulated clock, through `BacktestVenue`. Time moves only with
 * the data, so the same command gives the same journal and the same report, byte for byte.
 *
 * The journal is the given one (it must not exist yet: a backtest starts flat) or a temporary
 * one removed afterwards; the report names no temporary path, so two runs compare equal.
 */
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../../core/clock.ts";
import { HeanError, isHeanError } from "../../core/errors.ts";
import { type Instrument, withSymbolHint } from "../../core/instrument.ts";
import type { HeanConfig } from "../../config/config.ts";
import { lockFileOf } from "../../journal/journal-lock.ts";
import { SqliteJournal } from "../../journal/sqlite-journal.ts";
import { URGENT_SUFFIX } from "../../journal/urgent-log.ts";
import type { RunReport } from "../../runtime/report.ts";
import type { DisabledStrategy } from "../../runtime/strategy-slot.ts";
import type { ChartSeries } from "../../report/html.ts";
import { PriceSampler } from "../../report/price-sampler.ts";
import { type Dec, format, toNumber } from "../../core/decimal.ts";
import { Runtime, configuredStrategies } from "../../runtime/runtime.ts";
import { venueEntry } from "../../venues/registry.ts";
import type { StrategySpec } from "../../strategies/spec.ts";
import type { Strategy } from "../../strategies/strategy.ts";
import { type FileReport, type ReadAs, malformedRows } from "../data/file-report.ts";
import { formatOf, mergeMarketBatches } from "../data/reader.ts";
import type { MarketRecord } from "../data/records.ts";
import { type TimeUnit, recogniseFile } from "../data/formats.ts";
import { readRecordingHeader } from "../record/market-recorder.ts";
import type { HeanEvent } from "../../core/events.ts";
import { deferredCommitJournal } from "./deferred-commit-journal.ts";
import { type BacktestLatency, BacktestVenue, DEFAULT_BACKTEST_LATENCY } from "./backtest-venue.ts";
import { DEFAULT_FILL_MODEL, type FillModel, type Silence } from "./replay-market.ts";

export interface BacktestOptions {
  readonly files: readonly string[];
  /** The layout and symbol of files whose names do not say them. */
  readonly readAs?: ReadAs | undefined;
  /** The runtime's configuration: symbols, strategy, risk, execution, initial cash. */
  readonly config: HeanConfig;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly strict?: boolean | undefined;
  /** A journal to keep (must not exist yet); default: a temporary one. */
  readonly journalPath?: string | undefined;
  readonly fill?: FillModel | undefined;
  readonly latency?: BacktestLatency | undefined;
  /** Instrument rules (tick, lot, fees), before the recordings' own and the built-in ones. */
  readonly instruments?: readonly Instrument[] | undefined;
  /** Strategies instead of the configured one (tests, benchmarks, sweeps). */
  readonly strategies?: readonly Strategy[] | undefined;
  /** Every event the engine publishes (tests compare a backtest's orders and fills with a paper run's). */
  readonly onEvent?: ((e: HeanEvent) => void) | undefined;
  /** Called every `progressEvery` records and at the end. */
  readonly onProgress?: ((p: BacktestProgress) => void) | undefined;
  /** Stop replaying (Ctrl-C): the run ends there, cleanly, and its report says it was cut short. */
  readonly signal?: AbortSignal | undefined;
  readonly progressEvery?: number | undefined;
}

export interface BacktestProgress {
  readonly events: number;
  /** Data time reached. */
  readonly ts: number;
  readonly firstTs: number;
  readonly done: boolean;
  /** Input read so far, as a fraction of the files' size. */
  readonly fraction: number;
}

export interface DataSummary {
  /** `timeUnit`: how the file writes its times (s, ms, us), null when no row parsed. */
  readonly files: readonly { readonly file: string; readonly format: string | null; readonly timeUnit: TimeUnit | null; readonly rows: number; readonly records: number; readonly skipped: number; readonly problems: readonly { readonly line: number; readonly reason: string }[] }[];
  readonly events: number;
  readonly skipped: number;
  /** Records not replayed: other symbols, klines of symbols with finer data, prices or sizes off the instrument's grid. */
  readonly ignored: number;
  /** Symbols whose klines were replayed as trades (their only data): their fills are approximate. */
  readonly bars: readonly string[];
  /** Of those, the ones whose price or size is off the instrument's grid (a size below its lot). */
  readonly offGrid: number;
  readonly from: number | null;
  readonly to: number | null;
  /** The replay was stopped before the data ended (Ctrl-C). */
  readonly interrupted: boolean;
  /** The longest stretch a replayed symbol's data said nothing, its end included: from its last record to the data's (null: none). */
  readonly longestSilence: Silence | null;
  /**
   * hean recordings without their `#hean-market` first line: the venue and rules they were
   * recorded with are unknown, and the run traded by the rules in `rules` (built in or given).
   */
  readonly withoutHeader: readonly string[];
  /**
   * Symbols of the run with no trade, book or kline in the data replayed (none in the files, or
   * none within --from/--to): listed as the run's, never traded. Before a Ctrl-C: none until then.
   */
  readonly withoutData: readonly string[];
  /** Funding records before the first or after the last trade, book or kline: not replayed (withinMarketData). */
  readonly fundingOutside: number;
}

/**
 * The records within the market data's span: funding records before the first trade, book or
 * kline or after the last are dropped (counted in `outside.funding`). A monthly fundingRate file
 * beside a day of trades otherwise stretched the run over the whole month: its period, returns and
 * ratios were the month's, and the strategy went on trading for weeks on the last price, which
 * stood still. A funding record is held until a market record at or after its time arrives, so
 * the run still ends at the last market record; held ones are few (one per symbol and interval).
 */
export async function* withinMarketData(batches: AsyncIterable<MarketRecord[]>, outside: { funding: number }): AsyncGenerator<MarketRecord[], void, undefined> {
  let started = false;
  let lastMarketTs = -Infinity;
  let held: MarketRecord[] = [];
  for await (const batch of batches) {
    const out: MarketRecord[] = [];
    for (const r of batch) {
      if (r.kind === "funding") {
        if (started) held.push(r);
        else outside.funding++;
        continue;
      }
      started = true;
      lastMarketTs = r.ts;
      if (held.length > 0) {
        for (const h of held) out.push(h);
        held = [];
      }
      out.push(r);
    }
    // An empty batch would read as the end of the data (the first one is checked for that).
    if (out.length > 0) yield out;
  }
  // At the last market record's very time (merged after it): still within the data.
  const within = held.filter((r) => r.ts <= lastMarketTs);
  outside.funding += held.length - within.length;
  if (within.length > 0) yield within;
}

export interface BacktestReport extends RunReport {
  /** Strategies disabled during the run, in the order it happened: the figures after it are not theirs. */
  readonly disabled: readonly DisabledStrategy[];
  readonly backtest: {
    readonly strategy: string;
    /** The one strategy's parameters (`strategy.params`); several strategies' are in `strategies`. */
    readonly params: Readonly<Record<string, unknown>>;
    /** With several strategies (`strategies[]` in the config): what each ran with, so the report says it alone. */
    readonly strategies?: readonly (Omit<StrategySpec, "id"> & { readonly id: string })[];
    readonly symbols: readonly string[];
    /** The instrument rules the run traded by (given, a recording's, or built in), as decimals. */
    readonly rules: readonly InstrumentRules[];
    readonly fill: FillModel;
    readonly latency: BacktestLatency;
    readonly data: DataSummary;
  };
}

export interface InstrumentRules {
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly makerFee: string;
  readonly takerFee: string;
}

export interface BacktestResult {
  readonly report: BacktestReport;
  /** Equity and prices for charts (`--html`). */
  readonly charts: ChartSeries;
  /** Wall time of the replay (not in the report: it differs run to run). */
  readonly elapsedMs: number;
}

/** Keep the simulated clock moving until `p` settles (shutdown waits on clock timers). */
async function driveUntil<T>(clock: SimClock, p: Promise<T>, stepMs = 20): Promise<T> {
  let done = false;
  void p.finally(() => (done = true)).catch(() => undefined);
  // What settles without time passing settles at the current time (a stop with nothing working).
  for (let i = 0; i < 5 && !done; i++) await new Promise((r) => setImmediate(r));
  while (!done) {
    clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const started = performance.now();
  const { config } = options;
  // hean's recordings carry the venue's rules for what they recorded.
  const recordings = options.files.filter((f) => existsSync(f) && recogniseFile(f)?.format === "hean-market").map((file) => ({ file, header: readRecordingHeader(file) }));
  const recorded = recordings.flatMap((r) => r.header?.instruments ?? []);
  // The rules given first, then the recordings' own, then the configured venue's built-in ones
  // (Bybit's unless the configuration names another venue), for each symbol.
  const listing: Instrument[] = [];
  for (const i of [...(options.instruments ?? []), ...recorded, ...venueEntry(config.venue).builtinInstruments]) if (!listing.some((x) => x.symbol === i.symbol)) listing.push(i);
  const instruments = config.symbols.map((s) => {
    const i = listing.find((x) => x.symbol === s);
    if (i === undefined) throw new HeanError("CLI_USAGE", `no instrument rules for ${withSymbolHint(s, listing.map((x) => x.symbol))}`, { symbol: s });
    return i;
  });
  if (options.files.length === 0) throw new HeanError("CLI_USAGE", "a backtest needs data: --data FILE…", {});
  for (const f of options.files) if (!existsSync(f)) throw new HeanError("DATA_MALFORMED", `${f}: no such file`, { file: f });
  if (options.journalPath !== undefined && existsSync(options.journalPath)) {
    throw new HeanError("CLI_USAGE", `--journal ${options.journalPath} exists: a backtest starts from a new journal`, { journal: options.journalPath });
  }
  // Strategy files are loaded and checked before anything is created: a bad one leaves no journal
  // behind, which would refuse the corrected command ("--journal exists").
  const strategies = options.strategies ?? (await configuredStrategies(config));
  const reports: FileReport[] = [];
  const bytesRead = { value: 0 };
  const totalBytes = options.files.reduce((sum, f) => sum + statSync(f).size, 0);
  const outside = { funding: 0 };
  const records = withinMarketData(
    mergeMarketBatches(
      options.files,
      { ...options.readAs, strict: options.strict === true, bytesRead, ...(options.from !== undefined ? { from: options.from } : {}), ...(options.to !== undefined ? { to: options.to } : {}) },
      reports,
    ),
    outside,
  );
  const first = await records.next();
  // The period named by its times: a sweep's walk-forward window has them without any --from/--to.
  const iso = (t: number | undefined, open: string): string => (t === undefined ? open : new Date(t).toISOString());
  const within = options.from === undefined && options.to === undefined ? "" : ` from ${iso(options.from, "the start")} to ${iso(options.to, "the end")}`;
  if (first.done === true || first.value.length === 0) {
    throw new HeanError("DATA_MALFORMED", `no market data in ${options.files.join(", ")}${within}${malformedRows(reports)}`, { files: options.files, from: options.from, to: options.to, malformed: reports.map((r) => ({ file: r.file, skipped: r.skipped })) });
  }
  const firstTs = first.value[0]!.ts;
  // A temporary journal lives in memory where the machine has a RAM disk: it is thrown away anyway.
  const tempDir = options.journalPath === undefined ? mkdtempSync(join(ramDisk() ?? tmpdir(), "hean-backtest-")) : undefined;
  const journalPath = options.journalPath ?? join(tempDir!, "journal.db");
  const fill = options.fill ?? DEFAULT_FILL_MODEL;
  const latency = options.latency ?? DEFAULT_BACKTEST_LATENCY;
  try {
    const clock = new SimClock(firstTs);
    const barSymbols = barOnlySymbols(options.files, options.readAs ?? {});
    const venue = new BacktestVenue({ clock, instruments, startingBalance: config.initialCash, fill, latency, seed: config.seed, barSymbols, bookSymbols: bookSymbols(options.files, options.readAs ?? {}, recorded) });
    // Client order ids derive from the journal's id, which is random: a backtest's journal shows
    // a fixed one, so two runs of one backtest give the same ids. A backtest journal is always
    // new and reaches no venue, so its ids never meet another journal's.
    // Records commit in chunks and at the end, not at every turn's end nor before each intent goes
    // out (deferred-commit-journal.ts): nobody reads this journal before the run ends, its venue
    // dies with the process, and a crashed backtest is run again.
    // What this run creates beside a given journal (it did not exist: checked above); a start that
    // fails removes them, and never a file that was there before.
    const created = options.journalPath === undefined ? [] : journalFiles(journalPath).filter((f) => !existsSync(f));
    const journal = SqliteJournal.open(journalPath, { durability: "normal", writer: "inline", commitAt: "flush", journalId: "backtest" });
    const runConfig: HeanConfig = { ...config, mode: "paper", journal: { ...config.journal, path: journalPath } };
    let runtime: Runtime;
    try {
      runtime = await Runtime.start({
        config: runConfig,
        clock,
        busMode: "sync",
        journal: deferredCommitJournal(journal),
        venue,
        // A temporary journal is removed when the run ends: no boot will ever start from its snapshots.
        snapshots: options.journalPath !== undefined,
        strategies,
      });
    } catch (e) {
      try {
        journal.close();
      } catch {
        // the start's own error says what went wrong; the files go all the same
      }
      for (const f of created) rmSync(f, { force: true });
      throw e;
    }
    if (options.onEvent !== undefined) runtime.outbox.subscribe("backtest-observer", options.onEvent);
    let events = 0;
    let lastTs = firstTs;
    const prices = new PriceSampler();
    const midOf = (symbol: string): Dec | undefined => venue.market.mid(symbol);
    const every = options.progressEvery ?? 100_000;
    // Time moves on only once what the runtime started now has settled (`Runtime.inFlight`): an
    // intent waits on its journal commit (a promise) before it reaches the venue, and must not
    // slip to a later tick; nor must a kill switch's close or its check of the venue's positions.
    // What waits on this journal settles within a few microtasks (its flushes resolve at once,
    // deferred-commit-journal.ts): those come first, a turn of the event loop only if they were
    // not enough (one per intent was 2.5% of a run).
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 1000 && runtime.inFlight; i++) await (i < 32 ? undefined : new Promise((r) => setImmediate(r)));
    };
    // Timer by timer up to the record's time, so that what a timer starts (a router leg, an
    // order whose intent is being committed) goes out at that timer's time.
    const moveTo = async (target: number): Promise<void> => {
      for (;;) {
        if (runtime.inFlight) await settle();
        const next = clock.nextDueAt();
        if (next === undefined || next > target) break;
        clock.advanceTo(Math.max(next, clock.now()));
      }
      clock.advanceTo(target);
    };
    const feed = async (batch: readonly MarketRecord[]): Promise<void> => {
      // Indexed, and the last time kept once per run: in an async function neither an iterator's
      // results nor a time stored in the closure stay unboxed, each cost an allocation per record.
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        // The same steps as moveTo, without a promise per record when nothing waits.
        for (;;) {
          if (runtime.inFlight) await settle();
          const next = clock.nextDueAt();
          if (next === undefined || next > r.ts) break;
          clock.advanceTo(Math.max(next, clock.now()));
        }
        // No timer is due before r.ts (checked just above): time can simply be set.
        if (r.ts > clock.now()) clock.set(r.ts);
        venue.replay(r);
        prices.sample(r.symbol, r.ts, midOf);
        if (++events % every === 0) options.onProgress?.({ events, ts: r.ts, firstTs, done: false, fraction: totalBytes === 0 ? 1 : Math.min(1, bytesRead.value / totalBytes) });
      }
      if (batch.length > 0) lastTs = batch[batch.length - 1]!.ts;
      // Between runs the journal commits and the runtime's promises settle.
      await new Promise((r) => setImmediate(r));
    };
    try {
      await feed(first.value);
      for await (const batch of records) {
        if (options.signal?.aborted === true) break;
        await feed(batch);
      }
    } catch (e) {
      await driveUntil(clock, runtime.stop(`backtest failed: ${(e as Error).message}`));
      // The journal records what ran until the data failed: it stays, and the error says so.
      if (options.journalPath !== undefined && isHeanError(e)) {
        throw new HeanError(e.code, `${e.message.slice(e.code.length + 2)} (the run stopped there; --journal ${options.journalPath} keeps what it did until then)`, { ...e.context, journal: options.journalPath }, { cause: e });
      }
      throw e;
    }
    venue.market.endAt(lastTs);
    // What was in flight when the data ended (acks, outcomes) lands before the stop.
    for (let i = 0; i < 10_000 && (venue.pending > 0 || runtime.inFlight); i++) {
      const next = clock.nextDueAt();
      await moveTo(next === undefined ? clock.now() : Math.max(next, clock.now()));
    }
    const runReport = await driveUntil(clock, runtime.stop(options.signal?.aborted === true ? "backtest interrupted" : "backtest data ended"));
    options.onProgress?.({ events, ts: lastTs, firstTs, done: true, fraction: 1 });
    const data: DataSummary = {
      files: reports.map((r) => ({ file: r.file, format: r.format ?? null, timeUnit: r.timeUnit ?? null, rows: r.rows, records: r.records, skipped: r.skipped, problems: r.problems })),
      events,
      skipped: reports.reduce((s, r) => s + r.skipped, 0),
      ignored: venue.ignored,
      offGrid: venue.market.offGrid,
      bars: [...barSymbols].filter((s) => config.symbols.includes(s)).sort(),
      from: firstTs,
      to: lastTs,
      interrupted: options.signal?.aborted === true,
      longestSilence: venue.market.longestSilence ?? null,
      withoutData: venue.market.unheard(),
      withoutHeader: recordings.filter((r) => r.header === undefined).map((r) => r.file),
      fundingOutside: outside.funding,
    };
    // Records were read, but none of a symbol the run trades: its report of nothing is no result,
    // and a journal of it would only be in the way of the corrected command.
    if (!data.interrupted && data.withoutData.length === config.symbols.length) {
      for (const f of created) rmSync(f, { force: true });
      throw new HeanError(
        "DATA_MALFORMED",
        `no market data for ${config.symbols.join(", ")} in ${options.files.join(", ")}${within}: ${venue.ignored} records of other symbols were not replayed (check --symbols, --data and --format)`,
        { files: options.files, symbols: config.symbols, from: options.from, to: options.to, notReplayed: venue.ignored },
      );
    }
    const report: BacktestReport = {
      ...runReport,
      journal: { path: options.journalPath ?? "(temporary)", events: runReport.journal.events },
      disabled: runReport.disabled ?? [],
      backtest: {
        strategy: strategyLabel(options, runtime),
        params: config.strategy.params,
        // The runtime's slots are the configured entries, in order, with their ids resolved.
        ...(config.strategies.length > 0 && options.strategies === undefined ? { strategies: config.strategies.map((s, i) => ({ ...s, id: runtime.trading.slots[i]!.id })) } : {}),
        symbols: config.symbols,
        rules: instruments.map(rulesOf),
        fill,
        latency,
        data,
      },
    };
    const charts: ChartSeries = {
      equity: runtime.engine.state.performance.equityCurve().map((p) => ({ ts: p.ts, value: toNumber(p.equity) })),
      prices: prices.series(),
    };
    return { report, charts, elapsedMs: performance.now() - started };
  } finally {
    await records.return(undefined);
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** A journal's files: the database, SQLite's side files, hean's urgent file and lock. */
const journalFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`, `${path}${URGENT_SUFFIX}`, lockFileOf(path)];

/**
 * The symbols whose only market data in this run is klines: their bars are replayed as trades.
 * A recording, trades or book data for a symbol say more than its bars: those klines are not replayed.
 */
function barOnlySymbols(files: readonly string[], readAs: ReadAs): Set<string> {
  const bars = new Set<string>();
  const ticks = new Set<string>();
  for (const f of files) {
    const { format, symbol } = formatOf(f, readAs);
    // A recording's symbols are in its header; it is exact data for all of them.
    if (format === "hean-market") return new Set();
    if (symbol === undefined || format === "binance-fundingRate") continue;
    (format === "binance-klines" ? bars : ticks).add(symbol);
  }
  for (const s of ticks) bars.delete(s);
  return bars;
}

/** The symbols with book data in this run: the recordings' (`recorded`, from their headers), and `bookTicker` files'. */
function bookSymbols(files: readonly string[], readAs: ReadAs, recorded: readonly Instrument[]): Set<string> {
  const symbols = new Set(recorded.map((i) => i.symbol));
  for (const f of files) {
    const { format, symbol } = formatOf(f, readAs);
    if (format === "binance-bookTicker" && symbol !== undefined) symbols.add(symbol);
  }
  return symbols;
}

/** One strategy by the name or file it was given as; several by their ids (`impulse-BTCUSDT, …`). */
function strategyLabel(options: BacktestOptions, runtime: Runtime): string {
  const { config } = options;
  if (options.strategies === undefined && config.strategies.length === 0) return config.strategy.file ?? config.strategy.name;
  return runtime.trading.slots.map((s) => s.id).join(", ");
}

function rulesOf(i: Instrument): InstrumentRules {
  return { symbol: i.symbol, tickSize: format(i.tickSize), lotSize: format(i.lotSize), makerFee: format(i.makerFee), takerFee: format(i.takerFee) };
}

/** A writable RAM disk (Linux /dev/shm), if there is one. */
function ramDisk(): string | undefined {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return statSync("/dev/shm").isDirectory() ? "/dev/shm" : undefined;
  } catch {
    return undefined;
  }
}
