/**
 * `hean run`: load the configuration, start the runtime, show a live status, stop cleanly on
 * --duration, SIGINT or SIGTERM, and write the report.
 */
import { writeFileSync } from "node:fs";
import { HeanError } from "../core/errors.ts";
import { loadConfig } from "../config/config.ts";
import { Runtime } from "../runtime/runtime.ts";
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
  quiet: { type: "boolean" },
  "rest-url": { type: "string" },
  "ws-public-url": { type: "string" },
  "ws-private-url": { type: "string" },
  "i-understand-live-trading": { type: "boolean" },
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
      "live.restUrl": values["rest-url"],
      "live.wsPublicUrl": values["ws-public-url"],
      "live.wsPrivateUrl": values["ws-private-url"],
      "live.iUnderstandLiveTrading": values["i-understand-live-trading"],
    },
  });
  const duration = intFlag("duration", values.duration);

  const runtime = await Runtime.start({
    config,
    onAlert: (a) => {
      if (a.severity !== "info") process.stderr.write(`${new Date(a.ts).toISOString()} ${a.severity.toUpperCase()} ${a.code}: ${a.message}\n`);
    },
  });
  if (runtime.replay.eventsReplayed > 0) {
    process.stderr.write(`hean: replayed ${runtime.replay.eventsReplayed} journal records (from snapshot at ${runtime.replay.fromSnapshotSeq}) in ${runtime.replay.durationMs.toFixed(0)} ms\n`);
  }
  const stopOn = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nhean: ${signal}: stopping intake, settling working orders, flushing the journal\n`);
    void runtime.stop(signal);
  };
  process.once("SIGINT", stopOn);
  process.once("SIGTERM", stopOn);
  if (duration !== undefined) runtime.stopAfter(duration * 1000);

  const tty = process.stderr.isTTY === true;
  const status = values.quiet === true ? undefined : setInterval(() => {
    const line = runtime.statusLine();
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, tty ? 1_000 : 10_000);

  const report = await runtime.done;
  if (status !== undefined) clearInterval(status);
  if (tty && values.quiet !== true) process.stderr.write("\n");
  process.off("SIGINT", stopOn);
  process.off("SIGTERM", stopOn);
  if (values.report !== undefined) writeFileSync(values.report, JSON.stringify(report, null, 2) + "\n");
  process.stderr.write(
    `hean: stopped. equity ${report.equity}, realised ${report.realizedPnl}, fees ${report.fees}, ${report.fills} fills, risk ${report.risk.state}. journal ${report.journal.path} (${report.journal.events} records)\n`,
  );
  return 0;
}
