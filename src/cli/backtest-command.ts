/**
 * `hean backtest`: replay historical market data through the real runtime (src/research/backtest)
 * and print the report; `--report` writes it as JSON, `--html` as one self-contained page.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { BUILTIN_INSTRUMENTS, type Instrument, withSymbolHint } from "../core/instrument.ts";
import { HeanError } from "../core/errors.ts";
import { loadConfig, MAX_SEED } from "../config/config.ts";
import { NAMEABLE_FORMATS, recogniseFile } from "../research/data/formats.ts";
import { dataFiles } from "../research/data/data-paths.ts";
import { type FileReport, type ReadAs, malformedRows } from "../research/data/file-report.ts";
import { type BacktestReport, runBacktest, withinMarketData } from "../research/backtest/backtest.ts";
import { DEFAULT_BACKTEST_LATENCY } from "../research/backtest/backtest-venue.ts";
import { progressPrinter, sweepProgressPrinter } from "../research/backtest/progress.ts";
import { backtestNotes } from "../research/backtest/run-notes.ts";
import { DEFAULT_FILL_MODEL } from "../research/backtest/replay-market.ts";
import { printReport } from "../report/print.ts";
import { instrumentsFromJson, readRecordingHeader } from "../research/record/market-recorder.ts";
import { choiceFlag, integerFlag, outputFileFlag, parseFlags, textFlag } from "./flags.ts";
import { RANK_METRICS, type SweepJob, WindowCheck, grid, parseSweeps, printSweep, rankSweep, runJobs, windows } from "../research/backtest/sweep.ts";
import { mergeMarketBatches } from "../research/data/reader.ts";
import { configuredStrategies } from "../runtime/runtime.ts";

const FLAGS = {
  data: { type: "string", multiple: true },
  format: { type: "string" },
  symbols: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  strategy: { type: "string" },
  "strategy-file": { type: "string" },
  config: { type: "string" },
  set: { type: "string", multiple: true },
  seed: { type: "string" },
  report: { type: "string" },
  html: { type: "string" },
  journal: { type: "string" },
  strict: { type: "boolean" },
  "latency-ms": { type: "string" },
  "market-latency-ms": { type: "string" },
  "jitter-ms": { type: "string" },
  "touch-notional": { type: "string" },
  "depth-levels": { type: "string" },
  quiet: { type: "boolean" },
  instruments: { type: "string" },
  venue: { type: "string" },
  sweep: { type: "string", multiple: true },
  workers: { type: "string" },
  rank: { type: "string" },
  "walk-forward": { type: "string" },
} as const;

/** Venues whose built-in instrument rules a backtest can trade by. */
const BACKTEST_VENUES = ["bybit", "binance"] as const;

export const BACKTEST_USAGE = `hean backtest --data FILE|DIR… [--symbols A,B] [--from DATE] [--to DATE] --strategy NAME|--strategy-file FILE [--set k=v]… [--report FILE] [--html FILE]
  --data FILE|DIR…        historical files (repeatable, or several after one --data): Binance aggTrades,
                          trades, bookTicker, fundingRate, klines (replayed as bars where they are a
                          symbol's only data); Bybit perpetual trades (not its spot files); hean
                          recordings; plain, .gz or .zip. A directory stands for every file under it
                          (a hean data download tree)
  --format FORMAT         the layout of files not named as their venue names them (the symbol is then the
                          one of --symbols): ${NAMEABLE_FORMATS.join(", ")}
  --strategy NAME         a built-in strategy: impulse (default), churn, or none
  --strategy-file FILE    a strategy module of your own (docs/STRATEGIES.md)
  --set key=value         any configuration value (repeatable), e.g. --set strategy.params.cooldownMs=5000
  --config FILE           JSON configuration (risk, execution, several strategies[] with capital shares)
  --instruments FILE      instrument rules (tick, lot, limits, fees) as JSON, for symbols hean does not
                          know (recordings carry their own): [{"symbol":"SOLUSDT","tickSize":"0.001",…}]
  --venue bybit|binance   whose built-in rules BTCUSDT and ETHUSDT trade by (default bybit; Binance's
                          ETHUSDT lot is 0.001 and its fees 0.02 % / 0.05 %)
  --symbols A,B           symbols to trade (default: the ones the file names say)
  --from/--to DATE        only data from --from up to --to: YYYY-MM-DD (a --to day is included
                          whole, as in hean data download) or an ISO time with a zone (--to excluded)
  --strict                stop at the first malformed row (default: skip it, count it, report it)
  --journal PATH          keep the run's journal there (must not exist; default: a temporary one)
  --latency-ms N          order round trip to the matching engine (default ${DEFAULT_BACKTEST_LATENCY.ackMs})
  --market-latency-ms N   recorded event → hean (default ${DEFAULT_BACKTEST_LATENCY.marketDataMs}); --jitter-ms N seeded extra on both
  --touch-notional N      quote currency assumed at a price level the data does not show: the queue a
                          passive order joins behind (default ${DEFAULT_FILL_MODEL.touchNotional})
  --depth-levels N        levels per side a taker can walk (default ${DEFAULT_FILL_MODEL.depthLevels})
  --seed N                seed of the latency jitter (default 1): the same seed, the same run
  --report FILE           the report as JSON (every figure exact; the printed tables round money to the cent)
  --html FILE             the report as one self-contained HTML page: equity, drawdown, prices with entries and exits
  --quiet                 no progress line
  --sweep key=v1,v2,…     run the grid of every combination (repeatable), e.g. --sweep strategy.params.entryZ=1.5,2,3
  --workers N             sweep runs in N worker threads (default 2)
  --rank METRIC           rank the sweep by ${RANK_METRICS.join(", ")} (default totalReturnPct)
  --walk-forward K        cut the period into K windows: rank each combination by its own mean over windows
                          2…K, and show the out-of-sample path (the best of window k, measured on k+1)
Exit code: 0 done; 1 a strategy was disabled mid-run (or a sweep's run failed), the report written all
the same, or the data could not be read (the error names the file and line; no report); 2 bad flags,
configuration or strategy, nothing run; 130 stopped by Ctrl-C, the report of what ran.
`;

