/**
 * `hean run`: load the configuration, start the runtime, show a live status, stop cleanly on
 * --duration, SIGINT or SIGTERM, and write the report.
 */
import { writeFileSync } from "node:fs";
import { HeanError, describeError, isHeanError } from "../core/errors.ts";
import { type HeanConfig, loadConfig, MAX_PORT, MAX_SEED } from "../config/config.ts";
import { readSecret } from "../core/secrets.ts";
import { createLogger, type LogLevel } from "../observability/logger.ts";
import { defaultLogFormat, LOG_FORMATS, type LogFormat } from "../observability/pretty.ts";
import { setJournalAside } from "../journal/set-aside.ts";
import { watchForHalt } from "../runtime/halt-watch.ts";
import { continuationFields, continuationMessage } from "../runtime/continuation.ts";
import { type OperatorSurfaces, planOperatorSurfaces, startOperatorSurfaces } from "../runtime/operator-surfaces.ts";
import { Runtime } from "../runtime/runtime.ts";
import { disabledNote } from "../runtime/strategy-slot.ts";
import { denialsNote, printReport } from "../report/print.ts";
import { htmlReport } from "../report/html.ts";
import { PriceSampler } from "../report/price-sampler.ts";
import { toNumber } from "../core/decimal.ts";
import { HEAN_MARKET_SUFFIX } from "../research/data/formats.ts";
import { checkRecordingTarget, recordRuntimeMarket } from "../research/record/market-recorder.ts";
import { readVenueCredentials, venueEntry, venueSecretNames } from "../venues/registry.ts";
import { choiceFlag, integerFlag, outputFileFlag, parseFlags, secondsFlag, textFlag } from "./flags.ts";

const FLAGS = {
  venue: { type: "string" },
  mode: { type: "string" },
  symbols: { type: "string" },
  strategy: { type: "string" },
  "strategy-file": { type: "string" },
  scenario: { type: "string" },
  seed: { type: "string" },
  duration: { type: "string" },
  journal: { type: "string" },
  config: { type: "string" },
  set: { type: "string", multiple: true },
  report: { type: "string" },
  "api-port": { type: "string" },
  "api-host": { type: "string" },
  "log-level": { type: "string" },
  quiet: { type: "boolean" },
  "rest-url": { type: "string" },
  "ws-public-url": { type: "string" },
  "ws-private-url": { type: "string" },
  testnet: { type: "boolean" },
  "i-understand-live-trading": { type: "boolean" },
  "accept-journal-loss": { type: "boolean" },
  fresh: { type: "boolean" },
  "log-format": { type: "string" },
  "exit-on-halt": { type: "boolean" },
  "record-market": { type: "string" },
  html: { type: "string" },
  "redis-url": { type: "string" },
  "engine-id": { type: "string" },
} as const;

/** `--exit-on-halt`: the exit code when the engine halted (HARD_STOP or kill switch) and the run ended for it. */
export const EXIT_HALTED = 3;
/**
 * A strategy was disabled during the run (it threw or broke the signal contract), the report
 * written all the same: what ran is not what was asked, and a script or a service manager must
 * hear it from more than a log line. The same code as `hean backtest` gives it.
 */
export const EXIT_STRATEGY_DISABLED = 1;

/** Everything `hean run` was asked to do, checked in full before anything starts. */
export interface RunPlan {
  readonly config: HeanConfig;
  /** Stop cleanly after this long; undefined: run until SIGINT/SIGTERM. */
  readonly durationMs: number | undefined;
  readonly reportPath: string | undefined;
  readonly logLevel: LogLevel;
  readonly quiet: boolean;
  /** `--html FILE`: the report as one self-contained page (equity, drawdown, prices with trades). */
  readonly htmlPath?: string | undefined;
  /** `--record-market FILE`: every book and trade the engine saw, for `hean backtest`. */
  readonly recordMarket?: string | undefined;
  /** `cut`: the operator accepted a damaged journal's loss (`--accept-journal-loss`). */
  readonly journalLoss: "cut" | "refuse";
  /** `--fresh`: set the old journal aside (renamed, never deleted) and start a new one. */
  readonly fresh: boolean;
  readonly logFormat: LogFormat;
  /** `--exit-on-halt`: end the run (report written, exit 3) once the engine halts. */
  readonly exitOnHalt: boolean;
}

/**
 * Flags, config file, `--set` overrides: all of it is validated here, before a secret is read,
 * a journal opened or a timer set, so a refused start leaves nothing behind and nothing running.
 */
