/**
 * `hean help [CMD [SUB]]`. The texts that live beside their command (data, backtest, token, the simulators) are
 * loaded only when asked for, so plain `hean help` never imports research or simulator code.
 */
import { staticHelp } from "./help.ts";
import { USAGE } from "./usage.ts";

/** The help text for `hean help ...words` (an empty list: the overview). */
export async function helpText(words: readonly string[]): Promise<string> {
  const [command, sub] = words;
  if (command === undefined) return USAGE;
  const text = staticHelp(command, sub);
  if (command === "data") return (await import("./data-command.ts")).DATA_USAGE;
  if (command === "backtest") return (await import("./backtest-command.ts")).BACKTEST_USAGE;
  if (command === "token") return (await import("./token-command.ts")).tokenHelp();
  if (command === "sim" && sub === "bybit") return `${(await import("../simulator/bybit/cli-args.ts")).USAGE}\n`;
  if (command === "sim" && sub === "binance") return `${(await import("../simulator/binance/main.ts")).USAGE}\n`;
  if (text === undefined) throw new Error(`help for ${command} has no text`);
  return text;
}