/**
 * A day (YYYY-MM-DD, UTC) or an ISO-8601 time with its zone, as epoch ms. The data kept is
 * [from, to): a day as `--from` starts at its midnight, a day as `--to` ends at the next one, so
 * `--from 2024-01-01 --to 2024-01-07` is the seven days `hean data download` fetched for it.
 */
export function timeFlag(flag: "from" | "to", text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = day ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms) || (day && new Date(ms).toISOString().slice(0, 10) !== text)) {
    throw new HeanError("CLI_USAGE", `--${flag} must be a date YYYY-MM-DD or an ISO time with a zone, got ${JSON.stringify(text)}`, { flag, value: text });
  }
  return day && flag === "to" ? ms + 86_400_000 : ms;
}

/**
 * The refusal when neither --symbols nor any file names the symbols to trade. A hean recording
 * without its header line (`#hean-market {…}`, written first by `hean run --record-market`) is
 * named with what is lost: that line held the recorded symbols and their rules.
 */
export function symbolsNeeded(headerless: readonly string[]): HeanError {
  if (headerless.length === 0) return new HeanError("CLI_USAGE", "--symbols is needed: the data files' names do not say their symbols", {});
  const which = headerless.length === 1 ? `${headerless[0]} is a hean recording` : `${headerless.join(", ")} are hean recordings`;
  return new HeanError(
    "CLI_USAGE",
    `--symbols is needed: ${which} with no header line (#hean-market {…}, the first line hean run --record-market writes), so the symbols and rules recorded are unknown. ` +
      "Pass --symbols A,B (with --instruments FILE for symbols hean has no rules for), restore the header line, or record again with hean run --record-market FILE",
    { files: headerless },
  );
}