export function parseRunArgs(argv: readonly string[]): RunPlan {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean run: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  const durationMs = secondsFlag("duration", values.duration);
  const reportPath = outputFileFlag("report", values.report);
  const logLevel = choiceFlag("log-level", values["log-level"], LOG_LEVELS) ?? "info";
  const config = loadConfig({
    file: textFlag("config", values.config),
    overrides: values.set ?? [],
    cli: {
      venue: values.venue,
      mode: values.mode,
      symbols: values.symbols,
      "strategy.name": values.strategy,
      "strategy.file": textFlag("strategy-file", values["strategy-file"]),
      scenario: values.scenario,
      seed: integerFlag("seed", values.seed, 0, MAX_SEED),
      "journal.path": textFlag("journal", values.journal),
      "api.port": integerFlag("api-port", values["api-port"], 0, MAX_PORT),
      "api.host": textFlag("api-host", values["api-host"]),
      // Shortcuts into the selected venue's block (`venues.<id>.*`).
      "venue.restUrl": textFlag("rest-url", values["rest-url"]),
      "venue.wsPublicUrl": textFlag("ws-public-url", values["ws-public-url"]),
      "venue.wsPrivateUrl": textFlag("ws-private-url", values["ws-private-url"]),
      "venue.testnet": values.testnet,
      "live.iUnderstandLiveTrading": values["i-understand-live-trading"],
      "redis.url": textFlag("redis-url", values["redis-url"]),
      "redis.engineId": textFlag("engine-id", values["engine-id"]),
    },
  });
  const logFormat = choiceFlag("log-format", values["log-format"], LOG_FORMATS) ?? defaultLogFormat(process.stdout.isTTY);
  if (values.fresh === true && values["accept-journal-loss"] === true) {
    throw new HeanError("CLI_USAGE", "--fresh sets the old journal aside and starts a new one: --accept-journal-loss has nothing to cut then; give one or the other", {});
  }
  const recordMarket = outputFileFlag("record-market", values["record-market"]);
  if (recordMarket !== undefined && !recordMarket.endsWith(HEAN_MARKET_SUFFIX)) {
    throw new HeanError("CLI_USAGE", `--record-market must name a file ending in ${HEAN_MARKET_SUFFIX}, got ${JSON.stringify(recordMarket)}`, { flag: "record-market" });
  }
  // A file this run would not append to is refused before anything starts.
  if (recordMarket !== undefined) checkRecordingTarget(recordMarket, config.venue);
  return {
    config,
    durationMs,
    reportPath,
    logLevel,
    quiet: values.quiet === true,
    journalLoss: values["accept-journal-loss"] === true ? "cut" : "refuse",
    fresh: values.fresh === true,
    logFormat,
    exitOnHalt: values["exit-on-halt"] === true,
    recordMarket,
    htmlPath: outputFileFlag("html", values.html),
  };
}

