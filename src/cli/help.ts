/**
 * `hean --version`, `hean help [CMD [SUB]]` and `hean CMD [SUB] --help`: one text per command,
 * and a did-you-mean for a mistyped command or subcommand.
 */
import { readFileSync } from "node:fs";
import { HeanError } from "../core/errors.ts";
import { didYouMean } from "../core/suggest.ts";
import { USAGE } from "./usage.ts";

/** The version in package.json: the one thing `hean --version` must never get wrong. */
export function heanVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

const RUN_OPTIONS = USAGE.slice(USAGE.indexOf('Options of "hean run":'));

const JOURNAL_HELP = `hean journal verify | inspect | replay: look at a journal without running the engine (read-only)

  hean journal verify  --journal PATH     check every record's checksum and sequence (exit 1 and how
                                          many records are lost if any)
  hean journal inspect --journal PATH [--from SEQ] [--limit N] [--type TYPE]
                                          print records as JSON lines (TYPE: an event type, e.g.
                                          order.intent, order.filled, alert)
  hean journal replay  --journal PATH --report FILE
                                          rebuild state from the journal alone and write the report
`;

const SIM_HELP = `hean sim bybit|binance: a venue's protocol simulator on loopback (for tests and live-mode trials)

  hean sim bybit --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET
  hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET

  Every flag: hean sim bybit --help, hean sim binance --help
`;

interface CommandHelp {
  readonly summary: string;
  readonly text: string;
  /** Subcommands with their own line of help; `hean help CMD SUB` prints the command's text. */
  readonly subcommands?: readonly string[];
}

const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  run: { summary: "trade (paper on the built-in simulated venue by default)", text: `hean run [options]: trade (paper on the built-in simulated venue by default)\n\n${RUN_OPTIONS}` },
  journal: { summary: "verify, inspect or replay a journal", text: JOURNAL_HELP, subcommands: ["verify", "inspect", "replay"] },
  data: { summary: "download the venues' public historical files", text: "" /* in data-command.ts, which imports research code */, subcommands: ["download"] },
  sim: { summary: "run a venue's protocol simulator", text: SIM_HELP, subcommands: ["bybit", "binance"] },
  token: { summary: "print a new API token for HEAN_API_TOKEN", text: "" /* in token-command.ts */ },
  help: { summary: "help on a command: hean help CMD", text: "hean help [CMD [SUB]]: this help, or one command's\n" },
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Refuses an unknown command, naming the nearest. */
export function unknownCommand(command: string): never {
  throw new HeanError("CLI_USAGE", `unknown command ${JSON.stringify(command)}: ${didYouMean(command, COMMAND_NAMES)}; see hean help`, { command });
}

/** Refuses an unknown subcommand of `command`, naming the nearest. */
export function unknownSubcommand(command: string, sub: string | undefined): never {
  const subs = COMMANDS[command]?.subcommands ?? [];
  const what = sub === undefined || sub === "" ? "needs a subcommand" : `has no subcommand ${JSON.stringify(sub)}`;
  throw new HeanError("CLI_USAGE", `hean ${command} ${what}: ${sub === undefined ? `(valid: ${subs.join(", ")})` : didYouMean(sub, subs)}; see hean help ${command}`, { command, sub });
}

/**
 * The static help text for `hean help CMD [SUB]`, after checking both words; undefined where the text
 * belongs to the command's own module (help-command.ts loads it, so this table imports no command).
 */
export function staticHelp(command: string, sub: string | undefined): string | undefined {
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) unknownCommand(command);
  if (sub !== undefined && entry.subcommands !== undefined && !entry.subcommands.includes(sub)) unknownSubcommand(command, sub);
  return entry.text === "" ? undefined : entry.text;
}

/** Whether argv asks for help: `--help` or `-h` anywhere before a `--`. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const head = end === -1 ? argv : argv.slice(0, end);
  return head.includes("--help") || head.includes("-h");
}
