/**
 * The `hean` command line: `run`, `journal verify|inspect|replay`, `sim bybit|binance`.
 * Every failure prints one clear line (code and message) and returns a non-zero exit code.
 */
import { describeError, isHeanError } from "../core/errors.ts";
import { USAGE } from "./usage.ts";
import { asksForHelp, heanVersion, unknownCommand, unknownSubcommand } from "./help.ts";
import { helpText } from "./help-command.ts";

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // --version, help CMD, CMD --help (src/cli/help.ts).
    if (command === "--version" || command === "-V" || command === "version") return print(`hean ${heanVersion()}\n`);
    if (command === "help") return print(await helpText(rest.filter((w) => !w.startsWith("-"))));
    if (command !== undefined && !command.startsWith("-") && asksForHelp(rest)) return print(await helpText([command, ...rest.filter((w) => !w.startsWith("-")).slice(0, 1)]));
    switch (command) {
      case "token":
        return (await import("./token-command.ts")).tokenCommand(rest);
      case "run":
        return await (await import("./run-command.ts")).runCommand(rest);
      case "journal":
        return await (await import("./journal-command.ts")).journalCommand(rest);
      case "sim":
        return await simCommand(rest);
      case "data":
        return await (await import("./data-command.ts")).dataCommand(rest);
      case "backtest":
        return await (await import("./backtest-command.ts")).backtestCommand(rest);
      case "ctl":
        return await (await import("./fleet-commands.ts")).ctlCommand(rest);
      case "tail":
        return await (await import("./fleet-commands.ts")).tailCommand(rest);
      case "fleet":
        return await (await import("./fleet-command.ts")).fleetCommand(rest);
      case "context":
        return await (await import("./context-command.ts")).contextCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return unknownCommand(command);
    }
  } catch (e) {
    const { code, message } = describeError(e);
    process.stderr.write(`hean: ${message.startsWith(code) ? message : `${code}: ${message}`}\n`);
    // 2: hean refused to start on what it was given (nothing ran, nothing was written).
    return isHeanError(e, "CLI_USAGE") || isHeanError(e, "CONFIG_INVALID") || isHeanError(e, "LIVE_NOT_CONFIRMED") || isHeanError(e, "JOURNAL_LOSS_UNCONFIRMED") || isHeanError(e, "STRATEGY_INVALID") || isHeanError(e, "STRATEGY_CAPITAL_SHARE") || isHeanError(e, "VENUE_URL_NOT_FOUND") ? 2 : 1;
  }
}

async function simCommand(argv: readonly string[]): Promise<number> {
  const [venue, ...rest] = argv;
  if (venue === "binance") return (await import("../simulator/binance/main.ts")).runBinanceSimCli([...rest]);
  if (venue !== "bybit") return unknownSubcommand("sim", venue);
  const { runBybitSimCli } = await import("../simulator/bybit/main.ts");
  return (await runBybitSimCli([...rest])) ?? 0;
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}