export async function runCommand(argv: readonly string[]): Promise<number> {
  const { config, durationMs, reportPath, logLevel, quiet, journalLoss, fresh, logFormat, exitOnHalt, recordMarket, htmlPath } = parseRunArgs(argv);

  // Register every secret hean knows of before the first log line, so the scrubber can hide
  // them even where a secret is never otherwise used in this mode.
  for (const name of [...KNOWN_SECRETS, ...venueSecretNames()]) readSecret(name);
  const surfacesPlan = planOperatorSurfaces(config);
  const logger = createLogger({ level: logLevel, format: logFormat, base: { mode: config.mode, venue: config.venue } });
  if (fresh) {
    const aside = setJournalAside(config.journal.path, Date.now());
    if (aside !== undefined) logger.info({ journal: config.journal.path, oldJournal: aside }, `--fresh: the old journal is set aside as ${aside}; starting a new one`);
  }
  // Keys are read (as redacted Secrets) only for confirmed live trading; paper never touches them.
  const live =
    config.mode === "live" && config.live.iUnderstandLiveTrading && venueEntry(config.venue).loadLive !== undefined ? readVenueCredentials(config.venue, process.env) : undefined;
  const runtime = await Runtime.open({
    config,
    journalLoss,
    ...(live !== undefined ? { live } : {}),
    onAlert: (a) => {
      const line = { code: a.code, ...a.context };
      if (a.severity === "critical") logger.error(line, a.message);
      else if (a.severity === "warning") logger.warn(line, a.message);
      else logger.info(line, a.message);
    },
  });
  logger.info(continuationFields(runtime), continuationMessage(runtime));
  const recording = recordMarket === undefined ? undefined : recordRuntimeMarket(runtime, recordMarket, config.venue, config.symbols);
  void runtime.done.then(() => recording?.close());
  const prices = htmlPath === undefined ? undefined : new PriceSampler();
  if (prices !== undefined) runtime.outbox.subscribe("html-prices", (e) => prices.onEvent(e), ["market.book"]);
  // From here on a signal or --duration stops the run cleanly, with a report, at any stage.
  const stopOn = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "stopping: intake stopped, settling working orders, flushing the journal");
    void runtime.stop(signal);
  };
  process.once("SIGINT", stopOn);
  process.once("SIGTERM", stopOn);
  if (durationMs !== undefined) runtime.stopAfter(durationMs);
  const writeReport = (report: unknown): void => {
    if (reportPath !== undefined) writeFileSync(reportPath, JSON.stringify(report, null, 2) + "\n");
  };
  try {
    await runtime.boot();
  } catch (e) {
    // The runtime has stopped (journaled, closed); its report says what state it left.
    const report = await runtime.done;
    process.off("SIGINT", stopOn);
    process.off("SIGTERM", stopOn);
    writeReport(report);
    const { code, message } = describeError(e);
    if (isHeanError(e, "START_ABORTED")) {
      // A stop that was asked for (signal, --duration) is a clean stop, even before trading began.
      logger.info({ code, journal: report.journal }, message);
      logger.flush();
      return 0;
    }
    logger.error({ code, journal: report.journal }, `hean did not start trading: ${message}`);
    logger.flush();
    throw e;
  }
  logger.info(
    { journal: config.journal.path, replayed: runtime.replay.eventsReplayed, fromSnapshot: runtime.replay.fromSnapshotSeq, replayMs: Math.round(runtime.replay.durationMs) },
    "hean started",
  );
  let halted: string | undefined;
  const haltWatch = exitOnHalt
    ? watchForHalt(runtime, config.shutdown.settleTimeoutMs, (reason) => {
        halted = reason;
        logger.warn({ reason, exitCode: EXIT_HALTED }, `the engine halted (${reason}): stopping (--exit-on-halt)`);
        void runtime.stop(`halted: ${reason} (--exit-on-halt)`);
      })
    : undefined;
  let surfaces: OperatorSurfaces | undefined;
  try {
    surfaces = await startOperatorSurfaces(runtime, logger, surfacesPlan);
  } catch (e) {
    await runtime.stop("operator surfaces failed to start");
    throw e;
  }

  const tty = process.stderr.isTTY === true;
  const status = quiet ? undefined : setInterval(() => {
    const line = runtime.statusLine();
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, tty ? 1_000 : 10_000);

  const report = await runtime.done;
  haltWatch?.cancel();
  await surfaces.close();
  if (status !== undefined) clearInterval(status);
  if (tty && !quiet) process.stderr.write("\n");
  process.off("SIGINT", stopOn);
  process.off("SIGTERM", stopOn);
  writeReport(report);
  // A strategy that broke mid-run was alerted when it happened; the report says it again above
  // the figures that are no longer all its own.
  const refused = denialsNote(report.risk.denials);
  const notes = [...(report.disabled ?? []).map(disabledNote), ...(refused === undefined ? [] : [refused])];
  if (htmlPath !== undefined && prices !== undefined) {
    const equity = runtime.engine.state.performance.equityCurve().map((p) => ({ ts: p.ts, value: toNumber(p.equity) }));
    writeFileSync(htmlPath, htmlReport(report, { equity, prices: prices.series() }, notes));
  }
  // On stderr: stdout carries the JSON log lines.
  if (!quiet) process.stderr.write(`${notes.map((n) => `${n}\n`).join("")}${printReport(report, `hean ${config.mode}/${config.venue}`)}`);
  logger.info(
    { equity: report.equity, realizedPnl: report.realizedPnl, fees: report.fees, fills: report.fills, risk: report.risk.state, journal: report.journal },
    "hean stopped",
  );
  logger.flush();
  if (halted !== undefined) return EXIT_HALTED;
  return (report.disabled ?? []).length > 0 ? EXIT_STRATEGY_DISABLED : 0;
}

const KNOWN_SECRETS = ["HEAN_API_TOKEN", "HEAN_TELEGRAM_TOKEN", "HEAN_REDIS_URL"] as const;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