export async function backtestCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  // `--data a b c`: the files after --data come as positionals.
  const paths = [...(values.data ?? []), ...positionals];
  if (paths.length === 0) throw new HeanError("CLI_USAGE", "hean backtest needs --data FILE… (see hean backtest --help)", {});
  // A directory's files of other symbols than --symbols are not read (a download tree holds every symbol fetched).
  const files = dataFiles(paths, values.symbols?.split(",").map((s) => s.trim().toUpperCase()));
  const from = timeFlag("from", values.from);
  const to = timeFlag("to", values.to);
  if (from !== undefined && to !== undefined && to <= from) throw new HeanError("CLI_USAGE", "--to must be after --from", { from: values.from, to: values.to });
  const reportPath = outputFileFlag("report", values.report);
  const htmlPath = outputFileFlag("html", values.html);
  // A recording's symbols and rules are in its header line (undefined when that line is missing).
  const recordings = files.filter((f) => recogniseFile(f)?.format === "hean-market").map((file) => ({ file, header: readRecordingHeader(file) }));
  const recorded = recordings.flatMap((r) => r.header?.instruments ?? []);
  const named = [...new Set([...files.map((f) => recogniseFile(f)?.symbol).filter((s): s is string => s !== undefined), ...recorded.map((i) => i.symbol)])];
  const symbols = values.symbols ?? (named.length > 0 ? named.join(",") : undefined);
  if (symbols === undefined) throw symbolsNeeded(recordings.filter((r) => r.header === undefined).map((r) => r.file));
  const instrumentsFile = textFlag("instruments", values.instruments);
  const instruments = instrumentsFile === undefined ? undefined : readInstruments(instrumentsFile);
  const known = new Set([...BUILTIN_INSTRUMENTS, ...(instruments ?? []), ...recorded].map((i) => i.symbol));
  const symbolList = symbols.split(",").map((x) => x.trim().toUpperCase());
  if (symbolList.some((x) => x === "")) throw new HeanError("CLI_USAGE", `--symbols ${JSON.stringify(symbols)} has an empty name: symbols are separated by single commas`, { symbols });
  const unknown = symbolList.filter((x) => !known.has(x));
  // Each says what it may be a typo of, or what is known, as `hean run` does.
  if (unknown.length > 0) {
    const hints = unknown.map((x) => withSymbolHint(x, [...known]));
    throw new HeanError("CLI_USAGE", `no instrument rules for ${hints.join("; ")}: give them with --instruments FILE (see hean backtest --help)`, { symbols: unknown });
  }
  // Files whose names do not say their layout or symbol: --format, and the one symbol traded.
  const format = choiceFlag("format", values.format, NAMEABLE_FORMATS);
  const readAs: ReadAs = { ...(format !== undefined ? { format } : {}), ...(symbolList.length === 1 ? { symbol: symbolList[0]! } : {}) };
  const configFile = textFlag("config", values.config);
  const cli = {
    symbols,
    // A recording names its venue; with instrument rules of one's own the symbols need not be the
    // simulated venue's (the label only: a backtest's listing is its own).
    venue: choiceFlag("venue", values.venue, BACKTEST_VENUES) ?? recordedVenue(files) ?? (instruments === undefined ? undefined : "bybit"),
    "strategy.name": values.strategy,
    "strategy.file": textFlag("strategy-file", values["strategy-file"]),
    seed: integerFlag("seed", values.seed, 0, MAX_SEED),
  };
  const config = loadConfig({ file: configFile, overrides: values.set ?? [], cli });

  const int = (flag: "latency-ms" | "market-latency-ms" | "jitter-ms" | "touch-notional" | "depth-levels", min: number, max: number, d: number): number =>
    integerFlag(flag, values[flag], min, max) ?? d;
  const latency = {
    ackMs: int("latency-ms", 0, 60_000, DEFAULT_BACKTEST_LATENCY.ackMs),
    marketDataMs: int("market-latency-ms", 0, 60_000, DEFAULT_BACKTEST_LATENCY.marketDataMs),
    jitterMs: int("jitter-ms", 0, 60_000, DEFAULT_BACKTEST_LATENCY.jitterMs),
  };
  const fill = { touchNotional: int("touch-notional", 1, 1e12, DEFAULT_FILL_MODEL.touchNotional), depthLevels: int("depth-levels", 1, 1000, DEFAULT_FILL_MODEL.depthLevels) };
  if (values.sweep !== undefined) {
    if (htmlPath !== undefined) throw new HeanError("CLI_USAGE", "--html draws one run: leave it out of a sweep, then backtest the chosen parameters with --html", {});
    if (values.journal !== undefined) throw new HeanError("CLI_USAGE", "--journal keeps one run's journal: leave it out of a sweep, then backtest the chosen parameters with --journal", {});
    const axes = parseSweeps(values.sweep);
    const rank = choiceFlag("rank", values.rank, RANK_METRICS) ?? "totalReturnPct";
    const workers = integerFlag("workers", values.workers, 1, 64) ?? 2;
    const k = integerFlag("walk-forward", values["walk-forward"], 2, 100);
    const combos = grid(axes);
    // Every combination must be a valid configuration, its strategy loaded and its parameters
    // checked as a single run checks them, before any worker starts: a bad one runs nothing.
    for (const c of combos) await configuredStrategies(loadConfig({ file: configFile, overrides: [...(values.set ?? []), ...c], cli }));
    let spans: { from: number | undefined; to: number | undefined }[] = [{ from, to }];
    if (k !== undefined) {
      // The pass that finds the span also finds windows that would be empty: refused before any run.
      const check = new WindowCheck(k, from);
      const span = await dataSpan(files, readAs, from, to, values.strict === true, check);
      const cut = windows(span.from, span.to, k);
      check.check(cut);
      spans = cut;
    }
    const jobs: SweepJob[] = combos.flatMap((c, ci) =>
      spans.map((w, wi) => ({
        id: ci * spans.length + wi,
        label: `${c.join(" ")}${k === undefined ? "" : ` on window ${wi + 1} (${new Date(w.from!).toISOString()} to ${new Date(w.to!).toISOString()})`}`,
        files,
        readAs,
        configFile,
        cli,
        overrides: [...(values.set ?? []), ...c],
        from: w.from,
        to: w.to,
        strict: values.strict === true,
        fill,
        latency,
        instrumentsFile,
      })),
    );
    const quiet = values.quiet === true;
    // Ctrl-C starts no more runs and stops the running ones; what finished is still ranked,
    // printed and written.
    const stop = ctrlC("stopping the sweep, ranking the runs that finished");
    const results = await runJobs(jobs, workers, quiet ? undefined : sweepProgressPrinter({ out: process.stderr }), stop.signal);
    stop.release();
    const perCombo = combos.map((_, ci) => results.slice(ci * spans.length, (ci + 1) * spans.length));
    const sweep = rankSweep(combos, perCombo, rank, k ?? null, axes, stop.signal.aborted);
    if (reportPath !== undefined) writeFileSync(reportPath, `${JSON.stringify(sweep, null, 2)}\n`);
    process.stdout.write(printSweep(sweep));
    return stop.signal.aborted ? 130 : results.every((r) => r.ok) ? 0 : 1;
  }
  // One run from here on: the flags that shape a sweep have nothing to shape.
  const sweepOnly = (["workers", "rank", "walk-forward"] as const).find((f) => values[f] !== undefined);
  if (sweepOnly !== undefined) throw new HeanError("CLI_USAGE", `--${sweepOnly} applies to a sweep: add --sweep key=v1,v2,… (or leave --${sweepOnly} out)`, { flag: sweepOnly });
  const endTs = to;
  // Ctrl-C ends the replay where it is, with the report of what was replayed (and the temporary
  // journal removed).
  const stop = ctrlC("stopping at the current data");
  const { report, charts } = await runBacktest({
    signal: stop.signal,
    ...(instruments === undefined ? {} : { instruments }),
    files,
    readAs,
    config,
    from,
    to,
    strict: values.strict === true,
    journalPath: textFlag("journal", values.journal),
    fill,
    latency,
    ...(values.quiet === true ? {} : { onProgress: progressPrinter({ out: process.stderr, endTs }), progressEvery: 20_000 }),
  });
  if (reportPath !== undefined) writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  if (htmlPath !== undefined) {
    const { headline, notes } = backtestNotes(report);
    writeFileSync(htmlPath, (await import("../report/html.ts")).htmlReport(report, charts, [headline, ...notes]));
  }
  stop.release();
  process.stdout.write(printBacktest(report));
  // A strategy that broke mid-run makes the backtest a failed one, as it makes a sweep's run an
  // error: the report is written all the same, and says when and why.
  return report.backtest.data.interrupted ? 130 : report.disabled.length > 0 ? 1 : 0;
}

