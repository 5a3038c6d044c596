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
                                          order.intent, order.filled, alert); the first 100
                                          unless --limit N
  hean journal replay  --journal PATH [--report FILE]
                                          rebuild state from the journal alone: print the report's
                                          tables (as hean run does on exit); --report writes its JSON
`;

const SIM_HELP = `hean sim bybit|binance: a venue's protocol simulator on loopback (for tests and live-mode trials)

  hean sim bybit --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET
  hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET

  Every flag: hean sim bybit --help, hean sim binance --help
`;

const REDIS_FLAG = `  --redis-url URL         the fleet's Redis (default: HEAN_REDIS_URL)`;

const CTL_HELP = `hean ctl [--engine ID | --all] status|stop|resume|flatten|cancel-all: command engines over Redis

  status                  one line per registered engine: up or down, mode, risk state, equity, positions
  stop                    block new exposure, cancel working orders, close positions (the kill switch)
  flatten                 the same; resume trades again afterwards
  resume                  trade again after stop or flatten (not out of HARD_STOP)
  cancel-all              cancel every working order, positions stay
  --engine ID | --all     which engine, or every registered one (status without either lists them all)
  --reason TEXT           journaled with the command by each engine
  --timeout S             seconds to wait for the answers of the engines that are up (default 10); an
                          engine that is down gets the command when it returns (stop, flatten and
                          cancel-all always, resume only within its TTL)
  --ttl S                 how long resume stays valid (default: the engine's, 5 minutes)
  --command-id ID         the command's id (default: a new one): sent again, it is carried out once
  --json                  status as JSON
${REDIS_FLAG}
`;

const TAIL_HELP = `hean tail --engine ID [--from SEQ] [--count N]: follow an engine's event stream from Redis

  Prints the engine's events as JSON lines, live, until SIGINT; a jump in the journal
  sequence (the stream was trimmed) is said on stderr.
  --engine ID             the engine to follow
  --from SEQ              start at this journal sequence number (default: new events only)
  --count N               stop after N events
${REDIS_FLAG}
`;

const FLEET_HELP = `hean fleet [--port 8090] [--host 127.0.0.1] [--max-drawdown-pct P] [--max-gross-exposure Q]:
one dashboard and API over every engine in Redis, and with a limit the fleet risk process

  --port PORT             the dashboard and API port (default 8090)
  --host HOST             bind address (default 127.0.0.1; another needs HEAN_API_TOKEN)
  --max-drawdown-pct P    stop every engine when the fleet's equity falls P % below its peak
  --max-gross-exposure Q  stop every engine when the fleet's gross exposure (quote currency) passes Q
  --risk-interval S       how often the limits are checked, in seconds (default 1)
  --command-timeout S     how long a command from the dashboard waits for answers (default 10)
${REDIS_FLAG}
  Runs until SIGINT or SIGTERM.
`;

const CONTEXT_HELP = `hean context --venue bybit|binance [--symbols A,B] [--rest-url URL] [--interval S] [--once]:
publish funding rate, open interest and mark price to hean:context:<symbol> for the engines

  --venue bybit|binance   whose public REST to ask
  --symbols A,B           symbols (default BTCUSDT,ETHUSDT)
  --rest-url URL          the venue's REST base URL (default: the venue's own)
  --interval S            seconds between rounds (default 5)
  --once                  one round, then exit (exit 1 if a symbol's call failed)
${REDIS_FLAG}
  A call that fails publishes nothing for its symbol: engines see the fields age, never a made-up value.
`;

interface CommandHelp {
  /** The command's help; "" where it lives beside the command (help-command.ts loads it). */
  readonly text: string;
  /** Subcommands with their own line of help; `hean help CMD SUB` prints the command's text. */
  readonly subcommands?: readonly string[];
}

const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  run: { text: `hean run [options]: trade (paper on the built-in simulated venue by default)\n\n${RUN_OPTIONS}` },
  journal: { text: JOURNAL_HELP, subcommands: ["verify", "inspect", "replay"] },
  data: { text: "" /* in data-command.ts, which imports research code */, subcommands: ["download"] },
  backtest: { text: "" /* in backtest-command.ts, which imports research code */ },
  sim: { text: SIM_HELP, subcommands: ["bybit", "binance"] },
  token: { text: "" /* in token-command.ts */ },
  ctl: { text: CTL_HELP },
  tail: { text: TAIL_HELP },
  fleet: { text: FLEET_HELP },
  context: { text: CONTEXT_HELP },
  help: { text: "hean help [CMD [SUB]]: this help, or one command's\n" },
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
