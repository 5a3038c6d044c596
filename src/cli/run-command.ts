/**
 * `hean run`: load the configuration, start the runtime, show a live status, stop cleanly on
 * --duration, SIGINT or SIGTERM, and write the report.
 */
import { writeFileSync } from "node:fs";
import { HeanError, describeError, isHeanError } from "../core/errors.ts";
import { loadConfig } from "../config/config.ts";
import { readSecret } from "../control/secrets.ts";
import { createLogger, type LogLevel } from "../observability/logger.ts";
import { type OperatorSurfaces, startOperatorSurfaces } from "../runtime/operator-surfaces.ts";
import { Runtime } from "../runtime/runtime.ts";
import { readVenueCredentials, venueEntry, venueSecretNames } from "../venues/registry.ts";
import { parseFlags } from "./main.ts";

const FLAGS = {
  venue: { type: "string" },
  mode: { type: "string" },
  symbols: { type: "string" },
  strategy: { type: "string" },
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
} as const;

export async function runCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length > 0) throw new HeanError("CLI_USAGE", `hean run: unexpected argument ${JSON.stringify(positionals[0])}`, {});
  const intFlag = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new HeanError("CLI_USAGE", `--${name} must be a non-negative number, got ${JSON.stringify(v)}`, { flag: name });
    return n;
  };
  const config = loadConfig({
    file: values.config,
    overrides: values.set ?? [],
    cli: {
      venue: values.venue,
      mode: values.mode,
      symbols: values.symbols,
      "strategy.name": values.strategy,
      scenario: values.scenario,
      seed: intFlag("seed", values.seed),
      "journal.path": values.journal,
      "api.port": intFlag("api-port", values["api-port"]),
      "api.host": values["api-host"],
      // Shortcuts into the selected venue's block (`venues.<id>.*`).
      "venue.restUrl": values["rest-url"],
      "venue.wsPublicUrl": values["ws-public-url"],
      "venue.wsPrivateUrl": values["ws-private-url"],
      "venue.testnet": values.testnet,
      "live.iUnderstandLiveTrading": values["i-understand-live-trading"],
    },
  });
  const duration = intFlag("duration", values.duration);

  // Register every secret hean knows of before the first log line, so the scrubber can hide
  // them even where a secret is never otherwise used in this mode.
  for (const name of [...KNOWN_SECRETS, ...venueSecretNames()]) readSecret(name);
  const logger = createLogger({ level: logLevel(values["log-level"]), base: { mode: config.mode, venue: config.venue } });
  // Keys are read (as redacted Secrets) only for confirmed live trading; paper never touches them.
  const live =
    config.mode === "live" && config.live.iUnderstandLiveTrading && venueEntry(config.venue).loadLive !== undefined ? readVenueCredentials(config.venue, process.env) : undefined;
  const runtime = await Runtime.open({
    config,
    journalLoss: values["accept-journal-loss"] === true ? "cut" : "refuse",
    ...(live !== undefined ? { live } : {}),
    onAlert: (a) => {
      const line = { code: a.code, ...a.context };
      if (a.severity === "critical") logger.error(line, a.message);
      else if (a.severity === "warning") logger.warn(line, a.message);
      else logger.info(line, a.message);
    },
  });
  // From here on a signal or --duration stops the run cleanly, with a report, at any stage.
  const stopOn = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "stopping: intake stopped, settling working orders, flushing the journal");
    void runtime.stop(signal);
  };
  process.once("SIGINT", stopOn);
  process.once("SIGTERM", stopOn);
  if (duration !== undefined) runtime.stopAfter(duration * 1000);
  const writeReport = (report: unknown): void => {
    if (values.report !== undefined) writeFileSync(values.report, JSON.stringify(report, null, 2) + "\n");
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
  let surfaces: OperatorSurfaces | undefined;
  try {
    surfaces = await startOperatorSurfaces(runtime, logger);
  } catch (e) {
    await runtime.stop("operator surfaces failed to start");
    throw e;
  }

  const tty = process.stderr.isTTY === true;
  const status = values.quiet === true ? undefined : setInterval(() => {
    const line = runtime.statusLine();
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, tty ? 1_000 : 10_000);

  const report = await runtime.done;
  await surfaces.close();
  if (status !== undefined) clearInterval(status);
  if (tty && values.quiet !== true) process.stderr.write("\n");
  process.off("SIGINT", stopOn);
  process.off("SIGTERM", stopOn);
  writeReport(report);
  logger.info(
    { equity: report.equity, realizedPnl: report.realizedPnl, fees: report.fees, fills: report.fills, risk: report.risk.state, journal: report.journal },
    "hean stopped",
  );
  logger.flush();
  return 0;
}

const KNOWN_SECRETS = ["HEAN_API_TOKEN", "HEAN_TELEGRAM_TOKEN"] as const;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined) return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new HeanError("CLI_USAGE", `--log-level must be one of ${LOG_LEVELS.join(", ")}`, { value });
}