/** The first Ctrl-C aborts the signal, saying `what` happens now; a second one exits at once. */
function ctrlC(what: string): { readonly signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(`\nbacktest: ${what} (Ctrl-C again to quit at once)\n`);
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: abort.signal, release: () => void process.off("SIGINT", onSigint) };
}

export function printBacktest(report: BacktestReport): string {
  const { headline, notes } = backtestNotes(report);
  return `${[headline, ...notes.map((n) => `  ${n}`)].join("\n")}\n\n${printReport(report, "Backtest")}`;
}

function recordedVenue(files: readonly string[]): string | undefined {
  const venues = files.filter((f) => recogniseFile(f)?.format === "hean-market").map((f) => readRecordingHeader(f)?.venue);
  return venues.find((v) => v === "bybit");
}

/** First and last time of the data (within --from/--to): the span walk-forward windows cut; every record's time goes to `check`. */
async function dataSpan(files: readonly string[], readAs: ReadAs, from: number | undefined, to: number | undefined, strict: boolean, check: WindowCheck): Promise<{ from: number; to: number }> {
  let first: number | undefined;
  let last = 0;
  const reports: FileReport[] = [];
  // The market data's span, as each run has it (withinMarketData): a monthly fundingRate file
  // beside a few days of trades made windows of funding alone, each run then failing.
  const market = withinMarketData(mergeMarketBatches(files, { ...readAs, strict, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, reports), { funding: 0 });
  for await (const batch of market) {
    first ??= batch[0]!.ts;
    last = batch.at(-1)!.ts;
    for (let i = 0; i < batch.length; i++) check.add(batch[i]!.ts);
  }
  if (first === undefined) throw new HeanError("DATA_MALFORMED", `no market data in ${files.join(", ")}${malformedRows(reports)}`, { files });
  return { from: from ?? first, to: to ?? last + 1 };
}

function readInstruments(path: string): Instrument[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new HeanError("CLI_USAGE", `--instruments ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, { file: path });
  }
  try {
    return instrumentsFromJson(JSON.parse(text));
  } catch (e) {
    throw new HeanError("CLI_USAGE", `--instruments ${path}: ${(e as Error).message}`, { file: path });
  }
}
