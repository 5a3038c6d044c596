/**
 * `hean journal verify | inspect | replay`: look at a journal without running the engine. All
 * three only read (the file is never changed, damaged or not) and exit 1 when records are damaged
 * or lost, saying how many.
 */
import { existsSync, writeFileSync } from "node:fs";
import { HeanError } from "../core/errors.ts";
import { ALL_EVENT_TYPES } from "../core/events.ts";
import { didYouMean } from "../core/suggest.ts";
import { unknownSubcommand } from "./help.ts";
import { DEFAULT_CONFIG } from "../config/config.ts";
import { replayJournal } from "../engine/replay.ts";
import { ReadOnlyJournal } from "../journal/read-only-journal.ts";
import { describeLostRecords, inspectJournal, urgentPendingLine, type VerifyReport, verifyJournal } from "../journal/tools.ts";
import { printReport } from "../report/print.ts";
import { buildReport } from "../runtime/report.ts";
import { parseFlags } from "./flags.ts";

/** Records `journal inspect` prints without --limit. */
const INSPECT_LIMIT = 100;

const SUBCOMMANDS: readonly string[] = ["verify", "inspect", "replay"];

const FLAGS = {
  journal: { type: "string" },
  report: { type: "string" },
  from: { type: "string" },
  limit: { type: "string" },
  type: { type: "string" },
} as const;

export async function journalCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) unknownSubcommand("journal", sub);
  const { values } = parseFlags(rest, FLAGS);
  if (values.type !== undefined && !(ALL_EVENT_TYPES as readonly string[]).includes(values.type)) {
    throw new HeanError("CLI_USAGE", `--type: no event type ${JSON.stringify(values.type)}: ${didYouMean(values.type, ALL_EVENT_TYPES)}`, { type: values.type });
  }
  const path = values.journal;
  if (path === undefined) throw new HeanError("CLI_USAGE", `hean journal ${sub ?? ""}: --journal PATH is required`, {});
  if (!existsSync(path)) throw new HeanError("JOURNAL_IO", `no journal at ${path}`, { path });
  switch (sub) {
    case "verify": {
      const report = verifyJournal(path);
      process.stdout.write(JSON.stringify(report, null, 2) + "\n");
      process.stdout.write(report.ok ? `journal ok: ${path}\n` : `${problemsLine(report)}\n`);
      if (report.urgentPending > 0) process.stdout.write(`${urgentPendingLine(report)}\n`);
      return report.ok ? 0 : 1;
    }
    case "inspect": {
      const limit = values.limit !== undefined ? count("limit", values.limit) : INSPECT_LIMIT;
      // One more than shown, to know whether the output stops short of the journal's end: a
      // silent cut at 100 read as "the run had 100 sized orders" to anyone counting lines.
      const records = inspectJournal(path, {
        ...(values.from !== undefined ? { from: count("from", values.from) } : {}),
        limit: limit + 1,
        ...(values.type !== undefined ? { type: values.type } : {}),
      });
      for (const r of records.slice(0, limit)) process.stdout.write(JSON.stringify(r) + "\n");
      if (records.length > limit) {
        process.stderr.write(`first ${limit} records shown, more follow: --limit N shows more, --from ${records[limit]!.seq} continues\n`);
      }
      const report = verifyJournal(path);
      if (report.urgentPending > 0) process.stderr.write(`${urgentPendingLine(report)}\n`);
      if (report.ok) return 0;
      process.stderr.write(`${problemsLine(report)} (details: hean journal verify)\n`);
      return 1;
    }
    case "replay": {
      const journal = ReadOnlyJournal.open(path);
      try {
        const { state, report } = replayJournal(journal, DEFAULT_CONFIG.initialCash);
        const rebuilt = buildReport(state, { path, events: journal.lastSeq() });
        if (values.report !== undefined) writeFileSync(values.report, JSON.stringify(rebuilt, null, 2) + "\n");
        // The tables `hean run` and `hean backtest` print, from the journal alone.
        process.stdout.write(printReport(rebuilt, `journal ${path}`));
        process.stderr.write(
          `replayed ${report.eventsReplayed} records (from snapshot at ${report.fromSnapshotSeq}) in ${report.durationMs.toFixed(0)} ms` +
            (report.errors.length > 0 ? `; ${report.errors.length} records refused: ${JSON.stringify(report.errors.slice(0, 5))}` : "") +
            "\n",
        );
        if (!journal.verify.ok) {
          process.stderr.write(`${problemsLine(journal.verify)}; the report covers records 1..${journal.lastSeq()} only\n`);
          return 1;
        }
        return report.errors.length > 0 ? 1 : 0;
      } finally {
        journal.close();
      }
    }
    default:
      throw new HeanError("CLI_USAGE", `hean journal: unknown subcommand ${JSON.stringify(sub)} (verify, inspect, replay)`, {});
  }
}

function problemsLine(report: VerifyReport): string {
  const lost = report.lost.records > 0 || report.lost.atLeast ? `${describeLostRecords(report.lost)} damaged or lost` : "no record lost";
  return `journal has problems: ${report.path}: ${lost}, ${report.problems.length + report.problemsOmitted} problems`;
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new HeanError("CLI_USAGE", `--${flag} must be a non-negative integer, got ${JSON.stringify(text)}`, {});
  return n;
}
